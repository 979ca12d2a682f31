use crate::ErrorCode;
use crate::Invalid;

/// A point on Earth in WGS-84 degrees, range-checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeoPoint {
    lat: f64,
    lon: f64,
}

/// Mean Earth radius used for great-circle distances, in metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> Result<Self, Invalid> {
        if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
            return Err(Invalid::new(
                ErrorCode::OutOfRange,
                "latitude must be between -90 and 90",
            ));
        }
        if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
            return Err(Invalid::new(
                ErrorCode::OutOfRange,
                "longitude must be between -180 and 180",
            ));
        }
        Ok(Self { lat, lon })
    }

    pub fn lat(self) -> f64 {
        self.lat
    }

    pub fn lon(self) -> f64 {
        self.lon
    }

    /// Great-circle distance in metres (haversine).
    pub fn distance_m(self, other: GeoPoint) -> f64 {
        let (phi1, phi2) = (self.lat.to_radians(), other.lat.to_radians());
        let dphi = phi2 - phi1;
        let dlambda = (other.lon - self.lon).to_radians();
        let a =
            (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_checked() {
        assert!(GeoPoint::new(31.3, 120.6).is_ok());
        assert!(GeoPoint::new(90.1, 0.0).is_err());
        assert!(GeoPoint::new(0.0, -180.5).is_err());
        assert!(GeoPoint::new(f64::NAN, 0.0).is_err());
    }

    #[test]
    fn distances_match_known_values() {
        // Two points in Suzhou about 5.9 km apart (checked with an independent haversine).
        let sip = GeoPoint::new(31.3185, 120.6716).unwrap();
        let station = GeoPoint::new(31.3304, 120.6107).unwrap();
        let d = sip.distance_m(station);
        assert!((5_500.0..6_200.0).contains(&d), "{d}");
        // One degree of latitude is about 111.2 km everywhere.
        let a = GeoPoint::new(30.0, 120.0).unwrap();
        let b = GeoPoint::new(31.0, 120.0).unwrap();
        assert!((a.distance_m(b) - 111_195.0).abs() < 50.0);
        assert_eq!(a.distance_m(a), 0.0);
    }
}
