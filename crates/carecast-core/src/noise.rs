//! Process noise: a [`FlowDraw`] that draws whole numbers of children.
//!
//! What it is: [`Stochastic`], which draws entries as Poisson counts and splits
//! a stock across outcomes as a multinomial, from a small deterministic
//! generator (xoshiro256** seeded through splitmix64) so the same `u64` seed
//! always gives the same run, bit for bit, on any platform and with any `rand`
//! version; either one stream for the whole run or, for comparing scenarios,
//! a stream per flow keyed by its month, kind, band and placement
//! ([`Stochastic::keyed`]). What it is not: parameter uncertainty (that is drawing a
//! scenario's ranged values, done outside the core) or a general-purpose
//! random-number library.
//!
//! Samplers:
//! - binomial and Poisson counts with a mean (for the binomial,
//!   `n·min(p, 1-p)`) below [`APPROXIMATION_MIN_MEAN`]: exact, by inversion
//!   from 0 (the binomial with the recurrence f(k+1) = f(k)·(n-k)/(k+1)·p/(1-p))
//!   and one uniform;
//! - from that mean up: approximately, by inverting a skew-corrected normal
//!   (the Cornish–Fisher expansion to the skewness term, with a continuity
//!   correction): `k = floor(μ + σz + γσ(z² - 1)/6 + 1/2)`, `z = Φ⁻¹(u)`,
//!   clamped to the possible counts. Its total variation distance from the
//!   exact law (the most any event's probability can be off) is at most 0.4%
//!   at a mean of 10 (the worst case, a binomial with p = 1/2; 0.25% for a
//!   Poisson count) and falls with the mean (below 0.1% at 50); the tests
//!   check these bounds. Its mean is exact; its variance is 1.4-1.7% too
//!   large at a mean of 10 and 0.3% at 50. The national model draws about 130 such counts a
//!   month. Exact samplers for them (BTRD and PTRS, transformed rejection,
//!   used up to session 10) cost several times as much, and the national
//!   10-year quantiles are the same either way within Monte Carlo error
//!   (BENCHMARKS.md, session 11);
//! - both map one uniform monotonically to a count, which keeps the draws of
//!   two runs' similar flows close (common random numbers);
//! - multinomial ([`FlowDraw::split`]): sequential conditional binomials over
//!   the outcomes, the remainder staying. With a [`SplitTable`] (probabilities
//!   prepared once per year by the simulator) the number leaving is drawn
//!   first as one binomial, then spread over the outcomes by conditional
//!   binomials, largest outcome first, until few enough are left that one
//!   categorical draw per child (Walker's alias method, one random word each)
//!   over the outcomes not yet drawn is cheaper. Given the number leaving,
//!   the spread is exact except where a conditional mean reaches the
//!   approximation's threshold. A stock of zero draws nothing.
//!
//! Whole numbers: counts are whole, and a whole stock is split into whole
//! numbers that never exceed it. The stocks the simulator splits are
//! generally fractional (it spreads a band's drawn flows over single ages pro
//! rata, ages children by expected shares, and a calibrated model's initial
//! stock is raked); a fractional stock's fraction moves as one piece to an
//! outcome chosen with the outcome probabilities (or stays), so expectations
//! are kept and nothing goes negative.

use crate::sim::{FlowDraw, SplitTable};

/// Counts with a mean (for the binomial, `n·min(p, 1-p)`) at or above this
/// are drawn by the skew-corrected normal inversion, below it exactly by
/// inversion from 0.
pub const APPROXIMATION_MIN_MEAN: f64 = 10.0;

/// Children leaving a state are spread over a [`SplitTable`]'s outcomes not
/// yet drawn by one categorical draw each once there are at most this many per
/// outcome after the first, else by the next conditional binomial. The value
/// only trades speed (measured on the national baseline).
const CATEGORICAL_MAX_PER_OUTCOME: f64 = 4.0;

/// `x.floor()` without a library call (the baseline x86-64 target has no
/// rounding instruction) or a saturating float-to-integer cast: where
/// `|x| < 2^52`, adding and subtracting `2^52` (with the sign of `x`) rounds
/// to a whole number exactly, and one step down makes it the floor. A zero
/// result is `+0.0`, as truncation through `i64` gave.
#[inline]
fn floor(x: f64) -> f64 {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    if x.abs() < TWO_52 {
        let c = TWO_52.copysign(x);
        let t = (x + c) - c;
        // A select, not a branch: which way it goes is random for random x.
        t - if t > x { 1.0 } else { 0.0 }
    } else {
        x.floor()
    }
}

/// Random flows from a seeded xoshiro256** generator.
///
/// Two layouts of the random numbers: [`Stochastic::new`] draws every flow
/// from one stream in the order the simulator asks; [`Stochastic::keyed`]
/// starts a stream of its own for each flow the simulator names
/// ([`FlowDraw::flow`]), from the seed and the flow's key. With one stream, a
/// single count that differs between two runs shifts every later draw, so two
/// scenarios' process noise soon becomes independent; with keyed streams each
/// flow of both runs starts from the same random numbers, so draws of flows
/// whose stocks are close tend to be close (every count maps one uniform
/// monotonically to a count; within a split, the draws after one that
/// differs use other numbers), and a difference between scenarios is not
/// swamped by noise drawn twice (common random numbers).
#[derive(Debug, Clone)]
pub struct Stochastic {
    state: [u64; 4],
    /// With keyed streams, the seed mixed once (splitmix64), combined with each flow's key.
    keyed: Option<u64>,
}

fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A binomial success probability with what inversion needs, computed once:
/// the smaller of `p` and `1-p` (draws of the larger are `n` minus draws of
/// the smaller), `ln(1 - p_small)` and the odds `p_small / (1 - p_small)`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct BinomialProb {
    /// `min(p, 1-p)`, in [0, 1/2].
    p_small: f64,
    /// True when `p > 1/2`, so the draw is `n` minus a draw with `p_small`.
    flipped: bool,
    /// `ln(1 - p_small)`.
    ln_q: f64,
    /// `p_small / (1 - p_small)`.
    odds: f64,
}

impl BinomialProb {
    /// Prepares `p` (clamped to [0, 1]; NaN counts as 0).
    pub(crate) fn new(p: f64) -> Self {
        let p = if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        let (p_small, flipped) = if p > 0.5 { (1.0 - p, true) } else { (p, false) };
        BinomialProb { p_small, flipped, ln_q: (-p_small).ln_1p(), odds: p_small / (1.0 - p_small) }
    }
}

/// One slot of an alias table: its own outcome is kept when the low 32 random
/// bits are below `keep_below` (a share of 2^32), else it gives `alias`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct AliasSlot {
    pub(crate) keep_below: u64,
    pub(crate) keep: u32,
    pub(crate) alias: u32,
}

/// Appends an alias table (Vose's construction) for outcomes `outcomes` with
/// shares `scaled` times their number (so the shares sum to
/// `outcomes.len()`); `scaled` is used up and `stack` is working space. Each
/// outcome's probability is kept to about 2^-32.
pub(crate) fn alias_table(outcomes: &[usize], scaled: &mut [f64], stack: &mut Vec<usize>, slots: &mut Vec<AliasSlot>) {
    const SCALE: f64 = 4_294_967_296.0;
    let start = slots.len();
    let n = outcomes.len();
    slots.extend(outcomes.iter().map(|k| AliasSlot { keep_below: 1 << 32, keep: *k as u32, alias: *k as u32 }));
    // Slots below their share (small) from the front of `stack`, the rest
    // (large) from the back.
    stack.clear();
    stack.resize(n, 0);
    let (mut small, mut large) = (0, n);
    for (i, s) in scaled.iter().enumerate() {
        if *s < 1.0 {
            stack[small] = i;
            small += 1;
        } else {
            large -= 1;
            stack[large] = i;
        }
    }
    // Each step settles one small slot with the top large one, whose excess
    // shrinks; a large slot that drops below its share becomes small, taking
    // the place the settled one left. Slots left at the end keep their own
    // outcome (their shares are 1 up to rounding).
    while small > 0 && large < n {
        small -= 1;
        let s = stack[small];
        let l = stack[large];
        // Rounded to the nearest share of 2^32 (it is in [0, 2^32)); `round`
        // is a library call on baseline x86-64.
        slots[start + s].keep_below = (scaled[s] * SCALE + 0.5) as u64;
        slots[start + s].alias = outcomes[l] as u32;
        scaled[l] -= 1.0 - scaled[s];
        if scaled[l] < 1.0 {
            large += 1;
            stack[small] = l;
            small += 1;
        }
    }
}

/// `1/k` for small `k`, so the inversion recurrences multiply instead of divide.
const RECIPROCALS: [f64; 64] = {
    let mut t = [0.0; 64];
    let mut k = 1;
    while k < 64 {
        t[k] = 1.0 / k as f64;
        k += 1;
    }
    t
};

/// `1/k` for a whole `k >= 1` held both as `f64` and as `usize` (the loops
/// count in both, so no float-to-integer cast is needed).
#[inline]
fn reciprocal(k: f64, ki: usize) -> f64 {
    match RECIPROCALS.get(ki) {
        Some(r) => *r,
        None => 1.0 / k,
    }
}

/// A uniform in the open interval (0, 1) from 64 random bits: the midpoint of
/// one of 2^52 equal cells, so Φ⁻¹ of it is finite (with 53 bits the top
/// cell's midpoint would round to 1).
#[inline(always)]
fn open_uniform(bits: u64) -> f64 {
    ((bits >> 12) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64)
}

/// The standard normal quantile Φ⁻¹(u) for `u` in (0, 1), by Acklam's
/// rational approximations (relative error below 1.2e-9, far below what
/// rounding to a count can show). The central branch (`0.02425 <= u <=
/// 0.97575`, 95% of draws) needs no logarithm.
#[inline(always)]
pub(crate) fn normal_quantile(u: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const LOW: f64 = 0.024_25;
    let q = u - 0.5;
    if q.abs() <= 0.5 - LOW {
        let r = q * q;
        let num = (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q;
        let den = ((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0;
        return num / den;
    }
    normal_quantile_tail(u)
}

/// [`normal_quantile`] in the tails (out of line: one draw in twenty).
#[inline(never)]
fn normal_quantile_tail(u: f64) -> f64 {
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] =
        [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    let lower = u < 0.5;
    let tail = if lower { u } else { 1.0 - u };
    let r = (-2.0 * tail.ln()).sqrt();
    let x = (((((C[0] * r + C[1]) * r + C[2]) * r + C[3]) * r + C[4]) * r + C[5])
        / ((((D[0] * r + D[1]) * r + D[2]) * r + D[3]) * r + 1.0);
    if lower { x } else { -x }
}

impl Stochastic {
    /// A generator for `seed` (any value, including 0): one stream for every flow.
    pub fn new(seed: u64) -> Self {
        Stochastic { state: Self::seeded(seed), keyed: None }
    }

    /// A generator for `seed` that starts a stream of its own for each flow
    /// named by [`FlowDraw::flow`] (before the first, the stream of `seed`).
    pub fn keyed(seed: u64) -> Self {
        let mut x = seed;
        let mixed = splitmix64(&mut x);
        Stochastic { state: Self::seeded(seed), keyed: Some(mixed) }
    }

    /// xoshiro256** state from a 64-bit seed through splitmix64.
    fn seeded(seed: u64) -> [u64; 4] {
        let mut x = seed;
        [splitmix64(&mut x), splitmix64(&mut x), splitmix64(&mut x), splitmix64(&mut x)]
    }

    /// The next 64 random bits (xoshiro256**).
    #[inline]
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

    /// Uniform on [0, 1) with 53 random bits (converted through `i64`, exact
    /// below 2^53 and one instruction where `u64` needs several).
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as i64) as f64 * (1.0 / (1u64 << 53) as f64)
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
        if mean >= APPROXIMATION_MIN_MEAN {
            // Skewness 1/σ, so γσ = 1.
            return self.skew_normal_count(mean, mean.sqrt(), 1.0).max(0.0);
        }
        // Inversion: walk the distribution from 0, subtracting each probability from u.
        let mut u = self.uniform();
        // P(0) = e^-mean >= 1 - mean: below that bound the draw is 0, as the search would find.
        if u < 1.0 - mean {
            return 0.0;
        }
        let mut k = 0.0;
        let mut ki = 0usize;
        let mut f = (-mean).exp();
        while u >= f {
            u -= f;
            k += 1.0;
            ki += 1;
            f *= mean * reciprocal(k, ki);
            if f <= 0.0 {
                break; // the tail is below f64 resolution
            }
        }
        k
    }

    /// A count by inverting a skew-corrected normal at one uniform (the
    /// approximation of the module docs): `floor(mean + sd·z + skew_sd·(z² - 1)/6 + 1/2)`
    /// with `z = Φ⁻¹(u)` and `skew_sd` the skewness times `sd`; the caller clamps.
    /// The result increases with `u` wherever `|z| < 3·sd/skew_sd` (beyond
    /// 8.3, the largest `|z|` a 53-bit uniform gives, for every mean this is used for).
    #[inline(always)]
    fn skew_normal_count(&mut self, mean: f64, sd: f64, skew_sd: f64) -> f64 {
        let z = normal_quantile(open_uniform(self.next_u64()));
        floor(mean + sd * z + skew_sd * (z * z - 1.0) * (1.0 / 6.0) + 0.5)
    }

    /// A binomial draw: successes in `n` trials (a whole number) with probability `p`.
    pub fn binomial(&mut self, n: f64, p: f64) -> f64 {
        if n.is_nan() || n < 1.0 || p.is_nan() || p <= 0.0 {
            return 0.0;
        }
        if p >= 1.0 {
            return floor(n);
        }
        self.binomial_prepared(n, &BinomialProb::new(p))
    }

    /// A binomial draw with a prepared probability; `n` is floored to a whole number.
    #[inline]
    pub(crate) fn binomial_prepared(&mut self, n: f64, prob: &BinomialProb) -> f64 {
        self.binomial_whole(floor(n), prob)
    }

    /// [`Stochastic::binomial_prepared`] for `n` already whole (or NaN).
    #[inline(always)]
    fn binomial_whole(&mut self, n: f64, prob: &BinomialProb) -> f64 {
        if n.is_nan() || n < 1.0 || prob.p_small <= 0.0 {
            return if prob.flipped && n >= 1.0 { n } else { 0.0 };
        }
        let mean = n * prob.p_small;
        let k = if mean < APPROXIMATION_MIN_MEAN {
            self.binomial_inversion(n, prob)
        } else {
            // Skewness (q - p)/σ, so γσ = 1 - 2p.
            let sd = (mean * (1.0 - prob.p_small)).sqrt();
            self.skew_normal_count(mean, sd, 1.0 - 2.0 * prob.p_small).clamp(0.0, n)
        };
        if prob.flipped { n - k } else { k }
    }

    /// Inversion for `n·p < 10`, `p <= 1/2`: `(1-p)^n >= e^{-20·ln 2} ≈ 1e-6`, no underflow.
    #[inline(never)]
    fn binomial_inversion(&mut self, n: f64, prob: &BinomialProb) -> f64 {
        let mut u = self.uniform();
        // P(0) = (1-p)^n >= 1 - n·p (Bernoulli's inequality): below that bound
        // the draw is 0 without the exponential, as the search would find.
        if u < 1.0 - n * prob.p_small {
            return 0.0;
        }
        let mut f = (n * prob.ln_q).exp();
        let mut k = 0.0;
        let mut ki = 0usize;
        while u >= f {
            u -= f;
            k += 1.0;
            ki += 1;
            if k >= n {
                return n; // the remaining mass (rounding included) is at n
            }
            f *= (n - k + 1.0) * reciprocal(k, ki) * prob.odds;
            if f <= 0.0 {
                break; // the tail is below f64 resolution
            }
        }
        k
    }

    /// The outcome one child takes from an alias table (Walker's alias
    /// method): the high 32 bits of one random word choose a slot, the low
    /// 32 keep its outcome or take its alias.
    #[inline]
    fn alias_draw(&mut self, slots: &[AliasSlot]) -> usize {
        let r = self.next_u64();
        let slot = (((r >> 32) * slots.len() as u64) >> 32) as usize;
        let s = &slots[slot];
        (if (r & 0xFFFF_FFFF) < s.keep_below { s.keep } else { s.alias }) as usize
    }

    /// Index of the outcome a child takes given `u` uniform on [0, 1) and the
    /// cumulative shares of a table's outcomes (the last is 1).
    #[inline]
    fn categorical(u: f64, cumulative: &[f64]) -> usize {
        // The first `k` with `u < cumulative[k]` is the number of shares at or
        // below `u` (they do not decrease): counted without a branch, as where
        // the search would stop is random.
        let below = cumulative.iter().map(|c| usize::from(u >= *c)).sum::<usize>();
        below.min(cumulative.len() - 1)
    }
}

impl FlowDraw for Stochastic {
    fn count(&mut self, mean: f64) -> f64 {
        self.poisson(mean)
    }

    /// With keyed streams, restarts the generator from the seed and `key`.
    #[inline]
    fn flow(&mut self, key: u64) {
        if let Some(mixed) = self.keyed {
            // The key mixed too, so that keys differing in a few bits start far-apart streams.
            let mut k = key;
            self.state = Self::seeded(mixed ^ splitmix64(&mut k));
        }
    }

    fn split(&mut self, stock: f64, probs: &[f64], out: &mut [f64]) {
        out.iter_mut().for_each(|o| *o = 0.0);
        if stock.is_nan() || stock <= 0.0 {
            return;
        }
        let whole = floor(stock);
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
            } else if p_left > 0.0 && p > 0.0 {
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

    /// The number leaving is one binomial with the table's total probability;
    /// it is spread over the outcomes by conditional binomials, largest
    /// outcome first, until at most [`CATEGORICAL_MAX_PER_OUTCOME`] per
    /// remaining outcome are left, and then by one alias-table draw per child
    /// over the outcomes not yet drawn (the last outcome takes whatever the
    /// binomials leave). The fraction of a fractional stock leaves with
    /// probability `total` to an outcome chosen by the same uniform.
    fn split_table(&mut self, stock: f64, table: &SplitTable, out: &mut [f64]) {
        let out = &mut out[..table.len()];
        out.iter_mut().for_each(|o| *o = 0.0);
        if stock.is_nan() || stock <= 0.0 || table.total <= 0.0 {
            return;
        }
        let whole = floor(stock);
        let fraction = stock - whole;
        let leaving = if table.everyone_leaves { whole } else { self.binomial_whole(whole, &table.total_prob) };
        // Conditional binomials, largest outcome first, while many are left;
        // then one categorical draw per child over the outcomes not yet drawn.
        let outcomes = table.order.len();
        let mut left = leaving;
        let mut j = 0;
        while left >= 1.0 {
            let k = table.order[j];
            if j + 1 == outcomes {
                out[k] += left;
                break;
            }
            if left <= CATEGORICAL_MAX_PER_OUTCOME * (outcomes - 1 - j) as f64 {
                let slots = &table.suffix_alias[table.suffix_start[j]..table.suffix_start[j + 1]];
                let mut c = 0.0;
                while c < left {
                    out[self.alias_draw(slots)] += 1.0;
                    c += 1.0;
                }
                break;
            }
            let x = self.binomial_whole(left, &table.conditional[j]);
            out[k] = x;
            left -= x;
            j += 1;
        }
        if fraction > 0.0 {
            let u = self.uniform();
            if table.everyone_leaves || u < table.total {
                let k = Self::categorical(u / table.total, &table.cumulative);
                out[k] += fraction;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AGES, AgeBand, Dimensions, InitialState, LEAVER_AGES, Model, YearParams};
    use crate::sim::{SplitTable, simulate_with};

    /// One band 0..18, one placement, one exit reason; `e` entries a month at
    /// age 0, monthly exit probability `m`, `years` years from `s0` children aged 0.
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
        start[0] = s0;
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

    /// End stocks of `draws` runs (seed = draw index), checking non-negative
    /// states; `keyed`: a stream per flow ([`Stochastic::keyed`]).
    fn end_stocks(model: &Model, draws: u64, keyed: bool) -> Vec<f64> {
        (0..draws)
            .map(|d| {
                let mut noise = if keyed { Stochastic::keyed(d) } else { Stochastic::new(d) };
                let p = simulate_with(model, &mut noise, |f| assert!(f.min_state_stock >= 0.0)).unwrap();
                for s in &p.final_stock_by_age {
                    assert!(*s >= 0.0, "state stock {s}");
                }
                p.years.last().unwrap().children_in_care()
            })
            .collect()
    }

    /// X' = Binomial(X, 1-m) + Poisson(E) has the stationary law Poisson(E/m).
    /// Starting at x0 = E/m, after t months the stock is Binomial(x0, q^t) +
    /// Poisson(λ(1-q^t)) with q = 1-m: mean λ and variance λ(1-q^{2t}).
    /// Five years from age 0, nobody can reach 18 (ageing is not drawn and
    /// 1/12 a month moves up, so reaching 18 would take 18 of about 5 birthdays).
    /// Tolerances are 4 standard errors over N draws: SE(mean) = sqrt(λ/N);
    /// SE(sample variance) = sqrt((μ4 - σ⁴)/N) with μ4 = λ(1+3λ) for a Poisson.
    fn check_stationary_poisson(e: f64, m: f64, keyed: bool) {
        let lambda = e / m;
        let n = 2000.0;
        let months = 60;
        let stocks = end_stocks(&single_stock(e, m, lambda, months / 12), n as u64, keyed);
        let (mean, var) = mean_var(&stocks);
        let variance = lambda * (1.0 - (1.0 - m).powi(2 * months as i32));
        let se_mean = (lambda / n).sqrt();
        let se_var = ((lambda * (1.0 + 3.0 * lambda) - lambda * lambda) / n).sqrt();
        assert!((mean - lambda).abs() < 4.0 * se_mean, "mean {mean} vs {lambda} (SE {se_mean})");
        assert!((var - variance).abs() < 4.0 * se_var, "variance {var} vs {variance} (SE {se_var})");
    }

    #[test]
    fn small_means_by_inversion_give_a_poisson_stationary_stock() {
        // Poisson(5) entries, exits with n·p ≈ 5: both samplers by inversion; λ = 100
        // (the stock's split draws the number leaving, then spreads it).
        check_stationary_poisson(5.0, 0.05, false);
    }

    /// A stream per flow draws the same law: each month's flows get numbers
    /// of their own (were the month left out of the key, every month would
    /// reuse one draw and the variance would be far too large).
    #[test]
    fn keyed_streams_give_the_same_poisson_stationary_stock() {
        check_stationary_poisson(5.0, 0.05, true);
        check_stationary_poisson(60.0, 0.03, true);
    }

    #[test]
    fn large_means_by_approximation_give_a_poisson_stationary_stock() {
        // Poisson(60) entries and exits with n·p ≈ 60, both by the skew-corrected
        // normal; λ = 2000.
        check_stationary_poisson(60.0, 0.03, false);
    }

    #[test]
    fn same_seed_same_run_and_different_seed_different_run() {
        let model = single_stock(20.0, 0.04, 500.0, 5);
        let run = |seed| simulate_with(&model, &mut Stochastic::new(seed), |_| {}).unwrap();
        assert_eq!(run(42), run(42));
        assert_ne!(run(42), run(43));
    }

    /// A keyed generator's draws for a flow depend only on the seed and the
    /// flow's key, not on what was drawn before; an unkeyed one ignores keys.
    #[test]
    fn keyed_streams_start_from_the_flow_not_from_what_came_before() {
        use crate::sim::{FlowKind, flow_key};
        let key = flow_key(17, FlowKind::Leaving, 2, 3);
        let draws = |g: &mut Stochastic| -> Vec<f64> { (0..20).map(|_| g.binomial(400.0, 0.1)).collect() };
        let mut a = Stochastic::keyed(9);
        a.flow(key);
        let mut b = Stochastic::keyed(9);
        (0..137).for_each(|_| {
            b.uniform();
        });
        b.flow(key);
        assert_eq!(draws(&mut a), draws(&mut b));
        // Another key, another seed: other numbers.
        let mut c = Stochastic::keyed(9);
        c.flow(flow_key(17, FlowKind::Leaving, 2, 4));
        let mut d = Stochastic::keyed(10);
        d.flow(key);
        let first = draws(&mut Stochastic::keyed(9).tap(key));
        assert_ne!(draws(&mut c), first);
        assert_ne!(draws(&mut d), first);
        // Before any key, and without keys at all, the stream is the seed's.
        assert_eq!(Stochastic::keyed(9).next_u64(), Stochastic::new(9).next_u64());
        let mut plain = Stochastic::new(9);
        let mut plain_flowed = Stochastic::new(9);
        plain_flowed.flow(key);
        assert_eq!(draws(&mut plain), draws(&mut plain_flowed));
        // Keys of distinct flows are distinct.
        let mut keys: Vec<u64> = (0..3)
            .flat_map(|m| {
                [FlowKind::Leaving, FlowKind::Entering, FlowKind::Reconciling]
                    .into_iter()
                    .flat_map(move |k| (0..5).flat_map(move |b| (0..12).map(move |p| flow_key(m, k, b, p))))
            })
            .collect();
        let n = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }

    impl Stochastic {
        /// The generator after naming flow `key` (for the test above).
        fn tap(mut self, key: u64) -> Self {
            self.flow(key);
            self
        }
    }

    #[test]
    fn samplers_match_their_moments() {
        let mut r = Stochastic::new(1);
        let n = 20_000.0;
        for (mean, what) in [(3.0, "poisson inversion"), (200.0, "poisson approximation")] {
            let xs: Vec<f64> = (0..n as usize).map(|_| r.poisson(mean)).collect();
            let (m, v) = mean_var(&xs);
            assert!(xs.iter().all(|x| *x >= 0.0 && x.fract() == 0.0), "{what}");
            assert!((m - mean).abs() < 4.0 * (mean / n).sqrt(), "{what} mean {m}");
            assert!((v / mean - 1.0).abs() < 0.05, "{what} variance {v}");
        }
        for (trials, p, what) in [
            (40.0, 0.1, "binomial inversion"),
            (40.0, 0.9, "binomial p > 1/2"),
            (5000.0, 0.3, "binomial approximation"),
        ] {
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

    /// `ln k!` summed exactly enough for the tests (k up to a few thousand).
    fn ln_fact_table(n: usize) -> Vec<f64> {
        let mut t = vec![0.0; n + 1];
        for k in 1..=n {
            t[k] = t[k - 1] + (k as f64).ln();
        }
        t
    }

    fn binomial_pmf(n: usize, p: f64) -> Vec<f64> {
        let lf = ln_fact_table(n);
        (0..=n).map(|k| (lf[n] - lf[k] - lf[n - k] + k as f64 * p.ln() + (n - k) as f64 * (-p).ln_1p()).exp()).collect()
    }

    fn poisson_pmf(mean: f64, max: usize) -> Vec<f64> {
        let lf = ln_fact_table(max);
        (0..=max).map(|k| (k as f64 * mean.ln() - mean - lf[k]).exp()).collect()
    }

    /// Chi-square statistic of `draws` against `pmf`, pooling cells with fewer
    /// than 5 expected (the tails), and its degrees of freedom.
    fn chi_square(draws: &[f64], pmf: &[f64]) -> (f64, f64) {
        let n = draws.len() as f64;
        let mut observed = vec![0.0; pmf.len()];
        for x in draws {
            assert!(*x >= 0.0 && x.fract() == 0.0 && (*x as usize) < pmf.len(), "draw {x}");
            observed[*x as usize] += 1.0;
        }
        let (mut stat, mut cells) = (0.0, 0.0);
        let (mut pooled_o, mut pooled_e) = (0.0, 0.0);
        for (o, p) in observed.iter().zip(pmf) {
            pooled_o += o;
            pooled_e += n * p;
            if pooled_e >= 5.0 {
                stat += (pooled_o - pooled_e).powi(2) / pooled_e;
                cells += 1.0;
                pooled_o = 0.0;
                pooled_e = 0.0;
            }
        }
        if pooled_e > 0.0 {
            stat += (pooled_o - pooled_e).powi(2) / pooled_e.max(1e-300);
            cells += 1.0;
        }
        (stat, cells - 1.0)
    }

    /// Upper 1e-4 quantile of chi-square with `df` degrees of freedom (Wilson–Hilferty).
    fn chi_square_critical(df: f64) -> f64 {
        let z = 3.719;
        let h = 2.0 / (9.0 * df);
        df * (1.0 - h + z * h.sqrt()).powi(3)
    }

    /// Mean and variance within 5 standard errors of the closed forms, over
    /// small (inversion) and large (approximation) `n·p`, both sides of 1/2.
    #[test]
    fn binomial_mean_and_variance_match_closed_forms() {
        let mut r = Stochastic::new(11);
        let draws = 40_000usize;
        for (n, p) in [
            (3.0, 0.2),
            (25.0, 0.02),
            (1_000.0, 0.001),
            (19.0, 0.5),
            (100.0, 0.09),
            (100.0, 0.11),
            (200.0, 0.3),
            (5_000.0, 0.03),
            (1_000_000.0, 0.25),
            (80.0, 0.85),
            (10_000.0, 0.999_5),
        ] {
            let xs: Vec<f64> = (0..draws).map(|_| r.binomial(n, p)).collect();
            assert!(xs.iter().all(|x| *x >= 0.0 && *x <= n && x.fract() == 0.0), "n {n} p {p}");
            let (m, v) = mean_var(&xs);
            let (mu, var) = (n * p, n * p * (1.0 - p));
            // SE of the sample variance: sqrt((μ4 - σ⁴)/N), with μ4 = npq(1 + 3(n-2)pq).
            let mu4 = var * (1.0 + 3.0 * (n - 2.0) * p * (1.0 - p));
            let se_m = (var / draws as f64).sqrt();
            let se_v = ((mu4 - var * var).max(var * var * 1e-6) / draws as f64).sqrt();
            assert!((m - mu).abs() < 5.0 * se_m, "n {n} p {p}: mean {m} vs {mu} (SE {se_m})");
            assert!((v - var).abs() < 5.0 * se_v, "n {n} p {p}: variance {v} vs {var} (SE {se_v})");
        }
    }

    #[test]
    fn poisson_mean_and_variance_match_closed_forms() {
        let mut r = Stochastic::new(12);
        let draws = 40_000usize;
        for mean in [0.01, 0.7, 4.0, 9.99, 10.0, 35.0, 400.0, 1.0e6] {
            let xs: Vec<f64> = (0..draws).map(|_| r.poisson(mean)).collect();
            assert!(xs.iter().all(|x| *x >= 0.0 && x.fract() == 0.0), "mean {mean}");
            let (m, v) = mean_var(&xs);
            let se_m = (mean / draws as f64).sqrt();
            let se_v = ((mean * (1.0 + 3.0 * mean) - mean * mean) / draws as f64).sqrt();
            assert!((m - mean).abs() < 5.0 * se_m, "mean {m} vs {mean} (SE {se_m})");
            assert!((v - mean).abs() < 5.0 * se_v, "variance {v} vs {mean} (SE {se_v})");
        }
    }

    /// The whole distribution, not just two moments: chi-square goodness of fit
    /// (rejecting at 1e-4, a fixed seed) on both samplers of each distribution.
    #[test]
    fn samplers_pass_chi_square_goodness_of_fit() {
        let mut r = Stochastic::new(13);
        let draws = 100_000;
        for (n, p) in [(12usize, 0.3), (60, 0.1), (60, 0.2), (400, 0.05), (1_000, 0.4), (300, 0.93)] {
            let xs: Vec<f64> = (0..draws).map(|_| r.binomial(n as f64, p)).collect();
            let (stat, df) = chi_square(&xs, &binomial_pmf(n, p));
            assert!(stat < chi_square_critical(df), "binomial({n}, {p}): chi-square {stat} on {df} df");
        }
        for mean in [2.5f64, 9.0, 10.5, 60.0, 700.0] {
            let max = (mean + 12.0 * mean.sqrt() + 30.0) as usize;
            let xs: Vec<f64> = (0..draws).map(|_| r.poisson(mean)).collect();
            let (stat, df) = chi_square(&xs, &poisson_pmf(mean, max));
            assert!(stat < chi_square_critical(df), "poisson({mean}): chi-square {stat} on {df} df");
        }
    }

    /// With a tiny p the draw is almost always 0, with probability (1-p)^n.
    #[test]
    fn binomial_with_tiny_p_is_zero_with_the_right_probability() {
        let mut r = Stochastic::new(14);
        let draws = 200_000.0;
        for (n, p) in [(1.0, 1e-9), (50.0, 1e-6), (3_000.0, 1e-5), (10.0, 1e-300)] {
            let zeros = (0..draws as usize).filter(|_| r.binomial(n, p) == 0.0).count() as f64;
            let want = (n * (-p).ln_1p()).exp();
            let se = (want * (1.0 - want) / draws).sqrt().max(1.0 / draws);
            assert!((zeros / draws - want).abs() < 5.0 * se, "n {n} p {p}: {} zeros vs {want}", zeros / draws);
        }
    }

    /// A prepared split is a multinomial: with everyone leaving, each outcome's
    /// count has the binomial mean and variance, counts are whole and sum to the stock.
    #[test]
    fn prepared_split_is_multinomial() {
        let mut r = Stochastic::new(15);
        let probs = [0.02, 0.0, 0.005, 0.01, 0.0003];
        let table = SplitTable::new(&probs);
        let mut out = [0.0; 5];
        for stock in [7.0, 150.0, 2_500.0] {
            let draws = 20_000;
            let mut per: Vec<Vec<f64>> = vec![Vec::new(); 5];
            for _ in 0..draws {
                r.split_table(stock, &table, &mut out);
                assert!(out.iter().all(|x| *x >= 0.0 && x.fract() == 0.0) && out.iter().sum::<f64>() <= stock);
                assert_eq!(out[1], 0.0);
                for k in 0..5 {
                    per[k].push(out[k]);
                }
            }
            for (k, p) in probs.iter().enumerate() {
                let (m, v) = mean_var(&per[k]);
                let (mu, var) = (stock * p, stock * p * (1.0 - p));
                let mu4 = var * (1.0 + 3.0 * (stock - 2.0) * p * (1.0 - p));
                let se_m = (var / draws as f64).sqrt().max(1e-12);
                let se_v = ((mu4 - var * var).max(0.0) / draws as f64).sqrt().max(1e-12);
                assert!((m - mu).abs() < 5.0 * se_m, "stock {stock} outcome {k}: mean {m} vs {mu}");
                assert!((v - var).abs() < 5.0 * se_v, "stock {stock} outcome {k}: variance {v} vs {var}");
            }
        }
        let all = SplitTable::new(&[0.25, 0.5, 0.25]);
        let mut out3 = [0.0; 3];
        r.split_table(1_000.5, &all, &mut out3);
        assert_eq!(out3.iter().sum::<f64>(), 1_000.5, "probabilities summing to 1 take everyone");
    }

    /// Φ⁻¹ against statrs's (a second implementation, through `erfc_inv`):
    /// within Acklam's stated relative error, from 2^-54 to 1 - 2^-54.
    #[test]
    fn normal_quantile_matches_statrs() {
        use statrs::distribution::{ContinuousCDF, Normal};
        let reference = Normal::standard();
        let mut us: Vec<f64> = (1..20_000).map(|i| i as f64 / 20_000.0).collect();
        us.extend([2f64.powi(-54), 1e-12, 1e-6, 0.024_25, 0.024_249_999, 0.975_75, 1.0 - 1e-9, 1.0 - 2f64.powi(-53)]);
        for u in us {
            let (got, want) = (normal_quantile(u), reference.inverse_cdf(u));
            assert!((got - want).abs() <= 1.5e-9 * want.abs() + 1e-14, "u {u}: {got} vs {want}");
        }
        assert_eq!(normal_quantile(0.5), 0.0);
        // The extreme uniforms the sampler can give have finite quantiles
        // (with 53 bits the largest rounded to 1 and gave NaN).
        for bits in [0, u64::MAX, u64::MAX - 1, 1 << 12, u64::MAX << 12] {
            let u = open_uniform(bits);
            assert!(u > 0.0 && u < 1.0 && normal_quantile(u).is_finite(), "bits {bits:#x}: u {u}");
        }
    }

    /// The counts drawn by the skew-corrected normal, two ways. First, the
    /// approximation itself: its law, found by solving its quadratic in `z` for
    /// each count's edges (not by running the sampler), is within the stated
    /// total variation of the exact Poisson and binomial laws at the smallest
    /// mean it is used for. Second, the sampler draws that law (chi-square).
    #[test]
    fn approximate_counts_are_within_the_stated_distance_of_the_exact_laws() {
        use statrs::distribution::{ContinuousCDF, Normal};
        let phi = Normal::standard();
        // P(count <= k) = Φ(z) where mean + sd·z + c·(z² - 1) = k + 1/2, c = skew_sd/6.
        let law = |mean: f64, sd: f64, skew_sd: f64, max: usize| -> Vec<f64> {
            let c = skew_sd / 6.0;
            let cdf = |k: f64| {
                let t = k + 0.5;
                let z = if c.abs() < 1e-12 {
                    (t - mean) / sd
                } else {
                    (-sd + (sd * sd - 4.0 * c * (mean - c - t)).max(0.0).sqrt()) / (2.0 * c)
                };
                phi.cdf(z)
            };
            let mut pmf: Vec<f64> =
                (0..=max).map(|k| cdf(k as f64) - if k == 0 { 0.0 } else { cdf(k as f64 - 1.0) }).collect();
            // Counts the clamp folds in: below 0 onto 0, above `max` onto `max`.
            pmf[max] += 1.0 - cdf(max as f64);
            pmf
        };
        let total_variation = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>() / 2.0;
        let mut r = Stochastic::new(21);
        let draws = 200_000;
        for (mean, bound) in [(10.0f64, 0.0025), (12.5, 0.0022), (50.0, 0.0006)] {
            let max = (mean + 15.0 * mean.sqrt()) as usize;
            let approx = law(mean, mean.sqrt(), 1.0, max);
            let exact = poisson_pmf(mean, max);
            let tv = total_variation(&approx, &exact);
            assert!(tv < bound, "poisson({mean}): total variation {tv}");
            let xs: Vec<f64> = (0..draws).map(|_| r.poisson(mean)).collect();
            let (stat, df) = chi_square(&xs, &approx);
            assert!(stat < chi_square_critical(df), "poisson({mean}) against its approximation: {stat} on {df} df");
        }
        for (n, p, bound) in [(200usize, 0.05f64, 0.0025), (20, 0.5, 0.004), (120, 0.9, 0.0025), (100, 0.5, 0.001)] {
            let small = p.min(1.0 - p);
            let (mean, sd) = (n as f64 * small, (n as f64 * small * (1.0 - small)).sqrt());
            let mut approx = law(mean, sd, 1.0 - 2.0 * small, n);
            if p > 0.5 {
                approx.reverse();
            }
            let tv = total_variation(&approx, &binomial_pmf(n, p));
            assert!(tv < bound, "binomial({n}, {p}): total variation {tv}");
            let xs: Vec<f64> = (0..draws).map(|_| r.binomial(n as f64, p)).collect();
            let (stat, df) = chi_square(&xs, &approx);
            assert!(stat < chi_square_critical(df), "binomial({n}, {p}) against its approximation: {stat} on {df} df");
        }
    }

    /// An alias table gives each outcome its share: the chance of each slot
    /// (1/n) times the chance of keeping or of taking the alias, summed.
    #[test]
    fn alias_tables_give_each_outcome_its_share() {
        for shares in
            [vec![1.0], vec![0.5, 0.5], vec![0.7, 0.2, 0.1], vec![0.368, 0.223, 0.137, 0.224, 0.029, 0.018, 0.001]]
        {
            let total: f64 = shares.iter().sum();
            let n = shares.len();
            let mut scaled: Vec<f64> = shares.iter().map(|s| s * n as f64 / total).collect();
            let (mut stack, mut slots) = (Vec::new(), vec![AliasSlot::default()]);
            let outcomes: Vec<usize> = (0..n).collect();
            alias_table(&outcomes, &mut scaled, &mut stack, &mut slots);
            let mut got = vec![0.0; n];
            for s in &slots[1..] {
                let keep = s.keep_below as f64 / 4_294_967_296.0;
                assert!(keep <= 1.0);
                got[s.keep as usize] += keep / n as f64;
                got[s.alias as usize] += (1.0 - keep) / n as f64;
            }
            for (g, s) in got.iter().zip(&shares) {
                assert!((g - s / total).abs() < 1e-9, "{shares:?}: {got:?}");
            }
        }
    }

    /// A split shaped like the national model's states (a few large outcomes
    /// drawn by approximate binomials, the small ones child by child): each
    /// outcome's mean and variance and two outcomes' covariance are the
    /// multinomial's, `n·p_i`, `n·p_i(1 - p_i)` and `-n·p_i·p_j`, within 5
    /// standard errors; and when everybody leaves, the outcomes take the whole stock.
    #[test]
    fn prepared_split_of_a_national_state_is_multinomial() {
        let mut r = Stochastic::new(16);
        let shares = [0.368, 0.0, 0.223, 0.137, 0.224, 0.029, 0.018, 0.001];
        for (stock, total) in [(1_348.0, 0.04), (10_151.0, 0.0144), (300.0, 1.0)] {
            let probs: Vec<f64> = shares.iter().map(|s| s * total).collect();
            let table = SplitTable::new(&probs);
            let draws = 20_000;
            let mut out = vec![0.0; probs.len()];
            let mut per: Vec<Vec<f64>> = vec![Vec::new(); probs.len()];
            for _ in 0..draws {
                r.split_table(stock, &table, &mut out);
                let taken: f64 = out.iter().sum();
                assert!(out.iter().all(|x| *x >= 0.0 && x.fract() == 0.0) && taken <= stock);
                if total == 1.0 {
                    assert_eq!(taken, stock, "everybody leaves");
                }
                for (v, x) in per.iter_mut().zip(&out) {
                    v.push(*x);
                }
            }
            let n = draws as f64;
            for (k, p) in probs.iter().enumerate() {
                let (m, v) = mean_var(&per[k]);
                let (mu, var) = (stock * p, stock * p * (1.0 - p));
                let mu4 = var * (1.0 + 3.0 * (stock - 2.0) * p * (1.0 - p));
                let se_m = (var / n).sqrt().max(1e-12);
                let se_v = ((mu4 - var * var).max(0.0) / n).sqrt().max(1e-12);
                assert!((m - mu).abs() < 5.0 * se_m, "stock {stock} outcome {k}: mean {m} vs {mu}");
                assert!((v - var).abs() < 5.0 * se_v, "stock {stock} outcome {k}: variance {v} vs {var}");
            }
            for (i, j) in [(0, 2), (2, 5), (4, 6)] {
                let (mi, vi) = mean_var(&per[i]);
                let (mj, vj) = mean_var(&per[j]);
                let cov = per[i].iter().zip(&per[j]).map(|(a, b)| (a - mi) * (b - mj)).sum::<f64>() / (n - 1.0);
                let want = -stock * probs[i] * probs[j];
                let se = ((vi * vj + want * want) / n).sqrt();
                assert!((cov - want).abs() < 5.0 * se, "stock {stock} outcomes {i},{j}: covariance {cov} vs {want}");
            }
        }
    }
}
