//! Funding effects: how money spent on a programme turns into a change of a
//! rate over time (lag, ramp-up, diminishing returns, decay after the money stops).
//!
//! The model, per financial year y (year ending 31 March):
//! - effective money `M(y) = M(y-1) * (1 - decay_per_year) + spend(y - lag_years)`, £m;
//! - ramp `r(y) = min(1, (y - first_spend_year - lag_years + 1) / ramp_years)`, 0 before;
//! - effect `e(y) = r(y) * effect_per_gbp_m * S * M / (M + S)` with `S = saturation_gbp_m`
//!   (so small sums act linearly at `effect_per_gbp_m` per £m, and the effect
//!   saturates at `effect_per_gbp_m * S`); with `S = 0` the effect is linear.
//!
//! The effect is a proportional change: the targeted rate is multiplied by
//! `1 + e(y)` (negative to reduce). Not here: which rate is targeted (the
//! scenario resolver applies it) or any uncertainty sampling.

use serde::{Deserialize, Serialize};

/// Parameters of one effect curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EffectCurve {
    /// Proportional change of the target per £m of effective money (initial slope).
    pub effect_per_gbp_m: f64,
    /// Effective money at which the effect is half its maximum, £m (0 = linear).
    pub saturation_gbp_m: f64,
    /// Years between spending and effect.
    pub lag_years: u32,
    /// Years for the effect to build up to full strength.
    pub ramp_years: u32,
    /// Share of effective money lost each year (1 = effect only while funded).
    pub decay_per_year: f64,
}

/// The effect in each of `years`, given spend in £m by year (any order).
pub fn effect_path(
    curve: &EffectCurve,
    spend_gbp_m: &[(i32, f64)],
    years: std::ops::RangeInclusive<i32>,
) -> Vec<(i32, f64)> {
    let Some(first) = spend_gbp_m.iter().filter(|(_, s)| *s > 0.0).map(|(y, _)| *y).min() else {
        return years.map(|y| (y, 0.0)).collect();
    };
    let lag = curve.lag_years as i32;
    let spend = |y: i32| spend_gbp_m.iter().filter(|(sy, _)| *sy == y).map(|(_, s)| s).sum::<f64>();
    let decay = curve.decay_per_year.clamp(0.0, 1.0);
    let mut out = Vec::new();
    let mut money = 0.0;
    let start = first.min(*years.start());
    for y in start..=*years.end() {
        money = money * (1.0 - decay) + spend(y - lag);
        let since = y - first - lag + 1;
        let ramp = if since <= 0 { 0.0 } else { (since as f64 / curve.ramp_years.max(1) as f64).min(1.0) };
        let s = curve.saturation_gbp_m;
        let response = if s > 0.0 { s * money / (money + s) } else { money };
        if years.contains(&y) {
            out.push((y, ramp * curve.effect_per_gbp_m * response));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(lag: u32, ramp: u32, decay: f64, s: f64) -> EffectCurve {
        EffectCurve {
            effect_per_gbp_m: -0.001,
            saturation_gbp_m: s,
            lag_years: lag,
            ramp_years: ramp,
            decay_per_year: decay,
        }
    }

    #[test]
    fn linear_no_lag_no_decay_memory() {
        // decay 1: the effect follows this year's money only: -0.001 * 100 = -0.1.
        let e = effect_path(&curve(0, 1, 1.0, 0.0), &[(2026, 100.0)], 2025..=2027);
        assert_eq!(e, vec![(2025, 0.0), (2026, -0.1), (2027, 0.0)]);
    }

    #[test]
    fn lag_ramp_and_decay() {
        // Spend 100 in 2026 and 2027; lag 1; ramp 2; decay 0.5; linear.
        // M(2027) = 100, ramp 1/2 -> -0.05; M(2028) = 50 + 100 = 150, ramp 1 -> -0.15;
        // M(2029) = 75 -> -0.075.
        let e = effect_path(&curve(1, 2, 0.5, 0.0), &[(2026, 100.0), (2027, 100.0)], 2026..=2029);
        let want = [(2026, 0.0), (2027, -0.05), (2028, -0.15), (2029, -0.075)];
        for ((y, g), (wy, w)) in e.iter().zip(want) {
            assert_eq!(*y, wy);
            assert!((g - w).abs() < 1e-12, "{y}: {g} vs {w}");
        }
    }

    #[test]
    fn diminishing_returns_halve_at_saturation() {
        // M = S gives half the linear-slope maximum: -0.001 * 200 * 0.5 = -0.1.
        let e = effect_path(&curve(0, 1, 1.0, 200.0), &[(2026, 200.0)], 2026..=2026);
        assert!((e[0].1 + 0.1).abs() < 1e-12);
    }
}
