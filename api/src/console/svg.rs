//! Drawings made on the server as SVG text: a district's map, a line chart by week and a
//! bar chart by category. Every text put in a drawing is escaped here, so the result may be
//! placed in a page with [`super::layout::trusted`].
//!
//! Charts carry their scale on the plot (`data-y0`, `data-height`, `data-max` or the `x`
//! equivalents), so a test can read a point or a bar back into the number it was drawn
//! from; each mark also has a `<title>` tooltip with its number.

use std::fmt::Write;

use doorstep_domain::html::escape;

/// A drawing's width in SVG units; the page scales it to the column.
const WIDTH: f64 = 800.0;

/// A number as drawn in coordinates: one decimal is finer than a screen pixel here.
fn n(v: f64) -> String {
    format!("{v:.1}")
}

/// A count or amount as a label: no trailing `.0`.
pub fn label(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        let text = format!("{v:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// The smallest of 1, 2, 4, 5 × 10ⁿ at or above `v` (at least 1): the top of an axis that
/// reads in round steps ([`ticks`]).
pub fn nice_max(v: f64) -> f64 {
    if !v.is_finite() || v <= 1.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 4.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|candidate| *candidate >= v)
        .unwrap_or(10.0 * magnitude)
}

/// The axis marks from 0 to `max` (a [`nice_max`]): whole steps of 1, 2 or 5 × 10ⁿ,
/// at most five of them, since what is drawn is counted.
pub fn ticks(max: f64) -> Vec<f64> {
    let mut unit = 1.0;
    loop {
        for step in [unit, 2.0 * unit, 5.0 * unit] {
            let marks = max / step;
            if marks <= 5.0 && (marks - marks.round()).abs() < 1e-9 {
                return (0..=marks.round() as usize)
                    .map(|i| step * i as f64)
                    .collect();
            }
        }
        unit *= 10.0;
        if unit > max * 10.0 {
            return vec![0.0, max];
        }
    }
}

// ---- The map ----

/// Which kind of point: its style (a CSS class of the console's stylesheet) and legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// A circle.
    Business,
    /// A square.
    Station,
    /// A triangle.
    Report,
}

impl Marker {
    pub fn class(self) -> &'static str {
        match self {
            Marker::Business => "business",
            Marker::Station => "station",
            Marker::Report => "report",
        }
    }

    fn shape(self, x: f64, y: f64, class: &str, tooltip: &str) -> String {
        let title = escape(tooltip);
        match self {
            Marker::Business => format!(
                r#"<circle class="{class}" cx="{}" cy="{}" r="8"><title>{title}</title></circle>"#,
                n(x),
                n(y)
            ),
            Marker::Station => format!(
                r#"<rect class="{class}" x="{}" y="{}" width="15" height="15"><title>{title}</title></rect>"#,
                n(x - 7.5),
                n(y - 7.5)
            ),
            Marker::Report => format!(
                r#"<polygon class="{class}" points="{},{} {},{} {},{}"><title>{title}</title></polygon>"#,
                n(x),
                n(y - 10.0),
                n(x + 9.0),
                n(y + 7.0),
                n(x - 9.0),
                n(y + 7.0)
            ),
        }
    }
}

/// A point on the map with its tooltip (plain text; escaped when drawn).
#[derive(Debug, Clone)]
pub struct MapPoint {
    pub lat: f64,
    pub lon: f64,
    pub tooltip: String,
}

/// The points of one kind, with the legend's words for them.
#[derive(Debug, Clone)]
pub struct MapLayer {
    pub marker: Marker,
    pub legend: String,
    pub points: Vec<MapPoint>,
}

/// Longitude and latitude to the drawing: an equirectangular projection with longitude
/// scaled by the cosine of the middle latitude (a district is a few kilometres across, so
/// this keeps its shape), fitted into the box with the aspect kept and centred.
pub struct Projection {
    min_lon: f64,
    max_lat: f64,
    k: f64,
    scale: f64,
    dx: f64,
    dy: f64,
}

impl Projection {
    /// Fits the points `(lat, lon)` into `width` × `height` inside a margin of `pad`.
    pub fn fit(points: &[(f64, f64)], width: f64, height: f64, pad: f64) -> Projection {
        let (mut min_lat, mut max_lat) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut min_lon, mut max_lon) = (f64::INFINITY, f64::NEG_INFINITY);
        for &(lat, lon) in points {
            min_lat = min_lat.min(lat);
            max_lat = max_lat.max(lat);
            min_lon = min_lon.min(lon);
            max_lon = max_lon.max(lon);
        }
        if points.is_empty() {
            (min_lat, max_lat, min_lon, max_lon) = (0.0, 0.0, 0.0, 0.0);
        }
        let k = ((min_lat + max_lat) / 2.0).to_radians().cos();
        // A degenerate extent (one point) is drawn at the centre.
        let span_x = ((max_lon - min_lon) * k).max(1e-9);
        let span_y = (max_lat - min_lat).max(1e-9);
        let scale = ((width - 2.0 * pad) / span_x).min((height - 2.0 * pad) / span_y);
        Projection {
            min_lon,
            max_lat,
            k,
            scale,
            dx: pad + ((width - 2.0 * pad) - span_x * scale) / 2.0,
            dy: pad + ((height - 2.0 * pad) - span_y * scale) / 2.0,
        }
    }

    /// `(x, y)` in the drawing of a point.
    pub fn at(&self, lat: f64, lon: f64) -> (f64, f64) {
        (
            self.dx + (lon - self.min_lon) * self.k * self.scale,
            self.dy + (self.max_lat - lat) * self.scale,
        )
    }
}

/// A district's map: its boundary (`[lat, lon]` ring) filled, each layer's points in its
/// style with a tooltip, and a legend with the count of each kind.
pub fn district_map(id: &str, title: &str, boundary: &[[f64; 2]], layers: &[MapLayer]) -> String {
    const MAP_HEIGHT: f64 = 560.0;
    const LEGEND: f64 = 40.0;
    let mut extent: Vec<(f64, f64)> = boundary.iter().map(|p| (p[0], p[1])).collect();
    for layer in layers {
        extent.extend(layer.points.iter().map(|p| (p.lat, p.lon)));
    }
    let projection = Projection::fit(&extent, WIDTH, MAP_HEIGHT, 24.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="district-map" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-title"><title id="{id}-title">{title}</title>"#,
        w = WIDTH,
        h = MAP_HEIGHT + LEGEND,
        title = escape(title),
    );
    let ring: Vec<String> = boundary
        .iter()
        .map(|p| {
            let (x, y) = projection.at(p[0], p[1]);
            format!("{},{}", n(x), n(y))
        })
        .collect();
    let _ = write!(
        svg,
        r#"<polygon class="boundary" points="{}"/>"#,
        ring.join(" ")
    );
    for layer in layers {
        let class = layer.marker.class();
        let _ = write!(svg, r#"<g class="layer {class}">"#);
        for p in &layer.points {
            let (x, y) = projection.at(p.lat, p.lon);
            svg.push_str(&layer.marker.shape(x, y, &format!("pt {class}"), &p.tooltip));
        }
        svg.push_str("</g>");
    }
    // The legend, along the bottom.
    let _ = write!(
        svg,
        r#"<g class="legend" transform="translate(16,{})">"#,
        n(MAP_HEIGHT + 10.0)
    );
    let mut x = 0.0;
    for layer in layers {
        let text = format!("{}（{}）", layer.legend, layer.points.len());
        svg.push_str(&layer.marker.shape(
            x + 8.0,
            9.0,
            &format!("key {}", layer.marker.class()),
            &text,
        ));
        let _ = write!(
            svg,
            r#"<text x="{}" y="19">{}</text>"#,
            n(x + 26.0),
            escape(&text)
        );
        x += 44.0 + 20.0 * text.chars().count() as f64;
    }
    svg.push_str("</g></svg>");
    svg
}

// ---- Charts ----

/// One series of a chart: its name (legend and tooltips) and one value per week or
/// category.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

const PALETTE: usize = 4;

fn legend(svg: &mut String, series: &[Series], y: f64) {
    let mut x = 56.0;
    for (i, s) in series.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<rect class="swatch s{}" x="{}" y="{}" width="12" height="12"/><text x="{}" y="{}">{}</text>"#,
            i % PALETTE,
            n(x),
            n(y - 10.0),
            n(x + 16.0),
            n(y),
            escape(&s.name)
        );
        x += 30.0 + 17.0 * s.name.chars().count() as f64;
    }
}

/// A line chart: one line per series across `x_labels` (weeks), a y axis from 0 in round
/// steps, each point a dot with its number as a tooltip.
pub fn line_chart(id: &str, title: &str, x_labels: &[String], series: &[Series]) -> String {
    const HEIGHT: f64 = 320.0;
    let (left, right, top, bottom) = (56.0, 32.0, 36.0, 44.0);
    let plot_w = WIDTH - left - right;
    let plot_h = HEIGHT - top - bottom;
    let y0 = top + plot_h;
    let max = nice_max(
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold(0.0, f64::max),
    );
    let step = if x_labels.len() > 1 {
        plot_w / (x_labels.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| {
        if x_labels.len() > 1 {
            left + step * i as f64
        } else {
            left + plot_w / 2.0
        }
    };
    let y_of = |v: f64| y0 - v / max * plot_h;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart line-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title"><title id="{id}-title">{}</title>"#,
        escape(title)
    );
    legend(&mut svg, series, 20.0);
    let _ = write!(
        svg,
        r#"<g class="plot" data-y0="{}" data-height="{}" data-max="{}">"#,
        n(y0),
        n(plot_h),
        label(max)
    );
    for v in ticks(max) {
        let y = y_of(v);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{}" y1="{y}" x2="{}" y2="{y}"/><text class="tick" x="{}" y="{}" text-anchor="end">{}</text>"#,
            n(left),
            n(left + plot_w),
            n(left - 6.0),
            n(y + 4.0),
            label(v),
            y = n(y),
        );
    }
    // Week labels: every one when they fit, else every second or fourth.
    let every = (x_labels.len() / 13).max(1).next_power_of_two();
    for (i, text) in x_labels.iter().enumerate() {
        if i % every == 0 {
            let _ = write!(
                svg,
                r#"<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>"#,
                n(x_of(i)),
                n(y0 + 18.0),
                escape(text)
            );
        }
    }
    for (si, s) in series.iter().enumerate() {
        let class = format!("s{}", si % PALETTE);
        let points: Vec<String> = s
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{},{}", n(x_of(i)), n(y_of(*v))))
            .collect();
        let _ = write!(
            svg,
            r#"<g class="series {class}" data-series="{}"><polyline class="line" points="{}"/>"#,
            escape(&s.name),
            points.join(" ")
        );
        for (i, v) in s.values.iter().enumerate() {
            let week = x_labels.get(i).map(String::as_str).unwrap_or_default();
            let _ = write!(
                svg,
                r#"<circle class="dot" cx="{}" cy="{}" r="3.5"><title>{}：{} {}</title></circle>"#,
                n(x_of(i)),
                n(y_of(*v)),
                escape(week),
                escape(&s.name),
                label(*v)
            );
        }
        svg.push_str("</g>");
    }
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{l}" y1="{y}" x2="{r}" y2="{y}"/></g></svg>"#,
        l = n(left),
        r = n(left + plot_w),
        y = n(y0)
    );
    svg
}

/// Horizontal bars: a row per category, one bar per series in each row, lengths from 0 in
/// round steps, each bar's number written at its end and in its tooltip.
pub fn bar_chart(id: &str, title: &str, categories: &[String], series: &[Series]) -> String {
    let (left, right, top) = (150.0, 56.0, 36.0);
    let bar = 14.0;
    let row = bar * series.len().max(1) as f64 + 12.0;
    let height = top + row * categories.len().max(1) as f64 + 28.0;
    let plot_w = WIDTH - left - right;
    let max = nice_max(
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold(0.0, f64::max),
    );
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" viewBox="0 0 {WIDTH} {}" role="img" aria-labelledby="{id}-title"><title id="{id}-title">{}</title>"#,
        n(height),
        escape(title)
    );
    legend(&mut svg, series, 20.0);
    let _ = write!(
        svg,
        r#"<g class="plot" data-x0="{}" data-width="{}" data-max="{}">"#,
        n(left),
        n(plot_w),
        label(max)
    );
    let bottom = top + row * categories.len().max(1) as f64;
    for v in ticks(max) {
        let x = left + v / max * plot_w;
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{x}" y1="{}" x2="{x}" y2="{}"/><text class="tick" x="{x}" y="{}" text-anchor="middle">{}</text>"#,
            n(top),
            n(bottom),
            n(bottom + 16.0),
            label(v),
            x = n(x),
        );
    }
    for (ci, category) in categories.iter().enumerate() {
        let y = top + row * ci as f64 + 6.0;
        let _ = write!(
            svg,
            r#"<text class="category" x="{}" y="{}" text-anchor="end">{}</text>"#,
            n(left - 8.0),
            n(y + row / 2.0),
            escape(category)
        );
        for (si, s) in series.iter().enumerate() {
            let v = s.values.get(ci).copied().unwrap_or(0.0);
            let by = y + bar * si as f64;
            let w = v / max * plot_w;
            let _ = write!(
                svg,
                r#"<rect class="bar s{}" data-series="{}" x="{}" y="{}" width="{}" height="{}"><title>{}：{} {}</title></rect><text class="value" x="{}" y="{}">{}</text>"#,
                si % PALETTE,
                escape(&s.name),
                n(left),
                n(by),
                n(w),
                n(bar - 2.0),
                escape(category),
                escape(&s.name),
                label(v),
                n(left + w + 4.0),
                n(by + bar - 4.0),
                label(v)
            );
        }
    }
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{x}" y1="{}" x2="{x}" y2="{}"/></g></svg>"#,
        n(top),
        n(bottom),
        x = n(left)
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of attribute `name` in the tag starting at `tag`.
    fn attr(tag: &str, name: &str) -> f64 {
        let marker = format!(r#" {name}=""#);
        let start = tag.find(&marker).unwrap() + marker.len();
        let end = tag[start..].find('"').unwrap() + start;
        tag[start..end].parse().unwrap()
    }

    fn tags<'a>(svg: &'a str, open: &str) -> Vec<&'a str> {
        svg.match_indices(open)
            .map(|(i, _)| &svg[i..i + svg[i..].find('>').unwrap()])
            .collect()
    }

    #[test]
    fn round_axes() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(3.0), 4.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(12.0), 20.0);
        assert_eq!(nice_max(250.0), 400.0);
        assert_eq!(ticks(2.0), [0.0, 1.0, 2.0]);
        assert_eq!(ticks(10.0), [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(ticks(40.0), [0.0, 10.0, 20.0, 30.0, 40.0]);
        assert_eq!(ticks(5.0).len(), 6);
        assert_eq!(label(3.0), "3");
        assert_eq!(label(0.25), "0.25");
    }

    #[test]
    fn the_dots_read_back_as_the_numbers() {
        let weeks: Vec<String> = ["11-02", "11-09", "11-16"].map(String::from).to_vec();
        let values = vec![3.0, 0.0, 7.0];
        let svg = line_chart(
            "t",
            "每周",
            &weeks,
            &[Series {
                name: "新发布".into(),
                values: values.clone(),
            }],
        );
        let plot = tags(&svg, r#"<g class="plot""#)[0];
        let (y0, h, max) = (
            attr(plot, "data-y0"),
            attr(plot, "data-height"),
            attr(plot, "data-max"),
        );
        let read: Vec<f64> = tags(&svg, "<circle class=\"dot\"")
            .into_iter()
            .map(|dot| ((y0 - attr(dot, "cy")) / h * max * 10.0).round() / 10.0)
            .collect();
        assert_eq!(read, values);
    }

    #[test]
    fn the_bars_read_back_as_the_numbers() {
        let categories: Vec<String> = ["咖啡茶饮", "零售导购"].map(String::from).to_vec();
        let svg = bar_chart(
            "t",
            "类别",
            &categories,
            &[
                Series {
                    name: "新发布".into(),
                    values: vec![5.0, 2.0],
                },
                Series {
                    name: "录用".into(),
                    values: vec![1.0, 0.0],
                },
            ],
        );
        let plot = tags(&svg, r#"<g class="plot""#)[0];
        let (w, max) = (attr(plot, "data-width"), attr(plot, "data-max"));
        let read: Vec<f64> = tags(&svg, "<rect class=\"bar")
            .into_iter()
            .map(|bar| (attr(bar, "width") / w * max * 10.0).round() / 10.0)
            .collect();
        assert_eq!(read, [5.0, 1.0, 2.0, 0.0]);
    }

    #[test]
    fn the_map_keeps_its_shape_and_escapes_names() {
        // 0.04° of latitude by 0.05° of longitude at 31.32°N: about 4.4 km by 4.7 km.
        let ring = [
            [31.30, 120.65],
            [31.30, 120.70],
            [31.34, 120.70],
            [31.34, 120.65],
        ];
        let svg = district_map(
            "m",
            "园区",
            &ring,
            &[MapLayer {
                marker: Marker::Business,
                legend: "商户".into(),
                points: vec![MapPoint {
                    lat: 31.32,
                    lon: 120.675,
                    tooltip: "<script>x</script>".into(),
                }],
            }],
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;x&lt;/script&gt;"));
        let projection = Projection::fit(&ring.map(|p| (p[0], p[1])), WIDTH, 560.0, 24.0);
        let (x0, y0) = projection.at(31.30, 120.65);
        let (x1, y1) = projection.at(31.34, 120.70);
        let aspect = (x1 - x0) / (y0 - y1);
        let expected = 0.05 * 31.32f64.to_radians().cos() / 0.04;
        assert!((aspect - expected).abs() < 1e-3, "{aspect} vs {expected}");
        assert_eq!(tags(&svg, r#"<circle class="pt business""#).len(), 1);
    }
}
