//! `carecast run --draws N`: the Monte Carlo bands written as output — the
//! tidy table with p05-p95 columns, the quantiles for charts, the progress
//! line. What it is not: the drawing itself (`carecast-montecarlo`).

use anyhow::Result;
use carecast_core::Row;
pub use carecast_montecarlo::{
    Inputs, MAX_DRAWS, MonteCarloSpec, PERCENTILES, Sampling, Streams, draw_rows, percentiles, percentiles_observed,
    plan_for, summarise,
};
use carecast_report::{Cell, Column, ColumnKind, Table, write_csv};
use std::collections::BTreeMap;
use std::path::Path;

/// Percentiles by (measure, breakdown, year), in [`PERCENTILES`] order, for charts.
pub type Quantiles = BTreeMap<(String, String, i32), [f64; 5]>;

/// The percentiles of each central row, keyed by (measure, breakdown, year).
pub fn quantile_map(central_rows: &[Row], bands: &[[f64; 5]]) -> Quantiles {
    central_rows.iter().zip(bands).map(|(r, b)| ((r.measure.to_string(), r.breakdown.clone(), r.year), *b)).collect()
}

/// The tidy table with the percentile columns appended.
pub fn table(central_rows: &[Row], bands: &[[f64; 5]]) -> Table {
    let mut t = crate::output::rows_table("projection", central_rows);
    t.columns.extend(PERCENTILES.iter().map(|(_, name)| Column::new(*name, ColumnKind::Number)));
    for (row, b) in t.rows.iter_mut().zip(bands) {
        row.extend(b.iter().map(|v| Cell::Number(*v)));
    }
    t
}

/// A progress bar of `len` draws on stderr (drawn only when stderr is a
/// terminal; hidden with `quiet`).
pub fn progress_bar(len: u64, quiet: bool) -> indicatif::ProgressBar {
    let bar = if quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::with_draw_target(Some(len), indicatif::ProgressDrawTarget::stderr())
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} draws {elapsed}, about {eta} left")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// What a run draws, in words: "parameter uncertainty (Latin hypercube
/// sampling) and process noise", for messages and notes.
pub fn describe(spec: &MonteCarloSpec) -> String {
    let parameters = match spec.sampling {
        Sampling::Random => "parameter uncertainty",
        Sampling::LatinHypercube => "parameter uncertainty (Latin hypercube sampling)",
    };
    match (spec.parameter_uncertainty, spec.process_noise) {
        (true, true) => format!("{parameters} and process noise"),
        (true, false) => parameters.to_string(),
        (false, true) => "process noise".to_string(),
        (false, false) => "no uncertainty".to_string(),
    }
}

/// Runs the draws and returns the percentiles of each central row (in [`PERCENTILES`] order).
pub fn run(spec: &MonteCarloSpec, inputs: Inputs<'_>, quiet: bool) -> Result<Vec<[f64; 5]>> {
    if !quiet {
        let what = describe(spec);
        errln!("{}: {} Monte Carlo draws ({what}), seeds from {}", inputs.central.name, spec.draws, spec.seed);
    }
    let bar = progress_bar(spec.draws, quiet);
    let bands = percentiles_observed(spec, inputs, &|| bar.inc(1));
    bar.finish_and_clear();
    Ok(bands?)
}

/// Writes `projection.csv` (with the percentile columns) into `dir`, atomically.
pub fn write(dir: &Path, table: &Table) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    write_csv(&dir.join("projection.csv"), table)?;
    Ok(())
}
