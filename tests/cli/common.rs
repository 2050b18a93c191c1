//! Helpers shared by the integration tests: run the binary, read CSVs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `carecast` with arguments in a working directory.
pub fn carecast(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carecast")).args(args).current_dir(cwd).output().expect("run carecast")
}

/// A fresh temporary directory.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// Reads a tidy CSV into (header, rows).
pub fn read_csv(path: &PathBuf) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).expect("open csv");
    let header = r.headers().expect("header").iter().map(String::from).collect();
    let rows = r.records().map(|rec| rec.expect("record").iter().map(String::from).collect()).collect();
    (header, rows)
}

/// Value of (measure, breakdown, year) in tidy rows.
pub fn value(rows: &[Vec<String>], measure: &str, breakdown: &str, year: i32) -> Option<f64> {
    rows.iter()
        .find(|r| r[2] == measure && r[3] == breakdown && r[1].parse::<f64>().ok() == Some(f64::from(year)))
        .and_then(|r| r[4].parse().ok())
}
