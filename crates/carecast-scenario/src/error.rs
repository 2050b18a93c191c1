//! Errors of the scenario loader: every one names the file and the line and
//! column or key (or the run option), and says what was expected.
//!
//! Not here: the binary's context chain (`anyhow`) or exit codes.

use thiserror::Error;

/// A located error.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ScenarioError {
    /// A problem at a position in a file.
    #[error("{file}:{line}:{column}: expected {expected}")]
    At {
        /// File path as the user gave it (or `seeds/...` for bundled data).
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What was expected, and what was found.
        expected: String,
    },
    /// A parse or type error reported by the TOML reader, at a position.
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        /// File path.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The reader's message (what was found and what was expected).
        message: String,
    },
    /// A problem with a key, where no single position applies.
    #[error("{file}: key `{key}`: expected {expected}")]
    Key {
        /// File path.
        file: String,
        /// Dotted key.
        key: String,
        /// What was expected, and what was found.
        expected: String,
    },
    /// A run option (a command-line flag such as `--start-year`) the
    /// scenario cannot take.
    #[error("{option}: expected {expected}")]
    RunOption {
        /// The option as the user gave it, e.g. `--start-year 2030`.
        option: String,
        /// What was expected, and what was found.
        expected: String,
    },
    /// A file could not be read.
    #[error("{file}: cannot read: {reason}")]
    Io {
        /// File path.
        file: String,
        /// The operating system's reason.
        reason: String,
    },
    /// The model core rejected the resolved parameters. The core's message is
    /// part of this one (not a separate `source`), so an error chain prints it once.
    #[error("{file}: {error}")]
    Core {
        /// Scenario file.
        file: String,
        /// The core's error.
        error: carecast_core::CoreError,
    },
}

impl ScenarioError {
    /// A data-file error at a line and column.
    pub fn data(file: &str, line: usize, column: usize, expected: impl Into<String>) -> Self {
        ScenarioError::At { file: file.to_string(), line, column, expected: expected.into() }
    }
    /// A key error, located in `source` text when the key's last segment can be found.
    pub fn key(file: &str, source: Option<&str>, key: &str, expected: impl Into<String>) -> Self {
        let expected = expected.into();
        if let Some((line, column)) = source.and_then(|s| locate_key(s, key)) {
            return ScenarioError::At {
                file: file.to_string(),
                line,
                column,
                expected: format!("{expected} (key `{key}`)"),
            };
        }
        ScenarioError::Key { file: file.to_string(), key: key.to_string(), expected }
    }
}

/// Finds the line and column of a dotted key's last segment in TOML text:
/// the first line, after the line that opens the key's table if any, where
/// the segment appears as a key (`seg =`, `seg=`, `[...seg]` or `id = "seg"`).
pub fn locate_key(source: &str, key: &str) -> Option<(usize, usize)> {
    let segments: Vec<&str> = key.split('.').filter(|s| !s.is_empty() && s.parse::<usize>().is_err()).collect();
    let last = *segments.last()?;
    let mut from_line = 0;
    // Narrow down to the table header of the first segment when present.
    if let Some(first) = segments.first() {
        for (i, line) in source.lines().enumerate() {
            let t = line.trim_start();
            if t.starts_with('[') && t.contains(first) {
                from_line = i;
                break;
            }
        }
    }
    let patterns = [format!("{last} ="), format!("{last}="), format!("\"{last}\""), format!("{last}]")];
    for (i, line) in source.lines().enumerate().skip(from_line) {
        for p in &patterns {
            if let Some(col) = line.find(p.as_str()) {
                return Some((i + 1, col + 1));
            }
        }
    }
    None
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest candidate within a small distance, for "did you mean".
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}
