//! The monthly stock-flow simulator: entries, exits by reason, placement moves,
//! transfers, capacity overflow, ageing, care leavers, and the money.
//!
//! What it is: a deterministic (expected-value) or stochastic (process-noise)
//! cohort model with state `children[age 0..=17][placement]`, stored flat as
//! `[age * n_placements + placement]`. What it is not: a scenario interpreter
//! (levers are already resolved into `YearParams`) or a writer of any output
//! (results are returned as data).
//!
//! Order of events within a month, all on the stock at the start of the month:
//! 1. exits by reason and placement moves compete for the same children: if a
//!    state's exit and move probabilities sum to more than 1 they are scaled
//!    down proportionally so its outflow never exceeds its stock;
//! 2. fixed transfers ("N children a month from A to B"), capped at the stock;
//! 3. ageing: 1/12 of each single year of age moves up a year (uniform
//!    birthdays); 1/12 of the 17-year-olds reach 18 and leave care, joining the
//!    care-leaver stock (18..=25; leavers age out of it at 26);
//! 4. entries, spread over single years by the entry age weights and over
//!    placements by the entry mix;
//! 5. reconciliation flows (signed, by band) — inflows join the band's current
//!    placement mix, outflows leave proportionally and never exceed the stock;
//! 6. capacity: any placement above its capacity sends the excess to its
//!    overflow placement (recorded as moves).
//!
//! Every movement out of care is an exit and every movement in is an entry, so
//! the month's stock change equals entries minus exits exactly.
//!
//! Process noise (a [`FlowDraw`] that is not [`Expected`]) draws what is
//! random at the resolution its probabilities are stated: exits and moves
//! as one multinomial per band and placement (every age in a band shares
//! its probabilities, so this is the same law as drawing each age and adding
//! the counts), exits by reason as a second, entries as one Poisson count
//! per band and placement, and reconciliation flows as counts. Within a band
//! the drawn flows fall on each single age pro rata (their expectation given
//! the band's counts), so single-age stocks are not whole numbers. Ageing is
//! not drawn: a child's birthday is fixed, so the share of a cohort reaching
//! the next age in a month is its expected 1/12 (drawing it as a binomial
//! each month would add variance a real cohort does not have).
//!
//! Speed: everything that depends only on the year's parameters (scaled
//! outcome probabilities, one transition matrix per band, entries by age and
//! placement, prepared [`SplitTable`]s for drawing) is computed once a year
//! into buffers reused across years, so the month loop allocates nothing.
//! With [`Expected`] (the deterministic model) step 1 is one small
//! matrix-vector product per single year of age, and the year's exits by
//! reason and moves are booked once a year from the summed band stocks, since
//! their probabilities are constant within the year; the numbers equal the
//! per-state flows up to floating-point reassociation. Without fixed
//! transfers, steps 1, 3 and 4 are one pass over the ages on transition rows
//! padded to whole 256-bit registers, and the run is compiled for AVX2 where
//! the processor has it (`carecast_simd::dispatch`), with the same bits as
//! the baseline instructions.

use crate::error::CoreError;
use crate::model::{AGES, AgeBand, LEAVER_AGES, Model, YearParams};
use crate::money::WEEKS_PER_MONTH;
use crate::noise::{AliasSlot, BinomialProb, alias_table};
use serde::Serialize;

/// How flows are drawn: expected values, or random counts (process noise).
pub trait FlowDraw {
    /// Number of entries given their expected number.
    fn count(&mut self, mean: f64) -> f64;
    /// Splits `stock` across outcomes with probabilities `probs` (sum <= 1);
    /// writes the numbers taking each outcome into `out`.
    fn split(&mut self, stock: f64, probs: &[f64], out: &mut [f64]);
    /// [`FlowDraw::split`] with the probabilities of a [`SplitTable`], prepared
    /// once per year by the simulator; writes `out[..table.len()]`. The
    /// default calls `split`.
    #[inline]
    fn split_table(&mut self, stock: f64, table: &SplitTable, out: &mut [f64]) {
        self.split(stock, table.probabilities(), &mut out[..table.len()]);
    }
    /// Says which flow the next draws are for: a key made by [`flow_key`]
    /// from the month, the kind of flow, the band and the placement. A
    /// generator may start a stream of its own for each flow, so two runs
    /// whose stocks differ still draw each flow from the same random numbers
    /// (common random numbers for comparisons). The default does nothing.
    #[inline]
    fn flow(&mut self, _key: u64) {}
    /// True if every flow is its expected value, as with [`Expected`]: the
    /// simulator then takes its deterministic route (same numbers up to
    /// floating-point reassociation) and calls neither `count` nor `split`.
    /// The default is false.
    #[inline]
    fn is_expected(&self) -> bool {
        false
    }
}

/// The kinds of drawn flow, for [`flow_key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowKind {
    /// A band and placement's exits and moves.
    Leaving = 0,
    /// A band and placement's entries.
    Entering = 1,
    /// A band's reconciliation flow.
    Reconciling = 2,
}

/// The key of a drawn flow for [`FlowDraw::flow`]: month `month` of the run
/// (from 0), its kind, band and placement, each in its own bits, so distinct
/// flows have distinct keys (bands and placements below 4,096).
#[inline]
pub fn flow_key(month: u64, kind: FlowKind, band: usize, placement: usize) -> u64 {
    debug_assert!(band < 4096 && placement < 4096 && month < 1 << 32, "flow key fields out of range");
    (month << 32) | ((kind as u64) << 24) | ((band as u64 & 0xFFF) << 12) | (placement as u64 & 0xFFF)
}

/// Outcome probabilities prepared once for many draws: the probabilities, their
/// total, the conditional probabilities of sequential binomials (largest
/// outcome first), an alias table for each suffix of that order (one draw per
/// child) and the cumulative shares of a categorical draw. Used through
/// [`FlowDraw::split_table`]; it is not a distribution object of its own.
/// Two tables are equal when their prepared values are (working space aside).
#[derive(Debug, Clone, Default)]
pub struct SplitTable {
    /// Outcome probabilities (non-negative).
    pub(crate) probs: Vec<f64>,
    /// Their sum, capped at 1.
    pub(crate) total: f64,
    /// True when the sum is 1 to rounding (1e-12): nobody stays.
    pub(crate) everyone_leaves: bool,
    /// Binomial probability of leaving at all (`total`).
    pub(crate) total_prob: BinomialProb,
    /// The outcomes with a positive probability in the order their
    /// conditional binomials are drawn: largest probability first, so the
    /// many children of the large outcomes are drawn by a few binomials and
    /// the few left for the small ones child by child.
    pub(crate) order: Vec<usize>,
    /// Conditional probability of outcome `order[j]` among those leaving not
    /// taking an earlier one in that order; 1 for the last (which is never
    /// drawn: it takes the rest).
    pub(crate) conditional: Vec<BinomialProb>,
    /// Cumulative share of outcomes `0..=k` among those leaving; 1 from the
    /// last outcome with a positive probability on.
    pub(crate) cumulative: Vec<f64>,
    /// For a child not taking `order[..j]`: an alias table over `order[j..]`
    /// with their shares among them, at `suffix_start[j]..suffix_start[j + 1]`.
    pub(crate) suffix_alias: Vec<AliasSlot>,
    /// Where each `j`'s table starts in `suffix_alias` (one more entry than `order`).
    pub(crate) suffix_start: Vec<usize>,
    /// Working space for building the tables: what the outcomes from each
    /// position on take, the alias method's scaled shares and its stack.
    scratch: (Vec<f64>, Vec<f64>, Vec<usize>),
}

impl PartialEq for SplitTable {
    fn eq(&self, other: &Self) -> bool {
        self.probs == other.probs
            && self.total == other.total
            && self.everyone_leaves == other.everyone_leaves
            && self.total_prob == other.total_prob
            && self.order == other.order
            && self.conditional == other.conditional
            && self.cumulative == other.cumulative
            && self.suffix_alias == other.suffix_alias
            && self.suffix_start == other.suffix_start
    }
}

impl SplitTable {
    /// A table for `probs` (negative or NaN probabilities count as 0).
    pub fn new(probs: &[f64]) -> Self {
        let mut t = SplitTable::default();
        t.set(probs);
        t
    }

    /// Re-prepares the table for `probs`, reusing its buffers.
    pub fn set(&mut self, probs: &[f64]) {
        self.probs.clear();
        self.probs.extend(probs.iter().map(|p| if *p > 0.0 { *p } else { 0.0 }));
        let total: f64 = self.probs.iter().sum();
        self.everyone_leaves = total >= 1.0 - 1e-12;
        self.total = total.min(1.0);
        self.total_prob = BinomialProb::new(self.total);
        let last = self.probs.iter().rposition(|p| *p > 0.0);
        self.cumulative.clear();
        let mut taken = 0.0;
        for (k, &p) in self.probs.iter().enumerate() {
            taken += p;
            self.cumulative.push(if last.is_none_or(|l| k >= l) { 1.0 } else { taken / total });
        }
        self.order.clear();
        self.order.extend((0..self.probs.len()).filter(|k| self.probs[*k] > 0.0));
        let probs = &self.probs;
        self.order.sort_by(|a, b| probs[*b].total_cmp(&probs[*a]));
        // What the outcomes from each position on take, summed from the
        // smallest (no cancellation of the large by the small).
        let n = self.order.len();
        let (mut remaining, mut scaled, mut stack) = std::mem::take(&mut self.scratch);
        remaining.clear();
        remaining.resize(n + 1, 0.0);
        for j in (0..n).rev() {
            remaining[j] = remaining[j + 1] + self.probs[self.order[j]];
        }
        self.conditional.clear();
        self.suffix_alias.clear();
        self.suffix_start.clear();
        for j in 0..n {
            let p = self.probs[self.order[j]];
            let c = if j + 1 == n { 1.0 } else { (p / remaining[j]).min(1.0) };
            self.conditional.push(BinomialProb::new(c));
            self.suffix_start.push(self.suffix_alias.len());
            let rest = &self.order[j..];
            scaled.clear();
            scaled.extend(rest.iter().map(|k| self.probs[*k] * rest.len() as f64 / remaining[j]));
            alias_table(rest, &mut scaled, &mut stack, &mut self.suffix_alias);
        }
        self.suffix_start.push(self.suffix_alias.len());
        self.scratch = (remaining, scaled, stack);
    }

    /// The outcome probabilities.
    pub fn probabilities(&self) -> &[f64] {
        &self.probs
    }

    /// Number of outcomes.
    pub fn len(&self) -> usize {
        self.probs.len()
    }

    /// True if there are no outcomes.
    pub fn is_empty(&self) -> bool {
        self.probs.is_empty()
    }

    /// Sum of the outcome probabilities, capped at 1.
    pub fn total(&self) -> f64 {
        self.total
    }
}

/// Expected values: the deterministic model.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expected;

impl FlowDraw for Expected {
    #[inline]
    fn count(&mut self, mean: f64) -> f64 {
        mean
    }
    #[inline]
    fn split(&mut self, stock: f64, probs: &[f64], out: &mut [f64]) {
        for (o, p) in out.iter_mut().zip(probs) {
            *o = stock * p;
        }
    }
    #[inline]
    fn is_expected(&self) -> bool {
        true
    }
}

/// What happened in one month, for observers and invariant checks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MonthFlows {
    /// Year ending 31 March that the month belongs to.
    pub year: i32,
    /// Month index within the financial year (0 = April).
    pub month: usize,
    /// Children in care at the start of the month.
    pub stock_before: f64,
    /// Children in care at the end of the month.
    pub stock_after: f64,
    /// All entries (starts plus reconciliation inflows).
    pub entries: f64,
    /// All exits (every reason, ageing out and reconciliation outflows).
    pub exits: f64,
    /// Largest ratio of a state's outflow to its stock this month.
    pub max_outflow_ratio: f64,
    /// Smallest stock of any state at the end of the month.
    pub min_state_stock: f64,
}

/// Annual results for one financial year (or the start year's stock).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearResult {
    /// Year ending 31 March.
    pub year: i32,
    /// Children in care at 31 March, `[band * n_placements + placement]`.
    pub stock: Vec<f64>,
    /// Starts in the year, `[band * n_placements + placement]`.
    pub starts: Vec<f64>,
    /// Exits in the year, `[band * (n_reasons + 1) + reason]`; the last reason is ageing out.
    pub ceased: Vec<f64>,
    /// Net reconciliation flow in the year by band (positive = in).
    pub reconciliation: Vec<f64>,
    /// Placement moves, `[from * n_placements + to]` (moves, transfers and overflow).
    pub moves: Vec<f64>,
    /// Child-weeks in care by placement.
    pub child_weeks: Vec<f64>,
    /// Care leavers (18..=25) at 31 March.
    pub care_leavers: f64,
    /// Care-leaver years lived in the year (for leaving-care cost).
    pub care_leaver_years: f64,
    /// Spend by placement, cash £.
    pub spend_placements_gbp: Vec<f64>,
    /// Other children-looked-after costs, cash £.
    pub spend_other_cla_gbp: f64,
    /// Leaving-care support, cash £.
    pub spend_leaving_care_gbp: f64,
    /// Other children's social care lines, cash £ (by `Dimensions::other_spend_lines`).
    pub spend_other_lines_gbp: Vec<f64>,
    /// Funding stated for the year, cash £.
    pub funding_gbp: f64,
    /// Deflator (real-terms base year = 1).
    pub deflator: f64,
    /// Weekly cost by placement, cash £.
    pub weekly_cost_gbp: Vec<f64>,
    /// Social workers (FTE) needed, if the workforce is modelled.
    pub social_workers_fte: Option<f64>,
    /// Children in care at the end of each quarter of the financial year (30
    /// June, 30 September, 31 December, 31 March) by placement,
    /// `[quarter * n_placements + placement]`; empty for the start year.
    pub quarter_stock_by_place: Vec<f64>,
    /// Child-weeks in care in each quarter by placement, `[quarter * n_placements + placement]`.
    pub quarter_child_weeks: Vec<f64>,
    /// Care-leaver years lived in each quarter.
    pub quarter_care_leaver_years: [f64; QUARTERS],
    /// True for the start year, which holds the initial stock only.
    pub is_start: bool,
}

/// Quarters in a financial year; the first is April to June.
pub const QUARTERS: usize = 4;

impl YearResult {
    /// Spend on children looked after (placements + other + leaving care), cash £.
    pub fn spend_cla_gbp(&self) -> f64 {
        self.spend_placements_gbp.iter().sum::<f64>() + self.spend_other_cla_gbp + self.spend_leaving_care_gbp
    }
    /// Total children's social care spend (CLA plus the other lines), cash £.
    pub fn spend_total_gbp(&self) -> f64 {
        self.spend_cla_gbp() + self.spend_other_lines_gbp.iter().sum::<f64>()
    }
    /// Children in care at 31 March.
    pub fn children_in_care(&self) -> f64 {
        self.stock.iter().sum()
    }
    /// Starts in the year.
    pub fn starts_total(&self) -> f64 {
        self.starts.iter().sum()
    }
    /// Exits in the year, all reasons including ageing out.
    pub fn ceased_total(&self) -> f64 {
        self.ceased.iter().sum()
    }
    /// Child-weeks by placement in quarter `q` (none for the start year).
    fn quarter_weeks(&self, q: usize) -> &[f64] {
        let np = self.weekly_cost_gbp.len();
        self.quarter_child_weeks.get(q * np..(q + 1) * np).unwrap_or(&[])
    }
    /// Spend by placement in quarter `q` (`0..QUARTERS`, 0 = April to June),
    /// cash £: the quarter's child-weeks at the year's weekly costs. The
    /// quarter methods give 0 for the start year, which has no flows.
    pub fn quarter_spend_placements_gbp(&self, q: usize) -> impl Iterator<Item = f64> + '_ {
        self.quarter_weeks(q).iter().zip(&self.weekly_cost_gbp).map(|(w, c)| w * c)
    }
    /// Other children-looked-after costs in quarter `q`, cash £: the year's,
    /// by the quarter's share of the year's child-weeks (a cost a child-week).
    pub fn quarter_spend_other_cla_gbp(&self, q: usize) -> f64 {
        let weeks: f64 = self.child_weeks.iter().sum();
        let in_quarter: f64 = self.quarter_weeks(q).iter().sum();
        if weeks > 0.0 { self.spend_other_cla_gbp * in_quarter / weeks } else { 0.0 }
    }
    /// Leaving-care support in quarter `q`, cash £: the year's, by the
    /// quarter's share of the care-leaver years (a cost a care-leaver year).
    pub fn quarter_spend_leaving_care_gbp(&self, q: usize) -> f64 {
        if self.care_leaver_years > 0.0 {
            self.spend_leaving_care_gbp * self.quarter_care_leaver_years[q] / self.care_leaver_years
        } else {
            0.0
        }
    }
    /// Spend on children looked after in quarter `q`, cash £.
    pub fn quarter_spend_cla_gbp(&self, q: usize) -> f64 {
        self.quarter_spend_placements_gbp(q).sum::<f64>()
            + self.quarter_spend_other_cla_gbp(q)
            + self.quarter_spend_leaving_care_gbp(q)
    }
    /// Total children's social care spend in quarter `q`, cash £: children
    /// looked after as simulated, the other lines (stated by year) a quarter
    /// of the year's each.
    pub fn quarter_spend_total_gbp(&self, q: usize) -> f64 {
        self.quarter_spend_cla_gbp(q) + self.spend_other_lines_gbp.iter().sum::<f64>() / QUARTERS as f64
    }
}

/// A whole run: the start year's stock then one result per simulated year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projection {
    /// `years[0]` is the start year (stock only); then each simulated year.
    pub years: Vec<YearResult>,
    /// Children in care at the end of the run, `[age * n_placements + placement]`.
    pub final_stock_by_age: Vec<f64>,
    /// Care leavers by single year of age 18..=25 at the end of the run.
    pub final_care_leavers: [f64; LEAVER_AGES],
}

impl Projection {
    /// The result for a year, if simulated.
    pub fn year(&self, year: i32) -> Option<&YearResult> {
        self.years.iter().find(|y| y.year == year)
    }
}

/// Runs the deterministic model.
pub fn simulate(model: &Model) -> Result<Projection, CoreError> {
    simulate_with(model, &mut Expected, |_| {})
}

/// Per-year constants expanded from `YearParams` for the monthly loop; the
/// buffers are reused from year to year.
#[derive(Default)]
struct YearTables {
    /// Per (band, placement): exit probability (all reasons), scaled so the
    /// state's outflow is at most 1.
    exit_scaled: Vec<f64>,
    /// Per (band, placement): total outflow probability (exits plus moves), scaled.
    outflow_scaled: Vec<f64>,
    /// Per (band, from, to): move probability, scaled; 0 on the diagonal.
    move_scaled: Vec<f64>,
    /// Per (band, from, to): share of a state's stock in `to` after step 1
    /// (the move probability, or one minus the outflow on the diagonal).
    transition: Vec<f64>,
    /// `transition` with each row padded with zeros to [`padded_width`]
    /// columns, for the deterministic month's kernel.
    transition_padded: Vec<f64>,
    /// Per (band, placement): share of exits by reason (sums to 1 when exits > 0).
    reason_share: Vec<f64>,
    /// Per (band, placement): the outcomes "exit for each reason" then each
    /// move with a positive probability, prepared for drawing (empty for
    /// [`Expected`]).
    state_split: Vec<SplitTable>,
    /// Destination placement of the `j`-th move outcome of `state_split`
    /// (outcome `n_reasons + j`), `[bp * n_placements + j]`.
    move_to: Vec<usize>,
    /// Expected entries per month by band.
    entries_by_band: Vec<f64>,
    /// Entry age weight of each age within its band (sums to 1 in a band).
    age_share: [f64; AGES],
    /// Expected entries per month by `[age * n_placements + placement]`.
    entries_by_state: Vec<f64>,
    /// Expected starts per month by `[band * n_placements + placement]`.
    starts_by_band_place: Vec<f64>,
    /// Expected entries per month, all bands.
    entries_total: f64,
    /// Reconciliation per month by band.
    reconciliation_by_band: Vec<f64>,
    /// Scratch for one state's outcome probabilities.
    outcomes_scratch: Vec<f64>,
    /// The exit and move probabilities (and drawing flag) the state tables
    /// above were prepared from, so a year with the same ones skips them.
    prepared_from: Option<(Vec<f64>, Vec<f64>, bool)>,
}

impl YearTables {
    /// Fills the tables for year `y`; the [`SplitTable`]s only if `for_drawing`.
    fn prepare(&mut self, model: &Model, y: &YearParams, band_of_age: &[usize; AGES], for_drawing: bool) {
        let (np, nr, nb) = (model.dims.n_placements(), model.dims.n_reasons(), model.dims.n_bands());
        let same_states = self.prepared_from.as_ref().is_some_and(|(exit, moves, drawing)| {
            *drawing == for_drawing
                && same_bits(exit, &y.monthly_exit_probability)
                && same_bits(moves, &y.monthly_move_probability)
        });
        if !same_states {
            self.prepare_states(y, np, nr, nb, for_drawing);
        }
        self.prepare_entries(model, y, band_of_age, np);
        self.reconciliation_by_band.clear();
        self.reconciliation_by_band.extend(y.reconciliation_per_year.iter().map(|r| r / 12.0));
    }

    /// The per-state tables: scaled exit and move probabilities, transition
    /// matrices, reason shares and (for drawing) split tables.
    fn prepare_states(&mut self, y: &YearParams, np: usize, nr: usize, nb: usize, for_drawing: bool) {
        zeroed(&mut self.exit_scaled, nb * np);
        zeroed(&mut self.outflow_scaled, nb * np);
        zeroed(&mut self.move_scaled, nb * np * np);
        zeroed(&mut self.transition, nb * np * np);
        zeroed(&mut self.reason_share, nb * np * nr);
        if for_drawing {
            self.state_split.resize_with(nb * np, SplitTable::default);
        }
        self.move_to.clear();
        if for_drawing {
            self.move_to.resize(nb * np * np, 0);
        }
        let mut outcomes = std::mem::take(&mut self.outcomes_scratch);
        // One state (band, placement) at a time, its rows taken by chunks of
        // the placements (there may be no exit reasons, so those are sliced).
        let states = y
            .monthly_move_probability
            .chunks_exact(np)
            .zip(self.move_scaled.chunks_exact_mut(np))
            .zip(self.transition.chunks_exact_mut(np))
            .zip(self.exit_scaled.iter_mut().zip(self.outflow_scaled.iter_mut()));
        for (bp, (((moves, move_row), transition_row), (exit_scaled, outflow_scaled))) in states.enumerate() {
            let p = bp % np;
            let exits = &y.monthly_exit_probability[bp * nr..(bp + 1) * nr];
            let shares = &mut self.reason_share[bp * nr..(bp + 1) * nr];
            let exit_total: f64 = exits.iter().sum();
            let move_total: f64 = moves.iter().enumerate().filter(|(q, _)| *q != p).map(|(_, m)| m).sum();
            let scale = if exit_total + move_total > 1.0 { 1.0 / (exit_total + move_total) } else { 1.0 };
            if exit_total > 0.0 {
                for (share, e) in shares.iter_mut().zip(exits) {
                    *share = e / exit_total;
                }
            }
            let exit = exit_total * scale;
            *exit_scaled = exit;
            let mut outflow = exit;
            for (q, ((m, scaled), tr)) in
                moves.iter().zip(move_row.iter_mut()).zip(transition_row.iter_mut()).enumerate()
            {
                if q != p && *m > 0.0 {
                    let m = m * scale;
                    *scaled = m;
                    *tr = m;
                    outflow += m;
                }
            }
            if for_drawing {
                // Outcomes: each exit reason, then each move with a positive probability.
                outcomes.clear();
                outcomes.extend(exits.iter().map(|e| e * scale));
                for (q, m) in moves.iter().enumerate() {
                    if q != p && *m > 0.0 {
                        self.move_to[bp * np + outcomes.len() - nr] = q;
                        outcomes.push(m * scale);
                    }
                }
                self.state_split[bp].set(&outcomes);
            }
            *outflow_scaled = outflow;
            transition_row[p] = 1.0 - outflow;
        }
        self.outcomes_scratch = outcomes;
        // Only the deterministic month's one-pass kernel reads the padded rows.
        if !for_drawing {
            let width = padded_width(np);
            zeroed(&mut self.transition_padded, nb * np * width);
            for (padded, row) in self.transition_padded.chunks_exact_mut(width).zip(self.transition.chunks_exact(np)) {
                padded[..np].copy_from_slice(row);
            }
        }
        // Kept in the previous year's buffers.
        let (exit, moves, drawing) = self.prepared_from.get_or_insert_with(Default::default);
        exit.clone_from(&y.monthly_exit_probability);
        moves.clone_from(&y.monthly_move_probability);
        *drawing = for_drawing;
    }

    /// Entries by band, single age and placement.
    fn prepare_entries(&mut self, model: &Model, y: &YearParams, band_of_age: &[usize; AGES], np: usize) {
        let nb = model.dims.n_bands();
        // Within-band age shares for entries.
        // Bands tile 0..18 with at least one age each, so there are at most AGES.
        let mut band_weight = [0.0; AGES];
        let mut band_pop = [0.0; AGES];
        for age in 0..AGES {
            band_weight[band_of_age[age]] += y.entry_age_weights[age];
            band_pop[band_of_age[age]] += y.population_by_age[age];
        }
        for age in 0..AGES {
            let b = band_of_age[age];
            let band = &model.dims.age_bands[b];
            self.age_share[age] = if band_weight[b] > 0.0 {
                y.entry_age_weights[age] / band_weight[b]
            } else {
                1.0 / (band.to_years - band.from_years) as f64
            };
        }
        let mut entries_by_age = [0.0; AGES];
        for age in 0..AGES {
            let b = band_of_age[age];
            let per_year = match &y.entry_count_per_year {
                Some(counts) => counts[b],
                None => band_pop[b] * y.entry_rate_per_10k[b] / 10_000.0,
            };
            entries_by_age[age] = per_year * self.age_share[age] / 12.0;
        }
        self.entries_by_band.clear();
        zeroed(&mut self.entries_by_state, AGES * np);
        zeroed(&mut self.starts_by_band_place, nb * np);
        self.entries_total = 0.0;
        for (b, band) in model.dims.age_bands.iter().enumerate() {
            let ages = band.from_years..band.to_years;
            let mean: f64 = ages.clone().map(|a| entries_by_age[a]).sum();
            self.entries_by_band.push(mean);
            let mix = &y.entry_mix[b * np..(b + 1) * np];
            if mean <= 0.0 {
                continue;
            }
            let starts = &mut self.starts_by_band_place[b * np..(b + 1) * np];
            let states = self.entries_by_state[ages.start * np..ages.end * np].chunks_exact_mut(np);
            for (row, share) in states.zip(&self.age_share[ages]) {
                let age_n = mean * share;
                for ((state, start), m) in row.iter_mut().zip(starts.iter_mut()).zip(mix) {
                    let v = age_n * m;
                    *state = v;
                    *start += v;
                }
            }
            self.entries_total += mean;
        }
    }
}

/// True if `a` and `b` hold the same bits: eight at a time without an early
/// exit, so it vectorises (a Monte Carlo draw's years often share their
/// probabilities, and comparing them element by element cost more than the
/// tables it saves). Values equal but with different bits (0.0 and -0.0)
/// count as different, which only costs a re-preparation.
fn same_bits(a: &[f64], b: &[f64]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (a8, a_rest) = a.as_chunks::<8>();
    let (b8, b_rest) = b.as_chunks::<8>();
    let mut differ = 0u64;
    for (x, y) in a8.iter().zip(b8) {
        for i in 0..8 {
            differ |= x[i].to_bits() ^ y[i].to_bits();
        }
    }
    for (x, y) in a_rest.iter().zip(b_rest) {
        differ |= x.to_bits() ^ y.to_bits();
    }
    differ == 0
}

/// Sets `v` to `n` zeros, reusing its buffer.
fn zeroed(v: &mut Vec<f64>, n: usize) {
    v.clear();
    v.resize(n, 0.0);
}

/// The run's state and scratch buffers, allocated once.
struct Work {
    /// Children at the start of the month, `[age * n_placements + placement]`.
    stock: Vec<f64>,
    /// Children being updated during the month.
    next: Vec<f64>,
    /// Care leavers by single year of age 18..=25.
    leavers: [f64; LEAVER_AGES],
    /// Children by placement at the start of the month.
    by_place_before: Vec<f64>,
    /// Children by placement at the end of the month.
    by_place_after: Vec<f64>,
    /// Children by band and placement at the start of the month.
    band_place: Vec<f64>,
    /// Sum over the year's months of `band_place` (for the year's exits and moves).
    band_place_year: Vec<f64>,
    /// This month's drawn transition matrices, `[(band, from, to)]` (drawn flows only).
    drawn_transition: Vec<f64>,
    /// Scratch for drawn outcomes.
    out: Vec<f64>,
    /// Months run so far (the month of the run being drawn, from 0).
    month: u64,
}

/// The month's totals for the observer.
struct MonthTotals {
    entries: f64,
    exits: f64,
    max_ratio: f64,
}

/// Runs the model with a flow-drawing method and an observer called every month.
///
/// The run is compiled for the widest vector instructions the processor has
/// ([`carecast_simd::dispatch`]); the numbers are the same bits either way.
pub fn simulate_with<D: FlowDraw, O: FnMut(&MonthFlows)>(
    model: &Model,
    draw: &mut D,
    observe: O,
) -> Result<Projection, CoreError> {
    carecast_simd::dispatch(Run { model, draw, observe })
}

/// [`simulate_with`]'s arguments, as the work [`carecast_simd::dispatch`] runs.
struct Run<'a, D, O> {
    model: &'a Model,
    draw: &'a mut D,
    observe: O,
}

impl<D: FlowDraw, O: FnMut(&MonthFlows)> carecast_simd::Vectorised for Run<'_, D, O> {
    type Output = Result<Projection, CoreError>;
    #[inline(always)]
    fn run(self) -> Self::Output {
        simulate_inline(self.model, self.draw, self.observe)
    }
}

/// [`simulate_with`]'s body, inlined into the dispatched function together
/// with the month loop's functions (all `#[inline(always)]`).
#[inline(always)]
fn simulate_inline<D: FlowDraw, O: FnMut(&MonthFlows)>(
    model: &Model,
    draw: &mut D,
    mut observe: O,
) -> Result<Projection, CoreError> {
    model.validate()?;
    let dims = &model.dims;
    let (np, nr, nb) = (dims.n_placements(), dims.n_reasons(), dims.n_bands());
    let band_of_age = dims.band_of_age();
    let expected = draw.is_expected();
    let mut w = Work {
        stock: model.initial.stock.clone(),
        next: vec![0.0; AGES * np],
        leavers: model.initial.care_leavers,
        by_place_before: vec![0.0; np],
        by_place_after: vec![0.0; np],
        band_place: vec![0.0; nb * np],
        band_place_year: vec![0.0; nb * np],
        drawn_transition: if expected { Vec::new() } else { vec![0.0; nb * np * np] },
        out: vec![0.0; np + nr],
        month: 0,
    };
    for row in w.stock.chunks_exact(np) {
        for (total, v) in w.by_place_before.iter_mut().zip(row) {
            *total += *v;
        }
    }
    let mut tables = YearTables::default();
    let mut results = Vec::with_capacity(model.years.len() + 1);
    results.push(start_result(model, &w.stock, &w.leavers, &band_of_age));

    for y in &model.years {
        tables.prepare(model, y, &band_of_age, !expected);
        let mut r = empty_result(model, y);
        w.band_place_year.iter_mut().for_each(|v| *v = 0.0);
        for month in 0..12 {
            let leavers_before: f64 = w.leavers.iter().sum();
            let totals = one_month(model, y, &tables, &band_of_age, &mut w, &mut r, draw);
            let min_stock = clamp_and_total(&mut w.next, &mut w.by_place_after);
            std::mem::swap(&mut w.stock, &mut w.next);
            let stock_before: f64 = w.by_place_before.iter().sum();
            let stock_after: f64 = w.by_place_after.iter().sum();
            // Child-weeks by the trapezium rule over the month.
            let by_place = w.by_place_before.iter().zip(&w.by_place_after);
            for (weeks, (before, after)) in r.child_weeks.iter_mut().zip(by_place) {
                *weeks += 0.5 * (before + after) * WEEKS_PER_MONTH;
            }
            let leavers_after: f64 = w.leavers.iter().sum();
            r.care_leaver_years += 0.5 * (leavers_before + leavers_after) / 12.0;
            if month % 3 == 2 {
                // A quarter's end: its stock, and the year's flows so far
                // (`finish_year` turns these into the quarter's own).
                let q = month / 3;
                r.quarter_stock_by_place[q * np..(q + 1) * np].copy_from_slice(&w.by_place_after);
                r.quarter_child_weeks[q * np..(q + 1) * np].copy_from_slice(&r.child_weeks);
                r.quarter_care_leaver_years[q] = r.care_leaver_years;
            }
            std::mem::swap(&mut w.by_place_before, &mut w.by_place_after);
            observe(&MonthFlows {
                year: y.year,
                month,
                stock_before,
                stock_after,
                entries: totals.entries,
                exits: totals.exits,
                max_outflow_ratio: totals.max_ratio,
                min_state_stock: min_stock,
            });
            w.month += 1;
        }
        if expected {
            book_expected_exits_and_moves(&tables, &w.band_place_year, &mut r, np, nr, nb);
        }
        finish_year(&mut r, y, &w.stock, &w.leavers, np, &band_of_age);
        results.push(r);
    }
    Ok(Projection { years: results, final_stock_by_age: w.stock, final_care_leavers: w.leavers })
}

/// Calls `$f::<N>($args)` with the number of placements `$np` as a
/// compile-time constant for 1 to 12 placements (unrolled and vectorised),
/// else evaluates `$any`.
macro_rules! by_placements {
    ($np:expr, $f:ident, ($($arg:expr),*), $any:expr) => {
        match $np {
            1 => $f::<1>($($arg),*),
            2 => $f::<2>($($arg),*),
            3 => $f::<3>($($arg),*),
            4 => $f::<4>($($arg),*),
            5 => $f::<5>($($arg),*),
            6 => $f::<6>($($arg),*),
            7 => $f::<7>($($arg),*),
            8 => $f::<8>($($arg),*),
            9 => $f::<9>($($arg),*),
            10 => $f::<10>($($arg),*),
            11 => $f::<11>($($arg),*),
            12 => $f::<12>($($arg),*),
            _ => $any,
        }
    };
}

/// Columns of a padded transition row: the number of placements rounded up
/// to a multiple of four (a 256-bit register holds four `f64`).
const fn padded_width(np: usize) -> usize {
    np.next_multiple_of(4)
}

/// As [`by_placements!`], calling `$f::<N, W>` with `W = padded_width(N)`.
macro_rules! by_placements_padded {
    ($np:expr, $f:ident, ($($arg:expr),*), $any:expr) => {
        match $np {
            1 => $f::<1, 4>($($arg),*),
            2 => $f::<2, 4>($($arg),*),
            3 => $f::<3, 4>($($arg),*),
            4 => $f::<4, 4>($($arg),*),
            5 => $f::<5, 8>($($arg),*),
            6 => $f::<6, 8>($($arg),*),
            7 => $f::<7, 8>($($arg),*),
            8 => $f::<8, 8>($($arg),*),
            9 => $f::<9, 12>($($arg),*),
            10 => $f::<10, 12>($($arg),*),
            11 => $f::<11, 12>($($arg),*),
            12 => $f::<12, 12>($($arg),*),
            _ => $any,
        }
    };
}

/// One month (steps 1-6, before the clamp). With [`Expected`] every flow is
/// its expected value; otherwise exits, moves and entries are drawn by band
/// and placement ([`draw_exits_and_moves`], step 4) and everything else is as
/// in the deterministic model.
#[inline(always)]
fn one_month<D: FlowDraw>(
    model: &Model,
    y: &YearParams,
    t: &YearTables,
    band_of_age: &[usize; AGES],
    w: &mut Work,
    r: &mut YearResult,
    draw: &mut D,
) -> MonthTotals {
    let (np, nr) = (model.dims.n_placements(), model.dims.n_reasons());
    let bands = &model.dims.age_bands;
    let expected = draw.is_expected();
    let mut exits = 0.0;
    let mut max_ratio: f64 = 0.0;
    // 1. exits and moves: next[age] = stock[age] · matrix[band], the matrix
    // being the year's transition probabilities or this month's drawn shares.
    // The deterministic model books the year's exits by reason and moves at
    // the year end from the band stocks; drawn ones are booked as drawn.
    if !expected {
        exits = draw_exits_and_moves(t, bands, w, r, draw, nr, &mut max_ratio);
    }
    // Without fixed transfers (step 2), the deterministic steps 1, 3 and 4
    // are one pass over the ages.
    let fused = expected && y.transfers.is_empty();
    let matrices = if expected { &t.transition[..] } else { &w.drawn_transition[..] };
    let step = (&w.stock[..], &mut w.next[..], &mut w.band_place[..], matrices);
    let mut aged_out = 0.0;
    if fused {
        let entries = &t.entries_by_state[..];
        let padded = &t.transition_padded[..];
        aged_out = by_placements_padded!(np, transition_aged_fixed, (step, bands, entries, padded), {
            transition_any(step, bands, np);
            let aged_out = age_children(&mut w.next, np);
            add_entries(&mut w.next, entries);
            aged_out
        });
    } else {
        by_placements!(np, transition_fixed, (step, bands), transition_any(step, bands, np));
    }
    if expected {
        // Zipped rather than indexed: with no bounds checks, a run whose
        // observer ignores the month's exits (Monte Carlo) computes none.
        let states = w.band_place.iter().zip(w.band_place_year.iter_mut());
        for ((held, year), (exit, outflow)) in states.zip(t.exit_scaled.iter().zip(&t.outflow_scaled)) {
            if *held > 0.0 {
                exits += *held * exit;
                max_ratio = max_ratio.max(*outflow);
            }
            *year += *held;
        }
    }
    if !fused {
        // 2. fixed transfers; 3. ageing; 4. expected entries.
        transfers(y, &mut w.next, &mut r.moves, np);
        aged_out = age_children(&mut w.next, np);
        if expected {
            add_entries(&mut w.next, &t.entries_by_state);
        }
    }
    // Care leavers: the children reaching 18 join them.
    let aged_out_band = band_of_age[AGES - 1];
    r.ceased[aged_out_band * (nr + 1) + nr] += aged_out;
    exits += aged_out;
    w.leavers[0] += aged_out;
    age_leavers(&mut w.leavers);
    // 4. entries: expected by single age and placement; drawn as one Poisson
    // count per band and placement, spread over the band's ages by their
    // entry weights.
    let mut entries = 0.0;
    if expected {
        for (s, e) in r.starts.iter_mut().zip(&t.starts_by_band_place) {
            *s += *e;
        }
        entries = t.entries_total;
    } else {
        for (b, band) in bands.iter().enumerate() {
            for p in 0..np {
                let mean = t.starts_by_band_place[b * np + p];
                if mean <= 0.0 {
                    continue;
                }
                draw.flow(flow_key(w.month, FlowKind::Entering, b, p));
                let n = draw.count(mean);
                if n > 0.0 {
                    for a in band.from_years..band.to_years {
                        w.next[a * np + p] += n * t.age_share[a];
                    }
                    r.starts[b * np + p] += n;
                    entries += n;
                }
            }
        }
    }
    // 5. reconciliation; 6. capacity and overflow.
    reconcile(model, y, t, (&mut w.next, w.month), r, draw, &mut entries, &mut exits);
    capacities(y, &mut w.next, &mut r.moves, np);
    MonthTotals { entries, exits, max_ratio }
}

/// Step 1 with drawn flows. Every single age in a band shares the band's
/// probabilities, so the children of a band and placement exiting (by
/// reason) and moving to each other placement are one multinomial draw on
/// the band's stock in that placement, exactly as if each age were drawn on
/// its own and the counts added. The draws, as shares of the stock, become
/// this month's transition matrix (`w.drawn_transition`), which moves each
/// single age pro rata. Books the moves and exits by reason; returns the exits.
fn draw_exits_and_moves<D: FlowDraw>(
    t: &YearTables,
    bands: &[AgeBand],
    w: &mut Work,
    r: &mut YearResult,
    draw: &mut D,
    nr: usize,
    max_ratio: &mut f64,
) -> f64 {
    let np = w.by_place_before.len();
    let mut exits = 0.0;
    for (b, band) in bands.iter().enumerate() {
        let held = &mut w.band_place[b * np..(b + 1) * np];
        held.iter_mut().for_each(|v| *v = 0.0);
        for row in w.stock[band.from_years * np..band.to_years * np].chunks_exact(np) {
            for (h, x) in held.iter_mut().zip(row) {
                *h += *x;
            }
        }
        for p in 0..np {
            let bp = b * np + p;
            let x = held[p];
            let row = &mut w.drawn_transition[bp * np..(bp + 1) * np];
            row.iter_mut().for_each(|v| *v = 0.0);
            if x <= 0.0 {
                row[p] = 1.0;
                continue;
            }
            let table = &t.state_split[bp];
            draw.flow(flow_key(w.month, FlowKind::Leaving, b, p));
            draw.split_table(x, table, &mut w.out);
            let mut left = 0.0;
            for (k, v) in w.out[..nr].iter().enumerate() {
                r.ceased[b * (nr + 1) + k] += v;
                left += v;
            }
            exits += left;
            // Without a branch on which moves were drawn (a move not drawn
            // adds zero to a row entry that is zero).
            let moves_to = &t.move_to[bp * np..bp * np + table.len() - nr];
            for (m, q) in w.out[nr..table.len()].iter().zip(moves_to) {
                row[*q] = m / x;
                r.moves[p * np + q] += m;
                left += m;
            }
            row[p] = 1.0 - left / x;
            *max_ratio = max_ratio.max(left / x);
        }
    }
    exits
}

/// Step 1 of the model, the state arrays as `(stock, next, band_place,
/// transition)`: `next[age] = stock[age] · transition[band]`, and
/// `band_place` sums the start-of-month stock by band and placement.
type TransitionArrays<'a> = (&'a [f64], &'a mut [f64], &'a mut [f64], &'a [f64]);

/// Step 1 for `N` placements known at compile time (unrolled and vectorised).
#[inline(always)]
fn transition_fixed<const N: usize>(arrays: TransitionArrays<'_>, bands: &[AgeBand]) {
    let (stock, next, band_place, transition) = arrays;
    let (rows, _) = stock.as_chunks::<N>();
    let (next_rows, _) = next.as_chunks_mut::<N>();
    let (matrices, _) = transition.as_chunks::<N>();
    let (held_rows, _) = band_place.as_chunks_mut::<N>();
    for (b, band) in bands.iter().enumerate() {
        let matrix = &matrices[b * N..(b + 1) * N];
        let mut held = [0.0; N];
        let ages = band.from_years..band.to_years;
        for (x, out) in rows[ages.clone()].iter().zip(next_rows[ages].iter_mut()) {
            let mut acc = [0.0; N];
            for p in 0..N {
                held[p] += x[p];
                for q in 0..N {
                    acc[q] += x[p] * matrix[p][q];
                }
            }
            *out = acc;
        }
        held_rows[b] = held;
    }
}

/// Step 1 for any number of placements.
#[inline(always)]
fn transition_any(arrays: TransitionArrays<'_>, bands: &[AgeBand], np: usize) {
    let (stock, next, band_place, transition) = arrays;
    band_place.iter_mut().for_each(|v| *v = 0.0);
    for (b, band) in bands.iter().enumerate() {
        let held = &mut band_place[b * np..(b + 1) * np];
        let matrix = &transition[b * np * np..(b + 1) * np * np];
        let rows = band.from_years * np..band.to_years * np;
        for (row, next_row) in stock[rows.clone()].chunks_exact(np).zip(next[rows].chunks_exact_mut(np)) {
            next_row.iter_mut().for_each(|v| *v = 0.0);
            for ((x, h), tr) in row.iter().zip(held.iter_mut()).zip(matrix.chunks_exact(np)) {
                *h += *x;
                for (n, m) in next_row.iter_mut().zip(tr) {
                    *n += *x * *m;
                }
            }
        }
    }
}

/// Steps 1, 3 and 4 of the deterministic model in one pass over the ages,
/// for a year without fixed transfers: `next[age] = stock[age] ·
/// transition[band]`, less the 1/12 that ages up, plus the 1/12 of the age
/// below, plus the expected entries, with the same floating-point operations
/// in the same order as [`transition_fixed`], [`age_children`] and
/// [`add_entries`] one after the other. Returns the children reaching 18.
#[inline(always)]
fn transition_aged_fixed<const N: usize, const W: usize>(
    arrays: TransitionArrays<'_>,
    bands: &[AgeBand],
    entries: &[f64],
    padded: &[f64],
) -> f64 {
    let (stock, next, band_place, _) = arrays;
    let (rows, _) = stock.as_chunks::<N>();
    let (next_rows, _) = next.as_chunks_mut::<N>();
    // Rows of `W` columns (zeros past `N`) and `W`-wide accumulators: the
    // compiler keeps the columns in whole 256-bit registers through the
    // product and the ageing (a column past the last whole register it
    // computes on its own, and the padding's it drops). Unpadded, it split
    // the nine columns into pieces and did the ageing one lane at a time: a
    // third more instructions.
    let (matrices, _) = padded.as_chunks::<W>();
    let (held_rows, _) = band_place.as_chunks_mut::<N>();
    let (entry_rows, _) = entries.as_chunks::<N>();
    // The 1/12 of the age below moving up into this one.
    let mut carry = [0.0; W];
    // Bands tile the ages in order (checked by `Model::validate`).
    for (b, band) in bands.iter().enumerate() {
        let matrix: &[[f64; W]; N] = matrices[b * N..(b + 1) * N].try_into().expect("N rows");
        let mut held = [0.0; N];
        let ages = band.from_years..band.to_years;
        let band_rows = rows[ages.clone()].iter().zip(next_rows[ages.clone()].iter_mut());
        for ((x, out), entry) in band_rows.zip(&entry_rows[ages]) {
            let mut acc = [0.0; W];
            for p in 0..N {
                held[p] += x[p];
                for q in 0..W {
                    acc[q] += x[p] * matrix[p][q];
                }
            }
            let mut row = [0.0; W];
            for q in 0..W {
                let m = acc[q] * (1.0 / 12.0);
                // At age 0 the carry is +0.0, which leaves the sum's bits
                // unchanged: `acc - m` is never -0.0, as `acc` sums products
                // of non-negative numbers from +0.0.
                row[q] = acc[q] - m + carry[q] + if q < N { entry[q] } else { 0.0 };
                carry[q] = m;
            }
            out.copy_from_slice(&row[..N]);
        }
        held_rows[b] = held;
    }
    let mut aged_out = 0.0;
    for m in &carry[..N] {
        aged_out += m;
    }
    aged_out
}

/// Step 3: 1/12 of each single year of age moves up (top age first so nobody
/// ages twice); returns the children reaching 18, who leave care.
#[inline(always)]
fn age_children(next: &mut [f64], np: usize) -> f64 {
    let mut aged_out = 0.0;
    for p in 0..np {
        let m = next[(AGES - 1) * np + p] * (1.0 / 12.0);
        next[(AGES - 1) * np + p] -= m;
        aged_out += m;
    }
    for i in (0..(AGES - 1) * np).rev() {
        let m = next[i] * (1.0 / 12.0);
        next[i] -= m;
        next[i + np] += m;
    }
    aged_out
}

/// Step 4, deterministic: the expected entries by single age and placement.
#[inline(always)]
fn add_entries(next: &mut [f64], entries_by_state: &[f64]) {
    for (x, e) in next.iter_mut().zip(entries_by_state) {
        *x += *e;
    }
}

/// The year's exits by reason and placement moves of the deterministic model:
/// each band and placement's stock summed over the months times its
/// (constant) probabilities.
#[inline(always)]
fn book_expected_exits_and_moves(
    t: &YearTables,
    band_place_year: &[f64],
    r: &mut YearResult,
    np: usize,
    nr: usize,
    nb: usize,
) {
    // Band by band, then placement by placement, as the sums have always run.
    let per_band = band_place_year.chunks_exact(np).zip(t.exit_scaled.chunks_exact(np));
    for (b, (held_row, exit_row)) in per_band.enumerate().take(nb) {
        let shares = &t.reason_share[b * np * nr..(b + 1) * np * nr];
        let ceased = &mut r.ceased[b * (nr + 1)..b * (nr + 1) + nr];
        let move_rows = t.move_scaled[b * np * np..(b + 1) * np * np].chunks_exact(np);
        let states = held_row.iter().zip(exit_row).zip(move_rows.zip(r.moves.chunks_exact_mut(np)));
        for (p, ((held, exit), (probs, moves))) in states.enumerate() {
            if *held <= 0.0 {
                continue;
            }
            let n = held * exit;
            if n > 0.0 {
                for (c, share) in ceased.iter_mut().zip(&shares[p * nr..(p + 1) * nr]) {
                    *c += n * share;
                }
            }
            for (m, prob) in moves.iter_mut().zip(probs) {
                *m += held * prob;
            }
        }
    }
}

/// Care leavers age too; the 25-year-olds leave the stock at 26. (New leavers
/// joined age 18 before this; like children, 1/12 of each age moves up.)
#[inline(always)]
fn age_leavers(leavers: &mut [f64; LEAVER_AGES]) {
    for a in (0..LEAVER_AGES).rev() {
        let moved = leavers[a] * (1.0 / 12.0);
        leavers[a] -= moved;
        if a + 1 < LEAVER_AGES {
            leavers[a + 1] += moved;
        }
    }
}

/// Moves the share `f` of placement `from`'s children, age by age, to `to`.
#[inline]
fn shift_share(next: &mut [f64], np: usize, from: usize, to: usize, f: f64) {
    for a in 0..AGES {
        let m = next[a * np + from] * f;
        next[a * np + from] -= m;
        next[a * np + to] += m;
    }
}

/// Step 2: fixed transfers, each capped at the source placement's stock.
#[inline]
fn transfers(y: &YearParams, next: &mut [f64], moves: &mut [f64], np: usize) {
    for t in &y.transfers {
        let available: f64 = (0..AGES).map(|a| next[a * np + t.from]).sum();
        let n = t.children_per_month.min(available);
        if n > 0.0 && available > 0.0 {
            shift_share(next, np, t.from, t.to, n / available);
            moves[t.from * np + t.to] += n;
        }
    }
}

/// Step 5: signed reconciliation flows by band (`month`: of the run, for the flows' keys).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn reconcile<D: FlowDraw>(
    model: &Model,
    y: &YearParams,
    t: &YearTables,
    (next, month): (&mut [f64], u64),
    r: &mut YearResult,
    draw: &mut D,
    entries: &mut f64,
    exits: &mut f64,
) {
    let np = model.dims.n_placements();
    for (b, band) in model.dims.age_bands.iter().enumerate() {
        let flow = t.reconciliation_by_band[b];
        if flow == 0.0 {
            continue;
        }
        let rows = &mut next[band.from_years * np..band.to_years * np];
        draw.flow(flow_key(month, FlowKind::Reconciling, b, 0));
        if flow > 0.0 {
            let n = draw.count(flow);
            let shares = &t.age_share[band.from_years..band.to_years];
            let mix = &y.entry_mix[b * np..(b + 1) * np];
            by_placements!(np, grow_rows_fixed, (rows, shares, n, mix), grow_rows_any(rows, shares, n, mix));
            r.reconciliation[b] += n;
            *entries += n;
        } else {
            let band_stock: f64 = by_placements!(np, row_sums_fixed, (rows), row_sums_any(rows, np));
            if band_stock > 0.0 {
                let n = draw.count(-flow).min(band_stock);
                let f = n / band_stock;
                for x in rows.iter_mut() {
                    *x -= *x * f;
                }
                r.reconciliation[b] -= n;
                *exits += n;
            }
        }
    }
}

/// Step 5's inflow into one band, `rows` holding its single ages in order and
/// `shares` their shares of the inflow `n`: each age's placements grow by the
/// same factor (one division an age, not one a state), or an empty age takes
/// its share by the entry `mix`. For `N` placements known at compile time.
#[inline(always)]
fn grow_rows_fixed<const N: usize>(rows: &mut [f64], shares: &[f64], n: f64, mix: &[f64]) {
    let (rows, _) = rows.as_chunks_mut::<N>();
    let mix: &[f64; N] = mix.try_into().expect("N shares");
    for (row, share) in rows.iter_mut().zip(shares) {
        let age_n = n * share;
        // In order from the first placement, as `Iterator::sum` adds.
        let mut row_stock = row[0];
        for x in &row[1..] {
            row_stock += *x;
        }
        if row_stock > 0.0 {
            let growth = age_n / row_stock;
            for x in row.iter_mut() {
                *x += *x * growth;
            }
        } else {
            for q in 0..N {
                row[q] += age_n * mix[q];
            }
        }
    }
}

/// [`grow_rows_fixed`] for any number of placements (`mix.len()`).
fn grow_rows_any(rows: &mut [f64], shares: &[f64], n: f64, mix: &[f64]) {
    for (row, share) in rows.chunks_exact_mut(mix.len()).zip(shares) {
        let age_n = n * share;
        let row_stock: f64 = row.iter().sum();
        if row_stock > 0.0 {
            let growth = age_n / row_stock;
            for x in row.iter_mut() {
                *x += *x * growth;
            }
        } else {
            for (x, m) in row.iter_mut().zip(mix) {
                *x += age_n * m;
            }
        }
    }
}

/// The children in a band's `rows` (single ages of `N` placements), added
/// age by age as [`row_sums_any`] adds them.
#[inline(always)]
fn row_sums_fixed<const N: usize>(rows: &[f64]) -> f64 {
    let (rows, _) = rows.as_chunks::<N>();
    let mut total = -0.0;
    for row in rows {
        let mut row_stock = row[0];
        for x in &row[1..] {
            row_stock += *x;
        }
        total += row_stock;
    }
    total
}

/// The children in a band's `rows` of `np` placements.
fn row_sums_any(rows: &[f64], np: usize) -> f64 {
    rows.chunks_exact(np).map(|row| row.iter().sum::<f64>()).sum()
}

/// Step 6: any placement above its capacity sends the excess to its overflow placement.
#[inline]
fn capacities(y: &YearParams, next: &mut [f64], moves: &mut [f64], np: usize) {
    for c in &y.capacities {
        let held: f64 = (0..AGES).map(|a| next[a * np + c.placement]).sum();
        if held > c.max_children && held > 0.0 {
            let excess = held - c.max_children;
            shift_share(next, np, c.placement, c.overflow_to, excess / held);
            moves[c.placement * np + c.overflow_to] += excess;
        }
    }
}

/// Clamps rounding dust so stocks are never negative, totals by placement,
/// and returns the smallest state stock.
#[inline(always)]
fn clamp_and_total(next: &mut [f64], by_place: &mut [f64]) -> f64 {
    // The clamp and the minimum over the flat array, four at a time
    // (branch-free, so it vectorises whatever the number of placements).
    let mut min = [f64::INFINITY; 4];
    let (fours, rest) = next.as_chunks_mut::<4>();
    for four in fours {
        for i in 0..4 {
            let v = undusted(four[i]);
            four[i] = v;
            min[i] = if v < min[i] { v } else { min[i] };
        }
    }
    for v in rest {
        *v = undusted(*v);
        min[0] = if *v < min[0] { *v } else { min[0] };
    }
    by_placements!(by_place.len(), total_by_place_fixed, (next, by_place), total_by_place_any(next, by_place));
    min.iter().fold(f64::INFINITY, |a, b| a.min(*b))
}

/// Rounding dust in one stock: a value just below zero becomes zero.
#[inline]
fn undusted(v: f64) -> f64 {
    if (v < 0.0) & (v > -1e-9) { 0.0 } else { v }
}

/// Children by placement, for `N` placements known at compile time: each
/// placement's total adds the ages in order.
#[inline(always)]
fn total_by_place_fixed<const N: usize>(next: &[f64], by_place: &mut [f64]) {
    let (rows, _) = next.as_chunks::<N>();
    let mut total = [0.0; N];
    for row in rows {
        for p in 0..N {
            total[p] += row[p];
        }
    }
    by_place.copy_from_slice(&total);
}

/// Children by placement, for any number of placements.
#[inline(always)]
fn total_by_place_any(next: &[f64], by_place: &mut [f64]) {
    by_place.iter_mut().for_each(|t| *t = 0.0);
    for row in next.chunks_exact(by_place.len()) {
        for (v, total) in row.iter().zip(by_place.iter_mut()) {
            *total += *v;
        }
    }
}

fn stock_by_band(stock: &[f64], np: usize, nb: usize, band_of_age: &[usize; AGES]) -> Vec<f64> {
    let mut out = vec![0.0; nb * np];
    stock_by_band_into(stock, np, band_of_age, &mut out);
    out
}

/// Sums single-age stocks by band into `out` (`[band * np + placement]`).
fn stock_by_band_into(stock: &[f64], np: usize, band_of_age: &[usize; AGES], out: &mut [f64]) {
    out.iter_mut().for_each(|v| *v = 0.0);
    for a in 0..AGES {
        for p in 0..np {
            out[band_of_age[a] * np + p] += stock[a * np + p];
        }
    }
}

fn start_result(model: &Model, stock: &[f64], leavers: &[f64; LEAVER_AGES], band_of_age: &[usize; AGES]) -> YearResult {
    let (np, nr, nb) = (model.dims.n_placements(), model.dims.n_reasons(), model.dims.n_bands());
    let first = &model.years[0];
    YearResult {
        year: model.start_year,
        stock: stock_by_band(stock, np, nb, band_of_age),
        starts: vec![0.0; nb * np],
        ceased: vec![0.0; nb * (nr + 1)],
        reconciliation: vec![0.0; nb],
        moves: vec![0.0; np * np],
        child_weeks: vec![0.0; np],
        care_leavers: leavers.iter().sum(),
        care_leaver_years: 0.0,
        spend_placements_gbp: vec![0.0; np],
        spend_other_cla_gbp: 0.0,
        spend_leaving_care_gbp: 0.0,
        spend_other_lines_gbp: vec![0.0; model.dims.other_spend_lines.len()],
        funding_gbp: 0.0,
        deflator: first.deflator,
        weekly_cost_gbp: first.weekly_cost_gbp.clone(),
        social_workers_fte: None,
        quarter_stock_by_place: Vec::new(),
        quarter_child_weeks: Vec::new(),
        quarter_care_leaver_years: [0.0; QUARTERS],
        is_start: true,
    }
}

fn empty_result(model: &Model, y: &YearParams) -> YearResult {
    let (np, nr, nb) = (model.dims.n_placements(), model.dims.n_reasons(), model.dims.n_bands());
    YearResult {
        year: y.year,
        stock: vec![0.0; nb * np],
        starts: vec![0.0; nb * np],
        ceased: vec![0.0; nb * (nr + 1)],
        reconciliation: vec![0.0; nb],
        moves: vec![0.0; np * np],
        child_weeks: vec![0.0; np],
        care_leavers: 0.0,
        care_leaver_years: 0.0,
        spend_placements_gbp: vec![0.0; np],
        spend_other_cla_gbp: 0.0,
        spend_leaving_care_gbp: 0.0,
        spend_other_lines_gbp: y.other_lines_gbp.clone(),
        funding_gbp: y.funding_gbp,
        deflator: y.deflator,
        weekly_cost_gbp: y.weekly_cost_gbp.clone(),
        social_workers_fte: None,
        quarter_stock_by_place: vec![0.0; QUARTERS * np],
        quarter_child_weeks: vec![0.0; QUARTERS * np],
        quarter_care_leaver_years: [0.0; QUARTERS],
        is_start: false,
    }
}

fn finish_year(
    r: &mut YearResult,
    y: &YearParams,
    stock: &[f64],
    leavers: &[f64; LEAVER_AGES],
    np: usize,
    band_of_age: &[usize; AGES],
) {
    stock_by_band_into(stock, np, band_of_age, &mut r.stock);
    r.care_leavers = leavers.iter().sum();
    for p in 0..np {
        r.spend_placements_gbp[p] = r.child_weeks[p] * y.weekly_cost_gbp[p];
    }
    // The quarters' flows from the year's flows at each quarter's end.
    for q in (1..QUARTERS).rev() {
        let (before, this) = r.quarter_child_weeks.split_at_mut(q * np);
        for (w, b) in this[..np].iter_mut().zip(&before[(q - 1) * np..]) {
            *w -= b;
        }
        r.quarter_care_leaver_years[q] -= r.quarter_care_leaver_years[q - 1];
    }
    let weeks: f64 = r.child_weeks.iter().sum();
    r.spend_other_cla_gbp = weeks * y.other_cla_weekly_cost_gbp;
    r.spend_leaving_care_gbp = r.care_leaver_years * y.care_leaver_annual_cost_gbp;
    if let Some(w) = &y.workforce {
        let average_children = weeks / (crate::money::WEEKS_PER_MONTH * 12.0);
        r.social_workers_fte = Some(w.fte_needed(average_children));
        r.spend_other_lines_gbp[w.line] += w.extra_cost_gbp(average_children);
    }
}
