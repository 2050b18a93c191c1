//! `carecast backtest`: calibrate with the published data up to 31 March of a
//! past year only, project, and compare children in care with what was then
//! published, next to two naive forecasts made from the same data (the last
//! value carried forward and a least-squares linear trend).
//!
//! Output: `backtest.csv` (one row per area, origin and year), `summary.csv`
//! (mean absolute percentage error by horizon, and the median council's error
//! for `--all-las`), `skipped.csv` when an area cannot be calibrated for a
//! cut-off, and `backtest.png/.svg` (published outturn solid, each origin's
//! forecast dashed, with the CCN/Newton 2021 projection for England).
//!
//! Uncertainty bands (`--draws N`, default 1,000): for each area and cut-off the
//! council's rates are fitted by Poisson maximum likelihood on the training
//! years only (`carecast calibrate --la`, so entry and exit rates carry their
//! standard errors as lognormal multipliers, and each projected year carries
//! structural shocks to the entry rate and exit hazard estimated from the
//! published series to the cut-off) and the scenario is drawn N times with
//! those, every other ranged assumption and process noise; the 5th-95th
//! percentiles fill p05-p95 and the summary reports how often the 50% and 90%
//! bands held the outturn.
//!
//! A damped forecast (`forecast_damped`) keeps the share of the model's change
//! from the last value that an inner back-test of the published series before
//! the cut-off found to happen ([`damping`]).
//!
//! Not a place for modelling: the model is the scenario's, resolved by
//! `carecast_scenario::build` with the calibration years cut back.

use crate::montecarlo::{Inputs, MonteCarloSpec, percentiles};
use anyhow::{Context, Result};
use carecast_core::rows::rows;
use carecast_plot::{Chart, ChartKind, ChartText, Formats, LineStyle, Series, ValueFormat};
use carecast_report::{Cell, Column, ColumnKind, Table, write_csv};
use carecast_scenario::loader::SourceFile;
use carecast_scenario::{Loaded, RunOptions, SHIPPED, Seeds, build, build_reusing, load, load_source};
use rayon::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The last year with published children in care in the bundled seeds.
pub const LAST_OUTTURN_YEAR: i32 = 2025;
/// The first year of published children in care in the bundled seeds.
pub const FIRST_OUTTURN_YEAR: i32 = 2015;
const ENGLAND: &str = "E92000001";
const CCN_SCENARIO: &str = "ccn-newton-2022";

/// `carecast backtest` settings.
#[derive(Debug, Clone)]
pub struct BacktestConfig {
    /// Scenario name or path.
    pub scenario: String,
    /// One council (name, ONS code or DfE number); `None` is the scenario's area.
    pub la: Option<String>,
    /// Every council.
    pub all_las: bool,
    /// Training cut-offs (31 March of each year), ascending and distinct.
    pub train_until: Vec<i32>,
    /// Years projected after each cut-off.
    pub horizon: i32,
    /// Monte Carlo draws per area and cut-off (0: no bands).
    pub draws: u64,
    /// Draw d uses seed `seed + d`.
    pub seed: u64,
    /// Output folder.
    pub out: PathBuf,
    /// Suppress progress output.
    pub quiet: bool,
}

/// One compared year.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestRow {
    /// Area ONS code.
    pub area: String,
    /// Last year of training data (31 March).
    pub origin_year: i32,
    /// Year compared (31 March).
    pub year: i32,
    /// `year - origin_year`.
    pub horizon: i32,
    /// Published children in care (None if not published).
    pub actual: Option<f64>,
    /// Model projection.
    pub forecast: f64,
    /// Published stock at the origin, carried forward.
    pub naive_last: f64,
    /// Least-squares line through the published stocks up to the origin (NaN with fewer than two).
    pub naive_trend: f64,
    /// The model's change from the origin damped: `naive_last * (forecast / naive_last)^beta_h`,
    /// beta_h estimated on the training years only (see [`damping`]).
    pub forecast_damped: f64,
    /// Monte Carlo 5th, 25th, 50th, 75th and 95th percentiles, if drawn.
    pub bands: Option<[f64; 5]>,
}

/// One area backtested from one origin.
#[derive(Debug, Clone)]
struct Run {
    code: String,
    name: String,
    origin: i32,
    rows: Vec<BacktestRow>,
    /// Model path from the origin (inclusive) to origin + horizon.
    path: Vec<(i32, f64)>,
    /// Damping by horizon (see [`damping`]).
    beta: Vec<f64>,
}

/// An (area code, area name), origin and the result or why it was skipped.
type Outcome = ((String, String), i32, Result<Run, String>);

/// Published children in care at 31 March `year` for an area, from the seeds.
fn published(seeds: &Seeds, code: &str, year: i32) -> Option<f64> {
    seeds.headline.get(&(code.to_string(), year)).and_then(|c| c[0].number())
}

/// Least-squares line through (x, y) points: (intercept, slope); None with
/// fewer than two distinct x.
pub fn least_squares(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = sxy / sxx;
    Some((my - slope * mx, slope))
}

/// The scenario with its calibration cut back to data up to 31 March `origin`.
fn cut_back(loaded: &Loaded, origin: i32) -> Result<Loaded, String> {
    let mut l = loaded.clone();
    if l.file.explicit.is_some() {
        return Err("the scenario has explicit rates ([explicit]); a backtest needs a calibrated scenario".into());
    }
    let cal =
        std::sync::Arc::make_mut(&mut l.file).calibration.as_mut().ok_or("the scenario has no [calibration] table")?;
    if origin <= cal.first_year {
        return Err(format!(
            "training to {origin} leaves no calibrated year: the scenario's calibration starts from the stock at 31 March {} \
             (--train-until must be after it)",
            cal.first_year
        ));
    }
    cal.last_year = origin;
    cal.rates_from_year = cal.rates_from_year.max(cal.first_year + 1).min(origin);
    cal.rates_to_year = origin;
    // The child population after the cut-off was not known then: project it
    // from the last estimate before it (mid-year origin-1, used for the rates
    // of the year to 31 March origin) at the scenario's growth assumption.
    if let Some(p) = std::sync::Arc::make_mut(&mut l.file).population.as_mut() {
        p.base_mid_year = p.base_mid_year.min(origin - 1);
    }
    Ok(l)
}

/// The scenario with the fit's uncertainty added: the council's rates fitted
/// on the training years only (`carecast calibrate --la`), written as neutral
/// levers that carry their standard errors, on top of `scenario`.
fn with_fit(
    scenario: &str,
    seeds: &Seeds,
    area: &str,
    first_year: i32,
    origin: i32,
    horizon: i32,
) -> Result<Loaded, String> {
    let config = crate::calibrate_la::Config {
        la: area.to_string(),
        from: Some(first_year),
        to: Some(origin),
        out: PathBuf::new(),
        name: Some("backtest-fit".into()),
        end_year: None,
    };
    let fitted = crate::calibrate_la::fit_with_horizon(seeds, &config, horizon)
        .map_err(|e| format!("fitting the rates: {e:#}"))?;
    let parent = if SHIPPED.iter().any(|s| s.name == scenario) {
        scenario.to_string()
    } else {
        std::path::absolute(scenario).map_err(|e| e.to_string())?.display().to_string()
    };
    // The fitted file extends the shipped baseline; put the backtested scenario in its place.
    let from = "extends = \"baseline\"";
    if !fitted.text.contains(from) {
        return Err("the fitted scenario does not extend the baseline; cannot put the scenario under it".into());
    }
    // The fit's end year (origin + horizon) would cut the scenario's horizon
    // short and refuse its later-dated levers; the run's options end it instead.
    let end = format!("end_year = {}\n", origin + horizon);
    if !fitted.text.contains(&end) {
        return Err("the fitted scenario states no end year to leave to the scenario".into());
    }
    let text = fitted.text.replacen(from, &format!("extends = {parent:?}"), 1).replacen(&end, "", 1);
    load_source(SourceFile { path: format!("(fit of {area} to {origin})"), text }).map_err(|e| e.to_string())
}

/// Backtests one area (query: code, number or name) from one origin; with
/// `mc`, also draws the uncertainty bands.
fn backtest_one(
    loaded: &Loaded,
    seeds: &Seeds,
    area: &str,
    origin: i32,
    horizon: i32,
    mc: Option<(&str, MonteCarloSpec)>,
) -> Result<Run, String> {
    let cut = cut_back(loaded, origin)?;
    let opts = RunOptions { start_year: Some(origin), end_year: Some(origin + horizon), area: Some(area.to_string()) };
    let built = build(&cut, seeds, &opts).map_err(|e| e.to_string())?;
    let bands: Option<Vec<(i32, [f64; 5])>> = match mc {
        None => None,
        Some((scenario, spec)) => {
            let first_year = cut.file.calibration.as_ref().map_or(origin - 1, |c| c.first_year);
            let drawn = cut_back(&with_fit(scenario, seeds, &built.area, first_year, origin, horizon)?, origin)?;
            let central = build_reusing(&drawn, seeds, &opts, &built).map_err(|e| e.to_string())?;
            let central_rows = rows(&central.name, &central.model.dims, &central.run().map_err(|e| e.to_string())?);
            let inputs = Inputs { loaded: &drawn, seeds, opts: &opts, central: &central, central_rows: &central_rows };
            let b = percentiles(&spec, inputs).map_err(|e| format!("{:#}", anyhow::Error::from(e)))?;
            Some(
                central_rows
                    .iter()
                    .zip(b)
                    .filter(|(r, _)| r.measure == "children_in_care" && r.breakdown == "total")
                    .map(|(r, b)| (r.year, b))
                    .collect(),
            )
        }
    };
    let projection = built.run().map_err(|e| e.to_string())?;
    let path: Vec<(i32, f64)> = rows(&built.name, &built.model.dims, &projection)
        .into_iter()
        .filter(|r| r.measure == "children_in_care" && r.breakdown == "total")
        .filter(|r| (origin..=origin + horizon).contains(&r.year))
        .map(|r| (r.year, r.value))
        .collect();
    let code = built.area.clone();
    let last = published(seeds, &code, origin)
        .or_else(|| path.iter().find(|p| p.0 == origin).map(|p| p.1))
        .ok_or_else(|| format!("no published children in care at 31 March {origin}"))?;
    let training: Vec<(f64, f64)> =
        (FIRST_OUTTURN_YEAR..=origin).filter_map(|y| published(seeds, &code, y).map(|v| (f64::from(y), v))).collect();
    let trend = least_squares(&training);
    let beta = damping(seeds, &code, origin, horizon);
    let mut out = Vec::new();
    for year in origin + 1..=(origin + horizon).min(LAST_OUTTURN_YEAR) {
        let forecast = path
            .iter()
            .find(|p| p.0 == year)
            .map(|p| p.1)
            .ok_or_else(|| format!("the projection has no children in care at 31 March {year}"))?;
        out.push(BacktestRow {
            area: code.clone(),
            origin_year: origin,
            year,
            horizon: year - origin,
            actual: published(seeds, &code, year),
            forecast,
            naive_last: last,
            naive_trend: trend.map_or(f64::NAN, |(a, b)| a + b * f64::from(year)),
            forecast_damped: damped(last, forecast, beta[(year - origin - 1) as usize]),
            bands: bands.as_ref().and_then(|b| b.iter().find(|(y, _)| *y == year).map(|(_, q)| *q)),
        });
    }
    Ok(Run { code, name: built.area_name.clone(), origin, rows: out, path, beta })
}

/// Children in care a year later by a one-compartment model of the headline
/// series: `entries` a year arrive evenly and each child leaves at the annual
/// `hazard`, in 12 monthly steps (s <- s (1 - hazard/12) + entries/12).
pub fn one_compartment_year(stock: f64, entries: f64, hazard: f64) -> f64 {
    let keep = 1.0 - hazard / 12.0;
    (0..12).fold(stock, |s, _| s * keep + entries / 12.0)
}

/// Pairs (predicted, realised) log change of the stock over `h` years from
/// every inner origin t with t + h <= `origin` (so only data to 31 March
/// `origin`): the prediction holds the year-t entry rate per child (starts
/// over the 0-17 population at the previous mid-year, applied to each later
/// year's population) and exit hazard (ceased over the mean stock) from the
/// published stock at t, as the model holds its calibrated rates.
pub fn inner_pairs(seeds: &Seeds, code: &str, origin: i32, h: i32) -> Vec<(f64, f64)> {
    let cell = |y: i32, i: usize| seeds.headline.get(&(code.to_string(), y)).and_then(|c| c[i].number());
    let population = |y: i32| seeds.population.get(&(code.to_string(), y)).copied().filter(|p| *p > 0.0);
    let mut out = Vec::new();
    for t in FIRST_OUTTURN_YEAR + 1..=origin - h {
        let (Some(s0), Some(s_prev), Some(starts), Some(ceased), Some(pop), Some(s_h)) =
            (cell(t, 0), cell(t - 1, 0), cell(t, 1), cell(t, 2), population(t - 1), cell(t + h, 0))
        else {
            continue;
        };
        let mean_stock = 0.5 * (s0 + s_prev);
        if s0 <= 0.0 || s_h <= 0.0 || mean_stock <= 0.0 {
            continue;
        }
        let (rate, hazard) = (starts / pop, ceased / mean_stock);
        let predicted =
            (1..=h).try_fold(s0, |s, k| population(t + k - 1).map(|p| one_compartment_year(s, rate * p, hazard)));
        if let Some(s) = predicted.filter(|s| *s > 0.0) {
            out.push(((s / s0).ln(), (s_h / s0).ln()));
        }
    }
    out
}

/// Least-squares slope through the origin of y on x (None if x is all zero).
pub fn slope_through_origin(pairs: &[(f64, f64)]) -> Option<f64> {
    let sxx: f64 = pairs.iter().map(|p| p.0 * p.0).sum();
    (sxx > 0.0).then(|| pairs.iter().map(|p| p.0 * p.1).sum::<f64>() / sxx)
}

/// The damping of the model's change by horizon 1..=`horizon`: how much of
/// the change that rates held from the last year predict did happen,
/// estimated by an inner back-test on the published headline series up to
/// 31 March `origin` only (rolling origins within the training years, pooled
/// over the areas of the same kind: councils with councils): the slope
/// through the origin of the realised on the predicted log change (see
/// [`inner_pairs`]), clamped to [0, 1]. A horizon the training years cannot
/// test takes the longest one they can; with none, 1 (no damping).
pub fn damping(seeds: &Seeds, code: &str, origin: i32, horizon: i32) -> Vec<f64> {
    let level = seeds.areas.iter().find(|a| a.code == code).map_or("", |a| a.level.as_str());
    let pool: Vec<&str> = seeds
        .areas
        .iter()
        .filter(|a| if level.is_empty() { a.code == code } else { a.level == level })
        .map(|a| a.code.as_str())
        .collect();
    let mut out: Vec<f64> = Vec::new();
    for h in 1..=horizon.max(1) {
        let pairs: Vec<(f64, f64)> = pool.iter().flat_map(|c| inner_pairs(seeds, c, origin, h)).collect();
        let beta = slope_through_origin(&pairs).map(|b| b.clamp(0.0, 1.0));
        out.push(beta.or_else(|| out.last().copied()).unwrap_or(1.0));
    }
    out
}

/// `last * (forecast / last)^beta`: the forecast's change from the last value, damped.
pub fn damped(last: f64, forecast: f64, beta: f64) -> f64 {
    if last > 0.0 && forecast > 0.0 { last * (forecast / last).powf(beta) } else { forecast }
}

/// Absolute percentage error (a fraction), if both are usable.
fn ape(forecast: f64, actual: Option<f64>) -> Option<f64> {
    let a = actual?;
    (forecast.is_finite() && a > 0.0).then(|| (forecast - a).abs() / a)
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 }
}

fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 { s[n / 2] } else { (s[n / 2 - 1] + s[n / 2]) / 2.0 }
}

/// Error summary for one horizon.
#[derive(Debug, Clone, PartialEq)]
pub struct HorizonSummary {
    /// Years after the cut-off.
    pub horizon: i32,
    /// Distinct areas with a published outturn at this horizon.
    pub areas: usize,
    /// Compared (area, origin) pairs.
    pub forecasts: usize,
    /// Mean absolute percentage error (fraction): model, last value, trend, damped model.
    pub mape: [f64; 4],
    /// The median area's error (each area's mean APE over origins, then the median over areas).
    pub median_area: [f64; 4],
    /// Share of forecasts with bands whose outturn lies in the 50% band (p25-p75) and the 90% band (p05-p95).
    pub coverage: [f64; 2],
    /// Forecasts with bands.
    pub with_bands: usize,
}

/// Mean absolute percentage error by horizon, pooled over areas and origins.
pub fn summarise(rows: &[BacktestRow]) -> Vec<HorizonSummary> {
    let horizons: BTreeSet<i32> = rows.iter().map(|r| r.horizon).collect();
    let mut out = Vec::new();
    for h in horizons {
        let at: Vec<&BacktestRow> = rows.iter().filter(|r| r.horizon == h && r.actual.is_some()).collect();
        let areas: BTreeSet<&str> = at.iter().map(|r| r.area.as_str()).collect();
        let pick = |r: &BacktestRow, m: usize| [r.forecast, r.naive_last, r.naive_trend, r.forecast_damped][m];
        let mut mape = [f64::NAN; 4];
        let mut median_area = [f64::NAN; 4];
        for m in 0..4 {
            let all: Vec<f64> = at.iter().filter_map(|r| ape(pick(r, m), r.actual)).collect();
            mape[m] = mean(&all);
            let per_area: Vec<f64> = areas
                .iter()
                .map(|a| {
                    let e: Vec<f64> =
                        at.iter().filter(|r| r.area == *a).filter_map(|r| ape(pick(r, m), r.actual)).collect();
                    mean(&e)
                })
                .filter(|v| v.is_finite())
                .collect();
            median_area[m] = median(&per_area);
        }
        let banded: Vec<(f64, [f64; 5])> = at.iter().filter_map(|r| Some((r.actual?, r.bands?))).collect();
        let share = |lo: usize, hi: usize| {
            let n = banded.iter().filter(|(a, b)| b[lo] <= *a && *a <= b[hi]).count();
            if banded.is_empty() { f64::NAN } else { n as f64 / banded.len() as f64 }
        };
        out.push(HorizonSummary {
            horizon: h,
            areas: areas.len(),
            forecasts: at.len(),
            mape,
            median_area,
            coverage: [share(1, 3), share(0, 4)],
            with_bands: banded.len(),
        });
    }
    out
}

/// Runs `carecast backtest`.
pub fn run(c: &BacktestConfig) -> Result<()> {
    let seeds = Seeds::bundled().context("reading the bundled seed data")?;
    let loaded = load(&c.scenario).with_context(|| format!("loading scenario `{}`", c.scenario))?;
    if loaded.file.explicit.is_some() {
        anyhow::bail!(
            "`{}` has explicit rates ([explicit], as from a council's own SSDA903 return): there is no published series to cut back and calibrate again, so it cannot be back-tested; back-test a scenario calibrated from the published data (`--la` for the council)",
            c.scenario
        );
    }
    let areas: Vec<(String, String)> = if c.all_las {
        seeds.areas.iter().filter(|a| a.level == "la").map(|a| (a.code.clone(), a.name.clone())).collect()
    } else {
        let wanted = c.la.clone().unwrap_or_else(|| loaded.file.scenario.area.clone());
        let a = seeds.find_area(&wanted).ok_or_else(|| {
            anyhow::anyhow!(
                "--la `{wanted}`: expected a known area (ONS code, DfE number or name); nearest: {}",
                seeds.nearest_areas(&wanted, 3).iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
            )
        })?;
        vec![(a.code.clone(), a.name.clone())]
    };
    let (runs, skipped) =
        backtest_areas(&c.scenario, &loaded, &seeds, &areas, &c.train_until, c.horizon, c.draws, c.seed);
    if runs.is_empty() {
        let reasons: Vec<String> = skipped.iter().map(|s| format!("{} ({}) to {}: {}", s.1, s.0, s.2, s.3)).collect();
        anyhow::bail!("nothing could be backtested:\n  {}", reasons.join("\n  "));
    }
    let bt_rows: Vec<BacktestRow> = runs.iter().flat_map(|r| r.rows.iter().cloned()).collect();
    let summary = summarise(&bt_rows);

    std::fs::create_dir_all(&c.out).with_context(|| format!("creating {}", c.out.display()))?;
    write_csv(&c.out.join("backtest.csv"), &backtest_table(&bt_rows))?;
    write_csv(&c.out.join("summary.csv"), &summary_table(&summary))?;
    let skipped_path = c.out.join("skipped.csv");
    if skipped.is_empty() {
        // A stale list from an earlier run would mislead.
        let _ = std::fs::remove_file(&skipped_path);
    } else {
        let mut t = Table::new(
            "skipped",
            "Areas that could not be calibrated for a cut-off",
            vec![
                Column::new("area", ColumnKind::Text),
                Column::new("name", ColumnKind::Text),
                Column::new("origin_year", ColumnKind::Year),
                Column::new("reason", ColumnKind::Text),
            ],
        );
        for (code, name, origin, e) in &skipped {
            t.push_row(vec![code.as_str().into(), name.as_str().into(), (*origin).into(), e.as_str().into()]);
        }
        write_csv(&skipped_path, &t)?;
    }

    // The chart: England for --all-las (councils do not add up to one line), else the area.
    let chart_runs: Vec<Run> = if c.all_las {
        c.train_until.iter().filter_map(|o| backtest_one(&loaded, &seeds, ENGLAND, *o, c.horizon, None).ok()).collect()
    } else {
        runs.clone()
    };
    if let Some(chart) = chart_of(&seeds, &chart_runs, c.horizon)? {
        chart
            .write(&c.out.join("backtest"), Formats::BOTH)
            .with_context(|| format!("writing the chart to {}", c.out.display()))?;
    }

    print_summary(c, &areas, &runs, &summary, &skipped);
    if !c.quiet {
        errln!("wrote {}", c.out.display());
    }
    Ok(())
}

/// An area and origin that could not be back-tested: code, name, origin, why.
type Skipped = (String, String, i32, String);

/// Back-tests every area (code, name) from every origin in parallel, with
/// bands of `draws` Monte Carlo draws (0: none) from seed `seed`: the runs in
/// order, and those that could not be calibrated.
#[allow(clippy::too_many_arguments)]
fn backtest_areas(
    scenario: &str,
    loaded: &Loaded,
    seeds: &Seeds,
    areas: &[(String, String)],
    origins: &[i32],
    horizon: i32,
    draws: u64,
    seed: u64,
) -> (Vec<Run>, Vec<Skipped>) {
    let mc = (draws > 0).then_some((
        scenario,
        MonteCarloSpec { draws, seed, parameter_uncertainty: true, process_noise: true, sampling: Default::default() },
    ));
    let jobs: Vec<(&(String, String), i32)> = areas.iter().flat_map(|a| origins.iter().map(move |o| (a, *o))).collect();
    // Each (area, origin) is independent; rayon keeps the results in order.
    let results: Vec<Outcome> = jobs
        .par_iter()
        .map(|((code, name), origin)| {
            ((code.clone(), name.clone()), *origin, backtest_one(loaded, seeds, code, *origin, horizon, mc))
        })
        .collect();
    let mut runs = Vec::new();
    let mut skipped = Vec::new();
    for (area, origin, r) in results {
        match r {
            Ok(run) => runs.push(run),
            Err(e) => skipped.push((area.0, area.1, origin, e)),
        }
    }
    (runs, skipped)
}

/// The chart of one area's forecasts against its outturn, with the CCN/Newton
/// 2021 projection for England; `None` without runs.
fn chart_of(seeds: &Seeds, runs: &[Run], horizon: i32) -> Result<Option<Chart>> {
    let Some(first) = runs.first() else { return Ok(None) };
    let ccn = if first.code == ENGLAND {
        Some(ccn_projection(seeds).context("running the CCN/Newton 2021 projection (`ccn-newton-2022`)")?)
    } else {
        None
    };
    Ok(Some(backtest_chart(seeds, runs, ccn.as_deref(), horizon)))
}

/// Years ahead the report's track record scores (the horizon of the goal).
pub const TRACK_RECORD_HORIZON: i32 = 3;

/// Monte Carlo draws per cut-off for the track record's bands (`backtest`'s default).
pub const TRACK_RECORD_DRAWS: u64 = 1000;

/// How the method did before, for one area: what `carecast report` shows.
pub struct TrackRecord {
    /// Error by horizon against the naive forecasts, and the bands' coverage.
    pub table: Table,
    /// Forecasts against the outturn (and CCN's projection for England).
    pub chart: Chart,
    /// Cut-offs that could not be back-tested, with why.
    pub skipped: Vec<String>,
}

/// The scenario's method back-tested for one area (code) from each of the
/// four years before the last outturn, [`TRACK_RECORD_HORIZON`] years ahead,
/// with [`TRACK_RECORD_DRAWS`] draws for the bands (seed `seed`): as
/// `carecast backtest --la AREA --train-until 2021,2022,2023,2024` does.
pub fn track_record(scenario: &str, loaded: &Loaded, seeds: &Seeds, area: &str, seed: u64) -> Result<TrackRecord> {
    let origins: Vec<i32> = (LAST_OUTTURN_YEAR - 4..LAST_OUTTURN_YEAR).collect();
    let name = seeds.find_area(area).map_or_else(|| area.to_string(), |a| a.name.clone());
    let areas = [(area.to_string(), name.clone())];
    let (runs, skipped) =
        backtest_areas(scenario, loaded, seeds, &areas, &origins, TRACK_RECORD_HORIZON, TRACK_RECORD_DRAWS, seed);
    if runs.is_empty() {
        let reasons: BTreeSet<String> = skipped.iter().map(|s| plain_reason(&s.3)).collect();
        anyhow::bail!("{}", reasons.into_iter().collect::<Vec<_>>().join("; "));
    }
    let skipped: Vec<String> = skipped.iter().map(|s| format!("data to {}: {}", s.2, plain_reason(&s.3))).collect();
    let rows: Vec<BacktestRow> = runs.iter().flat_map(|r| r.rows.iter().cloned()).collect();
    // Horizons with no published outturn to score against are left out.
    let summary: Vec<_> = summarise(&rows).into_iter().filter(|h| h.forecasts > 0).collect();
    if summary.is_empty() {
        anyhow::bail!(
            "{name} has no published children in care after the cut-offs to score the forecasts against (suppressed or not published)"
        );
    }
    let mut table = Table::new(
        "Track record",
        format!("How the method did before: {name}, children in care at 31 March, error against the published outturn"),
        vec![
            Column::new("years ahead", ColumnKind::Count),
            Column::new("forecasts", ColumnKind::Count),
            Column::new("carecast", ColumnKind::Percent),
            Column::new("damped", ColumnKind::Percent),
            Column::new("last value", ColumnKind::Percent),
            Column::new("linear trend", ColumnKind::Percent),
            Column::new("in the 50% band", ColumnKind::Percent),
            Column::new("in the 90% band", ColumnKind::Percent),
        ],
    );
    for h in &summary {
        let mut row: Vec<Cell> = vec![f64::from(h.horizon).into(), (h.forecasts as f64).into()];
        row.extend([h.mape[0], h.mape[3], h.mape[1], h.mape[2], h.coverage[0], h.coverage[1]].map(Cell::Number));
        table.push_row(row);
    }
    let ran: Vec<String> = runs.iter().map(|r| r.origin.to_string()).collect();
    let what = format!(
        "The scenario `{scenario}`'s method, calibrated on the published data up to 31 March {} only (one forecast from each), projected children in care {TRACK_RECORD_HORIZON} years ahead; the errors are mean absolute percentage errors against the published outturn to {LAST_OUTTURN_YEAR}, next to two naive forecasts made from the same data (the last value carried forward; a least-squares line through the published years) and the damped forecast (the share of the model's change an inner back-test of the earlier years found to happen). The bands are {} Monte Carlo draws from each fit (its standard errors, structural shocks, every other ranged assumption and process noise); a well-calibrated 90% band holds about 90% of the outturns, but with this few forecasts a share is rough (with n forecasts, one moves it 100/n points). As `carecast backtest {scenario} --la {area} --train-until {} --seed {seed}`.",
        ran.join(", "),
        carecast_report::format_count(TRACK_RECORD_DRAWS as f64),
        ran.join(",")
    );
    table.notes.push(what);
    let chart = chart_of(seeds, &runs, TRACK_RECORD_HORIZON)?.context("no back-test to draw")?;
    Ok(TrackRecord { table, chart, skipped })
}

/// A scenario error as a reason in words for a committee paper: without the
/// file, line and key it points the analyst to (the cut-off's calibration, not
/// their file, is what lacks the data), "expected" read as "needs".
fn plain_reason(error: &str) -> String {
    let located = error.split_once(": ").filter(|(at, _)| {
        let mut parts = at.rsplitn(3, ':');
        let (col, line) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        [col, line].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    });
    let text = located.map_or(error, |(_, rest)| rest);
    let text = match text.rfind(" (key `") {
        Some(i) if text.ends_with("`)") => &text[..i],
        _ => text,
    };
    match text.strip_prefix("expected ") {
        Some(rest) => format!("the calibration needs {rest}"),
        None => text.to_string(),
    }
}

/// Children in care in the shipped CCN/Newton 2021 projection (as `carecast run ccn-newton-2022`).
fn ccn_projection(seeds: &Seeds) -> Result<Vec<(i32, f64)>> {
    let loaded = load(CCN_SCENARIO)?;
    let built = build(&loaded, seeds, &RunOptions::default())?;
    let p = built.run()?;
    Ok(rows(&built.name, &built.model.dims, &p)
        .into_iter()
        .filter(|r| r.measure == "children_in_care" && r.breakdown == "total")
        .map(|r| (r.year, r.value))
        .collect())
}

fn backtest_table(rows: &[BacktestRow]) -> Table {
    let cols = [
        ("area", ColumnKind::Text),
        ("origin_year", ColumnKind::Year),
        ("year", ColumnKind::Year),
        ("horizon", ColumnKind::Number),
        ("actual", ColumnKind::Count),
        ("forecast", ColumnKind::Count),
        ("p05", ColumnKind::Count),
        ("p25", ColumnKind::Count),
        ("p50", ColumnKind::Count),
        ("p75", ColumnKind::Count),
        ("p95", ColumnKind::Count),
        ("naive_last", ColumnKind::Count),
        ("naive_trend", ColumnKind::Count),
        ("forecast_damped", ColumnKind::Count),
    ];
    let mut t = Table::new(
        "backtest",
        "Backtest: children in care at 31 March, forecast from data to the origin year against the published outturn",
        cols.iter().map(|(n, k)| Column::new(*n, *k)).collect(),
    );
    t.notes.push(
        "p05-p95: Monte Carlo percentiles (fitted rates with their standard errors, ranged assumptions, process noise); empty without --draws"
            .into(),
    );
    for r in rows {
        let b = |i: usize| r.bands.map_or(Cell::Empty, |b| Cell::Number(b[i]));
        t.push_row(vec![
            r.area.as_str().into(),
            r.origin_year.into(),
            r.year.into(),
            r.horizon.into(),
            r.actual.into(),
            r.forecast.into(),
            b(0),
            b(1),
            b(2),
            b(3),
            b(4),
            r.naive_last.into(),
            r.naive_trend.into(),
            r.forecast_damped.into(),
        ]);
    }
    t
}

fn summary_table(summary: &[HorizonSummary]) -> Table {
    let mut cols = vec![
        Column::new("horizon", ColumnKind::Number),
        Column::new("areas", ColumnKind::Count),
        Column::new("forecasts", ColumnKind::Count),
    ];
    for n in [
        "mape_model",
        "mape_naive_last",
        "mape_naive_trend",
        "median_area_ape_model",
        "median_area_ape_naive_last",
        "median_area_ape_naive_trend",
        "coverage_50",
        "coverage_90",
    ] {
        cols.push(Column::new(n, ColumnKind::Percent));
    }
    cols.push(Column::new("forecasts_with_bands", ColumnKind::Count));
    // Appended, so the earlier columns keep their places.
    cols.push(Column::new("mape_model_damped", ColumnKind::Percent));
    cols.push(Column::new("median_area_ape_model_damped", ColumnKind::Percent));
    let mut t = Table::new("summary", "Backtest: mean absolute percentage error by horizon", cols);
    for s in summary {
        let mut row: Vec<Cell> = vec![s.horizon.into(), (s.areas as f64).into(), (s.forecasts as f64).into()];
        row.extend(s.mape[..3].iter().chain(&s.median_area[..3]).chain(&s.coverage).map(|v| Cell::Number(*v)));
        row.push((s.with_bands as f64).into());
        row.extend([s.mape[3], s.median_area[3]].map(Cell::Number));
        t.push_row(row);
    }
    t
}

fn backtest_chart(seeds: &Seeds, runs: &[Run], ccn: Option<&[(i32, f64)]>, horizon: i32) -> Chart {
    let first = &runs[0];
    let history: Vec<(i32, f64)> = (FIRST_OUTTURN_YEAR..=LAST_OUTTURN_YEAR)
        .filter_map(|y| published(seeds, &first.code, y).map(|v| (y, v)))
        .collect();
    let mut series = vec![Series::new("Published (DfE)", history, LineStyle::Solid).with_colour(0)];
    for (i, r) in runs.iter().enumerate() {
        series.push(
            Series::new(format!("Forecast from data to {}", r.origin), r.path.clone(), LineStyle::Dashed)
                .with_colour(i + 1),
        );
    }
    let last_forecast = runs.iter().map(|r| r.origin + horizon).max().unwrap_or(LAST_OUTTURN_YEAR);
    if let Some(ccn) = ccn {
        // Its headline is "the end of 2025", read as 31 March 2026. Black
        // (palette 7), so it is not confused with the published blue.
        let end = last_forecast.max(2026);
        let pts: Vec<(i32, f64)> = ccn.iter().copied().filter(|p| p.0 <= end).collect();
        series.push(Series::new("CCN/Newton 2021 projection (remade)", pts, LineStyle::Dashed).with_colour(7));
    }
    let origins: Vec<String> = runs.iter().map(|r| r.origin.to_string()).collect();
    Chart::new(
        ChartText {
            title: format!("Backtest: children looked after, {}", first.name),
            subtitle: format!(
                "Published 2015-{LAST_OUTTURN_YEAR} (solid) and forecasts from data to 31 March {} (dashed)",
                origins.join(", ")
            ),
            x_title: "Year (at 31 March)".into(),
            y_title: "Children looked after (count)".into(),
            source_note: "Source: DfE children looked after in England (seeds/cla_headline.csv); carecast backtest"
                .into(),
        },
        ValueFormat::Count,
        ChartKind::Lines { series, bands: vec![] },
    )
}

fn pct(v: f64) -> String {
    if v.is_finite() { format!("{:.1}%", v * 100.0) } else { "-".into() }
}

fn print_summary(
    c: &BacktestConfig,
    areas: &[(String, String)],
    runs: &[Run],
    summary: &[HorizonSummary],
    skipped: &[(String, String, i32, String)],
) {
    let origins: Vec<String> = c.train_until.iter().map(i32::to_string).collect();
    let what = if c.all_las { "every council".to_string() } else { areas[0].1.clone() };
    let ran: BTreeSet<&str> = runs.iter().map(|r| r.code.as_str()).collect();
    outln!(
        "backtest of {} — {what}, trained to 31 March {}, horizon {} — {} of {} areas",
        c.scenario,
        origins.join(", "),
        c.horizon,
        ran.len(),
        areas.len()
    );
    outln!("mean absolute percentage error of children in care at 31 March");
    let header = format!(
        "{:>7} {:>6} {:>9} {:>9} {:>9} {:>11} {:>9}",
        "horizon", "areas", "forecasts", "model", "damped", "last value", "trend"
    );
    if c.all_las {
        outln!("{header}   {:>15} {:>9} {:>11} {:>9}", "median: model", "damped", "last value", "trend");
    } else {
        outln!("{header}");
    }
    for s in summary {
        let line = format!(
            "{:>7} {:>6} {:>9} {:>9} {:>9} {:>11} {:>9}",
            s.horizon,
            s.areas,
            s.forecasts,
            pct(s.mape[0]),
            pct(s.mape[3]),
            pct(s.mape[1]),
            pct(s.mape[2])
        );
        if c.all_las {
            outln!(
                "{line}   {:>15} {:>9} {:>11} {:>9}",
                pct(s.median_area[0]),
                pct(s.median_area[3]),
                pct(s.median_area[1]),
                pct(s.median_area[2])
            );
        } else {
            outln!("{line}");
        }
    }
    let mut origins_seen = BTreeSet::new();
    for r in runs.iter().filter(|r| origins_seen.insert(r.origin)) {
        let b: Vec<String> = r.beta.iter().map(|b| format!("{b:.2}")).collect();
        outln!(
            "damped: the model's change times {} (horizon 1, 2, ...), from data to {} only (inner back-test of the published series)",
            b.join(", "),
            r.origin
        );
    }
    if summary.iter().any(|s| s.with_bands > 0) {
        outln!(
            "share of outturns inside the Monte Carlo bands ({} draws each):",
            carecast_report::format_count(c.draws as f64)
        );
        outln!("{:>7} {:>9} {:>12} {:>12}", "horizon", "forecasts", "50% band", "90% band");
        for s in summary {
            outln!("{:>7} {:>9} {:>12} {:>12}", s.horizon, s.with_bands, pct(s.coverage[0]), pct(s.coverage[1]));
        }
    } else if c.draws == 0 {
        outln!("no uncertainty bands (--draws 0)");
    } else {
        outln!("no band coverage: no forecast has a published outturn to compare with");
    }
    if !skipped.is_empty() {
        outln!("skipped ({}; see skipped.csv):", skipped.len());
        for (code, name, origin, e) in skipped {
            outln!("  {name} ({code}), data to {origin}: {e}");
        }
    }
}

/// Where `carecast backtest` writes by default.
pub fn default_out() -> PathBuf {
    Path::new("out").join("backtest")
}

#[cfg(test)]
mod tests {
    use super::*;
    use carecast_scenario::seeds::Cell;

    #[test]
    fn least_squares_by_hand() {
        // y = 2x + 1 exactly.
        let (a, b) = least_squares(&[(1.0, 3.0), (2.0, 5.0), (3.0, 7.0)]).unwrap();
        assert!((a - 1.0).abs() < 1e-12 && (b - 2.0).abs() < 1e-12);
        // (0,0), (1,1), (2,1): slope 0.5, intercept 1/6.
        let (a, b) = least_squares(&[(0.0, 0.0), (1.0, 1.0), (2.0, 1.0)]).unwrap();
        assert!((b - 0.5).abs() < 1e-12 && (a - 1.0 / 6.0).abs() < 1e-12);
        assert!(least_squares(&[(1.0, 1.0)]).is_none());
    }

    #[test]
    fn median_and_summary() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        let row = |area: &str, actual: f64, forecast: f64| BacktestRow {
            area: area.into(),
            origin_year: 2022,
            year: 2023,
            horizon: 1,
            actual: Some(actual),
            forecast,
            naive_last: actual,
            naive_trend: f64::NAN,
            forecast_damped: forecast,
            bands: Some([forecast * 0.9, forecast * 0.95, forecast, forecast * 1.05, forecast * 1.1]),
        };
        let s = summarise(&[row("a", 100.0, 110.0), row("b", 200.0, 180.0), row("c", 50.0, 50.0)]);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].areas, 3);
        assert!((s[0].mape[0] - (0.1 + 0.1 + 0.0) / 3.0).abs() < 1e-12);
        assert!((s[0].median_area[0] - 0.1).abs() < 1e-12);
        assert_eq!(s[0].mape[1], 0.0);
        assert!(s[0].mape[2].is_nan());
        // 100 is in [99, 121] but not [104.5, 115.5]; 200 is outside [162, 198]; 50 is in both.
        assert_eq!(s[0].coverage, [1.0 / 3.0, 2.0 / 3.0]);
        assert_eq!(s[0].with_bands, 3);
    }
    #[test]
    fn one_compartment_year_closed_form() {
        // Constant entries E and hazard m: s_n = E/m' + (s_0 - E/m') (1 - m/12)^n with
        // E/m' the fixed point of s = s (1 - m/12) + E/12, i.e. E/m.
        let (s0, e, m) = (500.0, 180.0, 0.4);
        let fixed = e / m;
        let want = fixed + (s0 - fixed) * (1.0 - m / 12.0_f64).powi(12);
        assert!((one_compartment_year(s0, e, m) - want).abs() < 1e-9);
        assert!((one_compartment_year(fixed, e, m) - fixed).abs() < 1e-9);
    }

    #[test]
    fn damping_arithmetic() {
        // Slope through the origin: sum xy / sum xx = (1*2 + 2*1) / (1 + 4).
        assert!((slope_through_origin(&[(1.0, 2.0), (2.0, 1.0)]).unwrap() - 0.8).abs() < 1e-12);
        assert!(slope_through_origin(&[(0.0, 1.0)]).is_none());
        // Damped: the change from the last value raised to beta.
        assert!((damped(100.0, 121.0, 0.5) - 110.0).abs() < 1e-9);
        assert_eq!(damped(100.0, 80.0, 0.0), 100.0);
        assert_eq!(damped(100.0, 80.0, 1.0), 80.0);
    }

    /// Seeds for three councils with a stock, starts, ceased and population from 2014 to 2025.
    fn toy_seeds() -> Seeds {
        let mut seeds = Seeds::default();
        for (k, code) in ["E0A", "E0B", "E0C"].iter().enumerate() {
            seeds.areas.push(carecast_scenario::seeds::Area {
                code: code.to_string(),
                dfe_number: k.to_string(),
                name: code.to_string(),
                level: "la".into(),
                region_code: String::new(),
                note: String::new(),
            });
            let mut stock = 300.0 + 100.0 * k as f64;
            for y in 2014..=2025 {
                let wiggle = ((y * 7 + k as i32 * 3) % 5) as f64 - 2.0;
                let starts = 120.0 + 10.0 * wiggle;
                let ceased = 110.0 + 5.0 * k as f64 - 4.0 * wiggle;
                stock += starts - ceased;
                seeds
                    .headline
                    .insert((code.to_string(), y), [Cell::Number(stock), Cell::Number(starts), Cell::Number(ceased)]);
                seeds.population.insert((code.to_string(), y), 40_000.0 + 100.0 * wiggle);
            }
        }
        seeds
    }

    #[test]
    fn damping_uses_the_training_years_only() {
        let seeds = toy_seeds();
        let beta = damping(&seeds, "E0A", 2019, 3);
        assert_eq!(beta.len(), 3);
        assert!(beta.iter().all(|b| (0.0..=1.0).contains(b)), "{beta:?}");
        // By hand for horizon 1: the pooled slope through the origin of the inner pairs.
        let pairs: Vec<(f64, f64)> =
            ["E0A", "E0B", "E0C"].iter().flat_map(|c| inner_pairs(&seeds, c, 2019, 1)).collect();
        assert_eq!(pairs.len(), 3 * 3, "origins 2016, 2017, 2018 for each council");
        let by_hand = pairs.iter().map(|p| p.0 * p.1).sum::<f64>() / pairs.iter().map(|p| p.0 * p.0).sum::<f64>();
        assert_eq!(beta[0], by_hand.clamp(0.0, 1.0));
        // One inner pair recomputed: origin 2016, E0B.
        let cell = |y: i32, i: usize| seeds.headline[&("E0B".to_string(), y)][i].number().unwrap();
        let (s0, hazard) = (cell(2016, 0), cell(2016, 2) / (0.5 * (cell(2015, 0) + cell(2016, 0))));
        let entries =
            cell(2016, 1) / seeds.population[&("E0B".to_string(), 2015)] * seeds.population[&("E0B".to_string(), 2016)];
        let first = inner_pairs(&seeds, "E0B", 2019, 1)[0];
        assert!((first.0 - (one_compartment_year(s0, entries, hazard) / s0).ln()).abs() < 1e-12);
        assert!((first.1 - (cell(2017, 0) / s0).ln()).abs() < 1e-12);
        // Anything published after the cut-off changes nothing.
        let mut later = toy_seeds();
        for ((_, y), cells) in later.headline.iter_mut() {
            if *y > 2019 {
                cells[0] = Cell::Number(5.0);
                cells[1] = Cell::Suppressed;
            }
        }
        for ((_, y), p) in later.population.iter_mut() {
            if *y >= 2019 {
                *p *= 3.0;
            }
        }
        assert_eq!(damping(&later, "E0A", 2019, 3), beta);
        // Without a year to test against, no damping.
        assert_eq!(damping(&seeds, "E0A", 2016, 2), vec![1.0, 1.0]);
    }

    #[test]
    fn reasons_lose_their_file_location_and_key() {
        assert_eq!(
            plain_reason(
                "scenarios/baseline.toml:115:1: expected two consecutive years of published breakdowns for X from 2020 (key `calibration.first_year`)"
            ),
            "the calibration needs two consecutive years of published breakdowns for X from 2020"
        );
        // Words with colons but no location are kept whole.
        assert_eq!(plain_reason("the scenario has explicit rates: none"), "the scenario has explicit rates: none");
    }
}
