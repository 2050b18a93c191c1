//! `carecast run --draws N`: Monte Carlo uncertainty bands on the tidy rows.
//!
//! What it is: N draws of the scenario, in parallel (rayon over draw indices).
//! Draw `d` uses seed `S + d`, so results do not depend on the number of
//! threads. With parameter uncertainty every ranged assumption
//! (`{ value, low, high }`) gets a value from a triangular distribution (low,
//! central, high) and the scenario is resolved again (`build`, which re-runs
//! the calibration: about 0.1 s per draw in release, fine for a few hundred
//! draws); with process noise the model is simulated with
//! [`carecast_core::noise::Stochastic`] (Poisson entries, multinomial exits,
//! moves and ageing), else with the expected-value simulator. Each draw keeps
//! only its tidy rows' values; each row then gets the 5th, 25th, 50th, 75th
//! and 95th percentiles over the draws (linear interpolation between order
//! statistics, R's type 7, so they are ordered by construction).
//!
//! What it is not: a change to the central run. `value` stays the
//! deterministic run at central values; the percentiles are appended columns.

use anyhow::{Context, Result, bail};
use carecast_core::Row;
use carecast_core::noise::Stochastic;
use carecast_core::rows::rows;
use carecast_core::simulate_with;
use carecast_report::{Cell, Column, ColumnKind, Table, write_csv};
use carecast_scenario::loader::{RangedParam, ranged_params, set_value};
use carecast_scenario::{Built, Loaded, RunOptions, Seeds, build_reusing};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// Percentiles written, with their column names.
pub const PERCENTILES: [(f64, &str); 5] = [(0.05, "p05"), (0.25, "p25"), (0.5, "p50"), (0.75, "p75"), (0.95, "p95")];

/// What to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonteCarloSpec {
    /// Number of draws (at least 1).
    pub draws: u64,
    /// Draw `d` uses seed `seed + d` (wrapping).
    pub seed: u64,
    /// Draw every ranged assumption from its triangular distribution.
    pub parameter_uncertainty: bool,
    /// Simulate with random (Poisson / multinomial) flows.
    pub process_noise: bool,
}

/// A value from the triangular distribution on [low, high] with mode `mode`, for `u` in [0, 1).
pub fn triangular(low: f64, mode: f64, high: f64, u: f64) -> f64 {
    let (a, b) = if low <= high { (low, high) } else { (high, low) };
    let c = mode.clamp(a, b);
    if b - a <= 0.0 {
        return c;
    }
    let fc = (c - a) / (b - a);
    if u < fc { a + (u * (b - a) * (c - a)).sqrt() } else { b - ((1.0 - u) * (b - a) * (b - c)).sqrt() }
}

/// Percentile `q` of sorted values (linear interpolation between order statistics).
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// The split a ranged share belongs to (`<placement>.split.<part>.share` → `<placement>`), if any.
fn share_group(key: &str) -> Option<&str> {
    let head = key.strip_suffix(".share")?;
    let (group, _) = head.rsplit_once(".split.")?;
    Some(group)
}

/// One value per ranged parameter, from its triangular distribution (uniforms
/// drawn in `params` order). The shares of a split must sum to 1, so drawn
/// shares of the same split are rescaled to sum to what their central values
/// sum to (1 minus any shares that are not ranged), holding any share that the
/// rescaling pushes outside its [low, high] at that bound.
pub fn draw_values(params: &[RangedParam], rng: &mut Stochastic) -> Vec<f64> {
    let uniforms: Vec<f64> = params.iter().map(|_| rng.uniform()).collect();
    draw_values_from(params, &uniforms)
}

/// One uniform per ranged parameter, determined by the seed and the
/// parameter's key only (not its position): scenarios that share a parameter
/// get the same uniform for it in the same draw (common random numbers), and
/// so the same quantile of its own (low, central, high) distribution.
pub fn keyed_uniforms(params: &[RangedParam], seed: u64) -> Vec<f64> {
    params
        .iter()
        .map(|p| {
            // FNV-1a of the key, mixed with the seed; Stochastic::new scrambles it further.
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in p.key.bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
            }
            Stochastic::new(h ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)).uniform()
        })
        .collect()
}

/// [`draw_values`] from given uniforms (one per parameter, in `params` order).
pub fn draw_values_from(params: &[RangedParam], uniforms: &[f64]) -> Vec<f64> {
    let mut values: Vec<f64> =
        params.iter().zip(uniforms).map(|(p, &u)| triangular(p.low, p.value, p.high, u)).collect();
    let mut groups: Vec<&str> = params.iter().filter_map(|p| share_group(&p.key)).collect();
    groups.sort_unstable();
    groups.dedup();
    for g in groups {
        let members: Vec<usize> = (0..params.len()).filter(|&i| share_group(&params[i].key) == Some(g)).collect();
        let target: f64 = members.iter().map(|&i| params[i].value).sum();
        // Rescale the shares not yet at a bound; a share pushed past its bound
        // is held there and the rest rescaled again (at most one pass a member).
        let mut held = vec![false; members.len()];
        for _ in 0..=members.len() {
            let fixed: f64 = members.iter().zip(&held).filter(|(_, h)| **h).map(|(&i, _)| values[i]).sum();
            let free: f64 = members.iter().zip(&held).filter(|(_, h)| !**h).map(|(&i, _)| values[i]).sum();
            if free <= 0.0 {
                break;
            }
            let scale = (target - fixed) / free;
            let mut crossed = false;
            for (k, &i) in members.iter().enumerate() {
                if held[k] {
                    continue;
                }
                let (lo, hi) = (params[i].low.min(params[i].high), params[i].low.max(params[i].high));
                let v = values[i] * scale;
                values[i] = v.clamp(lo, hi);
                if v < lo || v > hi {
                    held[k] = true;
                    crossed = true;
                }
            }
            if !crossed {
                break;
            }
        }
    }
    values
}

/// The central run and what is needed to resolve the scenario again.
#[derive(Clone, Copy)]
pub struct Inputs<'a> {
    /// The scenario as loaded.
    pub loaded: &'a Loaded,
    /// The seed data.
    pub seeds: &'a Seeds,
    /// The run's options (years, council).
    pub opts: &'a RunOptions,
    /// The central (deterministic, central values) resolution.
    pub central: &'a Built,
    /// The central run's tidy rows.
    pub central_rows: &'a [Row],
}

/// How a draw's random numbers are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streams {
    /// One generator seeded `S + d`: parameter uniforms in parameter order,
    /// then the process noise (`carecast run --draws`).
    Sequential,
    /// Parameter uniforms keyed by parameter name ([`keyed_uniforms`]) and the
    /// process noise from a fresh generator seeded `S + d`, so scenarios that
    /// share parameters share their draws (`carecast compare --draws`).
    Keyed,
}

/// The tidy rows of draw `d` (checked to have the central rows' shape).
pub fn draw_rows(
    spec: &MonteCarloSpec,
    d: u64,
    inputs: Inputs<'_>,
    params: &[RangedParam],
    streams: Streams,
) -> Result<Vec<Row>> {
    let Inputs { loaded, seeds, opts, central, central_rows } = inputs;
    let seed = spec.seed.wrapping_add(d);
    let mut rng = Stochastic::new(seed);
    let drawn;
    let built = if spec.parameter_uncertainty {
        let values = match streams {
            Streams::Sequential => draw_values(params, &mut rng),
            Streams::Keyed => draw_values_from(params, &keyed_uniforms(params, seed)),
        };
        let mut varied = loaded.clone();
        for (p, v) in params.iter().zip(values) {
            set_value(&mut varied, &p.key, v).with_context(|| format!("setting `{}` to {v}", p.key))?;
        }
        drawn =
            build_reusing(&varied, seeds, opts, central).context("resolving the scenario with drawn assumptions")?;
        &drawn
    } else {
        central
    };
    let projection = if spec.process_noise { simulate_with(&built.model, &mut rng, |_| {})? } else { built.run()? };
    let drawn_rows = rows(&central.name, &built.model.dims, &projection);
    let same_shape = drawn_rows.len() == central_rows.len()
        && drawn_rows
            .iter()
            .zip(central_rows)
            .all(|(a, b)| a.year == b.year && a.measure == b.measure && a.breakdown == b.breakdown);
    if !same_shape {
        bail!("the draw's rows differ from the central run's (a drawn assumption changed the model's dimensions)");
    }
    Ok(drawn_rows)
}

/// The row values of one draw, in the central rows' order.
fn one_draw(spec: &MonteCarloSpec, d: u64, inputs: Inputs<'_>, params: &[RangedParam]) -> Result<Vec<f64>> {
    Ok(draw_rows(spec, d, inputs, params, Streams::Sequential)?.into_iter().map(|r| r.value).collect())
}

/// Runs the draws and returns, per central row, its percentiles (in [`PERCENTILES`] order).
pub fn percentiles(spec: &MonteCarloSpec, inputs: Inputs<'_>) -> Result<Vec<[f64; 5]>> {
    if spec.draws == 0 {
        bail!("--draws must be at least 1");
    }
    let params = if spec.parameter_uncertainty { ranged_params(inputs.loaded) } else { Vec::new() };
    let draws: Vec<Vec<f64>> = (0..spec.draws)
        .into_par_iter()
        .map(|d| {
            one_draw(spec, d, inputs, &params)
                .with_context(|| format!("Monte Carlo draw {d} (seed {})", spec.seed.wrapping_add(d)))
        })
        .collect::<Result<_>>()?;
    let mut column = vec![0.0; draws.len()];
    Ok((0..inputs.central_rows.len())
        .map(|i| {
            for (c, draw) in column.iter_mut().zip(&draws) {
                *c = draw[i];
            }
            column.sort_by(f64::total_cmp);
            PERCENTILES.map(|(q, _)| percentile(&column, q))
        })
        .collect())
}

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

/// Runs the draws and returns the percentiles of each central row (in [`PERCENTILES`] order).
pub fn run(spec: &MonteCarloSpec, inputs: Inputs<'_>, quiet: bool) -> Result<Vec<[f64; 5]>> {
    if !quiet {
        let what = match (spec.parameter_uncertainty, spec.process_noise) {
            (true, true) => "parameter uncertainty and process noise",
            (true, false) => "parameter uncertainty",
            (false, true) => "process noise",
            (false, false) => "no uncertainty",
        };
        eprintln!("{}: {} Monte Carlo draws ({what}), seeds from {}", inputs.central.name, spec.draws, spec.seed);
    }
    percentiles(spec, inputs)
}

/// Writes `projection.csv` (with the percentile columns) into `dir`, atomically.
pub fn write(dir: &Path, table: &Table) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    write_csv(&dir.join("projection.csv"), table)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangular_stays_in_range_and_has_the_right_mean() {
        let n = 100_000;
        let (a, c, b) = (1.0, 2.0, 5.0);
        let xs: Vec<f64> = (0..n).map(|i| triangular(a, c, b, (i as f64 + 0.5) / n as f64)).collect();
        assert!(xs.iter().all(|x| (a..=b).contains(x)));
        let mean = xs.iter().sum::<f64>() / n as f64;
        assert!((mean - (a + b + c) / 3.0).abs() < 1e-3, "mean {mean}");
        assert_eq!(triangular(3.0, 3.0, 3.0, 0.7), 3.0);
        assert_eq!(triangular(1.0, 1.0, 2.0, 0.0), 1.0);
    }

    #[test]
    fn keyed_uniforms_follow_the_key_not_the_position() {
        let p = |key: &str| RangedParam { key: key.into(), value: 0.0, low: -1.0, high: 1.0, source: String::new() };
        let a = keyed_uniforms(&[p("x.growth"), p("y.share")], 5);
        let b = keyed_uniforms(&[p("z.extra"), p("y.share"), p("x.growth")], 5);
        assert_eq!((a[0], a[1]), (b[2], b[1]));
        assert!(a.iter().all(|u| (0.0..1.0).contains(u)));
        assert_ne!(keyed_uniforms(&[p("x.growth")], 6)[0], a[0], "another seed, another draw");
    }

    #[test]
    fn percentiles_interpolate_order_statistics() {
        let v: Vec<f64> = (0..=10).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.05), 0.5);
        assert_eq!(percentile(&v, 0.5), 5.0);
        assert_eq!(percentile(&v, 0.95), 9.5);
        assert_eq!(percentile(&[4.0], 0.95), 4.0);
    }
}
