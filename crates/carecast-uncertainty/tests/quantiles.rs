//! The quantile accumulator: exact type-7 up to the pilot size, the stated error
//! bound (one bin width) beyond it on normal, skewed and bimodal draws, and
//! identical results for any partition of the draws into forks and any merge
//! order.
//!
//! What it is not: a test of the marginals or the copula.

mod common;

use carecast_uncertainty::{Family, Marginal, QuantileAccumulator, QuantileConfig, type7, type7_unsorted};
use common::SplitMix;
use proptest::prelude::*;

const PROBS: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

/// Reference type-7 (numpy's default 'linear'), written from its definition.
fn reference(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * q;
    let j = h.floor() as usize;
    if j + 1 >= v.len() { v[j] } else { v[j] + (h - j as f64) * (v[j + 1] - v[j]) }
}

/// Three cells per draw: normal, right-skewed (lognormal), bimodal (mixture of two normals).
fn draw(rng: &mut SplitMix) -> [f64; 3] {
    let normal = Marginal::new(Family::Normal, 80.0, 100.0, 120.0).unwrap();
    let skewed = Marginal::new(Family::LogNormal, 0.2, 1.0, 5.0).unwrap();
    let low = Marginal::new(Family::Normal, -1.0, 0.0, 1.0).unwrap();
    let high = Marginal::new(Family::Normal, 9.0, 10.0, 11.0).unwrap();
    let (u1, u2, u3, u4) = (rng.uniform(), rng.uniform(), rng.uniform(), rng.uniform());
    let bimodal = if u4 < 0.3 { low.quantile(u3) } else { high.quantile(u3) };
    [normal.quantile(u1), skewed.quantile(u2), bimodal]
}

#[test]
fn up_to_the_pilot_the_quantiles_are_exact_type7() {
    let mut rng = SplitMix(1);
    let mut acc = QuantileAccumulator::new(3, QuantileConfig::default()).unwrap();
    let mut cols = vec![Vec::new(); 3];
    for d in 0..1000 {
        let v = draw(&mut rng);
        acc.push(&v).unwrap();
        for (c, x) in cols.iter_mut().zip(v) {
            c.push(x);
        }
        if [0, 1, 2, 9, 99, 999].contains(&d) {
            let q = acc.quantiles(&PROBS).unwrap();
            for (cell, col) in cols.iter().enumerate() {
                let exact: Vec<f64> = PROBS.iter().map(|&p| reference(col, p)).collect();
                assert_eq!(q[cell], exact, "cell {cell} after {} draws", d + 1);
            }
        }
    }
    assert_eq!(acc.max_errors(&PROBS).unwrap(), vec![vec![0.0; 5]; 3]);
    // The fork made at exactly the pilot size, merged empty, keeps the result exact.
    let fork = acc.fork().unwrap();
    acc.merge(&fork).unwrap();
    assert_eq!(acc.quantiles(&[0.5]).unwrap()[0][0], reference(&cols[0], 0.5));
}

#[test]
fn beyond_the_pilot_the_error_is_at_most_one_bin_width() {
    let mut rng = SplitMix(2);
    let mut acc = QuantileAccumulator::new(3, QuantileConfig::default()).unwrap();
    let mut cols = vec![Vec::new(); 3];
    for _ in 0..20_000 {
        let v = draw(&mut rng);
        acc.push(&v).unwrap();
        for (c, x) in cols.iter_mut().zip(v) {
            c.push(x);
        }
    }
    let probs = [0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0];
    let q = acc.quantiles(&probs).unwrap();
    let bounds = acc.max_errors(&probs).unwrap();
    for (cell, col) in cols.iter().enumerate() {
        let width = acc.bin_width(cell).unwrap();
        for (k, &p) in probs.iter().enumerate() {
            let exact = reference(col, p);
            let err = (q[cell][k] - exact).abs();
            assert!(err <= bounds[cell][k] * (1.0 + 1e-9) + 1e-12, "cell {cell} p {p}: error {err} > bound");
            if (0.05..=0.95).contains(&p) {
                assert!(bounds[cell][k] <= width * (1.0 + 1e-9), "cell {cell} p {p}: bound beyond one bin");
            }
        }
        // The bin width is (1 + 2 × 0.25) × pilot range / 2048.
        let mut pilot = col[..1000].to_vec();
        pilot.sort_by(f64::total_cmp);
        let expect = 1.5 * (pilot[999] - pilot[0]) / 2048.0;
        assert!((width - expect).abs() <= 1e-12 * expect, "cell {cell}: width {width} vs {expect}");
        assert_eq!(q[cell][0], pilot[0].min(col.iter().copied().fold(f64::INFINITY, f64::min)));
    }
}

/// Pushes `values` (one cell) with the pilot first, then the rest split into
/// forks at `cuts`, merged in the order `order`.
fn via_forks(values: &[f64], config: QuantileConfig, cuts: &[usize], order: &[usize]) -> Vec<u64> {
    let mut acc = QuantileAccumulator::new(2, config).unwrap();
    for &v in &values[..config.pilot] {
        acc.push(&[v, -v]).unwrap();
    }
    let rest = &values[config.pilot..];
    let mut bounds: Vec<usize> = cuts.iter().map(|&c| c % (rest.len() + 1)).collect();
    bounds.extend([0, rest.len()]);
    bounds.sort_unstable();
    let mut forks: Vec<QuantileAccumulator> = bounds
        .windows(2)
        .map(|w| {
            let mut f = acc.fork().unwrap();
            for &v in &rest[w[0]..w[1]] {
                f.push(&[v, -v]).unwrap();
            }
            f
        })
        .collect();
    // Merge pairwise in a permuted order (a tree, like rayon's reduce), then into the pilot holder.
    let mut idx: Vec<usize> = (0..forks.len()).collect();
    for (i, &o) in order.iter().enumerate() {
        let n = idx.len();
        idx.swap(i % n, o % n);
    }
    while idx.len() > 1 {
        let b = idx.pop().unwrap();
        let a = idx[idx.len() / 2];
        let other = forks[b].clone();
        forks[a].merge(&other).unwrap();
    }
    acc.merge(&forks[idx[0]]).unwrap();
    acc.quantiles(&PROBS).unwrap().concat().iter().map(|x| x.to_bits()).collect()
}

/// `type7_unsorted` against the definition: sort under the total order, then
/// `type7`, bit for bit.
fn check_unsorted_against_sort(values: &[f64], probs: &[f64]) -> Result<(), TestCaseError> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut scratch = values.to_vec();
    let got = type7_unsorted(&mut scratch, probs);
    for (g, &p) in got.iter().zip(probs) {
        prop_assert_eq!(g.to_bits(), type7(&sorted, p).to_bits(), "p = {}", p);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn results_do_not_depend_on_partition_or_merge_order(
        values in prop::collection::vec(-1e3f64..1e3, 31..300),
        cuts in prop::collection::vec(0usize..1000, 0..8),
        order in prop::collection::vec(0usize..1000, 0..8),
        zeros in any::<bool>(),
    ) {
        let mut values = values;
        if zeros {
            // Signed zeros must combine the same way in any order.
            values.extend([0.0, -0.0, 0.0]);
        }
        let config = QuantileConfig { pilot: 30, bins: 64, margin: 0.1 };
        let mut sequential = QuantileAccumulator::new(2, config).unwrap();
        for &v in &values {
            sequential.push(&[v, -v]).unwrap();
        }
        let expect: Vec<u64> = sequential.quantiles(&PROBS).unwrap().concat().iter().map(|x| x.to_bits()).collect();
        prop_assert_eq!(via_forks(&values, config, &cuts, &order), expect.clone());
        let mut reversed = values[..config.pilot].to_vec();
        reversed.extend(values[config.pilot..].iter().rev());
        prop_assert_eq!(via_forks(&reversed, config, &[], &[]), expect);
    }

    #[test]
    fn selecting_gives_the_sorted_type7_bit_for_bit_with_ties(
        codes in prop::collection::vec(0u8..6, 1..300),
        probs in prop::collection::vec(0.0f64..=1.0, 1..10),
    ) {
        // Few distinct values (signed zeros among them), so ranks tie often.
        let values: Vec<f64> = codes.iter().map(|c| [-0.0, 0.0, 1.5, -2.0, 1e-300, 7.0][*c as usize]).collect();
        check_unsorted_against_sort(&values, &probs)?;
    }

    #[test]
    fn selecting_gives_the_sorted_type7_bit_for_bit_for_many_draws(
        values in prop::collection::vec(prop_oneof![-1e9f64..1e9, Just(0.0), Just(-0.0), Just(3.25), 1e-6f64..2e-6], 16..3000),
        probs in prop::collection::vec(0.0f64..=1.0, 1..12),
    ) {
        // Wide and clustered values together: many land in one bucket, most buckets are empty.
        check_unsorted_against_sort(&values, &probs)?;
    }

    #[test]
    fn within_the_pilot_the_result_is_type7(
        values in prop::collection::vec(-1e6f64..1e6, 1..200),
        probs in prop::collection::vec(0.0f64..=1.0, 1..10),
    ) {
        let mut acc = QuantileAccumulator::new(1, QuantileConfig { pilot: 200, ..QuantileConfig::default() }).unwrap();
        for &v in &values {
            acc.push(&[v]).unwrap();
        }
        let mut sorted = values.clone();
        sorted.sort_by(f64::total_cmp);
        let got = acc.cell_quantiles(0, &probs).unwrap();
        for (g, &p) in got.iter().zip(&probs) {
            prop_assert_eq!(g.to_bits(), type7(&sorted, p).to_bits());
            prop_assert!((g - reference(&values, p)).abs() <= 1e-9 * g.abs().max(1.0));
        }
    }
}
