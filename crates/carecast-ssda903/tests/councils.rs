//! Councils in one set of tables: the cleaning summary counts the Episodes
//! rows and children of each distinct `LA` value, so that two councils'
//! returns stacked together report two LAs (and a table without an `LA`
//! column beside them a third, empty, one), while one council's return reports
//! one. Expected counts are taken from the CSV text the tests build, with the
//! `csv` crate, not from the reader.
//!
//! This is not a test of what the binary says about combined returns (see
//! `tests/cli/calibrate903_tests.rs` at the repository root).

use carecast_ssda903::testing::{KnownRates, with_la_column};
use carecast_ssda903::{CleanOptions, LaCount, ReturnTables, TableSource, generate_synthetic_return, load};
use std::collections::{BTreeMap, BTreeSet};

/// A small generated return: (episodes, header) CSV text.
fn small_return(seed: u64) -> (String, String) {
    let rates = KnownRates { collection_years: 2, monthly_entries: 6.0, ..KnownRates::default() };
    generate_synthetic_return(seed, 60, &rates)
}

/// The table's data rows (without its header line).
fn body(csv_text: &str) -> impl Iterator<Item = &str> {
    csv_text.lines().skip(1)
}

/// Episodes rows and distinct CHILD values by `LA` column value (empty when
/// the table has no such column), read with the `csv` crate.
fn expected(tables: &[&str]) -> BTreeMap<String, (u64, BTreeSet<String>)> {
    let mut out: BTreeMap<String, (u64, BTreeSet<String>)> = BTreeMap::new();
    for text in tables {
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let head = r.headers().expect("header").clone();
        let child = head.iter().position(|h| h == "CHILD").expect("CHILD");
        let la = head.iter().position(|h| h == "LA");
        for rec in r.records() {
            let rec = rec.expect("row");
            let e = out.entry(la.map_or(String::new(), |i| rec[i].to_string())).or_default();
            e.0 += 1;
            e.1.insert(rec[child].to_string());
        }
    }
    out
}

fn las_of(episodes: &[&str], headers: &[&str]) -> (Vec<LaCount>, u64) {
    let mut tables = ReturnTables::new();
    for (i, e) in episodes.iter().enumerate() {
        tables = tables.with_episodes(TableSource::from_bytes(&format!("episodes-{i}.csv"), e.as_bytes()));
    }
    for (i, h) in headers.iter().enumerate() {
        tables = tables.with_header(TableSource::from_bytes(&format!("header-{i}.csv"), h.as_bytes()));
    }
    let h = load(&tables, &CleanOptions::default()).expect("load");
    (h.summary().las.clone(), h.summary().children_read)
}

fn assert_counts(las: &[LaCount], children_read: u64, want: &BTreeMap<String, (u64, BTreeSet<String>)>) {
    let got: Vec<(&str, u64, u64)> = las.iter().map(|l| (l.la.as_str(), l.episode_rows, l.children)).collect();
    let want: Vec<(&str, u64, u64)> =
        want.iter().map(|(la, (rows, children))| (la.as_str(), *rows, children.len() as u64)).collect();
    assert_eq!(got, want);
    assert_eq!(las.iter().map(|l| l.children).sum::<u64>(), children_read);
}

#[test]
fn two_stacked_councils_report_two_las() {
    let (e1, h1) = small_return(1);
    let (e2, h2) = small_return(2);
    let (e1, h1) = (with_la_column(&e1, "E09000028"), with_la_column(&h1, "E09000028"));
    let (e2, h2) = (with_la_column(&e2, "E09000006"), with_la_column(&h2, "E09000006"));
    // The generator numbers children the same way in both returns: LA keeps them apart.
    assert!(body(&e1).next().is_some() && body(&e2).next().is_some());
    let want = expected(&[&e1, &e2]);
    assert_eq!(want.len(), 2);
    assert!(want.values().all(|(rows, children)| *rows > 50 && children.len() > 50), "{want:?}");

    // Stacked in one table (one header line), council after council.
    let stacked = format!("{e1}{}\n", body(&e2).collect::<Vec<_>>().join("\n"));
    let headers = format!("{h1}{}\n", body(&h2).collect::<Vec<_>>().join("\n"));
    let (las, children) = las_of(&[&stacked], &[&headers]);
    assert_eq!(las.len(), 2);
    assert_counts(&las, children, &want);
    assert_eq!(expected(&[&stacked]), want);

    // Rows interleaved (the LA changes on every row): the same counts.
    let head = e1.lines().next().unwrap();
    let mut interleaved = format!("{head}\n");
    let (mut a, mut b) = (body(&e1), body(&e2));
    loop {
        let (x, y) = (a.next(), b.next());
        if x.is_none() && y.is_none() {
            break;
        }
        for line in [x, y].into_iter().flatten() {
            interleaved.push_str(line);
            interleaved.push('\n');
        }
    }
    let (las, children) = las_of(&[&interleaved], &[&headers]);
    assert_counts(&las, children, &want);

    // Two tables, one per council.
    let (las, children) = las_of(&[&e1, &e2], &[&h1, &h2]);
    assert_counts(&las, children, &want);
}

#[test]
fn a_table_without_la_beside_coded_ones_is_its_own_group() {
    let (e1, h1) = small_return(3);
    let (e2, h2) = small_return(4);
    let (e1, h1) = (with_la_column(&e1, "E06000009"), with_la_column(&h1, "E06000009"));
    let want = expected(&[&e1, &e2]);
    assert_eq!(want.keys().map(String::as_str).collect::<Vec<_>>(), ["", "E06000009"]);
    let (las, children) = las_of(&[&e1, &e2], &[&h1, &h2]);
    assert_eq!(las[0].la, "");
    assert_counts(&las, children, &want);
}

#[test]
fn one_council_reports_one_la() {
    let (e, h) = small_return(5);
    let rows = body(&e).count() as u64;
    let children: BTreeSet<&str> = body(&e).map(|l| l.split(',').next().unwrap()).collect();
    // With an LA column holding one value.
    let (las, read) = las_of(&[&with_la_column(&e, "E08000012")], &[&with_la_column(&h, "E08000012")]);
    assert_eq!(las, [LaCount { la: "E08000012".into(), episode_rows: rows, children: children.len() as u64 }]);
    assert_eq!(read, children.len() as u64);
    // Without one: a single group with an empty value.
    let (las, _) = las_of(&[&e], &[&h]);
    assert_eq!(las, [LaCount { la: String::new(), episode_rows: rows, children: children.len() as u64 }]);
}
