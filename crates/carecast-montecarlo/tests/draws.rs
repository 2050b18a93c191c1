//! The Monte Carlo driver against a second method: the percentiles it keeps
//! in bounded memory beyond the 1,000-draw pilot are compared with exact
//! percentiles of every draw's values collected and sorted here, and the
//! output is byte-identical whatever the number of threads.

use carecast_core::rows::rows;
use carecast_montecarlo::{Inputs, MonteCarloSpec, Streams, draw_rows, percentiles, plan_for};
use carecast_scenario::{RunOptions, Seeds, build, load};
use carecast_uncertainty::type7;

#[test]
fn percentiles_beyond_the_pilot_match_sorted_draws_and_ignore_thread_count() {
    let seeds = Seeds::bundled().expect("seeds");
    let loaded = load("baseline").expect("baseline");
    let opts = RunOptions { end_year: Some(2028), ..RunOptions::default() };
    let central = build(&loaded, &seeds, &opts).expect("build");
    let central_rows = rows(&central.name, &central.model.dims, &central.run().expect("run"));
    let inputs = Inputs { loaded: &loaded, seeds: &seeds, opts: &opts, central: &central, central_rows: &central_rows };
    let spec = MonteCarloSpec {
        draws: 1_100,
        seed: 7,
        parameter_uncertainty: true,
        process_noise: false,
        sampling: Default::default(),
    };

    let pool = |n: usize| rayon::ThreadPoolBuilder::new().num_threads(n).build().expect("pool");
    let one = pool(1).install(|| percentiles(&spec, inputs)).expect("one thread");
    let three = pool(3).install(|| percentiles(&spec, inputs)).expect("three threads");
    assert_eq!(one.len(), central_rows.len());
    for (a, b) in one.iter().zip(&three) {
        assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "thread count changed a percentile");
    }

    // Second method: every draw's values, sorted, type-7 percentiles.
    let plan = plan_for(&loaded, true).expect("plan");
    let draws: Vec<Vec<f64>> = (0..spec.draws)
        .map(|d| {
            draw_rows(&spec, d, inputs, &plan, Streams::Sequential)
                .expect("draw")
                .into_iter()
                .map(|r| r.value)
                .collect()
        })
        .collect();
    let mut checked = 0;
    for (i, row) in central_rows.iter().enumerate() {
        let mut column: Vec<f64> = draws.iter().map(|d| d[i]).collect();
        column.sort_by(f64::total_cmp);
        let spread = column[column.len() - 1] - column[0];
        for (k, q) in [0.05, 0.25, 0.5, 0.75, 0.95].iter().enumerate() {
            let exact = type7(&column, *q);
            // Within a bin: 1.5 x the pilot's range / 2048, and the pilot's range is at most the whole range.
            let tol = 1.5 * spread / 2048.0 + 1e-9 * exact.abs().max(1.0);
            assert!(
                (one[i][k] - exact).abs() <= tol,
                "{} {} {}: p{q} {} vs exact {exact} (tol {tol})",
                row.measure,
                row.breakdown,
                row.year,
                one[i][k]
            );
        }
        checked += usize::from(spread > 0.0);
    }
    assert!(checked > 100, "only {checked} rows vary across draws");
}
