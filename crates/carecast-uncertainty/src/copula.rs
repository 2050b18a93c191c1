//! A Gaussian copula: correlates independent uniforms so that parameters move
//! together, leaving each parameter's own distribution (its marginal) as it was.
//!
//! What it is not: a correlation of the parameter values themselves. `rho` is
//! the correlation of the *normal scores* Φ⁻¹(u); the rank (Spearman)
//! correlation of the draws is (6/π)·asin(ρ/2) (slightly smaller in magnitude:
//! 0.5 gives 0.483), whatever the marginals. Nor does it draw random numbers:
//! the caller supplies the independent uniforms.

use crate::error::{Result, UncertaintyError};
use crate::inverse::{P_EDGE, std_normal_cdf, std_normal_quantile};
use nalgebra::{DMatrix, SymmetricEigen};
use std::f64::consts::PI;

/// The Spearman rank correlation of a Gaussian copula with normal-score correlation `rho`: (6/π)·asin(ρ/2).
pub fn rank_correlation(rho: f64) -> f64 {
    6.0 / PI * (rho / 2.0).asin()
}

/// The normal-score correlation that gives Spearman rank correlation `spearman`: 2·sin(π·r/6).
pub fn normal_score_correlation(spearman: f64) -> f64 {
    2.0 * (PI * spearman / 6.0).sin()
}

/// A Gaussian copula over `n` variables (indices `0..n`).
///
/// `correlate` maps independent uniforms to correlated ones: u → z = Φ⁻¹(u) →
/// x = L z (L the lower Cholesky factor of the correlation matrix) → Φ(x).
/// A variable whose row of L is the unit row (every variable with no
/// correlation, and the first variable, in index order, of each correlated
/// group) passes through bit-identical, so adding a correlation between two
/// parameters does not change the draws of any other parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianCopula {
    n: usize,
    /// Per variable: `None` to pass through, else the non-zero entries `(j, L[i][j])` of its row.
    rows: Vec<Option<Vec<(usize, f64)>>>,
}

impl GaussianCopula {
    /// No correlation: every variable passes through.
    pub fn independent(n: usize) -> Self {
        Self { n, rows: vec![None; n] }
    }

    /// The copula of `n` variables with the normal-score correlations `(i, j, rho)`
    /// (every pair not listed is 0).
    ///
    /// Errors: an index `>= n`, `i == j`, `|rho| >= 1` or NaN, a pair given twice
    /// (in either order), or a matrix that is not positive definite (the error
    /// names the first variable at which the Cholesky factorisation fails and the
    /// pairs involving it).
    pub fn new(n: usize, pairs: &[(usize, usize, f64)]) -> Result<Self> {
        let mut m = DMatrix::<f64>::identity(n, n);
        for &(i, j, rho) in pairs {
            let bad = |expected: String| UncertaintyError::InvalidPair { i, j, rho, expected };
            if i >= n || j >= n {
                return Err(bad(format!("expected variable indices below {n}")));
            }
            if i == j {
                return Err(bad("expected two different variables".into()));
            }
            if rho.is_nan() || rho.abs() >= 1.0 {
                return Err(bad("expected a coefficient strictly between -1 and 1".into()));
            }
            if m[(i, j)] != 0.0 || pairs.iter().filter(|&&(a, b, _)| (a, b) == (i, j) || (a, b) == (j, i)).count() > 1 {
                return Err(UncertaintyError::DuplicatePair { i: i.min(j), j: i.max(j) });
            }
            m[(i, j)] = rho;
            m[(j, i)] = rho;
        }
        let Some(chol) = m.clone().cholesky().filter(|c| (0..n).all(|k| c.l_dirty()[(k, k)] > 1e-8)) else {
            return Err(not_positive_definite(&m, pairs));
        };
        let l = chol.l();
        let rows = (0..n)
            .map(|i| {
                let entries: Vec<(usize, f64)> =
                    (0..=i).filter(|&j| l[(i, j)] != 0.0).map(|j| (j, l[(i, j)])).collect();
                if entries.len() == 1 && entries[0] == (i, 1.0) { None } else { Some(entries) }
            })
            .collect();
        Ok(Self { n, rows })
    }

    /// The number of variables.
    pub fn dimension(&self) -> usize {
        self.n
    }

    /// Whether variable `i` passes through unchanged.
    pub fn passes_through(&self, i: usize) -> bool {
        self.rows.get(i).is_some_and(Option::is_none)
    }

    /// Correlated uniforms in [0, 1) from independent ones (one per variable, each in [0, 1]).
    pub fn correlate(&self, uniforms: &[f64]) -> Result<Vec<f64>> {
        let mut out = uniforms.to_vec();
        self.correlate_in_place(&mut out)?;
        Ok(out)
    }

    /// [`GaussianCopula::correlate`] in place. On error the slice is unchanged.
    pub fn correlate_in_place(&self, uniforms: &mut [f64]) -> Result<()> {
        if uniforms.len() != self.n {
            return Err(UncertaintyError::LengthMismatch {
                what: "uniforms for the copula",
                expected: self.n,
                got: uniforms.len(),
            });
        }
        if let Some((index, &value)) = uniforms.iter().enumerate().find(|(_, u)| !(0.0..=1.0).contains(*u)) {
            return Err(UncertaintyError::UniformOutOfRange { index, value });
        }
        if self.rows.iter().all(Option::is_none) {
            return Ok(());
        }
        // Normal scores of every variable that feeds a correlated row.
        let z: Vec<f64> = uniforms.iter().map(|&u| std_normal_quantile(u.clamp(P_EDGE, 1.0 - P_EDGE))).collect();
        for (u, row) in uniforms.iter_mut().zip(&self.rows) {
            if let Some(entries) = row {
                let x: f64 = entries.iter().map(|&(j, l)| l * z[j]).sum();
                *u = std_normal_cdf(x).min(1.0 - P_EDGE);
            }
        }
        Ok(())
    }
}

/// The error for a matrix with no Cholesky factor: the first leading block that
/// fails, and the pairs in it that involve its last variable.
fn not_positive_definite(m: &DMatrix<f64>, pairs: &[(usize, usize, f64)]) -> UncertaintyError {
    let n = m.nrows();
    let variable = (1..=n)
        .find(|&k| {
            m.view((0, 0), (k, k)).clone_owned().cholesky().is_none_or(|c| (0..k).any(|d| c.l_dirty()[(d, d)] <= 1e-8))
        })
        .map_or(n.saturating_sub(1), |k| k - 1);
    let involved = pairs.iter().copied().filter(|&(i, j, _)| i.max(j) == variable).collect();
    let min_eigenvalue = SymmetricEigen::new(m.clone()).eigenvalues.iter().copied().fold(f64::INFINITY, f64::min);
    UncertaintyError::NotPositiveDefinite { variable, pairs: involved, min_eigenvalue }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_correlation_round_trips() {
        for rho in [-0.9, -0.3, 0.0, 0.5, 0.99] {
            assert!((normal_score_correlation(rank_correlation(rho)) - rho).abs() < 1e-12);
        }
        assert!((rank_correlation(0.5) - 0.4826).abs() < 1e-4);
    }

    #[test]
    fn bad_pairs_are_rejected() {
        assert!(matches!(GaussianCopula::new(2, &[(0, 2, 0.5)]), Err(UncertaintyError::InvalidPair { .. })));
        assert!(matches!(GaussianCopula::new(2, &[(1, 1, 0.5)]), Err(UncertaintyError::InvalidPair { .. })));
        assert!(matches!(GaussianCopula::new(2, &[(0, 1, 1.0)]), Err(UncertaintyError::InvalidPair { .. })));
        assert!(matches!(GaussianCopula::new(2, &[(0, 1, f64::NAN)]), Err(UncertaintyError::InvalidPair { .. })));
        let dup = GaussianCopula::new(3, &[(0, 1, 0.5), (1, 0, 0.5)]).unwrap_err();
        assert_eq!(dup, UncertaintyError::DuplicatePair { i: 0, j: 1 });
        let c = GaussianCopula::new(2, &[(0, 1, 0.5)]).unwrap();
        assert!(matches!(c.correlate(&[0.5]), Err(UncertaintyError::LengthMismatch { .. })));
        assert!(matches!(c.correlate(&[0.5, 1.5]), Err(UncertaintyError::UniformOutOfRange { index: 1, .. })));
        assert!(matches!(c.correlate(&[f64::NAN, 0.5]), Err(UncertaintyError::UniformOutOfRange { index: 0, .. })));
    }

    #[test]
    fn empty_and_single_variable_copulas_work() {
        let empty = GaussianCopula::new(0, &[]).unwrap();
        assert_eq!(empty.correlate(&[]).unwrap(), Vec::<f64>::new());
        let one = GaussianCopula::new(1, &[]).unwrap();
        assert_eq!(one.correlate(&[0.25]).unwrap(), vec![0.25]);
        assert_eq!(one, GaussianCopula::independent(1));
    }

    #[test]
    fn extreme_uniforms_stay_in_the_unit_interval() {
        let c = GaussianCopula::new(2, &[(0, 1, 0.9)]).unwrap();
        for u in [[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]] {
            let v = c.correlate(&u).unwrap();
            assert_eq!(v[0], u[0], "the first variable passes through");
            assert!((0.0..1.0).contains(&v[1]), "{v:?}");
        }
    }
}
