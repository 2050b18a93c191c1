//! A stated path for the number of children in care: the "demand growth of x%
//! a year" projection of medium-term financial plans, and the stock-trend
//! method of published projections such as CCN/Newton's.
//!
//! What it is: a solver that adds to each year's reconciliation flow the
//! number of children a year that makes the simulated stock at 31 March equal
//! the stated target. The rate-driven flows (starts, exits by reason, moves)
//! are kept; the difference between them and the path appears as the
//! `reconciliation` measure, so a reader sees how much of the path the rates
//! explain. The extra flow is spread over age bands by their share of the
//! stock at the start of the year, and joins each band's placement mix.
//!
//! What it is not: a calibration to published history (see `calibrate`), or a
//! change to any rate.

use crate::error::CoreError;
use crate::model::Model;
use crate::sim::simulate;

/// The largest number of secant steps per year.
const MAX_STEPS: usize = 8;
/// Convergence: the year-end stock within this many children of its target.
const TOLERANCE_CHILDREN: f64 = 0.01;

/// Children in care at 31 March of each year of `model` if it ran to the end of `upto` (an index into `years`).
fn stock_after(model: &Model, upto: usize) -> Result<(f64, Vec<f64>), CoreError> {
    let mut m = model.clone();
    m.years.truncate(upto + 1);
    let run = simulate(&m)?;
    let total = run.final_stock_by_age.iter().sum();
    let np = m.dims.n_placements();
    let by_band = m
        .dims
        .age_bands
        .iter()
        .map(|b| {
            (b.from_years..b.to_years).map(|a| (0..np).map(|p| run.final_stock_by_age[a * np + p]).sum::<f64>()).sum()
        })
        .collect();
    Ok((total, by_band))
}

/// Band shares of the stock at the start of year index `i` (the end of `i - 1`, or the initial stock).
fn band_shares(model: &Model, i: usize) -> Result<Vec<f64>, CoreError> {
    let np = model.dims.n_placements();
    let by_band: Vec<f64> = if i == 0 {
        model
            .dims
            .age_bands
            .iter()
            .map(|b| {
                (b.from_years..b.to_years).map(|a| (0..np).map(|p| model.initial.stock[a * np + p]).sum::<f64>()).sum()
            })
            .collect()
    } else {
        stock_after(model, i - 1)?.1
    };
    let total: f64 = by_band.iter().sum();
    if total <= 0.0 {
        return Err(CoreError::invalid("stock_path", "children in care at the start of the path's first year"));
    }
    Ok(by_band.iter().map(|s| s / total).collect())
}

/// Adds to the reconciliation flow of each year in `targets` (year ending 31
/// March, target children in care at that date; years in increasing order and
/// present in the model) so that the deterministic run's stock meets each
/// target. Returns the added flow, children a year, per target.
pub fn follow_stock_path(model: &mut Model, targets: &[(i32, f64)]) -> Result<Vec<f64>, CoreError> {
    let mut added = Vec::with_capacity(targets.len());
    for &(year, target) in targets {
        if !(target.is_finite() && target >= 0.0) {
            return Err(CoreError::invalid(
                format!("stock_path.{year}"),
                format!("a non-negative target, found {target}"),
            ));
        }
        let i = model.years.iter().position(|y| y.year == year).ok_or_else(|| {
            CoreError::invalid(format!("stock_path.{year}"), "a year within the projection".to_string())
        })?;
        let shares = band_shares(model, i)?;
        let base: Vec<f64> = model.years[i].reconciliation_per_year.clone();
        let set = |m: &mut Model, extra: f64| {
            for (r, (b, s)) in m.years[i].reconciliation_per_year.iter_mut().zip(base.iter().zip(&shares)) {
                *r = b + extra * s;
            }
        };
        // Secant on the year-end stock as a function of the extra flow (close
        // to linear: an extra child a year adds a little under one child by
        // 31 March because some of those added leave within the year).
        let (mut x0, mut f0) = (0.0, stock_after(model, i)?.0 - target);
        let mut x1 = -f0 / 0.85;
        let mut solved = f0.abs() < TOLERANCE_CHILDREN;
        if solved {
            x1 = 0.0;
        }
        for _ in 0..MAX_STEPS {
            if solved {
                break;
            }
            set(model, x1);
            let f1 = stock_after(model, i)?.0 - target;
            if f1.abs() < TOLERANCE_CHILDREN {
                solved = true;
                break;
            }
            let slope = (f1 - f0) / (x1 - x0);
            if !(slope.is_finite() && slope > 0.0) {
                break;
            }
            (x0, f0) = (x1, f1);
            x1 -= f1 / slope;
        }
        set(model, x1);
        if !solved && (stock_after(model, i)?.0 - target).abs() > 0.5 {
            return Err(CoreError::invalid(
                format!("stock_path.{year}"),
                format!(
                    "a path the model can follow: {target:.0} children in care at 31 March {year} could not be reached (outflows cannot exceed the stock)"
                ),
            ));
        }
        added.push(x1);
    }
    Ok(added)
}
