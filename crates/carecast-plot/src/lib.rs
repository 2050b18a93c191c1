//! carecast-plot: report-style charts for council committee papers.
//!
//! Plain data in (series, labels, numbers), SVG text / PNG bytes / files out.
//! One [`Chart`] description (text, value format, kind, size) is laid out once
//! into a backend-neutral scene and drawn by plotters to SVG or PNG, so both
//! formats share every position. This crate knows nothing about scenarios,
//! CSV files or the simulation; it never prints.
//!
//! ```no_run
//! use carecast_plot::*;
//! let chart = Chart::new(
//!     ChartText {
//!         title: "Children looked after, England".into(),
//!         subtitle: "Base scenario, 2025 data".into(),
//!         x_title: "Year (at 31 March)".into(),
//!         y_title: "Children looked after (count)".into(),
//!         source_note: "Source: DfE children looked after in England; carecast projection".into(),
//!     },
//!     ValueFormat::Count,
//!     ChartKind::Lines {
//!         series: vec![Series::new(
//!             "Children looked after",
//!             vec![(2023, 83_630.0), (2024, 83_840.0), (2025, 81_770.0), (2026, 82_500.0)],
//!             LineStyle::ProjectedFrom(2025),
//!         )],
//!         bands: vec![],
//!     },
//! );
//! let svg = chart.to_svg()?;
//! # Ok::<(), PlotError>(())
//! ```

mod build;
mod error;
mod format;
mod output;
mod scene;
mod style;

use std::path::{Path, PathBuf};

pub use error::PlotError;
pub use format::{
    MoneyScale, ValueFormat, format_count, format_gbp, format_gbp_change, format_gbp_in, format_number, format_percent,
};
pub use style::{Rgb, palette};

/// Default image size in pixels (width, height).
pub const DEFAULT_SIZE_PX: (u32, u32) = (1600, 900);
/// Smallest accepted image size in pixels (width, height).
pub const MIN_SIZE_PX: (u32, u32) = (400, 300);
/// Largest accepted image size in pixels (width, height).
pub const MAX_SIZE_PX: (u32, u32) = (6000, 4000);

/// The words on a chart. Empty strings are simply left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartText {
    /// Bold headline at the top left.
    pub title: String,
    /// Second line: names the scenario and the data vintage.
    pub subtitle: String,
    /// Horizontal axis title, with units.
    pub x_title: String,
    /// Vertical axis title with units, written above the axis.
    pub y_title: String,
    /// Bottom-left note, e.g. "Source: DfE children looked after in England, 2025 release; carecast projection".
    pub source_note: String,
}

/// How a line series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineStyle {
    /// Solid throughout (history).
    #[default]
    Solid,
    /// Dashed throughout (projection).
    Dashed,
    /// Solid up to and including this year, dashed from it on; the legend
    /// gains a "Projection (dashed)" key.
    ProjectedFrom(i32),
}

/// One line: (year, value) points. Non-finite values leave a gap.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label; series sharing a label and colour share one legend entry.
    pub label: String,
    /// (year, value) points, in any order.
    pub points: Vec<(i32, f64)>,
    /// Solid, dashed, or solid then dashed.
    pub style: LineStyle,
    /// Palette index (see [`palette`]); `None` uses the series' position.
    pub colour: Option<usize>,
}

impl Series {
    /// A series coloured by its position in the chart.
    pub fn new(label: impl Into<String>, points: Vec<(i32, f64)>, style: LineStyle) -> Self {
        Self { label: label.into(), points, style, colour: None }
    }

    /// The same series with an explicit palette index.
    pub fn with_colour(mut self, palette_index: usize) -> Self {
        self.colour = Some(palette_index);
        self
    }
}

/// A shaded quantile band (year, low, high), e.g. p05–p95. Several nested
/// bands may be given; wider bands are drawn lighter and underneath.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Legend label, e.g. "90% range (p05–p95)".
    pub label: String,
    /// (year, low, high) points; non-finite values leave a gap.
    pub points: Vec<(i32, f64, f64)>,
    /// Palette index; `None` uses the first palette colour.
    pub colour: Option<usize>,
}

impl Band {
    /// A band in the first palette colour.
    pub fn new(label: impl Into<String>, points: Vec<(i32, f64, f64)>) -> Self {
        Self { label: label.into(), points, colour: None }
    }
}

/// One assumption in a tornado (sensitivity) chart: the headline value when
/// the assumption is set low and set high.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoBar {
    /// The assumption varied, e.g. "Residential price growth".
    pub label: String,
    /// Result with the assumption at its low setting.
    pub low_value: f64,
    /// Result with the assumption at its high setting.
    pub high_value: f64,
    /// The low setting, e.g. "2%".
    pub low_label: String,
    /// The high setting, e.g. "6%".
    pub high_label: String,
}

/// What is drawn. Every kind shares the same text, legend, axes and style.
#[derive(Debug, Clone, PartialEq)]
pub enum ChartKind {
    /// Lines over years with optional shaded bands: children in care (history
    /// solid, projection dashed, quantile fan), funding vs spend, difference
    /// from base per option (negative values are fine; zero is emphasised).
    Lines {
        /// The lines, drawn over the bands.
        series: Vec<Series>,
        /// Quantile bands, drawn under the lines.
        bands: Vec<Band>,
    },
    /// Layers stacked over years, e.g. placement mix. Every layer must have one
    /// value per year; negative values are rejected, non-finite count as 0.
    StackedArea {
        /// The years (x values).
        years: Vec<i32>,
        /// (label, one value per year), bottom layer first.
        layers: Vec<(String, Vec<f64>)>,
    },
    /// Bars in groups per category, e.g. spend by placement type, cash and real.
    GroupedBars {
        /// Category names along the horizontal axis.
        categories: Vec<String>,
        /// (group label, one value per category); non-finite values leave no bar.
        groups: Vec<(String, Vec<f64>)>,
    },
    /// A start total, signed steps, and the resulting end total, e.g. cost
    /// growth split into volume, mix and price.
    Waterfall {
        /// (label, value) of the starting total.
        start: (String, f64),
        /// (label, signed change).
        steps: Vec<(String, f64)>,
        /// Label of the end total (start plus all steps).
        end_label: String,
    },
    /// Sensitivity bars around a base value, sorted so the largest swing is on top.
    Tornado {
        /// The headline value with every assumption at its central setting.
        base: f64,
        /// One bar per assumption, in any order.
        bars: Vec<TornadoBar>,
    },
}

/// A complete chart description.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Title, subtitle, axis titles and source note.
    pub text: ChartText,
    /// How values are written on the value axis and labels.
    pub format: ValueFormat,
    /// What is drawn.
    pub kind: ChartKind,
    /// Image size in pixels (width, height); default 1600x900.
    pub size_px: (u32, u32),
}

/// Which files [`Chart::write`] produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    /// Write `<path>.png`.
    pub png: bool,
    /// Write `<path>.svg`.
    pub svg: bool,
}

impl Formats {
    /// PNG only.
    pub const PNG: Self = Self { png: true, svg: false };
    /// SVG only.
    pub const SVG: Self = Self { png: false, svg: true };
    /// PNG and SVG.
    pub const BOTH: Self = Self { png: true, svg: true };

    /// Parses "png", "svg", "png,svg" or "both" (case-insensitive).
    pub fn parse(s: &str) -> Result<Self, PlotError> {
        let mut f = Self { png: false, svg: false };
        for part in s.split(',').map(str::trim) {
            match part.to_ascii_lowercase().as_str() {
                "png" => f.png = true,
                "svg" => f.svg = true,
                "both" => f = Self::BOTH,
                _ => return Err(PlotError::UnknownFormat(s.to_string())),
            }
        }
        Ok(f)
    }
}

/// A rectangle in image pixels (x to the right, y downwards).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PixelRect {
    /// x of the left edge.
    pub left_px: f64,
    /// y of the top edge.
    pub top_px: f64,
    /// x of the right edge.
    pub right_px: f64,
    /// y of the bottom edge.
    pub bottom_px: f64,
}

/// Where the plot sits in the image and which data ranges its edges show.
/// `x_range.0` is at `plot.left_px`, `x_range.1` at `plot.right_px`;
/// `y_range.0` is at `plot.bottom_px`, `y_range.1` at `plot.top_px`; linear between.
/// x is the year for line and stacked charts, the category index for bar and
/// waterfall charts (category `i` centred at `i`), and the value for tornado
/// charts (whose y is the bar index, the largest swing at the top).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// The plotting area.
    pub plot: PixelRect,
    /// Data x at the left and right edges.
    pub x_range: (f64, f64),
    /// Data y at the bottom and top edges.
    pub y_range: (f64, f64),
}

impl Layout {
    /// Image pixel position of data point (x, y).
    pub fn to_pixel(&self, x: f64, y: f64) -> (f64, f64) {
        let p = &self.plot;
        let fx = (x - self.x_range.0) / (self.x_range.1 - self.x_range.0);
        let fy = (y - self.y_range.0) / (self.y_range.1 - self.y_range.0);
        (p.left_px + fx * (p.right_px - p.left_px), p.bottom_px - fy * (p.bottom_px - p.top_px))
    }
}

impl Chart {
    /// A chart of the default size (1600x900).
    pub fn new(text: ChartText, format: ValueFormat, kind: ChartKind) -> Self {
        Self { text, format, kind, size_px: DEFAULT_SIZE_PX }
    }

    /// The same chart at another size (checked when rendering).
    pub fn with_size(mut self, size_px: (u32, u32)) -> Self {
        self.size_px = size_px;
        self
    }

    /// Where the plot area is and which data ranges it shows.
    pub fn layout(&self) -> Result<Layout, PlotError> {
        Ok(build::build(self)?.layout)
    }

    /// Renders to an SVG document.
    pub fn to_svg(&self) -> Result<String, PlotError> {
        scene::to_svg(&build::build(self)?)
    }

    /// Renders to PNG bytes (8-bit RGB).
    pub fn to_png(&self) -> Result<Vec<u8>, PlotError> {
        scene::to_png(&build::build(self)?)
    }

    /// Renders and writes `<path>.png` and/or `<path>.svg` (the extension is
    /// appended, not substituted). Each file is written to a temporary file in
    /// the same directory and renamed into place; on error no partial file is
    /// left. Returns the paths written.
    pub fn write(&self, path_without_extension: &Path, formats: Formats) -> Result<Vec<PathBuf>, PlotError> {
        output::write(self, path_without_extension, formats)
    }
}

/// Parses "WIDTHxHEIGHT" (e.g. "1600x900"; `X` and `×` also accepted, spaces
/// ignored) within 400x300 to 6000x4000.
pub fn parse_size(s: &str) -> Result<(u32, u32), PlotError> {
    let cleaned: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let bad = |reason: &str| PlotError::InvalidSize { input: s.to_string(), reason: reason.to_string() };
    let (w, h) = cleaned.split_once(['x', 'X', '×']).ok_or_else(|| bad("expected WIDTHxHEIGHT, e.g. 1600x900"))?;
    let w: u32 = w.parse().map_err(|_| bad("width is not a whole number"))?;
    let h: u32 = h.parse().map_err(|_| bad("height is not a whole number"))?;
    check_size((w, h)).map_err(|_| bad("must be between 400x300 and 6000x4000"))?;
    Ok((w, h))
}

/// Checks a size is within [`MIN_SIZE_PX`]..=[`MAX_SIZE_PX`].
pub(crate) fn check_size((w, h): (u32, u32)) -> Result<(), PlotError> {
    if (MIN_SIZE_PX.0..=MAX_SIZE_PX.0).contains(&w) && (MIN_SIZE_PX.1..=MAX_SIZE_PX.1).contains(&h) {
        Ok(())
    } else {
        Err(PlotError::InvalidSize {
            input: format!("{w}x{h}"),
            reason: "must be between 400x300 and 6000x4000".to_string(),
        })
    }
}
