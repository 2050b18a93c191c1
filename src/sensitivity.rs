//! `carecast sensitivity`: one-at-a-time sensitivity of a headline measure to
//! every ranged assumption (`{ value, low, high, source }`) in a scenario.
//!
//! What it is: the scenario resolved and run at its central values, then once
//! with each ranged parameter at its low and once at its high setting (all
//! others central), in parallel; the chosen measure's `total` in the chosen
//! year is tabulated (`sensitivity.csv`), drawn as a tornado and the largest
//! swings printed. With `--against BASE`, the measure is the scenario's
//! difference from the base, or a whole-horizon measure of `compare` (the NPV
//! cost by default), and each parameter of either scenario is set to its own
//! low (high) in both. What it is not: a probabilistic (joint) uncertainty
//! analysis.

use anyhow::{Context, Result, bail};
use carecast_core::Row;
use carecast_core::rows::rows;
use carecast_plot::{Chart, ChartKind, ChartText, Formats, TornadoBar, ValueFormat};
use carecast_report::{Cell, Column, ColumnKind, Table, financial_year_label, format_gbp_millions, write_csv};
use carecast_scenario::loader::{RangedParam, ranged_params, set_value, share_group};
use carecast_scenario::{Built, Loaded, RunOptions, Seeds, build, build_reusing, load};
use rayon::prelude::*;
use std::path::PathBuf;

/// Default measure.
pub const DEFAULT_MEASURE: &str = "csc_spend_gbp_cash";
/// Parameters drawn in the tornado.
const CHART_BARS: usize = 15;
/// Parameters printed to the terminal.
const PRINTED: usize = 10;

/// Default measure of an option against a base.
pub const DEFAULT_AGAINST_MEASURE: &str = "npv_cost_gbp";

/// `carecast sensitivity` settings.
#[derive(Debug, Clone)]
pub struct SensitivityConfig {
    /// Scenario name or path.
    pub scenario: String,
    /// A base to measure the scenario against (the measure is then the
    /// scenario's difference from it, or a whole-horizon comparison measure).
    pub against: Option<String>,
    /// Measure id (its `total` breakdown is used); default
    /// [`DEFAULT_MEASURE`], or [`DEFAULT_AGAINST_MEASURE`] with a base.
    pub measure: Option<String>,
    /// Year ending 31 March; default the projection's end year.
    pub year: Option<i32>,
    /// Start year override for every run.
    pub start_year: Option<i32>,
    /// End year override for every run.
    pub end_year: Option<i32>,
    /// Council to run for.
    pub la: Option<String>,
    /// Output folder.
    pub out: PathBuf,
    /// Suppress progress output.
    pub quiet: bool,
}

/// The measure at a parameter's low and high settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// The parameter and its range.
    pub param: RangedParam,
    /// Measure with the parameter at its low setting.
    pub at_low: f64,
    /// Measure with the parameter at its high setting.
    pub at_high: f64,
    /// Measure with every parameter central.
    pub central: f64,
}

impl Sensitivity {
    /// |high − low|.
    pub fn swing(&self) -> f64 {
        (self.at_high - self.at_low).abs()
    }
}

/// A parameter whose low or high setting could not be resolved or run.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// The parameter and its range.
    pub param: RangedParam,
    /// Why.
    pub reason: String,
}

/// Everything `sensitivity` computes.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// Scenario name.
    pub scenario: String,
    /// The base it is measured against, if any.
    pub against: Option<String>,
    /// Measure id.
    pub measure: String,
    /// The measure in words: which year, which difference.
    pub what: String,
    /// Measure with every parameter central.
    pub central: f64,
    /// By swing, largest first (ties by key).
    pub results: Vec<Sensitivity>,
    /// Parameters that could not be evaluated, in scenario order.
    pub skipped: Vec<Skipped>,
}

/// The `total` of `measure` in `year`.
fn pick(rows: &[Row], measure: &str, year: i32) -> Option<f64> {
    rows.iter().find(|r| r.measure == measure && r.breakdown == "total" && r.year == year).map(|r| r.value)
}

/// Resolves and runs `loaded`, returning its tidy rows.
fn run_rows(loaded: &Loaded, seeds: &Seeds, opts: &RunOptions, prior: Option<&Built>) -> Result<(Built, Vec<Row>)> {
    let built = match prior {
        Some(p) => build_reusing(loaded, seeds, opts, p),
        None => build(loaded, seeds, opts),
    }
    .context("resolving the scenario")?;
    let projection = built.run().context("running the model")?;
    let r = rows(&built.name, &built.model.dims, &projection);
    Ok((built, r))
}

/// What a one-at-a-time variant sets: parameter `i` at `value` and, for a
/// share of a split, the split's other ranged shares scaled in proportion so
/// that the split's ranged shares keep their central total (the shares of a
/// split must sum to 1; the Monte Carlo draws keep the same total).
fn variant_values(params: &[RangedParam], i: usize, value: f64) -> Vec<(&str, f64)> {
    let mut set = vec![(params[i].key.as_str(), value)];
    if let Some(group) = share_group(&params[i].key) {
        let others: Vec<&RangedParam> = params
            .iter()
            .enumerate()
            .filter(|(j, p)| *j != i && share_group(&p.key) == Some(group))
            .map(|(_, p)| p)
            .collect();
        let others_central: f64 = others.iter().map(|p| p.value).sum();
        if others_central > 0.0 {
            let scale = (others_central + params[i].value - value) / others_central;
            set.extend(others.iter().map(|p| (p.key.as_str(), p.value * scale)));
        }
    }
    set
}

/// One scenario of the analysis: as loaded, resolved and run at its central
/// values, and its ranged parameters.
struct Side {
    loaded: Loaded,
    central: Built,
    rows: Vec<Row>,
    params: Vec<RangedParam>,
}

impl Side {
    fn new(spec: &str, seeds: &Seeds, opts: &RunOptions) -> Result<Side> {
        let loaded = load(spec).with_context(|| format!("loading scenario `{spec}`"))?;
        let (central, rows) =
            run_rows(&loaded, seeds, opts, None).with_context(|| format!("scenario `{spec}` at central values"))?;
        let params = ranged_params(&loaded);
        Ok(Side { loaded, central, rows, params })
    }

    /// The rows with the parameter `key` at its low or high setting (and a
    /// split's other shares offsetting it, [`variant_values`]); `None` if this
    /// scenario has no such ranged parameter. Errors as one line.
    fn variant(&self, seeds: &Seeds, opts: &RunOptions, key: &str, high: bool) -> Result<Option<Vec<Row>>, String> {
        let Some(i) = self.params.iter().position(|p| p.key == key) else { return Ok(None) };
        let value = if high { self.params[i].high } else { self.params[i].low };
        let chain = |e: anyhow::Error| e.chain().map(ToString::to_string).collect::<Vec<_>>().join(": ");
        let mut changed = self.loaded.clone();
        for (key, v) in variant_values(&self.params, i, value) {
            set_value(&mut changed, key, v).map_err(|e| e.to_string())?;
        }
        let (_, r) = run_rows(&changed, seeds, opts, Some(&self.central)).map_err(chain)?;
        Ok(Some(r))
    }
}

/// What is measured: a measure's `total` in a year, of the scenario or of its
/// difference from the base, or a whole-horizon comparison measure.
enum Target {
    Level { measure: String, year: i32 },
    Difference { measure: String, year: i32 },
    WholeHorizon { measure: String },
}

impl Target {
    /// The value for the scenario's rows (and the base's, against a base).
    fn value(&self, scenario: (&Built, &[Row]), base: Option<(&Built, &[Row])>) -> Result<f64, String> {
        let level = |rows: &[Row], measure: &str, year: i32| {
            pick(rows, measure, year).ok_or_else(|| format!("no `{measure}` total for {year}"))
        };
        let v = match (self, base) {
            (Target::Level { measure, year }, _) => level(scenario.1, measure, *year)?,
            (Target::Difference { measure, year }, Some(base)) => {
                level(scenario.1, measure, *year)? - level(base.1, measure, *year)?
            }
            (Target::WholeHorizon { measure }, Some(base)) => crate::compare::whole_horizon(base, scenario, measure)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("`{measure}` is undefined"))?,
            _ => return Err("a difference needs a base".into()),
        };
        if v.is_finite() { Ok(v) } else { Err("the measure is not a finite number".into()) }
    }
}

/// Runs the analysis (no output).
pub fn analyse(c: &SensitivityConfig) -> Result<Analysis> {
    let seeds = Seeds::bundled().context("reading the bundled seed data")?;
    let opts = RunOptions { start_year: c.start_year, end_year: c.end_year, area: c.la.clone() };
    let scenario = Side::new(&c.scenario, &seeds, &opts)?;
    let base = c.against.as_deref().map(|b| Side::new(b, &seeds, &opts)).transpose()?;
    let name = scenario.central.name.clone();
    if let Some(b) = &base {
        let same_file = b.loaded.chain.first().map(|f| &f.text) == scenario.loaded.chain.first().map(|f| &f.text);
        if b.central.name == name && !same_file {
            bail!(
                "--against {}: the scenario and its base are different files both named `{name}`; give each a distinct [scenario] name",
                b.loaded.path()
            );
        }
        if b.central.name == name {
            bail!(
                "--against {}: that is the scenario itself (`{name}`); give the base to measure it against",
                b.central.name
            );
        }
        if let Some(why) = crate::compare::different_areas([&b.central, &scenario.central]) {
            bail!("{why}");
        }
        if let Some(why) = crate::compare::different_years([&b.central, &scenario.central]) {
            bail!("{why}; pass --start-year and --end-year to compare them over the same years");
        }
    }
    let default = if base.is_some() { DEFAULT_AGAINST_MEASURE } else { DEFAULT_MEASURE };
    let measure = c.measure.clone().unwrap_or_else(|| default.to_string());
    let whole_horizon = crate::compare::WHOLE_HORIZON_MEASURES.contains(&measure.as_str());
    let target = if whole_horizon {
        if base.is_none() {
            bail!("--measure {measure}: a whole-horizon measure compares an option with a base; give --against BASE");
        }
        if crate::compare::UNBANDED.contains(&measure.as_str()) {
            bail!(
                "--measure {measure}: it can be undefined at an assumption's low or high (no payback within the horizon, or no child-years avoided), so it cannot be ranked; expected one of {}",
                crate::compare::WHOLE_HORIZON_MEASURES
                    .iter()
                    .filter(|m| !crate::compare::UNBANDED.contains(m))
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if c.year.is_some() {
            bail!("--year: `{measure}` is a whole-horizon measure (every projection year)");
        }
        Target::WholeHorizon { measure: measure.clone() }
    } else {
        let mut measures: Vec<&str> =
            scenario.rows.iter().filter(|r| r.breakdown == "total").map(|r| r.measure).collect::<Vec<_>>();
        measures.sort_unstable();
        measures.dedup();
        if !measures.contains(&measure.as_str()) {
            let mut valid = measures.join(", ");
            if base.is_some() {
                valid = format!(
                    "{valid}, or a whole-horizon measure: {}",
                    crate::compare::WHOLE_HORIZON_MEASURES.join(", ")
                );
            }
            bail!("--measure {measure}: no such measure with a `total`; expected one of {valid}");
        }
        let mut years: Vec<i32> = scenario.rows.iter().filter(|r| r.measure == measure).map(|r| r.year).collect();
        years.sort_unstable();
        years.dedup();
        let year = c.year.or(years.last().copied()).context("the projection has no years")?;
        if !years.contains(&year) {
            bail!(
                "--year {year}: `{measure}` has a total only for {}",
                years.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")
            );
        }
        if base.is_some() {
            Target::Difference { measure: measure.clone(), year }
        } else {
            Target::Level { measure: measure.clone(), year }
        }
    };
    let central = target
        .value((&scenario.central, &scenario.rows), base.as_ref().map(|b| (&b.central, b.rows.as_slice())))
        .map_err(anyhow::Error::msg)?;
    let (start, end) = (
        scenario.central.model.start_year,
        scenario.central.model.start_year + scenario.central.model.years.len() as i32,
    );
    let what = match (&target, &base) {
        (Target::Level { year, .. }, _) => format!("{measure} in {}", financial_year_label(*year)),
        (Target::Difference { year, .. }, Some(b)) => {
            format!("{measure} in {}, {name} minus {}", financial_year_label(*year), b.central.name)
        }
        (_, b) => format!(
            "{measure}, {name} against {}, {} to {}",
            b.as_ref().map_or("", |b| b.central.name.as_str()),
            financial_year_label(start + 1),
            financial_year_label(end)
        ),
    };

    // Every ranged parameter of either scenario, the scenario's first; each
    // is set to its own low (high) in every scenario that has it.
    let mut params = scenario.params.clone();
    if let Some(b) = &base {
        params.extend(b.params.iter().filter(|p| !scenario.params.iter().any(|q| q.key == p.key)).cloned());
    }
    if !c.quiet {
        errln!("{}: {} ranged parameters, {} runs", name, params.len(), 2 * params.len());
    }
    // (parameter, high?) in a fixed order; rayon's collect keeps that order.
    let jobs: Vec<(usize, bool)> = (0..params.len()).flat_map(|i| [(i, false), (i, true)]).collect();
    let values: Vec<Result<f64, String>> = jobs
        .par_iter()
        .map(|&(i, high)| {
            let key = &params[i].key;
            let rows = scenario.variant(&seeds, &opts, key, high)?;
            let rows = rows.as_deref().unwrap_or(&scenario.rows);
            let base_rows = match &base {
                Some(b) => Some(b.variant(&seeds, &opts, key, high).map_err(|e| format!("{}: {e}", b.central.name))?),
                None => None,
            };
            let base_pair =
                base.as_ref().zip(base_rows.as_ref()).map(|(b, r)| (&b.central, r.as_deref().unwrap_or(&b.rows)));
            target.value((&scenario.central, rows), base_pair)
        })
        .collect();

    let mut results = Vec::new();
    let mut skipped = Vec::new();
    for (param, pair) in params.into_iter().zip(values.chunks(2)) {
        match (&pair[0], &pair[1]) {
            (Ok(at_low), Ok(at_high)) => {
                results.push(Sensitivity { param, at_low: *at_low, at_high: *at_high, central })
            }
            (Err(e), _) => skipped.push(Skipped { reason: format!("low {}: {e}", param.low), param }),
            (_, Err(e)) => skipped.push(Skipped { reason: format!("high {}: {e}", param.high), param }),
        }
    }
    results.sort_by(|a, b| b.swing().total_cmp(&a.swing()).then_with(|| a.param.key.cmp(&b.param.key)));
    let against = base.map(|b| b.central.name);
    Ok(Analysis { scenario: name, against, measure, what, central, results, skipped })
}

/// The table written as `sensitivity.csv`.
pub fn table(a: &Analysis) -> Table {
    let money = a.measure.contains("gbp");
    let m = if money { ColumnKind::GbpShownInMillions } else { ColumnKind::Number };
    let mut t = Table::new(
        "sensitivity",
        format!("Sensitivity of {} to each ranged assumption", a.what),
        vec![
            Column::new("parameter", ColumnKind::Text),
            Column::new("source", ColumnKind::Text),
            Column::new("low_value", ColumnKind::Number),
            Column::new("high_value", ColumnKind::Number),
            Column::new("central_value", ColumnKind::Number),
            Column::new("measure_at_low", m),
            Column::new("measure_at_high", m),
            Column::new("measure_central", m),
            Column::new("swing", m),
        ],
    );
    for r in &a.results {
        t.push_row(vec![
            Cell::Text(r.param.key.clone()),
            Cell::Text(r.param.source.clone()),
            Cell::Number(r.param.low),
            Cell::Number(r.param.high),
            Cell::Number(r.param.value),
            Cell::Number(r.at_low),
            Cell::Number(r.at_high),
            Cell::Number(r.central),
            Cell::Number(r.swing()),
        ]);
    }
    t
}

/// The skipped parameters, written as `skipped.csv`.
fn skipped_table(a: &Analysis) -> Table {
    let mut t = Table::new(
        "skipped",
        "Ranged assumptions whose low or high setting does not give a valid scenario",
        vec![
            Column::new("parameter", ColumnKind::Text),
            Column::new("low_value", ColumnKind::Number),
            Column::new("high_value", ColumnKind::Number),
            Column::new("reason", ColumnKind::Text),
        ],
    );
    for s in &a.skipped {
        t.push_row(vec![
            Cell::Text(s.param.key.clone()),
            Cell::Number(s.param.low),
            Cell::Number(s.param.high),
            Cell::Text(s.reason.clone()),
        ]);
    }
    t
}

/// The tornado chart's title, for the measure in words ([`Analysis::what`]).
fn chart_title(what: &str) -> String {
    format!("Sensitivity of {what} to each assumption")
}

/// A parameter value as a short label (six decimals at most, no trailing zeros).
fn short(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_string() } else { s.to_string() }
}

/// The tornado of the largest swings.
pub fn chart(a: &Analysis) -> Chart {
    let bars = a
        .results
        .iter()
        .take(CHART_BARS)
        .map(|r| TornadoBar {
            label: r.param.key.strip_prefix("dimensions.").unwrap_or(&r.param.key).to_string(),
            low_value: r.at_low,
            high_value: r.at_high,
            low_label: short(r.param.low),
            high_label: short(r.param.high),
        })
        .collect();
    let format = if a.measure.contains("gbp") { ValueFormat::MoneyGbp } else { ValueFormat::Number };
    let text = ChartText {
        title: chart_title(&a.what),
        subtitle: match &a.against {
            None => format!(
                "Scenario {}: each assumption set to its low and high value, all others central; {}",
                a.scenario,
                crate::charts::DATA_VINTAGE
            ),
            Some(base) => format!(
                "{} against {base}: each assumption set to its low and high value in both, all others central; {}",
                a.scenario,
                crate::charts::DATA_VINTAGE
            ),
        },
        x_title: a.measure.clone(),
        y_title: String::new(),
        source_note: crate::charts::SOURCE_NOTE.to_string(),
    };
    Chart::new(text, format, ChartKind::Tornado { base: a.central, bars })
}

fn show(measure: &str, v: f64) -> String {
    if measure.contains("gbp") { format_gbp_millions(v / 1e6) } else { format!("{v:.1}") }
}

/// Prints the largest swings.
fn print_top(a: &Analysis) {
    match &a.against {
        None => outln!("{} {} at central values: {}", a.scenario, a.what, show(&a.measure, a.central)),
        Some(_) => outln!("{} at central values: {}", a.what, show(&a.measure, a.central)),
    }
    outln!("{:<68} {:>10} {:>10} {:>14} {:>14} {:>14}", "parameter", "low", "high", "at low", "at high", "swing");
    for r in a.results.iter().take(PRINTED) {
        outln!(
            "{:<68} {:>10} {:>10} {:>14} {:>14} {:>14}",
            r.param.key,
            short(r.param.low),
            short(r.param.high),
            show(&a.measure, r.at_low),
            show(&a.measure, r.at_high),
            show(&a.measure, r.swing())
        );
    }
    for s in &a.skipped {
        outln!("skipped {}: {}", s.param.key, s.reason);
    }
}

/// `carecast sensitivity`.
pub fn run(c: &SensitivityConfig) -> Result<()> {
    let a = analyse(c)?;
    std::fs::create_dir_all(&c.out).with_context(|| format!("creating {}", c.out.display()))?;
    write_csv(&c.out.join("sensitivity.csv"), &table(&a))
        .with_context(|| format!("writing {}", c.out.join("sensitivity.csv").display()))?;
    write_csv(&c.out.join("skipped.csv"), &skipped_table(&a))
        .with_context(|| format!("writing {}", c.out.join("skipped.csv").display()))?;
    chart(&a).write(&c.out.join("tornado"), Formats::BOTH).context("drawing the tornado chart")?;
    print_top(&a);
    if !c.quiet {
        errln!("wrote {}", c.out.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{RangedParam, short, variant_values};

    fn param(key: &str, value: f64, low: f64, high: f64) -> RangedParam {
        RangedParam::new(key, value, low, high)
    }

    /// A share at its low or high is offset by the split's other shares in
    /// proportion, so the split still sums to 1; other parameters move alone.
    #[test]
    fn a_share_is_offset_by_the_rest_of_its_split() {
        let params = [
            param("x.split.a.share", 0.17, 0.12, 0.22),
            param("x.price_growth", 0.03, 0.02, 0.05),
            param("x.split.b.share", 0.45, 0.38, 0.52),
            param("x.split.c.share", 0.38, 0.30, 0.45),
            param("y.split.a.share", 0.5, 0.4, 0.6),
        ];
        let set = variant_values(&params, 3, 0.30);
        assert_eq!(set.len(), 3, "{set:?}");
        assert_eq!(set[0], ("x.split.c.share", 0.30));
        let find = |k: &str| set.iter().find(|(key, _)| *key == k).unwrap().1;
        // The other two keep their ratio 0.17 : 0.45 and take 0.70 between them.
        assert!((find("x.split.a.share") - 0.17 * 0.70 / 0.62).abs() < 1e-15);
        assert!((find("x.split.b.share") - 0.45 * 0.70 / 0.62).abs() < 1e-15);
        assert!((set.iter().map(|(_, v)| v).sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(variant_values(&params, 1, 0.05), [("x.price_growth", 0.05)]);
    }

    #[test]
    fn short_labels() {
        assert_eq!(short(0.06), "0.06");
        assert_eq!(short(60000.0), "60000");
        assert_eq!(short(-0.003), "-0.003");
        assert_eq!(short(-0.0), "0");
    }
}
