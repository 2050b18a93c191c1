//! `carecast report`: one folder with a self-contained HTML report, an Excel
//! workbook, the CSVs and the charts, for one or more scenarios.
//!
//! What it is: the assembly of tables and charts from the tidy rows (by year,
//! and by quarter for the Quarterly sheet and each `quarterly.csv`) into
//! `carecast-report` documents; with two or more scenarios, the options
//! against the first as `carecast compare` gives them (`comparison.csv`, a
//! summary, the differences by financial year and their charts, and each
//! option's tornado from `sensitivity.rs`); the first
//! scenario's track record (`backtest.rs` computes it); with
//! `--draws`, the Monte Carlo ranges as tables, fans on the first scenario's
//! charts, p05-p95 columns in the CSVs and the paired ranges of the options'
//! differences. What it is not: a comparison (`compare.rs` computes it), a
//! writer (carecast-report does the files) or a renderer (carecast-plot draws
//! the charts).

use crate::backtest::TrackRecord;
use crate::charts::{self, DATA_VINTAGE, SOURCE_NOTE};
use crate::output;
use anyhow::{Context, Result};
use carecast_core::rows::{QuarterRow, quarter_rows, rows};
use carecast_core::{Projection, Row};
use carecast_plot::Formats;
use carecast_report::{
    Block, Cell, Column, ColumnKind, HtmlReport, Section, Table, WorkbookMeta, pivot_wide, write_csv, write_xlsx,
};
use carecast_scenario::Built;
use std::path::Path;

/// Monte Carlo percentiles of every run's tidy rows and how they were drawn.
pub struct Ranges {
    /// The draws.
    pub spec: crate::montecarlo::MonteCarloSpec,
    /// Per run (in the order of the runs), per tidy row, its percentiles in
    /// [`crate::montecarlo::PERCENTILES`] order.
    pub bands: Vec<Vec<[f64; 5]>>,
    /// True when they come from the options comparison's paired draws (as
    /// `compare --draws` draws them), false when from each scenario's own
    /// draws (as `run --draws`).
    pub paired: bool,
}

impl Ranges {
    /// What was drawn, for the notes.
    fn describe(&self) -> String {
        let s = &self.spec;
        let what = crate::montecarlo::describe(s);
        let draws = if self.paired {
            "the options comparison's paired draws (every scenario drawn with the same seed and the same numbers for what they share, as `carecast compare --draws` draws them), so every range in this report comes from one set of draws"
        } else {
            "each scenario's own draws, as `carecast run --draws` gives them"
        };
        format!(
            "{} Monte Carlo draws per scenario ({what}), draw d with seed {} + d: {draws}. p05 to p95: percentiles over the draws (the 90% range is p05 to p95, the 50% range p25 to p75); central: the run at central values, which need not equal p50. Each scenario's range is its own; a difference between scenarios has a range of its own, from paired draws ({}).",
            s.draws,
            s.seed,
            if self.paired { "the options section" } else { "`carecast compare --draws`" }
        )
    }
}

/// The ranges of one headline measure (its `total`) by scenario and year.
fn ranges_table(
    runs: &[(&Built, Vec<Row>)],
    ranges: &Ranges,
    measure: &str,
    name: &str,
    title: &str,
    kind: ColumnKind,
) -> Table {
    let mut columns = vec![
        Column::new("scenario", ColumnKind::Text),
        Column::new("year", ColumnKind::Year),
        Column::new("central", kind),
    ];
    columns.extend(crate::montecarlo::PERCENTILES.iter().map(|(_, p)| Column::new(*p, kind)));
    let mut t = Table::new(name, title, columns);
    for ((built, rows), bands) in runs.iter().zip(&ranges.bands) {
        for (r, b) in rows.iter().zip(bands) {
            if r.measure == measure && r.breakdown == "total" {
                let mut row =
                    vec![Cell::Text(built.name.clone()), Cell::Number(f64::from(r.year)), Cell::Number(r.value)];
                row.extend(b.iter().map(|v| Cell::Number(*v)));
                t.push_row(row);
            }
        }
    }
    t.notes.push(ranges.describe());
    t.notes.push(
        "The central run sets every assumption to its central value; it is not the median of the draws, and where assumptions' ranges are skewed (prices, for instance, can rise further than they can fall) the median and even p25 can sit above it."
            .into(),
    );
    t
}

/// Assumptions that move an option's NPV cost against the base most, one at
/// a time: the [`SENSITIVITY_ROWS`] largest swings of each option.
fn sensitivity_table(analyses: &[Result<crate::sensitivity::Analysis, String>]) -> Table {
    let mut t = Table::new(
        "Options sensitivity",
        "What each option's NPV cost against the base depends on: its largest swings, one assumption at a time",
        vec![
            Column::new("option", ColumnKind::Text),
            Column::new("assumption", ColumnKind::Text),
            Column::new("low", ColumnKind::Value),
            Column::new("high", ColumnKind::Value),
            Column::new("NPV cost at low", ColumnKind::GbpShownInMillions),
            Column::new("NPV cost at high", ColumnKind::GbpShownInMillions),
            Column::new("swing", ColumnKind::GbpShownInMillions),
        ],
    );
    for a in analyses.iter().flatten() {
        for r in a.results.iter().take(SENSITIVITY_ROWS) {
            t.push_row(vec![
                Cell::Text(a.scenario.clone()),
                Cell::Text(r.param.key.clone()),
                // Shown whole: the values span 1e-4 to 1e5.
                Cell::Number(r.param.low),
                Cell::Number(r.param.high),
                Cell::Number(r.at_low),
                Cell::Number(r.at_high),
                Cell::Number(r.swing()),
            ]);
        }
    }
    t.notes.push(format!(
        "Each assumption with a stated range set to its low and its high in both the option and the base (each to its own range), all others central, as `carecast sensitivity OPTION --against BASE` gives it (its sensitivity.csv lists every assumption). Ranked by swing; the {SENSITIVITY_ROWS} largest per option."
    ));
    t
}

/// Assumptions listed per option in the report's sensitivity table.
const SENSITIVITY_ROWS: usize = 10;

/// The files a report writes into a scenario's folder.
const SCENARIO_FILES: [&str; 3] = ["projection.csv", "quarterly.csv", "summary.json"];

/// The list, at the top of a report folder, of the scenario folders the
/// report wrote, so the next report into the folder knows which are its own.
const SCENARIO_LIST: &str = ".carecast-report-scenarios";

/// Removes what the previous report into `dir` wrote for scenarios not in
/// this one: only folders on its list ([`SCENARIO_LIST`]), only a report's
/// scenario files in them, the folder itself only when that empties it, and
/// never through a symbolic link. Nothing here fails the report: what cannot
/// be removed is left, with a warning.
fn remove_stale_scenarios(dir: &Path, scenarios: &[&str]) {
    let Ok(list) = std::fs::read_to_string(dir.join(SCENARIO_LIST)) else { return };
    for name in list.lines().filter(|n| !n.is_empty() && !scenarios.contains(n)) {
        let path = dir.join(name);
        let plain_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_dir());
        if name.contains(['/', '\\']) || name.starts_with('.') || !plain_dir {
            continue;
        }
        for file in SCENARIO_FILES {
            if let Err(e) = remove_if_present(&path.join(file)) {
                errln!("warning: {e:#}");
            }
        }
        // Fails, and is left, if anything else is in it.
        let _ = std::fs::remove_dir(&path);
    }
}

/// Removes a file left by an earlier report, if there is one.
fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("removing {} from an earlier report", path.display()))
        }
        _ => Ok(()),
    }
}

/// The quarterly rows with a column a quarter (`2025-26 Q1` ...), for
/// quarterly budget monitoring.
fn quarter_wide(quarters: &[QuarterRow]) -> Result<Table> {
    let mut long = Table::new(
        "quarterly",
        "quarterly",
        vec![
            Column::new("scenario", ColumnKind::Text),
            Column::new("measure", ColumnKind::Text),
            Column::new("breakdown", ColumnKind::Text),
            Column::new("quarter", ColumnKind::Text),
            Column::new("value", ColumnKind::Number),
        ],
    );
    for r in quarters {
        long.push_row(vec![
            Cell::Text(r.scenario.clone()),
            Cell::Text(r.measure.into()),
            Cell::Text(r.breakdown.clone()),
            Cell::Text(format!("{} Q{}", carecast_report::financial_year_label(r.year), r.quarter)),
            Cell::Number(r.value),
        ]);
    }
    let mut wide = pivot_wide(&long, &["scenario", "measure", "breakdown"], "quarter", "value")
        .context("pivoting the projection to quarters")?;
    // The pivot keeps text columns in the order they first appear, which for
    // scenarios starting in different years is not time order; the labels
    // sort as text in time order.
    let keys = 3;
    let mut order: Vec<usize> = (keys..wide.columns.len()).collect();
    order.sort_by(|a, b| wide.columns[*a].name.cmp(&wide.columns[*b].name));
    let reorder = |cells: &mut Vec<Cell>| {
        let values: Vec<Cell> = order.iter().map(|&i| cells[i].clone()).collect();
        cells.truncate(keys);
        cells.extend(values);
    };
    let mut columns: Vec<Column> = wide.columns[..keys].to_vec();
    columns.extend(order.iter().map(|&i| wide.columns[i].clone()));
    wide.columns = columns;
    wide.rows.iter_mut().for_each(reorder);
    wide.title = "Projection by quarter (children at the quarter's end; £ in the quarter, cash)".into();
    wide.notes = vec![output::QUARTER_NOTE.into()];
    Ok(wide)
}

/// Licence of the bundled seed data.
pub const SEEDS_LICENCE: &str = "Open Government Licence v3.0";

/// Data sources and their vintages.
pub fn data_vintages() -> Vec<(String, String)> {
    vec![
        ("DfE children looked after in England (SSDA903)".into(), "2025 release (year ending 31 March 2025)".into()),
        ("DfE section 251 outturn".into(), "2024-25".into()),
        ("ONS mid-year population estimates".into(), "mid-2024".into()),
        ("Licence of the bundled seed data".into(), SEEDS_LICENCE.into()),
    ]
}

fn value(rows: &[Row], measure: &str, year: i32) -> Cell {
    rows.iter()
        .find(|r| r.measure == measure && r.breakdown == "total" && r.year == year)
        .map_or(Cell::Empty, |r| Cell::Number(r.value))
}

/// The headline table by scenario and year.
pub fn summary_table(runs: &[(&Built, Vec<Row>)]) -> Table {
    // Funding and the gap when a scenario states funding.
    let funded = runs.iter().any(|(_, rows)| rows.iter().any(|r| r.measure == "funding_gbp"));
    let mut columns = vec![
        Column::new("scenario", ColumnKind::Text),
        Column::new("year", ColumnKind::Year),
        Column::new("children in care (31 March)", ColumnKind::Count),
        Column::new("starts", ColumnKind::Count),
        Column::new("ceased", ColumnKind::Count),
        Column::new("CLA spend (cash)", ColumnKind::GbpShownInMillions),
        Column::new("CLA spend (real terms)", ColumnKind::GbpShownInMillions),
        Column::new("CSC spend (cash)", ColumnKind::GbpShownInMillions),
    ];
    if funded {
        columns.push(Column::new("funding (cash)", ColumnKind::GbpShownInMillions));
        columns.push(Column::new("gap: CSC spend less funding", ColumnKind::GbpShownInMillions));
    }
    let mut t = Table::new("Summary", "Headline projection by year", columns);
    let mut warnings = Vec::new();
    for (built, rows) in runs {
        let mut years: Vec<i32> = rows.iter().filter(|r| r.measure == "children_in_care").map(|r| r.year).collect();
        years.dedup();
        if let Some(w) = years.last().and_then(|last| crate::output::beyond_backtest(built, *last))
            && !warnings.contains(&w)
        {
            warnings.push(w);
        }
        if let Some(w) = crate::output::unpublished_start(built)
            && !warnings.contains(&w)
        {
            warnings.push(w);
        }
        for y in years {
            let mut row = vec![
                Cell::Text(built.name.clone()),
                Cell::Number(f64::from(y)),
                value(rows, "children_in_care", y),
                value(rows, "starts", y),
                value(rows, "ceased", y),
                value(rows, "spend_gbp_cash", y),
                value(rows, "spend_gbp_real", y),
                value(rows, "csc_spend_gbp_cash", y),
            ];
            if funded {
                row.push(value(rows, "funding_gbp", y));
                row.push(value(rows, "gap_gbp", y));
            }
            t.push_row(row);
        }
    }
    t.notes.push(
        "Year = 31 March (children in care) or the financial year ending then (flows and £). CLA = children looked after; CSC = children's social care."
            .into(),
    );
    t.notes.extend(warnings);
    if funded {
        t.notes.push(
            "The gap is children's social care spend less the scenario's stated funding. The spend is S251 gross expenditure while budgets are usually set net of income (in 2024-25 England's gross was £16.88bn and its net current expenditure £15.56bn, RO3), so the gap's level includes that difference; its change over the years is the firmer reading. A council's funding is its share of England's stated budget (see the assumptions) unless its scenario states its own."
                .into(),
        );
    }
    t
}

/// The assumptions of every run.
pub fn assumptions_table(runs: &[(&Built, Vec<Row>)]) -> Table {
    let mut t = Table::new(
        "Assumptions",
        "Assumptions, sources and data notes",
        vec![
            Column::new("scenario", ColumnKind::Text),
            Column::new("key", ColumnKind::Text),
            Column::new("text", ColumnKind::Text),
            Column::new("source", ColumnKind::Text),
        ],
    );
    for (built, _) in runs {
        for n in &built.notes {
            t.push_row(vec![
                Cell::Text(built.name.clone()),
                Cell::Text(n.key.clone()),
                Cell::Text(n.text.clone()),
                Cell::Text(n.source.clone()),
            ]);
        }
    }
    t
}

/// Today's date as `YYYY-MM-DD` (UTC), from the system clock.
pub fn today_iso() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The report's options section: the options compared against the base (as
/// `carecast compare` compares them), or why they are not.
pub enum Options {
    /// The comparison, and for each option what its NPV cost against the base
    /// depends on (`carecast sensitivity OPTION --against BASE`), or why that
    /// could not be run.
    Compared(Box<crate::compare::Comparison>, Vec<Result<crate::sensitivity::Analysis, String>>),
    /// Why there is none (the scenarios cover different years).
    NotCompared(String),
}

/// The lines of one yearly option-minus-base measure of a comparison's tidy
/// table (`compare`'s `comparison.csv`): `option,year,value` and, under
/// draws, the percentiles, every number of `kind`.
fn option_lines(comparison: &Table, measure: &str, kind: ColumnKind) -> Table {
    let keep: Vec<usize> = (0..comparison.columns.len()).filter(|&i| comparison.columns[i].name != "measure").collect();
    let columns = keep
        .iter()
        .map(|&i| {
            let c = &comparison.columns[i];
            if c.kind == ColumnKind::Number { Column::new(c.name.clone(), kind) } else { c.clone() }
        })
        .collect();
    let mut t = Table::new(measure, measure, columns);
    for row in &comparison.rows {
        if matches!(&row[1], Cell::Text(m) if m == measure) {
            t.push_row(keep.iter().map(|&i| row[i].clone()).collect());
        }
    }
    t
}

/// The options section's tables: per measure, the differences by financial
/// year (wide, to paste into a plan) and, under draws, their paired ranges.
fn options_tables(comparison: &crate::compare::Comparison, with_ranges: bool) -> Result<Vec<Table>> {
    let long = comparison.table();
    let mut wide_tables = Vec::new();
    let mut range_tables = Vec::new();
    // Sheet names are at most 31 characters, hence the shorter name for the ranges.
    for (measure, kind, name, short, what) in [
        ("children_in_care_vs_base", ColumnKind::Count, "children in care", "CiC", "Children in care at 31 March"),
        (
            "csc_spend_gbp_cash_vs_base",
            ColumnKind::GbpShownInMillions,
            "CSC spend",
            "CSC spend",
            "Children's social care spend (cash) in the financial year",
        ),
    ] {
        let lines = option_lines(&long, measure, kind);
        let mut wide = pivot_wide(&lines, &["option"], "year", "value")
            .with_context(|| format!("pivoting `{measure}` to financial years"))?;
        wide.name = format!("Options - {name}");
        wide.title = format!("{what}: option minus base");
        wide_tables.push(wide);
        if with_ranges {
            let mut ranges = lines;
            ranges.columns[2].name = "central".into();
            ranges.name = format!("Options range - {short}");
            ranges.title =
                format!("{what}, option minus base: central run and Monte Carlo percentiles of the paired differences");
            ranges.notes.push("Percentiles over the draws of each option's difference from the base, draw by draw (common random numbers), not differences of the scenarios' own percentiles. The same draws give the Uncertainty section's ranges.".into());
            range_tables.push(ranges);
        }
    }
    wide_tables.extend(range_tables);
    Ok(wide_tables)
}

/// Writes the report folder: `report.html`, `report.xlsx`,
/// `<scenario>/projection.csv`, `quarterly.csv` and `summary.json`, `published.csv` and
/// `charts/`; with `ranges`, the Monte Carlo ranges too (tables, fans, CSV
/// columns); with `options` compared, `comparison.csv` and the options
/// section; the base's track record (or why there is none). A
/// `comparison.csv` or chart left by an earlier report is removed, and so are
/// the scenario files of the earlier report's other scenarios (listed in the
/// folder's `.carecast-report-scenarios`).
pub fn write_report(
    dir: &Path,
    runs: &[(&Built, &Projection)],
    ranges: Option<&Ranges>,
    options: Option<&Options>,
    track_record: &Result<TrackRecord, String>,
    command_line: &str,
    generated: &str,
) -> Result<()> {
    let first = runs.first().context("no scenarios to report")?.0;
    if ranges.is_some_and(|r| r.bands.len() != runs.len()) {
        anyhow::bail!("Monte Carlo ranges for a different number of scenarios than the report's");
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let with_rows: Vec<(&Built, Vec<Row>)> = runs.iter().map(|(b, p)| (*b, rows(&b.name, &b.model.dims, p))).collect();
    // Before writing, so a folder this report writes is never taken for a stale one.
    let names: Vec<&str> = with_rows.iter().map(|(b, _)| b.name.as_str()).collect();
    remove_stale_scenarios(dir, &names);
    let list: String = names.iter().map(|n| format!("{n}\n")).collect();
    carecast_report::write_atomic(&dir.join(SCENARIO_LIST), list.as_bytes())?;

    let built_quarters: Vec<Vec<QuarterRow>> =
        runs.iter().map(|(b, p)| quarter_rows(&b.name, &b.model.dims, p)).collect();
    // CSVs (with the percentile columns under draws, as `run --draws` writes them).
    for (i, (built, r)) in with_rows.iter().enumerate() {
        let sub = dir.join(&built.name);
        std::fs::create_dir_all(&sub).with_context(|| format!("creating {}", sub.display()))?;
        let table = match ranges {
            Some(g) => crate::montecarlo::table(r, &g.bands[i]),
            None => output::rows_table("projection", r),
        };
        write_csv(&sub.join("projection.csv"), &table)?;
        write_csv(&sub.join("quarterly.csv"), &output::quarter_table(&built_quarters[i]))?;
        // The filled values and the assumptions' notes the report's data notes point to.
        output::write_summary(&sub, built, runs[i].1, command_line)?;
    }
    let published = first.history_rows();
    write_csv(&dir.join("published.csv"), &output::rows_table("published", &published))?;
    let comparison = match options {
        Some(Options::Compared(c, _)) => Some(c),
        _ => None,
    };
    match comparison {
        Some(c) => write_csv(&dir.join("comparison.csv"), &c.table())?,
        None => remove_if_present(&dir.join("comparison.csv"))?,
    }

    // Charts: files, and the same charts as inline SVG; fans of the first scenario under draws.
    let quantiles = ranges.map(|g| crate::montecarlo::quantile_map(&with_rows[0].1, &g.bands[0]));
    let named = charts::build_charts(runs, quantiles.as_ref(), carecast_plot::DEFAULT_SIZE_PX);
    // Each option's difference with its paired fans, under draws only: without
    // them the difference charts (05a-05c) show every option at once.
    let difference_charts = match (comparison, ranges) {
        (Some(c), Some(_)) => c.charts(&first.area_name),
        _ => Vec::new(),
    };
    // What each option's saving depends on: its tornado.
    let sensitivities: &[Result<crate::sensitivity::Analysis, String>] = match options {
        Some(Options::Compared(_, s)) => s,
        _ => &[],
    };
    let tornadoes: Vec<charts::NamedChart> = sensitivities
        .iter()
        .flatten()
        .map(|a| charts::NamedChart {
            stem: format!("08_sensitivity_{}", a.scenario),
            chart: crate::sensitivity::chart(a),
        })
        .collect();
    // The track record's chart, when the method could be back-tested.
    let track_chart: Vec<charts::NamedChart> = track_record
        .iter()
        .map(|t| charts::NamedChart { stem: "07_track_record".into(), chart: t.chart.clone() })
        .collect();
    let charts_dir = dir.join("charts");
    let mut written = Vec::new();
    for set in [&named, &difference_charts, &tornadoes, &track_chart] {
        written.extend(charts::write_named(&charts_dir, set, Formats::BOTH)?);
    }
    for entry in std::fs::read_dir(&charts_dir).with_context(|| format!("reading {}", charts_dir.display()))? {
        let path = entry?.path();
        let chart = path.extension().is_some_and(|e| e == "png" || e == "svg");
        if chart && !written.contains(&path) {
            remove_if_present(&path)?;
        }
    }
    let svg = |charts: &[charts::NamedChart]| -> Result<Vec<Block>> {
        charts
            .iter()
            .map(|c| Ok(Block::Svg(c.chart.to_svg().with_context(|| format!("drawing chart `{}`", c.stem))?)))
            .collect()
    };
    let chart_blocks = svg(&named)?;
    let track_blocks = match track_record {
        Ok(t) => {
            let mut blocks = vec![Block::Table(t.table.clone())];
            blocks.extend(svg(&track_chart)?);
            if !t.skipped.is_empty() {
                blocks.push(Block::Paragraph(format!("Not back-tested: {}.", t.skipped.join("; "))));
            }
            blocks
        }
        Err(why) => vec![Block::Paragraph(format!("The method could not be back-tested here: {why}."))],
    };

    let summary = summary_table(&with_rows);
    let assumptions = assumptions_table(&with_rows);
    let range_tables: Vec<Table> = ranges.map_or_else(Vec::new, |g| {
        vec![
            ranges_table(
                &with_rows,
                g,
                "children_in_care",
                "Range - children in care",
                "Children in care at 31 March: central run and Monte Carlo percentiles",
                ColumnKind::Count,
            ),
            ranges_table(
                &with_rows,
                g,
                "csc_spend_gbp_cash",
                "Range - CSC spend",
                "Children's social care spend (cash) in the financial year: central run and Monte Carlo percentiles",
                ColumnKind::GbpShownInMillions,
            ),
        ]
    });
    let (options_summary, mut options_tables) = match comparison {
        Some(c) => (Some(c.summary("npv_cost_gbp")), options_tables(c, ranges.is_some())?),
        None => (None, Vec::new()),
    };
    if sensitivities.iter().any(Result::is_ok) {
        options_tables.push(sensitivity_table(sensitivities));
    }
    let names: Vec<&str> = runs.iter().map(|(b, _)| b.name.as_str()).collect();
    let version = env!("CARGO_PKG_VERSION");
    let title = format!("Children in care funding forecast: {}", first.area_name);
    let subtitle = format!("Scenarios: {}. Data: {DATA_VINTAGE}.", names.join(", "));

    // Workbook.
    let mut all_rows = Vec::new();
    for (_, r) in &with_rows {
        all_rows.extend(r.iter().cloned());
    }
    let mut wide = pivot_wide(
        &output::rows_table("projection", &all_rows),
        &["scenario", "measure", "breakdown"],
        "year",
        "value",
    )
    .context("pivoting the projection to financial years")?;
    wide.name = "Projection by year".into();
    wide.title = "Projection by financial year (children at 31 March; £ in the financial year)".into();
    let mut quarterly = quarter_wide(&built_quarters.concat())?;
    quarterly.name = "Quarterly".into();
    let mut published_table = output::rows_table("Published", &published);
    published_table.title = "Published outturn (DfE CLA, S251)".into();
    let meta = WorkbookMeta {
        title: title.clone(),
        carecast_version: version.into(),
        command_line: command_line.into(),
        generated: generated.into(),
        data_vintages: data_vintages(),
        notes: vec![SOURCE_NOTE.into(), format!("Seed data licence: {SEEDS_LICENCE}.")],
    };
    let mut sheets = vec![summary.clone()];
    // In the HTML's order: the options, then the ranges and the track record.
    if let Some(t) = &options_summary {
        let mut t = t.clone();
        t.name = "Options vs base".into();
        sheets.push(t);
    }
    sheets.extend(options_tables.iter().cloned());
    sheets.extend(range_tables.iter().cloned());
    if let Ok(t) = track_record {
        sheets.push(t.table.clone());
    }
    sheets.extend([wide, quarterly, published_table, assumptions.clone()]);
    write_xlsx(&dir.join("report.xlsx"), &sheets, &meta)?;

    // HTML.
    let mut summary_blocks = Vec::new();
    for name in &names {
        let mut t = summary.clone();
        t.rows.retain(|r| matches!(&r[0], Cell::Text(s) if s == name));
        t.title = format!("Headline projection: {name}");
        summary_blocks.push(Block::Table(t));
    }
    let mut sources: Vec<(String, String)> = data_vintages();
    sources.push(("Charts".into(), SOURCE_NOTE.into()));
    // The headline, the options, then how sure (ranges) and how well before (track record).
    let mut sections = vec![Section { heading: "Headline summary".into(), blocks: summary_blocks }];
    match options {
        Some(Options::Compared(..)) => {
            let mut blocks: Vec<Block> = options_summary.into_iter().map(Block::Table).collect();
            blocks.extend(options_tables.into_iter().map(Block::Table));
            blocks.extend(svg(&difference_charts)?);
            blocks.extend(svg(&tornadoes)?);
            for why in sensitivities.iter().filter_map(|s| s.as_ref().err()) {
                blocks.push(Block::Paragraph(format!("No sensitivity: {why}.")));
            }
            sections.push(Section { heading: "Options against the base".into(), blocks });
        }
        Some(Options::NotCompared(why)) => sections.push(Section {
            heading: "Options against the base".into(),
            blocks: vec![Block::Paragraph(format!(
                "The options are not compared against the base: {why}. With --start-year and --end-year, `carecast report` (and `compare`) compares them over common years."
            ))],
        }),
        None => {}
    }
    if !range_tables.is_empty() {
        sections.push(Section {
            heading: "Uncertainty".into(),
            blocks: range_tables.into_iter().map(Block::Table).collect(),
        });
    }
    sections.push(Section { heading: "Track record".into(), blocks: track_blocks });
    sections.extend([
        Section { heading: "Charts".into(), blocks: chart_blocks },
        Section { heading: "Assumptions".into(), blocks: vec![Block::Table(assumptions)] },
        Section { heading: "Data vintages and sources".into(), blocks: vec![Block::KeyValues(sources)] },
        Section {
            heading: "Provenance".into(),
            blocks: vec![Block::KeyValues(vec![
                ("carecast version".into(), version.into()),
                ("Command line".into(), command_line.into()),
                ("Generated".into(), generated.into()),
            ])],
        },
    ]);
    let html = HtmlReport {
        title,
        subtitle,
        sections,
        footer: vec![format!("carecast {version}; generated {generated}; command: {command_line}")],
    };
    html.write(&dir.join("report.html"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn today_is_an_iso_date() {
        let d = super::today_iso();
        assert_eq!(d.len(), 10, "{d}");
        assert!(d.starts_with("20"), "{d}");
    }
}
