//! `carecast compare`: a base scenario against one or more options, run with the
//! same start and end years, as the tidy table `comparison.csv`
//! (`option,measure,year,value`) and a ranked terminal table.
//!
//! What it is: differences of the tidy rows (option minus base) and whole-horizon
//! measures: cumulative differences, the HM Treasury Green Book net present
//! value of the real-terms cost, child-years in care avoided, cost per
//! child-year avoided and the payback year; under `--draws`, the percentiles of
//! every line over paired draws (common random numbers, so a difference's band
//! is that of the difference) and the probabilities of being cheaper than the
//! base and the cheapest; all held in one [`Comparison`], which `compare`
//! writes and prints and `report` puts in its options section. What it is
//! not: modelling (the runs
//! are ordinary `Built::run` projections) or a writer (carecast-report writes
//! the CSV atomically).

use crate::charts::NamedChart;
use anyhow::{Context, Result, bail};
use carecast_core::Row;
use carecast_core::rows::rows;
use carecast_report::{Cell, Column, ColumnKind, Table, financial_year_label, write_csv};
use carecast_scenario::{Built, Loaded, RunOptions, Seeds, build, load};
use std::path::PathBuf;

/// HM Treasury Green Book social time preference rate (years 0-30).
pub const DISCOUNT_RATE: f64 = 0.035;

/// Whole-horizon measures, written for options only; any can be `--rank-by`.
pub const WHOLE_HORIZON_MEASURES: [&str; 7] = [
    "cumulative_csc_spend_gbp_cash_vs_base",
    "cumulative_csc_spend_gbp_real_vs_base",
    "npv_cost_gbp",
    "child_years_in_care_avoided",
    "cost_per_child_year_avoided_gbp",
    "payback_year",
    "cumulative_gap_gbp",
];

/// Whole-horizon measures added per option with `--draws`.
pub const UNCERTAINTY_MEASURES: [&str; 2] = ["probability_cheaper_than_base", "probability_cheapest"];

/// `carecast compare` settings.
#[derive(Debug, Clone)]
pub struct CompareConfig {
    /// Base scenario name or path.
    pub base: String,
    /// Option scenario names or paths.
    pub options: Vec<String>,
    /// Output folder for `comparison.csv`.
    pub out: PathBuf,
    /// Start year for every run.
    pub start_year: Option<i32>,
    /// Council to run for.
    pub la: Option<String>,
    /// End year for every run.
    pub end_year: Option<i32>,
    /// Whole-horizon measure to rank the options by.
    pub rank_by: String,
    /// Draw each option's difference from the base into `<out>/charts/`.
    pub charts: bool,
    /// Suppress progress output.
    pub quiet: bool,
    /// Monte Carlo draws of every scenario (common random numbers), if asked for.
    pub montecarlo: Option<crate::montecarlo::MonteCarloSpec>,
}

/// Checks a `--rank-by` measure; the error lists the valid ones.
pub fn check_rank_by(measure: &str) -> Result<(), String> {
    if WHOLE_HORIZON_MEASURES.contains(&measure) {
        Ok(())
    } else {
        Err(format!("--rank-by {measure}: expected one of {}", WHOLE_HORIZON_MEASURES.join(", ")))
    }
}

/// One run's yearly series over the projection years `start_year + 1 ..= end_year`.
#[derive(Debug, Clone, PartialEq)]
struct Series {
    name: String,
    start_year: i32,
    /// Children in care at 31 March of the start year.
    cic_start: f64,
    /// Children in care at 31 March of each projection year.
    cic: Vec<f64>,
    /// Children-looked-after spend, cash.
    cla_cash: Vec<f64>,
    /// Total children's social care spend, cash.
    csc_cash: Vec<f64>,
    /// Total children's social care spend, real terms.
    csc_real: Vec<f64>,
    /// Stated funding, where stated.
    funding: Vec<Option<f64>>,
    /// Spend minus funding, where funding is stated.
    gap: Vec<Option<f64>>,
}

impl Series {
    fn from_rows(name: &str, start_year: i32, end_year: i32, rows: &[Row]) -> Result<Series> {
        let get = |measure: &str, year: i32| -> Option<f64> {
            rows.iter().find(|r| r.measure == measure && r.breakdown == "total" && r.year == year).map(|r| r.value)
        };
        let need = |measure: &str, year: i32| -> Result<f64> {
            get(measure, year).with_context(|| format!("scenario `{name}` has no `{measure}` total for {year}"))
        };
        let years: Vec<i32> = (start_year + 1..=end_year).collect();
        let series = |measure: &str| -> Result<Vec<f64>> { years.iter().map(|&y| need(measure, y)).collect() };
        Ok(Series {
            name: name.to_string(),
            start_year,
            cic_start: need("children_in_care", start_year)?,
            cic: series("children_in_care")?,
            cla_cash: series("spend_gbp_cash")?,
            csc_cash: series("csc_spend_gbp_cash")?,
            csc_real: series("csc_spend_gbp_real")?,
            funding: years.iter().map(|&y| get("funding_gbp", y)).collect(),
            gap: years.iter().map(|&y| get("gap_gbp", y)).collect(),
        })
    }

    fn year(&self, t: usize) -> i32 {
        self.start_year + 1 + t as i32
    }

    fn end_year(&self) -> i32 {
        self.start_year + self.cic.len() as i32
    }

    /// Average children in care in each projection year (trapezium of the
    /// 31 March stocks at its start and end).
    fn average_in_care(&self) -> Vec<f64> {
        let mut prev = self.cic_start;
        self.cic
            .iter()
            .map(|&c| {
                let avg = 0.5 * (prev + c);
                prev = c;
                avg
            })
            .collect()
    }
}

/// Whole-horizon measures of one option against the base.
#[derive(Debug, Clone, PartialEq)]
struct Metrics {
    cumulative_cash: f64,
    cumulative_real: f64,
    npv: f64,
    child_years_avoided: f64,
    cost_per_child_year: Option<f64>,
    payback_year: Option<i32>,
    cumulative_gap: Option<f64>,
}

impl Metrics {
    fn new(base: &Series, option: &Series) -> Metrics {
        let diff = |a: &[f64], b: &[f64]| -> Vec<f64> { a.iter().zip(b).map(|(o, b)| o - b).collect() };
        let cash = diff(&option.csc_cash, &base.csc_cash);
        let real = diff(&option.csc_real, &base.csc_real);
        let npv: f64 = real.iter().enumerate().map(|(t, d)| d / (1.0 + DISCOUNT_RATE).powi(t as i32)).sum();
        let child_years_avoided: f64 =
            base.average_in_care().iter().zip(option.average_in_care()).map(|(b, o)| b - o).sum();
        // Payback: the first year from which the cumulative cash difference stays <= 0.
        let mut cumulative = Vec::with_capacity(cash.len());
        let mut acc = 0.0;
        for d in &cash {
            acc += d;
            cumulative.push(acc);
        }
        let mut payback_year = None;
        for t in (0..cumulative.len()).rev() {
            if cumulative[t] <= 0.0 {
                payback_year = Some(option.year(t));
            } else {
                break;
            }
        }
        let gaps: Vec<f64> = option.gap.iter().flatten().copied().collect();
        Metrics {
            cumulative_cash: cash.iter().sum(),
            cumulative_real: real.iter().sum(),
            npv,
            child_years_avoided,
            cost_per_child_year: (child_years_avoided > 0.0).then(|| npv / child_years_avoided),
            payback_year,
            cumulative_gap: (!gaps.is_empty()).then(|| gaps.iter().sum()),
        }
    }

    /// The value of a whole-horizon measure (None when empty).
    fn get(&self, measure: &str) -> Option<f64> {
        match measure {
            "cumulative_csc_spend_gbp_cash_vs_base" => Some(self.cumulative_cash),
            "cumulative_csc_spend_gbp_real_vs_base" => Some(self.cumulative_real),
            "npv_cost_gbp" => Some(self.npv),
            "child_years_in_care_avoided" => Some(self.child_years_avoided),
            "cost_per_child_year_avoided_gbp" => self.cost_per_child_year,
            "payback_year" => self.payback_year.map(f64::from),
            "cumulative_gap_gbp" => self.cumulative_gap,
            _ => None,
        }
    }
}

/// Whether larger is better for a whole-horizon measure (ranked descending).
fn larger_is_better(measure: &str) -> bool {
    measure == "child_years_in_care_avoided"
}

/// Indices of `metrics` ranked by `measure`: ascending for costs, descending
/// for child-years avoided; empty values last; ties keep the given order.
fn rank(metrics: &[Metrics], measure: &str) -> Vec<usize> {
    let mut order: Vec<usize> = (0..metrics.len()).collect();
    order.sort_by(|&a, &b| match (metrics[a].get(measure), metrics[b].get(measure)) {
        (Some(x), Some(y)) => {
            if larger_is_better(measure) {
                y.total_cmp(&x)
            } else {
                x.total_cmp(&y)
            }
        }
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    order
}

/// The first series (the base) and each other with its measures against it.
fn against_base(mut series: Vec<Series>) -> (Series, Vec<(Series, Metrics)>) {
    let base = series.remove(0);
    let options = series
        .into_iter()
        .map(|s| {
            let m = Metrics::new(&base, &s);
            (s, m)
        })
        .collect();
    (base, options)
}

/// Whole-horizon measures without bands: a ratio and a year, either of which
/// can be undefined in a draw.
pub const UNBANDED: [&str; 2] = ["cost_per_child_year_avoided_gbp", "payback_year"];

/// One line of the comparison: a measure in a year (`None`: the whole
/// horizon) and its value (`None`: undefined, written empty).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Entry {
    measure: &'static str,
    year: Option<i32>,
    value: Option<f64>,
}

impl Entry {
    /// True if the line gets Monte Carlo percentiles: it has a value, and its
    /// measure has one in every draw.
    fn banded(&self) -> bool {
        self.value.is_some() && !UNBANDED.contains(&self.measure)
    }
}

/// Every line of the comparison in table order, one block per scenario (its
/// name and lines): the base's yearly series, then for each option its yearly
/// series, its differences from the base and its whole-horizon measures. The
/// central run and every draw go through this one function, so a draw's
/// values line up with the central lines.
fn entries<'a>(base: &'a Series, options: &'a [(Series, Metrics)]) -> Vec<(&'a str, Vec<Entry>)> {
    let series = |out: &mut Vec<Entry>, s: &Series, measure: &'static str, values: &[Option<f64>]| {
        for (k, v) in values.iter().enumerate() {
            if v.is_some() {
                out.push(Entry { measure, year: Some(s.year(k)), value: *v });
            }
        }
    };
    let some = |v: &[f64]| -> Vec<Option<f64>> { v.iter().copied().map(Some).collect() };
    let yearly = |s: &Series| -> Vec<Entry> {
        let mut out = Vec::new();
        series(&mut out, s, "children_in_care", &some(&s.cic));
        series(&mut out, s, "spend_gbp_cash", &some(&s.cla_cash));
        series(&mut out, s, "csc_spend_gbp_cash", &some(&s.csc_cash));
        series(&mut out, s, "csc_spend_gbp_real", &some(&s.csc_real));
        series(&mut out, s, "funding_gbp", &s.funding);
        series(&mut out, s, "gap_gbp", &s.gap);
        out
    };
    let mut blocks = vec![(base.name.as_str(), yearly(base))];
    for (s, m) in options {
        let mut out = yearly(s);
        let vs = |a: &[f64], b: &[f64]| -> Vec<Option<f64>> { a.iter().zip(b).map(|(o, b)| Some(o - b)).collect() };
        series(&mut out, s, "children_in_care_vs_base", &vs(&s.cic, &base.cic));
        series(&mut out, s, "csc_spend_gbp_cash_vs_base", &vs(&s.csc_cash, &base.csc_cash));
        for measure in WHOLE_HORIZON_MEASURES {
            if measure == "cumulative_gap_gbp" && m.cumulative_gap.is_none() {
                continue;
            }
            out.push(Entry { measure, year: None, value: m.get(measure) });
        }
        blocks.push((s.name.as_str(), out));
    }
    blocks
}

/// The Monte Carlo summaries of a comparison.
#[derive(Debug, Clone, PartialEq)]
struct Bands {
    /// What was drawn, for the notes.
    what: String,
    /// Per line of [`entries`] (flattened), its percentiles (`None`: not banded).
    percentiles: Vec<Option<[f64; 5]>>,
    /// Per option, what the terminal table and the probability lines show.
    options: Vec<OptionBands>,
    /// Per scenario (base first), the percentiles of each of its tidy rows
    /// over the same draws, when asked for (else empty).
    scenarios: Vec<Vec<[f64; 5]>>,
}

/// One option's Monte Carlo whole-horizon summaries.
#[derive(Debug, Clone, PartialEq)]
struct OptionBands {
    /// Share of draws in which the option's NPV cost against the base is below 0.
    probability_cheaper: f64,
    /// Share of draws in which the option's NPV is strictly below the base's
    /// and every other option's (ties count for no one).
    probability_cheapest: f64,
    /// Percentiles of the option-minus-base NPV over the draws.
    npv: [f64; 5],
}

impl OptionBands {
    /// The value of a measure in [`UNCERTAINTY_MEASURES`].
    fn get(&self, measure: &str) -> f64 {
        match measure {
            "probability_cheaper_than_base" => self.probability_cheaper,
            _ => self.probability_cheapest,
        }
    }
}

/// One draw's cells: the values of the banded lines (`banded[i]` says which
/// lines of the flattened [`entries`] are), then for each option its margin
/// to the cheapest alternative, `npv_k - min(0, npv_j for j != k)`, which is
/// below 0 exactly when the option is strictly the cheapest.
fn draw_cells(base: &Series, options: &[(Series, Metrics)], banded: &[bool]) -> Result<Vec<f64>> {
    let blocks = entries(base, options);
    let lines: Vec<&Entry> = blocks.iter().flat_map(|(_, e)| e).collect();
    if lines.len() != banded.len() {
        bail!("a draw's comparison has {} lines where the central run has {}", lines.len(), banded.len());
    }
    let mut cells = Vec::with_capacity(banded.len() + options.len());
    for (e, &b) in lines.iter().zip(banded) {
        if b {
            match e.value {
                Some(v) if v.is_finite() => cells.push(v),
                _ => bail!("`{}` {:?} has no finite value in a draw", e.measure, e.year),
            }
        }
    }
    for (k, (_, m)) in options.iter().enumerate() {
        let others = options.iter().enumerate().filter(|(j, _)| *j != k).map(|(_, (_, o))| o.npv);
        cells.push(m.npv - others.fold(0.0, f64::min));
    }
    Ok(cells)
}

/// The scenarios of a comparison, resolved and run at their central values
/// with the same options (so over the same years): what the comparison and
/// its draws need.
pub struct Scenarios<'a> {
    /// The bundled seed data the scenarios were resolved with.
    pub seeds: &'a Seeds,
    /// The options every scenario was resolved with.
    pub opts: &'a RunOptions,
    /// Base first, then the options.
    pub loaded: &'a [Loaded],
    /// As resolved, in the same order.
    pub built: &'a [Built],
    /// The central runs' tidy rows, in the same order.
    pub central_rows: &'a [Vec<Row>],
}

impl Scenarios<'_> {
    /// The base's start year and last projection year (every scenario's, as
    /// they were resolved with the same options and checked by [`different_years`]).
    fn years(&self) -> (i32, i32) {
        years(&self.built[0])
    }
}

/// A resolved scenario's start year and last projection year.
fn years(b: &Built) -> (i32, i32) {
    (b.model.start_year, b.model.start_year + b.model.years.len() as i32)
}

/// Why scenarios cannot be compared as resolved: they start (or end) in
/// different years. `None` when every one covers the base's years.
pub fn different_years<'a>(built: impl IntoIterator<Item = &'a Built>) -> Option<String> {
    let built: Vec<&Built> = built.into_iter().collect();
    let first = years(built.first()?);
    built.iter().any(|b| years(b) != first).then(|| {
        let list: Vec<String> = built.iter().map(|b| format!("`{}` {}-{}", b.name, years(b).0, years(b).1)).collect();
        format!("the scenarios cover different years ({})", list.join(", "))
    })
}

/// Why scenarios cannot be set against each other because they are for
/// different areas (England, councils, a council's own return), if they are.
pub fn different_areas<'a>(built: impl IntoIterator<Item = &'a Built>) -> Option<String> {
    let built: Vec<&Built> = built.into_iter().collect();
    let first = *built.first()?;
    // Every council's own return is area `custom`: two returns are told
    // apart by the children in care they start from (an option built on a
    // return starts from the same stock).
    let custom = |b: &Built| b.area == "custom";
    let differs = |b: &Built| {
        b.area != first.area
            || (custom(b) && (b.model.start_year != first.model.start_year || b.model.initial != first.model.initial))
    };
    built.iter().any(|b| differs(b)).then(|| {
        let list: Vec<String> = built
            .iter()
            .map(|b| {
                if custom(b) {
                    let children: f64 = b.model.initial.stock.iter().sum();
                    format!("`{}` a council's own return, {children:.0} children in care at 31 March {}", b.name, b.model.start_year)
                } else {
                    format!("`{}` {} ({})", b.name, b.area_name, b.area)
                }
            })
            .collect();
        format!(
            "the scenarios are for different areas ({}); set them against each other for one area (`--la` sets the area of scenarios calibrated from the published data)",
            list.join(", ")
        )
    })
}

/// Runs draw `d` of every scenario with common random numbers and returns its
/// cells ([`draw_cells`]).
fn one_draw(
    spec: &crate::montecarlo::MonteCarloSpec,
    d: u64,
    x: &Scenarios<'_>,
    plans: &[carecast_scenario::DrawPlan],
    banded: &[bool],
    with_rows: bool,
) -> Result<Vec<f64>> {
    let mut series = Vec::with_capacity(x.built.len());
    let mut rows = Vec::new();
    for i in 0..x.built.len() {
        let inputs = crate::montecarlo::Inputs {
            loaded: &x.loaded[i],
            seeds: x.seeds,
            opts: x.opts,
            central: &x.built[i],
            central_rows: &x.central_rows[i],
        };
        let r = crate::montecarlo::draw_rows(spec, d, inputs, &plans[i], crate::montecarlo::Streams::Keyed)
            .with_context(|| format!("scenario `{}`", x.built[i].name))?;
        let (start_year, end_year) = x.years();
        series.push(Series::from_rows(&x.built[i].name, start_year, end_year, &r)?);
        if with_rows {
            rows.extend(r.iter().map(|r| r.value));
        }
    }
    let (base, options) = against_base(series);
    let mut cells = draw_cells(&base, &options, banded)?;
    cells.extend(rows);
    Ok(cells)
}

/// Runs every draw (in parallel, never holding them all) and summarises
/// every banded line and each option's probabilities.
fn bands(
    spec: &crate::montecarlo::MonteCarloSpec,
    x: &Scenarios<'_>,
    central: &[(&str, Vec<Entry>)],
    scenario_rows: bool,
    quiet: bool,
) -> Result<Bands> {
    let plans: Vec<carecast_scenario::DrawPlan> = x
        .loaded
        .iter()
        .map(|l| crate::montecarlo::plan_for(l, spec.parameter_uncertainty).map_err(anyhow::Error::from))
        .collect::<Result<_>>()?;
    let banded: Vec<bool> = central.iter().flat_map(|(_, e)| e).map(Entry::banded).collect();
    let n_banded = banded.iter().filter(|b| **b).count();
    let n_options = x.built.len() - 1;
    let n_rows: usize = if scenario_rows { x.central_rows.iter().map(Vec::len).sum() } else { 0 };
    let bar = crate::montecarlo::progress_bar(spec.draws, quiet);
    let summary = crate::montecarlo::summarise(spec.draws, n_banded + n_options + n_rows, true, |d| {
        let cells = one_draw(spec, d, x, &plans, &banded, scenario_rows)
            .with_context(|| format!("Monte Carlo draw {d} (seed {})", spec.seed.wrapping_add(d)));
        bar.inc(1);
        cells
    });
    bar.finish_and_clear();
    let summary = summary?;
    let share = |count: u64| count as f64 / summary.draws as f64;
    let mut cell = 0;
    let mut percentiles = Vec::with_capacity(banded.len());
    let mut npv_cells = Vec::with_capacity(n_options);
    for (name, lines) in central {
        for e in lines {
            if e.banded() {
                if e.measure == "npv_cost_gbp" {
                    npv_cells.push((*name, cell));
                }
                percentiles.push(Some(summary.percentiles[cell]));
                cell += 1;
            } else {
                percentiles.push(None);
            }
        }
    }
    if npv_cells.len() != n_options {
        bail!("every option needs an NPV to be compared under draws");
    }
    let options = npv_cells
        .iter()
        .enumerate()
        .map(|(k, &(_, npv))| OptionBands {
            probability_cheaper: share(summary.below_zero[npv]),
            probability_cheapest: share(summary.below_zero[n_banded + k]),
            npv: summary.percentiles[npv],
        })
        .collect();
    // Each scenario's rows, after the lines and the margins.
    let mut rest = &summary.percentiles[n_banded + n_options..];
    let mut scenarios = Vec::new();
    if scenario_rows {
        for central in x.central_rows {
            let (these, after) = rest.split_at(central.len());
            scenarios.push(these.to_vec());
            rest = after;
        }
    }
    let what = format!("{} draws ({})", spec.draws, crate::montecarlo::describe(spec));
    Ok(Bands { what, percentiles, options, scenarios })
}

/// The tidy comparison table `option,measure,year,value`, with the
/// percentile columns under draws.
fn comparison_table(blocks: &[(&str, Vec<Entry>)], bands: Option<&Bands>) -> Table {
    let mut columns = vec![
        Column::new("option", ColumnKind::Text),
        Column::new("measure", ColumnKind::Text),
        Column::new("year", ColumnKind::Year),
        Column::new("value", ColumnKind::Number),
    ];
    if bands.is_some() {
        columns.extend(crate::montecarlo::PERCENTILES.iter().map(|(_, name)| Column::new(*name, ColumnKind::Number)));
    }
    let mut t = Table::new("comparison", "carecast comparison of options against a base (tidy long form)", columns);
    let number = |v: Option<f64>| v.map_or(Cell::Empty, Cell::Number);
    let mut line = 0;
    for (k, (name, lines)) in blocks.iter().enumerate() {
        for e in lines {
            let mut row = vec![
                Cell::Text(name.to_string()),
                Cell::Text(e.measure.into()),
                number(e.year.map(f64::from)),
                number(e.value),
            ];
            if let Some(b) = bands {
                match b.percentiles[line] {
                    Some(p) => row.extend(p.map(Cell::Number)),
                    None => row.extend([(); 5].map(|_| Cell::Empty)),
                }
            }
            t.push_row(row);
            line += 1;
        }
        if let Some(o) = bands.and_then(|b| k.checked_sub(1).and_then(|k| b.options.get(k))) {
            for measure in UNCERTAINTY_MEASURES {
                let mut row = vec![
                    Cell::Text(name.to_string()),
                    Cell::Text(measure.into()),
                    Cell::Empty,
                    Cell::Number(o.get(measure)),
                ];
                row.extend([(); 5].map(|_| Cell::Empty));
                t.push_row(row);
            }
        }
    }
    t.notes.push(format!(
        "Option minus base. NPV: real-terms CSC spend differences discounted at {:.1}% a year to the first projection year (HM Treasury Green Book). Child-years: mean of the 31 March stocks at the start and end of each year.",
        DISCOUNT_RATE * 100.0
    ));
    if let Some(b) = bands {
        t.notes.push(format!(
            "Monte Carlo: {}. Draw d of every scenario uses seed S + d and the same draws of the assumptions the scenarios share (common random numbers). p05-p95: percentiles over the draws of each line itself, so a difference's percentiles are those of the paired option-minus-base differences, not differences of the scenarios' percentiles (none for the cost per child-year and the payback year, which a draw can leave undefined). probability_cheaper_than_base: share of draws with option-minus-base NPV below 0; probability_cheapest: share of draws in which the option's NPV is strictly below the base's and every other option's.",
            b.what
        ));
    }
    t
}

/// Per option, its difference from the base in children in care and in CSC
/// spend by year, with the paired Monte Carlo ranges when there are draws.
fn difference_charts(blocks: &[(&str, Vec<Entry>)], bands: Option<&Bands>, area: &str) -> Vec<NamedChart> {
    let base = blocks.first().map_or("base", |(name, _)| *name);
    let mut out = Vec::new();
    let mut line = blocks.first().map_or(0, |(_, e)| e.len());
    for (name, lines) in blocks.iter().skip(1) {
        for (measure, what, axes, format) in [
            (
                "children_in_care_vs_base",
                "children in care at 31 March",
                ("Year (at 31 March)", "Children, option minus base"),
                carecast_plot::ValueFormat::Count,
            ),
            (
                "csc_spend_gbp_cash_vs_base",
                "children's social care spend (cash)",
                ("Financial year (ending 31 March)", "£ per year (cash), option minus base"),
                carecast_plot::ValueFormat::MoneyGbp,
            ),
        ] {
            let mut central = Vec::new();
            let mut ranges = Vec::new();
            for (k, e) in lines.iter().enumerate() {
                if e.measure == measure
                    && let (Some(y), Some(v)) = (e.year, e.value)
                {
                    central.push((y, v));
                    if let Some(p) = bands.and_then(|b| b.percentiles[line + k]) {
                        ranges.push((y, p));
                    }
                }
            }
            let stem = format!("{name}_{}", measure.trim_end_matches("_vs_base"));
            out.push(NamedChart {
                stem,
                chart: crate::charts::difference_chart(name, base, area, what, axes, central, &ranges, format),
            });
        }
        line += lines.len();
    }
    out
}

/// A whole-horizon measure ([`WHOLE_HORIZON_MEASURES`]) of an option against
/// a base, from their tidy rows (`None`: undefined, such as a payback year
/// that never comes). The two must cover the same years.
pub fn whole_horizon(base: (&Built, &[Row]), option: (&Built, &[Row]), measure: &str) -> Result<Option<f64>> {
    if let Some(why) = different_years([base.0, option.0]) {
        bail!("{why}");
    }
    let (start_year, end_year) = years(base.0);
    let base = Series::from_rows(&base.0.name, start_year, end_year, base.1)?;
    let option = Series::from_rows(&option.0.name, start_year, end_year, option.1)?;
    Ok(Metrics::new(&base, &option).get(measure))
}

/// A base and its options compared: each option's whole-horizon measures
/// against the base and, under draws, the paired Monte Carlo summaries. What
/// `compare` writes and prints, and what `report` puts in its options section.
pub struct Comparison {
    base: Series,
    options: Vec<(Series, Metrics)>,
    bands: Option<Bands>,
}

impl Comparison {
    /// Compares the scenarios (the base first; they must cover the same
    /// years, [`different_years`]) and, with `spec`, runs the paired draws;
    /// with `scenario_rows` too, the same draws summarise every tidy row of
    /// every scenario ([`Comparison::scenario_ranges`]).
    pub fn new(
        x: &Scenarios<'_>,
        spec: Option<&crate::montecarlo::MonteCarloSpec>,
        scenario_rows: bool,
        quiet: bool,
    ) -> Result<Self> {
        if let Some(why) = different_years(x.built) {
            bail!("{why}");
        }
        let (start_year, end_year) = x.years();
        let series = x
            .built
            .iter()
            .zip(x.central_rows)
            .map(|(b, r)| Series::from_rows(&b.name, start_year, end_year, r))
            .collect::<Result<Vec<_>>>()?;
        let (base, options) = against_base(series);
        let bands = match spec {
            Some(spec) => {
                if !quiet {
                    errln!(
                        "{} Monte Carlo draws of {} scenarios ({}; common random numbers), seeds from {}",
                        spec.draws,
                        x.built.len(),
                        crate::montecarlo::describe(spec),
                        spec.seed
                    );
                }
                Some(bands(spec, x, &entries(&base, &options), scenario_rows, quiet)?)
            }
            None => None,
        };
        Ok(Comparison { base, options, bands })
    }

    /// Per scenario (base first), the percentiles of each of its tidy rows
    /// over the comparison's draws, when [`Comparison::new`] was asked for them.
    pub fn scenario_ranges(&self) -> Option<&[Vec<[f64; 5]>]> {
        self.bands.as_ref().map(|b| b.scenarios.as_slice()).filter(|s| !s.is_empty())
    }

    /// The tidy comparison, `comparison.csv`.
    pub fn table(&self) -> Table {
        comparison_table(&entries(&self.base, &self.options), self.bands.as_ref())
    }

    /// Each option's difference from the base in children in care and in CSC
    /// spend, with paired fans under draws.
    pub fn charts(&self, area: &str) -> Vec<NamedChart> {
        difference_charts(&entries(&self.base, &self.options), self.bands.as_ref(), area)
    }

    /// One line an option, ranked by the whole-horizon measure `rank_by`: its
    /// children in care at the end and against the base, its cumulative and
    /// NPV cost, child-years avoided, cost per child-year and payback year;
    /// under draws, the probabilities of being cheaper and cheapest and the
    /// NPV's range.
    pub fn summary(&self, rank_by: &str) -> Table {
        let base = &self.base;
        let (start, end) = (base.start_year, base.end_year());
        let mut columns = vec![
            Column::new("option", ColumnKind::Text),
            Column::new(format!("CiC {end}"), ColumnKind::Count),
            Column::new("vs base", ColumnKind::Count),
            Column::new("cum CSC vs base", ColumnKind::GbpShownInMillions),
            Column::new("NPV cost", ColumnKind::GbpShownInMillions),
            Column::new("child-years avoided", ColumnKind::Count),
            Column::new("£ per child-year", ColumnKind::Gbp),
            Column::new("payback", ColumnKind::Year),
        ];
        let uncertainty = self.bands.as_ref().map(|b| &b.options);
        if uncertainty.is_some() {
            columns.extend([
                Column::new("P(cheaper)", ColumnKind::Percent),
                Column::new("P(cheapest)", ColumnKind::Percent),
            ]);
            columns.extend(["NPV p05", "NPV p50", "NPV p95"].map(|n| Column::new(n, ColumnKind::GbpShownInMillions)));
        }
        let title = format!(
            "Options against `{}`, {start} to {end} (CiC: children in care at 31 March {end}; £ in financial years {} to {}); ranked by {rank_by}",
            base.name,
            financial_year_label(start + 1),
            financial_year_label(end),
        );
        let mut t = Table::new("options", title, columns);
        let base_end = base.cic.last().copied().unwrap_or(f64::NAN);
        let metrics: Vec<Metrics> = self.options.iter().map(|(_, m)| m.clone()).collect();
        for i in rank(&metrics, rank_by) {
            let (s, m) = &self.options[i];
            let cic_end = s.cic.last().copied().unwrap_or(f64::NAN);
            let mut row = vec![
                Cell::Text(s.name.clone()),
                Cell::Number(cic_end),
                Cell::Number(cic_end - base_end),
                Cell::Number(m.cumulative_cash),
                Cell::Number(m.npv),
                Cell::Number(m.child_years_avoided),
                // A negative ratio is not a price: the option saves money and avoids child-years.
                match m.cost_per_child_year {
                    Some(c) if c < 0.0 => Cell::Text("saves money".into()),
                    c => c.into(),
                },
                m.payback_year.map(f64::from).into(),
            ];
            if let Some(u) = uncertainty.and_then(|u| u.get(i)) {
                row.extend([Cell::Number(u.probability_cheaper), Cell::Number(u.probability_cheapest)]);
                row.extend([u.npv[0], u.npv[2], u.npv[4]].map(Cell::Number));
            }
            t.push_row(row);
        }
        t.notes.push(format!(
            "Option minus base. CSC: children's social care. cum CSC: cash CSC spend summed over the horizon. NPV: real-terms CSC spend differences discounted at {:.1}% a year to {} (HM Treasury Green Book). Child-years in care avoided over the horizon; £ per child-year: NPV cost per child-year avoided. Payback: the first year from which the cumulative cash difference stays at or below 0.",
            DISCOUNT_RATE * 100.0,
            financial_year_label(start + 1),
        ));
        if let Some(b) = &self.bands {
            t.notes.push(format!(
                "Monte Carlo, {} with common random numbers: P(cheaper) is the share of draws in which the option's NPV cost is below the base's; P(cheapest), below the base's and every other option's; NPV p05-p95, the range of the paired option-minus-base NPV over the draws.",
                b.what
            ));
        }
        t
    }
}

/// Runs `carecast compare`.
pub fn run(c: &CompareConfig) -> Result<()> {
    let seeds = Seeds::bundled().context("reading the bundled seed data")?;
    let specs: Vec<&String> = std::iter::once(&c.base).chain(&c.options).collect();
    let mut loaded = Vec::with_capacity(specs.len());
    for s in &specs {
        loaded.push(load(s).with_context(|| format!("loading scenario `{s}`"))?);
    }
    // Every run must cover the same years.
    let describe = |year: fn(&carecast_scenario::Loaded) -> i32| -> Option<String> {
        let first = year(&loaded[0]);
        loaded.iter().any(|l| year(l) != first).then(|| {
            loaded.iter().map(|l| format!("`{}` {}", l.file.scenario.name, year(l))).collect::<Vec<_>>().join(", ")
        })
    };
    if c.start_year.is_none()
        && let Some(list) = describe(|l| l.file.scenario.start_year)
    {
        bail!("the scenarios start in different years ({list}); pass --start-year to compare them from the same year");
    }
    if c.end_year.is_none()
        && let Some(list) = describe(|l| l.file.scenario.end_year)
    {
        bail!("the scenarios end in different years ({list}); pass --end-year to compare them to the same year");
    }
    let opts = RunOptions { start_year: c.start_year, end_year: c.end_year, area: c.la.clone() };
    let mut built = Vec::with_capacity(specs.len());
    for (s, l) in specs.iter().zip(&loaded) {
        built.push(build(l, &seeds, &opts).with_context(|| format!("resolving scenario `{s}`"))?);
    }
    for (i, b) in built.iter().enumerate().skip(1) {
        // The base against itself is allowed (every difference is zero); two
        // different files under one name would give rows no one could tell apart.
        let same_file = |j: usize| loaded[j].chain.first().map(|f| &f.text) == loaded[i].chain.first().map(|f| &f.text);
        let clash = |j: usize| built[j].name == b.name && (j > 0 || !same_file(j));
        if let Some(j) = (0..i).find(|&j| clash(j)) {
            bail!(
                "{} `{}` and option `{}` are both named `{}`; the base and the options must have distinct names (set [scenario] name)",
                if j == 0 { "the base" } else { "option" },
                specs[j],
                specs[i],
                b.name
            );
        }
    }
    if let Some(why) = different_areas(&built) {
        bail!("{why}");
    }
    let mut central_rows = Vec::with_capacity(built.len());
    for (s, b) in specs.iter().zip(&built) {
        let projection = b.run().with_context(|| format!("running scenario `{s}`"))?;
        central_rows.push(rows(&b.name, &b.model.dims, &projection));
    }
    let x = Scenarios { seeds: &seeds, opts: &opts, loaded: &loaded, built: &built, central_rows: &central_rows };
    let comparison = Comparison::new(&x, c.montecarlo.as_ref(), false, c.quiet)?;
    std::fs::create_dir_all(&c.out).with_context(|| format!("creating {}", c.out.display()))?;
    let path = c.out.join("comparison.csv");
    write_csv(&path, &comparison.table()).with_context(|| format!("writing {}", path.display()))?;
    if c.charts {
        let dir = c.out.join("charts");
        crate::charts::write_named(&dir, &comparison.charts(&built[0].area_name), carecast_plot::Formats::BOTH)
            .with_context(|| format!("writing charts to {}", dir.display()))?;
    }
    crate::output::print_table(&comparison.summary(&c.rank_by));
    if !c.quiet {
        errln!("wrote {}", path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(name: &str, cic: &[f64], csc: &[f64]) -> Series {
        Series {
            name: name.into(),
            start_year: 2025,
            cic_start: 100.0,
            cic: cic.to_vec(),
            cla_cash: csc.to_vec(),
            csc_cash: csc.to_vec(),
            csc_real: csc.iter().map(|v| v / 2.0).collect(),
            funding: vec![None; cic.len()],
            gap: vec![None; cic.len()],
        }
    }

    #[test]
    fn metrics_by_hand() {
        let base = series("b", &[100.0, 100.0, 100.0], &[10.0, 10.0, 10.0]);
        let opt = series("o", &[90.0, 80.0, 80.0], &[12.0, 7.0, 10.0]);
        let m = Metrics::new(&base, &opt);
        // Trapezium: (0+10)/2 + (10+20)/2 + (20+20)/2 = 5 + 15 + 20.
        assert!((m.child_years_avoided - 40.0).abs() < 1e-12);
        // Real diffs 1, -1.5, 0 discounted from the first projection year.
        assert!((m.npv - (1.0 - 1.5 / 1.035)).abs() < 1e-12);
        assert_eq!(m.cumulative_cash, -1.0);
        // Cumulative cash 2, -1, -1: payback 2027.
        assert_eq!(m.payback_year, Some(2027));
        assert!(m.cost_per_child_year.is_some());
        assert_eq!(m.cumulative_gap, None);
        let same = Metrics::new(&base, &base);
        assert_eq!(same.npv, 0.0);
        assert_eq!(same.cost_per_child_year, None);
        assert_eq!(same.payback_year, Some(2026));
    }

    #[test]
    fn a_draws_cells_are_its_banded_lines_then_the_margins_to_the_cheapest() {
        let (base, opts) = against_base(vec![
            series("b", &[100.0, 100.0], &[10.0, 10.0]),
            series("x", &[90.0, 80.0], &[8.0, 9.0]),
            series("y", &[95.0, 99.0], &[9.0, 12.0]),
        ]);
        let blocks = entries(&base, &opts);
        // The base: 4 yearly series x 2 years (no funding); each option adds
        // 2 differences x 2 years and 6 whole-horizon lines (no funding gap).
        let lines: Vec<&Entry> = blocks.iter().flat_map(|(_, e)| e).collect();
        assert_eq!(lines.len(), 8 + 2 * (8 + 4 + 6));
        let banded: Vec<bool> = lines.iter().map(|e| e.banded()).collect();
        let cells = draw_cells(&base, &opts, &banded).unwrap();
        // Every line but the cost per child-year and payback of each option, then two margins.
        assert_eq!(cells.len(), lines.len() - 2 * 2 + 2);
        let (nx, ny) = (opts[0].1.npv, opts[1].1.npv);
        assert!(nx < 0.0 && nx < ny, "x is the cheapest: {nx} {ny}");
        // x: its NPV minus the cheapest alternative (the base's 0 or y's NPV).
        assert_eq!(cells[cells.len() - 2], nx - ny.min(0.0));
        assert_eq!(cells[cells.len() - 1], ny - nx.min(0.0));
        assert!(cells[cells.len() - 2] < 0.0 && cells[cells.len() - 1] > 0.0);
        // A draw whose lines differ is refused.
        assert!(draw_cells(&base, &opts, &banded[1..]).is_err());
    }

    /// Each option's chart takes its fans from its own difference lines:
    /// options with blocks of different lengths (one with funding, one
    /// without) and made-up percentiles that encode each line's index.
    #[test]
    fn difference_charts_take_each_options_own_lines() {
        let mut funded = series("y", &[95.0, 99.0], &[9.0, 12.0]);
        funded.funding = vec![Some(10.0), Some(10.0)];
        funded.gap = vec![Some(-1.0), Some(2.0)];
        let (base, opts) = against_base(vec![
            series("b", &[100.0, 100.0], &[10.0, 10.0]),
            funded,
            series("x", &[90.0, 80.0], &[8.0, 9.0]),
        ]);
        let blocks = entries(&base, &opts);
        let lines: Vec<(&str, &Entry)> = blocks.iter().flat_map(|(n, e)| e.iter().map(move |x| (*n, x))).collect();
        let percentiles: Vec<Option<[f64; 5]>> =
            (0..lines.len()).map(|i| Some([i as f64, 0.0, 0.0, 0.0, i as f64 + 0.5])).collect();
        let bands = Bands { what: String::new(), percentiles, options: vec![], scenarios: vec![] };
        let charts = difference_charts(&blocks, Some(&bands), "England");
        assert_eq!(charts.len(), 4, "two charts an option");
        for c in &charts {
            let (option, measure) = c.stem.split_once('_').unwrap();
            let measure = format!("{measure}_vs_base");
            let carecast_plot::ChartKind::Lines { series: lines_drawn, bands: drawn } = &c.chart.kind else {
                panic!("{}: a line chart", c.stem)
            };
            // The 90% band's points are the percentiles of this option's own lines.
            let want: Vec<(i32, f64, f64)> = lines
                .iter()
                .enumerate()
                .filter(|(_, (n, e))| *n == option && e.measure == measure)
                .map(|(i, (_, e))| (e.year.unwrap(), i as f64, i as f64 + 0.5))
                .collect();
            assert_eq!(want.len(), 2, "{}", c.stem);
            assert_eq!(drawn[0].points, want, "{}", c.stem);
            let central: Vec<(i32, f64)> = lines
                .iter()
                .filter(|(n, e)| *n == option && e.measure == measure)
                .map(|(_, e)| (e.year.unwrap(), e.value.unwrap()))
                .collect();
            assert_eq!(lines_drawn[1].points, central, "{}", c.stem);
        }
        // Without draws: the central lines, no fans.
        assert!(
            difference_charts(&blocks, None, "England")
                .iter()
                .all(|c| matches!(&c.chart.kind, carecast_plot::ChartKind::Lines { bands, .. } if bands.is_empty()))
        );
    }

    #[test]
    fn ranking_puts_costs_ascending_and_empties_last() {
        let base = series("b", &[100.0], &[10.0]);
        let dear = Metrics::new(&base, &series("d", &[110.0], &[20.0]));
        let cheap = Metrics::new(&base, &series("c", &[90.0], &[5.0]));
        let ms = [dear, cheap];
        assert_eq!(rank(&ms, "npv_cost_gbp"), [1, 0]);
        assert_eq!(rank(&ms, "child_years_in_care_avoided"), [1, 0]);
        assert_eq!(rank(&ms, "payback_year"), [1, 0]);
        assert!(check_rank_by("npv").unwrap_err().contains("npv_cost_gbp"));
    }
}
