//! carecast-report: writers for carecast's outputs.
//!
//! What it is: plain tables ([`Table`]) and documents ([`HtmlReport`]) turned
//! into files analysts paste into committee papers and medium-term financial
//! plan workbooks — CSV for machines, XLSX with number formats and an
//! "About" provenance sheet, and self-contained printable HTML — all written
//! atomically through [`write_atomic_with`]. Also UK number formatting,
//! financial-year labels and a long-to-wide pivot for MTFP layouts.
//!
//! What it is not: anything to do with the simulation. It knows no scenarios,
//! placements or costs, draws no charts (SVG arrives finished) and never
//! reads the clock; dates and versions are supplied by the caller.

mod atomic;
mod csv_writer;
mod error;
mod format;
mod html;
mod pivot;
mod svg;
mod table;
mod xlsx;

pub use atomic::{write_atomic, write_atomic_with};
pub use csv_writer::{write_csv, write_csv_to};
pub use error::{ReportError, TableError};
pub use format::{
    NOT_AVAILABLE, display_cell, financial_year_label, format_count, format_gbp, format_gbp_millions,
    format_gbp_pounds, format_grouped, format_percent, format_plain,
};
pub use html::{Block, HtmlReport, Section, escape_html};
pub use pivot::pivot_wide;
pub use svg::sanitize_svg;
pub use table::{Cell, Column, ColumnKind, Table};
pub use xlsx::{ABOUT_SHEET, WorkbookMeta, excel_number_format, sanitize_sheet_name, sanitize_sheet_names, write_xlsx};
