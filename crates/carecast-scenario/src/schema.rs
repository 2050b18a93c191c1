//! The scenario file format (TOML), as serde types.
//!
//! What it is: the shape of a scenario after `extends` has been merged, with
//! units in key names and every assumption carrying its source and range.
//! What it is not: validation of cross-references (ids that must exist) or the
//! turning of a scenario into a model — see `resolve.rs`.

use serde::Deserialize;
use std::collections::BTreeMap;

/// A number with its provenance: either a bare number (an assumption with no
/// stated range) or `{ value, low, high, source }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Param {
    /// A bare number.
    Plain(f64),
    /// A number with its source and plausible range.
    Full(ParamFull),
}

/// A number with its source and a plausible low-high range.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamFull {
    /// Central value.
    pub value: f64,
    /// Plausible low value.
    pub low: Option<f64>,
    /// Plausible high value.
    pub high: Option<f64>,
    /// Where the value comes from (a seed id, a publication, or "assumption: ...").
    pub source: Option<String>,
    /// Monte Carlo distribution of the value: `triangular` (the default:
    /// min low, mode value, max high), `uniform`, `normal`, `lognormal`,
    /// `beta` (PERT) or `gamma`; see README for how each reads the range.
    pub distribution: Option<String>,
    /// Standard deviation (normal, gamma) instead of the one the range implies.
    pub sd: Option<f64>,
    /// Log-scale standard deviation (lognormal).
    pub sigma: Option<f64>,
    /// Beta shape alpha (with `beta`), scaled to [low, high].
    pub alpha: Option<f64>,
    /// Beta shape beta (with `alpha`).
    pub beta: Option<f64>,
    /// Gamma shape.
    pub shape: Option<f64>,
    /// Smallest value a draw may take (truncation to a physical domain).
    pub min: Option<f64>,
    /// Largest value a draw may take.
    pub max: Option<f64>,
}

impl Param {
    /// The central value.
    pub fn value(&self) -> f64 {
        match self {
            Param::Plain(v) => *v,
            Param::Full(p) => p.value,
        }
    }
    /// The stated source, if any.
    pub fn source(&self) -> Option<&str> {
        match self {
            Param::Plain(_) => None,
            Param::Full(p) => p.source.as_deref(),
        }
    }
    /// The stated range, if any.
    pub fn range(&self) -> Option<(f64, f64)> {
        match self {
            Param::Full(ParamFull { low: Some(l), high: Some(h), .. }) => Some((*l, *h)),
            _ => None,
        }
    }
}

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Parent scenario (shipped name or path relative to this file); merged first.
    pub extends: Option<String>,
    /// Names and horizon.
    pub scenario: ScenarioMeta,
    /// Age bands, placements and exit reasons, with their DfE categories.
    pub dimensions: DimensionsDef,
    /// How rates are calibrated from the published data (not with `explicit`).
    #[serde(default)]
    pub calibration: Option<CalibrationDef>,
    /// The child population path (not with `explicit`).
    #[serde(default)]
    pub population: Option<PopulationDef>,
    /// Rates and stock stated directly (e.g. written by `carecast calibrate`
    /// from a council's SSDA903 return) instead of calibrated from the seeds.
    #[serde(default)]
    pub explicit: Option<ExplicitDef>,
    /// Unit costs and prices.
    pub costs: CostsDef,
    /// Real-terms deflator.
    pub deflator: DeflatorDef,
    /// Other children's social care spend lines.
    #[serde(default)]
    pub spend_lines: BTreeMap<String, SpendLineDef>,
    /// Funding stated for the area (grants and budget path).
    #[serde(default)]
    pub funding: Option<FundingDef>,
    /// Dated changes of rates, prices and capacities.
    #[serde(default)]
    pub levers: Vec<LeverDef>,
    /// Money spent on programmes, counted as spend, with effects on rates.
    #[serde(default)]
    pub programmes: Vec<ProgrammeDef>,
    /// Social workers needed and their cost (feeds a spend line).
    #[serde(default)]
    pub workforce: Option<WorkforceDef>,
    /// A stated growth path for the number of children in care (a demand-trend
    /// projection); the rates' flows are kept and a reconciliation flow makes
    /// up the difference.
    #[serde(default)]
    pub stock_path: Option<StockPathDef>,
    /// Sources cited, keyed by seeds/published-figures.toml id.
    #[serde(default)]
    pub cites: Vec<String>,
    /// Correlations between ranged assumptions, for Monte Carlo draws.
    #[serde(default)]
    pub correlations: Vec<CorrelationDef>,
}

/// Two ranged assumptions drawn together: `rho` is the correlation of their
/// normal scores (Gaussian copula); their rank correlation is (6/pi) asin(rho/2).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrelationDef {
    /// Name, so a child scenario can override it.
    pub id: String,
    /// Key of the first assumption, as `carecast sensitivity` lists it
    /// (e.g. `dimensions.placements.childrens_home.price_growth`).
    pub a: String,
    /// Key of the second assumption.
    pub b: String,
    /// Correlation of normal scores, in (-1, 1).
    pub rho: f64,
    /// Why they move together.
    #[serde(default)]
    pub source: Option<String>,
}

/// Names and horizon.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioMeta {
    /// Short id used in file names and the `scenario` column.
    pub name: String,
    /// One-line title for charts and reports.
    pub title: String,
    /// What the scenario is and how it was made.
    #[serde(default)]
    pub description: String,
    /// Area code (E92000001 for England, or an LA's ONS code).
    pub area: String,
    /// Start from the published stock at 31 March of this year.
    pub start_year: i32,
    /// Project to 31 March of this year.
    pub end_year: i32,
    /// Whose money this file's own amounts of funding, grants and programme
    /// spend are: England's (the default; a run for a council takes its
    /// share) or the area's own (used as they are). Each file of an
    /// `extends` chain says it for the amounts it states.
    #[serde(default)]
    pub amounts_for: AmountsFor,
}

/// Whose money a scenario's funding, grants and programme spend are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AmountsFor {
    /// England's: a run for a council apportions them by its share of
    /// England's children's social care spend.
    #[default]
    #[serde(alias = "England")]
    England,
    /// The area's own: used as they are.
    #[serde(alias = "Area")]
    Area,
}

/// Dimensions and their mapping to DfE categories.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionsDef {
    /// Age bands; each maps to the DfE band of the same id.
    pub age_bands: Vec<AgeBandDef>,
    /// Placements; each lists the DfE placement categories it covers.
    pub placements: Vec<PlacementDef>,
    /// Exit reasons with a probability; each lists DfE reason categories.
    pub exit_reasons: Vec<ExitReasonDef>,
    /// Id of the exit at 18.
    pub ageing_out_reason: String,
}

/// An age band.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeBandDef {
    /// Id, e.g. `10_15`.
    pub id: String,
    /// First year of age.
    pub from_years: usize,
    /// One past the last year of age.
    pub to_years: usize,
}

/// A placement.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacementDef {
    /// Id, e.g. `childrens_home`.
    pub id: String,
    /// Label for tables and charts.
    pub label: String,
    /// DfE placement categories (seeds ids) this placement covers.
    pub dfe: Vec<String>,
    /// Age bands where this placement is a structural zero.
    #[serde(default)]
    pub not_for_age_bands: Vec<String>,
    /// Which S251 weekly unit cost applies (`weekly_cost_fostering_gbp`, ...),
    /// or none for a derived cost.
    pub s251_weekly_cost: Option<String>,
    /// For a derived cost: weekly cost as a multiple of the fostering unit cost.
    pub derived_cost_vs_fostering: Option<Param>,
    /// Weekly cost stated directly (explicit scenarios), £.
    pub weekly_cost_gbp: Option<Param>,
    /// Annual price growth after the last year of published costs.
    pub price_growth: Param,
    /// Sub-placements this placement is split into after calibration (for
    /// example foster care into kinship, in-house and agency fostering).
    #[serde(default)]
    pub split: Vec<SplitDef>,
}

/// One part of a split placement.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitDef {
    /// Id, e.g. `foster_kinship`.
    pub id: String,
    /// Label.
    pub label: String,
    /// Share of the parent's children (shares of a split sum to 1).
    pub share: Param,
    /// Weekly cost relative to the parent's (the parts are rescaled so that the
    /// share-weighted average equals the parent's published cost).
    pub weekly_cost_vs_parent: Param,
}

/// An exit reason.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExitReasonDef {
    /// Id, e.g. `returned_home`.
    pub id: String,
    /// Label.
    pub label: String,
    /// DfE reason categories. Empty with `residual = true`.
    #[serde(default)]
    pub dfe: Vec<String>,
    /// The reason takes what the others and ageing out leave of the total.
    #[serde(default)]
    pub residual: bool,
    /// The reason only happens from this placement (adoption from placed for adoption).
    pub only_from: Option<String>,
}

/// Calibration settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationDef {
    /// First published 31 March stock used (the calibration starts from it).
    pub first_year: i32,
    /// Last published year used.
    pub last_year: i32,
    /// Projection rates are the mean of these calibrated years' rates.
    pub rates_from_year: i32,
    /// ...to this year.
    pub rates_to_year: i32,
    /// Entry and exit rate levels are the mean over this many published
    /// years ending `rates_to_year`: where the window reaches before the
    /// calibrated rates (breakdowns start later than the headline series),
    /// the calibrated rates are scaled to the window's headline levels.
    /// Absent: the levels of the rates window.
    #[serde(default)]
    pub level_years: Option<i32>,
    /// Correction passes per year.
    #[serde(default = "default_passes")]
    pub passes: usize,
    /// Placement on entry by age band (shares); DfE does not publish it.
    pub entry_mix: BTreeMap<String, BTreeMap<String, f64>>,
    /// Where the entry mix comes from.
    pub entry_mix_source: String,
}

fn default_passes() -> usize {
    6
}

/// Child population path.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationDef {
    /// Mid-year of the last ONS estimate used (its single-year-of-age mix comes
    /// from the nearest bundled mid-2022/mid-2023 estimate).
    pub base_mid_year: i32,
    /// Annual growth of the 0-17 population after the base year.
    pub annual_growth: Param,
}

/// Unit costs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostsDef {
    /// Annual growth of other children-looked-after costs per child-week.
    pub other_cla_cost_growth: Param,
    /// Annual growth of leaving-care cost per care leaver.
    pub leaving_care_cost_growth: Param,
}

/// Deflator for real terms.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeflatorDef {
    /// Prices of this financial year (year ending 31 March) are the real-terms base.
    pub base_year: i32,
    /// Annual general inflation, applied every year before and after the base.
    pub annual_inflation: Param,
}

/// Another S251 children's social care line.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpendLineDef {
    /// S251 item id in seeds/s251_finance.csv.
    pub s251_item: String,
    /// Annual cash growth after the last outturn year.
    pub annual_growth: Param,
}

/// Funding stated for the area.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingDef {
    /// Funding in a base year, £m.
    pub base_year: i32,
    /// Amount in the base year, £m.
    pub base_gbp_m: Param,
    /// Annual growth after the base year.
    pub annual_growth: Param,
    /// Grants on top of the budget path, £m by financial year.
    #[serde(default)]
    pub grants: Vec<GrantDef>,
}

/// A grant stream.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantDef {
    /// Id.
    pub id: String,
    /// £m by financial year (key: year ending 31 March).
    pub gbp_m: std::collections::BTreeMap<String, f64>,
    /// Source.
    pub source: String,
}

/// What a lever or a programme effect changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeverTarget {
    /// Entry rate per 10,000 children (volume), by age band.
    EntryRate,
    /// Share of entries going to `placements`, by age band (re-normalised to sum to 1).
    EntryMix,
    /// Monthly exit probability by reason, age band and placement.
    ExitProbability,
    /// Monthly probability of a move from `placements` to `to`, by age band.
    MoveProbability,
    /// Children moved each month from `placements[0]` to `to` (`op = "set"`).
    Transfer,
    /// Weekly unit cost of `placements`.
    WeeklyCost,
    /// Annual price growth of `placements` (`op = "add"`, percentage points as a fraction).
    PriceGrowth,
    /// Capacity of `placements[0]`, overflow to `to` (`op = "set"`).
    Capacity,
    /// Leaving-care cost per care leaver.
    LeavingCareCost,
    /// Agency share of social workers.
    AgencyShare,
    /// Multiplier on social workers needed (caseload).
    SocialWorkersNeeded,
}

/// How a lever's value combines with the parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeverOp {
    /// Multiply by the value.
    #[default]
    Multiply,
    /// Add the value.
    Add,
    /// Replace by the value (capacity, transfer).
    Set,
    /// Multiply by (1 + value) per year since the lever started (a trend).
    Grow,
}

/// A dated change of one parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeverDef {
    /// Id (unique in the scenario; children override a parent's lever by id).
    pub id: String,
    /// What the lever represents.
    #[serde(default)]
    pub description: String,
    /// What it changes.
    pub target: LeverTarget,
    /// How.
    #[serde(default)]
    pub op: LeverOp,
    /// The value at full strength.
    pub value: Param,
    /// Age bands affected (default all).
    #[serde(default)]
    pub age_bands: Vec<String>,
    /// Placements affected (default all).
    #[serde(default)]
    pub placements: Vec<String>,
    /// Exit reasons affected (default all).
    #[serde(default)]
    pub reasons: Vec<String>,
    /// Destination placement (moves, transfers, capacity overflow).
    pub to: Option<String>,
    /// First financial year affected (year ending 31 March).
    pub from_year: i32,
    /// Years to reach full strength, linearly (1 = at once).
    #[serde(default = "one")]
    pub phase_in_years: u32,
    /// Last financial year affected (default: to the end).
    pub to_year: Option<i32>,
}

fn one() -> u32 {
    1
}

/// A funded programme.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeDef {
    /// Id.
    pub id: String,
    /// What it is.
    #[serde(default)]
    pub description: String,
    /// Purpose: `family_help`, `kinship_support`, `foster_carer_recruitment`,
    /// `workforce`, `care_leavers` or `other`; spend is reported as `line:programme_<purpose>`.
    pub purpose: String,
    /// Spend by financial year (key: year ending 31 March, as a string), £m.
    pub spend_gbp_m: std::collections::BTreeMap<String, f64>,
    /// Shift every spend year by this many years (a delayed package).
    #[serde(default)]
    pub delay_years: i32,
    /// True if the money is already inside the S251 lines (not added again).
    #[serde(default)]
    pub already_in_spend_lines: bool,
    /// Where the figures come from.
    pub source: String,
    /// Effects on rates.
    #[serde(default)]
    pub effects: Vec<EffectDef>,
}

/// An effect of a programme's money on one rate.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectDef {
    /// What it changes (multiplied by 1 + effect).
    pub target: LeverTarget,
    /// Age bands affected (default all).
    #[serde(default)]
    pub age_bands: Vec<String>,
    /// Placements affected (default all).
    #[serde(default)]
    pub placements: Vec<String>,
    /// Exit reasons affected (default all).
    #[serde(default)]
    pub reasons: Vec<String>,
    /// Destination placement for moves.
    pub to: Option<String>,
    /// Proportional change per £m of effective money.
    pub effect_per_gbp_m: Param,
    /// Effective money at half the maximum effect, £m (0 = linear).
    pub saturation_gbp_m: Param,
    /// Years from money to effect.
    #[serde(default)]
    pub lag_years: u32,
    /// Years to full strength.
    #[serde(default = "one")]
    pub ramp_years: u32,
    /// Share of effective money lost each year.
    pub decay_per_year: Param,
}

/// Children in care grow at a stated rate from `from_year` on: the stock at
/// 31 March of each year `y >= from_year` is the simulated stock at 31 March
/// `from_year - 1` times `(1 + annual_growth)^(y - from_year + 1)`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StockPathDef {
    /// Annual growth of children in care (0.03 = 3% a year).
    pub annual_growth: Param,
    /// First year (ending 31 March) on the path.
    pub from_year: i32,
}

/// Social workers needed and their cost.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkforceDef {
    /// Spend line that pays (e.g. `safeguarding`).
    pub spend_line: String,
    /// Year of the 30 September workforce snapshot used as the base (seeds/workforce.csv).
    pub base_snapshot_year: i32,
    /// Elasticity of social workers needed to children in care.
    pub elasticity: Param,
    /// Employer cost per permanent FTE in the base year, £.
    pub cost_per_fte_gbp: Param,
    /// Annual growth of that cost.
    pub cost_growth: Param,
    /// Extra cost of an agency FTE (0.5 = 50% more).
    pub agency_premium: Param,
}

/// A band id -> placement id -> number table.
pub type BandPlacementTable = std::collections::BTreeMap<String, std::collections::BTreeMap<String, f64>>;

/// Rates and stock stated directly.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplicitDef {
    /// Date of the initial stock (ISO), for the record.
    pub stock_date: String,
    /// Care leavers aged 18-25 at the stock date.
    #[serde(default)]
    pub care_leavers: f64,
    /// Other children-looked-after costs per child-week, £.
    #[serde(default)]
    pub other_cla_weekly_cost_gbp: f64,
    /// Leaving-care cost per care leaver a year, £.
    #[serde(default)]
    pub care_leaver_annual_cost_gbp: f64,
    /// Entries a year by age band.
    pub entries_per_year: std::collections::BTreeMap<String, f64>,
    /// Placement on entry: band -> placement -> share.
    pub entry_mix: BandPlacementTable,
    /// Children in care at the stock date: band -> placement -> children.
    pub initial_stock: BandPlacementTable,
    /// Exit reason -> band -> placement -> monthly probability.
    #[serde(default)]
    pub monthly_exit_probability: std::collections::BTreeMap<String, BandPlacementTable>,
    /// From placement -> band -> to placement -> monthly probability.
    #[serde(default)]
    pub monthly_move_probability: std::collections::BTreeMap<String, BandPlacementTable>,
}
