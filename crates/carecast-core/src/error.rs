//! Typed errors of the simulation core.
//!
//! The core never reads files, so its errors name a parameter key, not a file
//! position; the scenario loader maps keys back to files and lines.

use thiserror::Error;

/// Errors the core returns.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum CoreError {
    /// A parameter has the wrong shape or an out-of-range value.
    #[error("invalid model parameter `{key}`: expected {expected}")]
    Invalid {
        /// Dotted path of the parameter.
        key: String,
        /// What was expected, with what was found.
        expected: String,
    },
    /// Published data the calibration needs is missing or inconsistent.
    #[error("calibration: {0}")]
    Calibration(String),
}

impl CoreError {
    /// An `Invalid` error.
    pub fn invalid(key: impl Into<String>, expected: impl Into<String>) -> Self {
        CoreError::Invalid { key: key.into(), expected: expected.into() }
    }
}
