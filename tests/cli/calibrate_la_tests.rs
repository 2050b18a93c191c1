//! `carecast calibrate --la`: a council calibrated on the published data,
//! written as a scenario that runs like any other; its fit levers are neutral.

use crate::common::{carecast, read_csv, tempdir, value};
use std::path::Path;

fn published_stock(area: &str, year: i32) -> f64 {
    let (_, rows) = read_csv(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/cla_headline.csv"));
    rows.iter().find(|r| r[0] == area && r[1] == year.to_string()).unwrap()[2].parse().unwrap()
}

#[test]
fn calibrated_file_runs_and_reproduces_the_council_run() {
    let dir = tempdir();
    let o = carecast(&["calibrate", "--la", "Blackpool", "--out", "bp.toml"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(dir.path().join("bp.toml")).unwrap();
    let table: toml::Table = text.parse().expect("valid TOML");
    let levers = table["levers"].as_array().expect("fit levers");
    assert!(levers.iter().any(|l| l["id"].as_str() == Some("fit_entry_rate_10_15")));
    for l in levers {
        let v = l["value"].as_table().unwrap();
        let (low, mid, high) =
            (v["low"].as_float().unwrap(), v["value"].as_float().unwrap(), v["high"].as_float().unwrap());
        assert!(low < mid && mid == 1.0 && mid < high, "{l:?}");
    }
    assert!(carecast(&["validate", "bp.toml"], dir.path()).status.success());
    assert!(carecast(&["run", "bp.toml", "--out", "a"], dir.path()).status.success());
    assert!(carecast(&["run", "--la", "Blackpool", "--out", "b"], dir.path()).status.success());
    let (_, a) = read_csv(&dir.path().join("a/projection.csv"));
    let (_, b) = read_csv(&dir.path().join("b/projection.csv"));
    assert_eq!(value(&a, "children_in_care", "total", 2025).unwrap(), published_stock("E06000009", 2025));
    for y in [2026, 2030, 2035] {
        let (x, z) =
            (value(&a, "children_in_care", "total", y).unwrap(), value(&b, "children_in_care", "total", y).unwrap());
        assert!((x - z).abs() <= 1e-9 * z, "{y}: {x} vs {z}");
    }
}

#[test]
fn a_shorter_window_starts_from_its_last_year() {
    let dir = tempdir();
    let o = carecast(&["calibrate", "--la", "890", "--from", "2021", "--to", "2024", "--out", "w.toml"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(carecast(&["run", "w.toml", "--out", "o"], dir.path()).status.success());
    let (_, rows) = read_csv(&dir.path().join("o/projection.csv"));
    assert_eq!(value(&rows, "children_in_care", "total", 2024).unwrap(), published_stock("E06000009", 2024));
    assert!(value(&rows, "children_in_care", "total", 2025).is_some());
}

#[test]
fn la_and_a_return_do_not_mix() {
    let dir = tempdir();
    let o = carecast(&["calibrate", "--la", "Blackpool", "--episodes", "e.csv", "--out", "x.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--la"));
    let o = carecast(&["calibrate", "--out", "x.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.path().join("x.toml").exists());
}
