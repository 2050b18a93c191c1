//! CSV output.
//!
//! What it is: RFC 4180 CSV of one [`Table`] — a header of column names, then
//! one record per row, numbers in plain full-precision form (no exponent, no
//! thousands separators) so other tools read back exactly the same values.
//! What it is not: a presentation format; titles, notes and column kinds are
//! not written (use XLSX or HTML for those).

use std::io::{self, Write};
use std::path::Path;

use crate::atomic::write_atomic_with;
use crate::error::ReportError;
use crate::format::format_plain;
use crate::table::{Cell, Table};

/// Write `table` to `path` as CSV, atomically.
///
/// Fails without touching `path` if a row is ragged. NaN and infinite
/// numbers become empty fields.
pub fn write_csv(path: &Path, table: &Table) -> Result<(), ReportError> {
    table.validate().map_err(|e| ReportError::table(path, e))?;
    write_atomic_with(path, |w| write_csv_to(w, table))
}

/// Write `table` as CSV to any writer (no shape check, no atomicity).
/// Rows are written as they are, so the caller should
/// [`Table::validate`] first if a rectangular file matters.
pub fn write_csv_to(w: &mut dyn Write, table: &Table) -> io::Result<()> {
    let mut out = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).flexible(true).from_writer(w);
    out.write_record(table.columns.iter().map(|c| c.name.as_str())).map_err(io::Error::other)?;
    for row in &table.rows {
        out.write_record(row.iter().map(cell_text)).map_err(io::Error::other)?;
    }
    out.flush()
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Number(v) => format_plain(*v),
        Cell::Empty => String::new(),
    }
}
