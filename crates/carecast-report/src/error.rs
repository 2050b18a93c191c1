//! Error types for `carecast-report`.
//!
//! What it is: the single [`ReportError`] returned by every writer, plus
//! [`TableError`] for a table whose shape is wrong. Every I/O-ish variant names
//! the path it was writing. What it is not: a place for simulation or
//! scenario errors; this crate only writes tables and documents.

use std::io;
use std::path::{Path, PathBuf};

/// A table that cannot be written as given.
///
/// Row numbers are 1-based data rows (the header is not counted), matching
/// what an analyst sees below the header in a spreadsheet.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// A row has a different number of cells from the table's columns.
    #[error("table `{table}` row {row} has {found} cells but the table has {expected} columns")]
    RaggedRow {
        /// Table name.
        table: String,
        /// 1-based data row number.
        row: usize,
        /// Number of columns declared.
        expected: usize,
        /// Number of cells found in the row.
        found: usize,
    },
    /// A column named by the caller does not exist.
    #[error("table `{table}` has no column named `{column}`")]
    MissingColumn {
        /// Table name.
        table: String,
        /// The column that was asked for.
        column: String,
    },
    /// Two rows map to the same output cell when pivoting.
    #[error(
        "table `{table}` row {row} repeats the combination of keys of an earlier row \
         (column `{column_label}`); pivoting would lose a value"
    )]
    DuplicateKey {
        /// Table name.
        table: String,
        /// 1-based data row number of the second occurrence.
        row: usize,
        /// The output column label that would be written twice.
        column_label: String,
    },
    /// A call's arguments are inconsistent (e.g. a key used twice).
    #[error("table `{table}`: {message}")]
    InvalidArgument {
        /// Table name.
        table: String,
        /// What is wrong.
        message: String,
    },
}

/// Every error this crate returns. The underlying error is part of the
/// message, not a separate `source`, so an error chain prints it once.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Creating, writing, syncing or renaming a file failed.
    #[error("cannot write `{}`: {error}", path.display())]
    Io {
        /// The target path.
        path: PathBuf,
        /// The underlying I/O error.
        error: io::Error,
    },
    /// The XLSX library rejected the workbook (e.g. over Excel's size limits).
    #[error("cannot build workbook `{}`: {error}", path.display())]
    Xlsx {
        /// The target path.
        path: PathBuf,
        /// The underlying library error.
        error: rust_xlsxwriter::XlsxError,
    },
    /// A table passed to a writer is malformed; nothing was written.
    #[error("cannot write `{}`: {error}", path.display())]
    Table {
        /// The target path.
        path: PathBuf,
        /// What is wrong with the table.
        error: TableError,
    },
    /// A table passed to a transformation (no file involved) is malformed.
    #[error(transparent)]
    InvalidTable(#[from] TableError),
}

impl ReportError {
    /// The file this error concerns, if any.
    pub fn path(&self) -> Option<&Path> {
        match self {
            ReportError::Io { path, .. } | ReportError::Xlsx { path, .. } | ReportError::Table { path, .. } => {
                Some(path)
            }
            ReportError::InvalidTable(_) => None,
        }
    }

    pub(crate) fn io(path: &Path, source: io::Error) -> Self {
        ReportError::Io { path: path.to_path_buf(), error: source }
    }

    pub(crate) fn table(path: &Path, source: TableError) -> Self {
        ReportError::Table { path: path.to_path_buf(), error: source }
    }
}
