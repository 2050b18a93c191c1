//! Marginals against independent values: closed-form means and variances
//! checked on a stratified grid of uniforms, known quantiles, truncation, and
//! monotonicity on random ranges.
//!
//! What it is not: a test of the inverse CDFs' last digits (see the unit tests
//! in `inverse.rs`) or of copulas and quantile accumulation.

mod common;

use carecast_uncertainty::{Family, Marginal, Shape, UncertaintyError, Z95};
use common::{grid, mean_var};
use proptest::prelude::*;

const N: usize = 200_000;

fn sample(m: &Marginal) -> Vec<f64> {
    grid(N).map(|u| m.quantile(u)).collect()
}

/// Stratified sample mean and variance against `mean`, `variance` (independent closed forms).
fn check_moments(m: &Marginal, mean: f64, variance: f64, rel_var_tol: f64) {
    let xs = sample(m);
    let (sm, sv) = mean_var(&xs);
    let sd = variance.sqrt();
    assert!((sm - mean).abs() < 1e-3 * sd, "{:?}: sample mean {sm} vs {mean}", m.family());
    assert!((sv - variance).abs() < rel_var_tol * variance, "{:?}: sample variance {sv} vs {variance}", m.family());
    assert!((m.mean() - mean).abs() < 1e-12 * mean.abs().max(1.0), "{:?}: mean() {} vs {mean}", m.family(), m.mean());
    assert!((m.variance() - variance).abs() < 1e-12 * variance, "{:?}: variance()", m.family());
    let (lo, hi) = m.bounds();
    assert!(xs.iter().all(|x| (lo..=hi).contains(x)), "{:?}: draws outside {lo}..{hi}", m.family());
}

#[test]
fn triangular_moments() {
    let (a, c, b) = (1.0, 2.0, 5.0);
    let m = Marginal::new(Family::Triangular, a, c, b).unwrap();
    check_moments(&m, (a + b + c) / 3.0, (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0, 1e-4);
}

#[test]
fn uniform_moments() {
    let m = Marginal::new(Family::Uniform, -2.0, 0.0, 6.0).unwrap();
    check_moments(&m, 2.0, 64.0 / 12.0, 1e-4);
}

#[test]
fn normal_moments_and_percentiles() {
    // low/high are the 5th/95th percentiles.
    let m = Marginal::new(Family::Normal, 80.0, 100.0, 120.0).unwrap();
    let sd = 40.0 / (2.0 * 1.6449);
    check_moments(&m, 100.0, (40.0 / (2.0 * Z95)).powi(2), 2e-3);
    assert!((m.quantile(0.95) - (100.0 + 1.6449 * sd)).abs() < 1e-3);
    assert!((m.quantile(0.95) - 120.0).abs() < 1e-9 && (m.quantile(0.05) - 80.0).abs() < 1e-9);
    assert!((m.quantile(0.5) - 100.0).abs() < 1e-9);
    let explicit =
        Marginal::with_shape(Family::Normal, 80.0, 100.0, 120.0, &Shape { sd: Some(5.0), ..Shape::default() });
    let explicit = explicit.unwrap();
    assert!((explicit.quantile(0.975) - (100.0 + 1.959_964 * 5.0)).abs() < 1e-4);
}

#[test]
fn lognormal_moments_and_percentiles() {
    // Symmetric in logs: median 1, 5th/95th percentiles 0.5 and 2.
    let m = Marginal::new(Family::LogNormal, 0.5, 1.0, 2.0).unwrap();
    let s = 4f64.ln() / (2.0 * 1.6448536269514722);
    check_moments(&m, (0.5 * s * s).exp(), ((s * s).exp() - 1.0) * (s * s).exp(), 5e-3);
    assert!((m.quantile(0.5) - 1.0).abs() < 1e-9);
    assert!((m.quantile(0.05) - 0.5).abs() < 1e-9 && (m.quantile(0.95) - 2.0).abs() < 1e-9);
    let explicit = Shape { sigma: Some(0.2), ..Shape::default() };
    let e = Marginal::with_shape(Family::LogNormal, 3.0, 3.0, 3.0, &explicit).unwrap();
    assert!((e.mean() - 3.0 * 0.02f64.exp()).abs() < 1e-12);
}

#[test]
fn beta_pert_moments() {
    let (l, c, h) = (10.0, 13.0, 30.0);
    let m = Marginal::new(Family::Beta, l, c, h).unwrap();
    let (a, b) = (1.0 + 4.0 * 3.0 / 20.0, 1.0 + 4.0 * 17.0 / 20.0);
    let var = 400.0 * a * b / ((a + b) * (a + b) * (a + b + 1.0));
    check_moments(&m, (l + 4.0 * c + h) / 6.0, var, 1e-3);
    // Explicit shapes, still on [low, high].
    let shape = Shape { alpha: Some(2.0), beta: Some(5.0), ..Shape::default() };
    let e = Marginal::with_shape(Family::Beta, 0.0, 0.2, 2.0, &shape).unwrap();
    check_moments(&e, 2.0 * 2.0 / 7.0, 4.0 * 10.0 / (49.0 * 8.0), 1e-3);
    assert!((e.quantile(0.5) - 2.0 * 0.264_449_983_296_5).abs() < 1e-9, "beta(2,5) median");
}

#[test]
fn gamma_moments() {
    // sd from the range as for the normal.
    let m = Marginal::new(Family::Gamma, 60.0, 100.0, 140.0).unwrap();
    let sd = 80.0 / (2.0 * Z95);
    check_moments(&m, 100.0, sd * sd, 2e-3);
    // Explicit shape 2.5: sd = mean / sqrt(2.5); the median of gamma(2.5, 1) is 2.1752...
    let shape = Shape { shape: Some(2.5), ..Shape::default() };
    let e = Marginal::with_shape(Family::Gamma, 1.0, 2.5, 3.0, &shape).unwrap();
    check_moments(&e, 2.5, 2.5, 3e-3);
    assert!((e.quantile(0.5) - 2.175_730_095_547_876).abs() < 1e-8, "{}", e.quantile(0.5));
}

/// The binary's original triangular sampler, copied: the crate's must be bit-identical to it.
fn original_triangular(low: f64, mode: f64, high: f64, u: f64) -> f64 {
    let (a, b) = if low <= high { (low, high) } else { (high, low) };
    let c = mode.clamp(a, b);
    if b - a <= 0.0 {
        return c;
    }
    let fc = (c - a) / (b - a);
    if u < fc { a + (u * (b - a) * (c - a)).sqrt() } else { b - ((1.0 - u) * (b - a) * (b - c)).sqrt() }
}

#[test]
fn triangular_is_bit_identical_to_the_binarys_sampler() {
    for (a, c, b) in [(1.0, 2.0, 5.0), (0.0, 0.0, 1.0), (-3.0, 0.5, 0.5), (0.02, 0.031, 0.05)] {
        let m = Marginal::new(Family::Triangular, a, c, b).unwrap();
        for u in grid(10_001).chain([0.0]) {
            assert_eq!(m.quantile(u).to_bits(), original_triangular(a, c, b, u).to_bits(), "({a}, {c}, {b}) at {u}");
        }
    }
}

#[test]
fn truncated_normal_stays_in_range_with_the_truncated_mean() {
    // A probability with central 0.9 and a normal range reaching above 1.
    let m = Marginal::new(Family::Normal, 0.75, 0.9, 1.05).unwrap().truncated(0.0, 1.0).unwrap();
    let xs = sample(&m);
    assert!(xs.iter().all(|x| (0.0..=1.0).contains(x)));
    assert_eq!(m.bounds(), (0.0, 1.0));
    assert!(m.quantile(1.0) <= 1.0 && m.quantile(0.0) >= 0.0);
    // Closed form: mu + sd (phi(alpha) - phi(beta)) / (Phi(beta) - Phi(alpha)).
    let sd = 0.3 / (2.0 * Z95);
    let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let (alpha, beta) = ((0.0 - 0.9) / sd, (1.0 - 0.9) / sd);
    let big_phi = |z: f64| Marginal::new(Family::Normal, -1.0, 0.0, 1.0).unwrap().cdf(z * (2.0 / (2.0 * Z95)));
    let z = big_phi(beta) - big_phi(alpha);
    let mean = 0.9 + sd * (phi(alpha) - phi(beta)) / z;
    let var = sd * sd * (1.0 + (alpha * phi(alpha) - beta * phi(beta)) / z - ((phi(alpha) - phi(beta)) / z).powi(2));
    assert!((m.mean() - mean).abs() < 1e-8, "{} vs {mean}", m.mean());
    assert!((m.variance() - var).abs() < 1e-8 * var.max(1e-3), "{} vs {var}", m.variance());
    let (sm, sv) = mean_var(&xs);
    assert!((sm - mean).abs() < 1e-5 && (sv - var).abs() < 1e-3 * var, "{sm} {sv}");
}

#[test]
fn truncation_errors_say_what_was_expected() {
    let m = Marginal::new(Family::Normal, 0.75, 0.9, 1.05).unwrap();
    assert!(matches!(m.truncated(1.0, 0.0), Err(UncertaintyError::InvalidTruncation { .. })));
    assert!(matches!(m.truncated(f64::NAN, 1.0), Err(UncertaintyError::InvalidTruncation { .. })));
    let e = Marginal::new(Family::Uniform, 0.0, 0.5, 1.0).unwrap().truncated(2.0, 3.0).unwrap_err();
    assert!(e.to_string().contains("holds some of the distribution's probability"), "{e}");
    assert!(Marginal::new(Family::Gamma, 1.0, 2.0, 3.0).unwrap().truncated(0.0, f64::INFINITY).is_ok());
}

/// A shape so small that most of the distribution lies below 1e-50 (found by
/// the property test below): its quantiles still rise with the probability.
#[test]
fn gamma_with_a_tiny_shape_has_rising_quantiles() {
    let m = Marginal::new(Family::Gamma, 0.01, 0.01, 97.49287317985833).unwrap();
    let us: Vec<f64> =
        (1..1000).map(|i| f64::from(i) / 1000.0).chain([0.0958909654225181, 0.609486895965458]).collect();
    let mut us = us;
    us.sort_by(f64::total_cmp);
    let xs: Vec<f64> = us.iter().map(|&u| m.quantile(u)).collect();
    for (w, u) in xs.windows(2).zip(us.windows(2)) {
        assert!(w[0] <= w[1], "Q({}) = {} > Q({}) = {}", u[0], w[0], u[1], w[1]);
    }
}

fn family() -> impl Strategy<Value = Family> {
    prop::sample::select(Family::ALL.to_vec())
}

proptest! {
    #[test]
    fn quantiles_are_monotone_and_within_bounds(
        f in family(),
        low in 0.01f64..100.0,
        a in 0.0f64..1.0,
        width in 0.0f64..100.0,
        mut us in prop::collection::vec(0.0f64..1.0, 2..40),
    ) {
        let (high, central) = (low + width, low + a * width);
        let m = Marginal::new(f, low, central, high).unwrap();
        us.sort_by(f64::total_cmp);
        let xs: Vec<f64> = us.iter().map(|&u| m.quantile(u)).collect();
        let (lo, hi) = m.bounds();
        for w in xs.windows(2) {
            prop_assert!(w[0] <= w[1], "{f}: not monotone {xs:?}");
        }
        prop_assert!(xs.iter().all(|x| x.is_finite() && (lo..=hi).contains(x)), "{f}: {xs:?} outside {lo}..{hi}");
    }
}
