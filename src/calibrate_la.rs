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
//! Structural shocks (levers `shock_*`): what no fitted rate carries, a
//! forecast year's entry rate and exit hazard moving away from the fit. Each
//! follows a local level model on the log scale (a random-walk level plus a
//! transient deviation), estimated by the method of moments from the
//! published headline series (starts, ceased, stocks, 2015 to the last year
//! used), pooled over the areas of the same kind ([`structural`]); every
//! projected year gets a persistent step and a one-year deviation, drawn
//! with their estimated correlations ([`year_shocks`]).
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
    /// Last year of the file's projection (default: [`DEFAULT_HORIZON`] years after the last published).
    pub end_year: Option<i32>,
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
    /// Standard deviation of the log rate where it is estimated (a fit's
    /// standard error, or a structural shock's): Monte Carlo draws the
    /// multiplier from a lognormal with this sigma (median 1), and the range
    /// is then exp(-/+ 2 sigma).
    log_sd: Option<f64>,
    source: String,
    /// First financial year affected (default: the first projected year).
    from_year: Option<i32>,
    /// Last financial year affected (default: to the end).
    to_year: Option<i32>,
}

impl Lever {
    /// The stated range (low, high).
    fn range(&self) -> (f64, f64) {
        match (self.log_sd, self.id.starts_with(SHOCK_PREFIX)) {
            (Some(sd), true) => ((-2.0 * sd).exp(), (2.0 * sd).exp()),
            _ => (1.0 - self.half_range, 1.0 + self.half_range),
        }
    }
}

/// Lever ids of the structural shocks start with this.
const SHOCK_PREFIX: &str = "shock_";
/// First year of the published headline series (stock, starts, ceased) in the bundled seeds.
pub const FIRST_HEADLINE_YEAR: i32 = 2015;
/// Largest correlation stated between the entry and the exit shocks.
const MAX_SHOCK_CORRELATION: f64 = 0.9;
/// Years projected by a written file (and shocks drawn) unless a caller asks for fewer.
pub const DEFAULT_HORIZON: i32 = 10;

/// One year of an area's published headline series, on the log scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateYear {
    /// Year ending 31 March.
    pub year: i32,
    /// ln(starts / children aged 0-17 at the previous mid-year), and the starts.
    pub entry: Option<(f64, f64)>,
    /// ln(ceased / mean of the stocks at the two 31 Marches), and the ceased.
    pub exit: Option<(f64, f64)>,
}

/// A local level model of one log rate: the year's rate is a level plus a
/// transient deviation, and the level moves by a random walk,
///   r_t = l_t + e_t,  l_t = l_{t-1} + n_t,  var(n) = level_sd^2,  var(e) = year_sd^2,
/// plus the Poisson noise of the published count (not included here: Monte
/// Carlo's process noise draws it).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LocalLevel {
    /// Standard deviation of the level's yearly step (persistent: a random walk).
    pub level_sd: f64,
    /// Standard deviation of a year's own deviation from the level beyond Poisson (transient).
    pub year_sd: f64,
}

/// The structural year-to-year variation of an area's entry rate and exit
/// hazard (what no fitted rate carries: court backlogs, arrivals of
/// unaccompanied children, changes of practice), estimated from the
/// published headline series by the method of moments, pooled over areas.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Structural {
    /// Starts per child aged 0-17.
    pub entry: LocalLevel,
    /// Ceased per child-year in care (all reasons, ageing out included).
    pub exit: LocalLevel,
    /// Correlation of the entry and exit level steps (clamped to +/- 0.9).
    pub level_correlation: f64,
    /// Correlation of the entry and exit transient deviations (clamped to +/- 0.9).
    pub year_correlation: f64,
    /// Areas that contributed a one-year difference of the entry rate.
    pub areas: usize,
    /// One-year differences of the entry rate used.
    pub pairs: usize,
}
/// The longest difference (years) in the local level model's moments.
pub const MAX_LAG: usize = 4;

/// The weighted least-squares line `value = slope * k + intercept` through
/// `(weight, value)` of lags k = 1..=[`MAX_LAG`] (`at(k - 1)`), over the lags
/// with a positive weight; with fewer than two, slope 0 and the one value (or
/// 0) as the intercept.
fn line_in_lag(at: impl Fn(usize) -> (f64, f64)) -> (f64, f64) {
    let points: Vec<(f64, f64, f64)> = (0..MAX_LAG)
        .map(|i| (at(i), (i + 1) as f64))
        .filter(|((w, _), _)| *w > 0.0)
        .map(|((w, v), k)| (w, k, v))
        .collect();
    if points.len() < 2 {
        return (0.0, points.first().map_or(0.0, |p| p.2));
    }
    let w: f64 = points.iter().map(|p| p.0).sum();
    let k_mean = points.iter().map(|p| p.0 * p.1).sum::<f64>() / w;
    let v_mean = points.iter().map(|p| p.0 * p.2).sum::<f64>() / w;
    let sxx: f64 = points.iter().map(|p| p.0 * (p.1 - k_mean).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| p.0 * (p.1 - k_mean) * (p.2 - v_mean)).sum();
    let slope = sxy / sxx;
    (slope, v_mean - slope * k_mean)
}

/// Sums over pairs of years k apart of one series: count, squared
/// differences, and the Poisson variance of the differences (1/n_a + 1/n_b).
#[derive(Debug, Clone, Copy, Default)]
struct DiffSums {
    n: f64,
    squares: f64,
    poisson: f64,
}

impl DiffSums {
    /// Mean squared difference beyond the Poisson noise of the counts.
    fn excess(&self) -> f64 {
        if self.n > 0.0 { (self.squares - self.poisson) / self.n } else { 0.0 }
    }
}

/// Method of moments for the local level model. For a difference of a log
/// rate over k years, D_k = (n_{t-k+1} + ... + n_t) + e_t - e_{t-k} + Poisson
/// noise, so E[D_k^2] = k level_sd^2 + 2 year_sd^2 + P_k, with P_k the mean
/// of 1/n_t + 1/n_{t-k}. The pooled mean squares m_k beyond P_k, for k = 1
/// to [`MAX_LAG`], lie on a line in k: its slope is level_sd^2 and its
/// intercept 2 year_sd^2, fitted by least squares weighted by the number of
/// differences of each length (with two lags, exactly level_sd^2 = m_2 - m_1
/// and year_sd^2 = (2 m_1 - m_2) / 2), each floored at 0 (a drift in the rate
/// is a persistent change either way). Longer lags matter because forecasts
/// reach three years and more: councils' entry rates partly revert, so the
/// one- and two-year changes alone overstate how the spread grows. Cross
/// products of the entry and exit differences give the covariances the same
/// way (no Poisson term: the counts are independent).
pub fn local_level(areas: &[Vec<RateYear>]) -> Structural {
    // [series][lag - 1]; series 0 = entry, 1 = exit.
    let mut sums = [[DiffSums::default(); MAX_LAG]; 2];
    let mut cross = [(0.0_f64, 0.0_f64); MAX_LAG];
    let mut contributing = 0;
    for years in areas {
        let mut any = false;
        for a in years {
            for b in years {
                let lag = a.year - b.year;
                if !(1..=MAX_LAG as i32).contains(&lag) {
                    continue;
                }
                let l = (lag - 1) as usize;
                for (series, (x, y)) in [(0, (a.entry, b.entry)), (1, (a.exit, b.exit))] {
                    if let (Some((ra, na)), Some((rb, nb))) = (x, y) {
                        let s = &mut sums[series][l];
                        s.n += 1.0;
                        s.squares += (ra - rb).powi(2);
                        s.poisson += 1.0 / na + 1.0 / nb;
                        any |= series == 0 && lag == 1;
                    }
                }
                if let (Some(ea), Some(eb), Some(xa), Some(xb)) = (a.entry, b.entry, a.exit, b.exit) {
                    cross[l].0 += 1.0;
                    cross[l].1 += (ea.0 - eb.0) * (xa.0 - xb.0);
                }
            }
        }
        contributing += usize::from(any);
    }
    let model = |series: usize| {
        let (step, twice_year) = line_in_lag(|i| (sums[series][i].n, sums[series][i].excess()));
        LocalLevel { level_sd: step.max(0.0).sqrt(), year_sd: (twice_year / 2.0).max(0.0).sqrt() }
    };
    let (entry, exit) = (model(0), model(1));
    let (cov_level, twice_cov_year) =
        line_in_lag(|i| (cross[i].0, if cross[i].0 > 0.0 { cross[i].1 / cross[i].0 } else { 0.0 }));
    let corr = |cov: f64, a: f64, b: f64| {
        if a > 0.0 && b > 0.0 { (cov / (a * b)).clamp(-MAX_SHOCK_CORRELATION, MAX_SHOCK_CORRELATION) } else { 0.0 }
    };
    Structural {
        level_correlation: corr(cov_level, entry.level_sd, exit.level_sd),
        year_correlation: corr(twice_cov_year / 2.0, entry.year_sd, exit.year_sd),
        entry,
        exit,
        areas: contributing,
        pairs: sums[0][0].n as usize,
    }
}

/// The shocks drawn for one projected year: standard deviations of the
/// multipliers' logs and the correlations of entry with exit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearShocks {
    /// Entry rate: the level's step (persists) and the year's own deviation.
    pub entry: LocalLevel,
    /// Exit hazard under 18 (the model's exit probabilities; ageing out is not one).
    pub exit: LocalLevel,
    /// Correlation of the entry and exit level steps.
    pub level_correlation: f64,
    /// Correlation of the entry and exit deviations of the year.
    pub year_correlation: f64,
}

/// The shocks of projected year `h` (1 = the first year after the last
/// published one) for a projection whose rates are the mean of the last
/// `window` calibrated years.
///
/// Year 1's level step also carries the error of the fitted rate as an
/// estimate of the level at the last published year: the mean of `window`
/// years of a local level model differs from the level at the last of them
/// by (n_2 + 2 n_3 + ... + (w-1) n_w) / w and the mean of the transients, so
/// its variance is level_sd^2 (w-1)(2w-1)/(6w) + year_sd^2 / w (the Poisson
/// part is the fit's standard error).
///
/// The exit shocks are estimated on all exits, ageing out included, but the
/// model's exit probabilities are those under 18 (ageing out follows from
/// the ages in care): with ageing out carried by the model, all the relative
/// variation of the total is that of the exits under 18, scaled by their share
/// `under_18_share` (taken to be at least one half).
pub fn year_shocks(s: &Structural, window: usize, under_18_share: f64, h: i32) -> YearShocks {
    let w = window.max(1) as f64;
    let scale_exit = 1.0 / under_18_share.clamp(0.5, 1.0);
    let (lag, noise) = if h == 1 { ((w - 1.0) * (2.0 * w - 1.0) / (6.0 * w), 1.0 / w) } else { (0.0, 0.0) };
    let level_var = |l: &LocalLevel| l.level_sd.powi(2) * (1.0 + lag) + l.year_sd.powi(2) * noise;
    let entry_level = level_var(&s.entry).sqrt();
    let exit_level = level_var(&s.exit).sqrt();
    let cov_level = s.level_correlation * s.entry.level_sd * s.exit.level_sd * (1.0 + lag)
        + s.year_correlation * s.entry.year_sd * s.exit.year_sd * noise;
    let level_correlation = if entry_level > 0.0 && exit_level > 0.0 {
        (cov_level / (entry_level * exit_level)).clamp(-MAX_SHOCK_CORRELATION, MAX_SHOCK_CORRELATION)
    } else {
        0.0
    };
    YearShocks {
        entry: LocalLevel { level_sd: entry_level, year_sd: s.entry.year_sd },
        exit: LocalLevel { level_sd: exit_level * scale_exit, year_sd: s.exit.year_sd * scale_exit },
        level_correlation,
        year_correlation: s.year_correlation,
    }
}

/// An area's published headline series from 2015 to `to` (31 March), as log rates.
pub fn rate_years(seeds: &Seeds, code: &str, to: i32) -> Vec<RateYear> {
    (FIRST_HEADLINE_YEAR..=to)
        .map(|y| {
            let h = seeds.headline_rates(code, y);
            RateYear {
                year: y,
                entry: h.entry.map(|(rate, starts)| (rate.ln(), starts)),
                exit: h.exit.map(|(hazard, ceased)| (hazard.ln(), ceased)),
            }
        })
        .collect()
}

/// The structural variation for `area`, pooled over every area of its level
/// (councils with councils; England alone), from the published series up to
/// 31 March `to` only.
pub fn structural(seeds: &Seeds, area: &str, to: i32) -> Structural {
    let level = seeds.areas.iter().find(|a| a.code == area).map_or("", |a| a.level.as_str());
    let pool: Vec<Vec<RateYear>> = seeds
        .areas
        .iter()
        .filter(|a| if level.is_empty() { a.code == area } else { a.level == level })
        .map(|a| rate_years(seeds, &a.code, to))
        .collect();
    local_level(&pool)
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

/// Fits a council's rates on the bundled data (no file written), for a file
/// that projects [`DEFAULT_HORIZON`] years.
pub fn fit(seeds: &Seeds, c: &Config) -> Result<Fitted> {
    fit_with_horizon(seeds, c, DEFAULT_HORIZON)
}

/// [`fit`] for a file that projects `horizon` years after the last published
/// year (its structural shocks are dated in those years; a run may not end
/// before them).
pub fn fit_with_horizon(seeds: &Seeds, c: &Config, horizon: i32) -> Result<Fitted> {
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
    let horizon = match c.end_year {
        Some(e) if e <= last => bail!("--end-year {e}: expected a year after the last published year used, {last}"),
        Some(e) => e - last,
        None => horizon,
    };
    if horizon < 1 {
        bail!("a projection of at least one year, found {horizon}");
    }
    // Years whose levels the rates average: the calibrated years, or the
    // longer level window of headline years (from 2016, the first with a
    // stock a year before) when the scenario states one.
    let level_window = cal.level_years.map_or(0, |n| n.min(last - FIRST_HEADLINE_YEAR).max(0) as usize);
    let opts = RunOptions { start_year: Some(last), end_year: Some(last + horizon), area: Some(c.la.clone()) };
    let built = build(&loaded, seeds, &opts).with_context(|| format!("calibrating {} on the published data", c.la))?;
    let calibration = built.calibration.as_ref().context("no calibration")?;
    let shocks = structural(seeds, &built.area, last);
    let pool_name = match seeds.areas.iter().find(|a| a.code == built.area).map(|a| a.level.as_str()) {
        Some("la") => "councils",
        Some("region") => "regions",
        Some("national") => "England's own series",
        _ => "the area's own series",
    };
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
        "#",
        "# Structural shocks (levers `shock_*`): a forecast year's rates differ from the fitted ones by what",
        "# no fitted rate carries (court backlogs, arrivals of unaccompanied children, changes of practice).",
        "# Each of the entry rate (starts per child aged 0-17) and the exit hazard (ceased per child-year in",
        "# care) follows a local level model on the log scale: the year's rate is a level plus a transient",
        "# deviation, and the level moves by a random walk. Both standard deviations are estimated by the",
        "# method of moments from the published headline series up to the last year used, pooled over",
        "# areas of the same kind: with m_k the mean squared k-year change of a log rate beyond the Poisson",
        "# noise of its counts, m_k = k level step^2 + 2 transient^2, fitted by least squares over k = 1 to 4",
        "# weighted by the number of changes (each at least 0; entry rates partly revert, so the longer",
        "# changes keep the spread from growing faster than it did); the cross products of entry and exit",
        "# changes give their correlations the same way. Each",
        "# projected year has a `level` lever (from that year on: drawn together they add up to a random walk,",
        "# so the spread of the rates grows with the square root of the horizon) and a `year` lever (that year",
        "# only). The Poisson noise of the counts is not in these: `run --draws` draws it as process noise.",
        "# The first year's level step also carries the fitted rate's error as an estimate of the level at the",
        "# last published year (the rates are a mean over the window: level step^2 (w-1)(2w-1)/(6w) + transient^2",
        "# / w for a window of w years, the calibrated years or the baseline's `level_years` of headline levels",
        "# if longer). Exit shocks apply to the exits under 18 (ageing out follows from the",
        "# ages in care), so they are the estimated ones divided by the share of exits under 18 in the window.",
    ];
    for l in header {
        let _ = writeln!(t, "{l}");
    }
    let _ = writeln!(
        t,
        "#   estimated ({pool_name}, {} areas, {} one-year changes, {FIRST_HEADLINE_YEAR} to {last}):",
        shocks.areas, shocks.pairs
    );
    let _ = writeln!(
        t,
        "#   entry rate: level step {:.2}% a year, transient {:.2}%; exit hazard: level step {:.2}% a year, transient {:.2}%;",
        100.0 * shocks.entry.level_sd,
        100.0 * shocks.entry.year_sd,
        100.0 * shocks.exit.level_sd,
        100.0 * shocks.exit.year_sd
    );
    let _ = writeln!(
        t,
        "#   correlation of entry and exit: level steps {:.2}, transients {:.2}",
        shocks.level_correlation, shocks.year_correlation
    );
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
    let _ = writeln!(t, "area = \"{}\"\nstart_year = {last}\nend_year = {}\n", built.area, last + horizon);
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
                // The estimate's error only: a forecast year's own variation
                // is drawn by the structural shocks below.
                (
                    (2.0 * se).min(MAX_HALF_RANGE),
                    Some(se),
                    format!(
                        "{what}: fitted {rate:.5} {unit} at the window centre ({}); relative standard error {:.2}% ({})",
                        centre_text(s.year_centre),
                        100.0 * se,
                        s.scale_text(),
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
    // Structural shocks, one set per projected year: the level's step (from
    // that year on, so the draws add up to a random walk) and the year's own
    // deviation (that year only), for the entry rate and the exit hazard.
    let shock_source = format!(
        "carecast calibrate: local level model of the published starts per child and ceased per child-year in care, \
         {FIRST_HEADLINE_YEAR} to {last}, {} pooled ({} areas, method of moments)",
        pool_name, shocks.areas
    );
    let mut correlations: Vec<(String, String, String, f64, String)> = Vec::new();
    let (mut ceased_all, mut ceased_18) = (0.0, 0.0);
    for &y in &flow_years {
        if let Some(c) = headline(y, |o| o.ceased) {
            ceased_all += c;
            ceased_18 += margin(&built, y, "ceased", &ageing_out).unwrap_or(0.0);
        }
    }
    let under_18_share = if ceased_all > 0.0 { 1.0 - ceased_18 / ceased_all } else { 1.0 };
    for y in last + 1..=last + horizon {
        let ys = year_shocks(&shocks, flow_years.len().max(level_window), under_18_share, y - last);
        let mut pair: [Option<String>; 2] = [None, None];
        for (kind, sd_of, persistent) in [
            ("level", (ys.entry.level_sd, ys.exit.level_sd), true),
            ("year", (ys.entry.year_sd, ys.exit.year_sd), false),
        ] {
            for (k, (series, target, sd, what)) in [
                ("entry", "entry_rate", sd_of.0, "entry rate (all ages)"),
                ("exit", "exit_probability", sd_of.1, "exit hazard under 18 (all reasons)"),
            ]
            .into_iter()
            .enumerate()
            {
                if sd <= 0.0 {
                    pair[k] = None;
                    continue;
                }
                let id = format!("{SHOCK_PREFIX}{series}_{kind}_{y}");
                let text = if persistent && y == last + 1 {
                    format!(
                        "structural shock: a step of the {what} in {} that persists (a random walk over the years), with the fitted level's own error; sigma {:.2}%",
                        fy(y),
                        100.0 * sd
                    )
                } else if persistent {
                    format!(
                        "structural shock: a step of the {what} in {} that persists (a random walk over the years); sigma {:.2}% a year",
                        fy(y),
                        100.0 * sd
                    )
                } else {
                    format!(
                        "structural shock: the {what} of {} alone, beyond Poisson noise; sigma {:.2}%",
                        fy(y),
                        100.0 * sd
                    )
                };
                pair[k] = Some(format!("levers.{id}.value"));
                levers.push(Lever {
                    id,
                    what: text,
                    target,
                    log_sd: Some(sd),
                    source: shock_source.clone(),
                    from_year: Some(y),
                    to_year: (!persistent).then_some(y),
                    ..Lever::default()
                });
            }
            let rho = if persistent { ys.level_correlation } else { ys.year_correlation };
            if let [Some(a), Some(b)] = &pair
                && rho != 0.0
            {
                correlations.push((
                    format!("{SHOCK_PREFIX}{kind}_{y}"),
                    a.clone(),
                    b.clone(),
                    rho,
                    shock_source.clone(),
                ));
            }
        }
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
        let (low, high) = l.range();
        let _ = writeln!(
            t,
            "op = \"multiply\"\nvalue = {{ value = 1.0, low = {low:.4}, high = {high:.4}, {distribution}source = \"{}\" }}\nfrom_year = {}",
            l.source,
            l.from_year.unwrap_or(last + 1)
        );
        if let Some(to) = l.to_year {
            let _ = writeln!(t, "to_year = {to}");
        }
        let _ = writeln!(t);
    }
    for (id, a, b, rho, source) in &correlations {
        let _ = writeln!(
            t,
            "[[correlations]]\nid = \"{id}\"\na = \"{a}\"\nb = \"{b}\"\nrho = {rho:.4}\nsource = \"{source}\"\n"
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
    w!(
        report,
        "structural shocks (local level model, {pool_name}, {} areas, {FIRST_HEADLINE_YEAR} to {last}): entry rate level step {:.2}% a year, transient {:.2}%; exit hazard level step {:.2}% a year, transient {:.2}%; correlations {:.2} and {:.2}",
        shocks.areas,
        100.0 * shocks.entry.level_sd,
        100.0 * shocks.entry.year_sd,
        100.0 * shocks.exit.level_sd,
        100.0 * shocks.exit.year_sd,
        shocks.level_correlation,
        shocks.year_correlation
    );
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts so large that their Poisson variance (1/n) is nil.
    const HUGE: f64 = 1e15;

    fn series(entry: &[f64], exit: &[f64], count: f64) -> Vec<RateYear> {
        entry
            .iter()
            .zip(exit)
            .enumerate()
            .map(|(i, (e, x))| RateYear { year: 2015 + i as i32, entry: Some((*e, count)), exit: Some((*x, count)) })
            .collect()
    }

    #[test]
    fn local_level_moments_by_hand() {
        // A steady drift of 0.1 a year over 5 years: k-year changes 0.1 k, so
        // m_k = 0.01 k^2 from 4, 3, 2 and 1 differences (k = 1..4). Weighted line:
        // mean k = (4 + 6 + 6 + 4) / 10 = 2, mean m = (0.04 + 0.12 + 0.18 + 0.16) / 10 = 0.05,
        // Sxx = 4 + 0 + 2 + 4 = 10, Sxy = 4(-1)(-0.04) + 2(1)(0.04) + 1(2)(0.11) = 0.46:
        // level step^2 = 0.046, intercept 0.05 - 0.092 < 0, so no transient.
        let up = [0.0, 0.1, 0.2, 0.3, 0.4];
        let down: Vec<f64> = up.iter().map(|v| -0.5 * v).collect();
        let s = local_level(&[series(&up, &down, HUGE)]);
        assert!((s.entry.level_sd - 0.046_f64.sqrt()).abs() < 1e-9, "{s:?}");
        assert_eq!(s.entry.year_sd, 0.0);
        // Exit moves by -0.5 times the entry: level variance 0.25 * 0.046, correlation -1, clamped.
        assert!((s.exit.level_sd - 0.0115_f64.sqrt()).abs() < 1e-9);
        assert_eq!(s.level_correlation, -MAX_SHOCK_CORRELATION);
        assert_eq!(s.year_correlation, 0.0);
        assert_eq!((s.areas, s.pairs), (1, 4));

        // Zig-zag 0, 0.1, 0, 0.1, 0: m_k = 0.01, 0, 0.01, 0 (weights 4, 3, 2, 1): mean m
        // 0.006, Sxy = 4(-1)(0.004) + 2(1)(0.004) + 1(2)(-0.006) = -0.02, slope -0.002 (no
        // persistent part), intercept 0.006 + 0.004 = 0.01 = 2 transient^2 (alternating noise).
        let zig = [0.0, 0.1, 0.0, 0.1, 0.0];
        let s = local_level(&[series(&zig, &zig, HUGE)]);
        assert_eq!(s.entry.level_sd, 0.0);
        assert!((s.entry.year_sd - 0.005_f64.sqrt()).abs() < 1e-9, "{s:?}");
        assert_eq!(s.year_correlation, MAX_SHOCK_CORRELATION);

        // Poisson noise is taken off: with 100 events a year each difference carries
        // 1/100 + 1/100 = 0.02 of sampling variance. 0, 0.3, 0.1, 0.5, 0.2: mean squared
        // changes 0.095, 0.02, 0.13 and 0.04 at 1-4 years, so m_k = 0.075, 0, 0.11, 0.02;
        // mean m (0.3 + 0.22 + 0.02) / 10 = 0.054, Sxy = 4(-1)(0.021) + 2(1)(0.056) +
        // 1(2)(-0.034) = -0.04: slope -0.004 (no level step), intercept 0.062 = 2 transient^2.
        let mixed = [0.0, 0.3, 0.1, 0.5, 0.2];
        let s = local_level(&[series(&mixed, &mixed, 100.0)]);
        assert_eq!(s.entry.level_sd, 0.0, "{s:?}");
        assert!((s.entry.year_sd - 0.031_f64.sqrt()).abs() < 1e-9, "{s:?}");

        // With two lags only (a three-year series) the line is through m_1 and m_2:
        // level step^2 = m_2 - m_1 = 0.04 - 0.01, transient (2 m_1 - m_2) / 2 < 0.
        let s = local_level(&[series(&up[..3], &up[..3], HUGE)]);
        assert!((s.entry.level_sd - 0.03_f64.sqrt()).abs() < 1e-9, "{s:?}");
        assert_eq!(s.entry.year_sd, 0.0);

        // Years missing from a series break only the pairs they belong to.
        let mut gappy = series(&up, &up, HUGE);
        gappy[2].entry = None;
        let s = local_level(&[gappy]);
        assert_eq!(s.pairs, 2); // 2016-2015 and 2019-2018
    }

    /// A small deterministic generator (xorshift64*) and standard normals by Box-Muller.
    struct Rng(u64);
    impl Rng {
        fn uniform(&mut self) -> f64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            ((self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
        }
        fn normal(&mut self) -> f64 {
            (-2.0 * self.uniform().ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
        }
    }

    #[test]
    fn local_level_recovers_simulated_variances() {
        // 600 areas x 11 years of r_t = l_t + e_t, l_t = l_{t-1} + n_t, entry and exit
        // correlated: the method of moments recovers the standard deviations and
        // correlations within sampling error.
        let (level, year, rho_level, rho_year) = ([0.12, 0.08], [0.06, 0.04], 0.5, -0.4);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut areas = Vec::new();
        for _ in 0..600 {
            let mut l = [0.0_f64; 2];
            let mut years = Vec::new();
            for t in 0..11 {
                let z = rng.normal();
                let n = [z, rho_level * z + (1.0 - rho_level * rho_level).sqrt() * rng.normal()];
                let z = rng.normal();
                let e = [z, rho_year * z + (1.0 - rho_year * rho_year).sqrt() * rng.normal()];
                for k in 0..2 {
                    l[k] += level[k] * n[k];
                }
                let r = |k: usize| l[k] + year[k] * e[k];
                years.push(RateYear { year: 2015 + t, entry: Some((r(0), HUGE)), exit: Some((r(1), HUGE)) });
            }
            areas.push(years);
        }
        let s = local_level(&areas);
        let close = |got: f64, want: f64, tol: f64| assert!((got - want).abs() <= tol, "{got} vs {want}: {s:?}");
        close(s.entry.level_sd, level[0], 0.01);
        close(s.exit.level_sd, level[1], 0.01);
        close(s.entry.year_sd, year[0], 0.012);
        close(s.exit.year_sd, year[1], 0.012);
        close(s.level_correlation, rho_level, 0.1);
        close(s.year_correlation, rho_year, 0.25);
    }

    #[test]
    fn year_shocks_closed_form() {
        let s = Structural {
            entry: LocalLevel { level_sd: 0.1, year_sd: 0.06 },
            exit: LocalLevel { level_sd: 0.08, year_sd: 0.0 },
            level_correlation: 0.5,
            year_correlation: 0.0,
            areas: 1,
            pairs: 1,
        };
        // Later years: the estimated steps; exits divided by the share under 18.
        let later = year_shocks(&s, 2, 0.8, 3);
        assert_eq!(later.entry, s.entry);
        assert!((later.exit.level_sd - 0.08 / 0.8).abs() < 1e-12);
        assert_eq!(later.level_correlation, 0.5);
        // Year 1 with a 2-year window: the mean of l_{T-1} and l_T lags l_T by n_T / 2
        // (variance level^2 / 4 = level^2 (w-1)(2w-1)/(6w) at w = 2) and averages two
        // transients (year^2 / 2).
        let first = year_shocks(&s, 2, 0.8, 1);
        let entry = (0.01 * 1.25 + 0.0036 / 2.0_f64).sqrt();
        let exit = (0.0064 * 1.25_f64).sqrt();
        assert!((first.entry.level_sd - entry).abs() < 1e-12, "{first:?}");
        assert!((first.exit.level_sd - exit / 0.8).abs() < 1e-12);
        assert!((first.level_correlation - 0.5 * 0.1 * 0.08 * 1.25 / (entry * exit)).abs() < 1e-12);
        // A 5-year window: lag variance (4 * 9) / 30 = 1.2 level^2 (sum of (k/5)^2, k = 1..4).
        let five = year_shocks(&s, 5, 1.0, 1);
        let lag: f64 = (1..5).map(|k| (k as f64 / 5.0).powi(2)).sum();
        assert!((lag - 1.2).abs() < 1e-12);
        assert!((five.entry.level_sd - (0.01 * (1.0 + lag) + 0.0036 / 5.0_f64).sqrt()).abs() < 1e-12);
        // One year: no lag, the whole transient.
        let one = year_shocks(&s, 1, 1.0, 1);
        assert!((one.entry.level_sd - (0.01_f64 + 0.0036).sqrt()).abs() < 1e-12);
        // The share under 18 is taken to be at least one half.
        assert!((year_shocks(&s, 1, 0.2, 2).exit.level_sd - 0.16).abs() < 1e-12);
    }
}
