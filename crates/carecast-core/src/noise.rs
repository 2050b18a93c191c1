//! Process noise: a [`FlowDraw`] that draws whole numbers of children.
//!
//! What it is: [`Stochastic`], which draws entries as Poisson counts and splits
//! a stock across outcomes as a multinomial (sequential binomials over the
//! outcomes, the remainder staying), from a small deterministic generator
//! (xoshiro256** seeded through splitmix64) so the same `u64` seed always
//! gives the same run, bit for bit, on any platform and with any `rand`
//! version. What it is not: parameter uncertainty (that is drawing a
//! scenario's ranged values, done outside the core) or a general-purpose
//! random-number library.
//!
//! Samplers: Poisson and binomial by inversion (exact) when the mean (for the
//! binomial, `n·min(p, 1-p)`) is below [`INVERSION_MAX_MEAN`]; above it a
//! normal approximation with continuity correction, rounded and clamped to the
//! support (`>= 0`, and `<= n` for the binomial).
//!
//! Whole numbers: counts are whole, and a whole stock is split into whole
//! numbers that never exceed it. The simulator's proportional flows (fixed
//! transfers, reconciliation outflows, capacity overflow, reconciliation
//! inflows spread over ages and placements) and a calibrated model's raked
//! initial stock are fractional; a fractional stock's fraction moves as one
//! piece to an outcome chosen with the outcome probabilities (or stays), so
//! expectations are kept and nothing goes negative.

use crate::sim::FlowDraw;

/// Means at or above this are drawn by the normal approximation.
pub const INVERSION_MAX_MEAN: f64 = 30.0;

/// Random flows from a seeded xoshiro256** generator.
#[derive(Debug, Clone)]
pub struct Stochastic {
    state: [u64; 4],
}

fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Stochastic {
    /// A generator for `seed` (any value, including 0).
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        let state = [splitmix64(&mut x), splitmix64(&mut x), splitmix64(&mut x), splitmix64(&mut x)];
        Stochastic { state }
    }

    /// The next 64 random bits (xoshiro256**).
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform on [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal draw (Box–Muller; the second value is discarded).
    pub fn standard_normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform(); // (0, 1]
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// A Poisson draw with the given mean (0 for a mean that is not positive and finite).
    pub fn poisson(&mut self, mean: f64) -> f64 {
        if !(mean > 0.0 && mean.is_finite()) {
            return 0.0;
        }
        if mean >= INVERSION_MAX_MEAN {
            return (mean + mean.sqrt() * self.standard_normal() + 0.5).floor().max(0.0);
        }
        // Inversion: walk the cumulative distribution from 0.
        let u = self.uniform();
        let mut k = 0.0;
        let mut f = (-mean).exp();
        let mut cdf = f;
        while u >= cdf {
            k += 1.0;
            f *= mean / k;
            if f <= 0.0 {
                break; // the tail is below f64 resolution
            }
            cdf += f;
        }
        k
    }

    /// A binomial draw: successes in `n` trials (a whole number) with probability `p`.
    pub fn binomial(&mut self, n: f64, p: f64) -> f64 {
        if n.is_nan() || n < 1.0 || p.is_nan() || p <= 0.0 {
            return 0.0;
        }
        if p >= 1.0 {
            return n;
        }
        if p > 0.5 {
            return n - self.binomial(n, 1.0 - p);
        }
        let mean = n * p;
        if mean >= INVERSION_MAX_MEAN {
            let sd = (mean * (1.0 - p)).sqrt();
            return (mean + sd * self.standard_normal() + 0.5).floor().clamp(0.0, n);
        }
        // Inversion with f(k+1) = f(k)·(n-k)/(k+1)·p/(1-p); p <= 1/2 and
        // n·p < 30 keep (1-p)^n above 1e-19.
        let u = self.uniform();
        let odds = p / (1.0 - p);
        let mut k = 0.0;
        let mut f = (n * (-p).ln_1p()).exp();
        let mut cdf = f;
        while u >= cdf && k < n {
            f *= (n - k) / (k + 1.0) * odds;
            k += 1.0;
            if f <= 0.0 {
                break;
            }
            cdf += f;
        }
        k
    }
}

impl FlowDraw for Stochastic {
    fn count(&mut self, mean: f64) -> f64 {
        self.poisson(mean)
    }

    fn split(&mut self, stock: f64, probs: &[f64], out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        if stock.is_nan() || stock <= 0.0 {
            return;
        }
        let whole = stock.floor();
        let fraction = stock - whole;
        // Probabilities summing to 1 (to rounding) leave nobody staying: the
        // last possible outcome then takes everyone left.
        let total: f64 = probs.iter().map(|p| p.max(0.0)).sum();
        let nobody_stays = total >= 1.0 - 1e-12;
        let last = probs.iter().rposition(|p| *p > 0.0);
        // Sequential binomials: outcome k takes Binomial(left, p_k / p_left).
        let mut left = whole;
        let mut p_left = 1.0;
        for (k, (o, &p)) in out.iter_mut().zip(probs).enumerate() {
            if left < 1.0 {
                break;
            }
            let p = p.max(0.0);
            let x = if nobody_stays && Some(k) == last {
                left
            } else if p_left > 0.0 {
                self.binomial(left, (p / p_left).min(1.0))
            } else {
                0.0
            };
            *o = x;
            left -= x;
            p_left -= p;
        }
        if fraction > 0.0 {
            let u = self.uniform();
            let mut cumulative = 0.0;
            for (k, (o, &p)) in out.iter_mut().zip(probs).enumerate() {
                cumulative += p.max(0.0);
                if u < cumulative || (nobody_stays && Some(k) == last) {
                    *o += fraction;
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AGES, AgeBand, Dimensions, InitialState, LEAVER_AGES, Model, YearParams};
    use crate::sim::simulate_with;

    /// One band 0..18, one placement, one exit reason; `e` entries a month at
    /// age 0, monthly exit probability `m`, `years` years from `s0` two-year-olds.
    fn single_stock(e: f64, m: f64, s0: f64, years: usize) -> Model {
        let dims = Dimensions {
            age_bands: vec![AgeBand { id: "all".into(), from_years: 0, to_years: 18 }],
            placements: vec!["foster".into()],
            exit_reasons: vec!["other".into()],
            ageing_out_reason: "reached_18".into(),
            other_spend_lines: vec![],
        };
        let mut w = [0.0; AGES];
        w[0] = 1.0;
        let ys = (1..=years as i32)
            .map(|k| YearParams {
                year: 2025 + k,
                population_by_age: [0.0; AGES],
                entry_rate_per_10k: vec![0.0],
                entry_count_per_year: Some(vec![e * 12.0]),
                entry_age_weights: w,
                entry_mix: vec![1.0],
                monthly_exit_probability: vec![m],
                monthly_move_probability: vec![0.0],
                reconciliation_per_year: vec![0.0],
                transfers: vec![],
                capacities: vec![],
                weekly_cost_gbp: vec![0.0],
                other_cla_weekly_cost_gbp: 0.0,
                care_leaver_annual_cost_gbp: 0.0,
                other_lines_gbp: vec![],
                funding_gbp: 0.0,
                workforce: None,
                deflator: 1.0,
            })
            .collect();
        let mut start = vec![0.0; AGES];
        start[2] = s0;
        Model {
            dims,
            start_year: 2025,
            initial: InitialState { stock: start, care_leavers: [0.0; LEAVER_AGES] },
            years: ys,
        }
    }

    fn mean_var(xs: &[f64]) -> (f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    /// End stocks of `draws` runs (seed = draw index), checking whole, non-negative states.
    fn end_stocks(model: &Model, draws: u64) -> Vec<f64> {
        (0..draws)
            .map(|d| {
                let mut noise = Stochastic::new(d);
                let p = simulate_with(model, &mut noise, |f| assert!(f.min_state_stock >= 0.0)).unwrap();
                for s in &p.final_stock_by_age {
                    assert!(*s >= 0.0 && s.fract() == 0.0, "state stock {s}");
                }
                p.years.last().unwrap().children_in_care()
            })
            .collect()
    }

    /// X' = Binomial(X, 1-m) + Poisson(E) has the stationary law Poisson(E/m).
    /// Starting at x0 = E/m, after t months the stock is Binomial(x0, q^t) +
    /// Poisson(λ(1-q^t)) with q = 1-m: mean λ and variance λ(1-q^{2t}) ≈ λ.
    /// Tolerances are 4 standard errors over N draws: SE(mean) = sqrt(λ/N);
    /// SE(sample variance) = sqrt((μ4 - σ⁴)/N) with μ4 = λ(1+3λ) for a Poisson.
    fn check_stationary_poisson(e: f64, m: f64) {
        let lambda = e / m;
        let n = 2000.0;
        let stocks = end_stocks(&single_stock(e, m, lambda, 10), n as u64);
        let (mean, var) = mean_var(&stocks);
        let se_mean = (lambda / n).sqrt();
        let se_var = ((lambda * (1.0 + 3.0 * lambda) - lambda * lambda) / n).sqrt();
        assert!((mean - lambda).abs() < 4.0 * se_mean, "mean {mean} vs {lambda} (SE {se_mean})");
        assert!((var - lambda).abs() < 4.0 * se_var, "variance {var} vs {lambda} (SE {se_var})");
    }

    #[test]
    fn small_means_by_inversion_give_a_poisson_stationary_stock() {
        // Poisson(5) entries, exits with n·p ≈ 5: both samplers by inversion; λ = 100.
        check_stationary_poisson(5.0, 0.05);
    }

    #[test]
    fn large_means_by_normal_approximation_give_a_poisson_stationary_stock() {
        // Poisson(60) entries, exits with n·p ≈ 60: both by the normal approximation; λ = 2000.
        check_stationary_poisson(60.0, 0.03);
    }

    #[test]
    fn same_seed_same_run_and_different_seed_different_run() {
        let model = single_stock(20.0, 0.04, 500.0, 5);
        let run = |seed| simulate_with(&model, &mut Stochastic::new(seed), |_| {}).unwrap();
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
    }

    #[test]
    fn samplers_match_their_moments() {
        let mut r = Stochastic::new(1);
        let n = 20_000.0;
        for (mean, what) in [(3.0, "poisson inversion"), (200.0, "poisson normal")] {
            let xs: Vec<f64> = (0..n as usize).map(|_| r.poisson(mean)).collect();
            let (m, v) = mean_var(&xs);
            assert!(xs.iter().all(|x| *x >= 0.0 && x.fract() == 0.0), "{what}");
            assert!((m - mean).abs() < 4.0 * (mean / n).sqrt(), "{what} mean {m}");
            assert!((v / mean - 1.0).abs() < 0.05, "{what} variance {v}");
        }
        for (trials, p, what) in
            [(40.0, 0.1, "binomial inversion"), (40.0, 0.9, "binomial p > 1/2"), (5000.0, 0.3, "binomial normal")]
        {
            let xs: Vec<f64> = (0..n as usize).map(|_| r.binomial(trials, p)).collect();
            let (m, v) = mean_var(&xs);
            let (want_m, want_v) = (trials * p, trials * p * (1.0 - p));
            assert!(xs.iter().all(|x| *x >= 0.0 && *x <= trials && x.fract() == 0.0), "{what}");
            assert!((m - want_m).abs() < 4.0 * (want_v / n).sqrt(), "{what} mean {m}");
            assert!((v / want_v - 1.0).abs() < 0.05, "{what} variance {v}");
        }
    }

    #[test]
    fn split_never_exceeds_the_stock_and_keeps_whole_numbers_whole() {
        let mut r = Stochastic::new(9);
        let mut out = [0.0; 3];
        for stock in [0.0, 1.0, 7.0, 120.0, 5000.0, 3.25] {
            for probs in [[0.2, 0.3, 0.5], [0.1, 0.0, 0.05], [1.0, 0.0, 0.0]] {
                r.split(stock, &probs, &mut out);
                let taken: f64 = out.iter().sum();
                assert!(out.iter().all(|x| *x >= 0.0) && taken <= stock + 1e-12, "{stock} {probs:?} {out:?}");
                if stock.fract() == 0.0 {
                    assert!(out.iter().all(|x| x.fract() == 0.0));
                }
                if (probs.iter().sum::<f64>() - 1.0).abs() < 1e-12 {
                    assert!((taken - stock).abs() < 1e-12, "probabilities summing to 1 take everyone");
                }
                if probs[1] == 0.0 {
                    assert_eq!(out[1], 0.0);
                }
            }
        }
    }
}
