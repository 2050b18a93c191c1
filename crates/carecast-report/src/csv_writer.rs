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
use crate::format::plain_into;
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
/// [`Table::validate`] first if a rectangular file matters. A large table's
/// rows are formatted in parallel, in blocks written in order, so the bytes
/// are the same as formatting them one by one.
pub fn write_csv_to(w: &mut dyn Write, table: &Table) -> io::Result<()> {
    /// Rows below which one thread formats everything.
    const PARALLEL_FROM_ROWS: usize = 20_000;
    let mut header = csv_writer(Vec::new());
    header.write_record(table.columns.iter().map(|c| c.name.as_str())).map_err(io::Error::other)?;
    w.write_all(&header.into_inner().map_err(|e| io::Error::other(e.to_string()))?)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || table.rows.len() < PARALLEL_FROM_ROWS {
        return w.write_all(&format_rows(&table.rows)?);
    }
    let block = table.rows.len().div_ceil(threads);
    let blocks: Vec<io::Result<Vec<u8>>> = std::thread::scope(|s| {
        let handles: Vec<_> = table.rows.chunks(block).map(|rows| s.spawn(move || format_rows(rows))).collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Err(io::Error::other("a CSV block failed")))).collect()
    });
    for bytes in blocks {
        w.write_all(&bytes?)?;
    }
    Ok(())
}

/// The CSV writer every block uses (CRLF, rows of any length).
fn csv_writer<W: Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).flexible(true).from_writer(w)
}

/// `rows` as CSV records, field by field: text cells are written as they are
/// and numbers through one reused buffer, so no string is built for a cell.
fn format_rows(rows: &[Vec<Cell>]) -> io::Result<Vec<u8>> {
    let mut out = csv_writer(Vec::new());
    let mut number = String::new();
    for row in rows {
        for cell in row {
            let field = match cell {
                Cell::Text(s) => s.as_str(),
                Cell::Number(v) => {
                    plain_into(*v, &mut number);
                    number.as_str()
                }
                Cell::Empty => "",
            };
            out.write_field(field).map_err(io::Error::other)?;
        }
        out.write_record(std::iter::empty::<&[u8]>()).map_err(io::Error::other)?;
    }
    out.into_inner().map_err(|e| io::Error::other(e.to_string()))
}
