//! `carecast run --all-las`: every council from the bundled data, in
//! parallel, plus the national run; the sum of councils is checked against
//! the national run and the difference reported.
//!
//! Output: `projection.csv` (the tidy columns plus `area` after them, with
//! `E92000001` for the national run and `sum_of_councils` for the sum),
//! `council_check.csv` (national against the sum of councils by year) and
//! `failures.csv` (the councils that could not be run, with why; only a header
//! when every council ran). With `--draws N` every council
//! and England get `p05..p95` columns from their own Monte Carlo draws (the sum
//! of councils gets none: percentiles do not add). Not a place for modelling.

use crate::cli::RunConfig;
use anyhow::{Context, Result};
use carecast_core::Row;
use carecast_core::rows::rows;
use carecast_montecarlo::{Inputs, percentiles};
use carecast_report::{Cell, Column, ColumnKind, Table, format_count, format_gbp_millions, write_csv};
use carecast_scenario::{Loaded, RunOptions, Seeds, build};
use rayon::prelude::*;
use std::collections::BTreeMap;

const SUM: &str = "sum_of_councils";
const PERCENTILE_NAMES: [&str; 5] = ["p05", "p25", "p50", "p75", "p95"];

/// One area's scenario name, rows and, with draws, each row's percentiles.
type AreaRun = (String, Vec<Row>, Option<Vec<[f64; 5]>>);

/// The national run's area code.
const ENGLAND: &str = "E92000001";

/// Runs every council and England.
pub fn run_all(c: &RunConfig, seeds: &Seeds, loaded: &Loaded) -> Result<()> {
    let councils: Vec<(String, String)> =
        seeds.areas.iter().filter(|a| a.level == "la").map(|a| (a.code.clone(), a.name.clone())).collect();
    let opts = |area: &str| RunOptions { start_year: c.start_year, end_year: c.end_year, area: Some(area.to_string()) };
    // A progress bar on stderr: indicatif draws nothing when stderr is not a
    // terminal, and --quiet hides it.
    let progress = if c.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::with_draw_target(Some(councils.len() as u64), indicatif::ProgressDrawTarget::stderr())
    };
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} councils {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    // One area: its rows and, with draws, each row's percentiles.
    let one = |code: &str| -> Result<AreaRun, String> {
        let o = opts(code);
        let b = build(loaded, seeds, &o).map_err(|e| e.to_string())?;
        let r = rows(&b.name, &b.model.dims, &b.run().map_err(|e| e.to_string())?);
        let bands = match &c.montecarlo {
            None => None,
            Some(spec) => {
                let inputs = Inputs { loaded, seeds, opts: &o, central: &b, central_rows: &r };
                Some(percentiles(spec, inputs).map_err(|e| format!("{:#}", anyhow::Error::from(e)))?)
            }
        };
        Ok((b.name, r, bands))
    };
    // Each area is independent; rayon keeps the results in order. The
    // national run goes first, alongside the councils rather than after them.
    type Outcome = (String, String, Result<AreaRun, String>);
    let areas: Vec<(String, String)> =
        std::iter::once((ENGLAND.to_string(), "England".to_string())).chain(councils.iter().cloned()).collect();
    let mut results: Vec<Outcome> = areas
        .par_iter()
        .map(|(code, name)| {
            let r = one(code);
            if code != ENGLAND {
                progress.inc(1);
            }
            (code.clone(), name.clone(), r)
        })
        .collect();
    progress.finish_and_clear();
    let (_, _, national) = results.remove(0);
    let (national_name, national_rows, national_bands) =
        national.map_err(anyhow::Error::msg).context("running the national model")?;

    let mut table = Table::new(
        "projection",
        "carecast projection for every council (tidy long form)",
        ["scenario", "year", "measure", "breakdown", "value", "area"]
            .iter()
            .chain(if c.montecarlo.is_some() { &PERCENTILE_NAMES[..] } else { &[] })
            .map(|n| {
                Column::new(
                    *n,
                    if *n == "value" || n.starts_with('p') {
                        ColumnKind::Number
                    } else if *n == "year" {
                        ColumnKind::Year
                    } else {
                        ColumnKind::Text
                    },
                )
            })
            .collect(),
    );
    let with_bands = c.montecarlo.is_some();
    let mut push = |r: &Row, area: &str, band: Option<&[f64; 5]>| {
        let mut cells = vec![
            Cell::Text(r.scenario.clone()),
            Cell::Number(f64::from(r.year)),
            Cell::Text(r.measure.to_string()),
            Cell::Text(r.breakdown.clone()),
            Cell::Number(r.value),
            Cell::Text(area.to_string()),
        ];
        if with_bands {
            cells.extend((0..5).map(|k| band.map_or(Cell::Empty, |b| Cell::Number(b[k]))));
        }
        table.push_row(cells);
    };
    let mut sum: BTreeMap<(i32, &'static str, String), f64> = BTreeMap::new();
    let mut failures = Vec::new();
    for (code, name, r) in &results {
        match r {
            Ok((_, rs, bands)) => {
                for (i, row) in rs.iter().enumerate() {
                    push(row, code, bands.as_ref().map(|b| &b[i]));
                    if row.measure != "weekly_cost_gbp" {
                        *sum.entry((row.year, row.measure, row.breakdown.clone())).or_default() += row.value;
                    }
                }
            }
            Err(e) => failures.push((code.clone(), name.clone(), e.clone())),
        }
    }
    for (i, r) in national_rows.iter().enumerate() {
        push(r, ENGLAND, national_bands.as_ref().map(|b| &b[i]));
    }
    let scenario = national_name.clone();
    for ((year, measure, breakdown), value) in &sum {
        push(
            &Row { scenario: scenario.clone(), year: *year, measure, breakdown: breakdown.clone(), value: *value },
            SUM,
            None,
        );
    }

    // National against the sum of councils.
    let mut check = Table::new(
        "council_check",
        "National run against the sum of councils",
        vec![
            Column::new("year", ColumnKind::Year),
            Column::new("measure", ColumnKind::Text),
            Column::new("national", ColumnKind::Number),
            Column::new("sum_of_councils", ColumnKind::Number),
            Column::new("difference", ColumnKind::Number),
            Column::new("relative_difference", ColumnKind::Percent),
        ],
    );
    let measures = ["children_in_care", "starts", "ceased", "spend_gbp_cash", "csc_spend_gbp_cash", "funding_gbp"];
    let mut printed = Vec::new();
    for r in national_rows.iter().filter(|r| r.breakdown == "total" && measures.contains(&r.measure)) {
        let s = sum.get(&(r.year, r.measure, "total".to_string())).copied().unwrap_or(0.0);
        let rel = if r.value != 0.0 { (s - r.value) / r.value } else { 0.0 };
        check.push_row(vec![
            Cell::Number(f64::from(r.year)),
            Cell::Text(r.measure.into()),
            Cell::Number(r.value),
            Cell::Number(s),
            Cell::Number(s - r.value),
            Cell::Number(rel),
        ]);
        printed.push((r.year, r.measure, r.value, s, rel));
    }
    let out = c.out.clone().unwrap_or_else(|| std::path::Path::new("out").join(format!("{}-all-las", national_name)));
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    write_csv(&out.join("projection.csv"), &table)?;
    write_csv(&out.join("council_check.csv"), &check)?;
    // Written even when empty, so a failures.csv left by an earlier run in the
    // same folder never outlives the run it described.
    {
        let mut f = Table::new(
            "failures",
            "Councils that could not be run",
            vec![
                Column::new("area", ColumnKind::Text),
                Column::new("name", ColumnKind::Text),
                Column::new("error", ColumnKind::Text),
            ],
        );
        for (code, name, e) in &failures {
            f.push_row(vec![Cell::Text(code.clone()), Cell::Text(name.clone()), Cell::Text(e.clone())]);
        }
        write_csv(&out.join("failures.csv"), &f)?;
    }
    outln!(
        "{} — every council: {} of {} run{}",
        national_name,
        councils.len() - failures.len(),
        councils.len(),
        if failures.is_empty() { String::new() } else { format!(" ({} failed: see failures.csv)", failures.len()) }
    );
    outln!("{:>6} {:<18} {:>16} {:>16} {:>9}", "year", "measure", "England", "sum of councils", "diff");
    for (year, measure, national_v, s, rel) in
        printed.iter().filter(|p| matches!(p.1, "children_in_care" | "spend_gbp_cash" | "csc_spend_gbp_cash"))
    {
        let f = |v: f64| if measure.contains("gbp") { format_gbp_millions(v / 1e6) } else { format_count(v) };
        outln!("{year:>6} {measure:<18} {:>16} {:>16} {:>8.2}%", f(*national_v), f(*s), rel * 100.0);
    }
    for (code, name, e) in &failures {
        errln!("warning: {name} ({code}) not run: {e}");
    }
    if !c.quiet {
        errln!("wrote {}", out.display());
    }
    Ok(())
}
