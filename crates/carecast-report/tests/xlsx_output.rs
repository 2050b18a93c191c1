//! Integration tests for XLSX output.
//!
//! What it is: writes workbooks with `write_xlsx`, reads them back with
//! calamine (values, header, sheet names, row counts) and reads the raw sheet
//! XML for what calamine cannot see (frozen header, autofilter, number
//! formats). What it is not: a test of Excel rendering itself.

mod common;

use std::io::Read;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use carecast_report::{Cell, Column, ColumnKind, ReportError, Table, WorkbookMeta, write_csv, write_xlsx};
use common::{HEADER, Want, expected_rows, placements};

fn meta() -> WorkbookMeta {
    WorkbookMeta {
        title: "Carecast forecast: Anyshire".to_string(),
        carecast_version: "0.1.0".to_string(),
        command_line: "carecast forecast --config anyshire.toml".to_string(),
        generated: "2026-03-31".to_string(),
        data_vintages: vec![("SSDA903".to_string(), "2024-25 return".to_string())],
        notes: vec!["Figures are projections, not budgets.".to_string()],
    }
}

fn second_table() -> Table {
    let mut t = Table::new(
        "Costs: £m [2025/26]?",
        "Costs by placement type",
        vec![Column::new("type", ColumnKind::Text), Column::new("2025", ColumnKind::GbpShownInMillions)],
    );
    t.rows = vec![
        vec![Cell::from("Fostering"), Cell::Number(12.5e6)],
        vec![Cell::from("Residential"), Cell::Number(40.25e6)],
    ];
    t
}

fn about_named() -> Table {
    let mut t =
        Table::new("About", "A table that happens to be called About", vec![Column::new("n", ColumnKind::Count)]);
    t.rows = vec![vec![Cell::Number(7.0)]];
    t
}

fn read_zip_entry(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut entry = zip.by_name(name).unwrap();
    let mut s = String::new();
    entry.read_to_string(&mut s).unwrap();
    s
}

fn sheet_rows(wb: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Vec<Vec<Data>> {
    let range = wb.worksheet_range(name).unwrap();
    assert_eq!(range.start(), Some((0, 0)), "sheet {name} starts at A1");
    range.rows().map(|r| r.to_vec()).collect()
}

#[test]
fn xlsx_sheet_names_header_values_and_row_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("forecast.xlsx");
    let tables = [placements(), second_table(), about_named()];
    write_xlsx(&path, &tables, &meta()).unwrap();

    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    // `:`, `[`, `/`, `]` and `?` each become `_`; the table called "About"
    // collides (case-insensitively) with the provenance sheet.
    assert_eq!(wb.sheet_names(), vec!["About", "placements", "Costs_ £m _2025_26__", "About (2)"]);

    let rows = sheet_rows(&mut wb, "placements");
    assert_eq!(rows.len(), 1 + expected_rows().len());
    let header: Vec<Data> = HEADER.iter().map(|h| Data::String(h.to_string())).collect();
    assert_eq!(rows[0], header);
    for (r, (got, want)) in rows[1..].iter().zip(expected_rows()).enumerate() {
        assert_eq!(got.len(), want.len(), "row {r}");
        for (c, (g, w)) in got.iter().zip(&want).enumerate() {
            let expected = match w {
                Want::Text(s) => Data::String(s.to_string()),
                // -0.0 in the table compares equal to the expected 0.0.
                Want::Num(v) => Data::Float(*v),
                Want::Empty => Data::Empty,
            };
            assert_eq!(*g, expected, "row {r} col {c}");
        }
    }

    let rows = sheet_rows(&mut wb, "Costs_ £m _2025_26__");
    assert_eq!(
        rows,
        vec![
            vec![Data::String("type".into()), Data::String("2025".into())],
            vec![Data::String("Fostering".into()), Data::Float(12.5e6)],
            vec![Data::String("Residential".into()), Data::Float(40.25e6)],
        ]
    );

    let rows = sheet_rows(&mut wb, "About (2)");
    assert_eq!(rows, vec![vec![Data::String("n".into())], vec![Data::Float(7.0)]]);
}

#[test]
fn xlsx_holds_the_same_values_as_csv_of_the_same_table() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("p.xlsx");
    let csv_path = dir.path().join("p.csv");
    let table = placements();
    write_xlsx(&xlsx, std::slice::from_ref(&table), &meta()).unwrap();
    write_csv(&csv_path, &table).unwrap();

    let mut rdr = csv::ReaderBuilder::new().has_headers(false).from_path(&csv_path).unwrap();
    let csv_rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let xl_rows = sheet_rows(&mut wb, "placements");
    assert_eq!(csv_rows.len(), xl_rows.len());
    for (r, (c_row, x_row)) in csv_rows.iter().zip(&xl_rows).enumerate() {
        assert_eq!(c_row.len(), x_row.len(), "row {r}");
        for (c, (field, cell)) in c_row.iter().zip(x_row).enumerate() {
            let numeric_col = c > 0;
            match cell {
                Data::Empty => assert_eq!(field, "", "row {r} col {c}"),
                Data::Float(v) => {
                    assert!(r > 0 && numeric_col);
                    assert_eq!(field.parse::<f64>().unwrap(), *v, "row {r} col {c}");
                }
                Data::String(s) => assert_eq!(field, s, "row {r} col {c}"),
                other => panic!("row {r} col {c}: unexpected {other:?}"),
            }
        }
    }
}

#[test]
fn xlsx_about_sheet_carries_provenance() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("about.xlsx");
    write_xlsx(&path, &[placements()], &meta()).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let about = wb.worksheet_range("About").unwrap();
    let texts: Vec<String> = about
        .used_cells()
        .filter_map(|(_, _, d)| match d {
            Data::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    for needle in [
        "Carecast forecast: Anyshire",
        "0.1.0",
        "carecast forecast --config anyshire.toml",
        "2026-03-31",
        "SSDA903",
        "2024-25 return",
        "Figures are projections, not budgets.",
        "placements",
        "Children looked after & cost <2025>",
        "Source: SSDA903 & CIN census",
    ] {
        assert!(texts.iter().any(|t| t == needle), "About sheet lacks {needle:?}: {texts:?}");
    }
    // The caller's date, not the clock, is the document creation date.
    let core = read_zip_entry(&path, "docProps/core.xml");
    assert!(core.contains("2026-03-31T00:00:00Z"), "{core}");
}

#[test]
fn xlsx_header_frozen_autofilter_and_number_formats() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fmt.xlsx");
    write_xlsx(&path, &[placements()], &meta()).unwrap();
    // sheet1 is About, sheet2 the table.
    let sheet = read_zip_entry(&path, "xl/worksheets/sheet2.xml");
    assert!(sheet.contains("ySplit=\"1\""), "header row frozen: {sheet}");
    assert!(sheet.contains("state=\"frozen\""));
    // 7 columns A..G, header plus 3 rows.
    assert!(sheet.contains("<autoFilter ref=\"A1:G4\""), "{sheet}");
    let styles = read_zip_entry(&path, "xl/styles.xml");
    for code in ["#,##0", "&quot;£&quot;#,##0", "&quot;£&quot;#,##0.0,,&quot;m&quot;", "0.0%", "#,##0.00"] {
        assert!(styles.contains(&format!("formatCode=\"{code}\"")), "missing {code}: {styles}");
    }
}

#[test]
fn xlsx_ragged_table_errors_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.xlsx");
    let mut t = second_table();
    t.rows[0].push(Cell::Empty);
    let err = write_xlsx(&path, &[placements(), t], &meta()).unwrap_err();
    assert!(matches!(err, ReportError::Table { .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("bad.xlsx") && msg.contains("Costs: £m [2025/26]?"), "{msg}");
    assert!(msg.contains("row 1"), "{msg}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn xlsx_with_no_tables_and_empty_tables_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.xlsx");
    let no_cols = Table::new("", "nothing", vec![]);
    let no_rows = Table::new("x", "header only", vec![Column::new("a", ColumnKind::Count)]);
    write_xlsx(&path, &[no_cols, no_rows], &WorkbookMeta::default()).unwrap();
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(wb.sheet_names(), vec!["About", "Sheet", "x"]);
    let rows = sheet_rows(&mut wb, "x");
    assert_eq!(rows, vec![vec![Data::String("a".into())]]);
}
