//! carecast-montecarlo: the Monte Carlo driver. Draw `d` of a scenario uses
//! seed `S + d`, so results do not depend on the number of threads (rayon over
//! draw indices). With parameter uncertainty every ranged assumption gets a
//! value from its stated distribution (triangular unless the file's
//! `distribution` says otherwise; correlated through a Gaussian copula where
//! `[[correlations]]` says so; see `carecast_scenario::uncertainty`; the
//! uniforms independent or, with [`Sampling::LatinHypercube`], stratified) and the
//! model is resolved again from the drawn values on top of the central run's
//! prepared data and calibration (`carecast_scenario::build_draw`); with
//! process noise the model is simulated with
//! [`carecast_core::noise::Stochastic`] (Poisson entries, multinomial exits
//! and moves, per age band and placement), else with the expected-value simulator. Each draw's row
//! values go to a [`carecast_uncertainty::QuantileAccumulator`]: the first
//! 1,000 draws are kept and give exact percentiles (R's type 7); beyond that
//! they are counted into 2,048 bins a row, so memory does not grow with the
//! number of draws and each percentile is within one bin width (about 0.07% of
//! the pilot's range).
//!
//! What it is not: output. Results are returned as plain data (one
//! `[p05, p25, p50, p75, p95]` per central row; each draw's rows) for the
//! binary's writers and charts; the central run is never changed.

use carecast_core::noise::Stochastic;
use carecast_core::rows::rows;
use carecast_core::{CoreError, Model, Row, simulate_with};
use carecast_scenario::loader::{RangedParam, share_group};
use carecast_scenario::{Built, DrawPlan, Drawn, Loaded, RunOptions, ScenarioError, Seeds, build_draw, draw_plan};
use carecast_uncertainty::{QuantileAccumulator, QuantileConfig, UncertaintyError};
use rayon::prelude::*;

/// What can go wrong in a Monte Carlo run.
#[derive(Debug, thiserror::Error)]
pub enum MonteCarloError {
    /// No draws were asked for.
    #[error("--draws must be at least 1")]
    NoDraws,
    /// The scenario's distributions or correlations are not usable.
    #[error("the scenario's distributions and correlations")]
    Plan(#[source] ScenarioError),
    /// The scenario with drawn values does not resolve.
    #[error("resolving the scenario with drawn assumptions")]
    Resolve(#[source] ScenarioError),
    /// The model did not run.
    #[error("running the model")]
    Core(#[source] CoreError),
    /// Sampling or accumulating failed.
    #[error("sampling")]
    Uncertainty(#[source] UncertaintyError),
    /// A drawn assumption changed the model's dimensions.
    #[error("the draw's rows differ from the central run's (a drawn assumption changed the model's dimensions)")]
    Shape,
    /// One draw failed.
    #[error("Monte Carlo draw {draw} (seed {seed})")]
    Draw {
        /// Draw index.
        draw: u64,
        /// Its seed.
        seed: u64,
        /// Why.
        #[source]
        source: Box<MonteCarloError>,
    },
}

impl From<UncertaintyError> for MonteCarloError {
    fn from(e: UncertaintyError) -> Self {
        MonteCarloError::Uncertainty(e)
    }
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, MonteCarloError>;

/// Percentiles written, with their column names.
pub const PERCENTILES: [(f64, &str); 5] = [(0.05, "p05"), (0.25, "p25"), (0.5, "p50"), (0.75, "p75"), (0.95, "p95")];

/// How the ranged assumptions' uniforms are spread over the draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sampling {
    /// Independent uniforms in every draw.
    #[default]
    Random,
    /// Latin hypercube: with N draws, each assumption's independent uniform
    /// falls one in each of the N equal strata of [0, 1), the strata shuffled
    /// independently for each assumption ([`stratum`]), so every part of each
    /// range is visited and percentiles settle with fewer draws. Assumptions
    /// correlated through the copula, and a split's shares rescaled to their
    /// total, are stratified only approximately.
    LatinHypercube,
}

/// The most draws a run may ask for (2^32).
pub const MAX_DRAWS: u64 = 1 << 32;

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
    /// How the assumptions' uniforms are spread over the draws.
    pub sampling: Sampling,
}

/// The stratum of draw `index` (of `n`) for the assumption keyed `key`: a
/// permutation of `0..n` computed draw by draw (no table, so memory does not
/// grow with the number of draws) by a keyed four-round Feistel network on
/// the smallest even power of two at least `n`, walking the cycle until the
/// value falls below `n`. The same key and `n` give the same permutation in
/// every scenario and on any thread.
pub fn stratum(index: u64, n: u64, key: u64) -> u64 {
    // Below n the cycle walk ends (it returns to `index` at worst); the bits
    // must fit a u64, hence the cap on n (far beyond any number of draws).
    assert!(index < n && n <= MAX_DRAWS, "stratum {index} of {n}: expected index < n <= 2^32");
    let mut bits = 2;
    while (1u64 << bits) < n {
        bits += 2;
    }
    let half = bits / 2;
    let mask = (1u64 << half) - 1;
    let round = |r: u64, x: u64| -> u64 {
        let mut z = key ^ r.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 31)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 29)) & mask
    };
    let mut x = index;
    loop {
        let (mut left, mut right) = (x >> half, x & mask);
        for r in 0..4 {
            let next = left ^ round(r, right);
            left = right;
            right = next;
        }
        x = (left << half) | right;
        if x < n {
            return x;
        }
    }
}

/// FNV-1a of an assumption's key: what its keyed streams and strata are keyed by.
fn key_hash(key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Draw `d`'s uniforms `u` (one per parameter of `params`) moved into their
/// Latin hypercube strata: `(stratum + u) / n`, each parameter's strata
/// shuffled by its key and the seed `seed` of the run (not of the draw).
fn latin_hypercube(params: &[RangedParam], uniforms: &mut [f64], d: u64, n: u64, seed: u64) {
    for (p, u) in params.iter().zip(uniforms.iter_mut()) {
        let s = stratum(d, n, key_hash(&p.key) ^ seed.wrapping_mul(0xD1B5_4A32_D192_ED03));
        *u = ((s as f64 + *u) / n as f64).min(1.0 - f64::EPSILON / 2.0);
    }
}

/// One value per ranged parameter of `plan`, from `uniforms` (one per
/// parameter, in plan order, independent): correlated through the plan's
/// copula, mapped through each distribution's inverse CDF, then the shares of
/// each split rescaled to sum to what their central values sum to (1 minus
/// any shares that are not ranged), holding any share that the rescaling
/// pushes outside its [low, high] at that bound.
pub fn draw_values(plan: &DrawPlan, uniforms: &mut [f64]) -> Result<Vec<f64>> {
    plan.copula.correlate_in_place(uniforms)?;
    let mut values: Vec<f64> = plan.marginals.iter().zip(uniforms.iter()).map(|(m, &u)| m.quantile(u)).collect();
    rescale_shares(&plan.params, &mut values);
    Ok(values)
}

/// One uniform per ranged parameter, determined by the seed and the
/// parameter's key only (not its position): scenarios that share a parameter
/// get the same uniform for it in the same draw (common random numbers), and
/// so the same quantile of its own (low, central, high) distribution.
pub fn keyed_uniforms(params: &[RangedParam], seed: u64) -> Vec<f64> {
    params
        .iter()
        .map(|p| {
            // The key's hash mixed with the seed; Stochastic::new scrambles it further.
            Stochastic::new(key_hash(&p.key) ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)).uniform()
        })
        .collect()
}

/// Rescales the drawn shares of each split (see [`draw_values`]).
fn rescale_shares(params: &[RangedParam], values: &mut [f64]) {
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
    /// process noise from a stream of its own for each flow, keyed by the
    /// flow's month, kind, band and placement from seed `S + d`
    /// ([`Stochastic::keyed`]), so scenarios that share parameters share
    /// their draws and each flow's noise (`carecast compare --draws`).
    Keyed,
}

/// Draw `d`'s independent uniforms, one per parameter of `params` (before the
/// copula): from the draw's generator `rng` in parameter order, or keyed by
/// parameter name; with Latin hypercube sampling, moved into their strata.
fn draw_uniforms(
    spec: &MonteCarloSpec,
    d: u64,
    params: &[RangedParam],
    streams: Streams,
    rng: &mut Stochastic,
) -> Vec<f64> {
    let mut uniforms: Vec<f64> = match streams {
        Streams::Sequential => params.iter().map(|_| rng.uniform()).collect(),
        Streams::Keyed => keyed_uniforms(params, spec.seed.wrapping_add(d)),
    };
    if spec.sampling == Sampling::LatinHypercube {
        latin_hypercube(params, &mut uniforms, d, spec.draws, spec.seed);
    }
    uniforms
}

/// The projection of draw `d` and the model it ran (`None`: the central one).
fn draw_projection(
    spec: &MonteCarloSpec,
    d: u64,
    inputs: Inputs<'_>,
    plan: &DrawPlan,
    streams: Streams,
) -> Result<(carecast_core::Projection, Option<Model>)> {
    let Inputs { loaded, seeds, opts, central, .. } = inputs;
    let seed = spec.seed.wrapping_add(d);
    let mut rng = match streams {
        Streams::Sequential => Stochastic::new(seed),
        Streams::Keyed => Stochastic::keyed(seed),
    };
    let drawn = if spec.parameter_uncertainty {
        let mut uniforms = draw_uniforms(spec, d, &plan.params, streams, &mut rng);
        let values = draw_values(plan, &mut uniforms)?;
        let drawn = Drawn { params: &plan.params, values: &values };
        Some(build_draw(loaded, seeds, opts, central, drawn).map_err(MonteCarloError::Resolve)?)
    } else {
        None
    };
    let model = drawn.as_ref().unwrap_or(&central.model);
    let projection = if spec.process_noise {
        simulate_with(model, &mut rng, |_| {}).map_err(MonteCarloError::Core)?
    } else {
        carecast_core::simulate(model).map_err(MonteCarloError::Core)?
    };
    Ok((projection, drawn))
}

/// The tidy rows of draw `d` (checked to have the central rows' shape).
pub fn draw_rows(
    spec: &MonteCarloSpec,
    d: u64,
    inputs: Inputs<'_>,
    plan: &DrawPlan,
    streams: Streams,
) -> Result<Vec<Row>> {
    let (projection, drawn) = draw_projection(spec, d, inputs, plan, streams)?;
    let dims = &drawn.as_ref().unwrap_or(&inputs.central.model).dims;
    let drawn_rows = rows(&inputs.central.name, dims, &projection);
    let same_shape = drawn_rows.len() == inputs.central_rows.len()
        && drawn_rows
            .iter()
            .zip(inputs.central_rows)
            .all(|(a, b)| a.year == b.year && a.measure == b.measure && a.breakdown == b.breakdown);
    if !same_shape {
        return Err(MonteCarloError::Shape);
    }
    Ok(drawn_rows)
}

/// What every draw of one run shares: the spec, the inputs, the draw plan
/// and the central rows' measures.
#[derive(Clone, Copy)]
struct Run<'a> {
    spec: &'a MonteCarloSpec,
    inputs: Inputs<'a>,
    plan: &'a DrawPlan,
    measures: &'a [&'static str],
}

/// The values of draw `d` in the central rows' order, without building rows:
/// the same model dimensions and the same measures cell by cell are the shape check.
fn draw_values_only(run: Run<'_>, d: u64) -> Result<Vec<f64>> {
    let Run { spec, inputs, plan, measures } = run;
    let (projection, drawn) = draw_projection(spec, d, inputs, plan, Streams::Sequential)?;
    let dims = &drawn.as_ref().unwrap_or(&inputs.central.model).dims;
    if *dims != inputs.central.model.dims {
        return Err(MonteCarloError::Shape);
    }
    let (drawn_measures, values) = carecast_core::rows::values(dims, &projection);
    // The measures are string literals: the same literal is the same pointer,
    // so the comparison rarely needs the bytes.
    let same = drawn_measures.len() == measures.len()
        && drawn_measures.iter().zip(measures).all(|(a, b)| std::ptr::eq(*a, *b) || a == b);
    if !same {
        return Err(MonteCarloError::Shape);
    }
    Ok(values)
}

/// The row values of one draw, in the central rows' order.
fn one_draw(run: Run<'_>, d: u64) -> Result<Vec<f64>> {
    draw_values_only(run, d).map_err(|e| MonteCarloError::Draw {
        draw: d,
        seed: run.spec.seed.wrapping_add(d),
        source: Box::new(e),
    })
}

/// The draw plan of a run: the scenario's, or an empty one without parameter uncertainty.
pub fn plan_for(loaded: &Loaded, parameter_uncertainty: bool) -> Result<DrawPlan> {
    let mut plan = draw_plan(loaded).map_err(MonteCarloError::Plan)?;
    if !parameter_uncertainty {
        plan.params.clear();
        plan.marginals.clear();
        plan.copula = carecast_uncertainty::GaussianCopula::independent(0);
    }
    Ok(plan)
}

/// Draws binned together by a worker ([`QuantileAccumulator::push_block`]):
/// each row's bins are then touched once a block rather than once a draw
/// (binning a draw at a time was a fifth of a 10,000-draw run, cache misses on
/// 8 MB of counts). The block holds `BLOCK_DRAWS × rows` values, about 2 MB
/// for the national baseline's 976 rows. Blocks of 256 rather than 1,024
/// share the draws between two cores more evenly (10,000 draws with process
/// noise: 3.72-3.75 s against 3.88-4.05 s, the same output), at no measurable
/// cost to parameter draws, whose binning is a larger share of a draw.
const BLOCK_DRAWS: usize = 256;

/// What [`summarise`] returns for each cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Per cell, its percentiles in [`PERCENTILES`] order.
    pub percentiles: Vec<[f64; 5]>,
    /// Per cell, the number of draws whose value is below 0 (empty unless asked for).
    pub below_zero: Vec<u64>,
    /// The number of draws.
    pub draws: u64,
}

/// Runs draws `0..draws` (`draw(d)` gives draw `d`'s value of every cell, in
/// the same order each time) and summarises each cell: its percentiles and,
/// with `count_below_zero`, how many draws fell below 0 (a count, so it is
/// exact and the same whatever the threads).
///
/// Draws `0..pilot` are run in parallel and pushed in draw order (the
/// accumulator's exact pilot); the rest run in blocks of [`BLOCK_DRAWS`] as
/// parallel tasks, each block counted into a fork, and the forks merged. Counts
/// add up the same whatever the split, so the output does not depend on the
/// number of threads. Memory holds the pilot and one block per worker, never
/// every draw.
pub fn summarise<E, F>(draws: u64, cells: usize, count_below_zero: bool, draw: F) -> std::result::Result<Summary, E>
where
    E: From<MonteCarloError> + Send,
    F: Fn(u64) -> std::result::Result<Vec<f64>, E> + Sync,
{
    if draws == 0 {
        return Err(MonteCarloError::NoDraws.into());
    }
    let acc_err = |e: UncertaintyError| E::from(MonteCarloError::from(e));
    let count = |block: &[f64], below: &mut Vec<u64>| {
        if count_below_zero {
            below.resize(cells, 0);
            for values in block.chunks_exact(cells.max(1)) {
                for (b, v) in below.iter_mut().zip(values) {
                    *b += u64::from(*v < 0.0);
                }
            }
        }
    };
    let config = QuantileConfig::default();
    let mut acc = QuantileAccumulator::new(cells, config).map_err(acc_err)?;
    let mut below = Vec::new();
    let pilot = draws.min(config.pilot as u64);
    if cells == 0 {
        for d in 0..pilot {
            acc.push(&draw(d)?).map_err(acc_err)?;
        }
    } else {
        // The pilot's draws written in place, draw by draw, and handed to
        // the accumulator as one block (one allocation, one copy).
        let mut first = vec![0.0; pilot as usize * cells];
        first.par_chunks_mut(cells).enumerate().try_for_each(|(d, slot)| -> std::result::Result<(), E> {
            let values = draw(d as u64)?;
            if values.len() != cells {
                return Err(MonteCarloError::Shape.into());
            }
            slot.copy_from_slice(&values);
            Ok(())
        })?;
        count(&first, &mut below);
        acc.push_block(&first).map_err(acc_err)?;
    }
    if draws > pilot {
        let template = acc.fork().map_err(acc_err)?;
        let rest: Vec<u64> = (pilot..draws).collect();
        // Blocks of draws as rayon tasks (so a busy core takes fewer of them),
        // counted into a few forks that are then merged.
        let merged = rest
            .par_chunks(BLOCK_DRAWS)
            .try_fold(
                || (template.clone(), Vec::with_capacity(BLOCK_DRAWS * cells), Vec::new()),
                |(mut f, mut block, mut below), ds| {
                    block.clear();
                    for &d in ds {
                        let values = draw(d)?;
                        if values.len() != cells {
                            return Err(MonteCarloError::Shape.into());
                        }
                        block.extend_from_slice(&values);
                    }
                    count(&block, &mut below);
                    f.push_block(&block).map_err(acc_err)?;
                    Ok::<_, E>((f, block, below))
                },
            )
            .map(|r| r.map(|(f, _, below)| (f, below)))
            .try_reduce_with(|(mut a, mut below_a), (b, below_b)| {
                a.merge(&b).map_err(acc_err)?;
                below_a.resize(below_b.len().max(below_a.len()), 0);
                below_a.iter_mut().zip(&below_b).for_each(|(x, y)| *x += y);
                Ok((a, below_a))
            });
        if let Some(f) = merged {
            let (f, below_f) = f?;
            acc.merge(&f).map_err(acc_err)?;
            below.resize(below_f.len().max(below.len()), 0);
            below.iter_mut().zip(&below_f).for_each(|(x, y)| *x += y);
        }
    }
    let probs = PERCENTILES.map(|(q, _)| q);
    let percentiles =
        acc.quantiles(&probs).map_err(acc_err)?.into_iter().map(|q| [q[0], q[1], q[2], q[3], q[4]]).collect();
    Ok(Summary { percentiles, below_zero: below, draws })
}

/// Runs the draws and returns, per central row, its percentiles (in [`PERCENTILES`] order).
pub fn percentiles(spec: &MonteCarloSpec, inputs: Inputs<'_>) -> Result<Vec<[f64; 5]>> {
    percentiles_observed(spec, inputs, &|| {})
}

/// [`percentiles`], calling `done` as each draw finishes (from any worker
/// thread), for an observer such as a progress bar; it sees no numbers.
pub fn percentiles_observed(
    spec: &MonteCarloSpec,
    inputs: Inputs<'_>,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<[f64; 5]>> {
    if spec.draws == 0 {
        return Err(MonteCarloError::NoDraws);
    }
    let plan = plan_for(inputs.loaded, spec.parameter_uncertainty)?;
    let measures: Vec<&'static str> = inputs.central_rows.iter().map(|r| r.measure).collect();
    let run = Run { spec, inputs, plan: &plan, measures: &measures };
    let summary = summarise(spec.draws, inputs.central_rows.len(), false, |d| {
        let values = one_draw(run, d);
        done();
        values
    })?;
    Ok(summary.percentiles)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A ranged parameter on [-1, 1] with central value 0.
    fn param(key: &str) -> RangedParam {
        RangedParam::new(key, 0.0, -1.0, 1.0)
    }

    /// 3,000 draws (past the 1,000-draw pilot, through eight blocks) of two
    /// cells with known values: the counts below 0 are exact, the percentiles
    /// within the accumulator's stated bound of the type-7 ones, and one
    /// thread gives what two give.
    #[test]
    fn summarise_counts_below_zero_exactly_and_the_same_on_any_threads() {
        let draws = 3_000u64;
        // Cell 0 runs through k - 1500.5 for k = 0..3000 (-1500.5..=1498.5) in
        // a scrambled order (7,919 is prime to 3,000), so the pilot spreads
        // over the whole range.
        let cells = |d: u64| -> Result<Vec<f64>> {
            Ok(vec![((d * 7_919) % 3_000) as f64 - 1_500.5, ((d * 7919) % 101) as f64])
        };
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| summarise(draws, 2, true, cells)).unwrap()
        };
        let one = on(1);
        assert_eq!(one, on(2));
        // Below 0: the 1,501 values -1500.5..=-0.5.
        assert_eq!(one.below_zero, vec![1_501, 0]);
        assert_eq!(one.draws, draws);
        // Type-7 median: h = 2999 / 2, halfway between the 1,500th and
        // 1,501st values (-1.5 and -0.5): -1.0, within the accumulator's
        // stated bound.
        let bound = {
            let mut acc = QuantileAccumulator::new(2, QuantileConfig::default()).unwrap();
            for d in 0..draws {
                acc.push(&cells(d).unwrap()).unwrap();
            }
            acc.max_errors(&[0.5]).unwrap()[0][0]
        };
        assert!(bound < 3.0, "one bin of a range of about 3,000 widened by half: {bound}");
        assert!((one.percentiles[0][2] - -1.0).abs() <= bound, "{:?}", one.percentiles[0]);
        // Summaries without the count leave it empty; no draws is an error.
        assert!(summarise(10, 2, false, cells).unwrap().below_zero.is_empty());
        assert!(matches!(summarise(0, 2, true, cells), Err(MonteCarloError::NoDraws)));
        // A draw of the wrong length is refused, not copied.
        let short = |d: u64| -> Result<Vec<f64>> { Ok(vec![d as f64; if d == 1_500 { 1 } else { 2 }]) };
        assert!(matches!(summarise(draws, 2, true, short), Err(MonteCarloError::Shape)));
    }

    /// Each key's strata are a permutation of 0..n, whatever n (powers of two,
    /// odd sizes, one past a power of four); keys give different orders.
    #[test]
    fn strata_are_permutations() {
        for n in [1u64, 2, 3, 7, 16, 100, 1_000, 4_097] {
            for key in [0u64, 1, 0xDEAD_BEEF] {
                let mut seen = vec![false; n as usize];
                for i in 0..n {
                    let s = stratum(i, n, key);
                    assert!(s < n && !seen[s as usize], "n {n} key {key}: {i} -> {s} twice or out of range");
                    seen[s as usize] = true;
                }
            }
        }
        let order = |key| (0..100).map(|i| stratum(i, 100, key)).collect::<Vec<_>>();
        assert_ne!(order(1), order(2));
        assert_ne!(order(1), (0..100).collect::<Vec<_>>(), "shuffled, not the identity");
    }

    /// Over n draws, each parameter's Latin hypercube uniforms fall one in
    /// each stratum [k/n, (k+1)/n), the strata in a different order for each.
    #[test]
    fn latin_hypercube_puts_one_draw_in_each_stratum() {
        let params = [param("a.growth"), param("b.share"), param("c.cost")];
        let n = 250u64;
        let mut rng = Stochastic::new(3);
        let mut strata = vec![vec![false; n as usize]; params.len()];
        let mut first = Vec::new();
        for d in 0..n {
            let mut u: Vec<f64> = params.iter().map(|_| rng.uniform()).collect();
            latin_hypercube(&params, &mut u, d, n, 11);
            for (j, v) in u.iter().enumerate() {
                assert!((0.0..1.0).contains(v), "{v}");
                let k = (v * n as f64).floor() as usize;
                assert!(!strata[j][k], "parameter {j}: stratum {k} twice");
                strata[j][k] = true;
            }
            first.push(((u[0] * n as f64) as usize, (u[1] * n as f64) as usize));
        }
        assert!(first.iter().any(|(a, b)| a != b), "each parameter has its own order");
    }

    /// As the driver draws them: over the run's n draws, each parameter's
    /// uniforms fall one per stratum, with one stream per draw and with keyed
    /// streams alike (whatever each draw's own seed S + d).
    #[test]
    fn the_drivers_uniforms_are_stratified_in_both_stream_layouts() {
        let params = [param("a.growth"), param("b.share")];
        let n = 300u64;
        let spec = MonteCarloSpec {
            draws: n,
            seed: 42,
            parameter_uncertainty: true,
            process_noise: false,
            sampling: Sampling::LatinHypercube,
        };
        for streams in [Streams::Sequential, Streams::Keyed] {
            let mut seen = vec![vec![false; n as usize]; params.len()];
            for d in 0..n {
                let mut rng = Stochastic::new(spec.seed.wrapping_add(d));
                for (j, u) in draw_uniforms(&spec, d, &params, streams, &mut rng).iter().enumerate() {
                    let k = (u * n as f64).floor() as usize;
                    assert!(!seen[j][k], "{streams:?}: parameter {j}, stratum {k} twice");
                    seen[j][k] = true;
                }
            }
        }
        let random = MonteCarloSpec { sampling: Sampling::Random, ..spec };
        let strata: Vec<usize> = (0..n)
            .map(|d| {
                let u = draw_uniforms(&random, d, &params, Streams::Sequential, &mut Stochastic::new(42 + d))[0];
                (u * n as f64) as usize
            })
            .collect();
        let mut sorted = strata.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert!(sorted.len() < n as usize, "random draws repeat strata (a check that the test can tell)");
    }

    #[test]
    fn keyed_uniforms_follow_the_key_not_the_position() {
        let a = keyed_uniforms(&[param("x.growth"), param("y.share")], 5);
        let b = keyed_uniforms(&[param("z.extra"), param("y.share"), param("x.growth")], 5);
        assert_eq!((a[0], a[1]), (b[2], b[1]));
        assert!(a.iter().all(|u| (0.0..1.0).contains(u)));
        assert_ne!(keyed_uniforms(&[param("x.growth")], 6)[0], a[0], "another seed, another draw");
    }
}
