//! Integration tests for `pivot_wide`.
//!
//! What it is: a small hand-made long table pivoted to the MTFP wide layout,
//! with the expected wide table written out by hand, plus the error cases.
//! What it is not: a test of any writer.

use carecast_report::{Cell, Column, ColumnKind, ReportError, Table, TableError, pivot_wide};

fn long() -> Table {
    let mut t = Table::new(
        "cost_long",
        "Cost by scenario",
        vec![
            Column::new("scenario", ColumnKind::Text),
            Column::new("year", ColumnKind::Year),
            Column::new("measure", ColumnKind::Text),
            Column::new("breakdown", ColumnKind::Text),
            Column::new("value", ColumnKind::Gbp),
        ],
    );
    let row = |s: &str, y: f64, m: &str, b: &str, v: f64| {
        vec![Cell::from(s), Cell::Number(y), Cell::from(m), Cell::from(b), Cell::Number(v)]
    };
    // Years deliberately out of order; one combination missing.
    t.rows = vec![
        row("baseline", 2026.0, "cost", "fostering", 110.0),
        row("baseline", 2025.0, "cost", "fostering", 100.0),
        row("baseline", 2025.0, "cost", "residential", 500.0),
        row("high", 2025.0, "cost", "fostering", 105.0),
        row("high", 2026.0, "cost", "fostering", 120.0),
        row("baseline", 2027.0, "cost", "residential", 560.0),
    ];
    t.notes = vec!["Outturn prices".to_string()];
    t
}

#[test]
fn pivot_to_financial_year_columns() {
    let wide = pivot_wide(&long(), &["scenario", "measure", "breakdown"], "year", "value").unwrap();
    assert_eq!(wide.name, "cost_long_wide");
    assert_eq!(wide.title, "Cost by scenario");
    let names: Vec<&str> = wide.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["scenario", "measure", "breakdown", "2024-25", "2025-26", "2026-27"]);
    let kinds: Vec<ColumnKind> = wide.columns.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [ColumnKind::Text, ColumnKind::Text, ColumnKind::Text, ColumnKind::Gbp, ColumnKind::Gbp, ColumnKind::Gbp]
    );
    let t = |s: &str| Cell::from(s);
    let n = Cell::Number;
    assert_eq!(
        wide.rows,
        vec![
            vec![t("baseline"), t("cost"), t("fostering"), n(100.0), n(110.0), Cell::Empty],
            vec![t("baseline"), t("cost"), t("residential"), n(500.0), Cell::Empty, n(560.0)],
            vec![t("high"), t("cost"), t("fostering"), n(105.0), n(120.0), Cell::Empty],
        ]
    );
    assert_eq!(wide.notes.len(), 2);
    assert_eq!(wide.notes[0], "Outturn prices");
    assert!(wide.notes[1].contains("year ending 31 March 2025"));
    wide.validate().unwrap();
}

#[test]
fn pivot_keeps_text_year_labels_and_merges_them_with_numbers() {
    let mut l = long();
    l.rows[1][1] = Cell::from("2024-25"); // same financial year as 2025
    let wide = pivot_wide(&l, &["scenario", "measure", "breakdown"], "year", "value").unwrap();
    // Not all keys numeric: order of first appearance.
    let names: Vec<&str> = wide.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["scenario", "measure", "breakdown", "2025-26", "2024-25", "2026-27"]);
    assert_eq!(wide.rows[0][4], Cell::Number(100.0));
    assert_eq!(wide.rows[1][4], Cell::Number(500.0));
}

#[test]
fn pivot_duplicate_cell_is_an_error() {
    let mut l = long();
    let dup = l.rows[0].clone();
    l.rows.push(dup);
    let err = pivot_wide(&l, &["scenario", "measure", "breakdown"], "year", "value").unwrap_err();
    match err {
        ReportError::InvalidTable(TableError::DuplicateKey { table, row, column_label }) => {
            assert_eq!(table, "cost_long");
            assert_eq!(row, 7);
            assert_eq!(column_label, "2025-26");
        }
        other => panic!("unexpected {other:?}"),
    }
    // Dropping a distinguishing key also makes duplicates, not silent loss.
    assert!(pivot_wide(&long(), &["scenario", "measure"], "year", "value").is_err());
}

#[test]
fn pivot_bad_arguments_are_errors() {
    let l = long();
    let err = pivot_wide(&l, &["scenario", "nope"], "year", "value").unwrap_err();
    assert!(err.to_string().contains("`nope`"), "{err}");
    assert!(pivot_wide(&l, &["scenario", "year"], "year", "value").is_err());
    assert!(pivot_wide(&l, &["scenario"], "year", "scenario").is_err());
    let mut ragged = long();
    ragged.rows[3].pop();
    let err = pivot_wide(&ragged, &["scenario"], "year", "value").unwrap_err();
    assert!(err.to_string().contains("row 4"), "{err}");
}

#[test]
fn pivot_non_year_key_uses_plain_labels() {
    let mut l = Table::new(
        "q",
        "quantiles",
        vec![
            Column::new("scenario", ColumnKind::Text),
            Column::new("quantile", ColumnKind::Number),
            Column::new("children", ColumnKind::Count),
        ],
    );
    l.rows = vec![
        vec![Cell::from("a"), Cell::Number(0.9), Cell::Number(12.0)],
        vec![Cell::from("a"), Cell::Number(0.1), Cell::Number(8.0)],
    ];
    let wide = pivot_wide(&l, &["scenario"], "quantile", "children").unwrap();
    let names: Vec<&str> = wide.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["scenario", "0.1", "0.9"]);
    assert_eq!(wide.rows, vec![vec![Cell::from("a"), Cell::Number(8.0), Cell::Number(12.0)]]);
    assert_eq!(wide.notes, Vec::<String>::new());
}
