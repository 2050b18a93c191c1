//! Resolution: a loaded scenario plus the seed data become a runnable
//! `carecast_core::Model`, with the calibration, the derived unit costs, the
//! published history and a list of every assumption and data fill.
//!
//! What it is: the bridge from published data to model parameters (mapping DfE
//! categories to the scenario's ids, population paths, costs and prices).
//! What it is not: the simulation (core) or any output writing (binary).
//!
//! A calibrated scenario resolves in two stages: [`Prepared`] is everything
//! that no ranged assumption changes (area, dimensions, published data,
//! calibration, start stock, the S251 and population inputs), and `assume`
//! applies the assumptions' values on top (unit costs and prices, population
//! growth, spend lines, deflator, funding, splits and the policy layer). A
//! Monte Carlo draw ([`build_draw`]) and a sensitivity run ([`build_reusing`])
//! of the same file, options and seeds repeat only the second stage.
//!
//! Projection rates are the mean of the calibrated years in the rates window;
//! with `calibration.level_years` reaching back before the calibrated years,
//! their levels are scaled to that window's headline entry and exit levels
//! (`level_factors`), in the first stage.

use crate::error::ScenarioError;
use crate::loader::Loaded;
use crate::schema::{Param, ScenarioFile};
use crate::seeds::{HeadlineRates, Seeds};
use crate::values::{Drawn, Key, Notes, Values};
use carecast_core::calibrate::{
    Calibration, CalibrationSpec, PublishedYear, YearRates, calibrate, joint_stock, mean_rates, split_by_age,
    tilted_weights,
};
use carecast_core::{
    AGES, AgeBand, Dimensions, InitialState, LEAVER_AGES, Model, Projection, Row, YearParams, simulate,
};
use std::sync::Arc;

/// Options from the command line that change how a scenario is resolved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunOptions {
    /// Start from the published stock at 31 March of this year instead of the scenario's.
    pub start_year: Option<i32>,
    /// Project to this year instead of the scenario's.
    pub end_year: Option<i32>,
    /// Run for this area (ONS code, DfE number or name) instead of the scenario's.
    pub area: Option<String>,
}

/// A stated assumption or a data note, for reports and `explain`.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    /// Key or topic.
    pub key: String,
    /// What was assumed or done.
    pub text: String,
    /// Source, or "assumption".
    pub source: String,
}

/// Published figures for one year, for history rows and checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Outturn {
    /// Year ending 31 March.
    pub year: i32,
    /// Children in care at 31 March.
    pub children_in_care: Option<f64>,
    /// Starts.
    pub starts: Option<f64>,
    /// Ceased.
    pub ceased: Option<f64>,
    /// S251 spend on children looked after, £ (financial year ending 31 March `year`).
    pub spend_cla_gbp: Option<f64>,
    /// S251 children and young people's services total, £.
    pub spend_total_gbp: Option<f64>,
}

/// A resolved scenario, ready to simulate.
#[derive(Debug, Clone)]
pub struct Built {
    /// Scenario id.
    pub name: String,
    /// Title.
    pub title: String,
    /// Area code.
    pub area: String,
    /// Area name.
    pub area_name: String,
    /// Real-terms prices are those of the financial year ending 31 March of this year.
    pub price_base_year: i32,
    /// The model to run.
    pub model: Model,
    /// Placement labels, in model order.
    pub placement_labels: Vec<String>,
    /// The scenario placement each model placement was split from (itself if not split).
    pub placement_parent: Vec<String>,
    /// The calibration of the published years (none for explicit scenarios).
    pub calibration: Option<Calibration>,
    /// The calibrated model replaying the published years (flows only).
    pub replay: Option<Model>,
    /// Projection rates (mean of the calibrated years).
    pub projection_rates: Option<YearRates>,
    /// Published outturn by year.
    pub outturn: std::sync::Arc<Vec<Outturn>>,
    /// Published margins in the scenario's ids (scenario `published`), for the
    /// calibration years: stock by age and placement, starts by age, ceased by
    /// age and reason (`reason:<ageing out>` is exits at 18 or over).
    pub published_margins: std::sync::Arc<Vec<Row>>,
    /// Assumptions, sources and data notes.
    pub notes: Vec<Note>,
    /// Published values that were suppressed or missing and were filled (or
    /// apportioned from a predecessor council), with the method.
    pub filled: std::sync::Arc<Vec<crate::fill::FillNote>>,
    /// The calibration's inputs and the work derived from them alone, so
    /// [`build_reusing`] can reuse them for a variant of the scenario (another
    /// file with the same area, years, dimensions and entry mix).
    pub reuse: Option<std::sync::Arc<Reusable>>,
    /// Everything in this resolution that the ranged assumptions do not
    /// change, so that [`build_draw`] (and [`build_reusing`] with other
    /// overrides) resolves only the rest (none for explicit scenarios).
    pub prepared: Option<std::sync::Arc<Prepared>>,
}

/// What the published data and the calibration depend on.
#[derive(Debug, Clone, PartialEq)]
struct ReuseKey {
    area: String,
    first_year: i32,
    last_year: i32,
    base_mid_year: i32,
    /// The population growth, if a published year needs it (bits of the f64).
    growth_in_window: Option<u64>,
    spec: CalibrationSpec,
}

/// Work that depends only on the published data and the calibration (see
/// [`build_reusing`]).
#[derive(Debug)]
pub struct Reusable {
    key: ReuseKey,
    first_year: i32,
    published: Vec<PublishedYear>,
    published_margins: std::sync::Arc<Vec<Row>>,
    outturn: std::sync::Arc<Vec<Outturn>>,
    data_notes: Vec<Note>,
    filled: std::sync::Arc<Vec<crate::fill::FillNote>>,
    calibration: Calibration,
    replay: Model,
    replay_run: Projection,
    /// (start year, single-age stock, care leavers) before any policy.
    start: std::sync::OnceLock<(i32, Vec<f64>, [f64; LEAVER_AGES])>,
}

impl Built {
    /// Runs the model.
    pub fn run(&self) -> Result<Projection, ScenarioError> {
        simulate(&self.model).map_err(|error| ScenarioError::Core { file: self.name.clone(), error })
    }

    /// Published history as tidy rows (scenario `published`).
    pub fn history_rows(&self) -> Vec<Row> {
        let mut out = Vec::new();
        for o in self.outturn.iter() {
            let mut push = |measure: &'static str, v: Option<f64>| {
                if let Some(value) = v {
                    out.push(Row {
                        scenario: "published".into(),
                        year: o.year,
                        measure,
                        breakdown: "total".into(),
                        value,
                    });
                }
            };
            push("children_in_care", o.children_in_care);
            push("starts", o.starts);
            push("ceased", o.ceased);
            push("spend_gbp_cash", o.spend_cla_gbp);
            push("csc_spend_gbp_cash", o.spend_total_gbp);
        }
        out.extend(self.published_margins.iter().cloned());
        out
    }
}

/// A checked parameter value, recorded in the notes with its source.
fn param(
    values: &Values<'_>,
    key: Key<'_>,
    p: &Param,
    notes: &mut Notes,
    what: std::fmt::Arguments<'_>,
) -> Result<f64, ScenarioError> {
    let v = values.get(key, p)?;
    notes.push(|| {
        let range = p.range().map(|(l, h)| format!(" (range {l} to {h})")).unwrap_or_default();
        Note {
            key: key.to_string(),
            text: format!("{what}: {v}{range}"),
            source: p.source().unwrap_or("assumption (no source stated)").to_string(),
        }
    });
    Ok(v)
}

/// The 0-17 population of the rates of one year (mid-(y-1)) before the
/// population growth is known: the published total or the base year's, and
/// the single-year mix.
#[derive(Debug, Clone)]
struct PopulationInputs {
    total: PopulationTotal,
    mix: [f64; AGES],
    mix_total: f64,
}

/// The 0-17 total of a year.
#[derive(Debug, Clone, Copy)]
enum PopulationTotal {
    /// Published (a mid-year no later than the base).
    Published(f64),
    /// The base mid-year's, grown by the stated growth over `years`.
    Grown { base: f64, years: i32 },
}

impl PopulationInputs {
    /// What the seeds say for year `y` in `area`; `None` if the total or the mix is missing.
    fn new(seeds: &Seeds, area: &str, y: i32, base_mid_year: i32) -> Option<Self> {
        let mid = y - 1;
        let total = match seeds.population.get(&(area.to_string(), mid)) {
            Some(t) if mid <= base_mid_year => PopulationTotal::Published(*t),
            _ => PopulationTotal::Grown {
                base: *seeds.population.get(&(area.to_string(), base_mid_year))?,
                years: mid - base_mid_year,
            },
        };
        let single_year_mid = if mid <= 2022 { 2022 } else { 2023 };
        let mix = *seeds.population_single_year.get(&(area.to_string(), single_year_mid))?;
        let mix_total: f64 = mix.iter().sum();
        if mix_total <= 0.0 {
            return None;
        }
        Some(PopulationInputs { total, mix, mix_total })
    }

    /// Population by single year of age, with the 0-17 total grown by `growth` a year after the base.
    fn at(&self, growth: f64) -> [f64; AGES] {
        let total = match self.total {
            PopulationTotal::Published(t) => t,
            PopulationTotal::Grown { base, years } => base * (1.0 + growth).powi(years),
        };
        let mut out = [0.0; AGES];
        for (o, m) in out.iter_mut().zip(&self.mix) {
            *o = total * m / self.mix_total;
        }
        out
    }
}

/// Resolves a loaded scenario against the seeds.
pub fn build(loaded: &Loaded, seeds: &Seeds, opts: &RunOptions) -> Result<Built, ScenarioError> {
    build_with(loaded, seeds, opts, Values::file(loaded), None)
}

/// [`build`], reusing `prior`'s work where this scenario's inputs to it are
/// the same: the published data and the calibration when the calibration
/// inputs (area, years, dimensions, entry mix) are; and everything but the
/// ranged assumptions when `prior` was resolved from the same file, options
/// and seeds (a sensitivity run: only `Loaded::overrides` differ). The result
/// equals that of [`build`].
pub fn build_reusing(loaded: &Loaded, seeds: &Seeds, opts: &RunOptions, prior: &Built) -> Result<Built, ScenarioError> {
    build_with(loaded, seeds, opts, Values::file(loaded), Some(prior))
}

/// The model of a Monte Carlo draw: `loaded` resolved with the `drawn` values
/// of its ranged assumptions, bit for bit the model that [`build_reusing`]
/// gives for `loaded` with those values set as overrides
/// ([`crate::loader::set_value`]), with nothing else (no notes, no history).
///
/// When `central` was resolved from this `loaded` (the same file, options and
/// seeds), only what the assumptions decide is resolved again (unit costs and
/// prices, the population path, splits, levers, programmes, workforce and
/// funding) on top of `central`'s prepared data and calibration
/// ([`Built::prepared`]); otherwise the scenario is resolved as
/// [`build_reusing`] does. The fast route does not validate the model: the
/// simulator validates every model it runs.
pub fn build_draw(
    loaded: &Loaded,
    seeds: &Seeds,
    opts: &RunOptions,
    central: &Built,
    drawn: Drawn<'_>,
) -> Result<Model, ScenarioError> {
    let values = Values::drawn(loaded, drawn);
    let prepared = match &central.prepared {
        Some(p) if p.fits(loaded, seeds, opts, &values)? => p,
        _ => return Ok(build_with(loaded, seeds, opts, values, Some(central))?.model),
    };
    let mut notes = Notes::discarded();
    let mut model = assume(prepared, seeds, &values, &mut notes)?.model;
    if let Some(path) = &loaded.file.stock_path {
        follow_path(&values, path, &mut model, &mut notes)?;
    }
    Ok(model)
}

fn build_with(
    loaded: &Loaded,
    seeds: &Seeds,
    opts: &RunOptions,
    values: Values<'_>,
    prior: Option<&Built>,
) -> Result<Built, ScenarioError> {
    let f: &ScenarioFile = &loaded.file;
    let mut built = match &f.explicit {
        Some(explicit) => crate::explicit::build(&values, seeds, opts, explicit)?,
        None => build_calibrated(loaded, seeds, opts, &values, prior)?,
    };
    if let Some(path) = &f.stock_path {
        let mut notes = Notes::kept();
        follow_path(&values, path, &mut built.model, &mut notes)?;
        built.notes.extend(notes.into_vec());
    }
    if loaded.overrides.is_empty() && !values.is_drawn() {
        // Distributions and correlations are checked with the file, not first at a draw.
        crate::uncertainty::draw_plan(loaded)?;
    }
    Ok(built)
}

/// Applies a `[stock_path]` to a resolved model (see [`carecast_core::path`]).
fn follow_path(
    values: &Values<'_>,
    path: &crate::schema::StockPathDef,
    model: &mut Model,
    notes: &mut Notes,
) -> Result<(), ScenarioError> {
    let loaded = values.loaded;
    let g = param(
        values,
        Key(&["stock_path.annual_growth"]),
        &path.annual_growth,
        notes,
        format_args!(
            "children in care grow by this share a year from {} (a stated path; rate-driven flows kept, the difference is a reconciliation flow)",
            path.from_year
        ),
    )?;
    if !(-0.5..=0.5).contains(&g) {
        return Err(
            loaded.key_error("stock_path.annual_growth", format!("a growth between -0.5 and 0.5 a year, found {g}"))
        );
    }
    let years: Vec<i32> = model.years.iter().map(|y| y.year).filter(|y| *y >= path.from_year).collect();
    if path.from_year <= model.start_year || years.is_empty() {
        return Err(loaded.key_error(
            "stock_path.from_year",
            format!(
                "a year after the start ({}) and no later than the end ({}), found {}",
                model.start_year,
                model.years.last().map_or(model.start_year, |y| y.year),
                path.from_year
            ),
        ));
    }
    let core = |error| ScenarioError::Core { file: loaded.path().to_string(), error };
    let anchor = if path.from_year == model.start_year + 1 {
        model.initial.stock.iter().sum::<f64>()
    } else {
        let mut upto = model.clone();
        upto.years.retain(|y| y.year < path.from_year);
        simulate(&upto).map_err(core)?.final_stock_by_age.iter().sum()
    };
    let targets: Vec<(i32, f64)> =
        years.iter().map(|&y| (y, anchor * (1.0 + g).powi(y - path.from_year + 1))).collect();
    carecast_core::path::follow_stock_path(model, &targets).map_err(core)?;
    Ok(())
}

/// Everything in the resolution of a calibrated scenario that its ranged
/// assumptions do not change: the area, the dimensions and entry mix, the
/// published data and the calibration, the projection rates, the start
/// stock, the S251 figures the unit costs and spend lines start from, and the
/// population inputs. Prepared once (by [`build`]); a Monte Carlo draw or a
/// sensitivity run of the same file, options and seeds resolves only the rest
/// ([`build_draw`], [`build_reusing`]).
#[derive(Debug)]
pub struct Prepared {
    /// Prepared from this file (compared by identity), these options and the seeds at this address.
    file: Arc<ScenarioFile>,
    opts: RunOptions,
    seeds: usize,
    /// The population growth (bits), if the published years depend on it (see [`ReuseKey`]).
    growth_in_window: Option<u64>,
    reuse: Arc<Reusable>,
    area: crate::seeds::Area,
    /// Dimensions before any placement split.
    dims: Dimensions,
    entry_mix: Vec<f64>,
    projection_rates: YearRates,
    /// The notes of the data and calibration; the population growth's goes at `growth_note_at`.
    notes: Vec<Note>,
    growth_note_at: usize,
    /// Per published financial year (after the first), what its unit costs are derived from.
    cost_years: Vec<CostYear>,
    start_year: i32,
    initial_stock: Vec<f64>,
    initial_leavers: [f64; LEAVER_AGES],
    /// Per projection year.
    years: Vec<ProjectionYear>,
    /// The area's share of England's money, for amounts stated for England.
    national_share: NationalShare,
}

/// An area's share of amounts stated for England (funding, grants and
/// programme spend): 1 for England; for a council, its share of England's
/// children's social care spend in the latest S251 outturn (filled as any
/// S251 item is), else of children in care at the start.
#[derive(Debug, Clone)]
struct NationalShare {
    share: f64,
    /// How the share was found, for the note; empty for England.
    basis: String,
}

impl NationalShare {
    fn of(data: &crate::area_data::AreaData, seeds: &Seeds, area: &crate::seeds::Area, start_year: i32) -> Self {
        const ENGLAND: &str = "E92000001";
        if area.code == ENGLAND {
            return NationalShare { share: 1.0, basis: String::new() };
        }
        const ITEM: &str = "children_young_people_total_gbp";
        let england_s251 =
            |y: i32| seeds.s251.get(&(ENGLAND.to_string(), y, ITEM.to_string())).and_then(|c| c.number());
        let latest = (start_year - 10..=start_year + 10).rev().find(|y| england_s251(*y).is_some_and(|v| v > 0.0));
        // The councils' spend, each filled as any S251 item is where a council
        // did not report, so the councils' shares add up to 1 (England's
        // published total is the sum of those that reported).
        let councils = |y: i32| -> f64 {
            seeds
                .areas
                .iter()
                .filter(|a| a.level == "la")
                .filter_map(|a| crate::area_data::AreaData::new(seeds, a).s251(y, ITEM))
                .sum()
        };
        if let Some(y) = latest
            && let Some(own) = data.s251(y, ITEM)
            && let total = councils(y)
            && total > 0.0
        {
            let reported = seeds.s251.get(&(area.code.clone(), y, ITEM.to_string())).and_then(|c| c.number()).is_some();
            let fy = format!("{}-{:02}", y - 1, y % 100);
            return NationalShare {
                share: own / total,
                basis: if reported {
                    format!("its share of the councils' children's social care spend in {fy} (S251 outturn)")
                } else {
                    format!(
                        "its share of the councils' children's social care spend in {fy} (S251; its own {fy} figure is missing and was filled from its latest earlier year grown as England's)"
                    )
                },
            };
        }
        let stock = |code: &str| seeds.headline.get(&(code.to_string(), start_year)).and_then(|c| c[0].number());
        match (stock(&area.code), stock(ENGLAND)) {
            (Some(own), Some(england)) if england > 0.0 => NationalShare {
                share: own / england,
                basis: format!("its share of England's children in care at 31 March {start_year} (no S251 outturn)"),
            },
            _ => NationalShare { share: 1.0, basis: "no published share (amounts used as stated)".into() },
        }
    }
}

/// What a published year's unit costs are derived from (`None`: its S251 outturn is incomplete).
#[derive(Debug)]
struct CostYear {
    year: i32,
    inputs: Option<CostInputs>,
}

#[derive(Debug)]
struct CostInputs {
    /// S251 CLA total, leaving care and the fostering unit cost, £.
    total: f64,
    leaving: f64,
    fostering: f64,
    /// Each placement's S251 weekly cost item (`None`: derived from fostering).
    items: Vec<Option<f64>>,
    /// The replay's child-weeks by placement and care-leaver years.
    child_weeks: Vec<f64>,
    care_leaver_years: f64,
}

/// What a projection year's population and other spend lines are made of.
#[derive(Debug)]
struct ProjectionYear {
    year: i32,
    population: PopulationInputs,
    /// Per spend line (scenario order).
    lines: Vec<LineInputs>,
}

/// A spend line in a year: as published, or the last published year's grown.
#[derive(Debug, Clone, Copy)]
enum LineInputs {
    Published(f64),
    Grown { base: f64, years: i32 },
}

impl LineInputs {
    fn at(self, growth: f64) -> f64 {
        match self {
            LineInputs::Published(v) => v,
            LineInputs::Grown { base, years } => base * (1.0 + growth).powi(years),
        }
    }
}

impl Prepared {
    /// Whether this serves `loaded` with `values` under `opts` and `seeds`:
    /// the same file, options and seeds, and the same population growth if
    /// the published years depend on it.
    fn fits(
        &self,
        loaded: &Loaded,
        seeds: &Seeds,
        opts: &RunOptions,
        values: &Values<'_>,
    ) -> Result<bool, ScenarioError> {
        if !Arc::ptr_eq(&self.file, &loaded.file) || self.opts != *opts || self.seeds != seeds_address(seeds) {
            return Ok(false);
        }
        match (self.growth_in_window, &self.file.population) {
            (None, _) => Ok(true),
            (Some(bits), Some(population)) => {
                Ok(values.get(Key(&["population.annual_growth"]), &population.annual_growth)?.to_bits() == bits)
            }
            (Some(_), None) => Ok(false),
        }
    }
}

/// The seeds' address, to tell whether a prepared resolution used these seeds.
fn seeds_address(seeds: &Seeds) -> usize {
    std::ptr::from_ref(seeds) as usize
}

/// The first year of the bundled headline series (children in care, starts, ceased).
const FIRST_HEADLINE_YEAR: i32 = 2015;

/// One published year's headline rate levels, for [`level_factors`]: the
/// year's [`HeadlineRates`] when both are published.
#[derive(Debug, Clone, Copy, PartialEq)]
struct YearLevel {
    /// Year ending 31 March.
    year: i32,
    /// Starts per child aged 0-17.
    entry_rate: f64,
    /// Ceased per child in care on average over the year.
    exit_hazard: f64,
}

impl YearLevel {
    fn of(h: HeadlineRates) -> Option<Self> {
        Some(YearLevel { year: h.year, entry_rate: h.entry?.0, exit_hazard: h.exit?.0 })
    }
}

/// The factors (entries, exits) that take the mean levels of the years in
/// `rates` to the mean levels of the years in `level`, each mean over the
/// years of `levels` it holds; `None` when either holds none.
fn level_factors(
    levels: &[YearLevel],
    level: std::ops::RangeInclusive<i32>,
    rates: std::ops::RangeInclusive<i32>,
) -> Option<(f64, f64)> {
    let mean = |window: &std::ops::RangeInclusive<i32>| {
        let years: Vec<&YearLevel> = levels.iter().filter(|l| window.contains(&l.year)).collect();
        let n = years.len() as f64;
        (!years.is_empty()).then(|| {
            (years.iter().map(|l| l.entry_rate).sum::<f64>() / n, years.iter().map(|l| l.exit_hazard).sum::<f64>() / n)
        })
    };
    let (long, short) = (mean(&level)?, mean(&rates)?);
    Some((long.0 / short.0, long.1 / short.1))
}

/// The factor on exits other than at 18 that moves all exits by `all`: the
/// model's exits at 18 come from ageing, not from exit probabilities, so the
/// whole change falls on the others, `others` and `at_18` being their counts
/// in the rates window (`all` itself when there were no other exits; never
/// below zero).
fn other_exit_factor(all: f64, others: f64, at_18: f64) -> f64 {
    if others <= 0.0 {
        return all;
    }
    (1.0 + (all - 1.0) * (others + at_18) / others).max(0.0)
}

/// The data and calibration stage of a calibrated scenario (see [`Prepared`]),
/// reusing `prior`'s published data and calibration when their inputs are the
/// same. Reads the population growth (the published years may need it).
fn prepare(
    loaded: &Loaded,
    seeds: &Seeds,
    opts: &RunOptions,
    values: &Values<'_>,
    prior: Option<&Built>,
) -> Result<Prepared, ScenarioError> {
    let f: &ScenarioFile = &loaded.file;
    let mut notes = Vec::new();
    let wanted = opts.area.as_deref().unwrap_or(&f.scenario.area);
    let area = seeds
        .find_area(wanted)
        .ok_or_else(|| {
            let near = seeds.nearest_areas(wanted, 3).iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            let expected = format!("a known area (ONS code, DfE number or name), found `{wanted}`; nearest: {near}");
            match &opts.area {
                Some(_) => ScenarioError::Key { file: "--la".into(), key: "--la".into(), expected },
                None => loaded.key_error("scenario.area", expected),
            }
        })?
        .clone();
    if matches!(area.level.as_str(), "former_la" | "la_group") {
        let expected = format!("a current council or England; {} is not one: {}", area.name, area.note);
        return Err(match &opts.area {
            Some(_) => ScenarioError::Key { file: "--la".into(), key: "--la".into(), expected },
            None => loaded.key_error("scenario.area", expected),
        });
    }
    let code = area.code.as_str();
    let data = crate::area_data::AreaData::new(seeds, &area);

    check_cites(loaded, f)?;
    let dims = dimensions(f);
    dims.validate().map_err(|e| loaded.key_error("dimensions", e.to_string()))?;
    let (nb, np, nr) = (dims.n_bands(), dims.n_placements(), dims.n_reasons());
    let placement_of = |id: &str, key: &str| -> Result<usize, ScenarioError> {
        dims.placement_index(id).ok_or_else(|| {
            let hint = crate::error::did_you_mean(id, dims.placements.iter().map(String::as_str))
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            loaded.key_error(key, format!("a placement id ({}), found `{id}`{hint}", dims.placements.join(", ")))
        })
    };
    let band_of = |id: &str, key: &str| -> Result<usize, ScenarioError> {
        dims.band_index(id).ok_or_else(|| {
            let ids: Vec<&str> = dims.age_bands.iter().map(|b| b.id.as_str()).collect();
            let hint = crate::error::did_you_mean(id, ids.iter().copied())
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            loaded.key_error(key, format!("an age band id ({}), found `{id}`{hint}", ids.join(", ")))
        })
    };

    // Structural zeros and the entry mix.
    let mut allowed = vec![1.0; nb * np];
    for (p, def) in f.dimensions.placements.iter().enumerate() {
        for b in &def.not_for_age_bands {
            allowed[band_of(b, "not_for_age_bands")? * np + p] = 0.0;
        }
    }
    let cal = f.calibration.as_ref().ok_or_else(|| {
        loaded.key_error("calibration", "a [calibration] table (or an [explicit] table of rates for a custom area)")
    })?;
    let population = f.population.as_ref().ok_or_else(|| {
        loaded.key_error("population", "a [population] table (or an [explicit] table of rates for a custom area)")
    })?;
    let mut entry_mix = vec![0.0; nb * np];
    for (band_id, shares) in &cal.entry_mix {
        let b = band_of(band_id, &format!("calibration.entry_mix.{band_id}"))?;
        for (pid, share) in shares {
            let key = format!("calibration.entry_mix.{band_id}.{pid}");
            let p = placement_of(pid, &key)?;
            if !(0.0..=1.0).contains(share) {
                return Err(loaded.key_error(&key, format!("a share in [0, 1], found {share}")));
            }
            entry_mix[b * np + p] = *share;
        }
    }
    for (b, band) in dims.age_bands.iter().enumerate() {
        let s: f64 = entry_mix[b * np..(b + 1) * np].iter().sum();
        if (s - 1.0).abs() > 1e-6 {
            return Err(loaded.key_error(
                &format!("calibration.entry_mix.{}", band.id),
                format!("shares for age band `{}` summing to 1, they sum to {s}", band.id),
            ));
        }
    }
    notes.push(Note {
        key: "calibration.entry_mix".into(),
        text: "placement on entry by age band".into(),
        source: cal.entry_mix_source.clone(),
    });
    let mut reason_only_from = Vec::new();
    for (r, def) in f.dimensions.exit_reasons.iter().enumerate() {
        if let Some(p) = &def.only_from {
            reason_only_from.push((r, placement_of(p, "only_from")?));
        }
    }
    let residual: Vec<usize> =
        f.dimensions.exit_reasons.iter().enumerate().filter(|(_, r)| r.residual).map(|(i, _)| i).collect();
    if residual.len() != 1 {
        return Err(loaded.key_error("dimensions.exit_reasons", "exactly one exit reason with `residual = true`"));
    }
    let growth_note_at = notes.len();

    // Population.
    let growth = values.get(Key(&["population.annual_growth"]), &population.annual_growth)?;
    let base_mid = population.base_mid_year;
    let pop_inputs = |y: i32| -> Result<PopulationInputs, ScenarioError> {
        PopulationInputs::new(seeds, code, y, base_mid).ok_or_else(|| {
            loaded.key_error(
                "population.base_mid_year",
                format!("population estimates for `{}` (mid-{} and the single-year mix)", area.name, y - 1),
            )
        })
    };
    let pop = |y: i32| -> Result<[f64; AGES], ScenarioError> { Ok(pop_inputs(y)?.at(growth)) };

    // Published years.
    if cal.last_year <= cal.first_year
        || cal.last_year > 2100
        || cal.first_year < 2000
        || cal.passes > 200
        || !(cal.first_year..=cal.last_year).contains(&cal.rates_from_year)
        || !(cal.rates_from_year..=cal.last_year).contains(&cal.rates_to_year)
    {
        return Err(loaded.key_error(
            "calibration",
            "2000 <= first_year < last_year <= 2100, first_year < rates_from_year <= rates_to_year <= last_year, and at most 200 passes",
        ));
    }
    let spec = CalibrationSpec {
        dims: dims.clone(),
        allowed: allowed.clone(),
        entry_mix: entry_mix.clone(),
        reason_only_from,
        passes: cal.passes,
    };
    // What the published data give depends only on this key: a Monte Carlo
    // draw of the same scenario reuses it (and the calibration) from `prior`.
    let key = ReuseKey {
        area: code.to_string(),
        first_year: cal.first_year,
        last_year: cal.last_year,
        base_mid_year: population.base_mid_year,
        growth_in_window: (cal.last_year - 1 > population.base_mid_year).then_some(growth.to_bits()),
        spec: spec.clone(),
    };
    let cached = prior.and_then(|b| b.reuse.clone()).filter(|r| r.key == key);
    let notes_before_data = notes.len();
    let (first_year, published, published_margins, outturn) = if let Some(r) = &cached {
        notes.extend(r.data_notes.iter().cloned());
        (r.first_year, r.published.clone(), r.published_margins.clone(), r.outturn.clone())
    } else {
        // A breakdown cell the calibration cannot do without: the error names
        // the cell's line in the seeds and why it has no value.
        let need = |y: i32, (table, dim, cat): (&str, &str, &str), what: String| -> Result<f64, ScenarioError> {
            data.breakdown(y, table, dim, cat).ok_or_else(|| {
                let expected = format!(
                    "a published or fillable number for {what} in {} ({table}/{dim}/{cat}); {}",
                    area.name,
                    data.breakdown_gap(y, table, dim, cat)
                );
                match seeds.breakdown_line(code, y, table, dim, cat) {
                    Some((path, line, column)) => ScenarioError::data(path, line, column, expected),
                    // No row to point at: name the cell as a key instead of a made-up line.
                    None => ScenarioError::key(
                        "seeds/cla_breakdowns.csv",
                        None,
                        &format!("{code}.{y}.{table}.{dim}.{cat}"),
                        expected,
                    ),
                }
            })
        };
        // A year the calibration can use: every cell it cannot do without is
        // published or fillable.
        let usable = |y: i32| {
            let has = |table: &str, dim: &str, cat: &str| data.breakdown(y, table, dim, cat).is_some();
            dims.age_bands.iter().all(|b| {
                has("stock", "age", &b.id)
                    && if b.id == "16_17" {
                        has("ceased", "age", "16") && has("ceased", "age", "17")
                    } else {
                        has("ceased", "age", &b.id)
                    }
            }) && has("ceased", "age", "18_plus")
                && (has("ceased", "reason", "total") || has("ceased", "age", "total"))
        };
        // A council created by reorganisation has breakdowns only from its
        // first year, and a very small council can have a year whose
        // suppressed cells cannot be filled: calibrate from the first year
        // after which every year is usable (stated in the notes).
        let first_year = (cal.first_year..cal.last_year)
            .rev()
            .take_while(|y| usable(*y))
            .last()
            .filter(|_| usable(cal.last_year))
            .ok_or_else(|| {
                loaded.key_error(
                    "calibration.first_year",
                    format!("two consecutive years of published breakdowns for {} from {}", area.name, cal.first_year),
                )
            })?;
        if first_year > cal.first_year {
            notes.push(Note {
                key: "calibration.first_year".into(),
                text: format!(
                    "{}'s breakdowns are not complete (published or fillable) in every year before 31 March \
                     {first_year}; calibration starts there",
                    area.name
                ),
                source: "seeds/cla_breakdowns.csv (suppressed cells that cannot be filled); seeds/areas.csv \
                         (local government reorganisation)"
                    .into(),
            });
        }
        let mut published = Vec::new();
        let mut published_margins = Vec::new();
        let mut outturn = Vec::new();
        for y in 2015..=cal.last_year {
            outturn.push(Outturn {
                year: y,
                children_in_care: data.headline(y, 0),
                starts: data.headline(y, 1),
                ceased: data.headline(y, 2),
                spend_cla_gbp: data.s251(y, "cla_total_gbp"),
                spend_total_gbp: data.s251(y, "children_young_people_total_gbp"),
            });
        }
        for y in first_year..=cal.last_year {
            let bd = |table: &str, dim: &str, cat: &str| data.breakdown(y, table, dim, cat);
            let mut stock_by_band = Vec::new();
            for band in &dims.age_bands {
                stock_by_band.push(need(
                    y,
                    ("stock", "age", &band.id),
                    format!("children in care aged {} at 31 March {y}", band.id),
                )?);
            }
            // DfE rounds every cell to the nearest 10, so the bands need not add to
            // the headline total: scale them to it (a change of at most a few tens).
            if let Some(total) = data.headline(y, 0) {
                let sum: f64 = stock_by_band.iter().sum();
                if sum > 0.0 {
                    stock_by_band.iter_mut().for_each(|v| *v *= total / sum);
                }
            }
            let mut stock_by_placement = Vec::new();
            for p in &f.dimensions.placements {
                let mut s = 0.0;
                for c in &p.dfe {
                    s += bd("stock", "placement", c).unwrap_or(0.0);
                }
                stock_by_placement.push(s);
            }
            let starts_by_band: Option<Vec<f64>> = dims.age_bands.iter().map(|b| bd("starts", "age", &b.id)).collect();
            let starts_total = data.headline(y, 1).or_else(|| bd("starts", "age", "total")).unwrap_or(0.0);
            let mut ceased_by_band_under_18 = Vec::new();
            for band in &dims.age_bands {
                let v = if band.id == "16_17" {
                    need(y, ("ceased", "age", "16"), format!("children ceasing aged 16 in {y}"))?
                        + need(y, ("ceased", "age", "17"), format!("children ceasing aged 17 in {y}"))?
                } else {
                    need(y, ("ceased", "age", &band.id), format!("children ceasing aged {} in {y}", band.id))?
                };
                ceased_by_band_under_18.push(v);
            }
            let ceased_aged_18_plus =
                need(y, ("ceased", "age", "18_plus"), format!("children ceasing aged 18 or over in {y}"))?;
            let ceased_total = match bd("ceased", "reason", "total") {
                Some(v) => v,
                None => need(y, ("ceased", "age", "total"), format!("children ceasing in {y}"))?,
            };
            let mut ceased_by_reason = vec![0.0; nr];
            for (r, def) in f.dimensions.exit_reasons.iter().enumerate() {
                if !def.residual {
                    ceased_by_reason[r] = def.dfe.iter().map(|c| bd("ceased", "reason", c).unwrap_or(0.0)).sum();
                }
            }
            let known: f64 = ceased_by_reason.iter().sum();
            let rest = ceased_total - known - ceased_aged_18_plus;
            if rest < 0.0 {
                notes.push(Note {
                    key: format!("published.{y}.ceased"),
                    text: format!("the named exit reasons plus exits at 18 exceed the total by {:.0}; the residual reason is set to 0", -rest),
                    source: "seeds/cla_breakdowns.csv".into(),
                });
            }
            ceased_by_reason[residual[0]] = rest.max(0.0);
            {
                let mut m = |measure: &'static str, breakdown: String, value: f64| {
                    published_margins.push(Row { scenario: "published".into(), year: y, measure, breakdown, value });
                };
                for (b, band) in dims.age_bands.iter().enumerate() {
                    if let Some(v) = bd("stock", "age", &band.id) {
                        m("children_in_care", format!("age:{}", band.id), v);
                    }
                    if let Some(s) = &starts_by_band {
                        m("starts", format!("age:{}", band.id), s[b]);
                    }
                    m(
                        "ceased",
                        format!("age:{}", band.id),
                        ceased_by_band_under_18[b] + if b + 1 == nb { ceased_aged_18_plus } else { 0.0 },
                    );
                }
                for (p, def) in f.dimensions.placements.iter().enumerate() {
                    m("children_in_care", format!("placement:{}", def.id), stock_by_placement[p]);
                }
                for (r, def) in f.dimensions.exit_reasons.iter().enumerate() {
                    m("ceased", format!("reason:{}", def.id), ceased_by_reason[r]);
                }
                m("ceased", format!("reason:{}", dims.ageing_out_reason), ceased_aged_18_plus);
            }
            published.push(PublishedYear {
                year: y,
                stock_by_band,
                stock_by_placement,
                starts_by_band,
                starts_total,
                ceased_by_band_under_18,
                ceased_aged_18_plus,
                ceased_by_reason,
                population_by_age: pop(y)?,
            });
        }
        (first_year, published, std::sync::Arc::new(published_margins), std::sync::Arc::new(outturn))
    };
    let data_notes: Vec<Note> = notes[notes_before_data..].to_vec();
    let rates_from_year = cal.rates_from_year.max(first_year + 1);
    let calibration = match &cached {
        Some(r) => r.calibration.clone(),
        None => calibrate(&spec, &published)
            .map_err(|error| ScenarioError::Core { file: loaded.path().to_string(), error })?,
    };
    let mut projection_rates = mean_rates(
        &calibration
            .years
            .iter()
            .filter(|r| (rates_from_year..=cal.rates_to_year).contains(&r.year))
            .cloned()
            .collect::<Vec<_>>(),
    )
    .ok_or_else(|| {
        loaded.key_error("calibration.rates_from_year", "at least one calibrated year in the rates window")
    })?;
    if let Some(n_years) = cal.level_years {
        if !(1..=20).contains(&n_years) {
            return Err(loaded.key_error("calibration.level_years", "a whole number of years from 1 to 20"));
        }
        // The first year with an exit level needs the stock a year before it.
        let level_from = (cal.rates_to_year - n_years + 1).max(FIRST_HEADLINE_YEAR + 1);
        if level_from < rates_from_year {
            // The published headline with its stated fills (as the calibration
            // reads it), e.g. a new council's years apportioned from its predecessor.
            let at = |y: i32| outturn.iter().find(|o| o.year == y);
            let stock = |y: i32| at(y).and_then(|o| o.children_in_care);
            let levels: Vec<YearLevel> = (level_from..=cal.rates_to_year)
                .filter_map(|y| {
                    YearLevel::of(HeadlineRates::from_counts(
                        y,
                        at(y).and_then(|o| o.starts),
                        at(y).and_then(|o| o.ceased),
                        (stock(y - 1), stock(y)),
                        seeds.population.get(&(code.to_string(), y - 1)).copied(),
                    ))
                })
                .collect();
            let in_rates = |p: &&PublishedYear| (rates_from_year..=cal.rates_to_year).contains(&p.year);
            let at_18: f64 = published.iter().filter(in_rates).map(|p| p.ceased_aged_18_plus).sum();
            let others: f64 = published.iter().filter(in_rates).map(|p| p.ceased_by_reason.iter().sum::<f64>()).sum();
            let text = match level_factors(&levels, level_from..=cal.rates_to_year, rates_from_year..=cal.rates_to_year)
            {
                Some((entries, exits)) => {
                    let other_exits = other_exit_factor(exits, others, at_18);
                    for r in projection_rates.entry_rate_per_10k.iter_mut() {
                        *r *= entries;
                    }
                    for p in projection_rates.monthly_exit_probability.iter_mut() {
                        *p = (*p * other_exits).min(1.0);
                    }
                    format!(
                        "rate levels are the mean of {level_from}-{to} ({n} published years of headline starts per \
                         child aged 0-17 and ceased per child in care): entry rates x{entries:.4}, and exits other \
                         than at 18 x{other_exits:.4} (all exits x{exits:.4}), on the calibrated {rates_from_year}-{to}",
                        to = cal.rates_to_year,
                        n = levels.len(),
                    )
                }
                None => format!(
                    "no year with published headline starts, ceased and stocks in {level_from}-{to}, or none in \
                     the rates window {rates_from_year}-{to}, to set the rate levels from: the calibrated levels \
                     are kept",
                    to = cal.rates_to_year
                ),
            };
            notes.push(Note {
                key: "calibration.level_years".into(),
                text,
                source: "seeds/cla_headline.csv, seeds/population_0_17.csv".into(),
            });
        }
    }
    notes.push(Note {
        key: "calibration".into(),
        text: format!(
            "rates calibrated to DfE margins for {}-{}; projection rates are the mean of {}-{}",
            first_year + 1,
            cal.last_year,
            rates_from_year,
            cal.rates_to_year
        ),
        source: "seeds/cla_breakdowns.csv, seeds/cla_headline.csv, seeds/population_*.csv".into(),
    });

    // Care leavers at the first published year, from exits at 18 in the years before
    // (the earliest published year stands in for earlier ones).
    let aged_18: Vec<f64> = published.iter().map(|p| p.ceased_aged_18_plus).collect();
    let leavers_at = |year: i32| -> [f64; LEAVER_AGES] {
        let mut l = [0.0; LEAVER_AGES];
        for (k, v) in l.iter_mut().enumerate() {
            let y = year - k as i32;
            let idx = (y - first_year).clamp(0, aged_18.len() as i32 - 1) as usize;
            *v = aged_18[idx];
        }
        l
    };

    // Replay of the published years with each year's calibrated rates.
    let n_lines = f.spend_lines.len();
    let mut replay = Model {
        dims: dims.clone(),
        start_year: first_year,
        initial: InitialState { stock: calibration.start_stock.clone(), care_leavers: leavers_at(first_year) },
        years: calibration
            .years
            .iter()
            .map(|r| {
                let tables = (&entry_mix[..], &r.monthly_exit_probability[..], &r.monthly_move_probability[..]);
                Ok(year_params(&dims, r, tables, r.year, pop(r.year)?, vec![0.0; np], n_lines))
            })
            .collect::<Result<_, ScenarioError>>()?,
    };
    // Replay exactly: the published years use the calibrated counts, not the rates re-applied to a projected population.
    for (yp, r) in replay.years.iter_mut().zip(&calibration.years) {
        yp.reconciliation_per_year.clone_from(&r.reconciliation_per_year);
    }
    let cached = cached.filter(|r| r.replay == replay);
    let fresh_replay_run = match &cached {
        Some(_) => None,
        None => {
            Some(simulate(&replay).map_err(|error| ScenarioError::Core { file: loaded.path().to_string(), error })?)
        }
    };
    let Some(replay_run) = cached.as_ref().map(|r| &r.replay_run).or(fresh_replay_run.as_ref()) else {
        return Err(loaded.key_error("calibration", "a replay of the published years"));
    };

    // What the unit costs of each published financial year are derived from, reconciled with S251.
    let s251 = |y: i32, item: &str| data.s251(y, item);
    let mut cost_years = Vec::new();
    for yr in replay_run.years.iter().filter(|y| !y.is_start) {
        let y = yr.year;
        let (Some(total), Some(leaving), Some(fostering)) =
            (s251(y, "cla_total_gbp"), s251(y, "leaving_care_gbp"), s251(y, "weekly_cost_fostering_gbp"))
        else {
            cost_years.push(CostYear { year: y, inputs: None });
            continue;
        };
        let mut items = Vec::with_capacity(np);
        for def in &f.dimensions.placements {
            items.push(match (&def.s251_weekly_cost, &def.derived_cost_vs_fostering) {
                (Some(item), _) => Some(s251(y, item).ok_or_else(|| {
                    loaded.key_error(
                        &format!("dimensions.placements.{}.s251_weekly_cost", def.id),
                        format!("an S251 weekly cost item present for {y}, `{item}` is missing"),
                    )
                })?),
                (None, Some(_)) => None,
                (None, None) => return Err(neither_cost(loaded, &def.id)),
            });
        }
        cost_years.push(CostYear {
            year: y,
            inputs: Some(CostInputs {
                total,
                leaving,
                fostering,
                items,
                child_weeks: yr.child_weeks.clone(),
                care_leaver_years: yr.care_leaver_years,
            }),
        });
    }
    let last_cost_year =
        cost_years.iter().rev().find(|c| c.inputs.is_some()).map(|c| c.year).ok_or_else(|| no_cost_year(loaded))?;

    // The projection.
    let start_year = opts.start_year.unwrap_or(f.scenario.start_year);
    let end_year = opts.end_year.unwrap_or(f.scenario.end_year);
    // Blamed on the flag when the year came from one, else on the file's key.
    let year_error = |flag: &str, given: Option<i32>, key: &str, expected: String| match given {
        Some(y) => ScenarioError::RunOption { option: format!("{flag} {y}"), expected },
        None => loaded.key_error(key, expected),
    };
    if !(first_year..=cal.last_year).contains(&start_year) {
        return Err(year_error(
            "--start-year",
            opts.start_year,
            "scenario.start_year",
            format!("a start year with published stock ({}-{}), found {start_year}", first_year, cal.last_year),
        ));
    }
    if end_year <= start_year || end_year - start_year > 30 {
        return Err(year_error(
            "--end-year",
            opts.end_year,
            "scenario.end_year",
            format!("an end year 1 to 30 years after the start ({start_year}), found {end_year}"),
        ));
    }
    // The start stock: the replay's single-age structure at 31 March of the
    // start year, raked cell by cell (band x placement) to the published joint,
    // so the run starts from the actual stock exactly.
    let mut new_start = None;
    let (initial_stock, initial_leavers) = if start_year == first_year {
        (calibration.start_stock.clone(), leavers_at(first_year))
    } else if let Some((_, stock, leavers)) = cached.as_ref().and_then(|r| r.start.get()).filter(|s| s.0 == start_year)
    {
        (stock.clone(), *leavers)
    } else {
        let mut upto = replay.clone();
        upto.years.retain(|y| y.year <= start_year);
        let run = simulate(&upto).map_err(|error| ScenarioError::Core { file: loaded.path().to_string(), error })?;
        let published_start = published.iter().find(|p| p.year == start_year).ok_or_else(|| {
            loaded.key_error("scenario.start_year", format!("published stock at 31 March {start_year}"))
        })?;
        let target = joint_stock(&spec, published_start)
            .map_err(|error| ScenarioError::Core { file: loaded.path().to_string(), error })?;
        let weights = tilted_weights(&dims, &published_start.population_by_age, projection_rates.last_band_tilt);
        let stock = rake_to_joint(&dims, &run.final_stock_by_age, &target, &weights);
        if let Some(r) = &cached {
            let _ = r.start.set((start_year, stock.clone(), run.final_care_leavers));
        }
        new_start = Some((start_year, stock.clone(), run.final_care_leavers));
        (stock, run.final_care_leavers)
    };
    // What each projection year's population and other spend lines start from.
    let mut years = Vec::new();
    for y in start_year + 1..=end_year {
        let population = pop_inputs(y)?;
        let lines = f
            .spend_lines
            .values()
            .map(|def| match s251(y, &def.s251_item) {
                Some(v) if y <= last_cost_year => LineInputs::Published(v),
                _ => LineInputs::Grown {
                    base: s251(last_cost_year, &def.s251_item).unwrap_or(0.0),
                    years: (y - last_cost_year).max(0),
                },
            })
            .collect();
        years.push(ProjectionYear { year: y, population, lines });
    }
    let filled = match &cached {
        Some(r) => r.filled.clone(),
        None => std::sync::Arc::new(data.fills()),
    };
    let key_growth = key.growth_in_window;
    let reuse = match (cached, fresh_replay_run) {
        (Some(r), _) => r,
        (None, None) => return Err(loaded.key_error("calibration", "a replay of the published years")),
        (None, Some(replay_run)) => {
            let start = std::sync::OnceLock::new();
            if let Some(s) = new_start {
                let _ = start.set(s);
            }
            std::sync::Arc::new(Reusable {
                key,
                first_year,
                published: published.clone(),
                published_margins: published_margins.clone(),
                outturn: outturn.clone(),
                data_notes,
                filled: filled.clone(),
                calibration: calibration.clone(),
                replay: replay.clone(),
                replay_run,
                start,
            })
        }
    };
    let national_share = NationalShare::of(&data, seeds, &area, start_year);
    Ok(Prepared {
        file: loaded.file.clone(),
        opts: opts.clone(),
        seeds: seeds_address(seeds),
        growth_in_window: key_growth,
        reuse,
        area,
        dims,
        entry_mix,
        projection_rates,
        notes,
        growth_note_at,
        cost_years,
        start_year,
        initial_stock,
        initial_leavers,
        years,
        national_share,
    })
}

/// One year's parameters from `rates` (entry rates, reconciliation and the
/// tilt of entry ages), the entry mix, exit and move probabilities in
/// `tables` (those of `rates`, or split), the population and the weekly unit
/// costs; no other costs or policy yet.
fn year_params(
    dims: &Dimensions,
    rates: &YearRates,
    tables: (&[f64], &[f64], &[f64]),
    y: i32,
    population_by_age: [f64; AGES],
    weekly_cost_gbp: Vec<f64>,
    n_lines: usize,
) -> YearParams {
    let (entry_mix, exits, moves) = tables;
    YearParams {
        year: y,
        population_by_age,
        entry_rate_per_10k: rates.entry_rate_per_10k.clone(),
        entry_count_per_year: None,
        entry_age_weights: tilted_weights(dims, &population_by_age, rates.last_band_tilt),
        entry_mix: entry_mix.to_vec(),
        monthly_exit_probability: exits.to_vec(),
        monthly_move_probability: moves.to_vec(),
        reconciliation_per_year: dims
            .age_bands
            .iter()
            .zip(&rates.reconciliation_per_10k)
            .map(|(b, r)| r * (b.from_years..b.to_years).map(|a| population_by_age[a]).sum::<f64>() / 1e4)
            .collect(),
        transfers: Vec::new(),
        capacities: Vec::new(),
        weekly_cost_gbp,
        other_cla_weekly_cost_gbp: 0.0,
        care_leaver_annual_cost_gbp: 0.0,
        other_lines_gbp: vec![0.0; n_lines],
        funding_gbp: 0.0,
        workforce: None,
        deflator: 1.0,
    }
}

/// A placement with neither an S251 weekly cost nor a multiple of fostering.
fn neither_cost(loaded: &Loaded, id: &str) -> ScenarioError {
    loaded.key_error(&format!("dimensions.placements.{id}"), "either `s251_weekly_cost` or `derived_cost_vs_fostering`")
}

fn no_cost_year(loaded: &Loaded) -> ScenarioError {
    loaded.key_error("calibration.last_year", "at least one year of S251 outturn")
}

/// The model and placements that [`assume`] resolves.
struct Assumed {
    model: Model,
    placement_labels: Vec<String>,
    placement_parent: Vec<String>,
}

/// What the ranged assumptions decide, on top of a prepared resolution: unit
/// costs (derived multiples, prices), the population path, the other spend
/// lines, the deflator and funding, then the policy layer (splits, workforce,
/// grants, programmes, levers). Writes the resolution's notes in order (the
/// prepared ones included). The model is not validated.
fn assume(p: &Prepared, seeds: &Seeds, values: &Values<'_>, notes: &mut Notes) -> Result<Assumed, ScenarioError> {
    let loaded = values.loaded;
    let f: &ScenarioFile = &p.file;
    let np = p.dims.n_placements();
    let population = f.population.as_ref().ok_or_else(|| {
        loaded.key_error("population", "a [population] table (or an [explicit] table of rates for a custom area)")
    })?;
    notes.extend(&p.notes[..p.growth_note_at]);
    let growth = param(
        values,
        Key(&["population.annual_growth"]),
        &population.annual_growth,
        notes,
        format_args!("annual growth of the 0-17 population after the last estimate"),
    )?;
    notes.extend(&p.notes[p.growth_note_at..]);
    let mut line_growth = Vec::with_capacity(f.spend_lines.len());
    for (id, def) in &f.spend_lines {
        line_growth.push(param(
            values,
            Key(&["spend_lines.", id, ".annual_growth"]),
            &def.annual_growth,
            notes,
            format_args!("annual cash growth of {id}"),
        )?);
    }

    // Unit costs per published financial year, reconciled with S251.
    let mut cost_by_year: Vec<(i32, Vec<f64>, f64, f64)> = Vec::with_capacity(p.cost_years.len());
    for cy in &p.cost_years {
        let y = cy.year;
        let Some(ci) = &cy.inputs else {
            notes.push(|| Note {
                key: format!("costs.{y}"),
                text: format!("S251 outturn for {y} is incomplete; costs for {y} are not derived"),
                source: "seeds/s251_finance.csv".into(),
            });
            continue;
        };
        let mut weekly = vec![0.0; np];
        for (w, (item, def)) in weekly.iter_mut().zip(ci.items.iter().zip(&f.dimensions.placements)) {
            *w = match (item, &def.derived_cost_vs_fostering) {
                (Some(v), _) => *v,
                (None, Some(m)) => {
                    let multiple =
                        values.get(Key(&["dimensions.placements.", &def.id, ".derived_cost_vs_fostering"]), m)?;
                    if multiple.is_nan() || multiple < 0.0 {
                        return Err(loaded.key_error(
                            &format!("dimensions.placements.{}.derived_cost_vs_fostering", def.id),
                            format!("a multiple of the fostering unit cost of 0 or more, found {multiple}"),
                        ));
                    }
                    multiple * ci.fostering
                }
                (None, None) => return Err(neither_cost(loaded, &def.id)),
            };
        }
        let placement_spend: f64 = (0..np).map(|p| weekly[p] * ci.child_weeks[p]).sum();
        let weeks: f64 = ci.child_weeks.iter().sum();
        let mut other_cla_weekly = (ci.total - ci.leaving - placement_spend) / weeks.max(1.0);
        if other_cla_weekly < 0.0 {
            // The published unit costs price more than the outturn: they are
            // scaled down together so the year's spend is the outturn (a
            // council whose own unit costs are missing is priced at England's).
            let available = (ci.total - ci.leaving).max(0.0);
            let factor = if placement_spend > 0.0 { available / placement_spend } else { 1.0 };
            weekly.iter_mut().for_each(|w| *w *= factor);
            other_cla_weekly = 0.0;
            notes.push(|| Note {
                key: format!("costs.{y}"),
                text: format!(
                    "placement unit costs times child-weeks exceed S251 CLA spend less leaving care in {}-{:02} by {:.1}%; the placement unit costs are scaled down together by that much, so the year's spend is the outturn, and other CLA costs are 0",
                    y - 1,
                    y % 100,
                    (1.0 / factor - 1.0) * 100.0
                ),
                source: "seeds/s251_finance.csv (reconciled to the outturn)".into(),
            });
        }
        let leaver_cost = ci.leaving / ci.care_leaver_years.max(1.0);
        cost_by_year.push((y, weekly, other_cla_weekly, leaver_cost));
    }
    let last_cost = cost_by_year.last().cloned().ok_or_else(|| no_cost_year(loaded))?;
    for def in &f.dimensions.placements {
        if let Some(m) = &def.derived_cost_vs_fostering {
            param(
                values,
                Key(&["dimensions.placements.", &def.id, ".derived_cost_vs_fostering"]),
                m,
                notes,
                format_args!("weekly cost of {} as a multiple of the S251 fostering unit cost", def.id),
            )?;
        }
    }
    notes.push(|| Note {
        key: "costs.other_looked_after".into(),
        text: format!(
            "other children-looked-after costs (S251 CLA spend less placements and leaving care) are £{:.0} per child-week in {}; leaving care costs £{:.0} per care leaver (18-25) a year",
            last_cost.2, last_cost.0, last_cost.3
        ),
        source: "seeds/s251_finance.csv (derived)".into(),
    });
    let mut price_growth = Vec::with_capacity(np);
    for def in &f.dimensions.placements {
        let g = param(
            values,
            Key(&["dimensions.placements.", &def.id, ".price_growth"]),
            &def.price_growth,
            notes,
            format_args!("annual price growth of {} after {}", def.id, last_cost.0),
        )?;
        if g.is_nan() || g <= -1.0 {
            return Err(loaded.key_error(
                &format!("dimensions.placements.{}.price_growth", def.id),
                format!("an annual growth above -1 (-100%), found {g}"),
            ));
        }
        price_growth.push(g);
    }
    let other_growth = param(
        values,
        Key(&["costs.other_cla_cost_growth"]),
        &f.costs.other_cla_cost_growth,
        notes,
        format_args!("annual growth of other CLA costs per child-week"),
    )?;
    let leaver_growth = param(
        values,
        Key(&["costs.leaving_care_cost_growth"]),
        &f.costs.leaving_care_cost_growth,
        notes,
        format_args!("annual growth of leaving-care cost per care leaver"),
    )?;
    let inflation = param(
        values,
        Key(&["deflator.annual_inflation"]),
        &f.deflator.annual_inflation,
        notes,
        format_args!("general inflation for real terms"),
    )?;
    let funding = match &f.funding {
        Some(fd) => {
            let base_m = param(
                values,
                Key(&["funding.base_gbp_m"]),
                &fd.base_gbp_m,
                notes,
                format_args!("funding in {}, £m", fd.base_year),
            )?;
            if base_m < 0.0 || !(1990..=2100).contains(&fd.base_year) {
                return Err(loaded.key_error(
                    "funding.base_gbp_m",
                    format!(
                        "a non-negative amount of funding in a base year between 1990 and 2100, found £{base_m}m in {}",
                        fd.base_year
                    ),
                ));
            }
            Some((
                fd.base_year,
                base_m,
                param(
                    values,
                    Key(&["funding.annual_growth"]),
                    &fd.annual_growth,
                    notes,
                    format_args!("annual funding growth"),
                )?,
            ))
        }
        None => None,
    };

    // Amounts stated for England are a council's in proportion; each amount's
    // owner is said by the file of the chain that states it.
    let national_share = p.national_share.share;
    if !p.national_share.basis.is_empty()
        && loaded.money_owners.values().any(|o| *o == crate::schema::AmountsFor::England)
    {
        notes.push(|| Note {
            key: "scenario.amounts_for".into(),
            text: format!(
                "the scenario's funding, grants and programme spend are England's; {} takes {:.3}% of them, {} (programme effects follow the national money, so the area sees England's relative change); a file whose amounts are the area's own says `amounts_for = \"area\"`",
                p.area.name,
                national_share * 100.0,
                p.national_share.basis
            ),
            source: "carecast apportionment; seeds/s251_finance.csv".into(),
        });
    }

    let filled = p.reuse.filled.len();
    if filled > 0 {
        notes.push(|| Note {
            key: "published.filled".into(),
            text: format!(
                "{filled} published values for {} were suppressed or missing and were filled by the stated method (listed in summary.json under `filled_values`)",
                p.area.name
            ),
            source: "seeds (DfE suppression); carecast fill rules".into(),
        });
    }

    // The projection, with the placements split: the rate tables are the same
    // every year, so they are split once.
    let splits = crate::policy::Splits::new(values, f, p.dims.clone(), notes)?;
    let rates = &p.projection_rates;
    let (nb, nr) = (p.dims.n_bands(), p.dims.n_reasons());
    let split_tables = (!splits.is_none())
        .then(|| splits.tables(&p.entry_mix, &rates.monthly_exit_probability, &rates.monthly_move_probability, nb, nr));
    let tables = match &split_tables {
        Some((mix, exits, moves)) => (&mix[..], &exits[..], &moves[..]),
        None => (&p.entry_mix[..], &rates.monthly_exit_probability[..], &rates.monthly_move_probability[..]),
    };
    let mut projected = vec![0.0; np];
    let mut years = Vec::with_capacity(p.years.len());
    for py in &p.years {
        let y = py.year;
        let (weekly, other_cla, leaver) = match cost_by_year.iter().find(|c| c.0 == y) {
            Some((_, w, o, l)) => (&w[..], *o, *l),
            None => {
                let k = (y - last_cost.0).max(0);
                for (w, (c, g)) in projected.iter_mut().zip(last_cost.1.iter().zip(&price_growth)) {
                    *w = c * (1.0 + g).powi(k);
                }
                (
                    &projected[..],
                    last_cost.2 * (1.0 + other_growth).powi(k),
                    last_cost.3 * (1.0 + leaver_growth).powi(k),
                )
            }
        };
        let mut yp =
            year_params(&p.dims, rates, tables, y, py.population.at(growth), splits.weekly(weekly), py.lines.len());
        yp.other_cla_weekly_cost_gbp = other_cla;
        yp.care_leaver_annual_cost_gbp = leaver;
        for ((v, line), g) in yp.other_lines_gbp.iter_mut().zip(&py.lines).zip(&line_growth) {
            *v = line.at(*g);
        }
        yp.deflator = (1.0 + inflation).powi(y.saturating_sub(f.deflator.base_year));
        if let Some((base_year, base_m, g)) = funding {
            // The budget path starts in its base year; no funding is stated before it.
            if y >= base_year {
                yp.funding_gbp = loaded.amount_share("funding.base_gbp_m", national_share)
                    * base_m
                    * 1e6
                    * (1.0 + g).powi(y.saturating_sub(base_year));
            }
        }
        years.push(yp);
    }
    let start_children: f64 = p.initial_stock.iter().sum();
    let (initial_stock, price_growth) = (splits.stock(p.initial_stock.clone()), splits.price_growth(price_growth));
    let policy = crate::policy::apply(
        crate::policy::PolicyInput {
            values,
            seeds,
            area_code: &p.area.code,
            splits,
            initial_stock,
            years,
            price_growth,
            last_cost_year: last_cost.0,
            start_children,
            national_share,
        },
        f,
        notes,
    )?;
    Ok(Assumed {
        model: Model {
            dims: policy.dims,
            start_year: p.start_year,
            initial: InitialState { stock: policy.initial_stock, care_leavers: p.initial_leavers },
            years: policy.years,
        },
        placement_labels: policy.placement_labels,
        placement_parent: policy.parent_of,
    })
}

/// Resolves a scenario calibrated on the seeds: prepared (or `prior`'s
/// preparation, when it fits), then the assumptions.
fn build_calibrated(
    loaded: &Loaded,
    seeds: &Seeds,
    opts: &RunOptions,
    values: &Values<'_>,
    prior: Option<&Built>,
) -> Result<Built, ScenarioError> {
    let prepared = match prior.and_then(|b| b.prepared.as_ref()) {
        Some(p) if p.fits(loaded, seeds, opts, values)? => p.clone(),
        _ => Arc::new(prepare(loaded, seeds, opts, values, prior)?),
    };
    let mut notes = Notes::kept();
    let assumed = assume(&prepared, seeds, values, &mut notes)?;
    let model = assumed.model;
    model.validate().map_err(|error| ScenarioError::Core { file: loaded.path().to_string(), error })?;
    let f: &ScenarioFile = &loaded.file;
    let reuse = &prepared.reuse;
    Ok(Built {
        name: f.scenario.name.clone(),
        title: f.scenario.title.clone(),
        area: prepared.area.code.clone(),
        area_name: prepared.area.name.clone(),
        price_base_year: f.deflator.base_year,
        placement_labels: assumed.placement_labels,
        placement_parent: assumed.placement_parent,
        model,
        calibration: Some(reuse.calibration.clone()),
        replay: Some(reuse.replay.clone()),
        projection_rates: Some(prepared.projection_rates.clone()),
        outturn: reuse.outturn.clone(),
        published_margins: reuse.published_margins.clone(),
        filled: reuse.filled.clone(),
        notes: notes.into_vec(),
        reuse: Some(reuse.clone()),
        prepared: Some(prepared),
    })
}

/// Scales a single-age stock so that each (band, placement) total equals
/// `target`; a cell with no children yet is filled by the age weights.
fn rake_to_joint(dims: &Dimensions, by_age: &[f64], target: &[f64], weights: &[f64; AGES]) -> Vec<f64> {
    let np = dims.n_placements();
    let fallback = split_by_age(dims, target, weights);
    let mut out = by_age.to_vec();
    for (b, band) in dims.age_bands.iter().enumerate() {
        for p in 0..np {
            let have: f64 = (band.from_years..band.to_years).map(|a| by_age[a * np + p]).sum();
            for a in band.from_years..band.to_years {
                out[a * np + p] =
                    if have > 0.0 { by_age[a * np + p] * target[b * np + p] / have } else { fallback[a * np + p] };
            }
        }
    }
    out
}

/// Checks that every citation names a figure in seeds/published-figures.toml.
pub(crate) fn check_cites(loaded: &Loaded, f: &ScenarioFile) -> Result<(), ScenarioError> {
    // The bundled figures are a compile-time constant: parse their ids once.
    static IDS: std::sync::OnceLock<Result<std::collections::BTreeSet<String>, String>> = std::sync::OnceLock::new();
    let figures = IDS
        .get_or_init(|| {
            crate::seeds::PUBLISHED_FIGURES
                .text
                .parse::<toml::Table>()
                .map(|t| t.keys().cloned().collect())
                .map_err(|e| e.message().to_string())
        })
        .as_ref()
        .map_err(|e| ScenarioError::data(crate::seeds::PUBLISHED_FIGURES.path, 1, 1, format!("valid TOML ({e})")))?;
    for cite in &f.cites {
        if !figures.contains(cite) {
            let hint = crate::error::did_you_mean(cite, figures.iter().map(String::as_str))
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            return Err(
                loaded.key_error("cites", format!("ids of seeds/published-figures.toml, `{cite}` is not one{hint}"))
            );
        }
    }

    Ok(())
}

/// The model dimensions a scenario defines.
pub(crate) fn dimensions(f: &ScenarioFile) -> Dimensions {
    Dimensions {
        age_bands: f
            .dimensions
            .age_bands
            .iter()
            .map(|b| AgeBand { id: b.id.clone(), from_years: b.from_years, to_years: b.to_years })
            .collect(),
        placements: f.dimensions.placements.iter().map(|p| p.id.clone()).collect(),
        exit_reasons: f.dimensions.exit_reasons.iter().map(|r| r.id.clone()).collect(),
        ageing_out_reason: f.dimensions.ageing_out_reason.clone(),
        other_spend_lines: f.spend_lines.keys().cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_level_is_starts_per_child_and_ceased_per_mean_stock() {
        // 30 starts among 10,000 children; 25 ceased from a mean stock of (90 + 110) / 2 = 100.
        let h = HeadlineRates::from_counts(2021, Some(30.0), Some(25.0), (Some(90.0), Some(110.0)), Some(10_000.0));
        assert_eq!(h.entry, Some((0.003, 30.0)));
        assert_eq!(h.exit, Some((0.25, 25.0)));
        assert_eq!(YearLevel::of(h), Some(YearLevel { year: 2021, entry_rate: 0.003, exit_hazard: 0.25 }));
        // No stock a year before, no population, or nothing ceased: that level is missing, so no year level.
        let no_before = HeadlineRates::from_counts(2021, Some(30.0), Some(25.0), (None, Some(110.0)), Some(10_000.0));
        assert_eq!((no_before.entry.is_some(), no_before.exit), (true, None));
        assert_eq!(YearLevel::of(no_before), None);
        let no_population = HeadlineRates::from_counts(2021, Some(30.0), Some(25.0), (Some(90.0), Some(110.0)), None);
        assert_eq!(YearLevel::of(no_population), None);
        let none_ceased = HeadlineRates::from_counts(2021, Some(30.0), Some(0.0), (Some(90.0), Some(110.0)), Some(1e4));
        assert_eq!(YearLevel::of(none_ceased), None);
    }

    #[test]
    fn level_factors_are_ratios_of_window_means_over_the_years_present() {
        let l = |year, entry_rate, exit_hazard| YearLevel { year, entry_rate, exit_hazard };
        // 2018 is missing (say suppressed): the long window's means are over 2017, 2019, 2020, 2021.
        let levels = [l(2017, 0.004, 0.30), l(2019, 0.002, 0.20), l(2020, 0.003, 0.25), l(2021, 0.003, 0.25)];
        let (entries, exits) = level_factors(&levels, 2017..=2021, 2020..=2021).unwrap();
        // Long: entries (4 + 2 + 3 + 3) / 4 = 3 per 1,000, exits (0.30 + 0.20 + 0.25 + 0.25) / 4 = 0.25;
        // short: 3 per 1,000 and 0.25; so both factors are 1.
        assert!((entries - 1.0).abs() < 1e-12 && (exits - 1.0).abs() < 1e-12);
        let (entries, exits) = level_factors(&levels, 2017..=2021, 2019..=2019).unwrap();
        assert!((entries - 1.5).abs() < 1e-12, "{entries}");
        assert!((exits - 1.25).abs() < 1e-12, "{exits}");
        assert_eq!(level_factors(&levels, 2017..=2021, 2018..=2018), None);
    }

    #[test]
    fn the_change_in_exits_falls_on_exits_other_than_at_18() {
        // 80 other exits and 20 at 18: all exits up 10% (110) with the 20 at 18
        // unchanged needs the others at 90, up 12.5%.
        assert!((other_exit_factor(1.1, 80.0, 20.0) - 1.125).abs() < 1e-12);
        assert!((other_exit_factor(0.9, 80.0, 20.0) - 0.875).abs() < 1e-12);
        assert_eq!(other_exit_factor(1.2, 0.0, 20.0), 1.2);
        assert_eq!(other_exit_factor(0.1, 10.0, 90.0), 0.0);
    }
}
