//! Integration tests for CSV output.
//!
//! What it is: round-trips tables through `write_csv` and the `csv` crate,
//! and checks exact bytes for a small table. What it is not: a test of XLSX
//! or HTML output.

mod common;

use carecast_report::{Cell, Column, ColumnKind, ReportError, Table, TableError, write_csv};
use common::{HEADER, Want, expected_rows, placements};

#[test]
fn csv_round_trips_header_and_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("placements.csv");
    write_csv(&path, &placements()).unwrap();

    let mut rdr = csv::Reader::from_path(&path).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, HEADER);

    let records: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let want = expected_rows();
    assert_eq!(records.len(), want.len());
    for (r, (rec, want_row)) in records.iter().zip(&want).enumerate() {
        assert_eq!(rec.len(), want_row.len(), "row {r}");
        for (c, (field, w)) in rec.iter().zip(want_row).enumerate() {
            match w {
                Want::Text(s) => assert_eq!(field, *s, "row {r} col {c}"),
                Want::Empty => assert_eq!(field, "", "row {r} col {c}"),
                Want::Num(v) => {
                    assert!(
                        !field.contains(['e', 'E', ',']),
                        "row {r} col {c}: `{field}` must have no exponent or separator"
                    );
                    let got: f64 = field.parse().unwrap();
                    assert_eq!(got.to_bits(), v.to_bits(), "row {r} col {c}: `{field}`");
                }
            }
        }
    }
}

#[test]
fn csv_exact_bytes_small_table() {
    let mut t = Table::new(
        "t",
        "ignored title",
        vec![Column::new("name", ColumnKind::Text), Column::new("value", ColumnKind::Gbp)],
    );
    t.rows = vec![
        vec![Cell::from("a,b"), Cell::Number(1500000.0)],
        vec![Cell::from("say \"hi\""), Cell::Number(0.000001)],
        vec![Cell::Empty, Cell::Number(f64::NEG_INFINITY)],
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    write_csv(&path, &t).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, "name,value\r\n\"a,b\",1500000\r\n\"say \"\"hi\"\"\",0.000001\r\n,\r\n");
}

#[test]
fn csv_ragged_row_is_an_error_naming_table_row_and_path() {
    let mut t = placements();
    t.rows[1].pop();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ragged.csv");
    let err = write_csv(&path, &t).unwrap_err();
    match &err {
        ReportError::Table { error: TableError::RaggedRow { table, row, expected, found }, .. } => {
            assert_eq!(table, "placements");
            assert_eq!((*row, *expected, *found), (2, 7, 6));
        }
        other => panic!("unexpected error {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("ragged.csv"), "{msg}");
    assert!(msg.contains("row 2"), "{msg}");
    assert_eq!(err.path(), Some(path.as_path()));
    assert!(!path.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// A table large enough to be formatted in parallel blocks gives the bytes
/// of a plain record-by-record CSV writer (the `csv` crate with each number
/// formatted by `Display`), including quoted text and empty cells at the
/// block boundaries.
#[test]
fn a_large_table_in_parallel_blocks_matches_a_record_by_record_writer() {
    let mut table = Table::new(
        "big",
        "big",
        vec![
            Column::new("area", ColumnKind::Text),
            Column::new("value", ColumnKind::Number),
            Column::new("note", ColumnKind::Text),
        ],
    );
    let rows = 45_001;
    let mut want = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    want.write_record(["area", "value", "note"]).unwrap();
    for i in 0..rows {
        let v = (i as f64 * 0.37).sin() * 1e6 / (i as f64 + 1.0);
        let note = if i % 3 == 0 { format!("a, \"quoted\" note {i}") } else { String::new() };
        let value = if v == 0.0 { "0".to_string() } else { v.to_string() };
        want.write_record([format!("E{i:08}"), value, note.clone()]).unwrap();
        let note = if note.is_empty() { Cell::Empty } else { Cell::Text(note) };
        table.push_row(vec![Cell::Text(format!("E{i:08}")), Cell::Number(v), note]);
    }
    let want = want.into_inner().unwrap();
    let mut got = Vec::new();
    carecast_report::write_csv_to(&mut got, &table).unwrap();
    assert_eq!(got.len(), want.len());
    assert!(got == want, "the bytes differ");
}
