//! Policy resolution: placement splits ([`Splits`], applied by the caller so
//! that tables shared by every year are split once), dated levers, funded
//! programmes with effect curves, the workforce and funding, applied to the
//! calibrated model.
//!
//! One mechanism serves levers and programme effects: a *change* selects
//! parameters (target, age bands, placements, reasons, destination) and has a
//! strength per year; levers get their strength from dates and phase-in,
//! programme effects from `carecast_core::effects::effect_path`.
//!
//! Re-normalisation (so a state's outflows never exceed its stock): changed
//! probabilities are clamped to [0, 1]; if a state's exit and move
//! probabilities then sum above 1 the simulator scales them down together;
//! entry mixes are re-normalised to sum to 1 after every change.
//!
//! Not here: calibration (resolve.rs, core) or simulation.

use crate::error::{ScenarioError, did_you_mean};
use crate::loader::Loaded;
use crate::resolve::Note;
use crate::schema::{LeverDef, LeverOp, LeverTarget, ScenarioFile};
use crate::seeds::Seeds;
use crate::values::{Key, Notes, Values};
use carecast_core::effects::{EffectCurve, effect_path};
use carecast_core::{AGES, Capacity, Dimensions, Transfer, Workforce, YearParams};
use std::fmt::Display;

/// Which parameters a change touches, resolved to indices.
#[derive(Debug, Clone)]
struct Selection {
    target: LeverTarget,
    bands: Vec<usize>,
    placements: Vec<usize>,
    reasons: Vec<usize>,
    to: Option<usize>,
}

/// Strength-weighted operation of one change in one year.
#[derive(Debug, Clone, Copy)]
enum Apply {
    /// Multiply by `1 + strength * (value - 1)`.
    Multiply(f64),
    /// Add `strength * value`.
    Add(f64),
    /// Move toward `value` by `strength`.
    Set(f64, f64),
    /// Multiply by `factor`.
    Factor(f64),
}

impl Apply {
    fn on(self, x: f64) -> f64 {
        match self {
            Apply::Multiply(f) | Apply::Factor(f) => x * f,
            Apply::Add(d) => x + d,
            Apply::Set(v, s) => x + s * (v - x),
        }
    }
}

/// Strength of a lever in a year: 0 outside its dates, ramping linearly to 1.
fn phase(l: &LeverDef, y: i32) -> f64 {
    if y < l.from_year || l.to_year.is_some_and(|t| y > t) {
        return 0.0;
    }
    ((y - l.from_year + 1) as f64 / l.phase_in_years.max(1) as f64).min(1.0)
}

struct Ctx<'a> {
    loaded: &'a Loaded,
    dims: &'a Dimensions,
}

impl Ctx<'_> {
    /// The index of `id` among `ids`; the error is located at `key`.
    fn index(&self, key: impl Fn() -> String, kind: &str, id: &str, ids: &[&str]) -> Result<usize, ScenarioError> {
        ids.iter().position(|i| *i == id).ok_or_else(|| {
            let hint =
                did_you_mean(id, ids.iter().copied()).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
            self.loaded.key_error(&key(), format!("{kind} id ({}), found `{id}`{hint}", ids.join(", ")))
        })
    }

    fn select(
        &self,
        key: &dyn Display,
        target: LeverTarget,
        bands: &[String],
        placements: &[String],
        reasons: &[String],
        to: &Option<String>,
    ) -> Result<Selection, ScenarioError> {
        let band_ids: Vec<&str> = self.dims.age_bands.iter().map(|b| b.id.as_str()).collect();
        let place_ids: Vec<&str> = self.dims.placements.iter().map(String::as_str).collect();
        let reason_ids: Vec<&str> = self.dims.exit_reasons.iter().map(String::as_str).collect();
        let pick = |list: &[String], ids: &[&str], kind: &str, sub: &str| -> Result<Vec<usize>, ScenarioError> {
            if list.is_empty() {
                return Ok((0..ids.len()).collect());
            }
            list.iter().map(|id| self.index(|| format!("{key}.{sub}"), kind, id, ids)).collect()
        };
        let sel = Selection {
            target,
            bands: pick(bands, &band_ids, "an age band", "age_bands")?,
            placements: pick(placements, &place_ids, "a placement", "placements")?,
            reasons: pick(reasons, &reason_ids, "an exit reason", "reasons")?,
            to: match to {
                Some(t) => Some(self.index(|| format!("{key}.to"), "a placement", t, &place_ids)?),
                None => None,
            },
        };
        let needs_to = matches!(target, LeverTarget::MoveProbability | LeverTarget::Transfer | LeverTarget::Capacity);
        if needs_to && sel.to.is_none() {
            return Err(self.loaded.key_error(&key.to_string(), "a destination placement `to` for this target"));
        }
        if matches!(target, LeverTarget::Transfer | LeverTarget::Capacity) && placements.len() != 1 {
            return Err(self
                .loaded
                .key_error(&key.to_string(), "exactly one placement in `placements` for this target"));
        }
        Ok(sel)
    }
}

/// Applies one change to one year's parameters. Probabilities and shares are
/// clamped to [0, 1]; a rate, a count or an amount of money the change would
/// take below zero is set to zero, and the lowest such value is returned so a
/// lever that does it can be refused.
fn apply_change(sel: &Selection, a: Apply, yp: &mut YearParams, np: usize, nr: usize, set_value: f64) -> Option<f64> {
    let mut below_zero: Option<f64> = None;
    let mut non_negative = |v: f64| {
        if v < 0.0 {
            below_zero = Some(below_zero.map_or(v, |b: f64| b.min(v)));
        }
        v.max(0.0)
    };
    match sel.target {
        LeverTarget::EntryRate => {
            for &b in &sel.bands {
                yp.entry_rate_per_10k[b] = non_negative(a.on(yp.entry_rate_per_10k[b]));
                if let Some(c) = yp.entry_count_per_year.as_mut() {
                    c[b] = non_negative(a.on(c[b]));
                }
            }
        }
        LeverTarget::EntryMix => {
            for &b in &sel.bands {
                let row = &mut yp.entry_mix[b * np..(b + 1) * np];
                for &p in &sel.placements {
                    row[p] = a.on(row[p]).clamp(0.0, 1.0);
                }
                let s: f64 = row.iter().sum();
                if s > 0.0 {
                    row.iter_mut().for_each(|v| *v /= s);
                }
            }
        }
        LeverTarget::ExitProbability => {
            for &b in &sel.bands {
                for &p in &sel.placements {
                    for &r in &sel.reasons {
                        let i = (b * np + p) * nr + r;
                        yp.monthly_exit_probability[i] = a.on(yp.monthly_exit_probability[i]).clamp(0.0, 1.0);
                    }
                }
            }
        }
        LeverTarget::MoveProbability => {
            if let Some(q) = sel.to {
                for &b in &sel.bands {
                    for &p in sel.placements.iter().filter(|p| **p != q) {
                        let i = (b * np + p) * np + q;
                        yp.monthly_move_probability[i] = a.on(yp.monthly_move_probability[i]).clamp(0.0, 1.0);
                    }
                }
            }
        }
        LeverTarget::Transfer => {
            if let (Some(q), Some(&p)) = (sel.to, sel.placements.first()) {
                let n = a.on(0.0).max(0.0);
                if n > 0.0 {
                    yp.transfers.push(Transfer { from: p, to: q, children_per_month: n });
                }
            }
        }
        LeverTarget::Capacity => {
            if let (Some(q), Some(&p)) = (sel.to, sel.placements.first())
                && !matches!(a, Apply::Set(_, s) if s <= 0.0)
            {
                yp.capacities.push(Capacity { placement: p, max_children: set_value.max(0.0), overflow_to: q });
            }
        }
        LeverTarget::WeeklyCost | LeverTarget::PriceGrowth => {
            for &p in &sel.placements {
                yp.weekly_cost_gbp[p] = non_negative(a.on(yp.weekly_cost_gbp[p]));
            }
        }
        LeverTarget::LeavingCareCost => {
            yp.care_leaver_annual_cost_gbp = non_negative(a.on(yp.care_leaver_annual_cost_gbp));
        }
        LeverTarget::AgencyShare => {
            if let Some(w) = yp.workforce.as_mut() {
                w.agency_share = a.on(w.agency_share).clamp(0.0, 1.0);
            }
        }
        LeverTarget::SocialWorkersNeeded => {
            if let Some(w) = yp.workforce.as_mut() {
                w.caseload_factor = non_negative(a.on(w.caseload_factor));
            }
        }
    }
    below_zero
}

/// How a lever's target or op is written in a scenario file (`WeeklyCost` -> `weekly_cost`).
fn spelling(v: &impl std::fmt::Debug) -> String {
    let mut out = String::new();
    for (i, c) in format!("{v:?}").chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A year key of a table such as `spend_gbp_m` (`"2026"`); the error is located at `key`.
fn year_key(loaded: &Loaded, key: &dyn Display, s: &str) -> Result<i32, ScenarioError> {
    s.parse::<i32>().ok().filter(|y| (1990..=2100).contains(y)).ok_or_else(|| {
        loaded.key_error(&key.to_string(), format!("a year ending 31 March such as \"2026\", found `{s}`"))
    })
}

/// Inputs the policy layer needs from resolution.
pub(crate) struct PolicyInput<'a> {
    pub values: &'a Values<'a>,
    pub seeds: &'a Seeds,
    pub area_code: &'a str,
    /// The placement splits, already applied to the stock, years and price growth.
    pub splits: Splits,
    pub initial_stock: Vec<f64>,
    pub years: Vec<YearParams>,
    /// Annual price growth by placement.
    pub price_growth: Vec<f64>,
    /// Last year whose unit costs are published.
    pub last_cost_year: i32,
    /// Children in care at the start.
    pub start_children: f64,
    /// The area's share of England's money, for grants and programme spend
    /// whose file says they are England's ([`Loaded::amount_share`]);
    /// programme effects follow the unscaled money.
    pub national_share: f64,
}

/// The model parts after policy.
pub(crate) struct PolicyOutput {
    pub dims: Dimensions,
    pub placement_labels: Vec<String>,
    pub initial_stock: Vec<f64>,
    pub years: Vec<YearParams>,
    /// Parent placement of each placement (itself if not split).
    pub parent_of: Vec<String>,
}

/// Applies workforce, funding, programmes and levers (after the splits).
pub(crate) fn apply(
    input: PolicyInput<'_>,
    f: &ScenarioFile,
    notes: &mut Notes,
) -> Result<PolicyOutput, ScenarioError> {
    let PolicyInput {
        values,
        seeds,
        area_code,
        splits,
        initial_stock,
        mut years,
        price_growth,
        last_cost_year,
        start_children,
        national_share,
    } = input;
    let loaded = values.loaded;
    let Splits { dims, labels: placement_labels, parent_of, .. } = splits;
    let np = dims.n_placements();
    let nr = dims.n_reasons();
    let mut dims = dims;
    let first_year = years.first().map(|y| y.year).unwrap_or(0);
    let last_year = years.last().map(|y| y.year).unwrap_or(0);

    // Workforce.
    if let Some(w) = &f.workforce {
        let line = dims.other_spend_lines.iter().position(|l| *l == w.spend_line).ok_or_else(|| {
            loaded.key_error(
                "workforce.spend_line",
                format!("one of the spend lines ({})", dims.other_spend_lines.join(", ")),
            )
        })?;
        // The council's own snapshot; else its nearest year; else England's
        // FTE scaled by the council's share of children in care (stated).
        let published = |area: &str, year: i32| -> Option<(f64, f64)> {
            let c = seeds.workforce.get(&(area.to_string(), year))?;
            Some((c[0].number()?, c[1].number()?))
        };
        let nearest = (0..10)
            .flat_map(|d| [w.base_snapshot_year - d, w.base_snapshot_year + d])
            .find_map(|y| published(area_code, y).map(|v| (y, v)));
        let (fte, agency_pct) = match nearest {
            Some((y, v)) => {
                if y != w.base_snapshot_year {
                    notes.push(|| Note {
                        key: "workforce.base_snapshot_year".into(),
                        text: format!(
                            "no published workforce for {area_code} at 30 September {}; {y} used",
                            w.base_snapshot_year
                        ),
                        source: "seeds/workforce.csv (filled: nearest year)".into(),
                    });
                }
                v
            }
            None => {
                let (e_fte, e_agency) = published("E92000001", w.base_snapshot_year).ok_or_else(|| {
                    loaded.key_error(
                        "workforce.base_snapshot_year",
                        "a year with England workforce data in seeds/workforce.csv",
                    )
                })?;
                let england_children = seeds
                    .headline
                    .get(&("E92000001".to_string(), w.base_snapshot_year + 1))
                    .and_then(|c| c[0].number())
                    .unwrap_or(start_children.max(1.0));
                let share = start_children / england_children.max(1.0);
                notes.push(|| Note {
                    key: "workforce.base_snapshot_year".into(),
                    text: format!(
                        "no published workforce for {area_code} (suppressed or reported jointly with a neighbour); England's FTE scaled by the council's share of children in care ({:.2}%) and England's agency rate used",
                        share * 100.0
                    ),
                    source: "seeds/workforce.csv (filled: England pattern)".into(),
                });
                (e_fte * share, e_agency)
            }
        };
        let elasticity = values.get(Key(&["workforce.elasticity"]), &w.elasticity)?;
        let cost = values.get(Key(&["workforce.cost_per_fte_gbp"]), &w.cost_per_fte_gbp)?;
        let growth = values.get(Key(&["workforce.cost_growth"]), &w.cost_growth)?;
        let premium = values.get(Key(&["workforce.agency_premium"]), &w.agency_premium)?;
        for yp in years.iter_mut() {
            yp.workforce = Some(Workforce {
                line,
                base_fte: fte,
                base_children: start_children,
                elasticity,
                caseload_factor: 1.0,
                cost_per_fte_gbp: cost * (1.0 + growth).powi(yp.year - first_year + 1),
                agency_share: agency_pct / 100.0,
                base_agency_share: agency_pct / 100.0,
                agency_premium: premium,
            });
        }
        notes.push(|| Note {
            key: "workforce".into(),
            text: format!(
                "{fte:.0} FTE social workers and {agency_pct:.1}% agency at 30 September {}; FTE needed moves with children in care (elasticity {elasticity}); £{cost:.0} per FTE growing {:.1}% a year; agency premium {:.0}%; the change in cost is added to `{}`",
                w.base_snapshot_year,
                growth * 100.0,
                premium * 100.0,
                w.spend_line
            ),
            source: format!("seeds/workforce.csv; {}", w.cost_per_fte_gbp.source().unwrap_or("assumption")),
        });
    }

    // Grants on top of funding.
    if let Some(fd) = &f.funding {
        for g in &fd.grants {
            for (ys, gbp_m) in &g.gbp_m {
                let key = Key(&["funding.grants.", &g.id, ".gbp_m"]);
                let y = year_key(loaded, &key, ys)?;
                if *gbp_m < 0.0 {
                    return Err(loaded.key_error(&key.to_string(), format!("a non-negative amount, found {gbp_m}")));
                }
                if let Some(yp) = years.iter_mut().find(|yp| yp.year == y) {
                    yp.funding_gbp +=
                        loaded.amount_share(&format!("funding.grants.{}", g.id), national_share) * gbp_m * 1e6;
                }
            }
            notes.push(|| Note {
                key: format!("funding.grants.{}", g.id),
                text: format!("grant `{}`", g.id),
                source: g.source.clone(),
            });
        }
    }

    let ctx = Ctx { loaded, dims: &dims };
    // Programmes: spend lines and effects.
    let mut programme_lines: Vec<(String, Vec<f64>)> = Vec::new();
    let mut effect_changes: Vec<(Selection, Vec<(i32, f64)>)> = Vec::new();
    const PURPOSES: [&str; 9] = [
        "family_help",
        "kinship_support",
        "foster_carer_recruitment",
        "workforce",
        "care_leavers",
        "family_finding",
        "childrens_homes",
        "adoption_support",
        "other",
    ];
    for prog in &f.programmes {
        let key = Key(&["programmes.", &prog.id]);
        if !PURPOSES.contains(&prog.purpose.as_str()) {
            let hint =
                did_you_mean(&prog.purpose, PURPOSES).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
            return Err(loaded.key_error(
                &format!("{key}.purpose"),
                format!("one of {}, found `{}`{hint}", PURPOSES.join(", "), prog.purpose),
            ));
        }
        let mut spend = Vec::new();
        for (ys, gbp_m) in &prog.spend_gbp_m {
            let y = year_key(loaded, &Key(&["programmes.", &prog.id, ".spend_gbp_m"]), ys)?
                .saturating_add(prog.delay_years);
            if *gbp_m < 0.0 || !gbp_m.is_finite() {
                return Err(loaded
                    .key_error(&format!("{key}.spend_gbp_m"), format!("a non-negative amount in £m, found {gbp_m}")));
            }
            spend.push((y, *gbp_m));
        }
        let total: f64 = spend.iter().map(|(_, s)| s).sum();
        let in_horizon: f64 = spend.iter().filter(|(y, _)| (first_year..=last_year).contains(y)).map(|(_, s)| s).sum();
        if !prog.already_in_spend_lines {
            let line = format!("programme_{}", prog.purpose);
            let idx = match programme_lines.iter().position(|(l, _)| *l == line) {
                Some(i) => i,
                None => {
                    programme_lines.push((line, vec![0.0; years.len()]));
                    programme_lines.len() - 1
                }
            };
            for (y, s) in &spend {
                if let Some(k) = years.iter().position(|yp| yp.year == *y) {
                    programme_lines[idx].1[k] +=
                        loaded.amount_share(&format!("programmes.{}", prog.id), national_share) * s * 1e6;
                }
            }
        }
        notes.push(|| Note {
            key: key.to_string(),
            text: format!(
                "programme `{}` ({}): £{total:.0}m in all ({}), £{in_horizon:.0}m within the projection; {}{}",
                prog.id,
                prog.purpose,
                spend
                    .iter()
                    .map(|(y, s)| format!("£{s:.0}m in {}-{:02}", y - 1, y % 100))
                    .collect::<Vec<_>>()
                    .join(", "),
                prog.description,
                if prog.delay_years != 0 { format!(" (delayed {} years)", prog.delay_years) } else { String::new() }
            ),
            source: prog.source.clone(),
        });
        for (k, e) in prog.effects.iter().enumerate() {
            let k = k.to_string();
            let ekey = Key(&["programmes.", &prog.id, ".effects.", &k]);
            let sel = ctx.select(&ekey, e.target, &e.age_bands, &e.placements, &e.reasons, &e.to)?;
            let field = |name: &'static str, p| values.get(Key(&["programmes.", &prog.id, ".effects.", &k, name]), p);
            let curve = EffectCurve {
                effect_per_gbp_m: field(".effect_per_gbp_m", &e.effect_per_gbp_m)?,
                saturation_gbp_m: field(".saturation_gbp_m", &e.saturation_gbp_m)?,
                lag_years: e.lag_years,
                ramp_years: e.ramp_years,
                decay_per_year: field(".decay_per_year", &e.decay_per_year)?,
            };
            if !(0.0..=1.0).contains(&curve.decay_per_year) {
                return Err(loaded.key_error(
                    &format!("{ekey}.decay_per_year"),
                    format!("a share in [0, 1], found {}", curve.decay_per_year),
                ));
            }
            if curve.saturation_gbp_m < 0.0 {
                return Err(loaded.key_error(
                    &format!("{ekey}.saturation_gbp_m"),
                    format!("a non-negative amount in £m, found {}", curve.saturation_gbp_m),
                ));
            }
            notes.push(|| Note {
                key: ekey.to_string(),
                text: format!(
                    "effect on {:?}: {:+.5} per £m, half-saturation £{:.0}m, lag {} years, ramp {} years, decay {:.0}% a year",
                    e.target,
                    curve.effect_per_gbp_m,
                    curve.saturation_gbp_m,
                    curve.lag_years,
                    curve.ramp_years,
                    curve.decay_per_year * 100.0
                ),
                source: e.effect_per_gbp_m.source().unwrap_or("assumption (no source stated)").to_string(),
            });
            effect_changes.push((sel, effect_path(&curve, &spend, first_year..=last_year)));
        }
    }
    for (line, values) in &programme_lines {
        dims.other_spend_lines.push(line.clone());
        for (yp, v) in years.iter_mut().zip(values) {
            yp.other_lines_gbp.push(*v);
        }
    }
    let ctx = Ctx { loaded, dims: &dims };

    // Levers.
    // The file's own horizon bounds a lever's dates; a run shortened with
    // `--end-year` simply does not reach a lever that starts after it.
    let file_last_year = last_year.max(f.scenario.end_year);
    for l in &f.levers {
        let key = Key(&["levers.", &l.id]);
        if !(1900..=file_last_year).contains(&l.from_year)
            || l.to_year.is_some_and(|t| t < first_year || t < l.from_year)
        {
            return Err(loaded.key_error(
                &format!("{key}.from_year"),
                format!(
                    "dates inside the scenario's horizon ({first_year}-{file_last_year}), found {}-{}",
                    l.from_year,
                    l.to_year.map(|t| t.to_string()).unwrap_or_else(|| "end".into())
                ),
            ));
        }
        if l.from_year > last_year {
            continue;
        }
        let v = values.get(Key(&["levers.", &l.id, ".value"]), &l.value)?;
        let sel = ctx.select(&key, l.target, &l.age_bands, &l.placements, &l.reasons, &l.to)?;
        let op_ok = match l.target {
            LeverTarget::Transfer | LeverTarget::Capacity => l.op == LeverOp::Set,
            LeverTarget::PriceGrowth => l.op == LeverOp::Add,
            _ => l.op != LeverOp::Set || matches!(l.target, LeverTarget::AgencyShare | LeverTarget::WeeklyCost),
        };
        if !op_ok {
            return Err(loaded.key_error(
                &format!("{key}.op"),
                format!(
                    "an op that fits target `{}`, found `{}` (transfer and capacity take `set`, price_growth takes `add`)",
                    spelling(&l.target),
                    spelling(&l.op)
                ),
            ));
        }
        let probability_like = matches!(
            l.target,
            LeverTarget::ExitProbability
                | LeverTarget::MoveProbability
                | LeverTarget::EntryMix
                | LeverTarget::AgencyShare
        );
        if probability_like && matches!(l.op, LeverOp::Add | LeverOp::Set) && !(-1.0..=1.0).contains(&v) {
            return Err(loaded.key_error(
                &format!("{key}.value"),
                format!(
                    "a probability or share (or a change of one) within [-1, 1] for `{}`, found {v}",
                    spelling(&l.target)
                ),
            ));
        }
        if v < 0.0 && matches!(l.op, LeverOp::Multiply | LeverOp::Set) {
            return Err(loaded.key_error(
                &format!("{key}.value"),
                format!("a non-negative value for `{}`, found {v}", spelling(&l.op)),
            ));
        }
        // The central run checks the value and both ends of its range: a
        // lever that could take a rate or money below zero is refused at its
        // key. A Monte Carlo draw (which may fall outside the stated range)
        // is clamped at zero instead, as the model's other changes are.
        let central = !values.is_drawn();
        let ends: Vec<(f64, &str)> = std::iter::once((v, "its value"))
            .chain(
                l.value
                    .range()
                    .filter(|_| central)
                    .into_iter()
                    .flat_map(|(lo, hi)| [(lo, "the low end of its range"), (hi, "the high end of its range")]),
            )
            .collect();
        let refuse = |x: f64, year: i32, which: &str| {
            let fy = format!("{}-{:02}", year - 1, year % 100);
            let what = if l.target == LeverTarget::PriceGrowth {
                format!("a price growth above -100% a year, found {:.1}% in {fy} with {which}", x * 100.0)
            } else {
                format!(
                    "a change that leaves `{}` at zero or above, found {x:.2} in {fy} with {which} (a rate or an amount of money cannot be negative)",
                    spelling(&l.target)
                )
            };
            loaded.key_error(&format!("{key}.value"), what)
        };
        let mut cumulative = vec![vec![1.0; np]; ends.len()];
        for yp in years.iter_mut() {
            let s = phase(l, yp.year);
            if l.target == LeverTarget::PriceGrowth {
                // Extra growth compounds from the lever's start, only on unpublished years.
                for (k, &(v_k, which)) in ends.iter().enumerate() {
                    if yp.year > last_cost_year && s > 0.0 {
                        for &p in &sel.placements {
                            let grown = 1.0 + price_growth[p] + s * v_k;
                            if grown <= 0.0 && (central || k > 0) {
                                return Err(refuse(grown - 1.0, yp.year, which));
                            }
                            cumulative[k][p] *= grown.max(0.0) / (1.0 + price_growth[p]);
                        }
                    }
                }
                for &p in &sel.placements {
                    yp.weekly_cost_gbp[p] *= cumulative[0][p];
                }
                continue;
            }
            if s <= 0.0 {
                continue;
            }
            let apply_of = |v: f64| match l.op {
                LeverOp::Multiply => Apply::Multiply(1.0 + s * (v - 1.0)),
                LeverOp::Add => Apply::Add(s * v),
                LeverOp::Set => Apply::Set(v, s),
                LeverOp::Grow => Apply::Factor((1.0 + v).powi(yp.year - l.from_year + 1)),
            };
            // The range's ends on a copy of the year, before the value changes it.
            for &(v_k, which) in ends.iter().skip(1) {
                if let Some(x) = apply_change(&sel, apply_of(v_k), &mut yp.clone(), np, nr, v_k) {
                    return Err(refuse(x, yp.year, which));
                }
            }
            if let Some(x) = apply_change(&sel, apply_of(v), yp, np, nr, v)
                && central
            {
                return Err(refuse(x, yp.year, "its value"));
            }
        }
        notes.push(|| Note {
            key: key.to_string(),
            text: format!(
                "lever `{}`: {:?} {:?} {v}{} from {}-{:02}{}{}; {}",
                l.id,
                l.target,
                l.op,
                l.value.range().map(|(lo, hi)| format!(" (range {lo} to {hi})")).unwrap_or_default(),
                l.from_year - 1,
                l.from_year % 100,
                if l.phase_in_years > 1 {
                    format!(", phased in over {} years", l.phase_in_years)
                } else {
                    String::new()
                },
                l.to_year.map(|t| format!(", ending {}-{:02}", t - 1, t % 100)).unwrap_or_default(),
                l.description
            ),
            source: l.value.source().unwrap_or("assumption (no source stated)").to_string(),
        });
    }
    for (sel, path) in &effect_changes {
        for yp in years.iter_mut() {
            let e = path.iter().find(|(y, _)| *y == yp.year).map(|(_, e)| *e).unwrap_or(0.0);
            if e != 0.0 {
                // A factor of at least zero keeps what is non-negative so.
                let _ = apply_change(sel, Apply::Factor((1.0 + e).max(0.0)), yp, np, nr, 0.0);
            }
        }
    }
    Ok(PolicyOutput { dims, placement_labels, initial_stock, years, parent_of })
}

/// Placements split into parts (foster care into kinship, in-house and agency
/// fostering): stocks and entries by share, rates copied, moves into the
/// parent shared by share, costs rescaled so that the share-weighted cost
/// equals the parent's.
pub(crate) struct Splits {
    /// For each placement after splitting: (placement before, share, cost multiple).
    parts: Vec<(usize, f64, f64)>,
    /// Nothing is split: tables are kept as they are.
    none: bool,
    /// Placements before splitting.
    old_np: usize,
    /// Dimensions after splitting.
    pub dims: Dimensions,
    /// Placement labels after splitting.
    pub labels: Vec<String>,
    /// The placement each placement was split from (itself if not split).
    pub parent_of: Vec<String>,
}

/// A year's entry mix, exit and move probabilities.
pub(crate) type Tables = (Vec<f64>, Vec<f64>, Vec<f64>);

impl Splits {
    /// The splits of `f`'s placements (`dims`: before splitting), with their
    /// shares and cost multiples read from `values` and noted.
    pub(crate) fn new(
        values: &Values<'_>,
        f: &ScenarioFile,
        dims: Dimensions,
        notes: &mut Notes,
    ) -> Result<Splits, ScenarioError> {
        let loaded = values.loaded;
        let mut parts: Vec<(usize, f64, f64)> = Vec::new();
        let mut ids = Vec::new();
        let mut labels = Vec::new();
        let mut parent_of = Vec::new();
        for (p, def) in f.dimensions.placements.iter().enumerate() {
            if def.split.is_empty() {
                parts.push((p, 1.0, 1.0));
                ids.push(def.id.clone());
                labels.push(def.label.clone());
                parent_of.push(def.id.clone());
                continue;
            }
            let key = Key(&["dimensions.placements.", &def.id, ".split"]);
            let mut shares = Vec::new();
            let mut mults = Vec::new();
            for s in &def.split {
                let share =
                    values.get(Key(&["dimensions.placements.", &def.id, ".split.", &s.id, ".share"]), &s.share)?;
                let mult = values.get(
                    Key(&["dimensions.placements.", &def.id, ".split.", &s.id, ".weekly_cost_vs_parent"]),
                    &s.weekly_cost_vs_parent,
                )?;
                if !(0.0..=1.0).contains(&share) || mult < 0.0 {
                    return Err(loaded
                        .key_error(&format!("{key}.{}", s.id), "a share in [0, 1] and a non-negative cost multiple"));
                }
                shares.push(share);
                mults.push(mult);
            }
            let total: f64 = shares.iter().sum();
            if (total - 1.0).abs() > 1e-6 {
                return Err(loaded.key_error(&key.to_string(), format!("shares summing to 1, they sum to {total}")));
            }
            let mean: f64 = shares.iter().zip(&mults).map(|(s, m)| s * m).sum();
            for (k, s) in def.split.iter().enumerate() {
                parts.push((p, shares[k], if mean > 0.0 { mults[k] / mean } else { 1.0 }));
                ids.push(s.id.clone());
                labels.push(s.label.clone());
                parent_of.push(def.id.clone());
                notes.push(|| Note {
                    key: format!("{key}.{}", s.id),
                    text: format!(
                        "{} is {:.0}% of {} at {:.2} times its average weekly cost",
                        s.id,
                        shares[k] * 100.0,
                        def.id,
                        if mean > 0.0 { mults[k] / mean } else { 1.0 }
                    ),
                    source: s.share.source().unwrap_or("assumption (no source stated)").to_string(),
                });
            }
        }
        let old_np = dims.n_placements();
        if parts.len() == old_np && parts.iter().all(|(_, s, _)| *s == 1.0) {
            // Nothing to split (at most a part with the whole share): the placements stay as they are.
            let labels = f.dimensions.placements.iter().map(|p| p.label.clone()).collect();
            return Ok(Splits { parts, none: true, old_np, dims, labels, parent_of });
        }
        Ok(Splits { parts, none: false, old_np, dims: Dimensions { placements: ids, ..dims }, labels, parent_of })
    }

    /// Whether nothing is split.
    pub(crate) fn is_none(&self) -> bool {
        self.none
    }

    /// A stock by single year of age and placement, split.
    pub(crate) fn stock(&self, stock: Vec<f64>) -> Vec<f64> {
        if self.none {
            return stock;
        }
        let (np, old_np) = (self.parts.len(), self.old_np);
        let mut new_stock = vec![0.0; AGES * np];
        for a in 0..AGES {
            for (q, (p, share, _)) in self.parts.iter().enumerate() {
                new_stock[a * np + q] = stock[a * old_np + p] * share;
            }
        }
        new_stock
    }

    /// Price growth by placement, split (each part grows as its parent).
    pub(crate) fn price_growth(&self, growth: Vec<f64>) -> Vec<f64> {
        if self.none {
            return growth;
        }
        self.parts.iter().map(|(p, _, _)| growth[*p]).collect()
    }

    /// Weekly unit costs by placement, split (rescaled by the cost multiples).
    pub(crate) fn weekly(&self, weekly: &[f64]) -> Vec<f64> {
        if self.none {
            return weekly.to_vec();
        }
        self.parts.iter().map(|&(p, _, mult)| weekly[p] * mult).collect()
    }

    /// An entry mix, monthly exit and monthly move probabilities, split
    /// (`nb` bands, `nr` exit reasons).
    pub(crate) fn tables(&self, entry_mix: &[f64], exits: &[f64], moves: &[f64], nb: usize, nr: usize) -> Tables {
        if self.none {
            return (entry_mix.to_vec(), exits.to_vec(), moves.to_vec());
        }
        let (np, old_np, parts) = (self.parts.len(), self.old_np, &self.parts);
        let mut new_mix = vec![0.0; nb * np];
        let mut new_exits = vec![0.0; nb * np * nr];
        let mut new_moves = vec![0.0; nb * np * np];
        // Band by band, slices of the old and new tables (no index arithmetic in the inner loops).
        for b in 0..nb {
            let old_mix = &entry_mix[b * old_np..(b + 1) * old_np];
            let old_exits = &exits[b * old_np * nr..(b + 1) * old_np * nr];
            let old_moves = &moves[b * old_np * old_np..(b + 1) * old_np * old_np];
            let mix = &mut new_mix[b * np..(b + 1) * np];
            let exit_rows = new_exits[b * np * nr..(b + 1) * np * nr].chunks_exact_mut(nr);
            let move_rows = new_moves[b * np * np..(b + 1) * np * np].chunks_exact_mut(np);
            for (((m, e), row), &(p, share, _)) in mix.iter_mut().zip(exit_rows).zip(move_rows).zip(parts) {
                *m = old_mix[p] * share;
                e.copy_from_slice(&old_exits[p * nr..(p + 1) * nr]);
                let old_row = &old_moves[p * old_np..(p + 1) * old_np];
                for (x, &(p2, share2, _)) in row.iter_mut().zip(parts) {
                    if p2 != p {
                        *x = old_row[p2] * share2;
                    }
                }
            }
        }
        (new_mix, new_exits, new_moves)
    }

    /// One year's parameters, split (transfers and capacities, set by levers afterwards, cleared).
    pub(crate) fn year(&self, mut y: YearParams) -> YearParams {
        if self.none {
            return y;
        }
        let (nb, nr) = (self.dims.n_bands(), self.dims.n_reasons());
        (y.entry_mix, y.monthly_exit_probability, y.monthly_move_probability) =
            self.tables(&y.entry_mix, &y.monthly_exit_probability, &y.monthly_move_probability, nb, nr);
        y.weekly_cost_gbp = self.weekly(&y.weekly_cost_gbp);
        y.transfers = Vec::new();
        y.capacities = Vec::new();
        y
    }
}
