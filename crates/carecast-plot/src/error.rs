//! The crate's error type, [`PlotError`].
//!
//! This file only defines errors; it does not decide when they are raised.

use std::path::PathBuf;

/// Everything that can go wrong while describing, rendering or writing a chart.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// A `WIDTHxHEIGHT` string or size that is malformed or out of range.
    #[error("invalid chart size {input:?}: {reason}")]
    InvalidSize {
        /// The size as given.
        input: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Data that cannot be drawn honestly (e.g. mismatched lengths).
    #[error("invalid chart data: {0}")]
    InvalidData(String),
    /// The chart's text leaves no room for the plot at this size.
    #[error(
        "chart of {width_px}x{height_px} px is too small for its text (plot area would be {plot_width_px}x{plot_height_px} px)"
    )]
    TooSmall {
        /// Requested image width.
        width_px: u32,
        /// Requested image height.
        height_px: u32,
        /// Width left for the plot area.
        plot_width_px: i64,
        /// Height left for the plot area.
        plot_height_px: i64,
    },
    /// The embedded font could not be registered with plotters.
    #[error("could not register the embedded Noto Sans font: {0}")]
    Font(String),
    /// plotters reported an error while drawing.
    #[error("drawing failed: {0}")]
    Drawing(String),
    /// The PNG encoder failed.
    #[error("PNG encoding failed: {0}")]
    PngEncode(String),
    /// An output format name that is not `png` or `svg`.
    #[error("unknown image format {0:?} (expected png, svg, or both separated by commas)")]
    UnknownFormat(String),
    /// Reading or writing a file failed.
    #[error("could not write {}: {error}", path.display())]
    Io {
        /// The file being written.
        path: PathBuf,
        /// The underlying I/O error (in the message, so an error chain prints it once).
        error: std::io::Error,
    },
}
