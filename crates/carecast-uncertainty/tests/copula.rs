//! The Gaussian copula against independent values: empirical Spearman rank
//! correlation of 20,000 draws vs (6/π)·asin(ρ/2), uniform marginals kept,
//! non-positive-definite matrices rejected, uncorrelated variables passed
//! through bit-identical.
//!
//! What it is not: a test of the marginals (see `marginals.rs`).

mod common;

use carecast_uncertainty::{Family, GaussianCopula, Marginal, UncertaintyError, rank_correlation};
use common::{SplitMix, mean_var};

fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    idx.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut r = vec![0.0; xs.len()];
    for (rank, &i) in idx.iter().enumerate() {
        r[i] = rank as f64;
    }
    r
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let (ma, va) = mean_var(a);
    let (mb, vb) = mean_var(b);
    let cov = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum::<f64>() / a.len() as f64;
    cov / (va * vb).sqrt()
}

fn spearman(a: &[f64], b: &[f64]) -> f64 {
    pearson(&ranks(a), &ranks(b))
}

/// `draws` correlated draws of `copula` from a seeded generator, as columns.
fn draws(copula: &GaussianCopula, draws: usize, seed: u64) -> Vec<Vec<f64>> {
    let n = copula.dimension();
    let mut rng = SplitMix(seed);
    let mut cols = vec![Vec::with_capacity(draws); n];
    for _ in 0..draws {
        let u: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
        for (c, v) in cols.iter_mut().zip(copula.correlate(&u).unwrap()) {
            c.push(v);
        }
    }
    cols
}

#[test]
fn spearman_matches_the_gaussian_copula_formula() {
    for (k, rho) in [-0.8, -0.3, 0.3, 0.6, 0.95].into_iter().enumerate() {
        let c = GaussianCopula::new(2, &[(0, 1, rho)]).unwrap();
        let cols = draws(&c, 20_000, 17 + k as u64);
        let s = spearman(&cols[0], &cols[1]);
        assert!((s - rank_correlation(rho)).abs() < 0.02, "rho {rho}: spearman {s} vs {}", rank_correlation(rho));
    }
}

#[test]
fn three_variables_and_marginals_through_the_inverse_cdf() {
    let pairs = [(0, 1, 0.5), (1, 2, -0.4), (0, 2, 0.2)];
    let c = GaussianCopula::new(3, &pairs).unwrap();
    let cols = draws(&c, 20_000, 99);
    for &(i, j, rho) in &pairs {
        let s = spearman(&cols[i], &cols[j]);
        assert!((s - rank_correlation(rho)).abs() < 0.02, "({i}, {j}): {s}");
    }
    // Each output is still uniform: mean 1/2, variance 1/12.
    for col in &cols {
        let (m, v) = mean_var(col);
        assert!((m - 0.5).abs() < 0.01 && (v - 1.0 / 12.0).abs() < 0.003, "{m} {v}");
    }
    // Rank correlation survives any monotone marginal.
    let beta = Marginal::new(Family::Beta, 0.0, 0.1, 1.0).unwrap();
    let gamma = Marginal::new(Family::Gamma, 1.0, 2.0, 5.0).unwrap();
    let x: Vec<f64> = cols[0].iter().map(|&u| beta.quantile(u)).collect();
    let y: Vec<f64> = cols[1].iter().map(|&u| gamma.quantile(u)).collect();
    assert!((spearman(&x, &y) - rank_correlation(0.5)).abs() < 0.02);
}

#[test]
fn non_positive_definite_matrices_are_rejected_naming_the_pairs() {
    let pairs = [(0, 1, 0.9), (1, 2, 0.9), (0, 2, -0.9)];
    let err = GaussianCopula::new(4, &pairs).unwrap_err();
    match &err {
        UncertaintyError::NotPositiveDefinite { variable, pairs: named, min_eigenvalue } => {
            assert_eq!(*variable, 2);
            assert_eq!(named, &vec![(1, 2, 0.9), (0, 2, -0.9)]);
            assert!(*min_eigenvalue < 0.0);
        }
        other => panic!("unexpected {other}"),
    }
    assert!(err.to_string().contains("not positive definite"), "{err}");
}

#[test]
fn uncorrelated_variables_pass_through_bit_identical() {
    let mut rng = SplitMix(5);
    let independent = GaussianCopula::independent(6);
    let one_pair = GaussianCopula::new(6, &[(1, 4, 0.7)]).unwrap();
    let two_pairs = GaussianCopula::new(6, &[(1, 4, 0.7), (2, 5, -0.3)]).unwrap();
    for _ in 0..1000 {
        let u: Vec<f64> = (0..6).map(|_| rng.uniform()).collect();
        assert_eq!(independent.correlate(&u).unwrap(), u);
        let a = one_pair.correlate(&u).unwrap();
        let b = two_pairs.correlate(&u).unwrap();
        for i in [0, 1, 2, 3, 5] {
            assert_eq!(a[i].to_bits(), u[i].to_bits(), "variable {i} with one pair");
        }
        assert_ne!(a[4], u[4]);
        // Adding (2, 5) leaves variables 0, 1, 3 and 4 as they were.
        for i in [0, 1, 3, 4] {
            assert_eq!(a[i].to_bits(), b[i].to_bits(), "variable {i} after adding a pair");
        }
        let mut in_place = u.clone();
        two_pairs.correlate_in_place(&mut in_place).unwrap();
        assert_eq!(in_place, b);
    }
    assert!(one_pair.passes_through(0) && one_pair.passes_through(1) && !one_pair.passes_through(4));
}
