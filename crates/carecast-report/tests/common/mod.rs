//! Shared fixtures for the integration tests.
//!
//! What it is: hand-written tables whose expected values are the literals
//! below, so tests compare writer output against these literals rather than
//! against the crate's own output. What it is not: a test by itself.

#![allow(dead_code)]

use carecast_report::{Cell, Column, ColumnKind, Table};

/// Expected value of one fixture cell, written independently of the crate.
#[derive(Debug, Clone, PartialEq)]
pub enum Want {
    Text(&'static str),
    Num(f64),
    Empty,
}

pub const HEADER: [&str; 7] = ["scenario", "year", "children", "cost (£)", "cost (£m)", "share", "rate"];

/// The rows of [`placements`], as expected values. NaN and infinity appear as
/// `Empty` because every writer must write them as empty cells.
pub fn expected_rows() -> Vec<Vec<Want>> {
    use Want::*;
    vec![
        vec![
            Text("baseline"),
            Num(2025.0),
            Num(81770.0),
            Num(8955421269.0),
            Num(8955421269.0),
            Num(0.30000000000000004),
            Num(1e-7),
        ],
        vec![
            Text("Residential, \"secure\"\nunits"),
            Num(2026.0),
            Num(0.0),
            Num(1e21),
            Num(-1234.5e6),
            Num(0.125),
            Empty,
        ],
        vec![
            Text("<high> & growing"),
            Num(2027.0),
            Num(123456789.0),
            Empty,
            Empty,
            Num(-0.05),
            Num(1.2345678901234567),
        ],
    ]
}

pub fn placements() -> Table {
    let kinds = [
        ColumnKind::Text,
        ColumnKind::Year,
        ColumnKind::Count,
        ColumnKind::Gbp,
        ColumnKind::GbpShownInMillions,
        ColumnKind::Percent,
        ColumnKind::Number,
    ];
    let columns = HEADER.iter().zip(kinds).map(|(n, k)| Column::new(*n, k)).collect();
    let mut t = Table::new("placements", "Children looked after & cost <2025>", columns);
    t.rows = vec![
        vec![
            Cell::from("baseline"),
            Cell::Number(2025.0),
            Cell::Number(81770.0),
            Cell::Number(8955421269.0),
            Cell::Number(8955421269.0),
            Cell::Number(0.1 + 0.2),
            Cell::Number(1e-7),
        ],
        vec![
            Cell::from("Residential, \"secure\"\nunits"),
            Cell::Number(2026.0),
            Cell::Number(-0.0),
            Cell::Number(1e21),
            Cell::Number(-1234.5e6),
            Cell::Number(0.125),
            Cell::Number(f64::NAN),
        ],
        vec![
            Cell::from("<high> & growing"),
            Cell::Number(2027.0),
            Cell::Number(123456789.0),
            Cell::Number(f64::INFINITY),
            Cell::Empty,
            Cell::Number(-0.05),
            Cell::Number(1.2345678901234567),
        ],
    ];
    t.notes = vec!["Source: SSDA903 & CIN census".to_string()];
    t
}
