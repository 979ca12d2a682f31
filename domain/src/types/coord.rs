//! The coordinate systems a client may speak. Doorstep stores and compares WGS-84 (GPS)
//! points; mini-programs and Chinese map SDKs (AMap, Tencent Maps, WeChat's `gcj02`
//! location type) give and draw GCJ-02, the obfuscated datum Chinese maps must use, which
//! lies a few hundred metres off WGS-84 inside China and equals it outside.
//!
//! The forward transform is the published GCJ-02 algorithm (Krasovsky ellipsoid parameters
//! and the sine-series offsets), as implemented by the eviltransform project
//! (github.com/googollee/eviltransform) and coordtransform (github.com/wandergis/
//! coordtransform); its test pairs are used below. No inverse formula exists: WGS-84 is found
//! by fixed-point iteration on the forward transform (as eviltransform's `gcj2wgs_exact`),
//! which agrees with it to well under a centimetre.

use serde::{Deserialize, Serialize};

use crate::{ErrorCode, Invalid};

/// The coordinate system of the points in a request and its answer (`coord=`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum CoordSystem {
    /// WGS-84, as GPS gives it: what Doorstep stores. The default.
    #[default]
    Wgs84,
    /// GCJ-02, as mini-programs and Chinese map SDKs give it.
    Gcj02,
}

impl CoordSystem {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Wgs84 => "wgs84",
            Self::Gcj02 => "gcj02",
        }
    }

    /// `wgs84` or `gcj02` (any case).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw.to_ascii_lowercase().as_str() {
            "wgs84" => Ok(Self::Wgs84),
            "gcj02" => Ok(Self::Gcj02),
            _ => Err(Invalid::new(
                ErrorCode::UnknownCoordSystem,
                "coord is wgs84 (the default) or gcj02",
            )),
        }
    }

    /// A point given in this system, in WGS-84: `(lat, lon)`. A point out of range is
    /// returned as given, for the validation that follows to refuse.
    pub fn to_wgs84(self, lat: f64, lon: f64) -> (f64, f64) {
        match self {
            Self::Wgs84 => (lat, lon),
            Self::Gcj02 => gcj02_to_wgs84(lat, lon),
        }
    }

    /// A stored WGS-84 point in this system: `(lat, lon)`.
    pub fn from_wgs84(self, lat: f64, lon: f64) -> (f64, f64) {
        match self {
            Self::Wgs84 => (lat, lon),
            Self::Gcj02 => wgs84_to_gcj02(lat, lon),
        }
    }
}

impl std::fmt::Display for CoordSystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Semi-major axis and eccentricity squared of the Krasovsky 1940 ellipsoid, which GCJ-02's
/// offsets are scaled by.
const KRASOVSKY_A: f64 = 6_378_245.0;
const KRASOVSKY_EE: f64 = 0.006_693_421_622_965_943;

/// The bounding box GCJ-02 applies in; outside it GCJ-02 equals WGS-84 (the rule every
/// implementation follows, since the obfuscation only concerns Chinese maps).
fn out_of_china(lat: f64, lon: f64) -> bool {
    !(72.004..=137.8347).contains(&lon) || !(0.8293..=55.8271).contains(&lat)
}

fn offset_lat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn offset_lon(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS-84 `(lat, lon)` to GCJ-02.
pub fn wgs84_to_gcj02(lat: f64, lon: f64) -> (f64, f64) {
    use std::f64::consts::PI;
    if !lat.is_finite() || !lon.is_finite() || out_of_china(lat, lon) {
        return (lat, lon);
    }
    let (x, y) = (lon - 105.0, lat - 35.0);
    let rad = lat / 180.0 * PI;
    let magic = 1.0 - KRASOVSKY_EE * rad.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let d_lat = offset_lat(x, y) * 180.0
        / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * PI);
    let d_lon = offset_lon(x, y) * 180.0 / (KRASOVSKY_A / sqrt_magic * rad.cos() * PI);
    (lat + d_lat, lon + d_lon)
}

/// GCJ-02 `(lat, lon)` to WGS-84: the point whose GCJ-02 is the one given, found by
/// fixed-point iteration (the offset changes by less than 1e-4 of a step per metre, so each
/// step gains about four digits; it stops within 1e-10 degrees, about 0.01 mm).
pub fn gcj02_to_wgs84(lat: f64, lon: f64) -> (f64, f64) {
    if !lat.is_finite() || !lon.is_finite() || out_of_china(lat, lon) {
        return (lat, lon);
    }
    let (mut w_lat, mut w_lon) = (lat, lon);
    for _ in 0..20 {
        let (g_lat, g_lon) = wgs84_to_gcj02(w_lat, w_lon);
        let (e_lat, e_lon) = (g_lat - lat, g_lon - lon);
        w_lat -= e_lat;
        w_lon -= e_lon;
        if e_lat.abs() < 1e-10 && e_lon.abs() < 1e-10 {
            break;
        }
    }
    (w_lat, w_lon)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::GeoPoint;

    fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
        GeoPoint::new(a.0, a.1)
            .unwrap()
            .distance_m(GeoPoint::new(b.0, b.1).unwrap())
    }

    /// Published WGS-84 → GCJ-02 pairs, `(wgs lat, wgs lon, gcj lat, gcj lon)`: the first
    /// three from eviltransform's test suite (Shanghai, Shenzhen, Beijing), the fourth from
    /// coordtransform-rs's (`wgs84_to_gcj02(116.404, 39.915)`), the fifth from the
    /// evil_transform Elixir port's documentation (Suzhou).
    const PAIRS: [(f64, f64, f64, f64); 5] = [
        (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
        (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
        (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
        (39.915, 116.404, 39.91640428150164, 116.41024449916938),
        (
            31.280844,
            120.596931,
            31.278648624428175,
            120.60109998322247,
        ),
    ];

    #[test]
    fn forward_matches_published_pairs() {
        for (w_lat, w_lon, g_lat, g_lon) in PAIRS {
            let got = wgs84_to_gcj02(w_lat, w_lon);
            let off = metres(got, (g_lat, g_lon));
            assert!(off < 0.5, "({w_lat}, {w_lon}): {got:?} is {off} m off");
            // The shift itself is hundreds of metres, so a no-op would fail above.
            assert!(metres((w_lat, w_lon), (g_lat, g_lon)) > 100.0);
        }
    }

    #[test]
    fn inverse_matches_published_pairs() {
        for (w_lat, w_lon, g_lat, g_lon) in PAIRS {
            let got = gcj02_to_wgs84(g_lat, g_lon);
            let off = metres(got, (w_lat, w_lon));
            assert!(off < 0.5, "({g_lat}, {g_lon}): {got:?} is {off} m off");
        }
    }

    #[test]
    fn round_trips_within_half_a_metre_over_china() {
        let mut worst: f64 = 0.0;
        for i in 0..=40 {
            for j in 0..=60 {
                let lat = 18.0 + f64::from(i) * (53.0 - 18.0) / 40.0;
                let lon = 74.0 + f64::from(j) * (135.0 - 74.0) / 60.0;
                let gcj = wgs84_to_gcj02(lat, lon);
                let back = gcj02_to_wgs84(gcj.0, gcj.1);
                worst = worst.max(metres((lat, lon), back));
                // And the other way: a GCJ-02 point read in and written back out.
                let wgs = gcj02_to_wgs84(lat, lon);
                let again = wgs84_to_gcj02(wgs.0, wgs.1);
                worst = worst.max(metres((lat, lon), again));
            }
        }
        assert!(worst < 0.5, "worst round trip {worst} m");
    }

    #[test]
    fn outside_china_both_systems_agree() {
        for (lat, lon) in [
            (48.8566, 2.3522),
            (40.7128, -74.006),
            (-33.87, 151.21),
            (35.68, 139.77),
        ] {
            assert_eq!(wgs84_to_gcj02(lat, lon), (lat, lon));
            assert_eq!(gcj02_to_wgs84(lat, lon), (lat, lon));
        }
    }

    #[test]
    fn parses_both_names_and_refuses_others() {
        assert_eq!(CoordSystem::parse("gcj02"), Ok(CoordSystem::Gcj02));
        assert_eq!(CoordSystem::parse("WGS84"), Ok(CoordSystem::Wgs84));
        assert_eq!(CoordSystem::default(), CoordSystem::Wgs84);
        let err = CoordSystem::parse("bd09").unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownCoordSystem);
        assert_eq!(CoordSystem::Wgs84.to_wgs84(31.3, 120.6), (31.3, 120.6));
        assert_eq!(CoordSystem::Wgs84.from_wgs84(31.3, 120.6), (31.3, 120.6));
    }
}
