//! Criterion benchmarks of carecast's performance targets (see BENCHMARKS.md):
//! one deterministic national run (monthly, 10 years), the resolution of the
//! baseline (seed parsing and calibration), reading, cleaning and aggregating
//! 200,000 SSDA903 episode rows, 100 process-noise Monte Carlo draws of the
//! national run, and 10,000 parameter draws of the smallest model the core
//! allows (18 stocks), each a deterministic run.
//!
//! Not tests: nothing here asserts a time.

use carecast_core::noise::Stochastic;
use carecast_core::rows::rows;
use carecast_core::{AGES, AgeBand, Dimensions, InitialState, LEAVER_AGES, Model, YearParams, simulate, simulate_with};
use carecast_montecarlo::{Inputs, MonteCarloSpec, percentiles};
use carecast_scenario::{RunOptions, Seeds, build, load};
use carecast_ssda903::testing::{KnownRates, generate_synthetic_return};
use carecast_ssda903::{AggregateOptions, CleanOptions, ReturnTables, TableSource};
use criterion::{Criterion, criterion_group, criterion_main};
use rayon::prelude::*;
use std::hint::black_box;

/// The binary's allocator, so the benchmarks measure what `carecast` does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn national_run(c: &mut Criterion) {
    let seeds = Seeds::bundled().expect("seeds");
    let loaded = load("baseline").expect("baseline");
    let built = build(&loaded, &seeds, &RunOptions::default()).expect("build");
    assert_eq!(built.model.years.len(), 10);
    c.bench_function("simulate_national_baseline_10y_monthly", |b| {
        b.iter(|| simulate(black_box(&built.model)).expect("run"))
    });
    c.bench_function("parse_bundled_seeds", |b| b.iter(|| Seeds::bundled().expect("seeds")));
    c.bench_function("resolve_and_calibrate_baseline", |b| {
        b.iter(|| build(black_box(&loaded), black_box(&seeds), &RunOptions::default()).expect("build"))
    });
}

/// 100 process-noise draws (seeds 0..100) of the national baseline, one thread, no parameter draws.
fn montecarlo_process_noise(c: &mut Criterion) {
    let seeds = Seeds::bundled().expect("seeds");
    let loaded = load("baseline").expect("baseline");
    let built = build(&loaded, &seeds, &RunOptions::default()).expect("build");
    let mut group = c.benchmark_group("montecarlo");
    group.sample_size(10);
    group.bench_function("montecarlo_process_noise_100_draws", |b| {
        b.iter(|| {
            (0..100u64)
                .map(|d| {
                    let mut noise = Stochastic::new(d);
                    let p = simulate_with(black_box(&built.model), &mut noise, |_| {}).expect("run");
                    p.years.last().map_or(0.0, |y| y.children_in_care())
                })
                .sum::<f64>()
        })
    });
    group.finish();
}

/// The smallest model the core allows, for comparison with a vectorised numpy
/// version of a 9-stock model (about 0.2 s for 10,000 draws): one age band
/// (0-17) over the core's 18 single years of age, one placement and one exit
/// reason, so the state is 18 stocks (plus 8 care-leaver ages); 10 years of
/// monthly steps, with a population of 10,000 a year of age.
fn small_model() -> Model {
    let dims = Dimensions {
        age_bands: vec![AgeBand { id: "all".into(), from_years: 0, to_years: AGES }],
        placements: vec!["care".into()],
        exit_reasons: vec!["other".into()],
        ageing_out_reason: "reached_18".into(),
        other_spend_lines: vec![],
    };
    let years = (1..=10)
        .map(|k| YearParams {
            year: 2025 + k,
            population_by_age: [10_000.0; AGES],
            entry_rate_per_10k: vec![30.0],
            entry_count_per_year: None,
            entry_age_weights: [1.0; AGES],
            entry_mix: vec![1.0],
            monthly_exit_probability: vec![0.03],
            monthly_move_probability: vec![0.0],
            reconciliation_per_year: vec![0.0],
            transfers: vec![],
            capacities: vec![],
            weekly_cost_gbp: vec![1_000.0],
            other_cla_weekly_cost_gbp: 100.0,
            care_leaver_annual_cost_gbp: 3_000.0,
            other_lines_gbp: vec![],
            funding_gbp: 0.0,
            workforce: None,
            deflator: 1.0,
        })
        .collect();
    Model {
        dims,
        start_year: 2025,
        initial: InitialState { stock: vec![40.0; AGES], care_leavers: [30.0; LEAVER_AGES] },
        years,
    }
}

/// 10,000 parameter draws of the small model, one thread: each draw (seed =
/// draw index) scales the entry rate and the exit probability by lognormal
/// factors (sd 0.1) and runs the deterministic simulation over 10 years,
/// monthly; the sum of the final children in care is returned.
fn montecarlo_small_model(c: &mut Criterion) {
    let base = small_model();
    // Draw d's model: entry rate and exit probability scaled by its factors.
    let draw_model = |model: &mut Model, d: u64| {
        let mut rng = Stochastic::new(d);
        let entry_factor = (0.1 * rng.standard_normal()).exp();
        let exit_factor = (0.1 * rng.standard_normal()).exp();
        for (y, y0) in model.years.iter_mut().zip(&base.years) {
            y.entry_rate_per_10k[0] = y0.entry_rate_per_10k[0] * entry_factor;
            y.monthly_exit_probability[0] = (y0.monthly_exit_probability[0] * exit_factor).min(1.0);
        }
    };
    let final_stock =
        |model: &Model| simulate(black_box(model)).expect("run").years.last().map_or(0.0, |y| y.children_in_care());
    let mut group = c.benchmark_group("montecarlo");
    group.sample_size(10);
    group.bench_function("small_model_18_stocks_10000_parameter_draws", |b| {
        let mut model = base.clone();
        b.iter(|| {
            let mut total = 0.0;
            for d in 0..10_000u64 {
                draw_model(&mut model, d);
                total += final_stock(&model);
            }
            total
        })
    });
    // The same on every core (2 on the project machine), as `run --draws` does.
    group.bench_function("small_model_18_stocks_10000_parameter_draws_all_cores", |b| {
        b.iter(|| {
            (0..10_000u64)
                .into_par_iter()
                .map_init(
                    || base.clone(),
                    |model, d| {
                        draw_model(model, d);
                        final_stock(model)
                    },
                )
                .sum::<f64>()
        })
    });
    group.finish();
}

/// The real Monte Carlo driver (`carecast run --draws N`) on the national
/// baseline (10 years, monthly): N draws of every ranged assumption, each
/// re-resolved with the central calibration reused and simulated, with the
/// percentiles accumulated; on all threads (2 on the project machine).
fn montecarlo_driver(c: &mut Criterion) {
    let seeds = Seeds::bundled().expect("seeds");
    let mut group = c.benchmark_group("montecarlo");
    group.sample_size(10);
    for (area, draws, noise) in [("E92000001", 10_000u64, false), ("E92000001", 100, true), ("Blackpool", 1_000, false)]
    {
        let loaded = load("baseline").expect("baseline");
        let opts = RunOptions { area: Some(area.into()), ..RunOptions::default() };
        let central = build(&loaded, &seeds, &opts).expect("build");
        let central_rows = rows(&central.name, &central.model.dims, &central.run().expect("run"));
        let inputs =
            Inputs { loaded: &loaded, seeds: &seeds, opts: &opts, central: &central, central_rows: &central_rows };
        let spec = MonteCarloSpec {
            draws,
            seed: 1,
            parameter_uncertainty: true,
            process_noise: noise,
            sampling: Default::default(),
        };
        let what = if noise { "parameter_and_noise" } else { "parameter" };
        let name = format!("driver_{}_{draws}_{what}_draws", area.to_lowercase());
        group.bench_function(name, |b| b.iter(|| percentiles(black_box(&spec), inputs).expect("draws")));
    }
    group.finish();
}

fn ssda903_200k(c: &mut Criterion) {
    let rates = KnownRates { monthly_entries: 500.0, ..KnownRates::default() };
    let (episodes, header) = generate_synthetic_return(3, 37_000, &rates);
    let rows = episodes.lines().count() - 1;
    assert!(rows >= 190_000, "{rows} rows");
    let mut group = c.benchmark_group("ssda903");
    group.sample_size(20);
    group.bench_function(format!("read_clean_aggregate_{rows}_rows"), |b| {
        b.iter(|| {
            let tables = ReturnTables::new()
                .with_episodes(TableSource::from_bytes("episodes.csv", episodes.as_bytes().to_vec()))
                .with_header(TableSource::from_bytes("header.csv", header.as_bytes().to_vec()));
            let h = carecast_ssda903::load(&tables, &CleanOptions::default()).expect("load");
            h.aggregate(&AggregateOptions::default()).expect("aggregate")
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    national_run,
    montecarlo_process_noise,
    montecarlo_small_model,
    montecarlo_driver,
    ssda903_200k
);
criterion_main!(benches);
