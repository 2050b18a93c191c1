//! Resolution: a loaded scenario plus the seed data become a runnable
//! `carecast_core::Model`, with the calibration, the derived unit costs, the
//! published history and a list of every assumption and data fill.
//!
//! What it is: the bridge from published data to model parameters (mapping DfE
//! categories to the scenario's ids, population paths, costs and prices).
//! What it is not: the simulation (core) or any output writing (binary).

use crate::error::ScenarioError;
use crate::loader::Loaded;
use crate::schema::{Param, ScenarioFile};
use crate::seeds::Seeds;
use carecast_core::calibrate::{
    Calibration, CalibrationSpec, PublishedYear, YearRates, calibrate, joint_stock, mean_rates, split_by_age,
    tilted_weights,
};
use carecast_core::{
    AGES, AgeBand, Dimensions, InitialState, LEAVER_AGES, Model, Projection, Row, YearParams, simulate,
};

/// Options from the command line that change how a scenario is resolved.
#[derive(Debug, Clone, Default)]
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
    /// [`build_reusing`] can reuse them for a variant of the scenario (a Monte
    /// Carlo draw) that has the same inputs.
    pub reuse: Option<std::sync::Arc<Reusable>>,
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
        simulate(&self.model).map_err(|source| ScenarioError::Core { file: self.name.clone(), source })
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
fn param(loaded: &Loaded, key: &str, p: &Param, notes: &mut Vec<Note>, what: &str) -> Result<f64, ScenarioError> {
    let v = p.checked(loaded, key)?;
    let range = p.range().map(|(l, h)| format!(" (range {l} to {h})")).unwrap_or_default();
    notes.push(Note {
        key: key.to_string(),
        text: format!("{what}: {v}{range}"),
        source: p.source().unwrap_or("assumption (no source stated)").to_string(),
    });
    Ok(v)
}

/// Population by single year of age for the rates of year `y` (mid-(y-1)),
/// with the 0-17 total from the seeds or projected by the stated growth.
fn population_for(seeds: &Seeds, area: &str, y: i32, base_mid_year: i32, growth: f64) -> Option<[f64; AGES]> {
    let mid = y - 1;
    let total = match seeds.population.get(&(area.to_string(), mid)) {
        Some(t) if mid <= base_mid_year => *t,
        _ => {
            let base = seeds.population.get(&(area.to_string(), base_mid_year))?;
            base * (1.0 + growth).powi(mid - base_mid_year)
        }
    };
    let single_year_mid = if mid <= 2022 { 2022 } else { 2023 };
    let mix = seeds.population_single_year.get(&(area.to_string(), single_year_mid))?;
    let mix_total: f64 = mix.iter().sum();
    if mix_total <= 0.0 {
        return None;
    }
    let mut out = [0.0; AGES];
    for (o, m) in out.iter_mut().zip(mix) {
        *o = total * m / mix_total;
    }
    Some(out)
}

/// Resolves a loaded scenario against the seeds.
pub fn build(loaded: &Loaded, seeds: &Seeds, opts: &RunOptions) -> Result<Built, ScenarioError> {
    build_with(loaded, seeds, opts, None)
}

/// [`build`], reusing `prior`'s calibration when this scenario's calibration
/// inputs (dimensions, entry mix, published margins) are the same: a Monte
/// Carlo draw varies assumptions applied after the calibration, so it need
/// not calibrate again. The result equals that of [`build`].
pub fn build_reusing(loaded: &Loaded, seeds: &Seeds, opts: &RunOptions, prior: &Built) -> Result<Built, ScenarioError> {
    build_with(loaded, seeds, opts, Some(prior))
}

fn build_with(
    loaded: &Loaded,
    seeds: &Seeds,
    opts: &RunOptions,
    prior: Option<&Built>,
) -> Result<Built, ScenarioError> {
    let f: &ScenarioFile = &loaded.file;
    let mut built = match &f.explicit {
        Some(explicit) => crate::explicit::build(loaded, seeds, opts, explicit)?,
        None => build_calibrated(loaded, seeds, opts, prior)?,
    };
    if let Some(path) = &f.stock_path {
        follow_path(loaded, path, &mut built)?;
    }
    if loaded.overrides.is_empty() {
        // Distributions and correlations are checked with the file, not first at a draw.
        crate::uncertainty::draw_plan(loaded)?;
    }
    Ok(built)
}

/// Applies a `[stock_path]` to a resolved model (see [`carecast_core::path`]).
fn follow_path(loaded: &Loaded, path: &crate::schema::StockPathDef, built: &mut Built) -> Result<(), ScenarioError> {
    let g = param(
        loaded,
        "stock_path.annual_growth",
        &path.annual_growth,
        &mut built.notes,
        &format!(
            "children in care grow by this share a year from {} (a stated path; rate-driven flows kept, the difference is a reconciliation flow)",
            path.from_year
        ),
    )?;
    if !(-0.5..=0.5).contains(&g) {
        return Err(
            loaded.key_error("stock_path.annual_growth", format!("a growth between -0.5 and 0.5 a year, found {g}"))
        );
    }
    let model = &mut built.model;
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
    let core = |source| ScenarioError::Core { file: loaded.path().to_string(), source };
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

/// Resolves a scenario calibrated on the seeds.
fn build_calibrated(
    loaded: &Loaded,
    seeds: &Seeds,
    opts: &RunOptions,
    prior: Option<&Built>,
) -> Result<Built, ScenarioError> {
    let f: &ScenarioFile = &loaded.file;
    let mut notes = Vec::new();
    let wanted = opts.area.as_deref().unwrap_or(&f.scenario.area);
    let area = seeds
        .find_area(wanted)
        .ok_or_else(|| {
            let near = seeds.nearest_areas(wanted, 3).join(", ");
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

    // Population.
    let growth = param(
        loaded,
        "population.annual_growth",
        &population.annual_growth,
        &mut notes,
        "annual growth of the 0-17 population after the last estimate",
    )?;
    let base_mid = population.base_mid_year;
    let pop = |y: i32| -> Result<[f64; AGES], ScenarioError> {
        population_for(seeds, code, y, base_mid, growth).ok_or_else(|| {
            loaded.key_error(
                "population.base_mid_year",
                format!("population estimates for `{}` (mid-{} and the single-year mix)", area.name, y - 1),
            )
        })
    };

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
        let need = |v: Option<f64>, what: String| -> Result<f64, ScenarioError> {
            v.ok_or_else(|| {
                ScenarioError::data(
                    "seeds/cla_breakdowns.csv",
                    1,
                    1,
                    format!("a published number for {what} in {}, it is suppressed or missing", area.name),
                )
            })
        };
        // A council created by reorganisation has breakdowns only from its first
        // year: calibrate from there (stated in the notes).
        let first_year = (cal.first_year..cal.last_year)
            .find(|y| dims.age_bands.iter().all(|b| data.breakdown(*y, "stock", "age", &b.id).is_some()))
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
                    "{} has no published breakdowns before 31 March {first_year}; calibration starts there",
                    area.name
                ),
                source: "seeds/cla_breakdowns.csv; seeds/areas.csv (local government reorganisation)".into(),
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
                    bd("stock", "age", &band.id),
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
                    need(bd("ceased", "age", "16"), format!("children ceasing aged 16 in {y}"))?
                        + need(bd("ceased", "age", "17"), format!("children ceasing aged 17 in {y}"))?
                } else {
                    need(bd("ceased", "age", &band.id), format!("children ceasing aged {} in {y}", band.id))?
                };
                ceased_by_band_under_18.push(v);
            }
            let ceased_aged_18_plus =
                need(bd("ceased", "age", "18_plus"), format!("children ceasing aged 18 or over in {y}"))?;
            let ceased_total = need(
                bd("ceased", "reason", "total").or(bd("ceased", "age", "total")),
                format!("children ceasing in {y}"),
            )?;
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
            .map_err(|source| ScenarioError::Core { file: loaded.path().to_string(), source })?,
    };
    let projection_rates = mean_rates(
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
    let other_lines: Vec<(String, String, f64)> = {
        let mut v = Vec::new();
        for (id, def) in &f.spend_lines {
            let g = param(
                loaded,
                &format!("spend_lines.{id}.annual_growth"),
                &def.annual_growth,
                &mut notes,
                &format!("annual cash growth of {id}"),
            )?;
            v.push((id.clone(), def.s251_item.clone(), g));
        }
        v
    };
    let s251 = |y: i32, item: &str| data.s251(y, item);
    let year_params = |rates: &YearRates, y: i32| -> Result<YearParams, ScenarioError> {
        let population_by_age = pop(y)?;
        let pop_band: Vec<f64> =
            dims.age_bands.iter().map(|b| (b.from_years..b.to_years).map(|a| population_by_age[a]).sum()).collect();
        Ok(YearParams {
            year: y,
            population_by_age,
            entry_rate_per_10k: rates.entry_rate_per_10k.clone(),
            entry_count_per_year: None,
            entry_age_weights: tilted_weights(&dims, &population_by_age, rates.last_band_tilt),
            entry_mix: entry_mix.clone(),
            monthly_exit_probability: rates.monthly_exit_probability.clone(),
            monthly_move_probability: rates.monthly_move_probability.clone(),
            reconciliation_per_year: (0..nb).map(|b| rates.reconciliation_per_10k[b] * pop_band[b] / 1e4).collect(),
            transfers: Vec::new(),
            capacities: Vec::new(),
            weekly_cost_gbp: vec![0.0; np],
            other_cla_weekly_cost_gbp: 0.0,
            care_leaver_annual_cost_gbp: 0.0,
            other_lines_gbp: vec![0.0; other_lines.len()],
            funding_gbp: 0.0,
            workforce: None,
            deflator: 1.0,
        })
    };
    let mut replay = Model {
        dims: dims.clone(),
        start_year: first_year,
        initial: InitialState { stock: calibration.start_stock.clone(), care_leavers: leavers_at(first_year) },
        years: calibration.years.iter().map(|r| year_params(r, r.year)).collect::<Result<_, _>>()?,
    };
    // Replay exactly: the published years use the calibrated counts, not the rates re-applied to a projected population.
    for (yp, r) in replay.years.iter_mut().zip(&calibration.years) {
        yp.reconciliation_per_year.clone_from(&r.reconciliation_per_year);
    }
    let cached = cached.filter(|r| r.replay == replay);
    let fresh_replay_run = match &cached {
        Some(_) => None,
        None => {
            Some(simulate(&replay).map_err(|source| ScenarioError::Core { file: loaded.path().to_string(), source })?)
        }
    };
    let Some(replay_run) = cached.as_ref().map(|r| &r.replay_run).or(fresh_replay_run.as_ref()) else {
        return Err(loaded.key_error("calibration", "a replay of the published years"));
    };

    // Unit costs per published financial year, reconciled with S251.
    let mut cost_by_year: Vec<(i32, Vec<f64>, f64, f64)> = Vec::new();
    for yr in replay_run.years.iter().filter(|y| !y.is_start) {
        let y = yr.year;
        let (Some(total), Some(leaving), Some(fostering)) =
            (s251(y, "cla_total_gbp"), s251(y, "leaving_care_gbp"), s251(y, "weekly_cost_fostering_gbp"))
        else {
            notes.push(Note {
                key: format!("costs.{y}"),
                text: format!("S251 outturn for {y} is incomplete; costs for {y} are not derived"),
                source: "seeds/s251_finance.csv".into(),
            });
            continue;
        };
        let mut weekly = vec![0.0; np];
        for (p, def) in f.dimensions.placements.iter().enumerate() {
            weekly[p] = match (&def.s251_weekly_cost, &def.derived_cost_vs_fostering) {
                (Some(item), _) => s251(y, item).ok_or_else(|| {
                    loaded.key_error(
                        &format!("dimensions.placements.{}.s251_weekly_cost", def.id),
                        format!("an S251 weekly cost item present for {y}, `{item}` is missing"),
                    )
                })?,
                (None, Some(m)) => {
                    m.checked(loaded, &format!("dimensions.placements.{}.derived_cost_vs_fostering", def.id))?
                        * fostering
                }
                (None, None) => {
                    return Err(loaded.key_error(
                        &format!("dimensions.placements.{}", def.id),
                        "either `s251_weekly_cost` or `derived_cost_vs_fostering`",
                    ));
                }
            };
        }
        let placement_spend: f64 = (0..np).map(|p| weekly[p] * yr.child_weeks[p]).sum();
        let weeks: f64 = yr.child_weeks.iter().sum();
        let other_cla_weekly = (total - leaving - placement_spend) / weeks.max(1.0);
        if other_cla_weekly < 0.0 {
            notes.push(Note {
                key: format!("costs.{y}"),
                text: format!(
                    "placement costs exceed S251 CLA spend less leaving care in {y}; other CLA costs set to 0"
                ),
                source: "seeds/s251_finance.csv".into(),
            });
        }
        let leaver_cost = leaving / yr.care_leaver_years.max(1.0);
        cost_by_year.push((y, weekly, other_cla_weekly.max(0.0), leaver_cost));
    }
    let last_cost = cost_by_year
        .last()
        .cloned()
        .ok_or_else(|| loaded.key_error("calibration.last_year", "at least one year of S251 outturn"))?;
    for (p, def) in f.dimensions.placements.iter().enumerate() {
        if let Some(m) = &def.derived_cost_vs_fostering {
            param(
                loaded,
                &format!("dimensions.placements.{}.derived_cost_vs_fostering", def.id),
                m,
                &mut notes,
                &format!("weekly cost of {} as a multiple of the S251 fostering unit cost", def.id),
            )?;
        }
        let _ = p;
    }
    notes.push(Note {
        key: "costs.other_looked_after".into(),
        text: format!(
            "other children-looked-after costs (S251 CLA spend less placements and leaving care) are £{:.0} per child-week in {}; leaving care costs £{:.0} per care leaver (18-25) a year",
            last_cost.2, last_cost.0, last_cost.3
        ),
        source: "seeds/s251_finance.csv (derived)".into(),
    });
    let mut price_growth = Vec::new();
    for def in &f.dimensions.placements {
        price_growth.push(param(
            loaded,
            &format!("dimensions.placements.{}.price_growth", def.id),
            &def.price_growth,
            &mut notes,
            &format!("annual price growth of {} after {}", def.id, last_cost.0),
        )?);
    }
    let other_growth = param(
        loaded,
        "costs.other_cla_cost_growth",
        &f.costs.other_cla_cost_growth,
        &mut notes,
        "annual growth of other CLA costs per child-week",
    )?;
    let leaver_growth = param(
        loaded,
        "costs.leaving_care_cost_growth",
        &f.costs.leaving_care_cost_growth,
        &mut notes,
        "annual growth of leaving-care cost per care leaver",
    )?;
    let inflation = param(
        loaded,
        "deflator.annual_inflation",
        &f.deflator.annual_inflation,
        &mut notes,
        "general inflation for real terms",
    )?;
    let funding = match &f.funding {
        Some(fd) => {
            let base_m = param(
                loaded,
                "funding.base_gbp_m",
                &fd.base_gbp_m,
                &mut notes,
                &format!("funding in {}, £m", fd.base_year),
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
                param(loaded, "funding.annual_growth", &fd.annual_growth, &mut notes, "annual funding growth")?,
            ))
        }
        None => None,
    };

    // The projection.
    let start_year = opts.start_year.unwrap_or(f.scenario.start_year);
    let end_year = opts.end_year.unwrap_or(f.scenario.end_year);
    if !(first_year..=cal.last_year).contains(&start_year) {
        return Err(loaded.key_error(
            "scenario.start_year",
            format!("a start year with published stock ({}-{}), found {start_year}", first_year, cal.last_year),
        ));
    }
    if end_year <= start_year || end_year - start_year > 30 {
        return Err(loaded.key_error(
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
        let run = simulate(&upto).map_err(|source| ScenarioError::Core { file: loaded.path().to_string(), source })?;
        let published_start = published.iter().find(|p| p.year == start_year).ok_or_else(|| {
            loaded.key_error("scenario.start_year", format!("published stock at 31 March {start_year}"))
        })?;
        let target = joint_stock(&spec, published_start)
            .map_err(|source| ScenarioError::Core { file: loaded.path().to_string(), source })?;
        let weights = tilted_weights(&dims, &published_start.population_by_age, projection_rates.last_band_tilt);
        let stock = rake_to_joint(&dims, &run.final_stock_by_age, &target, &weights);
        if let Some(r) = &cached {
            let _ = r.start.set((start_year, stock.clone(), run.final_care_leavers));
        }
        new_start = Some((start_year, stock.clone(), run.final_care_leavers));
        (stock, run.final_care_leavers)
    };
    let mut years = Vec::new();
    for y in start_year + 1..=end_year {
        let mut yp = year_params(&projection_rates, y)?;
        match cost_by_year.iter().find(|c| c.0 == y) {
            Some((_, w, o, l)) => {
                yp.weekly_cost_gbp.clone_from(w);
                yp.other_cla_weekly_cost_gbp = *o;
                yp.care_leaver_annual_cost_gbp = *l;
            }
            None => {
                let k = (y - last_cost.0).max(0);
                yp.weekly_cost_gbp = (0..np).map(|p| last_cost.1[p] * (1.0 + price_growth[p]).powi(k)).collect();
                yp.other_cla_weekly_cost_gbp = last_cost.2 * (1.0 + other_growth).powi(k);
                yp.care_leaver_annual_cost_gbp = last_cost.3 * (1.0 + leaver_growth).powi(k);
            }
        }
        for (l, (_, item, g)) in other_lines.iter().enumerate() {
            yp.other_lines_gbp[l] = match s251(y, item) {
                Some(v) if y <= last_cost.0 => v,
                _ => {
                    let base = s251(last_cost.0, item).unwrap_or(0.0);
                    base * (1.0 + g).powi((y - last_cost.0).max(0))
                }
            };
        }
        yp.deflator = (1.0 + inflation).powi(y.saturating_sub(f.deflator.base_year));
        if let Some((base_year, base_m, g)) = funding {
            // The budget path starts in its base year; no funding is stated before it.
            if y >= base_year {
                yp.funding_gbp = base_m * 1e6 * (1.0 + g).powi(y.saturating_sub(base_year));
            }
        }
        years.push(yp);
    }
    let filled = match &cached {
        Some(r) => r.filled.clone(),
        None => std::sync::Arc::new(data.fills()),
    };
    if !filled.is_empty() {
        notes.push(Note {
            key: "published.filled".into(),
            text: format!(
                "{} published values for {} were suppressed or missing and were filled by the stated method (listed in summary.json under `filled_values`)",
                filled.len(),
                area.name
            ),
            source: "seeds (DfE suppression); carecast fill rules".into(),
        });
    }
    let start_children: f64 = initial_stock.iter().sum();
    let policy = crate::policy::apply(
        crate::policy::PolicyInput {
            loaded,
            seeds,
            area_code: code,
            dims,
            placement_labels: f.dimensions.placements.iter().map(|p| p.label.clone()).collect(),
            initial_stock,
            years,
            price_growth,
            last_cost_year: last_cost.0,
            start_children,
        },
        f,
        &mut notes,
    )?;
    let model = Model {
        dims: policy.dims,
        start_year,
        initial: InitialState { stock: policy.initial_stock, care_leavers: initial_leavers },
        years: policy.years,
    };
    model.validate().map_err(|source| ScenarioError::Core { file: loaded.path().to_string(), source })?;
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
    Ok(Built {
        name: f.scenario.name.clone(),
        title: f.scenario.title.clone(),
        area: area.code.clone(),
        area_name: area.name.clone(),
        price_base_year: f.deflator.base_year,
        placement_labels: policy.placement_labels,
        placement_parent: policy.parent_of,
        model,
        calibration: Some(calibration),
        replay: Some(replay),
        projection_rates: Some(projection_rates),
        outturn,
        published_margins,
        filled,
        notes,
        reuse: Some(reuse),
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
