//! Lays a [`Chart`] out into a backend-neutral [`Scene`]: validates and cleans
//! the data, chooses axis ranges and ticks, places the text blocks, legend and
//! plot area, and turns each chart kind into shapes.
//!
//! This file does not talk to plotters backends or files (see `scene.rs` and
//! `output.rs`), and never panics on data: bad data is an error or a gap.

use crate::format::{TickFormatter, value_label};
use crate::scene::{Align, Scene, Shape};
use crate::style::{
    self, AXIS, DECREASE, GRID, HIGH_CASE, INCREASE, LOW_CASE, MUTED_TEXT, Rgb, TEXT, TOTAL, Theme, series_colour,
    text_width, tint, wrap,
};
use crate::{Chart, ChartKind, Layout, LineStyle, PixelRect, PlotError, ValueFormat};

/// Ticks aimed for on a value axis.
const TARGET_TICKS: f64 = 6.0;
/// Bars carry value labels beyond their ends: leave this much extra range.
const LABEL_HEADROOM: f64 = 1.07;
/// Most ticks any axis may have (guards against absurd ranges).
const MAX_TICKS: f64 = 200.0;
/// Fraction of a text size from its top to the visual middle of capitals.
const CAP_MIDDLE: f64 = 0.325;

/// A continuous value axis: range, tick values and their formatter.
#[derive(Debug, Clone)]
struct ValueAxis {
    min: f64,
    max: f64,
    ticks: Vec<f64>,
    fmt: TickFormatter,
}

impl ValueAxis {
    fn labels(&self) -> Vec<(f64, String)> {
        self.ticks.iter().map(|&t| (t, self.fmt.tick(t))).collect()
    }
}

fn nice_step(span: f64, target: f64) -> f64 {
    let raw = span / target;
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    let frac = raw / mag;
    let nice = if frac <= 1.0 {
        1.0
    } else if frac <= 2.0 {
        2.0
    } else if frac <= 2.5 {
        2.5
    } else if frac <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * mag
}

/// A finite, non-empty extent; equal ends are widened.
fn sane_extent(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    let (lo, hi) = if hi < lo { (hi, lo) } else { (lo, hi) };
    if hi - lo > hi.abs().max(lo.abs()) * 1e-12 {
        (lo, hi)
    } else if lo == 0.0 {
        (0.0, 1.0)
    } else {
        let d = lo.abs() * 0.1;
        (lo - d, hi + d)
    }
}

/// An axis whose ends are widened to whole ticks.
fn nice_axis(lo: f64, hi: f64, format: ValueFormat) -> ValueAxis {
    let (lo, hi) = sane_extent(lo, hi);
    let mut step = nice_step(hi - lo, TARGET_TICKS);
    if format == ValueFormat::Count && step < 1.0 {
        step = 1.0;
    }
    let mut k0 = (lo / step).floor();
    let mut k1 = (hi / step).ceil();
    if k1 - k0 > MAX_TICKS || !(k0.is_finite() && k1.is_finite()) {
        k0 = 0.0;
        k1 = 1.0;
        step = 1.0;
    }
    if k1 <= k0 {
        k1 = k0 + 1.0;
    }
    let n = (k1 - k0) as usize;
    let ticks: Vec<f64> = (0..=n).map(|i| clean_zero((k0 + i as f64) * step, step)).collect();
    let (min, max) = (k0 * step, k1 * step);
    ValueAxis { min, max, ticks, fmt: TickFormatter::new(format, min.abs().max(max.abs()), step) }
}

/// An axis with exactly these ends and whole ticks inside them.
fn inside_axis(min: f64, max: f64, format: ValueFormat, target: f64) -> ValueAxis {
    let (min, max) = sane_extent(min, max);
    let step = nice_step(max - min, target.max(2.0));
    let k0 = (min / step).ceil();
    let k1 = (max / step).floor();
    let ticks: Vec<f64> = if k1 >= k0 && k1 - k0 <= MAX_TICKS {
        (0..=((k1 - k0) as usize)).map(|i| clean_zero((k0 + i as f64) * step, step)).collect()
    } else {
        Vec::new()
    };
    ValueAxis { min, max, ticks, fmt: TickFormatter::new(format, min.abs().max(max.abs()), step) }
}

fn clean_zero(v: f64, step: f64) -> f64 {
    if v.abs() < step * 1e-9 { 0.0 } else { v }
}

/// Year ticks on [lo, hi] spaced so labels of `label_w` px fit in `plot_w` px.
fn year_ticks(lo: i64, hi: i64, plot_w: f64, label_w: f64) -> Vec<i64> {
    let max_n = (plot_w / (label_w * 1.8).max(1.0)).floor().max(2.0) as i64;
    let mut step: i64 = 1;
    for _ in 0..12 {
        for m in [1, 2, 5] {
            let s = step.saturating_mul(m);
            let first = lo.div_euclid(s) + i64::from(lo.rem_euclid(s) != 0);
            let last = hi.div_euclid(s);
            if last < first {
                break;
            }
            if last - first < max_n {
                return (first..=last).map(|k| k * s).collect();
            }
        }
        step = step.saturating_mul(10);
    }
    vec![lo, hi]
}

/// How a legend key is drawn.
#[derive(Debug, Clone, Copy)]
enum Swatch {
    Line { colour: Rgb, dashed: bool },
    Block(Rgb),
}

#[derive(Debug, Clone)]
struct LegendEntry {
    swatch: Swatch,
    label: String,
}

/// A cleaned line: colour, style, and finite points sorted by year.
#[derive(Debug, Clone)]
struct Line {
    colour: Rgb,
    style: LineStyle,
    points: Vec<(f64, f64)>,
}

#[derive(Debug, Clone)]
struct Area {
    colour: Rgb,
    /// (year, low, high); non-finite points split the area.
    points: Vec<(f64, f64, f64)>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum StepKind {
    Total,
    Up,
    Down,
}

#[derive(Debug, Clone)]
struct WaterBar {
    bottom: f64,
    top: f64,
    kind: StepKind,
    label: String,
}

#[derive(Debug, Clone)]
struct TornadoRow {
    low: f64,
    high: f64,
    low_text: String,
    high_text: String,
}

/// The cleaned data of one chart, ready to draw.
#[derive(Debug, Clone)]
enum Data {
    Lines { lines: Vec<Line>, bands: Vec<Area> },
    Stacked { layers: Vec<Area> },
    Bars { groups: Vec<(Rgb, Vec<f64>)> },
    Waterfall { bars: Vec<WaterBar> },
    Tornado { base: f64, rows: Vec<TornadoRow> },
}

/// The horizontal axis.
#[derive(Debug, Clone)]
enum XSpec {
    Years {
        lo: i64,
        hi: i64,
    },
    Categories(Vec<String>),
    /// Tornado value axis, ranged after layout from the label widths.
    TornadoValues,
}

/// The vertical axis.
#[derive(Debug, Clone)]
enum YSpec {
    Values(ValueAxis),
    Categories(Vec<String>),
}

struct Plan {
    data: Data,
    x: XSpec,
    y: YSpec,
    legend: Vec<LegendEntry>,
    empty: bool,
}

fn finite_extent(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

fn invalid(msg: impl Into<String>) -> PlotError {
    PlotError::InvalidData(msg.into())
}

fn plan(chart: &Chart) -> Result<Plan, PlotError> {
    let format = chart.format;
    match &chart.kind {
        ChartKind::Lines { series, bands } => {
            let mut legend = Vec::new();
            let mut lines = Vec::new();
            let mut seen: Vec<(String, Rgb, bool)> = Vec::new();
            let mut any_split = false;
            for (i, s) in series.iter().enumerate() {
                let colour = series_colour(s.colour.unwrap_or(i));
                let mut points: Vec<(f64, f64)> = s.points.iter().map(|&(y, v)| (f64::from(y), v)).collect();
                points.sort_by(|a, b| a.0.total_cmp(&b.0));
                let dashed = s.style == LineStyle::Dashed;
                any_split |= matches!(s.style, LineStyle::ProjectedFrom(_));
                let key = (s.label.clone(), colour, dashed);
                if !s.label.is_empty() && !seen.contains(&key) {
                    seen.push(key);
                    legend.push(LegendEntry { swatch: Swatch::Line { colour, dashed }, label: s.label.clone() });
                }
                lines.push(Line { colour, style: s.style, points });
            }
            if any_split {
                legend.push(LegendEntry {
                    swatch: Swatch::Line { colour: MUTED_TEXT, dashed: true },
                    label: "Projection (dashed)".to_string(),
                });
            }
            let mut areas: Vec<(f64, Area, String)> = bands
                .iter()
                .map(|b| {
                    let mut points: Vec<(f64, f64, f64)> =
                        b.points.iter().map(|&(y, lo, hi)| (f64::from(y), lo.min(hi), lo.max(hi))).collect();
                    points.sort_by(|a, c| a.0.total_cmp(&c.0));
                    let widths: Vec<f64> = points.iter().map(|p| p.2 - p.1).filter(|w| w.is_finite()).collect();
                    let mean = if widths.is_empty() { 0.0 } else { widths.iter().sum::<f64>() / widths.len() as f64 };
                    let colour = series_colour(b.colour.unwrap_or(0));
                    (mean, Area { colour, points }, b.label.clone())
                })
                .collect();
            // Widest first: drawn underneath and lightest.
            areas.sort_by(|a, b| b.0.total_cmp(&a.0));
            let n = areas.len();
            let mut band_areas = Vec::new();
            for (rank, (_, mut area, label)) in areas.into_iter().enumerate() {
                let amount = if n <= 1 { 0.72 } else { 0.82 - 0.27 * rank as f64 / (n - 1) as f64 };
                area.colour = tint(area.colour, amount);
                if !label.is_empty() {
                    legend.push(LegendEntry { swatch: Swatch::Block(area.colour), label });
                }
                band_areas.push(area);
            }
            let values = lines.iter().flat_map(|l| l.points.iter().filter(|p| p.1.is_finite()).map(|p| p.1)).chain(
                band_areas.iter().flat_map(|a| {
                    a.points.iter().filter(|p| p.1.is_finite() && p.2.is_finite()).flat_map(|p| [p.1, p.2])
                }),
            );
            let extent = finite_extent(values);
            let years = lines.iter().flat_map(|l| l.points.iter().filter(|p| p.1.is_finite()).map(|p| p.0)).chain(
                band_areas
                    .iter()
                    .flat_map(|a| a.points.iter().filter(|p| p.1.is_finite() && p.2.is_finite()).map(|p| p.0)),
            );
            let year_extent = finite_extent(years);
            let empty = extent.is_none();
            let (lo, hi) = extent.unwrap_or((0.0, 1.0));
            // Lines need not start at zero, but do when the data sit near it.
            let lo = if lo >= 0.0 && lo <= 0.3 * hi { 0.0 } else { lo };
            Ok(Plan {
                data: Data::Lines { lines, bands: band_areas },
                x: years_spec(year_extent),
                y: YSpec::Values(nice_axis(lo, hi, format)),
                legend,
                empty,
            })
        }
        ChartKind::StackedArea { years, layers } => {
            for (label, values) in layers {
                if values.len() != years.len() {
                    return Err(invalid(format!(
                        "stacked layer {label:?} has {} values for {} years",
                        values.len(),
                        years.len()
                    )));
                }
                if let Some(v) = values.iter().find(|v| v.is_finite() && **v < 0.0) {
                    return Err(invalid(format!(
                        "stacked layer {label:?} has a negative value ({v}); stack only non-negative parts"
                    )));
                }
            }
            let mut order: Vec<usize> = (0..years.len()).collect();
            order.sort_by_key(|&i| years.get(i).copied().unwrap_or(0));
            let mut cum = vec![0.0f64; years.len()];
            let mut out = Vec::new();
            let mut legend = Vec::new();
            for (li, (label, values)) in layers.iter().enumerate() {
                let colour = series_colour(li);
                let mut points = Vec::with_capacity(order.len());
                for &i in &order {
                    let v = values.get(i).copied().filter(|v| v.is_finite()).unwrap_or(0.0);
                    let below = cum.get(i).copied().unwrap_or(0.0);
                    let year = f64::from(years.get(i).copied().unwrap_or(0));
                    points.push((year, below, below + v));
                    if let Some(c) = cum.get_mut(i) {
                        *c = below + v;
                    }
                }
                legend.push(LegendEntry { swatch: Swatch::Block(colour), label: label.clone() });
                out.push(Area { colour, points });
            }
            let max_total = cum.iter().copied().fold(0.0f64, f64::max);
            let empty = years.is_empty() || layers.is_empty();
            let year_extent = finite_extent(years.iter().map(|&y| f64::from(y)));
            Ok(Plan {
                data: Data::Stacked { layers: out },
                x: years_spec(year_extent),
                y: YSpec::Values(nice_axis(0.0, max_total, format)),
                legend,
                empty,
            })
        }
        ChartKind::GroupedBars { categories, groups } => {
            for (label, values) in groups {
                if values.len() != categories.len() {
                    return Err(invalid(format!(
                        "bar group {label:?} has {} values for {} categories",
                        values.len(),
                        categories.len()
                    )));
                }
            }
            let extent = finite_extent(groups.iter().flat_map(|g| g.1.iter().copied()));
            let (lo, hi) = extent.unwrap_or((0.0, 1.0));
            let legend = groups
                .iter()
                .enumerate()
                .map(|(i, g)| LegendEntry { swatch: Swatch::Block(series_colour(i)), label: g.0.clone() })
                .collect();
            Ok(Plan {
                data: Data::Bars {
                    groups: groups.iter().enumerate().map(|(i, g)| (series_colour(i), g.1.clone())).collect(),
                },
                x: XSpec::Categories(categories.clone()),
                y: YSpec::Values(nice_axis(lo.min(0.0) * LABEL_HEADROOM, hi.max(0.0) * LABEL_HEADROOM, format)),
                legend,
                empty: extent.is_none() || categories.is_empty(),
            })
        }
        ChartKind::Waterfall { start, steps, end_label } => {
            if !start.1.is_finite() {
                return Err(invalid(format!("waterfall start {:?} is not a finite number", start.0)));
            }
            if let Some((label, _)) = steps.iter().find(|s| !s.1.is_finite()) {
                return Err(invalid(format!("waterfall step {label:?} is not a finite number")));
            }
            let mut bars = vec![WaterBar {
                bottom: 0.0,
                top: start.1,
                kind: StepKind::Total,
                label: value_label(format, start.1, false),
            }];
            let mut running = start.1;
            let mut categories = vec![start.0.clone()];
            for (label, change) in steps {
                let next = running + change;
                bars.push(WaterBar {
                    bottom: running,
                    top: next,
                    kind: if *change < 0.0 { StepKind::Down } else { StepKind::Up },
                    label: value_label(format, *change, true),
                });
                categories.push(label.clone());
                running = next;
            }
            bars.push(WaterBar {
                bottom: 0.0,
                top: running,
                kind: StepKind::Total,
                label: value_label(format, running, false),
            });
            categories.push(end_label.clone());
            let extent = finite_extent(bars.iter().flat_map(|b| [b.bottom, b.top]));
            let (lo, hi) = extent.unwrap_or((0.0, 1.0));
            let legend = vec![
                LegendEntry { swatch: Swatch::Block(TOTAL), label: "Total".to_string() },
                LegendEntry { swatch: Swatch::Block(INCREASE), label: "Increase".to_string() },
                LegendEntry { swatch: Swatch::Block(DECREASE), label: "Decrease".to_string() },
            ];
            Ok(Plan {
                data: Data::Waterfall { bars },
                x: XSpec::Categories(categories),
                y: YSpec::Values(nice_axis(lo.min(0.0) * LABEL_HEADROOM, hi.max(0.0) * LABEL_HEADROOM, format)),
                legend,
                empty: false,
            })
        }
        ChartKind::Tornado { base, bars } => {
            if !base.is_finite() {
                return Err(invalid("tornado base value is not a finite number"));
            }
            if let Some(b) = bars.iter().find(|b| !(b.low_value.is_finite() && b.high_value.is_finite())) {
                return Err(invalid(format!("tornado bar {:?} has a non-finite value", b.label)));
            }
            let mut sorted: Vec<&crate::TornadoBar> = bars.iter().collect();
            // Smallest swing first = bottom row; the largest swing ends up on top.
            sorted.sort_by(|a, b| (a.high_value - a.low_value).abs().total_cmp(&(b.high_value - b.low_value).abs()));
            let text = |setting: &str, v: f64| {
                let value = value_label(format, v, false);
                if setting.is_empty() { value } else { format!("{setting}: {value}") }
            };
            let rows = sorted
                .iter()
                .map(|b| TornadoRow {
                    low: b.low_value,
                    high: b.high_value,
                    low_text: text(&b.low_label, b.low_value),
                    high_text: text(&b.high_label, b.high_value),
                })
                .collect();
            let legend = vec![
                LegendEntry { swatch: Swatch::Block(LOW_CASE), label: "Low setting".to_string() },
                LegendEntry { swatch: Swatch::Block(HIGH_CASE), label: "High setting".to_string() },
                LegendEntry {
                    swatch: Swatch::Line { colour: TEXT, dashed: false },
                    label: format!("Central: {}", value_label(format, *base, false)),
                },
            ];
            Ok(Plan {
                data: Data::Tornado { base: *base, rows },
                x: XSpec::TornadoValues,
                y: YSpec::Categories(sorted.iter().map(|b| b.label.clone()).collect()),
                legend,
                empty: bars.is_empty(),
            })
        }
    }
}

fn years_spec(extent: Option<(f64, f64)>) -> XSpec {
    let (lo, hi) = extent.unwrap_or((2020.0, 2021.0));
    let (lo, hi) = (lo as i64, hi as i64);
    if hi > lo { XSpec::Years { lo, hi } } else { XSpec::Years { lo: lo - 1, hi: hi + 1 } }
}

/// Lays out and draws the whole chart into a scene.
pub(crate) fn build(chart: &Chart) -> Result<Scene, PlotError> {
    crate::check_size(chart.size_px)?;
    style::ensure_fonts()?;
    let (width, height) = chart.size_px;
    let t = Theme::new(width, height);
    let (w, h) = (f64::from(width), f64::from(height));
    let plan = plan(chart)?;
    let mut shapes: Vec<Shape> = Vec::new();
    let mut texts: Vec<Shape> = Vec::new();
    let text = |s: &str, x: f64, y: f64, size: f64, bold: bool, colour: Rgb, align: Align| Shape::Text {
        text: s.to_string(),
        x,
        y,
        size,
        bold,
        colour,
        align,
    };

    // ---- Header: title, subtitle, legend, y-axis title (top down).
    let left = t.pad;
    let right = w - t.pad;
    let content_w = right - left;
    let mut y = t.pad * 0.8;
    for line in wrap(&chart.text.title, t.title, true, content_w, 2) {
        texts.push(text(&line, left, y, t.title, true, TEXT, Align::Left));
        y += Theme::line_height(t.title) * 1.1;
    }
    if !chart.text.subtitle.trim().is_empty() {
        y += t.px(2.0);
        for line in wrap(&chart.text.subtitle, t.subtitle, false, content_w, 2) {
            texts.push(text(&line, left, y, t.subtitle, false, MUTED_TEXT, Align::Left));
            y += Theme::line_height(t.subtitle);
        }
    }
    y += t.px(20.0);
    let swatch_w = t.px(46.0);
    let swatch_gap = t.px(12.0);
    let entry_gap = t.px(40.0);
    let legend_row_h = Theme::line_height(t.legend) + t.px(10.0);
    let entries: Vec<&LegendEntry> = plan.legend.iter().filter(|e| !e.label.is_empty()).collect();
    if !entries.is_empty() {
        let mut x = left;
        for e in entries {
            let label_w = text_width(&e.label, t.legend, false);
            let entry_w = swatch_w + swatch_gap + label_w;
            if x > left && x + entry_w > right {
                x = left;
                y += legend_row_h;
            }
            let mid = y + t.legend * CAP_MIDDLE;
            match e.swatch {
                Swatch::Line { colour, dashed } => {
                    shapes_push_legend_line(&mut texts, x, x + swatch_w, mid, colour, dashed, &t)
                }
                Swatch::Block(colour) => texts.push(Shape::Rect {
                    x0: x,
                    y0: mid - t.px(12.0),
                    x1: x + swatch_w,
                    y1: mid + t.px(12.0),
                    fill: colour,
                }),
            }
            texts.push(text(&e.label, x + swatch_w + swatch_gap, y, t.legend, false, TEXT, Align::Left));
            x += entry_w + entry_gap;
        }
        y += legend_row_h + t.px(6.0);
    }
    if !chart.text.y_title.trim().is_empty() {
        for line in wrap(&chart.text.y_title, t.axis_title, false, content_w, 1) {
            texts.push(text(&line, left, y, t.axis_title, false, TEXT, Align::Left));
        }
        y += Theme::line_height(t.axis_title) + t.px(14.0);
    }
    let plot_top = y + t.tick * 0.45;

    // ---- Footer: source note, x-axis title, x tick labels (bottom up).
    let mut yb = h - t.pad * 0.7;
    let source_lines = wrap(&chart.text.source_note, t.source, false, content_w, 2);
    yb -= source_lines.len() as f64 * Theme::line_height(t.source);
    for (i, line) in source_lines.iter().enumerate() {
        let ly = yb + i as f64 * Theme::line_height(t.source);
        texts.push(text(line, left, ly, t.source, false, MUTED_TEXT, Align::Left));
    }
    yb -= t.px(22.0);
    let x_title_top = if chart.text.x_title.trim().is_empty() {
        None
    } else {
        yb -= Theme::line_height(t.axis_title);
        let top = yb;
        yb -= t.px(14.0);
        Some(top)
    };

    // ---- Left: y tick labels or category labels.
    let label_gap = t.px(14.0);
    let (y_label_w, y_cat_lines) = match &plan.y {
        YSpec::Values(axis) => {
            let wmax = axis.labels().iter().map(|(_, s)| text_width(s, t.tick, false)).fold(0.0, f64::max);
            (wmax, Vec::new())
        }
        YSpec::Categories(labels) => {
            let max_w = w * 0.28;
            let wrapped: Vec<Vec<String>> = labels.iter().map(|l| wrap(l, t.tick, false, max_w, 2)).collect();
            let wmax = wrapped.iter().flatten().map(|s| text_width(s, t.tick, false)).fold(0.0, f64::max);
            (wmax, wrapped)
        }
    };
    let plot_left = left + y_label_w + label_gap;
    let year_label_w = text_width("2000", t.tick, false);
    let plot_right = match plan.x {
        XSpec::Years { .. } => right - year_label_w * 0.5,
        _ => right - t.px(8.0),
    };
    let plot_w = plot_right - plot_left;

    // ---- x tick labels: decides the bottom of the plot.
    let tick_line_h = Theme::line_height(t.tick);
    let tick_len = t.px(8.0);
    let (x_label_lines, x_cats): (usize, Vec<Vec<String>>) = match &plan.x {
        XSpec::Categories(cats) => {
            let slot = plot_w / cats.len().max(1) as f64;
            let wrapped: Vec<Vec<String>> = cats.iter().map(|c| wrap(c, t.tick, false, slot * 0.92, 3)).collect();
            let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
            (lines, wrapped)
        }
        _ => (1, Vec::new()),
    };
    yb -= x_label_lines as f64 * tick_line_h;
    let x_labels_top = yb;
    yb -= tick_len + t.px(6.0);
    let plot_bottom = yb;
    let plot_h = plot_bottom - plot_top;
    if plot_w < 20.0 || plot_h < 20.0 {
        return Err(PlotError::TooSmall {
            width_px: width,
            height_px: height,
            plot_width_px: plot_w as i64,
            plot_height_px: plot_h as i64,
        });
    }
    if let Some(top) = x_title_top {
        let cx = (plot_left + plot_right) / 2.0;
        for line in wrap(&chart.text.x_title, t.axis_title, false, content_w, 1) {
            texts.push(text(&line, cx, top, t.axis_title, false, TEXT, Align::Centre));
        }
    }

    // ---- Axis ranges.
    let (x_range, x_axis) = match &plan.x {
        XSpec::Years { lo, hi } => ((*lo as f64, *hi as f64), None),
        XSpec::Categories(cats) => ((-0.5, cats.len().max(1) as f64 - 0.5), None),
        XSpec::TornadoValues => {
            let axis = tornado_axis(&plan.data, chart.format, plot_w, &t);
            ((axis.min, axis.max), Some(axis))
        }
    };
    let y_range = match &plan.y {
        YSpec::Values(axis) => (axis.min, axis.max),
        YSpec::Categories(labels) => (-0.5, labels.len().max(1) as f64 - 0.5),
    };
    let layout = Layout {
        plot: PixelRect { left_px: plot_left, top_px: plot_top, right_px: plot_right, bottom_px: plot_bottom },
        x_range,
        y_range,
    };
    let map = |x: f64, y: f64| layout.to_pixel(x, y);
    let thin = t.px(1.5).max(1.0);

    // ---- Grid and tick labels.
    if let YSpec::Values(axis) = &plan.y {
        for (v, label) in axis.labels() {
            let (_, py) = map(x_range.0, v);
            if v != axis.min {
                shapes.push(hline(plot_left, plot_right, py, GRID, thin));
            }
            texts.push(text(
                &label,
                plot_left - label_gap,
                py - t.tick * CAP_MIDDLE,
                t.tick,
                false,
                TEXT,
                Align::Right,
            ));
        }
    }
    if let YSpec::Categories(_) = &plan.y {
        for (i, lines) in y_cat_lines.iter().enumerate() {
            let (_, cy) = map(x_range.0, i as f64);
            let n = lines.len() as f64;
            let top = cy - (n - 1.0) * tick_line_h / 2.0 - t.tick * CAP_MIDDLE;
            for (k, line) in lines.iter().enumerate() {
                texts.push(text(
                    line,
                    plot_left - label_gap,
                    top + k as f64 * tick_line_h,
                    t.tick,
                    false,
                    TEXT,
                    Align::Right,
                ));
            }
        }
    }
    match &plan.x {
        XSpec::Years { lo, hi } => {
            for year in year_ticks(*lo, *hi, plot_w, year_label_w) {
                let (px, _) = map(year as f64, y_range.0);
                shapes.push(Shape::Path {
                    points: vec![(px, plot_bottom), (px, plot_bottom + tick_len)],
                    colour: AXIS,
                    width: thin,
                    dash: None,
                });
                texts.push(text(&year.to_string(), px, x_labels_top, t.tick, false, TEXT, Align::Centre));
            }
        }
        XSpec::Categories(_) => {
            for (i, lines) in x_cats.iter().enumerate() {
                let (px, _) = map(i as f64, y_range.0);
                for (k, line) in lines.iter().enumerate() {
                    texts.push(text(
                        line,
                        px,
                        x_labels_top + k as f64 * tick_line_h,
                        t.tick,
                        false,
                        TEXT,
                        Align::Centre,
                    ));
                }
            }
        }
        XSpec::TornadoValues => {
            if let Some(axis) = &x_axis {
                for (v, label) in axis.labels() {
                    let (px, _) = map(v, y_range.0);
                    shapes.push(vline(px, plot_top, plot_bottom, GRID, thin));
                    texts.push(text(&label, px, x_labels_top, t.tick, false, TEXT, Align::Centre));
                }
            }
        }
    }

    // ---- Data.
    if plan.empty {
        texts.push(text(
            "No data to show",
            (plot_left + plot_right) / 2.0,
            (plot_top + plot_bottom) / 2.0 - t.subtitle * CAP_MIDDLE,
            t.subtitle,
            false,
            MUTED_TEXT,
            Align::Centre,
        ));
    }
    draw_data(&plan.data, &layout, chart.format, &t, &mut shapes, &mut texts);

    // ---- Axis lines: the bottom axis, and a stronger zero line inside the plot.
    match &plan.y {
        YSpec::Values(axis) => {
            shapes.push(hline(plot_left, plot_right, plot_bottom, AXIS, t.px(2.0).max(1.0)));
            if axis.min < 0.0 && axis.max > 0.0 {
                let (_, py) = map(x_range.0, 0.0);
                shapes.push(hline(plot_left, plot_right, py, AXIS, t.px(2.0).max(1.0)));
            }
        }
        YSpec::Categories(_) => {
            shapes.push(hline(plot_left, plot_right, plot_bottom, AXIS, t.px(2.0).max(1.0)));
        }
    }
    // Lines are drawn after the axes so they stay on top of them.
    if let Data::Lines { lines, .. } = &plan.data {
        draw_lines(lines, &layout, &t, &mut shapes);
    }
    shapes.extend(texts);
    Ok(Scene { width, height, shapes, layout })
}

fn shapes_push_legend_line(out: &mut Vec<Shape>, x0: f64, x1: f64, y: f64, colour: Rgb, dashed: bool, t: &Theme) {
    out.push(Shape::Path {
        points: vec![(x0, y), (x1, y)],
        colour,
        width: t.px(5.0).max(1.0),
        dash: if dashed { Some((t.px(12.0), t.px(8.0))) } else { None },
    });
}

fn hline(x0: f64, x1: f64, y: f64, colour: Rgb, width: f64) -> Shape {
    Shape::Path { points: vec![(x0, y), (x1, y)], colour, width, dash: None }
}

fn vline(x: f64, y0: f64, y1: f64, colour: Rgb, width: f64) -> Shape {
    Shape::Path { points: vec![(x, y0), (x, y1)], colour, width, dash: None }
}

/// The tornado value axis: the data range widened so the end labels fit.
fn tornado_axis(data: &Data, format: ValueFormat, plot_w: f64, t: &Theme) -> ValueAxis {
    let Data::Tornado { base, rows } = data else {
        return inside_axis(0.0, 1.0, format, TARGET_TICKS);
    };
    let gap = t.px(10.0);
    let (mut left_w, mut right_w) = (0.0f64, 0.0f64);
    let mut lo = *base;
    let mut hi = *base;
    for r in rows {
        for (v, s) in [(r.low, &r.low_text), (r.high, &r.high_text)] {
            let tw = text_width(s, t.label, false) + gap;
            if v < *base {
                left_w = left_w.max(tw);
            } else {
                right_w = right_w.max(tw);
            }
            lo = lo.min(v);
            hi = hi.max(v);
        }
    }
    let (lo, hi) = sane_extent(lo, hi);
    let avail = (plot_w - left_w - right_w).max(plot_w * 0.3);
    let per_px = (hi - lo) / avail;
    inside_axis(lo - left_w * per_px, hi + right_w * per_px, format, (plot_w / t.px(220.0)).clamp(2.0, 8.0))
}

/// Splits points into runs of finite values.
fn finite_runs<T: Copy>(points: &[T], ok: impl Fn(&T) -> bool) -> Vec<Vec<T>> {
    let mut runs = Vec::new();
    let mut cur = Vec::new();
    for p in points {
        if ok(p) {
            cur.push(*p);
        } else if !cur.is_empty() {
            runs.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

fn area_polygons(area: &Area, layout: &Layout, out: &mut Vec<Shape>) {
    for run in finite_runs(&area.points, |p| p.1.is_finite() && p.2.is_finite()) {
        let mut pts: Vec<(f64, f64)> = run.iter().map(|p| layout.to_pixel(p.0, p.2)).collect();
        pts.extend(run.iter().rev().map(|p| layout.to_pixel(p.0, p.1)));
        if run.len() == 1 {
            // A single year: draw a thin vertical bar so it stays visible.
            if let [(x, y_hi), (_, y_lo)] = pts[..] {
                out.push(Shape::Rect { x0: x - 3.0, y0: y_hi, x1: x + 3.0, y1: y_lo, fill: area.colour });
            }
        } else {
            out.push(Shape::Polygon { points: pts, fill: area.colour });
        }
    }
}

fn draw_lines(lines: &[Line], layout: &Layout, t: &Theme, out: &mut Vec<Shape>) {
    let width = t.px(5.0).max(1.5);
    let dash = Some((t.px(16.0).max(3.0), t.px(10.0).max(2.0)));
    for line in lines {
        for run in finite_runs(&line.points, |p| p.1.is_finite()) {
            if run.len() == 1 {
                if let Some(&(x, y)) = run.first() {
                    let (px, py) = layout.to_pixel(x, y);
                    out.push(Shape::Circle { x: px, y: py, radius: width * 1.4, fill: line.colour });
                }
                continue;
            }
            let pts = |sel: &dyn Fn(f64) -> bool| -> Vec<(f64, f64)> {
                run.iter().filter(|p| sel(p.0)).map(|p| layout.to_pixel(p.0, p.1)).collect()
            };
            let (solid, dashed) = match line.style {
                LineStyle::Solid => (pts(&|_| true), Vec::new()),
                LineStyle::Dashed => (Vec::new(), pts(&|_| true)),
                LineStyle::ProjectedFrom(year) => {
                    let y = f64::from(year);
                    (pts(&|x| x <= y), pts(&|x| x >= y))
                }
            };
            if solid.len() >= 2 {
                out.push(Shape::Path { points: solid, colour: line.colour, width, dash: None });
            }
            if dashed.len() >= 2 {
                out.push(Shape::Path { points: dashed, colour: line.colour, width, dash });
            }
        }
    }
}

fn draw_data(
    data: &Data,
    layout: &Layout,
    format: ValueFormat,
    t: &Theme,
    shapes: &mut Vec<Shape>,
    texts: &mut Vec<Shape>,
) {
    let plot = layout.plot;
    let label_h = Theme::line_height(t.label);
    let label_gap = t.px(6.0);
    match data {
        Data::Lines { bands, .. } => {
            for band in bands {
                area_polygons(band, layout, shapes);
            }
        }
        Data::Stacked { layers } => {
            for layer in layers {
                area_polygons(layer, layout, shapes);
            }
            // Thin white edges separate the layers.
            for layer in layers {
                let pts: Vec<(f64, f64)> = layer.points.iter().map(|p| layout.to_pixel(p.0, p.2)).collect();
                shapes.push(Shape::Path {
                    points: pts,
                    colour: style::BACKGROUND,
                    width: t.px(2.0).max(1.0),
                    dash: None,
                });
            }
        }
        Data::Bars { groups } => {
            let g = groups.len().max(1) as f64;
            let slot = (layout.to_pixel(1.0, 0.0).0 - layout.to_pixel(0.0, 0.0).0).abs();
            let cluster = slot * 0.78;
            let bar_w = cluster / g;
            let inner_gap = (bar_w * 0.08).min(t.px(6.0));
            let n_bars = groups.iter().map(|(_, v)| v.len()).sum::<usize>();
            for (gi, (colour, values)) in groups.iter().enumerate() {
                for (ci, &v) in values.iter().enumerate() {
                    if !v.is_finite() {
                        continue;
                    }
                    let (cx, y0) = layout.to_pixel(ci as f64, 0.0);
                    let x0 = cx - cluster / 2.0 + gi as f64 * bar_w + inner_gap / 2.0;
                    let x1 = x0 + bar_w - inner_gap;
                    let (_, y1) = layout.to_pixel(ci as f64, v);
                    shapes.push(Shape::Rect { x0, y0, x1, y1, fill: *colour });
                    let label = value_label(format, v, false);
                    let fits = text_width(&label, t.label, false) <= bar_w + inner_gap && n_bars <= 40;
                    if fits {
                        let ly = if v >= 0.0 { y1 - label_gap - label_h } else { y1 + label_gap };
                        let ly = ly.clamp(plot.top_px - label_h, plot.bottom_px);
                        texts.push(label_text(label, (x0 + x1) / 2.0, ly, t));
                    }
                }
            }
        }
        Data::Waterfall { bars } => {
            let slot = (layout.to_pixel(1.0, 0.0).0 - layout.to_pixel(0.0, 0.0).0).abs();
            let bar_w = slot * 0.62;
            for (i, b) in bars.iter().enumerate() {
                let (cx, y0) = layout.to_pixel(i as f64, b.bottom);
                let (_, y1) = layout.to_pixel(i as f64, b.top);
                let fill = match b.kind {
                    StepKind::Total => TOTAL,
                    StepKind::Up => INCREASE,
                    StepKind::Down => DECREASE,
                };
                // A zero step still shows as a hairline.
                let y1 = if (y1 - y0).abs() < 1.0 { y0 - 1.0 } else { y1 };
                shapes.push(Shape::Rect { x0: cx - bar_w / 2.0, y0, x1: cx + bar_w / 2.0, y1, fill });
                if i + 1 < bars.len() {
                    let (nx, _) = layout.to_pixel(i as f64 + 1.0, b.top);
                    let (_, ty) = layout.to_pixel(i as f64, b.top);
                    shapes.push(Shape::Path {
                        points: vec![(cx + bar_w / 2.0, ty), (nx - bar_w / 2.0, ty)],
                        colour: AXIS,
                        width: t.px(2.0).max(1.0),
                        dash: Some((t.px(6.0).max(2.0), t.px(5.0).max(2.0))),
                    });
                }
                let going_down = match b.kind {
                    StepKind::Down => true,
                    StepKind::Total => b.top < 0.0,
                    StepKind::Up => false,
                };
                let (upper, lower) = (y0.min(y1), y0.max(y1));
                let ly = if going_down { lower + label_gap } else { upper - label_gap - label_h };
                let ly = ly.clamp(plot.top_px - label_h, plot.bottom_px);
                texts.push(label_text(b.label.clone(), cx, ly, t));
            }
        }
        Data::Tornado { base, rows } => {
            let row_h = (layout.to_pixel(0.0, 0.0).1 - layout.to_pixel(0.0, 1.0).1).abs();
            let bar_h = row_h * 0.62;
            for (i, r) in rows.iter().enumerate() {
                let (bx, cy) = layout.to_pixel(*base, i as f64);
                let mut segs = [(r.low, LOW_CASE, &r.low_text), (r.high, HIGH_CASE, &r.high_text)];
                // Longer segment first so a shorter one on the same side stays visible.
                segs.sort_by(|a, b| (b.0 - base).abs().total_cmp(&(a.0 - base).abs()));
                for (v, colour, label) in segs {
                    let (vx, _) = layout.to_pixel(v, i as f64);
                    shapes.push(Shape::Rect {
                        x0: bx,
                        y0: cy - bar_h / 2.0,
                        x1: vx,
                        y1: cy + bar_h / 2.0,
                        fill: colour,
                    });
                    let (lx, align) =
                        if v < *base { (vx - label_gap, Align::Right) } else { (vx + label_gap, Align::Left) };
                    texts.push(Shape::Text {
                        text: label.clone(),
                        x: lx,
                        y: cy - t.label * CAP_MIDDLE,
                        size: t.label,
                        bold: false,
                        colour: TEXT,
                        align,
                    });
                }
            }
            let (bx, _) = layout.to_pixel(*base, 0.0);
            texts.insert(0, vline(bx, plot.top_px, plot.bottom_px, TEXT, t.px(3.0).max(1.0)));
        }
    }
}

fn label_text(label: String, x: f64, y: f64, t: &Theme) -> Shape {
    Shape::Text { text: label, x, y, size: t.label, bold: false, colour: TEXT, align: Align::Centre }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_axis_known_ranges() {
        let a = nice_axis(100.0, 200.0, ValueFormat::Count);
        assert_eq!((a.min, a.max), (100.0, 200.0));
        assert_eq!(a.ticks.len(), 6);
        let a = nice_axis(0.0, 8.955e9, ValueFormat::MoneyGbp);
        assert_eq!((a.min, a.max), (0.0, 10e9));
        assert_eq!(a.fmt.tick(2e9), "£2bn");
        let a = nice_axis(-3.0, 7.0, ValueFormat::Number);
        assert_eq!((a.min, a.max), (-4.0, 8.0));
        assert!(a.ticks.contains(&0.0));
        // Degenerate inputs still give a usable axis.
        let a = nice_axis(f64::NAN, f64::INFINITY, ValueFormat::Count);
        assert_eq!((a.min, a.max), (0.0, 1.0));
        let a = nice_axis(0.0, 0.0, ValueFormat::Count);
        assert_eq!((a.min, a.max), (0.0, 1.0));
    }

    #[test]
    fn year_ticks_fit() {
        assert_eq!(year_ticks(2015, 2035, 2400.0, 60.0), (2015..=2035).collect::<Vec<_>>());
        assert_eq!(year_ticks(2015, 2035, 600.0, 60.0), vec![2015, 2020, 2025, 2030, 2035]);
        assert_eq!(year_ticks(2016, 2019, 100.0, 60.0), vec![2016, 2018]);
    }
}
