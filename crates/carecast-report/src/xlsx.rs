//! XLSX workbook output.
//!
//! What it is: one workbook per call — an "About" sheet carrying provenance
//! (title, carecast version, command line, data vintages, generated date,
//! and each sheet's title and notes), then one sheet per [`Table`] with a
//! bold frozen header row, an autofilter, Excel number formats chosen by
//! [`ColumnKind`], fitted column widths and A4 landscape print settings.
//! Cells hold the raw numbers so analysts can paste or link them.
//! What it is not: a charting or formula engine; it writes values only, and
//! it never reads the clock (the generated date comes from the caller).

use std::collections::HashSet;
use std::path::Path;

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::atomic::write_atomic;
use crate::error::ReportError;
use crate::format::display_cell;
use crate::table::{Cell, ColumnKind, Table};

/// Name of the provenance sheet that always comes first.
pub const ABOUT_SHEET: &str = "About";

/// Excel's limit on a sheet name, in UTF-16 code units.
const MAX_SHEET_NAME: usize = 31;

/// Provenance written to the "About" sheet and the document properties.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkbookMeta {
    /// Workbook title (About sheet heading and document title).
    pub title: String,
    /// carecast version that produced the file.
    pub carecast_version: String,
    /// The command line used, as the user would retype it.
    pub command_line: String,
    /// When the file was generated, as supplied by the caller. If it starts
    /// with an ISO date (`YYYY-MM-DD`) that date is also used as the
    /// document's creation date; otherwise a fixed date is used so output
    /// stays reproducible.
    pub generated: String,
    /// (data source, vintage) pairs, e.g. `("SSDA903", "2024-25 return")`.
    pub data_vintages: Vec<(String, String)>,
    /// Free-text notes shown on the About sheet.
    pub notes: Vec<String>,
}

/// Make `name` a legal Excel sheet name: characters `[]:*?/\` and control
/// characters become `_`, leading/trailing apostrophes and spaces are
/// removed, the result is cut to 31 characters (UTF-16 units, as Excel
/// counts), a blank name becomes `Sheet` and the reserved name `History`
/// becomes `History_`. Uniqueness is handled by [`sanitize_sheet_names`].
pub fn sanitize_sheet_name(name: &str) -> String {
    let replaced: String = name
        .chars()
        .map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() { '_' } else { c })
        .collect();
    let mut out = truncate_utf16(trim_sheet_name(&replaced), MAX_SHEET_NAME);
    out = trim_sheet_name(&out).to_string();
    if out.is_empty() {
        out = "Sheet".to_string();
    }
    if out.to_lowercase() == "history" {
        out.push('_');
    }
    out
}

/// Sanitise each name with [`sanitize_sheet_name`] and make them unique the
/// way Excel compares them (case-insensitively) by appending ` (2)`,
/// ` (3)`, … and cutting the stem so the result still fits 31 characters.
/// Earlier names win, so pass reserved names (like `About`) first.
pub fn sanitize_sheet_names(names: &[&str]) -> Vec<String> {
    let mut used: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let base = sanitize_sheet_name(name);
        let mut candidate = base.clone();
        let mut n: usize = 2;
        while used.contains(&candidate.to_lowercase()) {
            let suffix = format!(" ({n})");
            let room = MAX_SHEET_NAME.saturating_sub(suffix.len());
            let stem = truncate_utf16(&base, room);
            candidate = format!("{}{}", trim_sheet_name(&stem), suffix);
            n += 1;
        }
        used.insert(candidate.to_lowercase());
        out.push(candidate);
    }
    out
}

fn trim_sheet_name(s: &str) -> &str {
    s.trim_matches(|c: char| c == '\'' || c.is_whitespace())
}

fn truncate_utf16(s: &str, max_units: usize) -> String {
    let mut units = 0;
    let mut out = String::new();
    for c in s.chars() {
        units += c.len_utf16();
        if units > max_units {
            break;
        }
        out.push(c);
    }
    out
}

/// Write `tables` to `path` as an XLSX workbook, atomically.
///
/// Sheet order: "About", then the tables in order, named from
/// [`Table::name`] via [`sanitize_sheet_names`]. Fails without touching
/// `path` if any table has a ragged row or exceeds Excel's limits.
pub fn write_xlsx(path: &Path, tables: &[Table], meta: &WorkbookMeta) -> Result<(), ReportError> {
    for table in tables {
        table.validate().map_err(|e| ReportError::table(path, e))?;
    }
    let bytes = build_workbook(tables, meta).map_err(|error| ReportError::Xlsx { path: path.to_path_buf(), error })?;
    write_atomic(path, &bytes)
}

/// Build the workbook in memory and return the XLSX bytes.
fn build_workbook(tables: &[Table], meta: &WorkbookMeta) -> Result<Vec<u8>, XlsxError> {
    let mut names: Vec<&str> = vec![ABOUT_SHEET];
    names.extend(tables.iter().map(|t| t.name.as_str()));
    let sheet_names = sanitize_sheet_names(&names);

    let mut workbook = Workbook::new();
    workbook.set_properties(&properties(meta)?);

    let about = workbook.add_worksheet();
    write_about(about, &sheet_names, tables, meta)?;

    for (table, sheet_name) in tables.iter().zip(sheet_names.iter().skip(1)) {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name.as_str())?;
        write_table_sheet(sheet, table)?;
    }
    workbook.save_to_buffer()
}

fn properties(meta: &WorkbookMeta) -> Result<DocProperties, XlsxError> {
    let created = iso_date_prefix(&meta.generated).and_then(|(y, m, d)| ExcelDateTime::from_ymd(y, m, d).ok());
    let created = match created {
        Some(dt) => dt,
        None => ExcelDateTime::from_ymd(2000, 1, 1)?,
    };
    Ok(DocProperties::new()
        .set_title(meta.title.as_str())
        .set_comment(format!("carecast {}", meta.carecast_version))
        .set_creation_datetime(&created))
}

/// Parse a leading `YYYY-MM-DD`.
fn iso_date_prefix(s: &str) -> Option<(u16, u8, u8)> {
    let s = s.trim();
    let date = s.get(..10)?;
    let mut parts = date.split('-');
    let y = parts.next()?;
    let m = parts.next()?;
    let d = parts.next()?;
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    Some((y.parse().ok()?, m.parse().ok()?, d.parse().ok()?))
}

fn write_about(
    sheet: &mut Worksheet,
    sheet_names: &[String],
    tables: &[Table],
    meta: &WorkbookMeta,
) -> Result<(), XlsxError> {
    let title_fmt = Format::new().set_bold().set_font_size(14);
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let label = Format::new().set_bold().set_align(FormatAlign::Top);

    sheet.set_name(ABOUT_SHEET)?;
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 70)?;
    sheet.set_column_width(2, 70)?;

    let mut row: u32 = 0;
    sheet.write_string_with_format(row, 0, meta.title.as_str(), &title_fmt)?;
    row += 2;

    let fields = [
        ("carecast version", meta.carecast_version.as_str()),
        ("Command line", meta.command_line.as_str()),
        ("Generated", meta.generated.as_str()),
    ];
    for (k, v) in fields {
        sheet.write_string_with_format(row, 0, k, &label)?;
        sheet.write_string_with_format(row, 1, v, &wrap)?;
        row += 1;
    }

    if !meta.data_vintages.is_empty() {
        row += 1;
        sheet.write_string_with_format(row, 0, "Data source", &bold)?;
        sheet.write_string_with_format(row, 1, "Vintage", &bold)?;
        row += 1;
        for (source, vintage) in &meta.data_vintages {
            sheet.write_string_with_format(row, 0, source.as_str(), &label)?;
            sheet.write_string_with_format(row, 1, vintage.as_str(), &wrap)?;
            row += 1;
        }
    }

    if !meta.notes.is_empty() {
        row += 1;
        sheet.write_string_with_format(row, 0, "Notes", &bold)?;
        row += 1;
        for note in &meta.notes {
            sheet.write_string_with_format(row, 1, note.as_str(), &wrap)?;
            row += 1;
        }
    }

    if !tables.is_empty() {
        row += 1;
        sheet.write_string_with_format(row, 0, "Sheet", &bold)?;
        sheet.write_string_with_format(row, 1, "Contents", &bold)?;
        sheet.write_string_with_format(row, 2, "Notes", &bold)?;
        row += 1;
        for (table, name) in tables.iter().zip(sheet_names.iter().skip(1)) {
            sheet.write_string_with_format(row, 0, name.as_str(), &label)?;
            sheet.write_string_with_format(row, 1, table.title.as_str(), &wrap)?;
            if !table.notes.is_empty() {
                sheet.write_string_with_format(row, 2, table.notes.join("\n"), &wrap)?;
            }
            row += 1;
        }
    }
    Ok(())
}

/// Excel number format for a column kind (`None` = General).
pub fn excel_number_format(kind: ColumnKind) -> Option<&'static str> {
    match kind {
        ColumnKind::Text => None,
        ColumnKind::Year => Some("0"),
        ColumnKind::Count => Some("#,##0"),
        ColumnKind::Gbp => Some("\"£\"#,##0"),
        // Two trailing commas scale the shown value by a million.
        ColumnKind::GbpShownInMillions => Some("\"£\"#,##0.0,,\"m\""),
        ColumnKind::Percent => Some("0.0%"),
        ColumnKind::Number => Some("#,##0.00"),
        ColumnKind::Value => None,
    }
}

fn write_table_sheet(sheet: &mut Worksheet, table: &Table) -> Result<(), XlsxError> {
    let ncols = table.columns.len();
    let last_col = match u16::try_from(ncols) {
        Ok(0) => None,
        Ok(n) => Some(n - 1),
        Err(_) => return Err(XlsxError::RowColumnLimitError),
    };
    let nrows = u32::try_from(table.rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;

    let header_base =
        Format::new().set_bold().set_text_wrap().set_align(FormatAlign::Top).set_border_bottom(FormatBorder::Thin);
    let formats: Vec<Format> = table
        .columns
        .iter()
        .map(|c| match excel_number_format(c.kind) {
            Some(f) => Format::new().set_num_format(f),
            None => Format::new(),
        })
        .collect();

    for (c, column) in table.columns.iter().enumerate() {
        let col = col_num(c)?;
        let header = if column.kind.is_numeric() {
            header_base.clone().set_align(FormatAlign::Right)
        } else {
            header_base.clone()
        };
        sheet.write_string_with_format(0, col, column.name.as_str(), &header)?;
        sheet.set_column_width(col, column_width(table, c))?;
    }

    for (r, row) in table.rows.iter().enumerate() {
        let xrow = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, (cell, format)) in row.iter().zip(&formats).enumerate() {
            let col = col_num(c)?;
            match cell {
                Cell::Text(s) => {
                    sheet.write_string(xrow, col, s.as_str())?;
                }
                Cell::Number(v) if v.is_finite() => {
                    sheet.write_number_with_format(xrow, col, *v, format)?;
                }
                Cell::Number(_) | Cell::Empty => {}
            }
        }
    }

    if let Some(last_col) = last_col {
        sheet.set_freeze_panes(1, 0)?;
        sheet.autofilter(0, 0, nrows, last_col)?;
        sheet.set_repeat_rows(0, 0)?;
    }
    sheet.set_paper_size(9); // A4
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    Ok(())
}

fn col_num(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

/// Width in Excel character units: the longest of the header (plus room for
/// the autofilter button) and the displayed cells, within 8..=60.
fn column_width(table: &Table, c: usize) -> f64 {
    let Some(column) = table.columns.get(c) else {
        return 8.0;
    };
    let header = column.name.chars().count() + 4;
    let longest = table
        .rows
        .iter()
        .filter_map(|row| row.get(c))
        .map(|cell| display_cell(column.kind, cell).chars().count() + 2)
        .max()
        .unwrap_or(0);
    let width = header.max(longest).clamp(8, 60);
    width as f64
}
