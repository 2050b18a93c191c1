//! The monthly stock-flow simulator: entries, exits by reason, placement moves,
//! transfers, capacity overflow, ageing, care leavers, and the money.
//!
//! What it is: a deterministic (expected-value) or stochastic (process-noise)
//! cohort model with state `children[age 0..=17][placement]`. What it is not:
//! a scenario interpreter (levers are already resolved into `YearParams`) or a
//! writer of any output (results are returned as data).
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

use crate::error::CoreError;
use crate::model::{AGES, LEAVER_AGES, Model, YearParams};
use crate::money::WEEKS_PER_MONTH;
use serde::Serialize;

/// How flows are drawn: expected values, or random counts (process noise).
pub trait FlowDraw {
    /// Number of entries given their expected number.
    fn count(&mut self, mean: f64) -> f64;
    /// Splits `stock` across outcomes with probabilities `probs` (sum <= 1);
    /// writes the numbers taking each outcome into `out`.
    fn split(&mut self, stock: f64, probs: &[f64], out: &mut [f64]);
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
    /// True for the start year, which holds the initial stock only.
    pub is_start: bool,
}

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

/// Per-year constants expanded from `YearParams` for the monthly loop.
struct YearTables {
    /// Per (band, placement): offset into `outcomes` and number of outcomes.
    /// The first outcome is "exits (any reason)", the rest are moves.
    spans: Vec<(usize, usize)>,
    /// Outcome probabilities, already scaled so a state's outflow is at most 1.
    outcome_probs: Vec<f64>,
    /// Destination placement of each outcome (unused for the exit outcome).
    outcome_to: Vec<usize>,
    /// Per (band, placement): share of exits by reason (sums to 1 when exits > 0).
    reason_share: Vec<f64>,
    /// Expected entries per month by single age.
    entries_by_age: [f64; AGES],
    /// Entry age weight of each age within its band (sums to 1 in a band).
    age_share: [f64; AGES],
    /// Reconciliation per month by band.
    reconciliation_by_band: Vec<f64>,
}

fn expand_year(model: &Model, y: &YearParams, band_of_age: &[usize; AGES]) -> YearTables {
    let (np, nr, nb) = (model.dims.n_placements(), model.dims.n_reasons(), model.dims.n_bands());
    let mut spans = Vec::with_capacity(nb * np);
    let mut outcome_probs = Vec::new();
    let mut outcome_to = Vec::new();
    let mut reason_share = vec![0.0; nb * np * nr];
    for b in 0..nb {
        for p in 0..np {
            let bp = b * np + p;
            let exits = &y.monthly_exit_probability[bp * nr..(bp + 1) * nr];
            let exit_total: f64 = exits.iter().sum();
            let moves = &y.monthly_move_probability[bp * np..(bp + 1) * np];
            let move_total: f64 = moves.iter().enumerate().filter(|(q, _)| *q != p).map(|(_, m)| m).sum();
            let scale = if exit_total + move_total > 1.0 { 1.0 / (exit_total + move_total) } else { 1.0 };
            if exit_total > 0.0 {
                for r in 0..nr {
                    reason_share[bp * nr + r] = exits[r] / exit_total;
                }
            }
            let start = outcome_probs.len();
            outcome_probs.push(exit_total * scale);
            outcome_to.push(p);
            for (q, m) in moves.iter().enumerate() {
                if q != p && *m > 0.0 {
                    outcome_probs.push(m * scale);
                    outcome_to.push(q);
                }
            }
            spans.push((start, outcome_probs.len() - start));
        }
    }
    // Within-band age shares for entries.
    let mut band_weight = vec![0.0; nb];
    let mut band_pop = vec![0.0; nb];
    for age in 0..AGES {
        band_weight[band_of_age[age]] += y.entry_age_weights[age];
        band_pop[band_of_age[age]] += y.population_by_age[age];
    }
    let mut age_share = [0.0; AGES];
    for age in 0..AGES {
        let b = band_of_age[age];
        let band = &model.dims.age_bands[b];
        age_share[age] = if band_weight[b] > 0.0 {
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
        entries_by_age[age] = per_year * age_share[age] / 12.0;
    }
    let reconciliation_by_band = y.reconciliation_per_year.iter().map(|r| r / 12.0).collect();
    YearTables { spans, outcome_probs, outcome_to, reason_share, entries_by_age, age_share, reconciliation_by_band }
}

/// Runs the model with a flow-drawing method and an observer called every month.
pub fn simulate_with<D: FlowDraw, O: FnMut(&MonthFlows)>(
    model: &Model,
    draw: &mut D,
    mut observe: O,
) -> Result<Projection, CoreError> {
    model.validate()?;
    let dims = &model.dims;
    let (np, nr, nb) = (dims.n_placements(), dims.n_reasons(), dims.n_bands());
    let band_of_age = dims.band_of_age();
    let mut stock = model.initial.stock.clone();
    let mut next = vec![0.0; stock.len()];
    let mut leavers = model.initial.care_leavers;
    let mut out = vec![0.0; 1 + np];
    let mut exits_bp = vec![0.0; nb * np];
    let mut reasons = vec![0.0; nr];
    let mut by_place_before = vec![0.0; np];
    let mut by_place_after = vec![0.0; np];
    let mut age_split = [0.0; AGES];
    let mut place_split = vec![0.0; np];
    let mut results = Vec::with_capacity(model.years.len() + 1);
    results.push(start_result(model, &stock, &leavers, &band_of_age));

    for y in &model.years {
        let tables = expand_year(model, y, &band_of_age);
        let mut r = empty_result(model, y);
        for month in 0..12 {
            let leavers_before: f64 = leavers.iter().sum();
            by_place_before.iter_mut().for_each(|v| *v = 0.0);
            let mut entries = 0.0;
            let mut exits = 0.0;
            let mut max_ratio: f64 = 0.0;
            next.copy_from_slice(&stock);
            // 1. exits and moves: per state, total exits and each move; exits are
            // split by reason once per (band, placement), where every age shares
            // the same reason probabilities.
            exits_bp.iter_mut().for_each(|v| *v = 0.0);
            for age in 0..AGES {
                let b = band_of_age[age];
                for p in 0..np {
                    let i = age * np + p;
                    let x = stock[i];
                    by_place_before[p] += x;
                    if x <= 0.0 {
                        continue;
                    }
                    let bp = b * np + p;
                    let (start, len) = tables.spans[bp];
                    draw.split(x, &tables.outcome_probs[start..start + len], &mut out[..len]);
                    let mut left = out[0];
                    exits_bp[bp] += out[0];
                    for k in 1..len {
                        let m = out[k];
                        let q = tables.outcome_to[start + k];
                        next[age * np + q] += m;
                        r.moves[p * np + q] += m;
                        left += m;
                    }
                    next[i] -= left;
                    max_ratio = max_ratio.max(left / x);
                }
            }
            for b in 0..nb {
                for p in 0..np {
                    let bp = b * np + p;
                    let n = exits_bp[bp];
                    if n > 0.0 {
                        draw.split(n, &tables.reason_share[bp * nr..(bp + 1) * nr], &mut reasons);
                        for (k, v) in reasons.iter().enumerate() {
                            r.ceased[b * (nr + 1) + k] += v;
                        }
                        exits += n;
                    }
                }
            }
            // 2. fixed transfers.
            for t in &y.transfers {
                let available: f64 = (0..AGES).map(|a| next[a * np + t.from]).sum();
                let n = t.children_per_month.min(available);
                if n > 0.0 && available > 0.0 {
                    let f = n / available;
                    for a in 0..AGES {
                        let m = next[a * np + t.from] * f;
                        next[a * np + t.from] -= m;
                        next[a * np + t.to] += m;
                    }
                    r.moves[t.from * np + t.to] += n;
                }
            }
            // 3. ageing (top age first so nobody ages twice) and care leavers.
            let aged_out_band = band_of_age[AGES - 1];
            for p in 0..np {
                for a in (0..AGES).rev() {
                    let i = a * np + p;
                    let mut moved = [0.0];
                    draw.split(next[i], &[1.0 / 12.0], &mut moved);
                    let m = moved[0];
                    next[i] -= m;
                    if a + 1 < AGES {
                        next[i + np] += m;
                    } else {
                        r.ceased[aged_out_band * (nr + 1) + nr] += m;
                        exits += m;
                        leavers[0] += m;
                    }
                }
            }
            // Care leavers age too; the 25-year-olds leave the stock at 26.
            // (New leavers joined age 18 above; like children, 1/12 of each age moves up.)
            for a in (0..LEAVER_AGES).rev() {
                let mut moved = [0.0];
                draw.split(leavers[a], &[1.0 / 12.0], &mut moved);
                leavers[a] -= moved[0];
                if a + 1 < LEAVER_AGES {
                    leavers[a + 1] += moved[0];
                }
            }
            // 4. entries.
            for (b, band) in dims.age_bands.iter().enumerate() {
                let mean: f64 = (band.from_years..band.to_years).map(|a| tables.entries_by_age[a]).sum();
                let n = draw.count(mean);
                if n <= 0.0 {
                    continue;
                }
                let ages = band.from_years..band.to_years;
                let shares = &tables.age_share[band.from_years..band.to_years];
                draw.split(n, shares, &mut age_split[..shares.len()]);
                let mix = &y.entry_mix[b * np..(b + 1) * np];
                for (k, a) in ages.enumerate() {
                    draw.split(age_split[k], mix, &mut place_split);
                    for p in 0..np {
                        next[a * np + p] += place_split[p];
                        r.starts[b * np + p] += place_split[p];
                    }
                }
                entries += n;
            }
            // 5. reconciliation.
            for (b, band) in dims.age_bands.iter().enumerate() {
                let flow = tables.reconciliation_by_band[b];
                if flow == 0.0 {
                    continue;
                }
                let ages = band.from_years..band.to_years;
                let band_stock: f64 = ages.clone().map(|a| (0..np).map(|p| next[a * np + p]).sum::<f64>()).sum();
                if flow > 0.0 {
                    let n = draw.count(flow);
                    for a in ages {
                        let age_n = n * tables.age_share[a];
                        let row_stock: f64 = (0..np).map(|p| next[a * np + p]).sum();
                        for p in 0..np {
                            let share =
                                if row_stock > 0.0 { next[a * np + p] / row_stock } else { y.entry_mix[b * np + p] };
                            next[a * np + p] += age_n * share;
                        }
                    }
                    r.reconciliation[b] += n;
                    entries += n;
                } else if band_stock > 0.0 {
                    let n = draw.count(-flow).min(band_stock);
                    let f = n / band_stock;
                    for a in ages {
                        for p in 0..np {
                            next[a * np + p] -= next[a * np + p] * f;
                        }
                    }
                    r.reconciliation[b] -= n;
                    exits += n;
                }
            }
            // 6. capacity and overflow.
            for c in &y.capacities {
                let held: f64 = (0..AGES).map(|a| next[a * np + c.placement]).sum();
                if held > c.max_children && held > 0.0 {
                    let excess = held - c.max_children;
                    let f = excess / held;
                    for a in 0..AGES {
                        let m = next[a * np + c.placement] * f;
                        next[a * np + c.placement] -= m;
                        next[a * np + c.overflow_to] += m;
                    }
                    r.moves[c.placement * np + c.overflow_to] += excess;
                }
            }
            // Clamp rounding dust so stocks are never negative, and total by placement.
            let mut min_stock = f64::INFINITY;
            by_place_after.iter_mut().for_each(|v| *v = 0.0);
            for row in next.chunks_exact_mut(np) {
                for (v, total) in row.iter_mut().zip(by_place_after.iter_mut()) {
                    if *v < 0.0 && *v > -1e-9 {
                        *v = 0.0;
                    }
                    min_stock = min_stock.min(*v);
                    *total += *v;
                }
            }
            std::mem::swap(&mut stock, &mut next);
            let stock_before: f64 = by_place_before.iter().sum();
            let stock_after: f64 = by_place_after.iter().sum();
            // Child-weeks by the trapezium rule over the month.
            for p in 0..np {
                r.child_weeks[p] += 0.5 * (by_place_before[p] + by_place_after[p]) * WEEKS_PER_MONTH;
            }
            let leavers_after: f64 = leavers.iter().sum();
            r.care_leaver_years += 0.5 * (leavers_before + leavers_after) / 12.0;
            observe(&MonthFlows {
                year: y.year,
                month,
                stock_before,
                stock_after,
                entries,
                exits,
                max_outflow_ratio: max_ratio,
                min_state_stock: min_stock,
            });
        }
        finish_year(&mut r, y, &stock, &leavers, np, &band_of_age);
        results.push(r);
    }
    Ok(Projection { years: results, final_stock_by_age: stock, final_care_leavers: leavers })
}

fn stock_by_band(stock: &[f64], np: usize, nb: usize, band_of_age: &[usize; AGES]) -> Vec<f64> {
    let mut out = vec![0.0; nb * np];
    for a in 0..AGES {
        for p in 0..np {
            out[band_of_age[a] * np + p] += stock[a * np + p];
        }
    }
    out
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
    let nb = r.reconciliation.len();
    r.stock = stock_by_band(stock, np, nb, band_of_age);
    r.care_leavers = leavers.iter().sum();
    for p in 0..np {
        r.spend_placements_gbp[p] = r.child_weeks[p] * y.weekly_cost_gbp[p];
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
