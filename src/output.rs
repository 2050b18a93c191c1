//! Output observers for a run: the tidy CSV, the JSON summary and the terminal
//! table. Every file is written atomically (temporary file, then rename).
//!
//! Not here: charts (carecast-plot) or the HTML/Excel report.

use anyhow::Result;
use carecast_core::rows::{QuarterRow, quarter_rows, rows};
use carecast_core::{Projection, Row};
use carecast_report::{
    Cell, Column, ColumnKind, Table, display_cell, format_count, format_gbp_millions, write_atomic, write_csv,
};
use carecast_scenario::Built;
use std::path::Path;

/// Rows as the tidy long table `scenario,year,measure,breakdown,value`.
pub fn rows_table(name: &str, rows: &[Row]) -> Table {
    let mut t = Table::new(
        name,
        "carecast projection (tidy long form)",
        vec![
            Column::new("scenario", ColumnKind::Text),
            Column::new("year", ColumnKind::Year),
            Column::new("measure", ColumnKind::Text),
            Column::new("breakdown", ColumnKind::Text),
            Column::new("value", ColumnKind::Number),
        ],
    );
    for r in rows {
        t.push_row(vec![
            Cell::Text(r.scenario.clone()),
            Cell::Number(f64::from(r.year)),
            Cell::Text(r.measure.to_string()),
            Cell::Text(r.breakdown.clone()),
            Cell::Number(r.value),
        ]);
    }
    t
}

/// Quarterly rows as the tidy long table
/// `scenario,year,quarter,period_end,measure,breakdown,value`.
pub fn quarter_table(rows: &[QuarterRow]) -> Table {
    let mut t = Table::new(
        "quarterly",
        "carecast projection by quarter of the financial year (tidy long form)",
        vec![
            Column::new("scenario", ColumnKind::Text),
            Column::new("year", ColumnKind::Year),
            Column::new("quarter", ColumnKind::Year),
            Column::new("period_end", ColumnKind::Text),
            Column::new("measure", ColumnKind::Text),
            Column::new("breakdown", ColumnKind::Text),
            Column::new("value", ColumnKind::Number),
        ],
    );
    for r in rows {
        t.push_row(vec![
            Cell::Text(r.scenario.clone()),
            Cell::Number(f64::from(r.year)),
            Cell::Number(r.quarter as f64),
            Cell::Text(r.period_end()),
            Cell::Text(r.measure.to_string()),
            Cell::Text(r.breakdown.clone()),
            Cell::Number(r.value),
        ]);
    }
    t.notes.push(QUARTER_NOTE.into());
    t
}

/// How the quarters are made, for the notes.
pub const QUARTER_NOTE: &str = "Quarters of the financial year ending 31 March of `year`: 1 is April to June, 4 January to March. children_in_care: at the quarter's end (period_end). spend_gbp_cash: children looked after in the quarter, from the monthly simulation's child-weeks and care-leaver years at the year's unit costs. csc_spend_gbp_cash: that plus a quarter of each other children's social care line, which are stated by year. The quarters add up to the year in projection.csv (to rounding).";

/// Writes `projection.csv`, `quarterly.csv`, `published.csv` and `summary.json` into `dir`.
pub fn write_run(dir: &Path, built: &Built, projection: &Projection, command_line: &str) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let projected = rows(&built.name, &built.model.dims, projection);
    write_csv(&dir.join("projection.csv"), &rows_table("projection", &projected))?;
    let quarters = quarter_rows(&built.name, &built.model.dims, projection);
    write_csv(&dir.join("quarterly.csv"), &quarter_table(&quarters))?;
    write_csv(&dir.join("published.csv"), &rows_table("published", &built.history_rows()))?;
    write_summary(dir, built, projection, command_line)
}

/// Writes `summary.json` into `dir` (for `run` and for each scenario of a report).
pub fn write_summary(dir: &Path, built: &Built, projection: &Projection, command_line: &str) -> Result<()> {
    let summary = summary_json(built, projection, command_line);
    write_atomic(&dir.join("summary.json"), serde_json::to_string_pretty(&summary)?.as_bytes())?;
    Ok(())
}

/// What `summary.json` holds: the years' totals, the calibration's fit, the
/// filled values with their methods and the assumptions' notes.
fn summary_json(built: &Built, projection: &Projection, command_line: &str) -> serde_json::Value {
    let years: Vec<serde_json::Value> = projection
        .years
        .iter()
        .map(|y| {
            serde_json::json!({
                "year": y.year,
                "children_in_care": y.children_in_care(),
                "starts": if y.is_start { None } else { Some(y.starts_total()) },
                "ceased": if y.is_start { None } else { Some(y.ceased_total()) },
                "care_leavers": y.care_leavers,
                "spend_gbp_cash": if y.is_start { None } else { Some(y.spend_cla_gbp()) },
                "spend_gbp_real": if y.is_start { None } else { Some(y.spend_cla_gbp() / y.deflator) },
                "csc_spend_gbp_cash": if y.is_start { None } else { Some(y.spend_total_gbp()) },
            })
        })
        .collect();
    let fit: Vec<serde_json::Value> = built
        .calibration
        .iter()
        .flat_map(|c| c.fit.iter())
        .map(|f| {
            serde_json::json!({
                "year": f.year,
                "reconciliation_children": f.reconciliation,
                "ageing_out_gap_children": f.ageing_out_gap,
                "max_band_error": f.max_band_error,
                "max_placement_error": f.max_placement_error,
            })
        })
        .collect();
    let notes: Vec<serde_json::Value> =
        built.notes.iter().map(|n| serde_json::json!({"key": n.key, "text": n.text, "source": n.source})).collect();
    serde_json::json!({
        "scenario": built.name,
        "title": built.title,
        "area": {"code": built.area, "name": built.area_name},
        "start_year": built.model.start_year,
        "carecast_version": env!("CARGO_PKG_VERSION"),
        "command": command_line,
        "data_vintage": "DfE children looked after in England, 2025 release; S251 outturn 2024-25; ONS mid-2024",
        "years": years,
        "calibration_fit": fit,
        "filled_values": built.filled.iter().map(|n| serde_json::json!({
            "year": n.year, "table": n.table, "dimension": n.dimension, "category": n.category,
            "value": n.value, "method": n.method.to_string(),
        })).collect::<Vec<_>>(),
        "assumptions": notes,
    })
}

/// Prints the headline table.
pub fn print_summary(built: &Built, projection: &Projection) {
    // The area in brackets unless the title already says it.
    if built.title.contains(&built.area_name) {
        outln!("{} — {}", built.name, built.title);
    } else {
        outln!("{} — {} ({})", built.name, built.title, built.area_name);
    }
    outln!(
        "{:>6} {:>18} {:>9} {:>9} {:>14} {:>14} {:>14}",
        "year",
        "children in care",
        "starts",
        "ceased",
        "CLA spend",
        "CLA (real)",
        "CSC spend"
    );
    for y in &projection.years {
        if y.is_start {
            outln!(
                "{:>6} {:>18} {:>9} {:>9} {:>14} {:>14} {:>14}",
                y.year,
                format_count(y.children_in_care()),
                "",
                "",
                "",
                "",
                ""
            );
            continue;
        }
        outln!(
            "{:>6} {:>18} {:>9} {:>9} {:>14} {:>14} {:>14}",
            y.year,
            format_count(y.children_in_care()),
            format_count(y.starts_total()),
            format_count(y.ceased_total()),
            format_gbp_millions(y.spend_cla_gbp() / 1e6),
            format_gbp_millions(y.spend_cla_gbp() / y.deflator / 1e6),
            format_gbp_millions(y.spend_total_gbp() / 1e6),
        );
    }
    outln!(
        "year = 31 March (stocks) or the financial year ending then (flows, £); real terms at {} prices",
        carecast_report::financial_year_label(built.price_base_year)
    );
    let last = projection.years.last().map_or(built.model.start_year, |y| y.year);
    if let Some(warning) = beyond_backtest(built, last) {
        outln!("{warning}");
    }
    if let Some(warning) = unpublished_start(built) {
        outln!("{warning}");
    }
}

/// The warning, for the terminal and the report, when the area's children
/// in care at the start (31 March of the model's start year) were not published and carecast
/// filled them: the whole projection rests on that value, and the reader
/// should know before reading any of it. None when the start's total is
/// published (in the headline figures or as a breakdown's total) or the
/// scenario states its own stock.
pub fn unpublished_start(built: &Built) -> Option<String> {
    let start = built.model.start_year;
    use carecast_scenario::fill::FillMethod;
    if built.outturn.iter().any(|o| o.year == start && o.children_in_care.is_some()) {
        return None;
    }
    // A breakdown's total taken from another published total is not a fill of the stock.
    let published_total =
        |m: &FillMethod| matches!(m, FillMethod::TotalFromHeadline | FillMethod::TotalFromOtherBreakdown { .. });
    let fill = built
        .filled
        .iter()
        .find(|n| n.year == start && n.table == "stock" && n.category == "total" && !published_total(&n.method))?;
    let last =
        built.outturn.iter().filter(|o| o.year < start).filter_map(|o| Some((o.year, o.children_in_care?))).next_back();
    let last = match last {
        Some((year, n)) => format!("the last published figure is {n:.0} at 31 March {year}"),
        None => "no earlier figure is published".into(),
    };
    Some(format!(
        "{}'s children in care at 31 March {start} are not published (suppressed or missing; {last}): the projection starts from {:.0}, {}, not from a published figure; every filled value is listed in summary.json under `filled_values`.",
        built.area_name, fill.value, fill.method
    ))
}

/// The warning for years more than the back-tested horizon ahead and after
/// the last published year (a back-cast's years have outturn to read
/// against), if a run to `last` has any: for the terminal and the report.
pub fn beyond_backtest(built: &Built, last: i32) -> Option<String> {
    let start = built.model.start_year;
    let published = built.history_rows().iter().filter(|r| r.measure == "children_in_care").map(|r| r.year).max();
    let first = (start + BACKTESTED_YEARS + 1).max(published.map_or(i32::MIN, |y| y + 1));
    (last >= first).then(|| {
        let years = if last == first { first.to_string() } else { format!("{first}-{last}") };
        format!(
            "{years}: more than {BACKTESTED_YEARS} years ahead, further than carecast's forecasts are back-tested (`carecast backtest`); read as what the assumptions imply, not as a forecast"
        )
    })
}

/// The longest horizon, in years, at which the forecasts are back-tested
/// against outturn (`carecast backtest`'s default and the README's results).
pub const BACKTESTED_YEARS: i32 = 3;

/// Prints a table as aligned text: its title, a header, a line a row (each
/// cell as the HTML report shows it; text left-aligned, numbers right-aligned)
/// and its notes.
pub fn print_table(t: &Table) {
    let cells: Vec<Vec<String>> =
        t.rows.iter().map(|r| r.iter().zip(&t.columns).map(|(c, col)| display_cell(col.kind, c)).collect()).collect();
    let widths: Vec<usize> = t
        .columns
        .iter()
        .enumerate()
        .map(|(i, col)| cells.iter().map(|r| r[i].chars().count()).fold(col.name.chars().count(), usize::max))
        .collect();
    let line = |row: &[String]| {
        let mut s = String::new();
        for ((c, w), col) in row.iter().zip(&widths).zip(&t.columns) {
            if !s.is_empty() {
                s.push_str("  ");
            }
            if col.kind.is_numeric() {
                s.push_str(&format!("{c:>w$}"));
            } else {
                s.push_str(&format!("{c:<w$}"));
            }
        }
        outln!("{}", s.trim_end());
    };
    outln!("{}", t.title);
    line(&t.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>());
    for row in &cells {
        line(row);
    }
    for note in &t.notes {
        outln!("{note}");
    }
}
