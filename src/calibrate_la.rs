//! `carecast calibrate --la NAME [--from YEAR] [--to YEAR] --out FILE`: a
//! council's (or England's) scenario calibrated on the bundled published data,
//! written as a file an analyst can keep, read and run.
//!
//! What it does: the file extends the shipped baseline for the area and the
//! calibration window (so it reproduces `run --la` exactly), and states the
//! uncertainty of the rates as neutral levers (central value 1, `op =
//! "multiply"`) that `sensitivity` and `run --draws` sample. The ranges come
//! from Poisson maximum-likelihood fits ([`carecast_core::fit`]) of the
//! council's published series over the window, each with an intercept per age
//! band (or reason) and a common log-linear year trend:
//! - starts by age band, exposure the band's population (rate per 10,000);
//! - exits under 18 by age band, exposure the child-years in care in the band
//!   (mean of the published stock at the two 31 Marches);
//! - exits by reason (not ageing out), exposure the child-years in care.
//!
//! A lever's range is 1 -/+ 2 relative standard errors of the band's (or
//! reason's) rate at the window centre (quasi-Poisson when the data are
//! overdispersed), capped at +/- 90%. Exits get one lever per age band (all
//! reasons) and one per reason (all ages): a main-effects structure that the
//! one-way margins identify; drawn together, a (reason, age) hazard's relative
//! standard error is the two combined in quadrature. Not identified, so kept
//! as stated ranges and said so in the file: the reason-by-age interaction
//! (held at the calibration's rake), the entry mix by placement and the
//! placement moves. Goodness of fit by series (deviance, dispersion, largest
//! relative error) and the published totals and breakdowns the fit does not
//! match within 2% are printed and written as comments.
//!
//! Not here: the calibration itself or the likelihood maths (carecast-core)
//! or SSDA903 returns (`calibrate903.rs`).

use anyhow::{Context, Result, bail};
use carecast_core::fit::{FitError, FitOptions, PoissonFit, Scale, fit_poisson};
use carecast_core::{Dimensions, simulate};
use carecast_report::write_atomic;
use carecast_scenario::{Built, Outturn, RunOptions, Seeds, build, load};
use std::fmt::Write as _;
use std::path::PathBuf;

/// `carecast calibrate --la` settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Area: name, ONS code or DfE number.
    pub la: String,
    /// First published 31 March stock used.
    pub from: Option<i32>,
    /// Last published year used (the stock the projection starts from).
    pub to: Option<i32>,
    /// Scenario file to write.
    pub out: PathBuf,
    /// Scenario name (default: from the area).
    pub name: Option<String>,
}

/// Relative error above which a published total or breakdown counts as not matched.
const MATCH_TOLERANCE: f64 = 0.02;
/// Largest half-range of a fit lever (relative).
const MAX_HALF_RANGE: f64 = 0.9;
/// Half-range stated where the data do not identify a rate.
const UNIDENTIFIED_HALF_RANGE: f64 = 0.2;
/// Half-range stated for the entry mix and placement moves.
const STATED_MIX_HALF_RANGE: f64 = 0.5;

/// One published count with its exposure.
#[derive(Debug, Clone)]
struct Obs {
    group: usize,
    year: i32,
    count: f64,
    exposure: f64,
}

/// A series fitted with an intercept per group and a common year trend.
struct SeriesFit {
    /// Series label.
    label: &'static str,
    /// Group labels (bands or reasons).
    groups: Vec<String>,
    /// Observations used.
    obs: Vec<Obs>,
    /// Per group: the design column of its intercept (None: not identified, e.g. no events).
    column: Vec<Option<usize>>,
    /// Design column of the trend (None with one year).
    trend_column: Option<usize>,
    /// The fit, or why it failed.
    fit: Result<PoissonFit, FitError>,
    /// Centre of the year covariate.
    year_centre: f64,
}

impl SeriesFit {
    fn new(label: &'static str, groups: Vec<String>, obs: Vec<Obs>) -> Self {
        let obs: Vec<Obs> = obs.into_iter().filter(|o| o.exposure > 0.0 && o.count.is_finite()).collect();
        let mut column = vec![None; groups.len()];
        let mut k = 0;
        for (g, c) in column.iter_mut().enumerate() {
            if obs.iter().filter(|o| o.group == g).map(|o| o.count).sum::<f64>() > 0.0 {
                *c = Some(k);
                k += 1;
            }
        }
        let obs: Vec<Obs> = obs.into_iter().filter(|o| column[o.group].is_some()).collect();
        let mut years: Vec<i32> = obs.iter().map(|o| o.year).collect();
        years.sort_unstable();
        years.dedup();
        let year_centre = years.iter().map(|y| *y as f64).sum::<f64>() / years.len().max(1) as f64;
        let trend_column = (years.len() > 1).then_some(k);
        let p = k + usize::from(trend_column.is_some());
        let design: Vec<Vec<f64>> = obs
            .iter()
            .map(|o| {
                let mut row = vec![0.0; p];
                if let Some(c) = column[o.group] {
                    row[c] = 1.0;
                }
                if let Some(t) = trend_column {
                    row[t] = o.year as f64 - year_centre;
                }
                row
            })
            .collect();
        let counts: Vec<f64> = obs.iter().map(|o| o.count).collect();
        let exposures: Vec<f64> = obs.iter().map(|o| o.exposure).collect();
        let fit = fit_poisson(&counts, &exposures, &design, &FitOptions::default());
        SeriesFit { label, groups, obs, column, trend_column, fit, year_centre }
    }

    /// Rate at the window centre and its relative standard error, if identified.
    fn rate(&self, g: usize) -> Option<(f64, f64)> {
        let f = self.fit.as_ref().ok()?;
        let c = self.column[g]?;
        Some((f.coefficients[c].exp(), f.standard_errors[c]))
    }

    /// Between-year standard deviation of group `g`'s log rate beyond Poisson
    /// noise: with dispersion phi (Pearson chi-square per degree of freedom)
    /// a count with mean m has variance phi m, so the rate itself varies from
    /// year to year with relative variance (phi - 1) / m (0 when phi <= 1).
    fn between_year_sd(&self, g: usize) -> f64 {
        let Ok(f) = self.fit.as_ref() else { return 0.0 };
        let phi = f.dispersion.unwrap_or(1.0);
        let counts: Vec<f64> = self.obs.iter().filter(|o| o.group == g).map(|o| o.count).collect();
        let mean = counts.iter().sum::<f64>() / counts.len().max(1) as f64;
        if mean > 0.0 { ((phi - 1.0).max(0.0) / mean).sqrt() } else { 0.0 }
    }

    /// Annual trend (log-rate change a year) and its standard error.
    fn trend(&self) -> Option<(f64, f64)> {
        let f = self.fit.as_ref().ok()?;
        let t = self.trend_column?;
        Some((f.coefficients[t], f.standard_errors[t]))
    }

    fn scale_text(&self) -> String {
        match self.fit.as_ref().map(|f| f.scale) {
            Ok(Scale::QuasiPoisson { phi }) => format!("quasi-Poisson, dispersion {phi:.2}"),
            Ok(Scale::Poisson) => "Poisson, no overdispersion".into(),
            Err(_) => "no fit".into(),
        }
    }

    fn trend_text(&self) -> String {
        match self.trend() {
            Some((b, se)) => format!("{:+.1}% a year (SE {:.1}%)", 100.0 * b.exp_m1(), 100.0 * se),
            None => "no trend (one year)".into(),
        }
    }

    /// Fitted count of each observation.
    fn fitted(&self) -> Option<&[f64]> {
        self.fit.as_ref().ok().map(|f| f.fitted.as_slice())
    }
}

/// A neutral lever written to the file.
#[derive(Debug, Clone, Default)]
struct Lever {
    id: String,
    what: String,
    target: &'static str,
    bands: Option<String>,
    reasons: Option<String>,
    placements: Option<String>,
    to: Option<String>,
    /// Relative half-range: low = 1 - this, high = 1 + this.
    half_range: f64,
    /// Predictive standard deviation of the log rate, where the fit identifies
    /// it (the estimate's standard error and the between-year variation beyond
    /// Poisson, in quadrature): Monte Carlo draws the multiplier from a
    /// lognormal with this sigma (median 1).
    log_sd: Option<f64>,
    source: String,
}

/// Goodness of fit of one series.
struct Gof {
    label: String,
    deviance: f64,
    df: String,
    dispersion: String,
    max_rel_error: f64,
    worst: String,
}

fn rel_err(fitted: f64, published: f64) -> f64 {
    if published > 0.0 { (fitted - published) / published } else { 0.0 }
}

/// Pearson residual of a published count against its fitted mean.
fn pearson(published: f64, fitted: f64) -> f64 {
    if fitted > 0.0 { (published - fitted) / fitted.sqrt() } else { 0.0 }
}

fn poisson_deviance(y: &[f64], mu: &[f64]) -> (f64, f64) {
    let mut dev = 0.0;
    let mut chi = 0.0;
    for (&y, &m) in y.iter().zip(mu) {
        if m <= 0.0 {
            continue;
        }
        dev += 2.0 * if y > 0.0 { y * (y / m).ln() - (y - m) } else { m };
        chi += (y - m).powi(2) / m;
    }
    (dev, chi)
}

/// The window centre as a financial year (or the midpoint of two).
fn centre_text(centre: f64) -> String {
    if centre.fract() == 0.0 {
        fy(centre as i32)
    } else {
        format!("between {} and {}", fy(centre.floor() as i32), fy(centre.ceil() as i32))
    }
}

fn fy(y: i32) -> String {
    format!("{}-{:02}", y - 1, y % 100)
}

/// Published margin value.
fn margin(built: &Built, year: i32, measure: &str, breakdown: &str) -> Option<f64> {
    built
        .published_margins
        .iter()
        .find(|r| r.year == year && r.measure == measure && r.breakdown == breakdown)
        .map(|r| r.value)
}

fn band_population(dims: &Dimensions, built: &Built, year: i32) -> Option<Vec<f64>> {
    let yp = built.replay.as_ref()?.years.iter().find(|y| y.year == year)?;
    Some(dims.age_bands.iter().map(|b| (b.from_years..b.to_years).map(|a| yp.population_by_age[a]).sum()).collect())
}

/// Runs the command.
/// A council's fitted scenario: the file's text and the report printed beside it.
#[derive(Debug, Clone)]
pub struct Fitted {
    /// The scenario file (TOML), extending the shipped baseline.
    pub text: String,
    /// Fits, standard errors and goodness of fit, as printed.
    pub report: String,
}

/// Fits a council's rates on the bundled data (no file written).
pub fn fit(seeds: &Seeds, c: &Config) -> Result<Fitted> {
    let mut loaded = load("baseline").context("loading the shipped baseline")?;
    let Some(cal) = std::sync::Arc::make_mut(&mut loaded.file).calibration.as_mut() else {
        bail!("the baseline has no [calibration] table")
    };
    if let Some(f) = c.from {
        cal.first_year = f;
    }
    if let Some(t) = c.to {
        cal.last_year = t;
    }
    if cal.last_year <= cal.first_year {
        bail!(
            "--from {} and --to {}: expected at least two consecutive published years",
            cal.first_year,
            cal.last_year
        );
    }
    cal.rates_to_year = cal.last_year;
    cal.rates_from_year = (cal.first_year + 1).max(cal.rates_from_year.min(cal.last_year));
    let (first, last) = (cal.first_year, cal.last_year);
    let opts = RunOptions { start_year: Some(last), end_year: Some(last + 10), area: Some(c.la.clone()) };
    let built = build(&loaded, seeds, &opts).with_context(|| format!("calibrating {} on the published data", c.la))?;
    let calibration = built.calibration.as_ref().context("no calibration")?;
    let replay = built.replay.as_ref().context("no replay model")?;
    let dims = replay.dims.clone();
    let (nb, np) = (dims.n_bands(), dims.n_placements());
    let name = c.name.clone().unwrap_or_else(|| {
        built.area_name.to_lowercase().chars().map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '-' }).collect()
    });
    let flow_years: Vec<i32> = calibration.years.iter().map(|y| y.year).collect();
    let (y0, y1) = (flow_years[0], *flow_years.last().context("no calibrated year")?);
    let band_ids: Vec<String> = dims.age_bands.iter().map(|b| b.id.clone()).collect();
    let ageing_out = format!("reason:{}", dims.ageing_out_reason);
    let stock_band = |y: i32, b: usize| margin(&built, y, "children_in_care", &format!("age:{}", band_ids[b]));
    let headline =
        |y: i32, pick: fn(&Outturn) -> Option<f64>| built.outturn.iter().find(|o| o.year == y).and_then(pick);

    // The published series and their exposures.
    let mut starts = Vec::new();
    let mut ceased_age = Vec::new();
    let mut ceased_reason = Vec::new();
    for &y in &flow_years {
        let pop = band_population(&dims, &built, y);
        let mut total_child_years = 0.0;
        let mut complete = true;
        for b in 0..nb {
            if let (Some(s), Some(pop)) = (margin(&built, y, "starts", &format!("age:{}", band_ids[b])), &pop) {
                starts.push(Obs { group: b, year: y, count: s, exposure: pop[b] / 1e4 });
            }
            let child_years = match (stock_band(y - 1, b), stock_band(y, b)) {
                (Some(a), Some(z)) => 0.5 * (a + z),
                _ => {
                    complete = false;
                    0.0
                }
            };
            total_child_years += child_years;
            if let Some(mut n) = margin(&built, y, "ceased", &format!("age:{}", band_ids[b])) {
                if b + 1 == nb {
                    n -= margin(&built, y, "ceased", &ageing_out).unwrap_or(0.0);
                }
                ceased_age.push(Obs { group: b, year: y, count: n.max(0.0), exposure: child_years });
            }
        }
        if complete {
            for (r, reason) in dims.exit_reasons.iter().enumerate() {
                if let Some(n) = margin(&built, y, "ceased", &format!("reason:{reason}")) {
                    ceased_reason.push(Obs { group: r, year: y, count: n, exposure: total_child_years });
                }
            }
        }
    }
    let starts = SeriesFit::new("starts by age", band_ids.clone(), starts);
    let ceased_age = SeriesFit::new("ceased by age (under 18)", band_ids.clone(), ceased_age);
    let ceased_reason = SeriesFit::new("ceased by reason", dims.exit_reasons.clone(), ceased_reason);

    // Goodness of fit and what the fit does not match.
    let mut gof: Vec<Gof> = Vec::new();
    let mut unmatched: Vec<String> = Vec::new();
    for s in [&starts, &ceased_age, &ceased_reason] {
        let Some(mu) = s.fitted() else {
            if let Err(e) = &s.fit {
                unmatched.push(format!("{}: not fitted ({e})", s.label));
            }
            continue;
        };
        let f = s.fit.as_ref().ok();
        let mut worst = (0.0_f64, String::new());
        for (o, m) in s.obs.iter().zip(mu) {
            let e = rel_err(*m, o.count);
            let what = format!("{} {} {}", s.label, s.groups[o.group], o.year);
            if e.abs() > worst.0 {
                worst = (e.abs(), what.clone());
            }
            if e.abs() > MATCH_TOLERANCE {
                unmatched.push(format!(
                    "{what}: fitted {m:.0} vs published {:.0} ({:+.1}%, Pearson residual {:+.1})",
                    o.count,
                    100.0 * e,
                    pearson(o.count, *m)
                ));
            }
        }
        gof.push(Gof {
            label: s.label.to_string(),
            deviance: f.map_or(f64::NAN, |f| f.deviance),
            df: f.map_or("-".into(), |f| f.df_residual.to_string()),
            dispersion: f.and_then(|f| f.dispersion).map_or("-".into(), |d| format!("{d:.2}")),
            max_rel_error: worst.0,
            worst: worst.1,
        });
    }
    // Published totals: fitted year totals (with exits at 18 and over as published) vs the headline.
    for &y in &flow_years {
        let year_sum = |s: &SeriesFit| -> Option<f64> {
            let mu = s.fitted()?;
            let n = s.obs.iter().filter(|o| o.year == y).count();
            (n > 0).then(|| s.obs.iter().zip(mu).filter(|(o, _)| o.year == y).map(|(_, m)| *m).sum())
        };
        let aged_18 = margin(&built, y, "ceased", &ageing_out).unwrap_or(0.0);
        let checks = [
            ("starts", year_sum(&starts), headline(y, |o| o.starts)),
            ("ceased (from ceased by age)", year_sum(&ceased_age).map(|v| v + aged_18), headline(y, |o| o.ceased)),
            (
                "ceased (from ceased by reason)",
                year_sum(&ceased_reason).map(|v| v + aged_18),
                headline(y, |o| o.ceased),
            ),
        ];
        for (what, fitted, published) in checks {
            if let (Some(fv), Some(pv)) = (fitted, published) {
                let e = rel_err(fv, pv);
                if e.abs() > MATCH_TOLERANCE {
                    unmatched.push(format!(
                        "total {what} {y}: fitted {fv:.0} vs published {pv:.0} ({:+.1}%, Pearson residual {:+.1})",
                        100.0 * e,
                        pearson(pv, fv)
                    ));
                }
            }
        }
    }
    // Stocks: the calibrated replay against the published margins.
    let replay_run = simulate(replay).context("replaying the published years")?;
    let mut stock_age = (Vec::new(), Vec::new(), (0.0_f64, String::new()));
    let mut stock_pl = (Vec::new(), Vec::new(), (0.0_f64, String::new()));
    for yr in replay_run.years.iter().filter(|y| !y.is_start && flow_years.contains(&y.year)) {
        let y = yr.year;
        let sim_band: Vec<f64> = (0..nb).map(|b| (0..np).map(|p| yr.stock[b * np + p]).sum()).collect();
        let sim_pl: Vec<f64> = (0..np).map(|p| (0..nb).map(|b| yr.stock[b * np + p]).sum()).collect();
        let sim_total: f64 = sim_band.iter().sum();
        let total = headline(y, |o| o.children_in_care);
        if let Some(t) = total {
            let e = rel_err(sim_total, t);
            if e.abs() > MATCH_TOLERANCE {
                unmatched.push(format!(
                    "total children in care {y}: replayed {sim_total:.0} vs published {t:.0} ({:+.1}%)",
                    100.0 * e
                ));
            }
        }
        let mut cmp = |acc: &mut (Vec<f64>, Vec<f64>, (f64, String)), what: String, sim: f64, published: f64| {
            acc.0.push(published);
            acc.1.push(sim);
            let e = rel_err(sim, published);
            if e.abs() > acc.2.0 {
                acc.2 = (e.abs(), what.clone());
            }
            if e.abs() > MATCH_TOLERANCE {
                unmatched.push(format!("{what}: replayed {sim:.0} vs published {published:.0} ({:+.1}%)", 100.0 * e));
            }
        };
        // Band stocks are the published bands scaled to the headline total (DfE rounds cells to 10).
        let pub_band: Option<Vec<f64>> = (0..nb).map(|b| stock_band(y, b)).collect();
        if let Some(pb) = pub_band {
            let s: f64 = pb.iter().sum();
            let k = total.map_or(1.0, |t| if s > 0.0 { t / s } else { 1.0 });
            for b in 0..nb {
                cmp(&mut stock_age, format!("stock by age {} {y}", band_ids[b]), sim_band[b], pb[b] * k);
            }
        }
        let pub_pl: Option<Vec<f64>> =
            dims.placements.iter().map(|p| margin(&built, y, "children_in_care", &format!("placement:{p}"))).collect();
        if let Some(pp) = pub_pl {
            let s: f64 = pp.iter().sum();
            let k = if s > 0.0 { sim_total / s } else { 1.0 };
            for p in 0..np {
                cmp(&mut stock_pl, format!("stock by placement {} {y}", dims.placements[p]), sim_pl[p], pp[p] * k);
            }
        }
    }
    for (label, (y, mu, worst)) in [("stock by age (replay)", stock_age), ("stock by placement (replay)", stock_pl)] {
        let (dev, chi) = poisson_deviance(&y, &mu);
        gof.push(Gof {
            label: label.into(),
            deviance: dev,
            df: "-".into(),
            dispersion: if y.is_empty() { "-".into() } else { format!("{:.2}", chi / y.len() as f64) },
            max_rel_error: worst.0,
            worst: worst.1,
        });
    }

    // The file.
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Generated by `carecast calibrate --la` for {} ({}) from the bundled published data.",
        built.area_name, built.area
    );
    let _ = writeln!(
        t,
        "# Calibration window: published stock at 31 March {first} to {last}; the projection holds the rates at"
    );
    let _ = writeln!(t, "# the mean of the calibrated years {} to {} (the baseline's convention).", fy(y0), fy(y1));
    let header = [
        "#",
        "# Uncertainty of the rates: Poisson maximum-likelihood fits (IRLS) of the published series over the",
        "# window, each with an intercept per age band or reason and a common log-linear year trend:",
        "#   starts by age band, exposure the band's population (rate per 10,000 children);",
        "#   exits under 18 by age band, exposure the child-years in care in the band (mean of the published",
        "#   stock at the two 31 Marches); exits by reason (not ageing out), exposure all child-years in care.",
        "# Standard errors are the inverse Fisher information, scaled by the quasi-Poisson dispersion (Pearson",
        "# chi-square / df) where it is above 1. Each lever below is neutral (value 1, op multiply); its range is",
        "# 1 -/+ 2 relative standard errors of the rate at the window centre, capped at +/- 90%.",
        "# Exits: one lever per age band (all reasons) and one per reason (all ages), the main effects the",
        "# one-way margins identify; drawn together, a (reason, age) hazard's relative SE is the two combined",
        "# in quadrature (this counts the overall exit level twice, so the range of total exits is on the wide",
        "# side). The trends are reported, not projected.",
        "# Not identified by the published data, so stated ranges (not standard errors):",
        "#   the reason-by-age interaction (DfE publishes one-way margins): held at the calibration's rake;",
        "#   the entry mix by placement (a stated assumption of the baseline): +/- 50% of each share;",
        "#   placement moves (only the net change of the mix is published): +/- 50%;",
        "#   a rate whose series has no events or could not be fitted: +/- 20%.",
    ];
    for l in header {
        let _ = writeln!(t, "{l}");
    }
    let _ = writeln!(t, "#");
    let _ = writeln!(t, "# Goodness of fit by series:");
    let _ = writeln!(
        t,
        "#   {:<28} {:>10} {:>4} {:>10} {:>14}  worst cell",
        "series", "deviance", "df", "dispersion", "largest error"
    );
    for g in &gof {
        let _ = writeln!(
            t,
            "#   {:<28} {:>10.1} {:>4} {:>10} {:>13.2}%  {}",
            g.label,
            g.deviance,
            g.df,
            g.dispersion,
            100.0 * g.max_rel_error,
            g.worst
        );
    }
    let _ = writeln!(
        t,
        "#   (replay: the calibrated model replaying the published years; dispersion = Pearson chi-square / cells)"
    );
    let _ = writeln!(t, "# Trends (common to the bands or reasons of a series):");
    for s in [&starts, &ceased_age, &ceased_reason] {
        let _ = writeln!(t, "#   {:<28} {} ({})", s.label, s.trend_text(), s.scale_text());
    }
    if unmatched.is_empty() {
        let _ = writeln!(t, "# Published totals and breakdowns not matched within 2%: none.");
    } else {
        let _ = writeln!(
            t,
            "# Published totals and breakdowns not matched within 2% ({}; a Pearson residual within +/-2 is Poisson noise):",
            unmatched.len()
        );
        for u in &unmatched {
            let _ = writeln!(t, "#   {u}");
        }
    }
    let _ = writeln!(t, "#");
    let _ = writeln!(t, "# Goodness of fit by year (calibrated model replaying the published year):");
    let _ = writeln!(t, "#   year  reconciliation  band error  placement error  ageing-out gap");
    for f in &calibration.fit {
        let _ = writeln!(
            t,
            "#   {}  {:>14.0}  {:>9.2}%  {:>14.2}%  {:>14.1}",
            f.year,
            f.reconciliation,
            f.max_band_error * 100.0,
            f.max_placement_error * 100.0,
            f.ageing_out_gap
        );
    }
    if !built.filled.is_empty() {
        let _ = writeln!(
            t,
            "# {} suppressed or missing published values were filled (see `carecast run` summary.json).",
            built.filled.len()
        );
    }
    let _ = writeln!(t, "extends = \"baseline\"\n");
    let _ = writeln!(t, "[scenario]\nname = \"{name}\"");
    let _ = writeln!(t, "title = \"{}: calibrated on published data to 31 March {last}\"", built.area_name);
    let _ = writeln!(
        t,
        "description = \"Rates calibrated to the DfE margins for {}, {} to {}, held at their mean.\"",
        built.area_name,
        fy(first + 1),
        fy(last)
    );
    let _ = writeln!(t, "area = \"{}\"\nstart_year = {last}\nend_year = {}\n", built.area, last + 10);
    let _ = writeln!(
        t,
        "[calibration]\nfirst_year = {first}\nlast_year = {last}\nrates_from_year = {}\nrates_to_year = {last}\n",
        first + 1
    );

    let ml_source = format!("carecast calibrate: Poisson maximum likelihood, {} to {}", fy(y0), fy(y1));
    let mut printed: Vec<(String, String, f64, Option<f64>)> = Vec::new();
    // A lever from a fitted rate of group `g` of series `s`; the caller adds the selection.
    let mut fitted_lever = |s: &SeriesFit, g: usize, id: String, what: String, unit: &str, target: &'static str| {
        let (half_range, log_sd, what, source) = match s.rate(g) {
            Some((rate, se)) => {
                printed.push((s.label.to_string(), s.groups[g].clone(), rate, Some(se)));
                // A forecast year's rate differs from the fitted mean by the
                // estimate's error and by the year's own variation.
                let tau = s.between_year_sd(g);
                let sigma = se.hypot(tau);
                (
                    (2.0 * sigma).min(MAX_HALF_RANGE),
                    Some(sigma),
                    format!(
                        "{what}: fitted {rate:.5} {unit} at the window centre ({}); relative standard error {:.2}% ({}); between-year variation {:.2}%; forecast sigma {:.2}%",
                        centre_text(s.year_centre),
                        100.0 * se,
                        s.scale_text(),
                        100.0 * tau,
                        100.0 * sigma
                    ),
                    ml_source.clone(),
                )
            }
            None => {
                printed.push((s.label.to_string(), s.groups[g].clone(), f64::NAN, None));
                (
                    UNIDENTIFIED_HALF_RANGE,
                    None,
                    format!("{what}: not identified by the published series (no events or no fit); a stated +/- 20%"),
                    "assumption: not identified by the published data; +/- 20%".to_string(),
                )
            }
        };
        Lever { id, what, target, half_range, log_sd, source, ..Lever::default() }
    };
    let mut levers: Vec<Lever> = Vec::new();
    for (b, band) in band_ids.iter().enumerate() {
        levers.push(Lever {
            bands: Some(band.clone()),
            ..fitted_lever(
                &starts,
                b,
                format!("fit_entry_rate_{band}"),
                format!("entries per 10,000 children aged {band}"),
                "per 10,000",
                "entry_rate",
            )
        });
    }
    for (b, band) in band_ids.iter().enumerate() {
        levers.push(Lever {
            bands: Some(band.clone()),
            ..fitted_lever(
                &ceased_age,
                b,
                format!("fit_exit_age_{band}"),
                format!("annual hazard of leaving care under 18 (all reasons) aged {band}"),
                "a child-year",
                "exit_probability",
            )
        });
    }
    for (r, reason) in dims.exit_reasons.iter().enumerate() {
        levers.push(Lever {
            reasons: Some(reason.clone()),
            ..fitted_lever(
                &ceased_reason,
                r,
                format!("fit_exit_reason_{reason}"),
                format!("annual hazard of leaving care ({reason}, all ages)"),
                "a child-year",
                "exit_probability",
            )
        });
    }
    for p in &built.model.dims.placements {
        levers.push(Lever {
            id: format!("fit_entry_mix_{p}"),
            what: format!(
                "share of entries placed in {p}: not identified (DfE publishes no placement on entry); a stated +/- 50%, re-normalised"
            ),
            target: "entry_mix",
            placements: Some(p.clone()),
            half_range: STATED_MIX_HALF_RANGE,
            source: "assumption: the baseline's entry mix, range +/- 50% of each share (calibration.entry_mix_source)".into(),
            ..Lever::default()
        });
    }
    for p in &built.model.dims.placements {
        levers.push(Lever {
            id: format!("fit_moves_to_{p}"),
            what: format!(
                "monthly probability of a move to {p}: only net moves are identified (from the change in the published placement mix); a stated +/- 50%"
            ),
            target: "move_probability",
            to: Some(p.clone()),
            half_range: STATED_MIX_HALF_RANGE,
            source: "assumption: gross placement moves are not published; +/- 50%".into(),
            ..Lever::default()
        });
    }
    for l in &levers {
        let _ = writeln!(t, "[[levers]]\nid = \"{}\"", l.id);
        let _ = writeln!(t, "description = \"{}\"", l.what);
        let _ = writeln!(t, "target = \"{}\"", l.target);
        if let Some(b) = &l.bands {
            let _ = writeln!(t, "age_bands = [\"{b}\"]");
        }
        if let Some(r) = &l.reasons {
            let _ = writeln!(t, "reasons = [\"{r}\"]");
        }
        if let Some(p) = &l.placements {
            let _ = writeln!(t, "placements = [\"{p}\"]");
        }
        if let Some(to) = &l.to {
            let _ = writeln!(t, "to = \"{to}\"");
        }
        let distribution =
            l.log_sd.map(|sd| format!("distribution = \"lognormal\", sigma = {sd:.5}, ")).unwrap_or_default();
        let _ = writeln!(
            t,
            "op = \"multiply\"\nvalue = {{ value = 1.0, low = {:.4}, high = {:.4}, {distribution}source = \"{}\" }}\nfrom_year = {}\n",
            1.0 - l.half_range,
            1.0 + l.half_range,
            l.source,
            last + 1
        );
    }
    // The terminal report.
    let mut report = String::new();
    macro_rules! w {
        ($dst:expr, $($arg:tt)*) => {{
            let _ = writeln!($dst, $($arg)*);
        }};
    }
    w!(report, "{} ({}): calibrated on published data, {} to {}", built.area_name, built.area, fy(y0), fy(y1));
    w!(report, "Poisson maximum-likelihood fits (intercept per band or reason, common year trend):");
    w!(report, "{:<26} {:<22} {:>12} {:>12}", "series", "band or reason", "fitted rate", "relative SE");
    for (series, group, rate, se) in &printed {
        match se {
            Some(se) => w!(report, "{series:<26} {group:<22} {rate:>12.5} {:>11.2}%", 100.0 * se),
            None => w!(report, "{series:<26} {group:<22} {:>12} {:>12}", "-", "not identified"),
        }
    }
    w!(report, "(rates: starts per 10,000 children; exits per child-year in care)");
    w!(report, "{:<26} {:>28} {}", "series", "trend", "scale");
    for s in [&starts, &ceased_age, &ceased_reason] {
        w!(report, "{:<26} {:>28} {}", s.label, s.trend_text(), s.scale_text());
    }
    w!(report, "goodness of fit by series:");
    w!(
        report,
        "{:<28} {:>10} {:>4} {:>10} {:>14}  worst cell",
        "series",
        "deviance",
        "df",
        "dispersion",
        "largest error"
    );
    for g in &gof {
        w!(
            report,
            "{:<28} {:>10.1} {:>4} {:>10} {:>13.2}%  {}",
            g.label,
            g.deviance,
            g.df,
            g.dispersion,
            100.0 * g.max_rel_error,
            g.worst
        );
    }
    if unmatched.is_empty() {
        w!(report, "published totals and breakdowns not matched within 2%: none");
    } else {
        w!(
            report,
            "published totals and breakdowns not matched within 2% ({}; a Pearson residual within +/-2 is Poisson noise):",
            unmatched.len()
        );
        for u in &unmatched {
            w!(report, "  {u}");
        }
    }
    w!(report, "goodness of fit by year (calibrated replay):");
    w!(
        report,
        "{:>6} {:>15} {:>11} {:>16} {:>15}",
        "year",
        "reconciliation",
        "band error",
        "placement error",
        "ageing-out gap"
    );
    for f in &calibration.fit {
        w!(
            report,
            "{:>6} {:>15.0} {:>10.2}% {:>15.2}% {:>15.1}",
            f.year,
            f.reconciliation,
            f.max_band_error * 100.0,
            f.max_placement_error * 100.0,
            f.ageing_out_gap
        );
    }
    Ok(Fitted { text: t, report })
}

/// Runs the command: fits, writes the scenario file atomically, prints the report.
pub fn run(c: &Config) -> Result<()> {
    let seeds = Seeds::bundled().context("reading the bundled seed data")?;
    let fitted = fit(&seeds, c)?;
    let t = &fitted.text;
    if let Some(dir) = c.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    write_atomic(&c.out, t.as_bytes()).with_context(|| format!("writing {}", c.out.display()))?;

    outln!("{}", fitted.report.trim_end());
    outln!("wrote {} (run it with `carecast run {}`)", c.out.display(), c.out.display());
    Ok(())
}
