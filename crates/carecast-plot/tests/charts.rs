//! Integration tests: every chart kind renders to PNG and SVG with its text,
//! known data land at independently computed pixels, bad input never panics,
//! sizes parse, and writes are atomic.
//!
//! These tests do not judge appearance; the `samples` example is for that.

use std::path::Path;

use carecast_plot::*;

const BLUE: (u8, u8, u8) = (0, 114, 178);

fn text() -> ChartText {
    ChartText {
        title: "Test chart title".to_string(),
        subtitle: "Scenario base, data 2025".to_string(),
        x_title: "Year at 31 March".to_string(),
        y_title: "Children looked after (count)".to_string(),
        source_note: "Source: test data".to_string(),
    }
}

fn all_kinds() -> Vec<(&'static str, ValueFormat, ChartKind)> {
    vec![
        (
            "lines",
            ValueFormat::Count,
            ChartKind::Lines {
                series: vec![
                    Series::new(
                        "History",
                        vec![(2020, 80_000.0), (2021, 81_000.0), (2022, 81_770.0)],
                        LineStyle::Solid,
                    ),
                    Series::new("Projection", vec![(2022, 81_770.0), (2025, 85_000.0)], LineStyle::Dashed)
                        .with_colour(0),
                ],
                bands: vec![Band::new("p05-p95", vec![(2022, 81_770.0, 81_770.0), (2025, 82_000.0, 88_000.0)])],
            },
        ),
        (
            "stacked",
            ValueFormat::Percent,
            ChartKind::StackedArea {
                years: vec![2020, 2021, 2022],
                layers: vec![
                    ("Fostering".into(), vec![0.7, 0.68, 0.66]),
                    ("Residential".into(), vec![0.3, 0.32, 0.34]),
                ],
            },
        ),
        (
            "bars",
            ValueFormat::MoneyGbp,
            ChartKind::GroupedBars {
                categories: vec!["Fostering".into(), "Residential".into()],
                groups: vec![("Cash".into(), vec![1.2e9, 3.4e9]), ("Real".into(), vec![1.1e9, 3.0e9])],
            },
        ),
        (
            "waterfall",
            ValueFormat::MoneyGbp,
            ChartKind::Waterfall {
                start: ("2025".into(), 700e6),
                steps: vec![("Volume".into(), 60e6), ("Mix".into(), -20e6), ("Price".into(), 90e6)],
                end_label: "2030".into(),
            },
        ),
        (
            "tornado",
            ValueFormat::MoneyGbp,
            ChartKind::Tornado {
                base: 800e6,
                bars: vec![
                    TornadoBar {
                        label: "Price".into(),
                        low_value: 750e6,
                        high_value: 880e6,
                        low_label: "2%".into(),
                        high_label: "6%".into(),
                    },
                    TornadoBar {
                        label: "Entry rate".into(),
                        low_value: 790e6,
                        high_value: 815e6,
                        low_label: "-5%".into(),
                        high_label: "+5%".into(),
                    },
                ],
            },
        ),
    ]
}

/// The contents of every `<text>` element, trimmed.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|chunk| {
            let body = chunk.split_once('>')?.1;
            Some(body.split_once("</text>")?.0.trim().to_string())
        })
        .collect()
}

/// A decoded 8-bit RGB image (decoded with the `png` crate, independently of
/// the encoder's buffer).
struct RgbImage {
    width: u32,
    height: u32,
    rgb: Vec<u8>,
}

/// One pixel, as `image::Rgb` would give it.
struct Pixel([u8; 3]);

impl RgbImage {
    fn dimensions(&self) -> (u32, u32) {
        (self.width, self.height)
    }
    fn get_pixel(&self, x: u32, y: u32) -> Pixel {
        let i = 3 * (y as usize * self.width as usize + x as usize);
        Pixel([self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]])
    }
}

fn decode(png_bytes: &[u8]) -> RgbImage {
    let decoder = png::Decoder::new(png_bytes);
    let mut reader = decoder.read_info().expect("PNG header decodes");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG decodes");
    assert_eq!(info.bit_depth, png::BitDepth::Eight, "8-bit PNG");
    let channels = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected PNG colour type {other:?}"),
    };
    let rgb = buf[..info.buffer_size()].chunks_exact(channels).flat_map(|p| [p[0], p[1], p[2]]).collect();
    RgbImage { width: info.width, height: info.height, rgb }
}

fn non_white_pixels(img: &RgbImage, rect: &PixelRect) -> usize {
    let mut n = 0;
    for y in rect.top_px.ceil() as u32..rect.bottom_px.floor() as u32 {
        for x in rect.left_px.ceil() as u32..rect.right_px.floor() as u32 {
            if img.get_pixel(x, y).0 != [255, 255, 255] {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn every_kind_renders_png_and_svg_with_its_text() {
    for (name, format, kind) in all_kinds() {
        let chart = Chart::new(text(), format, kind).with_size((1200, 700));
        let svg = chart.to_svg().unwrap_or_else(|e| panic!("{name}: svg: {e}"));
        let texts = svg_texts(&svg);
        for wanted in ["Test chart title", "Year at 31 March", "Children looked after (count)", "Source: test data"] {
            assert!(texts.iter().any(|t| t == wanted), "{name}: SVG lacks <text> {wanted:?}; has {texts:?}");
        }
        let img = decode(&chart.to_png().unwrap_or_else(|e| panic!("{name}: png: {e}")));
        assert_eq!(img.dimensions(), (1200, 700), "{name}: PNG size");
        let layout = chart.layout().expect("layout");
        let area = (layout.plot.right_px - layout.plot.left_px) * (layout.plot.bottom_px - layout.plot.top_px);
        let inked = non_white_pixels(&img, &layout.plot);
        assert!(inked as f64 > area * 0.02, "{name}: plot area nearly blank ({inked} of {area} px inked)");
    }
}

#[test]
fn default_size_is_1600_by_900() {
    let (_, format, kind) = all_kinds().remove(0);
    let img = decode(&Chart::new(text(), format, kind).to_png().expect("png"));
    assert_eq!(img.dimensions(), (1600, 900));
}

fn known_line_chart() -> Chart {
    Chart::new(
        text(),
        ValueFormat::Count,
        ChartKind::Lines {
            series: vec![Series::new("Known", vec![(2020, 100.0), (2030, 200.0)], LineStyle::Solid)],
            bands: vec![],
        },
    )
}

#[test]
fn axis_ranges_are_the_known_nice_ranges() {
    let layout = known_line_chart().layout().expect("layout");
    // Years run edge to edge; 100..200 is already a whole number of 20s.
    assert_eq!(layout.x_range, (2020.0, 2030.0));
    assert_eq!(layout.y_range, (100.0, 200.0));
    let p = layout.plot;
    assert!(p.left_px > 0.0 && p.right_px < 1600.0 && p.left_px < p.right_px);
    assert!(p.top_px > 0.0 && p.bottom_px < 900.0 && p.top_px < p.bottom_px);
}

#[test]
fn known_point_lands_at_expected_png_pixel() {
    let chart = known_line_chart();
    let layout = chart.layout().expect("layout");
    let p = layout.plot;
    // Independent mapping: (2025, 150) is the middle of both ranges above.
    let x = p.left_px + (2025.0 - 2020.0) / 10.0 * (p.right_px - p.left_px);
    let y = p.bottom_px - (150.0 - 100.0) / 100.0 * (p.bottom_px - p.top_px);
    let img = decode(&chart.to_png().expect("png"));
    let near = |cx: f64, cy: f64| {
        (-3..=3).any(|dy| {
            (-3..=3).any(|dx| {
                let px = img.get_pixel((cx as i64 + dx) as u32, (cy as i64 + dy) as u32).0;
                px == [BLUE.0, BLUE.1, BLUE.2]
            })
        })
    };
    assert!(near(x, y), "series colour not found near ({x:.0}, {y:.0})");
    // And not somewhere the line is not: the top-left of the plot is empty.
    assert!(!near(p.left_px + 20.0, p.top_px + 20.0), "series colour where no data are");
}

#[test]
fn known_point_lands_at_expected_svg_coordinate() {
    let chart = known_line_chart();
    let layout = chart.layout().expect("layout");
    let p = layout.plot;
    let svg = chart.to_svg().expect("svg");
    // The series polyline starts at (2020, 100) = bottom-left, ends at (2030, 200) = top-right.
    let stroke = format!("stroke=\"#{:02X}{:02X}{:02X}\"", BLUE.0, BLUE.1, BLUE.2);
    let line = svg.lines().find(|l| l.starts_with("<polyline") && l.contains(&stroke)).expect("series polyline");
    let points: Vec<(f64, f64)> = line
        .split("points=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("points attribute")
        .split_whitespace()
        .filter_map(|xy| {
            let (x, y) = xy.split_once(',')?;
            Some((x.parse().ok()?, y.parse().ok()?))
        })
        .collect();
    assert_eq!(points.len(), 2);
    let close = |a: (f64, f64), b: (f64, f64)| (a.0 - b.0).abs() <= 1.0 && (a.1 - b.1).abs() <= 1.0;
    assert!(close(points[0], (p.left_px, p.bottom_px)), "{:?} vs {:?}", points[0], (p.left_px, p.bottom_px));
    assert!(close(points[1], (p.right_px, p.top_px)), "{:?} vs {:?}", points[1], (p.right_px, p.top_px));
}

#[test]
fn tornado_sorts_largest_swing_to_top() {
    let (_, format, kind) = all_kinds().remove(4);
    let chart = Chart::new(text(), format, kind);
    let svg = chart.to_svg().expect("svg");
    let texts = svg_texts(&svg);
    let pos = |label: &str| texts.iter().position(|t| t == label).expect(label);
    let layout = chart.layout().expect("layout");
    // Two bars: rows at y = 0 (bottom) and 1 (top); the x axis is value.
    assert_eq!(layout.y_range, (-0.5, 1.5));
    assert!(layout.x_range.0 < 750e6 && layout.x_range.1 > 880e6);
    // "Price" (swing 130m) is drawn in the top row, so its label comes second
    // in drawing order (rows are drawn bottom-up).
    assert!(pos("Price") > pos("Entry rate"));
}

#[test]
fn bad_or_awkward_data_never_panic() {
    let nan = f64::NAN;
    let cases: Vec<(&str, ValueFormat, ChartKind, bool)> = vec![
        ("no series", ValueFormat::Count, ChartKind::Lines { series: vec![], bands: vec![] }, true),
        (
            "empty series",
            ValueFormat::Count,
            ChartKind::Lines { series: vec![Series::new("x", vec![], LineStyle::Solid)], bands: vec![] },
            true,
        ),
        (
            "all NaN",
            ValueFormat::MoneyGbp,
            ChartKind::Lines {
                series: vec![Series::new("x", vec![(2020, nan), (2021, f64::INFINITY)], LineStyle::Dashed)],
                bands: vec![],
            },
            true,
        ),
        (
            "single point",
            ValueFormat::Count,
            ChartKind::Lines {
                series: vec![Series::new("x", vec![(2025, 81_770.0)], LineStyle::ProjectedFrom(2025))],
                bands: vec![],
            },
            true,
        ),
        (
            "gap in middle",
            ValueFormat::Count,
            ChartKind::Lines {
                series: vec![Series::new("x", vec![(2020, 1.0), (2021, nan), (2022, 3.0)], LineStyle::Solid)],
                bands: vec![Band::new("b", vec![(2020, nan, 2.0)])],
            },
            true,
        ),
        (
            "all zero",
            ValueFormat::Count,
            ChartKind::Lines {
                series: vec![Series::new("x", vec![(2020, 0.0), (2030, 0.0)], LineStyle::Solid)],
                bands: vec![],
            },
            true,
        ),
        (
            "negative",
            ValueFormat::MoneyGbp,
            ChartKind::Lines {
                series: vec![Series::new("x", vec![(2020, -5e6), (2030, -9e7)], LineStyle::Solid)],
                bands: vec![],
            },
            true,
        ),
        (
            "extreme years",
            ValueFormat::Number,
            ChartKind::Lines {
                series: vec![Series::new("x", vec![(i32::MIN, 1.0), (i32::MAX, -1.0)], LineStyle::Solid)],
                bands: vec![],
            },
            true,
        ),
        (
            "stack mismatched",
            ValueFormat::Count,
            ChartKind::StackedArea { years: vec![2020, 2021], layers: vec![("a".into(), vec![1.0])] },
            false,
        ),
        (
            "stack negative",
            ValueFormat::Count,
            ChartKind::StackedArea { years: vec![2020], layers: vec![("a".into(), vec![-1.0])] },
            false,
        ),
        ("stack empty", ValueFormat::Count, ChartKind::StackedArea { years: vec![], layers: vec![] }, true),
        (
            "stack NaN",
            ValueFormat::Count,
            ChartKind::StackedArea { years: vec![2021, 2020], layers: vec![("a".into(), vec![nan, 2.0])] },
            true,
        ),
        (
            "bars mismatched",
            ValueFormat::Count,
            ChartKind::GroupedBars { categories: vec!["a".into()], groups: vec![("g".into(), vec![])] },
            false,
        ),
        ("bars empty", ValueFormat::Count, ChartKind::GroupedBars { categories: vec![], groups: vec![] }, true),
        (
            "bars NaN and negative",
            ValueFormat::Percent,
            ChartKind::GroupedBars {
                categories: vec!["a".into(), "b".into()],
                groups: vec![("g".into(), vec![nan, -0.2])],
            },
            true,
        ),
        (
            "waterfall NaN",
            ValueFormat::MoneyGbp,
            ChartKind::Waterfall { start: ("s".into(), 1.0), steps: vec![("x".into(), nan)], end_label: "e".into() },
            false,
        ),
        (
            "waterfall no steps",
            ValueFormat::MoneyGbp,
            ChartKind::Waterfall { start: ("s".into(), 0.0), steps: vec![], end_label: "e".into() },
            true,
        ),
        (
            "waterfall below zero",
            ValueFormat::MoneyGbp,
            ChartKind::Waterfall {
                start: ("s".into(), 10e6),
                steps: vec![("cut".into(), -30e6)],
                end_label: "e".into(),
            },
            true,
        ),
        ("tornado empty", ValueFormat::MoneyGbp, ChartKind::Tornado { base: 1.0, bars: vec![] }, true),
        ("tornado NaN base", ValueFormat::MoneyGbp, ChartKind::Tornado { base: nan, bars: vec![] }, false),
        (
            "tornado no swing",
            ValueFormat::Count,
            ChartKind::Tornado {
                base: 5.0,
                bars: vec![TornadoBar {
                    label: "flat".into(),
                    low_value: 5.0,
                    high_value: 5.0,
                    low_label: String::new(),
                    high_label: String::new(),
                }],
            },
            true,
        ),
    ];
    // Absurd magnitudes need absurdly long tick labels: an error is fine, a panic is not.
    let huge = Chart::new(
        text(),
        ValueFormat::Number,
        ChartKind::Lines {
            series: vec![Series::new("x", vec![(2020, 1e300), (2021, -1e300)], LineStyle::Solid)],
            bands: vec![],
        },
    );
    assert!(matches!(huge.to_png(), Ok(_) | Err(PlotError::TooSmall { .. })));
    for (name, format, kind, should_render) in cases {
        let chart = Chart::new(text(), format, kind).with_size((400, 300));
        let svg = chart.to_svg();
        let png = chart.to_png();
        if should_render {
            let svg = svg.unwrap_or_else(|e| panic!("{name}: expected a chart, got {e}"));
            assert!(svg_texts(&svg).iter().any(|t| t == "Test chart title"), "{name}");
            assert_eq!(decode(&png.unwrap_or_else(|e| panic!("{name}: {e}"))).dimensions(), (400, 300));
        } else {
            assert!(matches!(svg, Err(PlotError::InvalidData(_))), "{name}: expected InvalidData, got {svg:?}");
            assert!(matches!(png, Err(PlotError::InvalidData(_))), "{name}");
        }
    }
}

#[test]
fn empty_chart_says_so() {
    let chart = Chart::new(text(), ValueFormat::Count, ChartKind::Lines { series: vec![], bands: vec![] });
    assert!(svg_texts(&chart.to_svg().expect("svg")).iter().any(|t| t == "No data to show"));
}

#[test]
fn sizes_parse_and_are_bounded() {
    assert_eq!(parse_size("1600x900").expect("ok"), (1600, 900));
    assert_eq!(parse_size(" 400 X 300 ").expect("ok"), (400, 300));
    assert_eq!(parse_size("6000×4000").expect("ok"), (6000, 4000));
    for bad in ["", "1600", "1600x", "x900", "399x300", "400x299", "6001x900", "1600x4001", "-1x5", "1.5x900", "axb"] {
        assert!(matches!(parse_size(bad), Err(PlotError::InvalidSize { .. })), "{bad:?} should be rejected");
    }
    let chart = known_line_chart().with_size((100, 100));
    assert!(matches!(chart.to_png(), Err(PlotError::InvalidSize { .. })));
}

#[test]
fn formats_parse() {
    assert_eq!(Formats::parse("png").expect("ok"), Formats::PNG);
    assert_eq!(Formats::parse("SVG").expect("ok"), Formats::SVG);
    assert_eq!(Formats::parse("png, svg").expect("ok"), Formats::BOTH);
    assert!(matches!(Formats::parse("pdf"), Err(PlotError::UnknownFormat(_))));
}

fn dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn fresh_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("carecast-plot-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

#[test]
fn write_is_atomic_and_leaves_no_temp_files() {
    let dir = fresh_dir("write");
    let chart = known_line_chart().with_size((800, 450));
    let written = chart.write(&dir.join("fig.1"), Formats::BOTH).expect("write");
    assert_eq!(written, vec![dir.join("fig.1.png"), dir.join("fig.1.svg")]);
    assert_eq!(dir_names(&dir), vec!["fig.1.png".to_string(), "fig.1.svg".to_string()]);
    assert_eq!(decode(&std::fs::read(dir.join("fig.1.png")).expect("read")).dimensions(), (800, 450));
    // Overwriting works and still leaves no temporary files.
    chart.write(&dir.join("fig.1"), Formats::PNG).expect("rewrite");
    assert_eq!(dir_names(&dir).len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn failed_writes_name_the_path_and_leave_nothing() {
    let dir = fresh_dir("fail");
    let missing = dir.join("no-such-dir").join("fig");
    let err = known_line_chart().write(&missing, Formats::PNG).expect_err("must fail");
    assert!(err.to_string().contains("no-such-dir"), "{err}");
    // Bad data fail before any file is created.
    let bad = Chart::new(
        text(),
        ValueFormat::Count,
        ChartKind::StackedArea { years: vec![1], layers: vec![("a".into(), vec![])] },
    );
    assert!(bad.write(&dir.join("bad"), Formats::BOTH).is_err());
    assert!(dir_names(&dir).is_empty(), "{:?}", dir_names(&dir));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn palette_is_okabe_ito() {
    let p = palette();
    // Okabe-Ito's eight, then two more so ten series never share a colour.
    assert_eq!(p.len(), 10);
    assert_eq!(p[0], (0, 114, 178));
    assert!(p.contains(&(230, 159, 0)) && p.contains(&(213, 94, 0)));
    for (i, a) in p.iter().enumerate() {
        assert!(!p[i + 1..].contains(a), "{a:?} repeats");
    }
}
