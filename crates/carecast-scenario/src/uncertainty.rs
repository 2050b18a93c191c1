//! What a scenario says about its own uncertainty: each ranged assumption's
//! distribution (family, range, shape, truncation) and the correlations
//! between assumptions, checked and located in the scenario's files.
//!
//! What it is: the bridge from scenario keys to `carecast-uncertainty`'s
//! [`Marginal`]s and [`GaussianCopula`]. What it is not: the drawing of values
//! or the running of draws (the binary's Monte Carlo module), nor the
//! mathematics of the distributions (`carecast-uncertainty`).

use crate::error::ScenarioError;
use crate::loader::{Loaded, RangedParam, ranged_params};
use carecast_uncertainty::{Family, GaussianCopula, Marginal};

/// The Monte Carlo description of a scenario.
#[derive(Debug, Clone)]
pub struct DrawPlan {
    /// The ranged assumptions, in [`ranged_params`] order.
    pub params: Vec<RangedParam>,
    /// Each assumption's distribution, in the same order.
    pub marginals: Vec<Marginal>,
    /// Correlations between assumptions (identity when none are stated).
    pub copula: GaussianCopula,
}

/// Whether a key names a share or a probability (kept in [0, 1] by default).
fn is_unit_interval(key: &str) -> bool {
    key.ends_with(".share") || key.contains("probability")
}

/// One assumption's distribution. Unless `min`/`max` are stated, a draw of a
/// share or probability is kept in [0, 1], and a draw from an unbounded family
/// whose whole stated range is non-negative is kept non-negative.
fn marginal(loaded: &Loaded, p: &RangedParam) -> Result<Marginal, ScenarioError> {
    let family = match &p.distribution {
        None => Family::Triangular,
        Some(name) => {
            name.parse::<Family>().map_err(|e| loaded.key_error(&format!("{}.distribution", p.key), e.to_string()))?
        }
    };
    let m = Marginal::with_shape(family, p.low, p.value, p.high, &p.shape)
        .map_err(|e| loaded.key_error(&p.key, format!("a valid {} distribution: {e}", family.name())))?;
    let unbounded = matches!(family, Family::Normal | Family::LogNormal | Family::Gamma);
    let default_lo = if is_unit_interval(&p.key) || (unbounded && p.low >= 0.0) { Some(0.0) } else { None };
    let default_hi = if is_unit_interval(&p.key) { Some(1.0) } else { None };
    let (lo, hi) = (p.min.or(default_lo), p.max.or(default_hi));
    let (support_lo, support_hi) = m.bounds();
    let lo_binds = lo.is_some_and(|l| l > support_lo);
    let hi_binds = hi.is_some_and(|h| h < support_hi);
    if !(lo_binds || hi_binds) {
        return Ok(m);
    }
    let (lo, hi) = (lo.unwrap_or(f64::NEG_INFINITY), hi.unwrap_or(f64::INFINITY));
    if !(lo <= p.value && p.value <= hi) {
        return Err(loaded.key_error(
            &p.key,
            format!("min <= value <= max for the draws' truncation, found {lo} <= {} <= {hi}", p.value),
        ));
    }
    m.truncated(lo, hi).map_err(|e| loaded.key_error(&p.key, format!("a truncation the distribution allows: {e}")))
}

/// The scenario's draw plan: every ranged assumption's distribution and the
/// stated correlations. Errors name the key (`<assumption>.distribution`,
/// `correlations.<id>`) and what was expected.
pub fn draw_plan(loaded: &Loaded) -> Result<DrawPlan, ScenarioError> {
    let params = ranged_params(loaded);
    let marginals = params.iter().map(|p| marginal(loaded, p)).collect::<Result<Vec<_>, _>>()?;
    let mut pairs = Vec::new();
    for c in &loaded.file.correlations {
        let key = format!("correlations.{}", c.id);
        let index = |k: &str, field: &str| {
            params.iter().position(|p| p.key == k).ok_or_else(|| {
                let hint = crate::error::did_you_mean(k, params.iter().map(|p| p.key.as_str()))
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                loaded.key_error(
                    &format!("{key}.{field}"),
                    format!("the key of an assumption stated with a range, found `{k}`{hint}"),
                )
            })
        };
        let (a, b) = (index(&c.a, "a")?, index(&c.b, "b")?);
        if a == b {
            return Err(loaded.key_error(&key, format!("two different assumptions, found `{}` twice", c.a)));
        }
        if !(c.rho.is_finite() && c.rho.abs() < 1.0) {
            return Err(loaded.key_error(&format!("{key}.rho"), format!("a correlation in (-1, 1), found {}", c.rho)));
        }
        pairs.push((a, b, c.rho));
    }
    let copula = GaussianCopula::new(params.len(), &pairs)
        .map_err(|e| loaded.key_error("correlations", format!("a consistent set of correlations: {e}")))?;
    Ok(DrawPlan { params, marginals, copula })
}
