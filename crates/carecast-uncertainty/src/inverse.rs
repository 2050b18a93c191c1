//! Fast, accurate inverse CDFs: the standard normal (from statrs's `erfc_inv`)
//! and the standard beta and gamma (safeguarded Halley iteration on statrs's
//! regularised incomplete beta/gamma functions).
//!
//! What it is not: a public API or a general root finder. statrs's own
//! `inverse_cdf` for gamma is a bisection-guarded Newton from a crude bracket
//! (tens of CDF evaluations); here a good starting point (the normal
//! approximation of Abramowitz & Stegun 26.5.22 for the beta, Wilson-Hilferty
//! for the gamma, power-law tails for small shapes) is refined by Halley steps
//! (cubic convergence: usually 2-4 CDF evaluations) inside a bracket that falls
//! back to bisection if a step would leave it, so it always converges.
//!
//! Accuracy: |F(Q(u)) − u| < 1e-9 against statrs's CDFs (or Q(u) is the
//! double closest to the exact quantile where F moves faster than that between
//! neighbouring doubles, Q(u) is within 4 doubles of the exact quantile). statrs's `erfc` (behind Φ and Φ⁻¹) is accurate to
//! about 1e-10 relative, not to the last bit.

use statrs::distribution::{Beta, ContinuousCDF, Gamma};
use statrs::function::{beta::ln_beta, erf, gamma::ln_gamma};
use std::f64::consts::SQRT_2;

/// The smallest probability passed to an unbounded tail (2^-53, the smallest
/// positive uniform a 53-bit generator gives); `1 - P_EDGE` is the largest
/// probability below 1. Quantiles at these are about 8.2 standard deviations out.
pub(crate) const P_EDGE: f64 = f64::EPSILON / 2.0;

/// Standard normal quantile Φ⁻¹(p) for p in (0, 1).
pub(crate) fn std_normal_quantile(p: f64) -> f64 {
    -SQRT_2 * erf::erfc_inv(2.0 * p)
}

/// Standard normal CDF Φ(z).
pub(crate) fn std_normal_cdf(z: f64) -> f64 {
    0.5 * erf::erfc(-z / SQRT_2)
}

/// The standard beta(a, b) on [0, 1] with its inverse.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BetaInverse {
    a: f64,
    b: f64,
    ln_norm: f64,
    dist: Beta,
}

impl BetaInverse {
    /// `a`, `b` > 0 and finite (checked by the caller).
    pub(crate) fn new(a: f64, b: f64) -> Option<Self> {
        Some(Self { a, b, ln_norm: ln_beta(a, b), dist: Beta::new(a, b).ok()? })
    }

    pub(crate) fn cdf(&self, x: f64) -> f64 {
        self.dist.cdf(x)
    }

    fn start(&self, p: f64) -> f64 {
        let (a, b) = (self.a, self.b);
        if a >= 1.0 && b >= 1.0 {
            // A&S 26.5.22 with y the upper-tail normal deviate.
            let y = -std_normal_quantile(p);
            let lambda = (y * y - 3.0) / 6.0;
            let h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0));
            let w = y * (h + lambda).sqrt() / h
                - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) * (lambda + 5.0 / 6.0 - 2.0 / (3.0 * h));
            a / (a + b * (2.0 * w).exp())
        } else {
            // Power-law behaviour near each end.
            let t = (a * (a / (a + b)).ln()).exp() / a;
            let u = (b * (b / (a + b)).ln()).exp() / b;
            let w = t + u;
            if p < t / w { (a * w * p).powf(1.0 / a) } else { 1.0 - (b * w * (1.0 - p)).powf(1.0 / b) }
        }
    }

    /// The p-quantile, p in [0, 1].
    pub(crate) fn quantile(&self, p: f64) -> f64 {
        if p <= 0.0 {
            return 0.0;
        }
        if p >= 1.0 {
            return 1.0;
        }
        let (a1, b1) = (self.a - 1.0, self.b - 1.0);
        halley(
            p,
            0.0,
            1.0,
            self.start(p),
            |x| self.cdf(x),
            |x| {
                let ln_pdf = a1 * x.ln() + b1 * (-x).ln_1p() - self.ln_norm;
                (ln_pdf.exp(), a1 / x - b1 / (1.0 - x))
            },
        )
    }
}

/// The standard gamma(k) (scale 1) on [0, ∞) with its inverse.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GammaInverse {
    k: f64,
    ln_gamma_k: f64,
    dist: Gamma,
}

impl GammaInverse {
    /// `k` > 0 and finite (checked by the caller).
    pub(crate) fn new(k: f64) -> Option<Self> {
        Some(Self { k, ln_gamma_k: ln_gamma(k), dist: Gamma::new(k, 1.0).ok()? })
    }

    pub(crate) fn cdf(&self, x: f64) -> f64 {
        self.dist.cdf(x)
    }

    fn start(&self, p: f64) -> f64 {
        let k = self.k;
        if k >= 1.0 {
            // Wilson-Hilferty: (X/k)^(1/3) is nearly normal.
            let z = std_normal_quantile(p);
            let c = 1.0 - 1.0 / (9.0 * k) + z / (3.0 * k.sqrt());
            if c > 0.0 {
                return k * c * c * c;
            }
        }
        // Small x: F(x) ≈ x^k / Γ(k + 1).
        let small = ((p.ln() + ln_gamma(k + 1.0)) / k).exp();
        if k < 1.0 {
            let t = 1.0 - k * (0.253 + k * 0.12);
            if p >= t {
                return 1.0 - (1.0 - (p - t) / (1.0 - t)).ln();
            }
        }
        small
    }

    /// The p-quantile, p in [0, 1); p = 1 gives +∞.
    pub(crate) fn quantile(&self, p: f64) -> f64 {
        if p <= 0.0 {
            return 0.0;
        }
        if p >= 1.0 {
            return f64::INFINITY;
        }
        // Far in the left tail F(x) = x^k / Γ(k + 1) · (1 - k x / (k + 1) + ...):
        // below 1e-12 the leading term is the quantile to about 1e-12 relative,
        // and it rises with p, where the iteration on a CDF this flat (a small
        // shape puts even the median there) can stop at values that do not.
        let small = ((p.ln() + ln_gamma(self.k + 1.0)) / self.k).exp();
        if small < 1e-12 {
            return small;
        }
        let k1 = self.k - 1.0;
        halley(
            p,
            0.0,
            f64::INFINITY,
            self.start(p),
            |x| self.cdf(x),
            |x| {
                let ln_pdf = k1 * x.ln() - x - self.ln_gamma_k;
                (ln_pdf.exp(), k1 / x - 1.0)
            },
        )
    }
}

/// Solves `cdf(x) = p` on the bracket `[lo, hi]` (cdf(lo) <= p <= cdf(hi);
/// `hi` may be +∞) from `x0`, by Halley steps; `density(x)` gives the pdf and
/// the derivative of its logarithm. A step that is not finite or leaves the
/// bracket is replaced by bisection (or doubling while `hi` is infinite).
fn halley(
    p: f64,
    mut lo: f64,
    mut hi: f64,
    x0: f64,
    cdf: impl Fn(f64) -> f64,
    density: impl Fn(f64) -> (f64, f64),
) -> f64 {
    let (support_lo, support_hi) = (lo, hi);
    let mut x = if x0 > lo && x0 < hi {
        x0
    } else if hi.is_finite() {
        0.5 * (lo + hi)
    } else {
        lo.max(0.0) + 1.0
    };
    for _ in 0..200 {
        let err = cdf(x) - p;
        if err == 0.0 {
            return x;
        }
        if err < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let (pdf, dlog) = density(x);
        let t = err / pdf;
        let correction = 0.5 * t * dlog;
        let mut next = x - t / (1.0 - correction.min(0.5));
        let mut halley_step = correction.abs() < 0.5;
        if !(next > lo && next < hi) {
            next = if hi.is_finite() { 0.5 * (lo + hi) } else { 2.0 * x.max(1.0) };
            halley_step = false;
        }
        let step = (next - x).abs();
        x = next;
        // Halley converges cubically: after a well-behaved step below 1e-6 of the
        // distance to the support's nearer end the remaining error is far below
        // 1e-15, so no further CDF evaluation (the costly part) is needed.
        let room = (x - support_lo).min(support_hi - x);
        if step <= 2.0 * f64::EPSILON * x.abs()
            || (hi - lo) <= 2.0 * f64::EPSILON * x.abs()
            || (halley_step && step <= 1e-6 * room)
        {
            break;
        }
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Vec<f64> {
        let mut g: Vec<f64> = (1..1000).map(|i| f64::from(i) / 1000.0).collect();
        g.extend([1e-12, 1e-9, 1e-6, 1e-4, 0.9999, 1.0 - 1e-6, 1.0 - 1e-9, 0.5]);
        g
    }

    #[test]
    fn beta_inverse_matches_statrs_cdf_on_a_grid() {
        let shapes = [
            (1.0, 1.0),
            (2.0, 3.0),
            (1.0, 5.0),
            (5.0, 1.0),
            (3.0, 3.0),
            (1.8, 4.2),
            (0.5, 0.5),
            (0.3, 2.0),
            (2.0, 0.4),
            (20.0, 40.0),
            (200.0, 50.0),
            (0.1, 0.1),
            (3000.0, 1000.0),
        ];
        for (a, b) in shapes {
            let inv = BetaInverse::new(a, b).unwrap();
            for &u in &grid() {
                let x = inv.quantile(u);
                assert!((0.0..=1.0).contains(&x), "beta({a}, {b}) quantile({u}) = {x}");
                let back = inv.cdf(x);
                // Near 1 with b < 1 (or near 0 with a < 1) F moves by more than 1e-9 between
                // neighbouring doubles: then x must be within 4 doubles of the exact quantile.
                let (mut below, mut above) = (x, x);
                for _ in 0..4 {
                    (below, above) = (below.next_down(), above.next_up());
                }
                let between = inv.cdf(below) <= u && u <= inv.cdf(above);
                assert!((back - u).abs() < 1e-9 || between, "beta({a}, {b}): F(Q({u})) = {back}");
            }
        }
    }

    #[test]
    fn gamma_inverse_matches_statrs_cdf_on_a_grid() {
        for k in [0.05, 0.2, 0.5, 1.0, 1.5, 2.0, 4.0, 9.0, 25.0, 100.0, 1000.0, 3e4] {
            let inv = GammaInverse::new(k).unwrap();
            for &u in &grid() {
                let x = inv.quantile(u);
                assert!(x.is_finite() && x >= 0.0, "gamma({k}) quantile({u}) = {x}");
                let back = inv.cdf(x);
                assert!((back - u).abs() < 1e-9, "gamma({k}): F(Q({u})) = {back}");
            }
        }
    }

    #[test]
    fn normal_helpers_round_trip() {
        assert!((std_normal_quantile(0.95) - 1.644_853_626_951_472_2).abs() < 1e-12);
        // statrs's erfc is accurate to about 1e-10 relative (not to the last bit).
        assert!((std_normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-10);
        assert_eq!(std_normal_cdf(0.0), 0.5);
        assert!(std_normal_quantile(P_EDGE).is_finite() && std_normal_quantile(1.0 - P_EDGE).is_finite());
    }
}
