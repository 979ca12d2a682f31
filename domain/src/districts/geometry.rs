//! District boundaries: a closed ring of points, the test of whether a point lies inside,
//! and its area. Districts are a few kilometres across, so a local flat projection around
//! the ring is accurate to well under a metre.

use crate::ErrorCode;
use sea_orm::FromJsonQueryResult;
use serde::{Deserialize, Serialize};

use crate::types::{EARTH_RADIUS_M, GeoPoint};
use crate::{Invalid, ValidationErrors};

/// Most vertices a boundary may have (a hand-drawn district needs tens).
pub const MAX_VERTICES: usize = 500;

/// A boundary as stored: `[[lat, lon], …]`, not closed (the last point joins the first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJsonQueryResult)]
pub struct Ring(pub Vec<[f64; 2]>);

impl Ring {
    /// A validated ring: 3 to [`MAX_VERTICES`] valid points enclosing some area. A closing
    /// point equal to the first is dropped.
    pub fn parse(points: &[GeoPoint]) -> Result<Self, ValidationErrors> {
        let mut points: Vec<[f64; 2]> = points.iter().map(|p| [p.lat(), p.lon()]).collect();
        if points.len() > 1 && points.first() == points.last() {
            points.pop();
        }
        let invalid = |code, msg: &str| {
            Err(ValidationErrors::single(
                "boundary",
                Invalid::new(code, msg.to_owned()),
            ))
        };
        if points.len() < 3 {
            return invalid(
                ErrorCode::BoundaryTooShort,
                "a boundary needs at least three points",
            );
        }
        if points.len() > MAX_VERTICES {
            return invalid(
                ErrorCode::BoundaryTooLong,
                "a boundary has at most 500 points",
            );
        }
        let ring = Ring(points);
        // A crossing ring can have a signed area of zero (a bow tie): name the crossing first.
        if ring.self_intersects() {
            return invalid(
                ErrorCode::BoundaryCrossing,
                "the boundary crosses itself; list its points in order around the edge",
            );
        }
        if ring.area_m2() < 1.0 {
            return invalid(
                ErrorCode::BoundaryEmpty,
                "the boundary encloses no area (points in a line?)",
            );
        }
        Ok(ring)
    }

    /// Whether `point` lies inside (even-odd rule; a point exactly on an edge may fall
    /// either side, and belongs to whichever district claims it first).
    pub fn contains(&self, point: GeoPoint) -> bool {
        let (y, x) = (point.lat(), point.lon());
        let pts = &self.0;
        let mut inside = false;
        let mut j = pts.len() - 1;
        for i in 0..pts.len() {
            let (yi, xi) = (pts[i][0], pts[i][1]);
            let (yj, xj) = (pts[j][0], pts[j][1]);
            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                inside = !inside;
            }
            j = i;
        }
        inside
    }

    fn projected(&self) -> Vec<(f64, f64)> {
        let lat0 = self.0.iter().map(|p| p[0]).sum::<f64>() / self.0.len() as f64;
        let k = lat0.to_radians().cos();
        self.0
            .iter()
            .map(|p| {
                (
                    p[1].to_radians() * k * EARTH_RADIUS_M,
                    p[0].to_radians() * EARTH_RADIUS_M,
                )
            })
            .collect()
    }

    /// Area in square metres (shoelace formula on the local projection).
    pub fn area_m2(&self) -> f64 {
        let p = self.projected();
        let n = p.len();
        let twice: f64 = (0..n)
            .map(|i| {
                let (a, b) = (p[i], p[(i + 1) % n]);
                a.0 * b.1 - b.0 * a.1
            })
            .sum();
        twice.abs() / 2.0
    }

    /// The area-weighted centre, a good default for the district's map pin.
    pub fn centroid(&self) -> GeoPoint {
        let n = self.0.len() as f64;
        let lat = self.0.iter().map(|p| p[0]).sum::<f64>() / n;
        let lon = self.0.iter().map(|p| p[1]).sum::<f64>() / n;
        GeoPoint::new(lat, lon).expect("the mean of valid points is valid")
    }

    fn self_intersects(&self) -> bool {
        let p = self.projected();
        let n = p.len();
        let edge = |i: usize| (p[i], p[(i + 1) % n]);
        for i in 0..n {
            for j in i + 1..n {
                // Neighbouring edges share a vertex; that is not a crossing.
                if j == i + 1 || (i == 0 && j == n - 1) {
                    continue;
                }
                if segments_cross(edge(i), edge(j)) {
                    return true;
                }
            }
        }
        false
    }

    pub fn points(&self) -> impl Iterator<Item = GeoPoint> + '_ {
        self.0.iter().filter_map(|p| GeoPoint::new(p[0], p[1]).ok())
    }
}

type Segment = ((f64, f64), (f64, f64));

fn segments_cross((a, b): Segment, (c, d): Segment) -> bool {
    fn orient(p: (f64, f64), q: (f64, f64), r: (f64, f64)) -> f64 {
        (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)
    }
    let (o1, o2) = (orient(a, b, c), orient(a, b, d));
    let (o3, o4) = (orient(c, d, a), orient(c, d, b));
    o1 * o2 < 0.0 && o3 * o4 < 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon).unwrap()
    }

    fn square() -> Ring {
        Ring::parse(&[
            pt(31.0, 120.0),
            pt(31.0, 120.1),
            pt(31.1, 120.1),
            pt(31.1, 120.0),
        ])
        .unwrap()
    }

    #[test]
    fn contains_points_inside_only() {
        let ring = square();
        assert!(ring.contains(pt(31.05, 120.05)));
        assert!(!ring.contains(pt(31.15, 120.05)));
        assert!(!ring.contains(pt(31.05, 119.99)));
    }

    #[test]
    fn concave_rings_exclude_their_notch() {
        // A U shape: the notch in the middle is outside.
        let ring = Ring::parse(&[
            pt(31.0, 120.0),
            pt(31.0, 120.3),
            pt(31.3, 120.3),
            pt(31.3, 120.2),
            pt(31.1, 120.2),
            pt(31.1, 120.1),
            pt(31.3, 120.1),
            pt(31.3, 120.0),
        ])
        .unwrap();
        assert!(ring.contains(pt(31.2, 120.05)));
        assert!(!ring.contains(pt(31.2, 120.15)));
        assert!(ring.contains(pt(31.05, 120.15)));
    }

    #[test]
    fn area_of_a_known_square() {
        // 0.1° of latitude is about 11.1 km; of longitude at 31°N about 9.5 km.
        let area = square().area_m2();
        assert!((area / 1e6 - 105.9).abs() < 1.0, "{area}");
    }

    #[test]
    fn refuses_degenerate_and_crossing_rings() {
        let line = Ring::parse(&[pt(31.0, 120.0), pt(31.1, 120.1), pt(31.2, 120.2)]);
        assert!(line.is_err());
        let bow = Ring::parse(&[
            pt(31.0, 120.0),
            pt(31.1, 120.1),
            pt(31.1, 120.0),
            pt(31.0, 120.1),
        ]);
        assert!(bow.is_err());
        let short = Ring::parse(&[pt(31.0, 120.0), pt(31.1, 120.1)]);
        assert!(short.is_err());
    }

    #[test]
    fn a_closing_point_is_dropped() {
        let ring = Ring::parse(&[
            pt(31.0, 120.0),
            pt(31.0, 120.1),
            pt(31.1, 120.1),
            pt(31.0, 120.0),
        ])
        .unwrap();
        assert_eq!(ring.0.len(), 3);
    }
}
