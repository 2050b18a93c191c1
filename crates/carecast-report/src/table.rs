//! Plain tabular data handed to the writers.
//!
//! What it is: [`Table`], [`Column`], [`ColumnKind`] and [`Cell`] — a
//! rectangular grid of text/number cells with a display kind per column, plus
//! shape validation. What it is not: a dataframe; it does no arithmetic and
//! knows nothing about scenarios, placements or years beyond the display kind.

use serde::{Deserialize, Serialize};

use crate::error::TableError;

/// How a column's numbers are meant to be read and displayed.
///
/// The stored value is never rescaled: CSV always carries the raw number;
/// XLSX applies a number format; HTML formats the number as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ColumnKind {
    /// Free text (scenario names, breakdown labels).
    Text,
    /// An integer year (e.g. `2025`) or a text label such as `"2024-25"`.
    /// Shown without a thousands separator.
    Year,
    /// A whole count of children, placements, days: `81,770`.
    Count,
    /// Pounds sterling: `£1,234,567`.
    Gbp,
    /// Pounds sterling shown in millions, for large sums in a committee
    /// pack: `16766667443` is `£16,766.7m` in HTML and in Excel (by its number
    /// format), and stays in pounds in the CSV and in the Excel cell.
    GbpShownInMillions,
    /// A fraction shown as a percentage: `0.123` is `12.3%`.
    Percent,
    /// Any other number, shown to two decimal places: `1,234.57`.
    Number,
    /// A parameter value of any size (a probability of 0.0016, a cost of
    /// 60000), shown as its shortest exact decimal (`0.0016`) and kept as a
    /// number in General format in Excel.
    Value,
}

impl ColumnKind {
    /// Whether cells of this kind are numeric (right-aligned in HTML).
    pub fn is_numeric(self) -> bool {
        !matches!(self, ColumnKind::Text)
    }
}

/// A named column with a display kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// Header text, also the CSV header.
    pub name: String,
    /// How values are displayed.
    pub kind: ColumnKind,
}

impl Column {
    /// A column called `name` of the given kind.
    pub fn new(name: impl Into<String>, kind: ColumnKind) -> Self {
        Column { name: name.into(), kind }
    }
}

/// One cell. Non-finite numbers are written as empty cells by every writer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Cell {
    /// Text, written verbatim (escaped as each format requires).
    Text(String),
    /// A number; NaN and infinities are written as empty cells.
    Number(f64),
    /// No value.
    Empty,
}

impl Cell {
    /// The number in this cell, if it holds a finite number.
    pub fn as_finite(&self) -> Option<f64> {
        match self {
            Cell::Number(v) if v.is_finite() => Some(*v),
            _ => None,
        }
    }
}

impl From<f64> for Cell {
    fn from(v: f64) -> Self {
        Cell::Number(v)
    }
}

impl From<i32> for Cell {
    fn from(v: i32) -> Self {
        Cell::Number(f64::from(v))
    }
}

impl From<u32> for Cell {
    fn from(v: u32) -> Self {
        Cell::Number(f64::from(v))
    }
}

impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Cell::Text(v.to_string())
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Cell::Text(v)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// A titled rectangular table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Short machine name: XLSX sheet name (sanitised) and CSV file stem.
    pub name: String,
    /// Human title, shown above the table in HTML and on the About sheet.
    pub title: String,
    /// Column definitions, in order.
    pub columns: Vec<Column>,
    /// Rows; each must have exactly `columns.len()` cells.
    pub rows: Vec<Vec<Cell>>,
    /// Footnotes (sources, caveats), shown in HTML and on the About sheet.
    pub notes: Vec<String>,
}

impl Table {
    /// An empty table with the given name, title and columns.
    pub fn new(name: impl Into<String>, title: impl Into<String>, columns: Vec<Column>) -> Self {
        Table { name: name.into(), title: title.into(), columns, rows: Vec::new(), notes: Vec::new() }
    }

    /// Append a row (not checked here; writers check the shape).
    pub fn push_row(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    /// Index of the column called `name`.
    pub fn column_index(&self, name: &str) -> Result<usize, TableError> {
        self.columns
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| TableError::MissingColumn { table: self.name.clone(), column: name.to_string() })
    }

    /// Check every row has exactly one cell per column.
    pub fn validate(&self) -> Result<(), TableError> {
        let expected = self.columns.len();
        for (i, row) in self.rows.iter().enumerate() {
            if row.len() != expected {
                return Err(TableError::RaggedRow { table: self.name.clone(), row: i + 1, expected, found: row.len() });
            }
        }
        Ok(())
    }
}
