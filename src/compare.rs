//! `carecast compare`: a base scenario against one or more options, run with the
//! same start and end years, as the tidy table `comparison.csv`
//! (`option,measure,year,value`) and a ranked terminal table.
//!
//! What it is: differences of the tidy rows (option minus base) and whole-horizon
//! measures: cumulative differences, the HM Treasury Green Book net present
//! value of the real-terms cost, child-years in care avoided, cost per
//! child-year avoided and the payback year. What it is not: modelling (the runs
//! are ordinary `Built::run` projections) or a writer (carecast-report writes
//! the CSV atomically).

use anyhow::{Context, Result, bail};
use carecast_core::Row;
use carecast_core::rows::rows;
use carecast_report::{
    Cell, Column, ColumnKind, Table, format_count, format_gbp_millions, format_gbp_pounds, write_csv,
};
use carecast_scenario::{Built, Loaded, RunOptions, Seeds, build, load};
use rayon::prelude::*;
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
pub const UNCERTAINTY_MEASURES: [&str; 5] = [
    "probability_cheaper_than_base",
    "probability_cheapest",
    "npv_cost_gbp_p05",
    "npv_cost_gbp_p50",
    "npv_cost_gbp_p95",
];

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

/// Monte Carlo whole-horizon measures of one option against the base.
#[derive(Debug, Clone, PartialEq)]
struct Uncertainty {
    /// Share of draws in which the option's NPV cost against the base is below 0.
    probability_cheaper: f64,
    /// Share of draws in which the option's NPV is strictly below the base's
    /// and every other option's (ties count for no one).
    probability_cheapest: f64,
    /// 5th, 50th and 95th percentiles of the option-minus-base NPV over the draws.
    npv: [f64; 3],
}

impl Uncertainty {
    /// The value of a measure in [`UNCERTAINTY_MEASURES`].
    fn get(&self, measure: &str) -> f64 {
        match measure {
            "probability_cheaper_than_base" => self.probability_cheaper,
            "probability_cheapest" => self.probability_cheapest,
            "npv_cost_gbp_p05" => self.npv[0],
            "npv_cost_gbp_p50" => self.npv[1],
            _ => self.npv[2],
        }
    }
}

/// The summaries of per-draw NPVs: `npvs[d][k]` is option k's option-minus-base
/// NPV in draw d.
fn summarise(npvs: &[Vec<f64>], options: usize) -> Vec<Uncertainty> {
    let n = npvs.len() as f64;
    (0..options)
        .map(|k| {
            let cheaper = npvs.iter().filter(|draw| draw[k] < 0.0).count() as f64;
            let cheapest = npvs
                .iter()
                .filter(|draw| draw[k] < 0.0 && draw.iter().enumerate().all(|(j, v)| j == k || draw[k] < *v))
                .count() as f64;
            let mut sorted: Vec<f64> = npvs.iter().map(|draw| draw[k]).collect();
            sorted.sort_by(f64::total_cmp);
            let q = |p: f64| carecast_uncertainty::type7(&sorted, p);
            Uncertainty {
                probability_cheaper: cheaper / n,
                probability_cheapest: cheapest / n,
                npv: [q(0.05), q(0.5), q(0.95)],
            }
        })
        .collect()
}

/// What the draws of every scenario need.
struct DrawInputs<'a> {
    seeds: &'a Seeds,
    opts: &'a RunOptions,
    /// Base first, then the options.
    loaded: &'a [Loaded],
    built: &'a [Built],
    central_rows: &'a [Vec<Row>],
    start_year: i32,
    end_year: i32,
}

/// Runs draw `d` of every scenario with common random numbers and returns
/// each option's option-minus-base NPV.
fn draw_npvs(
    spec: &crate::montecarlo::MonteCarloSpec,
    d: u64,
    x: &DrawInputs<'_>,
    plans: &[carecast_scenario::DrawPlan],
) -> Result<Vec<f64>> {
    let mut series = Vec::with_capacity(x.built.len());
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
        series.push(Series::from_rows(&x.built[i].name, x.start_year, x.end_year, &r)?);
    }
    Ok(series[1..].iter().map(|s| Metrics::new(&series[0], s).npv).collect())
}

/// Runs every draw (in parallel over draws) and summarises each option.
fn uncertainty(spec: &crate::montecarlo::MonteCarloSpec, x: &DrawInputs<'_>) -> Result<Vec<Uncertainty>> {
    if spec.draws == 0 {
        bail!("--draws must be at least 1");
    }
    let plans: Vec<carecast_scenario::DrawPlan> = x
        .loaded
        .iter()
        .map(|l| crate::montecarlo::plan_for(l, spec.parameter_uncertainty).map_err(anyhow::Error::from))
        .collect::<Result<_>>()?;
    let npvs: Vec<Vec<f64>> = (0..spec.draws)
        .into_par_iter()
        .map(|d| {
            draw_npvs(spec, d, x, &plans)
                .with_context(|| format!("Monte Carlo draw {d} (seed {})", spec.seed.wrapping_add(d)))
        })
        .collect::<Result<_>>()?;
    Ok(summarise(&npvs, x.built.len() - 1))
}

/// The tidy comparison table `option,measure,year,value`.
fn comparison_table(base: &Series, options: &[(Series, Metrics)], uncertainty: Option<&[Uncertainty]>) -> Table {
    let mut t = Table::new(
        "comparison",
        "carecast comparison of options against a base (tidy long form)",
        vec![
            Column::new("option", ColumnKind::Text),
            Column::new("measure", ColumnKind::Text),
            Column::new("year", ColumnKind::Year),
            Column::new("value", ColumnKind::Number),
        ],
    );
    let push_series = |t: &mut Table, s: &Series, measure: &str, values: &[Option<f64>]| {
        for (k, v) in values.iter().enumerate() {
            if let Some(v) = v {
                t.push_row(vec![
                    Cell::Text(s.name.clone()),
                    Cell::Text(measure.into()),
                    Cell::Number(f64::from(s.year(k))),
                    Cell::Number(*v),
                ]);
            }
        }
    };
    let some = |v: &[f64]| -> Vec<Option<f64>> { v.iter().copied().map(Some).collect() };
    let yearly = |t: &mut Table, s: &Series| {
        push_series(t, s, "children_in_care", &some(&s.cic));
        push_series(t, s, "spend_gbp_cash", &some(&s.cla_cash));
        push_series(t, s, "csc_spend_gbp_cash", &some(&s.csc_cash));
        push_series(t, s, "csc_spend_gbp_real", &some(&s.csc_real));
        push_series(t, s, "funding_gbp", &s.funding);
        push_series(t, s, "gap_gbp", &s.gap);
    };
    yearly(&mut t, base);
    for (k, (s, m)) in options.iter().enumerate() {
        yearly(&mut t, s);
        let vs = |a: &[f64], b: &[f64]| -> Vec<Option<f64>> { a.iter().zip(b).map(|(o, b)| Some(o - b)).collect() };
        push_series(&mut t, s, "children_in_care_vs_base", &vs(&s.cic, &base.cic));
        push_series(&mut t, s, "csc_spend_gbp_cash_vs_base", &vs(&s.csc_cash, &base.csc_cash));
        for measure in WHOLE_HORIZON_MEASURES {
            if measure == "cumulative_gap_gbp" && m.cumulative_gap.is_none() {
                continue;
            }
            t.push_row(vec![
                Cell::Text(s.name.clone()),
                Cell::Text(measure.into()),
                Cell::Empty,
                m.get(measure).map_or(Cell::Empty, Cell::Number),
            ]);
        }
        if let Some(u) = uncertainty.and_then(|u| u.get(k)) {
            for measure in UNCERTAINTY_MEASURES {
                t.push_row(vec![
                    Cell::Text(s.name.clone()),
                    Cell::Text(measure.into()),
                    Cell::Empty,
                    Cell::Number(u.get(measure)),
                ]);
            }
        }
    }
    t.notes.push(format!(
        "Option minus base. NPV: real-terms CSC spend differences discounted at {:.1}% a year to the first projection year (HM Treasury Green Book). Child-years: mean of the 31 March stocks at the start and end of each year.",
        DISCOUNT_RATE * 100.0
    ));
    if uncertainty.is_some() {
        t.notes.push(
            "Monte Carlo (--draws): draw d of every scenario uses seed S + d and the same draws of the assumptions the scenarios share (common random numbers). probability_cheaper_than_base: share of draws with option-minus-base NPV below 0; probability_cheapest: share of draws in which the option's NPV is strictly below the base's and every other option's; npv_cost_gbp_p05/p50/p95: percentiles of the option-minus-base NPV over the draws."
                .to_string(),
        );
    }
    t
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
        if let Some(j) = (1..i).find(|&j| built[j].name == b.name) {
            bail!(
                "options `{}` and `{}` are both named `{}`; options must have distinct names (set [scenario] name)",
                specs[j],
                specs[i],
                b.name
            );
        }
    }
    let start_year = built[0].model.start_year;
    let end_year = start_year + built[0].model.years.len() as i32;
    let mut series = Vec::with_capacity(built.len());
    let mut central_rows = Vec::with_capacity(built.len());
    for (s, b) in specs.iter().zip(&built) {
        let projection = b.run().with_context(|| format!("running scenario `{s}`"))?;
        let r = rows(&b.name, &b.model.dims, &projection);
        series.push(Series::from_rows(&b.name, start_year, end_year, &r)?);
        central_rows.push(r);
    }
    let uncertainty = match &c.montecarlo {
        Some(spec) => {
            if !c.quiet {
                eprintln!(
                    "{} Monte Carlo draws of {} scenarios (common random numbers), seeds from {}",
                    spec.draws,
                    built.len(),
                    spec.seed
                );
            }
            let x = DrawInputs {
                seeds: &seeds,
                opts: &opts,
                loaded: &loaded,
                built: &built,
                central_rows: &central_rows,
                start_year,
                end_year,
            };
            Some(uncertainty(spec, &x)?)
        }
        None => None,
    };
    let base = series.remove(0);
    let options: Vec<(Series, Metrics)> = series
        .into_iter()
        .map(|s| {
            let m = Metrics::new(&base, &s);
            (s, m)
        })
        .collect();
    let table = comparison_table(&base, &options, uncertainty.as_deref());
    std::fs::create_dir_all(&c.out).with_context(|| format!("creating {}", c.out.display()))?;
    let path = c.out.join("comparison.csv");
    write_csv(&path, &table).with_context(|| format!("writing {}", path.display()))?;
    print_table(&base, &options, uncertainty.as_deref(), &c.rank_by);
    if !c.quiet {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn signed_count(v: f64) -> String {
    let s = format_count(v);
    if v.round() > 0.0 { format!("+{s}") } else { s }
}

fn print_table(base: &Series, options: &[(Series, Metrics)], uncertainty: Option<&[Uncertainty]>, rank_by: &str) {
    let end = base.end_year();
    outln!(
        "Options against `{}`, {} to {} (31 March {}; £ in financial years {}-{:02} to {}-{:02}); ranked by {rank_by}",
        base.name,
        base.start_year,
        end,
        end,
        base.start_year,
        (base.start_year + 1).rem_euclid(100),
        end - 1,
        end.rem_euclid(100),
    );
    let name_width = options.iter().map(|(s, _)| s.name.chars().count()).max().unwrap_or(6).max(6);
    let mut widths = vec![name_width, 10, 9, 16, 12, 12, 15, 8];
    let mut header = vec![
        "option".to_string(),
        format!("CiC {end}"),
        "vs base".to_string(),
        "cum CSC vs base".to_string(),
        "NPV cost".to_string(),
        "child-years".to_string(),
        "£ per child-yr".to_string(),
        "payback".to_string(),
    ];
    if uncertainty.is_some() {
        widths.extend([10, 11, 12, 12, 12]);
        header.extend(["P(cheaper)", "P(cheapest)", "NPV p05", "NPV p50", "NPV p95"].map(String::from));
    }
    let line = |cells: &[String]| {
        let mut s = format!("{:<w$}", cells[0], w = widths[0]);
        for (c, w) in cells.iter().zip(&widths).skip(1) {
            s.push_str(&format!(" {c:>w$}"));
        }
        outln!("{}", s.trim_end());
    };
    line(&header);
    let base_end = base.cic.last().copied().unwrap_or(f64::NAN);
    let metrics: Vec<Metrics> = options.iter().map(|(_, m)| m.clone()).collect();
    for i in rank(&metrics, rank_by) {
        let (s, m) = &options[i];
        let cic_end = s.cic.last().copied().unwrap_or(f64::NAN);
        let mut cells = vec![
            s.name.clone(),
            format_count(cic_end),
            signed_count(cic_end - base_end),
            format_gbp_millions(m.cumulative_cash / 1e6),
            format_gbp_millions(m.npv / 1e6),
            format_count(m.child_years_avoided),
            m.cost_per_child_year.map_or_else(String::new, format_gbp_pounds),
            m.payback_year.map_or_else(String::new, |y| y.to_string()),
        ];
        if let Some(u) = uncertainty.and_then(|u| u.get(i)) {
            cells.push(format!("{:.0}%", 100.0 * u.probability_cheaper));
            cells.push(format!("{:.0}%", 100.0 * u.probability_cheapest));
            cells.extend(u.npv.iter().map(|v| format_gbp_millions(v / 1e6)));
        }
        line(&cells);
    }
    outln!(
        "option minus base; CSC = children's social care; NPV of real-terms CSC spend at {:.1}% a year to {}-{:02} (HM Treasury Green Book); child-years in care avoided over the horizon",
        DISCOUNT_RATE * 100.0,
        base.start_year,
        (base.start_year + 1).rem_euclid(100),
    );
    if uncertainty.is_some() {
        outln!(
            "P(cheaper): share of Monte Carlo draws in which the option's NPV cost is below the base's; P(cheapest): below the base and every other option; NPV p05-p95: range of the NPV over the draws"
        );
    }
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
    fn draw_summaries_by_hand() {
        // Two options over four draws; a tie in the last draw counts for neither.
        let npvs = vec![vec![-2.0, -1.0], vec![1.0, -1.0], vec![-1.0, 3.0], vec![-1.0, -1.0]];
        let u = summarise(&npvs, 2);
        assert_eq!(u[0].probability_cheaper, 0.75);
        assert_eq!(u[0].probability_cheapest, 0.5);
        assert_eq!(u[1].probability_cheaper, 0.75);
        assert_eq!(u[1].probability_cheapest, 0.25);
        assert_eq!(u[1].npv[1], -1.0);
        assert!(u[0].npv[0] <= u[0].npv[1] && u[0].npv[1] <= u[0].npv[2]);
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
