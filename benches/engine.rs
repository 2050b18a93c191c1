//! Criterion benchmarks of carecast's performance targets (see BENCHMARKS.md):
//! one deterministic national run (monthly, 10 years), the resolution of the
//! baseline (seed parsing and calibration), and reading, cleaning and
//! aggregating 200,000 SSDA903 episode rows, and 100 process-noise Monte Carlo
//! draws of the national run.
//!
//! Not tests: nothing here asserts a time.

use carecast_core::noise::Stochastic;
use carecast_core::{simulate, simulate_with};
use carecast_scenario::{RunOptions, Seeds, build, load};
use carecast_ssda903::testing::{KnownRates, generate_synthetic_return};
use carecast_ssda903::{AggregateOptions, CleanOptions, ReturnTables, TableSource};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

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

criterion_group!(benches, national_run, montecarlo_process_noise, ssda903_200k);
criterion_main!(benches);
