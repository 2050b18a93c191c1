//! `carecast check`: the two calibration checks reported in the README.
//!
//! (a) replay: the calibrated model replays the published years and must
//!     reproduce the published stocks, flows and margins within 1%;
//! (b) back-cast: from the actual stock at the first published year, the
//!     scenario's projection rates held constant with each year's published unit
//!     costs must keep children in care within 4% and children-looked-after
//!     spend within 6% of the outturn every year.
//! Not a statistical back-test with error bands (that is `backtest`).

use anyhow::{Context, Result};
use carecast_core::rows::rows;
use carecast_core::{Row, simulate};
use carecast_report::{Cell, Column, ColumnKind, Table, format_count, write_csv};
use carecast_scenario::{Built, RunOptions, Seeds, build, load};
use std::path::Path;

/// One comparison.
#[derive(Debug, Clone)]
pub struct CheckRow {
    /// `replay` or `backcast`.
    pub check: &'static str,
    /// Year ending 31 March.
    pub year: i32,
    /// Measure id.
    pub measure: &'static str,
    /// Breakdown.
    pub breakdown: String,
    /// Published value.
    pub published: f64,
    /// Model value.
    pub model: f64,
    /// Tolerance on the relative error.
    pub tolerance: f64,
}

impl CheckRow {
    /// (model - published) / published.
    pub fn relative_error(&self) -> f64 {
        if self.published == 0.0 { 0.0 } else { (self.model - self.published) / self.published }
    }
    /// Within tolerance.
    pub fn passes(&self) -> bool {
        self.relative_error().abs() <= self.tolerance
    }
}

fn join(
    check: &'static str,
    published: &[Row],
    model: &[Row],
    tolerance: impl Fn(&str) -> Option<f64>,
    out: &mut Vec<CheckRow>,
) {
    for p in published {
        let Some(tol) = tolerance(p.measure) else { continue };
        if let Some(m) = model.iter().find(|m| m.year == p.year && m.measure == p.measure && m.breakdown == p.breakdown)
        {
            out.push(CheckRow {
                check,
                year: p.year,
                measure: p.measure,
                breakdown: p.breakdown.clone(),
                published: p.value,
                model: m.value,
                tolerance: tol,
            });
        }
    }
}

/// Runs both checks for a scenario.
pub fn run_checks(scenario: &str, la: Option<&str>) -> Result<Vec<CheckRow>> {
    let seeds = Seeds::bundled().context("reading the bundled seed data")?;
    let loaded = load(scenario).with_context(|| format!("loading scenario `{scenario}`"))?;
    let area = la.map(str::to_string);
    let built: Built = build(&loaded, &seeds, &RunOptions { area: area.clone(), ..RunOptions::default() })
        .context("resolving the scenario")?;
    let Some(replay_model) = built.replay.as_ref() else {
        anyhow::bail!(
            "scenario `{scenario}` is not calibrated to published data (an explicit scenario), so there is nothing to check"
        );
    };
    let first = replay_model.start_year;
    let last = replay_model.years.last().map(|y| y.year).unwrap_or(first);
    let published: Vec<Row> = built.history_rows().into_iter().filter(|r| r.year >= first && r.year <= last).collect();
    let mut out = Vec::new();
    // (a) replay.
    let replay = simulate(replay_model).context("replaying the published years")?;
    let replay_rows = rows(&built.name, &replay_model.dims, &replay);
    join(
        "replay",
        &published,
        &replay_rows,
        |m| matches!(m, "children_in_care" | "starts" | "ceased").then_some(0.01),
        &mut out,
    );
    // (b) back-cast with projection rates from the first published stock.
    let opts = RunOptions { start_year: Some(first), end_year: Some(last), area };
    let backcast = build(&loaded, &seeds, &opts).context("resolving the back-cast")?;
    let run = backcast.run().context("running the back-cast")?;
    let back_rows = rows(&backcast.name, &backcast.model.dims, &run);
    let totals: Vec<Row> = published.iter().filter(|r| r.breakdown == "total").cloned().collect();
    join(
        "backcast",
        &totals,
        &back_rows,
        |m| match m {
            "children_in_care" => Some(0.04),
            "spend_gbp_cash" => Some(0.06),
            _ => None,
        },
        &mut out,
    );
    Ok(out)
}

/// Writes `check.csv` and prints a summary; errors if any check fails.
pub fn report(rows: &[CheckRow], dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut t = Table::new(
        "check",
        "carecast calibration checks",
        vec![
            Column::new("check", ColumnKind::Text),
            Column::new("year", ColumnKind::Year),
            Column::new("measure", ColumnKind::Text),
            Column::new("breakdown", ColumnKind::Text),
            Column::new("published", ColumnKind::Number),
            Column::new("model", ColumnKind::Number),
            Column::new("relative_error", ColumnKind::Percent),
            Column::new("tolerance", ColumnKind::Percent),
            Column::new("pass", ColumnKind::Text),
        ],
    );
    for r in rows {
        t.push_row(vec![
            Cell::Text(r.check.into()),
            Cell::Number(f64::from(r.year)),
            Cell::Text(r.measure.into()),
            Cell::Text(r.breakdown.clone()),
            Cell::Number(r.published),
            Cell::Number(r.model),
            Cell::Number(r.relative_error()),
            Cell::Number(r.tolerance),
            Cell::Text(if r.passes() { "yes" } else { "no" }.into()),
        ]);
    }
    write_csv(&dir.join("check.csv"), &t)?;
    outln!(
        "{:<9} {:<17} {:>5} {:>12} {:>12} {:>8}  (worst comparison per check and measure)",
        "check",
        "measure",
        "year",
        "published",
        "model",
        "error"
    );
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for r in rows {
        if !keys.contains(&(r.check, r.measure)) {
            keys.push((r.check, r.measure));
        }
    }
    for (check, measure) in keys {
        let worst = rows
            .iter()
            .filter(|r| r.check == check && r.measure == measure)
            .max_by(|a, b| a.relative_error().abs().total_cmp(&b.relative_error().abs()));
        if let Some(w) = worst {
            // Money in £bn for England, £m for a council.
            let fmt = |v: f64| match (measure.starts_with("spend"), v.abs() >= 1e9) {
                (true, true) => format!("£{:.2}bn", v / 1e9),
                (true, false) => format!("£{:.1}m", v / 1e6),
                (false, _) => format_count(v),
            };
            outln!(
                "{:<9} {:<17} {:>5} {:>12} {:>12} {:>7.2}%  {} of {} within {:.0}% ({})",
                check,
                measure,
                w.year,
                fmt(w.published),
                fmt(w.model),
                100.0 * w.relative_error(),
                rows.iter().filter(|r| r.check == check && r.measure == measure && r.passes()).count(),
                rows.iter().filter(|r| r.check == check && r.measure == measure).count(),
                100.0 * w.tolerance,
                w.breakdown
            );
        }
    }
    let failed = rows.iter().filter(|r| !r.passes()).count();
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} comparisons are outside tolerance (see {})",
            rows.len(),
            dir.join("check.csv").display()
        );
    }
    Ok(())
}
