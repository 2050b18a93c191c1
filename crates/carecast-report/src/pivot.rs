//! Long-to-wide reshaping for medium-term financial plan layouts.
//!
//! What it is: [`pivot_wide`], turning long rows such as
//! `scenario, year, measure, breakdown, value` into one row per
//! (scenario, measure, breakdown) with one column per year, labelled as a
//! financial year (`2025` -> `2024-25`) when the key column is a
//! [`ColumnKind::Year`]. What it is not: an aggregator; two long rows that
//! land in the same wide cell are an error, never summed or overwritten.

use std::collections::{HashMap, HashSet};

use crate::error::{ReportError, TableError};
use crate::format::{financial_year_label, format_plain};
use crate::table::{Cell, Column, ColumnKind, Table};

/// Hashable identity of a cell, used to group rows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Text(String),
    Number(u64),
    Empty,
}

fn key_of(cell: &Cell) -> Key {
    match cell {
        Cell::Text(s) => Key::Text(s.clone()),
        // +0.0 and -0.0 are the same key; every NaN is one key.
        Cell::Number(v) if *v == 0.0 => Key::Number(0),
        Cell::Number(v) if v.is_nan() => Key::Number(f64::NAN.to_bits()),
        Cell::Number(v) => Key::Number(v.to_bits()),
        Cell::Empty => Key::Empty,
    }
}

/// Column heading for a value of the pivoted key column.
fn column_label(kind: ColumnKind, cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Empty => String::new(),
        Cell::Number(v) => {
            let whole = v.fract() == 0.0 && v.abs() <= f64::from(i32::MAX);
            if kind == ColumnKind::Year && whole {
                // A whole number in i32 range, so the cast is exact.
                let year = *v as i32;
                financial_year_label(year)
            } else {
                format_plain(*v)
            }
        }
    }
}

/// Reshape `long` so each distinct combination of `row_keys` becomes one
/// row and each distinct value of `column_key` becomes one column holding
/// `value`.
///
/// * Output columns: the `row_keys` columns (same kinds), then one column
///   per key value, with the kind of the `value` column. Key columns of kind
///   [`ColumnKind::Year`] holding whole numbers are labelled as financial
///   years (`2025` -> `2024-25`); text keys are used as they are.
/// * Column order: ascending when every key is a number, otherwise order of
///   first appearance. Row order: order of first appearance.
/// * Missing combinations are [`Cell::Empty`]. Columns of `long` not named
///   are dropped; if they distinguished rows the duplicate check fires.
/// * The output is named `<name>_wide`, keeps the title and notes, and adds
///   a note explaining financial years when years were relabelled.
///
/// Errors: a missing column, a key named twice, a ragged row, or two rows
/// with the same row keys and column key.
pub fn pivot_wide(long: &Table, row_keys: &[&str], column_key: &str, value: &str) -> Result<Table, ReportError> {
    long.validate()?;
    let invalid = |message: String| TableError::InvalidArgument { table: long.name.clone(), message };

    let key_idx: Vec<usize> = row_keys.iter().map(|k| long.column_index(k)).collect::<Result<_, _>>()?;
    let col_idx = long.column_index(column_key)?;
    let val_idx = long.column_index(value)?;

    let mut all = key_idx.clone();
    all.push(col_idx);
    all.push(val_idx);
    for (i, a) in all.iter().enumerate() {
        if all[..i].contains(a) {
            let name = long.columns.get(*a).map_or("", |c| c.name.as_str());
            return Err(invalid(format!("column `{name}` is used more than once in the pivot")).into());
        }
    }

    let col_kind = long.columns.get(col_idx).map_or(ColumnKind::Text, |c| c.kind);
    let val_kind = long.columns.get(val_idx).map_or(ColumnKind::Number, |c| c.kind);

    // Distinct column labels. Identity is the label, so the number 2025 and
    // the text "2024-25" in a Year column share a column.
    let mut labels: Vec<(String, Option<f64>)> = Vec::new();
    let mut label_pos: HashMap<String, usize> = HashMap::new();
    for row in &long.rows {
        let Some(cell) = row.get(col_idx) else {
            continue;
        };
        let label = column_label(col_kind, cell);
        if !label_pos.contains_key(&label) {
            label_pos.insert(label.clone(), labels.len());
            labels.push((label, cell.as_finite()));
        }
    }
    if labels.iter().all(|(_, n)| n.is_some()) {
        labels.sort_by(|a, b| {
            let (x, y) = (a.1.unwrap_or(0.0), b.1.unwrap_or(0.0));
            x.total_cmp(&y)
        });
    }
    let label_pos: HashMap<&str, usize> = labels.iter().enumerate().map(|(i, (l, _))| (l.as_str(), i)).collect();

    let mut out_rows: Vec<Vec<Cell>> = Vec::new();
    let mut row_pos: HashMap<Vec<Key>, usize> = HashMap::new();
    let mut filled: HashSet<(usize, usize)> = HashSet::new();
    let nkeys = key_idx.len();
    for (r, row) in long.rows.iter().enumerate() {
        let keys: Vec<Key> = key_idx.iter().map(|&i| row.get(i).map_or(Key::Empty, key_of)).collect();
        let pos = match row_pos.get(&keys) {
            Some(&p) => p,
            None => {
                let mut new_row: Vec<Cell> =
                    key_idx.iter().map(|&i| row.get(i).cloned().unwrap_or(Cell::Empty)).collect();
                new_row.resize(nkeys + labels.len(), Cell::Empty);
                out_rows.push(new_row);
                row_pos.insert(keys, out_rows.len() - 1);
                out_rows.len() - 1
            }
        };
        let label = row.get(col_idx).map_or(String::new(), |c| column_label(col_kind, c));
        let Some(&c) = label_pos.get(label.as_str()) else {
            continue;
        };
        let v = row.get(val_idx).cloned().unwrap_or(Cell::Empty);
        if !filled.insert((pos, c)) {
            return Err(TableError::DuplicateKey { table: long.name.clone(), row: r + 1, column_label: label }.into());
        }
        if let Some(slot) = out_rows.get_mut(pos).and_then(|r| r.get_mut(nkeys + c)) {
            *slot = v;
        }
    }

    let mut columns: Vec<Column> = key_idx.iter().filter_map(|&i| long.columns.get(i).cloned()).collect();
    columns.extend(labels.iter().map(|(l, _)| Column::new(l.clone(), val_kind)));

    let mut notes = long.notes.clone();
    let relabelled =
        col_kind == ColumnKind::Year && long.rows.iter().any(|r| matches!(r.get(col_idx), Some(Cell::Number(_))));
    if relabelled {
        notes.push("Columns are financial years April to March: 2024-25 is the year ending 31 March 2025.".to_string());
    }

    Ok(Table { name: format!("{}_wide", long.name), title: long.title.clone(), columns, rows: out_rows, notes })
}
