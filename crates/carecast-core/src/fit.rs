//! Poisson log-linear models (a GLM with log link and an exposure offset)
//! fitted by maximum likelihood with iteratively reweighted least squares.
//!
//! What it is: [`fit_poisson`] takes counts `y_i`, exposures `e_i` (the offset
//! `log e_i`, so `exp(x_i . beta)` is a rate per unit of exposure) and a design
//! matrix, and returns the coefficients, their covariance (the inverse Fisher
//! information, scaled by the quasi-Poisson dispersion
//! `phi = Pearson chi-square / (n - p)` when `phi > 1`, and saying which), the
//! deviance, the Pearson chi-square, the residual degrees of freedom, the
//! fitted counts and how the iteration converged. Bad input (shape, negative
//! or non-finite counts, exposures that are not positive, a design that does
//! not identify its coefficients, no convergence) is a typed [`FitError`],
//! never a panic.
//!
//! What it is not: a general GLM library (one family, one link), a model of
//! children in care (the `calibrate` command builds the designs) or anything
//! with I/O. Pure: the same input gives the same numbers, bit for bit.

use nalgebra::{DMatrix, DVector};
use thiserror::Error;

/// Why a Poisson fit failed.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum FitError {
    /// Counts, exposures and design rows disagree in number, or a row has the wrong length.
    #[error("Poisson fit: {0}")]
    Shape(String),
    /// A count is negative or not finite.
    #[error("Poisson fit: count {index} is {value}; expected a finite count >= 0")]
    BadCount {
        /// Observation index.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// An exposure is zero, negative or not finite.
    #[error("Poisson fit: exposure {index} is {value}; expected a finite exposure > 0")]
    BadExposure {
        /// Observation index.
        index: usize,
        /// The value found.
        value: f64,
    },
    /// The design does not identify its coefficients (rank below the number of columns).
    #[error("Poisson fit: the design is singular (rank {rank} of {columns} columns); a coefficient is not identified")]
    Singular {
        /// Numerical rank of the design.
        rank: usize,
        /// Columns of the design.
        columns: usize,
    },
    /// The iteration did not converge (for example a group whose counts are all zero:
    /// its maximum-likelihood rate is 0 and the log-rate goes to minus infinity).
    #[error("Poisson fit: no convergence after {iterations} iterations (last coefficient change {last_change:e})")]
    NotConverged {
        /// Iterations run.
        iterations: usize,
        /// Largest absolute coefficient change in the last iteration.
        last_change: f64,
    },
}

/// How the covariance was scaled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// Inverse Fisher information as it is (`phi <= 1`, or no residual degrees of freedom).
    Poisson,
    /// Inverse Fisher information times the quasi-Poisson dispersion `phi > 1`.
    QuasiPoisson {
        /// Pearson chi-square over residual degrees of freedom.
        phi: f64,
    },
}

impl Scale {
    /// The factor the covariance was multiplied by.
    pub fn factor(&self) -> f64 {
        match self {
            Scale::Poisson => 1.0,
            Scale::QuasiPoisson { phi } => *phi,
        }
    }
}

/// Iteration settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitOptions {
    /// Most iterations.
    pub max_iterations: usize,
    /// Converged when every coefficient changes by less than this in an iteration
    /// (absolute, on the log-rate scale).
    pub coefficient_tolerance: f64,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions { max_iterations: 100, coefficient_tolerance: 1e-9 }
    }
}

/// A fitted Poisson log-linear model.
#[derive(Debug, Clone, PartialEq)]
pub struct PoissonFit {
    /// Coefficients (log-rate scale), one per design column.
    pub coefficients: Vec<f64>,
    /// Covariance of the coefficients, `[i * p + j]`: the inverse Fisher information times
    /// [`Scale::factor`].
    pub covariance: Vec<f64>,
    /// Standard errors: square roots of the diagonal of `covariance`.
    pub standard_errors: Vec<f64>,
    /// Standard errors from the inverse Fisher information alone (pure Poisson).
    pub model_standard_errors: Vec<f64>,
    /// How the covariance was scaled.
    pub scale: Scale,
    /// Pearson chi-square over residual degrees of freedom (`None` with no residual degrees of freedom).
    pub dispersion: Option<f64>,
    /// Deviance, `2 sum [y log(y / mu) - (y - mu)]`.
    pub deviance: f64,
    /// Pearson chi-square, `sum (y - mu)^2 / mu`.
    pub pearson_chi2: f64,
    /// Residual degrees of freedom, `n - p`.
    pub df_residual: usize,
    /// Fitted counts `mu_i = e_i exp(x_i . beta)`.
    pub fitted: Vec<f64>,
    /// Iterations run.
    pub iterations: usize,
}

fn deviance(y: &[f64], mu: &[f64]) -> f64 {
    2.0 * y.iter().zip(mu).map(|(&y, &m)| if y > 0.0 { y * (y / m).ln() - (y - m) } else { m }).sum::<f64>()
}

/// Fits `log E[y_i] = log e_i + x_i . beta` by maximum likelihood (IRLS with step halving).
///
/// `design` holds one row per observation, all of the same length `p >= 1`.
pub fn fit_poisson(
    counts: &[f64],
    exposures: &[f64],
    design: &[Vec<f64>],
    options: &FitOptions,
) -> Result<PoissonFit, FitError> {
    let n = counts.len();
    if exposures.len() != n || design.len() != n {
        return Err(FitError::Shape(format!(
            "{n} counts, {} exposures and {} design rows; expected the same number",
            exposures.len(),
            design.len()
        )));
    }
    let p = design.first().map_or(0, Vec::len);
    if n == 0 || p == 0 {
        return Err(FitError::Shape("expected at least one observation and one design column".into()));
    }
    if let Some((i, r)) = design.iter().enumerate().find(|(_, r)| r.len() != p) {
        return Err(FitError::Shape(format!("design row {i} has {} columns, expected {p}", r.len())));
    }
    if let Some((i, v)) =
        design.iter().enumerate().find_map(|(i, r)| r.iter().find(|v| !v.is_finite()).map(|v| (i, *v)))
    {
        return Err(FitError::Shape(format!("design row {i} has a value {v} that is not finite")));
    }
    if let Some((index, &value)) = counts.iter().enumerate().find(|(_, v)| !(v.is_finite() && **v >= 0.0)) {
        return Err(FitError::BadCount { index, value });
    }
    if let Some((index, &value)) = exposures.iter().enumerate().find(|(_, v)| !(v.is_finite() && **v > 0.0)) {
        return Err(FitError::BadExposure { index, value });
    }
    let x = DMatrix::from_fn(n, p, |i, j| design[i][j]);
    // Rank of the design from its singular values (relative tolerance).
    let sv = x.clone().svd(false, false).singular_values;
    let sv_max = sv.iter().cloned().fold(0.0_f64, f64::max);
    let rank = sv.iter().filter(|s| **s > sv_max * 1e-10 * (n.max(p) as f64)).count();
    if rank < p || sv_max == 0.0 {
        return Err(FitError::Singular { rank, columns: p });
    }
    let y = DVector::from_column_slice(counts);
    let offset = DVector::from_iterator(n, exposures.iter().map(|e| e.ln()));

    // Weighted least-squares step: solves (X' W X) b = X' W z; None if not positive definite.
    let wls = |w: &DVector<f64>, z: &DVector<f64>| -> Option<(DVector<f64>, DMatrix<f64>)> {
        let xw = DMatrix::from_fn(n, p, |i, j| x[(i, j)] * w[i]);
        let info = x.transpose() * &xw;
        let chol = info.clone().cholesky()?;
        let beta = chol.solve(&(xw.transpose() * z));
        Some((beta, chol.inverse()))
    };
    let mu_of = |beta: &DVector<f64>| -> DVector<f64> { (&x * beta + &offset).map(f64::exp) };

    // Start from mu = y + 0.5 (the usual start; keeps the log finite for zero counts).
    let mu0 = y.map(|v| v + 0.5);
    let eta0 = mu0.map(f64::ln);
    let z0 = DVector::from_fn(n, |i, _| eta0[i] - offset[i] + (y[i] - mu0[i]) / mu0[i]);
    let (mut beta, _) = wls(&mu0, &z0).ok_or(FitError::Singular { rank, columns: p })?;
    let mut mu = mu_of(&beta);
    let mut dev = deviance(counts, mu.as_slice());
    let mut iterations = 1;
    let mut last_change = f64::INFINITY;
    let mut converged = false;
    while iterations < options.max_iterations {
        iterations += 1;
        let eta = &x * &beta;
        let z = DVector::from_fn(n, |i, _| eta[i] + (y[i] - mu[i]) / mu[i]);
        let Some((mut next, _)) = wls(&mu, &z) else { return Err(FitError::Singular { rank, columns: p }) };
        let mut next_mu = mu_of(&next);
        let mut next_dev = deviance(counts, next_mu.as_slice());
        // Step halving while the deviance is not finite or rises.
        let mut halvings = 0;
        while !(next_dev.is_finite() && next_dev <= dev * (1.0 + 1e-12) + 1e-12) && halvings < 30 {
            next = (&next + &beta) * 0.5;
            next_mu = mu_of(&next);
            next_dev = deviance(counts, next_mu.as_slice());
            halvings += 1;
        }
        if !next_dev.is_finite() {
            break;
        }
        last_change = (&next - &beta).amax();
        beta = next;
        mu = next_mu;
        dev = next_dev;
        if last_change < options.coefficient_tolerance {
            converged = true;
            break;
        }
    }
    if !converged || beta.iter().any(|b| !b.is_finite()) {
        return Err(FitError::NotConverged { iterations, last_change });
    }
    let Some((_, inv_info)) = wls(&mu, &DVector::zeros(n)) else {
        return Err(FitError::Singular { rank, columns: p });
    };
    let pearson_chi2: f64 = (0..n).map(|i| (y[i] - mu[i]).powi(2) / mu[i]).sum();
    let df_residual = n.saturating_sub(p);
    let dispersion = (df_residual > 0).then(|| pearson_chi2 / df_residual as f64);
    let scale = match dispersion {
        Some(phi) if phi > 1.0 => Scale::QuasiPoisson { phi },
        _ => Scale::Poisson,
    };
    let covariance: Vec<f64> = (0..p * p).map(|k| inv_info[(k / p, k % p)] * scale.factor()).collect();
    let model_standard_errors: Vec<f64> = (0..p).map(|i| inv_info[(i, i)].max(0.0).sqrt()).collect();
    let standard_errors: Vec<f64> = (0..p).map(|i| covariance[i * p + i].max(0.0).sqrt()).collect();
    Ok(PoissonFit {
        coefficients: beta.iter().copied().collect(),
        covariance,
        standard_errors,
        model_standard_errors,
        scale,
        dispersion,
        deviance: dev,
        pearson_chi2,
        df_residual,
        fitted: mu.iter().copied().collect(),
        iterations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::Stochastic;

    fn fit(y: &[f64], e: &[f64], x: &[Vec<f64>]) -> Result<PoissonFit, FitError> {
        fit_poisson(y, e, x, &FitOptions::default())
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn intercept_only_is_the_pooled_rate() {
        // Counts close to their expectation, so phi < 1 and no scaling.
        let y = [12.0, 30.0, 7.0];
        let e = [100.0, 250.0, 60.0];
        let f = fit(&y, &e, &[vec![1.0], vec![1.0], vec![1.0]]).unwrap();
        let rate = 49.0 / 410.0;
        assert!(close(f.coefficients[0].exp(), rate, 1e-10), "{}", f.coefficients[0].exp());
        assert!(close(f.model_standard_errors[0], 1.0 / 49f64.sqrt(), 1e-8));
        assert_eq!(f.scale, Scale::Poisson);
        assert!(close(f.standard_errors[0], 1.0 / 49f64.sqrt(), 1e-8));
        assert_eq!(f.df_residual, 2);
        // Deviance and Pearson chi-square from their definitions at the closed-form rate.
        let dev: f64 = y.iter().zip(&e).map(|(y, e)| 2.0 * (y * (y / (e * rate)).ln() - (y - e * rate))).sum();
        let chi: f64 = y.iter().zip(&e).map(|(y, e)| (y - e * rate).powi(2) / (e * rate)).sum();
        assert!(close(f.deviance, dev, 1e-8) && close(f.pearson_chi2, chi, 1e-8));
        assert!(close(f.fitted[1], 250.0 * rate, 1e-10));
    }

    #[test]
    fn overdispersion_scales_the_covariance_by_phi() {
        // Equal exposures: rate 25 per unit; Pearson = 4 * 15^2 / 25 = 36 on 3 df, phi = 12.
        let f = fit(&[10.0, 40.0, 10.0, 40.0], &[1.0; 4], &[vec![1.0], vec![1.0], vec![1.0], vec![1.0]]).unwrap();
        assert!(close(f.coefficients[0], 25f64.ln(), 1e-10));
        assert!(close(f.pearson_chi2, 36.0, 1e-9));
        assert!(close(f.dispersion.unwrap(), 12.0, 1e-9));
        assert!(matches!(f.scale, Scale::QuasiPoisson { phi } if close(phi, 12.0, 1e-9)));
        assert!(close(f.standard_errors[0], (12.0f64 / 100.0).sqrt(), 1e-8));
        assert!(close(f.model_standard_errors[0], 0.1, 1e-8));
    }

    #[test]
    fn two_groups_are_the_two_closed_forms() {
        let y = [5.0, 9.0, 40.0, 37.0, 44.0];
        let e = [20.0, 35.0, 10.0, 11.0, 9.0];
        let (y1, e1, y2, e2): (f64, f64, f64, f64) = (14.0, 55.0, 121.0, 30.0);
        // One indicator per group.
        let x: Vec<Vec<f64>> = (0..5).map(|i| if i < 2 { vec![1.0, 0.0] } else { vec![0.0, 1.0] }).collect();
        let f = fit(&y, &e, &x).unwrap();
        assert!(close(f.coefficients[0], (y1 / e1).ln(), 1e-10));
        assert!(close(f.coefficients[1], (y2 / e2).ln(), 1e-10));
        assert!(close(f.model_standard_errors[0], 1.0 / y1.sqrt(), 1e-8));
        assert!(close(f.model_standard_errors[1], 1.0 / y2.sqrt(), 1e-8));
        assert!(f.covariance[1].abs() < 1e-12);
        // Intercept and contrast: the log rate ratio with SE sqrt(1/Y1 + 1/Y2).
        let x: Vec<Vec<f64>> = (0..5).map(|i| vec![1.0, if i < 2 { 0.0 } else { 1.0 }]).collect();
        let g = fit(&y, &e, &x).unwrap();
        assert!(close(g.coefficients[1], (y2 / e2 / (y1 / e1)).ln(), 1e-9));
        assert!(close(g.model_standard_errors[1], (1.0 / y1 + 1.0 / y2).sqrt(), 1e-8));
        assert!(close(g.deviance, f.deviance, 1e-9));
    }

    /// Groups with their own level and a common log-linear trend over years.
    fn trend_design(groups: usize, years: usize) -> (Vec<Vec<f64>>, Vec<f64>, Vec<f64>) {
        let tbar = (years as f64 - 1.0) / 2.0;
        let mut x = Vec::new();
        let mut e = Vec::new();
        let mut t = Vec::new();
        for g in 0..groups {
            for k in 0..years {
                let mut row = vec![0.0; groups + 1];
                row[g] = 1.0;
                row[groups] = k as f64 - tbar;
                x.push(row);
                e.push(50.0 + 30.0 * g as f64 + 5.0 * k as f64);
                t.push(k as f64 - tbar);
            }
        }
        (x, e, t)
    }

    #[test]
    fn a_known_trend_is_recovered_and_its_intervals_cover() {
        let truth = [-1.6, -2.3, -1.2, -0.05];
        let (x, e, _) = trend_design(3, 6);
        let mean = |i: usize| e[i] * (x[i].iter().zip(&truth).map(|(a, b)| a * b).sum::<f64>()).exp();
        let mut covered = [0usize; 4];
        let replicates = 400;
        for seed in 0..replicates {
            let mut rng = Stochastic::new(1000 + seed as u64);
            let y: Vec<f64> = (0..x.len()).map(|i| rng.poisson(mean(i))).collect();
            let f = fit(&y, &e, &x).unwrap();
            if seed == 0 {
                for j in 0..4 {
                    let z = (f.coefficients[j] - truth[j]) / f.standard_errors[j];
                    assert!(z.abs() < 3.0, "coefficient {j}: {} vs {} (z = {z})", f.coefficients[j], truth[j]);
                }
            }
            for j in 0..4 {
                if (f.coefficients[j] - truth[j]).abs() <= 1.96 * f.standard_errors[j] {
                    covered[j] += 1;
                }
            }
        }
        for (j, c) in covered.iter().enumerate() {
            let share = *c as f64 / replicates as f64;
            assert!((0.90..=0.99).contains(&share), "coefficient {j}: 95% intervals cover {share}");
        }
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let one = vec![vec![1.0]; 3];
        // Two identical columns: not identified.
        let dup = vec![vec![1.0, 1.0]; 3];
        assert!(matches!(fit(&[1.0, 2.0, 3.0], &[1.0; 3], &dup), Err(FitError::Singular { rank: 1, columns: 2 })));
        // A group indicator that is all zero.
        let x = vec![vec![1.0, 0.0], vec![1.0, 0.0]];
        assert!(matches!(fit(&[1.0, 2.0], &[1.0; 2], &x), Err(FitError::Singular { .. })));
        assert!(matches!(fit(&[1.0, -2.0, 3.0], &[1.0; 3], &one), Err(FitError::BadCount { index: 1, .. })));
        assert!(matches!(fit(&[1.0, 2.0, 3.0], &[1.0, 0.0, 1.0], &one), Err(FitError::BadExposure { index: 1, .. })));
        assert!(matches!(fit(&[1.0, 2.0], &[1.0; 3], &one), Err(FitError::Shape(_))));
        assert!(matches!(fit(&[], &[], &[]), Err(FitError::Shape(_))));
        // A group whose counts are all zero has no finite maximum-likelihood rate.
        let x = vec![vec![1.0, 0.0], vec![1.0, 0.0], vec![0.0, 1.0], vec![0.0, 1.0]];
        assert!(matches!(fit(&[3.0, 4.0, 0.0, 0.0], &[1.0; 4], &x), Err(FitError::NotConverged { .. })));
    }
}
