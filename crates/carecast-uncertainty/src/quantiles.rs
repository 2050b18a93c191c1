//! Quantiles of many output cells over many Monte Carlo draws without holding
//! every draw: an exact pilot, then fixed bins per cell with integer counts.
//!
//! What it is not: a general streaming sketch (t-digest, GK). Its bins are fixed
//! by the pilot so that counting is commutative: the result does not depend on
//! the order in which the draws after the pilot arrive, nor on how partial
//! accumulators are merged, so any number of threads gives byte-identical output.
//!
//! # How it works
//!
//! 1. **Pilot.** The first `pilot` draws pushed (default 1,000) are kept exactly.
//!    The caller pushes draws `0..pilot` first (in draw order, so the pilot is
//!    the same set of draws whatever the threads). While the accumulator holds
//!    no more than `pilot` draws, [`QuantileAccumulator::quantiles`] is the exact
//!    type-7 quantile (linear interpolation between order statistics, R's and
//!    numpy's default), bit for bit the same as sorting the values.
//! 2. **Bins.** When the pilot is complete, each cell gets `bins` equal bins
//!    (default 2,048) over the pilot's range widened by `margin` (default 25%)
//!    of that range on each side (a constant pilot gets a range of ±1e-6 ×
//!    max(|value|, 1) around it). Every later draw adds 1 to its bin, or to
//!    the count below or above the bins, and updates the exact min and max.
//! 3. **Parallel.** [`QuantileAccumulator::fork`] gives an empty accumulator
//!    with the same bins; workers push draws into forks; forks are merged
//!    ([`QuantileAccumulator::merge`]: counts added, min/max combined) in any
//!    order and finally into the accumulator that holds the pilot.
//! 4. **Quantiles.** Pilot values are counted into the bins; a type-7 quantile
//!    needs order statistics of rank ⌊h⌋ and ⌊h⌋+1 (h = (n−1)q); each is
//!    located in its bin and placed at its position among the bin's values
//!    assuming they are evenly spread over the bin (narrowed to the exact
//!    min/max), the lowest rank is the exact min and the highest the exact max.
//!
//! # Error bound
//!
//! Each order statistic lies in the bin it was counted in, so the estimate is
//! within **one bin width** of the exact type-7 quantile of all draws
//! (`(1 + 2 × margin) × pilot range / bins`, about 0.073% of the pilot's range
//! with the defaults), provided the order statistics involved fall inside the
//! bins. If one falls below or above the bins (only when a large share of the
//! later draws lies outside the widened pilot range) the bound is the distance
//! from the bins' edge to the exact min or max instead.
//! [`QuantileAccumulator::max_errors`] gives the bound that applies to each
//! estimate (0 while exact).
//!
//! Memory: `cells × (pilot + bins)` numbers (8-byte pilot values, 4-byte
//! counts), independent of the number of draws.

use crate::error::{Result, UncertaintyError};
use std::cmp::Ordering;

/// Settings of a [`QuantileAccumulator`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuantileConfig {
    /// Draws kept exactly (at least 2).
    pub pilot: usize,
    /// Bins per cell after the pilot (at least 1).
    pub bins: usize,
    /// Widening of the pilot range on each side, as a fraction of it (>= 0, finite).
    pub margin: f64,
}

impl Default for QuantileConfig {
    fn default() -> Self {
        Self { pilot: 1000, bins: 2048, margin: 0.25 }
    }
}

/// Per cell: the bins' lower edge and width.
#[derive(Debug, Clone, PartialEq)]
struct Layout {
    lo: Vec<f64>,
    width: Vec<f64>,
}

/// Quantiles of `cells` output cells over draws; see the module documentation.
#[derive(Debug, Clone)]
pub struct QuantileAccumulator {
    cells: usize,
    config: QuantileConfig,
    /// Pilot values, draw-major (`pilot_n × cells`); empty in forks.
    pilot: Vec<f64>,
    pilot_n: usize,
    /// Whether this accumulator holds (or is collecting) the pilot; forks do not.
    holds_pilot: bool,
    layout: Option<Layout>,
    /// Cell-major counts of the draws after the pilot (`cells × bins`).
    counts: Vec<u32>,
    below: Vec<u32>,
    above: Vec<u32>,
    min: Vec<f64>,
    max: Vec<f64>,
    binned_n: u64,
}

/// One cell's bins while values are counted into them: the counts, those
/// below and above the bins, and the exact min and max.
struct CellCount<'a, C> {
    lo: f64,
    width: f64,
    counts: &'a mut [C],
    below: C,
    above: C,
    min: f64,
    max: f64,
}

impl<C: Copy + std::ops::AddAssign + From<u8>> CellCount<'_, C> {
    /// Counts `v` into its bin, or below or above the bins.
    #[inline]
    fn add(&mut self, v: f64) {
        let t = (v - self.lo) / self.width;
        if t < 0.0 {
            self.below += C::from(1);
        } else if t >= self.counts.len() as f64 {
            self.above += C::from(1);
        } else {
            self.counts[(t as usize).min(self.counts.len() - 1)] += C::from(1);
        }
        self.min = total_min(self.min, v);
        self.max = total_max(self.max, v);
    }
}

/// Minimum under the total order (so -0.0 and 0.0 combine the same way in any order).
fn total_min(a: f64, b: f64) -> f64 {
    if b.total_cmp(&a) == Ordering::Less { b } else { a }
}

fn total_max(a: f64, b: f64) -> f64 {
    if b.total_cmp(&a) == Ordering::Greater { b } else { a }
}

/// Type-7 quantile of sorted values (the arithmetic of the binary's original `montecarlo::percentile`).
pub fn type7(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * q;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// Type-7 quantiles `probs` of unsorted `values`, equal bit for bit to
/// sorting (under the total order) and calling [`type7`], without sorting
/// them all: the values are counted into about `n / 8` equal-width buckets
/// between their minimum and maximum (bucket order is value order, as the
/// bucket index never decreases with the value), and only the values of the
/// buckets holding a rank that is read are gathered and sorted (the
/// percentiles of a 1,000-draw council run take 45 M instructions; sorting
/// took 166 M, and laying every bucket out 55-81 M). Values that are not all
/// finite, or too few to bucket, are sorted. May reorder `values`; `probs`
/// are in [0, 1].
pub fn type7_unsorted(values: &mut [f64], probs: &[f64]) -> Vec<f64> {
    let n = values.len();
    if n <= 1 {
        return probs.iter().map(|_| values.first().copied().unwrap_or(f64::NAN)).collect();
    }
    // The two ranks each quantile reads, as in `type7`.
    let ranks_of = |q: f64| {
        let h = (n - 1) as f64 * q;
        let lo = (h.floor() as usize).min(n - 1);
        (h, lo, (lo + 1).min(n - 1))
    };
    // The quantiles from the value at each rank read.
    let quantiles = |at: &dyn Fn(usize) -> f64| -> Vec<f64> {
        probs
            .iter()
            .map(|&q| {
                let (h, lo, hi) = ranks_of(q);
                at(lo) + (h - lo as f64) * (at(hi) - at(lo))
            })
            .collect()
    };
    // The range and whether every value is finite, in one branch-free pass
    // (a NaN or an infinity sends the column to the plain sort below).
    let (mut min, mut max, mut finite) = (f64::INFINITY, f64::NEG_INFINITY, true);
    for &v in values.iter() {
        min = if v < min { v } else { min };
        max = if v > max { v } else { max };
        finite &= v.abs() < f64::INFINITY;
    }
    let width = max - min;
    let buckets = n / 8;
    if buckets < 2 || !(finite && width.is_finite() && width > 0.0) {
        values.sort_unstable_by(f64::total_cmp);
        return quantiles(&|r| values[r]);
    }
    let scale = buckets as f64 / width;
    // Counting sort by bucket: `starts[b]` is where bucket b begins. Any
    // bucket index that never decreases as the value grows keeps the ranks
    // exact; `(v - min) * scale` (in 0..=buckets, far below 2^31) is rounded
    // to the nearest whole number by adding 2^52 and reading the low bits,
    // cheaper than a saturating float-to-integer cast.
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    let last = buckets as u32 - 1;
    let index: Vec<u32> = values.iter().map(|&v| (((v - min) * scale + TWO_52).to_bits() as u32).min(last)).collect();
    let mut starts = vec![0usize; buckets + 1];
    for &b in &index {
        starts[b as usize + 1] += 1;
    }
    for b in 0..buckets {
        starts[b + 1] += starts[b];
    }
    // The buckets holding a rank that is read, in order, each given a slot.
    let bucket_of = |r: usize| starts.partition_point(|&s| s <= r) - 1;
    let mut wanted: Vec<usize> = probs
        .iter()
        .flat_map(|&q| {
            let (_, lo, hi) = ranks_of(q);
            [bucket_of(lo), bucket_of(hi)]
        })
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    const NONE: u32 = u32::MAX;
    let mut slot = vec![NONE; buckets];
    for (k, &b) in wanted.iter().enumerate() {
        slot[b] = k as u32;
    }
    // Only those buckets' values are gathered (in one pass) and sorted.
    let mut gathered: Vec<Vec<f64>> = wanted.iter().map(|&b| Vec::with_capacity(starts[b + 1] - starts[b])).collect();
    for (&v, &b) in values.iter().zip(&index) {
        let k = slot[b as usize];
        if k != NONE {
            gathered[k as usize].push(v);
        }
    }
    for bucket in &mut gathered {
        bucket.sort_unstable_by(f64::total_cmp);
    }
    quantiles(&|r| {
        let b = bucket_of(r);
        gathered[slot[b] as usize][r - starts[b]]
    })
}

impl QuantileAccumulator {
    /// An empty accumulator for `cells` cells.
    pub fn new(cells: usize, config: QuantileConfig) -> Result<Self> {
        if config.pilot < 2 {
            return Err(UncertaintyError::InvalidConfig { expected: "a pilot of at least 2 draws" });
        }
        if config.bins == 0 || config.bins > 1 << 24 {
            return Err(UncertaintyError::InvalidConfig { expected: "between 1 and 2^24 bins" });
        }
        if !(config.margin >= 0.0 && config.margin.is_finite()) {
            return Err(UncertaintyError::InvalidConfig { expected: "a finite margin >= 0" });
        }
        Ok(Self {
            cells,
            config,
            pilot: Vec::new(),
            pilot_n: 0,
            holds_pilot: true,
            layout: None,
            counts: Vec::new(),
            below: Vec::new(),
            above: Vec::new(),
            min: Vec::new(),
            max: Vec::new(),
            binned_n: 0,
        })
    }

    /// The number of cells.
    pub fn cells(&self) -> usize {
        self.cells
    }

    /// The settings.
    pub fn config(&self) -> QuantileConfig {
        self.config
    }

    /// Draws pushed into this accumulator and those merged into it.
    pub fn draws(&self) -> u64 {
        self.pilot_n as u64 + self.binned_n
    }

    /// Adds one draw: one value per cell. Into the pilot while it has fewer
    /// than `pilot` draws (in an accumulator from [`QuantileAccumulator::new`]),
    /// else into the bins. On error nothing is added.
    pub fn push(&mut self, values: &[f64]) -> Result<()> {
        if values.len() != self.cells {
            return Err(UncertaintyError::LengthMismatch {
                what: "values of one draw",
                expected: self.cells,
                got: values.len(),
            });
        }
        if self.cells == 0 {
            // No cells: the draw is only counted.
            if self.holds_pilot && self.pilot_n < self.config.pilot {
                self.pilot_n += 1;
            } else {
                self.binned_n += 1;
            }
            return Ok(());
        }
        self.push_block(values)
    }

    /// Adds a block of draws at once, draw-major (`values.len()` a multiple
    /// of the number of cells): the same counts as pushing them one by one,
    /// but binned cell by cell, so each cell's bins are touched for the whole
    /// block together instead of once a draw (with about 1,000 cells of 2,048
    /// bins the counts do not fit in cache, and a draw at a time cost a cache
    /// miss a cell). Draws go to the pilot first while it is incomplete. The
    /// block is checked whole first: on error (a length that is not a
    /// multiple of the cells, a value that is not finite) nothing is added.
    pub fn push_block(&mut self, values: &[f64]) -> Result<()> {
        let cells = self.cells.max(1);
        if values.is_empty() || !values.len().is_multiple_of(cells) || self.cells == 0 {
            return Err(UncertaintyError::LengthMismatch {
                what: "values of a block of draws (a whole number of draws)",
                expected: self.cells,
                got: values.len(),
            });
        }
        if let Some((i, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(UncertaintyError::NonFiniteValue {
                cell: i % cells,
                draw: self.draws() + (i / cells) as u64,
                value,
            });
        }
        let n = values.len() / cells;
        if self.draws() + n as u64 > u64::from(u32::MAX) {
            return Err(UncertaintyError::TooManyDraws { max: u64::from(u32::MAX) });
        }
        let mut rest = values;
        if self.holds_pilot && self.pilot_n < self.config.pilot {
            let take = n.min(self.config.pilot - self.pilot_n);
            self.pilot.extend_from_slice(&rest[..take * cells]);
            self.pilot_n += take;
            rest = &rest[take * cells..];
        }
        if rest.is_empty() {
            return Ok(());
        }
        self.ensure_bins()?;
        let bins = self.config.bins;
        let Some(layout) = &self.layout else { return Err(UncertaintyError::PilotIncomplete { have: 0, need: 0 }) };
        for c in 0..cells {
            let mut cell = CellCount {
                lo: layout.lo[c],
                width: layout.width[c],
                counts: &mut self.counts[c * bins..(c + 1) * bins],
                below: 0,
                above: 0,
                min: self.min[c],
                max: self.max[c],
            };
            for draw in rest.chunks_exact(cells) {
                cell.add(draw[c]);
            }
            self.below[c] += cell.below;
            self.above[c] += cell.above;
            (self.min[c], self.max[c]) = (cell.min, cell.max);
        }
        self.binned_n += (rest.len() / cells) as u64;
        Ok(())
    }

    /// Derives the bins from the complete pilot, if not done yet, and allocates the counts.
    fn ensure_bins(&mut self) -> Result<()> {
        if self.layout.is_some() {
            return Ok(());
        }
        if !self.holds_pilot || self.pilot_n < self.config.pilot {
            return Err(UncertaintyError::PilotIncomplete { have: self.pilot_n, need: self.config.pilot });
        }
        self.layout = Some(self.derive_layout());
        self.allocate_counts();
        Ok(())
    }

    fn allocate_counts(&mut self) {
        self.counts = vec![0; self.cells * self.config.bins];
        self.below = vec![0; self.cells];
        self.above = vec![0; self.cells];
        self.min = vec![f64::INFINITY; self.cells];
        self.max = vec![f64::NEG_INFINITY; self.cells];
    }

    fn derive_layout(&self) -> Layout {
        let bins = self.config.bins as f64;
        let (mut lo, mut width) = (Vec::with_capacity(self.cells), Vec::with_capacity(self.cells));
        for c in 0..self.cells {
            let (mut a, mut b) = (f64::INFINITY, f64::NEG_INFINITY);
            for d in 0..self.pilot_n {
                let v = self.pilot[d * self.cells + c];
                a = a.min(v);
                b = b.max(v);
            }
            let range = b - a;
            let (start, span) = if range > 0.0 && range.is_finite() {
                (a - self.config.margin * range, range * (1.0 + 2.0 * self.config.margin))
            } else {
                let h = 1e-6 * a.abs().max(1.0);
                (a - h, 2.0 * h)
            };
            lo.push(start);
            width.push(span / bins);
        }
        Layout { lo, width }
    }

    /// An empty accumulator with the same cells, settings and bins, for a worker
    /// to push later draws into and then [`merge`](QuantileAccumulator::merge).
    /// Needs the pilot to be complete (derives the bins if not done yet).
    pub fn fork(&mut self) -> Result<Self> {
        self.ensure_bins()?;
        let mut fork = Self {
            cells: self.cells,
            config: self.config,
            pilot: Vec::new(),
            pilot_n: 0,
            holds_pilot: false,
            layout: self.layout.clone(),
            counts: Vec::new(),
            below: Vec::new(),
            above: Vec::new(),
            min: Vec::new(),
            max: Vec::new(),
            binned_n: 0,
        };
        fork.allocate_counts();
        Ok(fork)
    }

    /// Adds `other`'s binned draws to this one. `other` must be a fork (or a
    /// merge of forks) of this accumulator or of one with the same pilot;
    /// merging an accumulator with no draws is a no-op. Counts are integers
    /// and min/max use a total order, so merge order does not matter.
    pub fn merge(&mut self, other: &Self) -> Result<()> {
        if other.draws() == 0 && other.cells == self.cells {
            return Ok(());
        }
        if other.cells != self.cells || other.config != self.config {
            return Err(UncertaintyError::IncompatibleAccumulators { expected: "the same cells and settings" });
        }
        if other.holds_pilot {
            return Err(UncertaintyError::IncompatibleAccumulators {
                expected: "merge forks into the accumulator that holds the pilot, not the other way round",
            });
        }
        if self.draws() + other.draws() > u64::from(u32::MAX) {
            return Err(UncertaintyError::TooManyDraws { max: u64::from(u32::MAX) });
        }
        if self.layout.is_none() && self.holds_pilot {
            self.ensure_bins()?;
        }
        if self.layout != other.layout {
            return Err(UncertaintyError::IncompatibleAccumulators {
                expected: "forks of an accumulator with the same pilot (same bins)",
            });
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        for c in 0..self.cells {
            self.below[c] += other.below[c];
            self.above[c] += other.above[c];
            self.min[c] = total_min(self.min[c], other.min[c]);
            self.max[c] = total_max(self.max[c], other.max[c]);
        }
        self.binned_n += other.binned_n;
        Ok(())
    }

    /// The quantiles `probs` (each in [0, 1]) of every cell: `result[cell][k]`
    /// for `probs[k]`. Exact type-7 while the accumulator holds no more than
    /// the pilot; else within the bound of [`QuantileAccumulator::max_errors`].
    pub fn quantiles(&self, probs: &[f64]) -> Result<Vec<Vec<f64>>> {
        self.all_estimates(probs, |e| e.0)
    }

    /// The quantiles `probs` of one cell.
    pub fn cell_quantiles(&self, cell: usize, probs: &[f64]) -> Result<Vec<f64>> {
        if cell >= self.cells {
            return Err(UncertaintyError::CellOutOfRange { cell, cells: self.cells });
        }
        Ok(self.cell_estimates(cell, probs)?.into_iter().map(|e| e.0).collect())
    }

    /// For every cell and probability, the guaranteed bound on
    /// |estimate − exact type-7 quantile of all draws|: 0 while exact, one bin
    /// width (or less) when the order statistics lie in the bins, else the
    /// distance from the bins to the exact min or max.
    pub fn max_errors(&self, probs: &[f64]) -> Result<Vec<Vec<f64>>> {
        self.all_estimates(probs, |e| e.1)
    }

    /// `pick` of every cell's (estimate, bound) per probability. The pilot is
    /// stored draw by draw, so the cells' columns are gathered a few cells at
    /// a time (one pass over the draws reads a cache line of each).
    fn all_estimates(&self, probs: &[f64], pick: impl Fn((f64, f64)) -> f64) -> Result<Vec<Vec<f64>>> {
        const CELLS_A_PASS: usize = 8;
        let mut out = Vec::with_capacity(self.cells);
        let mut columns: Vec<Vec<f64>> = (0..CELLS_A_PASS).map(|_| Vec::with_capacity(self.pilot_n)).collect();
        for first in (0..self.cells).step_by(CELLS_A_PASS) {
            let cells = first..(first + CELLS_A_PASS).min(self.cells);
            columns.iter_mut().for_each(Vec::clear);
            for draw in self.pilot[..self.pilot_n * self.cells].chunks_exact(self.cells) {
                for (column, v) in columns.iter_mut().zip(&draw[cells.clone()]) {
                    column.push(*v);
                }
            }
            for (cell, column) in cells.zip(&mut columns) {
                out.push(self.estimates_from(cell, column, probs)?.into_iter().map(&pick).collect());
            }
        }
        Ok(out)
    }

    /// The bin width of a cell (`None` before the bins exist).
    pub fn bin_width(&self, cell: usize) -> Option<f64> {
        self.layout.as_ref().and_then(|l| l.width.get(cell).copied())
    }

    /// (estimate, bound) per probability for one cell.
    fn cell_estimates(&self, cell: usize, probs: &[f64]) -> Result<Vec<(f64, f64)>> {
        let mut column: Vec<f64> = (0..self.pilot_n).map(|d| self.pilot[d * self.cells + cell]).collect();
        self.estimates_from(cell, &mut column, probs)
    }

    /// [`Self::cell_estimates`] given the cell's pilot values (`column`, reordered).
    fn estimates_from(&self, cell: usize, column: &mut [f64], probs: &[f64]) -> Result<Vec<(f64, f64)>> {
        if let Some(&p) = probs.iter().find(|p| !(0.0..=1.0).contains(*p)) {
            return Err(UncertaintyError::ProbabilityOutOfRange { p });
        }
        if self.draws() == 0 {
            return Err(UncertaintyError::NoDraws);
        }
        let Some(layout) = self.layout.as_ref().filter(|_| self.binned_n > 0) else {
            // Values equal under the total order are the same bits, so any
            // selection gives the same order statistics as a stable sort.
            return Ok(type7_unsorted(column, probs).into_iter().map(|v| (v, 0.0)).collect());
        };
        // Binned: the pilot is counted into the bins, in any order.
        let bins = self.config.bins;
        let (lo, width) = (layout.lo[cell], layout.width[cell]);
        // Histogram of pilot and binned draws together.
        let mut counts: Vec<u64> = self.counts[cell * bins..(cell + 1) * bins].iter().map(|&c| u64::from(c)).collect();
        let mut histogram = CellCount {
            lo,
            width,
            counts: &mut counts,
            below: u64::from(self.below[cell]),
            above: u64::from(self.above[cell]),
            min: self.min[cell],
            max: self.max[cell],
        };
        for &v in column.iter() {
            histogram.add(v);
        }
        let CellCount { below, above, min, max, .. } = histogram;
        let n = self.draws();
        let hi_edge = lo + width * bins as f64;
        // Order statistic of 0-based rank r: (estimate, bound).
        let order_stat = |r: u64| -> (f64, f64) {
            if r == 0 {
                return (min, 0.0);
            }
            if r == n - 1 {
                return (max, 0.0);
            }
            let spread = |a: f64, b: f64, j: u64, c: u64| {
                let (a, b) = (a.max(min), b.min(max));
                (a + (j as f64 + 0.5) / c as f64 * (b - a), (b - a).max(0.0))
            };
            if r < below {
                return spread(min, lo, r, below);
            }
            let mut before = below;
            for (k, &c) in counts.iter().enumerate() {
                if r < before + c {
                    let a = lo + width * k as f64;
                    return spread(a, a + width, r - before, c);
                }
                before += c;
            }
            spread(hi_edge, max, r - before, above.max(1))
        };
        Ok(probs
            .iter()
            .map(|&q| {
                let h = (n - 1) as f64 * q;
                let r = (h.floor() as u64).min(n - 1);
                let (x0, e0) = order_stat(r);
                let (x1, e1) = order_stat((r + 1).min(n - 1));
                (x0 + (h - r as f64) * (x1 - x0), e0.max(e1))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_samples_match_known_type7_values() {
        // numpy.quantile([1..10], q) (default method 'linear').
        let mut acc = QuantileAccumulator::new(1, QuantileConfig::default()).unwrap();
        for v in [7.0, 1.0, 10.0, 4.0, 2.0, 9.0, 3.0, 6.0, 5.0, 8.0] {
            acc.push(&[v]).unwrap();
        }
        let q = acc.quantiles(&[0.05, 0.25, 0.5, 0.75, 0.95]).unwrap();
        assert_eq!(q[0], vec![1.45, 3.25, 5.5, 7.75, 9.549999999999999]);
        assert_eq!(acc.max_errors(&[0.5]).unwrap()[0], vec![0.0]);
    }

    #[test]
    fn bad_input_is_rejected_and_leaves_the_accumulator_unchanged() {
        let mut acc = QuantileAccumulator::new(2, QuantileConfig { pilot: 2, ..QuantileConfig::default() }).unwrap();
        assert!(matches!(acc.quantiles(&[0.5]), Err(UncertaintyError::NoDraws)));
        assert!(matches!(acc.push(&[1.0]), Err(UncertaintyError::LengthMismatch { .. })));
        assert!(matches!(acc.push(&[1.0, f64::NAN]), Err(UncertaintyError::NonFiniteValue { cell: 1, .. })));
        assert_eq!(acc.draws(), 0);
        assert!(matches!(acc.fork(), Err(UncertaintyError::PilotIncomplete { have: 0, need: 2 })));
        acc.push(&[1.0, 2.0]).unwrap();
        assert!(matches!(acc.quantiles(&[1.5]), Err(UncertaintyError::ProbabilityOutOfRange { .. })));
        assert!(matches!(acc.cell_quantiles(2, &[0.5]), Err(UncertaintyError::CellOutOfRange { .. })));
        assert!(QuantileAccumulator::new(1, QuantileConfig { bins: 0, ..QuantileConfig::default() }).is_err());
        assert!(QuantileAccumulator::new(1, QuantileConfig { margin: f64::NAN, ..QuantileConfig::default() }).is_err());
        acc.push(&[3.0, 4.0]).unwrap();
        let fork = acc.fork().unwrap();
        let mut other = QuantileAccumulator::new(2, QuantileConfig { pilot: 2, ..QuantileConfig::default() }).unwrap();
        other.push(&[0.0, 0.0]).unwrap();
        let mut fork2 = fork.clone();
        assert!(fork2.merge(&other).is_err(), "an accumulator with a pilot cannot be merged into a fork");
        other.push(&[10.0, 10.0]).unwrap();
        let mut other_fork = other.fork().unwrap();
        other_fork.push(&[5.0, 5.0]).unwrap();
        assert!(acc.merge(&other_fork).is_err(), "different pilots give different bins");
    }

    #[test]
    fn constant_cells_stay_exact() {
        let mut acc = QuantileAccumulator::new(1, QuantileConfig { pilot: 10, ..QuantileConfig::default() }).unwrap();
        for _ in 0..100 {
            acc.push(&[42.5]).unwrap();
        }
        assert_eq!(acc.quantiles(&[0.0, 0.05, 0.5, 1.0]).unwrap()[0], vec![42.5; 4]);
    }

    #[test]
    fn a_block_counts_the_same_as_its_draws_one_by_one() {
        // 3 cells, a pilot of 5 and 8 bins; 13 draws pushed one at a time and
        // as blocks of 4 (the second block straddles the end of the pilot).
        let config = QuantileConfig { pilot: 5, bins: 8, margin: 0.25 };
        let draws: Vec<[f64; 3]> =
            (0..13).map(|d| [d as f64, (d * 7 % 13) as f64 - 6.0, if d % 4 == 0 { 100.0 } else { 1.0 }]).collect();
        let mut one = QuantileAccumulator::new(3, config).unwrap();
        for d in &draws {
            one.push(d).unwrap();
        }
        let mut block = QuantileAccumulator::new(3, config).unwrap();
        for chunk in draws.chunks(4) {
            let flat: Vec<f64> = chunk.iter().flatten().copied().collect();
            block.push_block(&flat).unwrap();
        }
        assert_eq!(block.draws(), 13);
        // By hand, from the documented layout (pilot range widened by 25% a
        // side, 8 equal bins) and draws 5..13:
        // cell 0: pilot 0..=4, bins from -1 of width 0.75: 5..=12 all above;
        // cell 1: pilot -6..=2, bins from -8 of width 1.5: 3, -3, 4, -2, 5, -1, 6, 0
        //   fall in bins 7, 3, above, 4, above, 4, above, 5;
        // cell 2: pilot 1..=100, bins from -23.75 of width 18.5625: six 1s in bin 1, two 100s in bin 6.
        let mut want = vec![0u32; 24];
        (want[8 + 3], want[8 + 4], want[8 + 5], want[8 + 7]) = (1, 2, 1, 1);
        (want[16 + 1], want[16 + 6]) = (6, 2);
        assert_eq!(block.counts, want);
        assert_eq!((&block.below[..], &block.above[..]), (&[0, 0, 0][..], &[8, 3, 0][..]));
        assert_eq!(block.counts, one.counts);
        assert_eq!((&block.below, &block.above), (&one.below, &one.above));
        let probs = [0.05, 0.5, 0.95];
        assert_eq!(block.quantiles(&probs).unwrap(), one.quantiles(&probs).unwrap());
        // A ragged block and a non-finite value are refused whole.
        assert!(block.push_block(&[1.0, 2.0]).is_err());
        assert!(block.push_block(&[1.0, 2.0, 3.0, 4.0, f64::NAN, 6.0]).is_err());
        assert_eq!(block.draws(), 13);
    }
}
