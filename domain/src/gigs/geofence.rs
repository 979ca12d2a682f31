//! Check-in by location: the worker's reported position must fall inside the shift's
//! geofence (a circle around the workplace), and the fix must be good enough to say so.

use crate::types::GeoPoint;

/// Radius a business's shifts get when it has not chosen one.
pub const DEFAULT_RADIUS_M: i32 = 200;
/// The smallest and largest radius a merchant may choose.
pub const MIN_RADIUS_M: i32 = 50;
pub const MAX_RADIUS_M: i32 = 2_000;

/// What a position says about presence at the workplace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Presence {
    /// Inside, `distance_m` from the centre.
    Inside { distance_m: f64 },
    /// Outside, `distance_m` from the centre.
    Outside { distance_m: f64 },
    /// The fix's uncertainty is larger than the fence: it cannot tell inside from outside.
    TooInaccurate,
}

/// Whether `at`, reported with `accuracy_m` (the radius of the device's 68 % confidence
/// circle), is inside the fence of `radius_m` around `centre`. The position counts as it is
/// reported; a fix whose uncertainty exceeds the fence's radius is refused instead of
/// guessed at, so a coarse network fix far away cannot pass for presence.
pub fn presence(centre: GeoPoint, radius_m: i32, at: GeoPoint, accuracy_m: f64) -> Presence {
    let radius = f64::from(radius_m);
    if !accuracy_m.is_finite() || accuracy_m < 0.0 || accuracy_m > radius {
        return Presence::TooInaccurate;
    }
    let distance_m = centre.distance_m(at);
    if distance_m <= radius {
        Presence::Inside { distance_m }
    } else {
        Presence::Outside { distance_m }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::EARTH_RADIUS_M;

    /// A point `metres` due north of `p` (exact along a meridian).
    fn north(p: GeoPoint, metres: f64) -> GeoPoint {
        let dlat = (metres / EARTH_RADIUS_M).to_degrees();
        GeoPoint::new(p.lat() + dlat, p.lon()).unwrap()
    }

    #[test]
    fn the_edge_of_the_fence_is_inside_and_a_metre_beyond_is_not() {
        let shop = GeoPoint::new(31.3185, 120.6716).unwrap();
        assert!(matches!(
            presence(shop, 200, north(shop, 199.0), 10.0),
            Presence::Inside { distance_m } if (distance_m - 199.0).abs() < 0.01
        ));
        assert!(matches!(
            presence(shop, 200, north(shop, 201.0), 10.0),
            Presence::Outside { distance_m } if (distance_m - 201.0).abs() < 0.01
        ));
    }

    #[test]
    fn a_fix_coarser_than_the_fence_proves_nothing() {
        let shop = GeoPoint::new(31.3185, 120.6716).unwrap();
        assert_eq!(presence(shop, 200, shop, 250.0), Presence::TooInaccurate);
        assert_eq!(presence(shop, 200, shop, f64::NAN), Presence::TooInaccurate);
        assert_eq!(presence(shop, 200, shop, -1.0), Presence::TooInaccurate);
        assert!(matches!(
            presence(shop, 200, shop, 200.0),
            Presence::Inside { .. }
        ));
    }
}
