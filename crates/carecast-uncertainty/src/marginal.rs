//! One ranged parameter's distribution (its *marginal*): the family, how
//! `(low, central, high)` and optional explicit shape fields set it, its
//! inverse CDF, mean, variance and support, and optional truncation to a
//! physical domain.
//!
//! What it is not: a sampler. It holds no generator; the caller supplies a
//! uniform in [0, 1) and [`Marginal::quantile`] maps it to a value.

use crate::error::{Result, UncertaintyError};
use crate::inverse::{BetaInverse, GammaInverse, P_EDGE, std_normal_cdf, std_normal_quantile};
use std::fmt;
use std::str::FromStr;

/// Φ⁻¹(0.95) ≈ 1.6449: a range whose ends are the 5th and 95th percentiles of a
/// normal is `2 × Z95` standard deviations wide.
pub const Z95: f64 = 1.644_853_626_951_472_2;

/// A distribution family, named in scenario files in lower case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Family {
    /// Min `low`, mode `central`, max `high` (the default).
    #[default]
    Triangular,
    /// Flat on [low, high].
    Uniform,
    /// Mean `central`; low/high are the 5th/95th percentiles, or explicit `sd`.
    Normal,
    /// Median `central`; low/high are the 5th/95th percentiles, or explicit `sigma`.
    LogNormal,
    /// PERT on [low, high] with mode `central`, or explicit `alpha`, `beta`.
    Beta,
    /// Mean `central`; sd as for the normal, or explicit `shape`.
    Gamma,
}

impl Family {
    /// Every family, in the order of its documentation.
    pub const ALL: [Family; 6] =
        [Family::Triangular, Family::Uniform, Family::Normal, Family::LogNormal, Family::Beta, Family::Gamma];

    /// The lower-case name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Family::Triangular => "triangular",
            Family::Uniform => "uniform",
            Family::Normal => "normal",
            Family::LogNormal => "lognormal",
            Family::Beta => "beta",
            Family::Gamma => "gamma",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Family {
    type Err = UncertaintyError;

    /// Parses a lower-case name (`triangular`, `uniform`, `normal`, `lognormal`, `beta`, `gamma`).
    fn from_str(s: &str) -> Result<Self> {
        Family::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| UncertaintyError::UnknownFamily { name: s.into() })
    }
}

/// Optional explicit shape fields; each applies to some families only (others
/// are rejected): `sd` (normal, gamma), `sigma` (lognormal), `alpha` and `beta`
/// together (beta), `shape` (gamma).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Shape {
    /// Standard deviation (normal, gamma); 0 gives a point mass at `central`.
    pub sd: Option<f64>,
    /// Standard deviation of the logarithm (lognormal); 0 gives a point mass.
    pub sigma: Option<f64>,
    /// First beta shape (with `beta`), > 0.
    pub alpha: Option<f64>,
    /// Second beta shape (with `alpha`), > 0.
    pub beta: Option<f64>,
    /// Gamma shape k > 0 (instead of `sd`): sd = mean / √k.
    pub shape: Option<f64>,
}

/// The resolved distribution before truncation.
#[derive(Debug, Clone, Copy)]
enum Dist {
    /// Zero spread: every quantile is this value.
    Point(f64),
    Triangular {
        a: f64,
        c: f64,
        b: f64,
    },
    Uniform {
        a: f64,
        b: f64,
    },
    Normal {
        mean: f64,
        sd: f64,
    },
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    /// `low + (high - low) × Beta(alpha, beta)`.
    Beta {
        low: f64,
        width: f64,
        alpha: f64,
        beta: f64,
        inv: BetaInverse,
    },
    /// `scale × Gamma(shape, 1)`.
    Gamma {
        shape: f64,
        scale: f64,
        inv: GammaInverse,
    },
}

impl Dist {
    fn quantile(&self, p: f64) -> f64 {
        match *self {
            Dist::Point(c) => c,
            // Same arithmetic as the binary's original `montecarlo::triangular`, so draws are unchanged.
            Dist::Triangular { a, c, b } => {
                let fc = (c - a) / (b - a);
                if p < fc { a + (p * (b - a) * (c - a)).sqrt() } else { b - ((1.0 - p) * (b - a) * (b - c)).sqrt() }
            }
            Dist::Uniform { a, b } => a + p * (b - a),
            Dist::Normal { mean, sd } => mean + sd * std_normal_quantile(p.clamp(P_EDGE, 1.0 - P_EDGE)),
            Dist::LogNormal { mu, sigma } => {
                if p <= 0.0 {
                    0.0
                } else {
                    (mu + sigma * std_normal_quantile(p.min(1.0 - P_EDGE))).exp()
                }
            }
            Dist::Beta { low, width, inv, .. } => (low + width * inv.quantile(p)).min(low + width),
            Dist::Gamma { scale, inv, .. } => scale * inv.quantile(p.min(1.0 - P_EDGE)),
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        match *self {
            Dist::Point(c) => {
                if x >= c {
                    1.0
                } else {
                    0.0
                }
            }
            Dist::Triangular { a, c, b } => {
                if x <= a {
                    0.0
                } else if x >= b {
                    1.0
                } else if x <= c {
                    (x - a) * (x - a) / ((b - a) * (c - a))
                } else {
                    1.0 - (b - x) * (b - x) / ((b - a) * (b - c))
                }
            }
            Dist::Uniform { a, b } => ((x - a) / (b - a)).clamp(0.0, 1.0),
            Dist::Normal { mean, sd } => std_normal_cdf((x - mean) / sd),
            Dist::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    std_normal_cdf((x.ln() - mu) / sigma)
                }
            }
            Dist::Beta { low, width, inv, .. } => inv.cdf((x - low) / width),
            Dist::Gamma { scale, inv, .. } => inv.cdf(x / scale),
        }
    }

    fn bounds(&self) -> (f64, f64) {
        match *self {
            Dist::Point(c) => (c, c),
            Dist::Triangular { a, b, .. } | Dist::Uniform { a, b } => (a, b),
            Dist::Normal { .. } => (f64::NEG_INFINITY, f64::INFINITY),
            Dist::LogNormal { .. } | Dist::Gamma { .. } => (0.0, f64::INFINITY),
            Dist::Beta { low, width, .. } => (low, low + width),
        }
    }

    fn mean(&self) -> f64 {
        match *self {
            Dist::Point(c) => c,
            Dist::Triangular { a, c, b } => (a + b + c) / 3.0,
            Dist::Uniform { a, b } => 0.5 * (a + b),
            Dist::Normal { mean, .. } => mean,
            Dist::LogNormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
            Dist::Beta { low, width, alpha, beta, .. } => low + width * alpha / (alpha + beta),
            Dist::Gamma { shape, scale, .. } => shape * scale,
        }
    }

    fn variance(&self) -> f64 {
        match *self {
            Dist::Point(_) => 0.0,
            Dist::Triangular { a, c, b } => (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0,
            Dist::Uniform { a, b } => (b - a) * (b - a) / 12.0,
            Dist::Normal { sd, .. } => sd * sd,
            Dist::LogNormal { mu, sigma } => (sigma * sigma).exp_m1() * (2.0 * mu + sigma * sigma).exp(),
            Dist::Beta { width, alpha, beta, .. } => {
                let s = alpha + beta;
                width * width * alpha * beta / (s * s * (s + 1.0))
            }
            Dist::Gamma { shape, scale, .. } => shape * scale * scale,
        }
    }
}

/// A truncation to [lo, hi] and the probabilities F(lo), F(hi) it maps uniforms into.
#[derive(Debug, Clone, Copy)]
struct Truncation {
    lo: f64,
    hi: f64,
    p_lo: f64,
    p_hi: f64,
}

/// One parameter's distribution, built from `(family, low, central, high)`.
///
/// Conventions (every family requires `low <= central <= high`, all finite;
/// a zero spread gives a point mass at `central`):
///
/// | family | built from the range | explicit fields |
/// |---|---|---|
/// | triangular | min `low`, mode `central`, max `high` | none |
/// | uniform | flat on [low, high]; `central` is used only by the deterministic run | none |
/// | normal | mean `central`, sd = (high − low) / (2 × 1.6449): low/high are the 5th/95th percentiles | `sd` |
/// | lognormal | median `central`, σ = ln(high / low) / (2 × 1.6449): low/high are the 5th/95th percentiles if the range is symmetric in logs; needs 0 < low | `sigma` (then only `central` > 0 is needed) |
/// | beta | PERT on [low, high] with mode `central`: α = 1 + 4 (c − low)/(high − low), β = 1 + 4 (high − c)/(high − low), so the mean is (low + 4c + high)/6 | `alpha` and `beta` (still scaled to [low, high]) |
/// | gamma | mean `central` > 0, sd as for the normal; shape k = (mean/sd)², scale = sd²/mean | `sd` or `shape` (then sd = mean/√k) |
///
/// The gamma's range only sets its sd: its actual 5th/95th percentiles are not
/// low/high (it is skewed). For a probability or a share use `beta` (bounded by
/// construction) or truncate ([`Marginal::truncated`]).
///
/// Cost and accuracy of [`Marginal::quantile`]: closed forms for triangular and
/// uniform; normal and lognormal through statrs's `erfc_inv` (about 1e-10
/// relative); beta and gamma by safeguarded Halley iteration on statrs's
/// incomplete beta/gamma functions, |F(Q(u)) − u| < 1e-9, about 1-2 µs a
/// quantile in release. A gamma with a very large shape (sd below ~1% of the
/// mean, k above ~10⁴) costs more (statrs's incomplete gamma is O(√k): ~4 µs
/// at k = 27,000) and, above k ~10⁶, inherits statrs's own ~1e-8 error; such
/// a gamma is a normal for every practical purpose.
#[derive(Debug, Clone, Copy)]
pub struct Marginal {
    family: Family,
    low: f64,
    central: f64,
    high: f64,
    dist: Dist,
    truncation: Option<Truncation>,
}

impl Marginal {
    /// The marginal of `family` from the range, with no explicit shape fields.
    pub fn new(family: Family, low: f64, central: f64, high: f64) -> Result<Self> {
        Self::with_shape(family, low, central, high, &Shape::default())
    }

    /// The marginal of `family` from the range and explicit shape fields (see [`Shape`]).
    pub fn with_shape(family: Family, low: f64, central: f64, high: f64, shape: &Shape) -> Result<Self> {
        for (field, value) in [("low", low), ("central", central), ("high", high)] {
            if !value.is_finite() {
                return Err(UncertaintyError::NotFinite { family, field, value });
            }
        }
        let given = [
            ("sd", shape.sd),
            ("sigma", shape.sigma),
            ("alpha", shape.alpha),
            ("beta", shape.beta),
            ("shape", shape.shape),
        ];
        for (field, value) in given {
            if let Some(value) = value
                && !value.is_finite()
            {
                return Err(UncertaintyError::NotFinite { family, field, value });
            }
        }
        let (allowed, expected): (&[&str], &'static str) = match family {
            Family::Triangular | Family::Uniform => (&[], "no explicit parameters (only low, central, high)"),
            Family::Normal => (&["sd"], "`sd`"),
            Family::LogNormal => (&["sigma"], "`sigma`"),
            Family::Beta => (&["alpha", "beta"], "`alpha` and `beta`"),
            Family::Gamma => (&["sd", "shape"], "`sd` or `shape`"),
        };
        if let Some((field, _)) = given.iter().find(|(f, v)| v.is_some() && !allowed.contains(f)) {
            return Err(UncertaintyError::ParameterNotApplicable { family, field, expected });
        }
        if low > high {
            return Err(UncertaintyError::LowAboveHigh { family, low, high });
        }
        if !(low..=high).contains(&central) {
            return Err(UncertaintyError::CentralOutsideRange { family, low, central, high });
        }
        let non_negative = |field: &'static str, value: f64| {
            if value < 0.0 {
                Err(UncertaintyError::NotPositive { family, field, expected: ">= 0", value })
            } else {
                Ok(value)
            }
        };
        let range_sd = (high - low) / (2.0 * Z95);
        let dist = match family {
            Family::Triangular if high > low => Dist::Triangular { a: low, c: central, b: high },
            Family::Uniform if high > low => Dist::Uniform { a: low, b: high },
            Family::Triangular | Family::Uniform => Dist::Point(central),
            Family::Normal => {
                let sd = non_negative("sd", shape.sd.unwrap_or(range_sd))?;
                if sd > 0.0 { Dist::Normal { mean: central, sd } } else { Dist::Point(central) }
            }
            Family::LogNormal => {
                if central <= 0.0 {
                    let expected = "> 0 (the median of a lognormal)";
                    return Err(UncertaintyError::NotPositive { family, field: "central", expected, value: central });
                }
                let sigma = match shape.sigma {
                    Some(s) => non_negative("sigma", s)?,
                    None if low <= 0.0 => {
                        let expected = "> 0 (a lognormal's range is a ratio: ln(high/low)), or give `sigma`";
                        return Err(UncertaintyError::NotPositive { family, field: "low", expected, value: low });
                    }
                    None => (high / low).ln() / (2.0 * Z95),
                };
                if sigma > 0.0 { Dist::LogNormal { mu: central.ln(), sigma } } else { Dist::Point(central) }
            }
            Family::Beta => {
                let (alpha, beta) = match (shape.alpha, shape.beta) {
                    (Some(a), Some(b)) => {
                        for (field, value) in [("alpha", a), ("beta", b)] {
                            if value <= 0.0 {
                                return Err(UncertaintyError::NotPositive { family, field, expected: "> 0", value });
                            }
                        }
                        (a, b)
                    }
                    (None, None) if high > low => {
                        let w = high - low;
                        (1.0 + 4.0 * (central - low) / w, 1.0 + 4.0 * (high - central) / w)
                    }
                    (None, None) => (1.0, 1.0),
                    _ => {
                        let expected = "give both `alpha` and `beta`, or neither (PERT from low, central, high)";
                        return Err(UncertaintyError::ConflictingParameters { family, expected });
                    }
                };
                if high > low {
                    let inv = BetaInverse::new(alpha, beta).ok_or(UncertaintyError::NotPositive {
                        family,
                        field: "alpha",
                        expected: "> 0",
                        value: alpha,
                    })?;
                    Dist::Beta { low, width: high - low, alpha, beta, inv }
                } else {
                    Dist::Point(central)
                }
            }
            Family::Gamma => {
                if central <= 0.0 {
                    let expected = "> 0 (the mean of a gamma)";
                    return Err(UncertaintyError::NotPositive { family, field: "central", expected, value: central });
                }
                let k = match (shape.sd, shape.shape) {
                    (Some(_), Some(_)) => {
                        let expected = "give `sd` or `shape`, not both";
                        return Err(UncertaintyError::ConflictingParameters { family, expected });
                    }
                    (None, Some(k)) if k <= 0.0 => {
                        return Err(UncertaintyError::NotPositive {
                            family,
                            field: "shape",
                            expected: "> 0",
                            value: k,
                        });
                    }
                    (None, Some(k)) => Some(k),
                    (sd, None) => {
                        let sd = non_negative("sd", sd.unwrap_or(range_sd))?;
                        (sd > 0.0).then(|| (central / sd) * (central / sd))
                    }
                };
                match k.and_then(|k| Some((k, GammaInverse::new(k)?))) {
                    Some((k, inv)) if k.is_finite() => Dist::Gamma { shape: k, scale: central / k, inv },
                    _ => Dist::Point(central),
                }
            }
        };
        Ok(Self { family, low, central, high, dist, truncation: None })
    }

    /// This marginal restricted to `[lo, hi]` (either end may be infinite):
    /// [`Marginal::quantile`] maps `u` into `[F(lo), F(hi)]` before inverting,
    /// so every draw lies in `[lo, hi]` and keeps the shape of the distribution
    /// there (e.g. a probability drawn from a normal, truncated to [0, 1]).
    /// Mean and variance become those of the truncated distribution. The
    /// central value is not moved. A second truncation replaces the first
    /// (it does not intersect with it).
    ///
    /// Errors: `lo >= hi`, NaN, or no probability in `[lo, hi]`.
    pub fn truncated(self, lo: f64, hi: f64) -> Result<Self> {
        if lo.is_nan() || hi.is_nan() || lo >= hi {
            return Err(UncertaintyError::InvalidTruncation { lo, hi, expected: "expected lo < hi, not NaN" });
        }
        let (p_lo, p_hi) = match self.dist {
            Dist::Point(c) if (lo..=hi).contains(&c) => (0.0, 1.0),
            Dist::Point(_) => (0.0, 0.0),
            d => (d.cdf(lo), d.cdf(hi)),
        };
        if p_hi <= p_lo {
            let expected = "expected an interval that holds some of the distribution's probability";
            return Err(UncertaintyError::InvalidTruncation { lo, hi, expected });
        }
        Ok(Self { truncation: Some(Truncation { lo, hi, p_lo, p_hi }), ..self })
    }

    /// The family.
    pub fn family(&self) -> Family {
        self.family
    }

    /// The `(low, central, high)` it was built from.
    pub fn range(&self) -> (f64, f64, f64) {
        (self.low, self.central, self.high)
    }

    /// The truncation interval, if any.
    pub fn truncation(&self) -> Option<(f64, f64)> {
        self.truncation.map(|t| (t.lo, t.hi))
    }

    /// The inverse CDF at `u` (clamped to [0, 1]; NaN gives NaN). Monotone in
    /// `u`. Always finite: an unbounded tail is evaluated no further out than
    /// probability 2⁻⁵³ (about 8.2 standard deviations for a normal), so
    /// `u = 0` gives the lower end of the support where it is finite and the
    /// 2⁻⁵³ quantile where it is not.
    pub fn quantile(&self, u: f64) -> f64 {
        if u.is_nan() {
            return f64::NAN;
        }
        let u = u.clamp(0.0, 1.0);
        match self.truncation {
            None => self.dist.quantile(u),
            Some(t) => {
                // Keep p within [p_lo, p_hi] despite rounding, and the value within [lo, hi].
                let p = (t.p_lo + u * (t.p_hi - t.p_lo)).clamp(t.p_lo, t.p_hi);
                self.dist.quantile(p).clamp(t.lo, t.hi)
            }
        }
    }

    /// The CDF at `x` (of the truncated distribution, if truncated).
    pub fn cdf(&self, x: f64) -> f64 {
        match self.truncation {
            None => self.dist.cdf(x),
            Some(t) => ((self.dist.cdf(x.clamp(t.lo, t.hi)) - t.p_lo) / (t.p_hi - t.p_lo)).clamp(0.0, 1.0),
        }
    }

    /// The support `[min, max]` (ends may be ±∞; `(0, ∞)` for lognormal and gamma).
    pub fn bounds(&self) -> (f64, f64) {
        let (a, b) = self.dist.bounds();
        match self.truncation {
            None => (a, b),
            Some(t) => (a.max(t.lo), b.min(t.hi)),
        }
    }

    /// The mean: closed form, or numerical (relative accuracy about 1e-9) when truncated.
    pub fn mean(&self) -> f64 {
        match self.truncation {
            None => self.dist.mean(),
            Some(_) => self.truncated_moments().0,
        }
    }

    /// The variance: closed form, or numerical when truncated.
    pub fn variance(&self) -> f64 {
        match self.truncation {
            None => self.dist.variance(),
            Some(_) => self.truncated_moments().1,
        }
    }

    /// Mean and variance as integrals of the quantile over u, in normal-score
    /// coordinates (u = Φ(z), du = φ(z) dz) with composite Gauss-Legendre, so
    /// the tails are sampled finely.
    fn truncated_moments(&self) -> (f64, f64) {
        const NODES: [(f64, f64); 4] = [
            (0.339_981_043_584_856_3, 0.652_145_154_862_546_1),
            (-0.339_981_043_584_856_3, 0.652_145_154_862_546_1),
            (0.861_136_311_594_052_6, 0.347_854_845_137_453_9),
            (-0.861_136_311_594_052_6, 0.347_854_845_137_453_9),
        ];
        let (z0, z1) = (-8.3, 8.3);
        let panels = 400;
        let h = (z1 - z0) / f64::from(panels);
        let (mut w_sum, mut m1, mut m2) = (0.0, 0.0, 0.0);
        let center = self.quantile(0.5);
        for k in 0..panels {
            let mid = z0 + (f64::from(k) + 0.5) * h;
            for (x, w) in NODES {
                let z = mid + 0.5 * h * x;
                let weight = w * 0.5 * h * (-0.5 * z * z).exp();
                let v = self.quantile(std_normal_cdf(z)) - center;
                w_sum += weight;
                m1 += weight * v;
                m2 += weight * v * v;
            }
        }
        let mean = m1 / w_sum;
        (center + mean, (m2 / w_sum - mean * mean).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_parse_from_lower_case_names_only() {
        for f in Family::ALL {
            assert_eq!(f.name().parse::<Family>().unwrap(), f);
        }
        let err = "Normal".parse::<Family>().unwrap_err();
        assert!(err.to_string().contains("triangular, uniform, normal, lognormal, beta, gamma"), "{err}");
        assert_eq!(Family::default(), Family::Triangular);
    }

    #[test]
    fn impossible_ranges_are_rejected_with_what_was_expected() {
        let e = Marginal::new(Family::Triangular, 2.0, 1.5, 1.0).unwrap_err();
        assert!(matches!(e, UncertaintyError::LowAboveHigh { .. }), "{e}");
        let e = Marginal::new(Family::Normal, 1.0, 3.0, 2.0).unwrap_err();
        assert!(e.to_string().contains("must lie in [low, high]"), "{e}");
        let e = Marginal::new(Family::LogNormal, 0.0, 1.0, 2.0).unwrap_err();
        assert!(e.to_string().contains("low"), "{e}");
        let e = Marginal::new(Family::Gamma, -1.0, 0.0, 1.0).unwrap_err();
        assert!(matches!(e, UncertaintyError::NotPositive { field: "central", .. }), "{e}");
        let e = Marginal::new(Family::Uniform, f64::NAN, 0.0, 1.0).unwrap_err();
        assert!(matches!(e, UncertaintyError::NotFinite { field: "low", .. }), "{e}");
        let sd = Shape { sd: Some(-1.0), ..Shape::default() };
        assert!(Marginal::with_shape(Family::Normal, 0.0, 1.0, 2.0, &sd).is_err());
        let sigma = Shape { sigma: Some(0.1), ..Shape::default() };
        let e = Marginal::with_shape(Family::Normal, 0.0, 1.0, 2.0, &sigma).unwrap_err();
        assert!(e.to_string().contains("`sigma` does not apply; normal takes `sd`"), "{e}");
        let alpha = Shape { alpha: Some(2.0), ..Shape::default() };
        assert!(matches!(
            Marginal::with_shape(Family::Beta, 0.0, 0.5, 1.0, &alpha),
            Err(UncertaintyError::ConflictingParameters { .. })
        ));
        let both = Shape { sd: Some(1.0), shape: Some(4.0), ..Shape::default() };
        assert!(Marginal::with_shape(Family::Gamma, 1.0, 2.0, 3.0, &both).is_err());
        let nan = Shape { sd: Some(f64::NAN), ..Shape::default() };
        assert!(matches!(
            Marginal::with_shape(Family::Normal, 0.0, 1.0, 2.0, &nan),
            Err(UncertaintyError::NotFinite { field: "sd", .. })
        ));
    }

    #[test]
    fn zero_spread_is_a_point_mass() {
        for f in Family::ALL {
            let m = Marginal::new(f, 3.0, 3.0, 3.0).unwrap();
            assert_eq!(m.quantile(0.0), 3.0, "{f}");
            assert_eq!(m.quantile(0.7), 3.0, "{f}");
            assert_eq!((m.mean(), m.variance()), (3.0, 0.0), "{f}");
        }
    }

    #[test]
    fn quantiles_are_finite_at_the_ends() {
        for f in Family::ALL {
            let m = Marginal::new(f, 1.0, 2.0, 4.0).unwrap();
            for u in [0.0, 1e-300, 0.5, 1.0 - f64::EPSILON / 2.0, 1.0, -3.0, 7.0] {
                assert!(m.quantile(u).is_finite(), "{f} at {u}");
            }
            assert!(m.quantile(f64::NAN).is_nan());
        }
        assert_eq!(Marginal::new(Family::Triangular, 1.0, 1.0, 2.0).unwrap().quantile(0.0), 1.0);
    }
}
