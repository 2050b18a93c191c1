//! The model definition the simulator runs: dimensions, initial state and one
//! resolved parameter set per financial year.
//!
//! This is plain, dense, already-resolved data. It is not the scenario language:
//! dated levers, `extends`, funding effects and units in key names are resolved
//! into these arrays by `carecast-scenario`. Validation here checks shapes and
//! ranges so that `simulate` can never index out of bounds or see a probability
//! outside [0, 1].

use crate::error::CoreError;
use serde::{Deserialize, Serialize};

/// Children are tracked by single year of age `0..=17` internally.
pub const AGES: usize = 18;
/// Care leavers are tracked by single year of age `18..=25`.
pub const LEAVER_AGES: usize = 8;

/// An age band `[from_years, to_years)` defined by the scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgeBand {
    /// Snake-case id, e.g. `10_15`.
    pub id: String,
    /// First single year of age in the band.
    pub from_years: usize,
    /// One past the last single year of age in the band.
    pub to_years: usize,
}

/// The model's dimensions. Bands must tile `0..18` in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dimensions {
    /// Age bands, contiguous from 0 to 18.
    pub age_bands: Vec<AgeBand>,
    /// Placement ids, e.g. `foster`, `childrens_home`.
    pub placements: Vec<String>,
    /// Exit reasons with a monthly probability (not the ageing-out reason).
    pub exit_reasons: Vec<String>,
    /// Id of the exit at the 18th birthday, e.g. `reached_18`.
    pub ageing_out_reason: String,
    /// Spend lines other than children looked after, e.g. `safeguarding`.
    pub other_spend_lines: Vec<String>,
}

impl Dimensions {
    /// Number of age bands.
    pub fn n_bands(&self) -> usize {
        self.age_bands.len()
    }
    /// Number of placements.
    pub fn n_placements(&self) -> usize {
        self.placements.len()
    }
    /// Number of exit reasons with a probability (excludes ageing out).
    pub fn n_reasons(&self) -> usize {
        self.exit_reasons.len()
    }
    /// Band index of each single year of age.
    pub fn band_of_age(&self) -> [usize; AGES] {
        let mut out = [0; AGES];
        for (b, band) in self.age_bands.iter().enumerate() {
            for slot in out.iter_mut().take(band.to_years.min(AGES)).skip(band.from_years) {
                *slot = b;
            }
        }
        out
    }
    /// Index of a placement id.
    pub fn placement_index(&self, id: &str) -> Option<usize> {
        self.placements.iter().position(|p| p == id)
    }
    /// Index of an age band id.
    pub fn band_index(&self, id: &str) -> Option<usize> {
        self.age_bands.iter().position(|b| b.id == id)
    }
    /// Index of an exit reason id (not the ageing-out reason).
    pub fn reason_index(&self, id: &str) -> Option<usize> {
        self.exit_reasons.iter().position(|r| r == id)
    }

    /// Checks that bands tile 0..18 and ids are unique and non-empty.
    pub fn validate(&self) -> Result<(), CoreError> {
        if self.age_bands.is_empty() {
            return Err(CoreError::invalid("dimensions.age_bands", "at least one age band"));
        }
        let mut next = 0;
        for band in &self.age_bands {
            if band.from_years != next || band.to_years <= band.from_years {
                return Err(CoreError::invalid(
                    format!("dimensions.age_bands.{}", band.id),
                    format!(
                        "bands in order, contiguous from 0 to 18: expected one starting at {next}, got [{}, {})",
                        band.from_years, band.to_years
                    ),
                ));
            }
            next = band.to_years;
        }
        if next != AGES {
            return Err(CoreError::invalid(
                "dimensions.age_bands",
                format!("the last band to end at 18, it ends at {next}"),
            ));
        }
        if self.placements.is_empty() {
            return Err(CoreError::invalid("dimensions.placements", "at least one placement"));
        }
        for (what, ids) in [
            ("dimensions.age_bands", self.age_bands.iter().map(|b| b.id.as_str()).collect::<Vec<_>>()),
            ("dimensions.placements", self.placements.iter().map(String::as_str).collect()),
            ("dimensions.exit_reasons", self.exit_reasons.iter().map(String::as_str).collect()),
        ] {
            for (k, id) in ids.iter().enumerate() {
                if id.is_empty() || ids[..k].contains(id) {
                    return Err(CoreError::invalid(what, format!("unique non-empty ids, `{id}` repeats")));
                }
            }
        }
        if self.exit_reasons.contains(&self.ageing_out_reason) {
            return Err(CoreError::invalid(
                "dimensions.exit_reasons",
                format!("`{}` is the ageing-out reason and cannot also carry a probability", self.ageing_out_reason),
            ));
        }
        Ok(())
    }
}

/// Stock at the start of the run (31 March of `start_year`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InitialState {
    /// Children in care, `[age * n_placements + placement]`, ages 0..=17.
    pub stock: Vec<f64>,
    /// Care leavers by single year of age 18..=25.
    pub care_leavers: [f64; LEAVER_AGES],
}

/// "Move N children a month from placement A to placement B".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transfer {
    /// Source placement index.
    pub from: usize,
    /// Destination placement index.
    pub to: usize,
    /// Children moved each month (capped at the source's stock).
    pub children_per_month: f64,
}

/// A placement's capacity and where overflow goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capacity {
    /// Placement index whose stock is capped.
    pub placement: usize,
    /// Maximum children in the placement at any month end.
    pub max_children: f64,
    /// Placement that receives the excess (at its own price).
    pub overflow_to: usize,
}

/// Social workers needed and their cost, feeding one spend line.
///
/// FTE needed is `base_fte` times `(average children in care / base_children)`
/// to the power `elasticity`, times `caseload_factor`. The line receives the
/// cost of the FTE above (or below) the base at `cost_per_fte_gbp`, with agency
/// staff costing `1 + agency_premium` times as much, plus the premium on any
/// change of the agency share from the base, so the base year's workforce,
/// already inside the line, is not counted twice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workforce {
    /// Index into `Dimensions::other_spend_lines` of the line that pays (safeguarding).
    pub line: usize,
    /// FTE social workers in the base year.
    pub base_fte: f64,
    /// Children in care in the base year.
    pub base_children: f64,
    /// Elasticity of FTE needed to children in care.
    pub elasticity: f64,
    /// Multiplier on FTE needed (e.g. a lower caseload target), 1 = none.
    pub caseload_factor: f64,
    /// Employer cost per permanent FTE this year, cash £.
    pub cost_per_fte_gbp: f64,
    /// Share of FTE filled by agency staff this year.
    pub agency_share: f64,
    /// Agency share in the base year.
    pub base_agency_share: f64,
    /// Extra cost of an agency FTE over a permanent one (0.5 = 50% more).
    pub agency_premium: f64,
}

impl Workforce {
    /// FTE needed for an average number of children in care.
    pub fn fte_needed(&self, average_children: f64) -> f64 {
        if self.base_children <= 0.0 {
            return self.base_fte * self.caseload_factor;
        }
        self.base_fte * (average_children / self.base_children).max(0.0).powf(self.elasticity) * self.caseload_factor
    }
    /// Cost above the base year's workforce, cash £.
    pub fn extra_cost_gbp(&self, average_children: f64) -> f64 {
        let fte = self.fte_needed(average_children);
        let per_fte = self.cost_per_fte_gbp * (1.0 + self.agency_share * self.agency_premium);
        (fte - self.base_fte) * per_fte
            + self.base_fte * self.cost_per_fte_gbp * (self.agency_share - self.base_agency_share) * self.agency_premium
    }
}

/// All parameters of one financial year (the year ending 31 March `year`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearParams {
    /// Year ending 31 March.
    pub year: i32,
    /// Child population by single year of age (0..=17) used for entry rates.
    pub population_by_age: [f64; AGES],
    /// Annual entries per 10,000 children of the band's population, by band.
    pub entry_rate_per_10k: Vec<f64>,
    /// If set, annual entries by band as counts (areas with no population).
    pub entry_count_per_year: Option<Vec<f64>>,
    /// Relative weight of each single year of age within its band for entries
    /// and reconciliation flows (normalised within the band by the simulator).
    pub entry_age_weights: [f64; AGES],
    /// Placement on entry, `[band * n_placements + placement]`, rows sum to 1.
    pub entry_mix: Vec<f64>,
    /// Monthly exit probability, `[(band * n_placements + placement) * n_reasons + reason]`.
    pub monthly_exit_probability: Vec<f64>,
    /// Monthly move probability, `[(band * n_placements + from) * n_placements + to]`; diagonal ignored.
    pub monthly_move_probability: Vec<f64>,
    /// Net unrecorded flows by band, children a year (positive = inflow).
    pub reconciliation_per_year: Vec<f64>,
    /// Fixed monthly moves between placements.
    pub transfers: Vec<Transfer>,
    /// Capacity limits with overflow.
    pub capacities: Vec<Capacity>,
    /// Weekly cost per child by placement, cash £.
    pub weekly_cost_gbp: Vec<f64>,
    /// Other children-looked-after costs per child per week (not placement costs), cash £.
    pub other_cla_weekly_cost_gbp: f64,
    /// Leaving-care support per care leaver per year, cash £.
    pub care_leaver_annual_cost_gbp: f64,
    /// Other children's social care lines (by `Dimensions::other_spend_lines`), cash £ for the year.
    pub other_lines_gbp: Vec<f64>,
    /// Funding stated for the year (grants and budget), cash £.
    pub funding_gbp: f64,
    /// Social workers and their cost, if modelled.
    pub workforce: Option<Workforce>,
    /// Price level relative to the real-terms base year (base year = 1).
    pub deflator: f64,
}

/// A complete model: dimensions, start state and one parameter set per year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Dimensions.
    pub dims: Dimensions,
    /// The stock is at 31 March of this year; simulation starts the next month.
    pub start_year: i32,
    /// Start state.
    pub initial: InitialState,
    /// Parameters for `start_year + 1 ..= start_year + years.len()`, in order.
    pub years: Vec<YearParams>,
}

// Keys are closures so that a valid model formats no strings.

fn check_len(key: impl Fn() -> String, got: usize, want: usize) -> Result<(), CoreError> {
    if got != want {
        return Err(CoreError::invalid(key(), format!("{want} values, got {got}")));
    }
    Ok(())
}

fn check_finite_nonneg(key: impl Fn() -> String, values: &[f64]) -> Result<(), CoreError> {
    // A branch-free pass first (it vectorises); the loop below finds the culprit.
    if values.iter().fold(true, |ok, v| ok & (*v >= 0.0) & (*v < f64::INFINITY)) {
        return Ok(());
    }
    for (i, v) in values.iter().enumerate() {
        if !v.is_finite() || *v < 0.0 {
            return Err(CoreError::invalid(
                format!("{}[{i}]", key()),
                format!("a finite non-negative number, got {v}"),
            ));
        }
    }
    Ok(())
}

fn check_probability(key: impl Fn() -> String, values: &[f64]) -> Result<(), CoreError> {
    if values.iter().fold(true, |ok, v| ok & (*v >= 0.0) & (*v <= 1.0)) {
        return Ok(());
    }
    for (i, v) in values.iter().enumerate() {
        if !(0.0..=1.0).contains(v) {
            return Err(CoreError::invalid(format!("{}[{i}]", key()), format!("a probability in [0, 1], got {v}")));
        }
    }
    Ok(())
}

impl Model {
    /// Checks every array's shape and range. `simulate` calls this first.
    pub fn validate(&self) -> Result<(), CoreError> {
        self.dims.validate()?;
        let (nb, np, nr) = (self.dims.n_bands(), self.dims.n_placements(), self.dims.n_reasons());
        if self.years.is_empty() || self.years.len() > 30 {
            return Err(CoreError::invalid("years", format!("a horizon of 1 to 30 years, got {}", self.years.len())));
        }
        check_len(|| "initial.stock".to_string(), self.initial.stock.len(), AGES * np)?;
        check_finite_nonneg(|| "initial.stock".to_string(), &self.initial.stock)?;
        check_finite_nonneg(|| "initial.care_leavers".to_string(), &self.initial.care_leavers)?;
        for (k, y) in self.years.iter().enumerate() {
            let want_year = self.start_year + 1 + k as i32;
            let at = |field: &str| format!("years.{}.{field}", y.year);
            if y.year != want_year {
                return Err(CoreError::invalid(format!("years[{k}].year"), format!("{want_year}, got {}", y.year)));
            }
            check_finite_nonneg(|| at("population_by_age"), &y.population_by_age)?;
            check_len(|| at("entry_rate_per_10k"), y.entry_rate_per_10k.len(), nb)?;
            check_finite_nonneg(|| at("entry_rate_per_10k"), &y.entry_rate_per_10k)?;
            if let Some(c) = &y.entry_count_per_year {
                check_len(|| at("entry_count_per_year"), c.len(), nb)?;
                check_finite_nonneg(|| at("entry_count_per_year"), c)?;
            }
            check_finite_nonneg(|| at("entry_age_weights"), &y.entry_age_weights)?;
            check_len(|| at("entry_mix"), y.entry_mix.len(), nb * np)?;
            check_probability(|| at("entry_mix"), &y.entry_mix)?;
            for b in 0..nb {
                let s: f64 = y.entry_mix[b * np..(b + 1) * np].iter().sum();
                if (s - 1.0).abs() > 1e-6 {
                    return Err(CoreError::invalid(
                        format!("{}.{}", at("entry_mix"), self.dims.age_bands[b].id),
                        format!("shares summing to 1, they sum to {s}"),
                    ));
                }
            }
            check_len(|| at("monthly_exit_probability"), y.monthly_exit_probability.len(), nb * np * nr)?;
            check_probability(|| at("monthly_exit_probability"), &y.monthly_exit_probability)?;
            check_len(|| at("monthly_move_probability"), y.monthly_move_probability.len(), nb * np * np)?;
            check_probability(|| at("monthly_move_probability"), &y.monthly_move_probability)?;
            check_len(|| at("reconciliation_per_year"), y.reconciliation_per_year.len(), nb)?;
            for t in &y.transfers {
                if t.from >= np || t.to >= np || !t.children_per_month.is_finite() || t.children_per_month < 0.0 {
                    return Err(CoreError::invalid(at("transfers"), "valid placements and a non-negative count"));
                }
            }
            for c in &y.capacities {
                if c.placement >= np
                    || c.overflow_to >= np
                    || c.placement == c.overflow_to
                    || c.max_children.is_nan()
                    || c.max_children < 0.0
                {
                    return Err(CoreError::invalid(
                        at("capacities"),
                        "valid, distinct placements and a non-negative capacity",
                    ));
                }
            }
            check_len(|| at("weekly_cost_gbp"), y.weekly_cost_gbp.len(), np)?;
            check_finite_nonneg(|| at("weekly_cost_gbp"), &y.weekly_cost_gbp)?;
            check_finite_nonneg(|| at("other_cla_weekly_cost_gbp"), &[y.other_cla_weekly_cost_gbp])?;
            check_finite_nonneg(|| at("care_leaver_annual_cost_gbp"), &[y.care_leaver_annual_cost_gbp])?;
            check_len(|| at("other_lines_gbp"), y.other_lines_gbp.len(), self.dims.other_spend_lines.len())?;
            check_finite_nonneg(|| at("other_lines_gbp"), &y.other_lines_gbp)?;
            check_finite_nonneg(|| at("funding_gbp"), &[y.funding_gbp])?;
            if let Some(w) = &y.workforce {
                if w.line >= self.dims.other_spend_lines.len() {
                    return Err(CoreError::invalid(at("workforce.line"), "an index of a spend line"));
                }
                check_finite_nonneg(
                    || at("workforce"),
                    &[
                        w.base_fte,
                        w.base_children,
                        w.elasticity,
                        w.caseload_factor,
                        w.cost_per_fte_gbp,
                        w.agency_premium,
                    ],
                )?;
                check_probability(|| at("workforce.agency_share"), &[w.agency_share, w.base_agency_share])?;
            }
            if !(y.deflator.is_finite() && y.deflator > 0.0) {
                return Err(CoreError::invalid(at("deflator"), format!("a positive number, got {}", y.deflator)));
            }
        }
        Ok(())
    }
}
