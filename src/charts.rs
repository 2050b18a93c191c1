//! Committee-paper charts for one or more runs, built from the tidy rows.
//!
//! What it is: the mapping from carecast measures (children in care, placement
//! mix, spend, funding, cost growth) to `carecast-plot` chart descriptions,
//! plus [`write_charts`] to put them on disk. What it is not: a renderer (that
//! is carecast-plot) or a model (every number comes from the tidy rows).

use crate::montecarlo::Quantiles;
use anyhow::{Context, Result};
use carecast_core::Projection;
use carecast_core::Row;
use carecast_core::rows::rows;
use carecast_plot::{Band, Chart, ChartKind, ChartText, Formats, LineStyle, Series, ValueFormat};
use carecast_report::financial_year_label;
use carecast_scenario::Built;
use std::path::{Path, PathBuf};

/// Data vintage named in every chart subtitle.
pub const DATA_VINTAGE: &str = "DfE CLA 2025 release, S251 2024-25";
/// Source note under every chart.
pub const SOURCE_NOTE: &str =
    "Source: DfE children looked after in England, 2025 release; S251 outturn; carecast projection";

/// A chart with the file stem it is written under.
#[derive(Debug, Clone)]
pub struct NamedChart {
    /// File name without extension, e.g. `01_children_in_care`.
    pub stem: String,
    /// The chart.
    pub chart: Chart,
}

/// One run's identity and tidy rows.
struct RunRows<'a> {
    built: &'a Built,
    rows: Vec<Row>,
}

/// Values of (measure, breakdown) by year, sorted by year.
fn series(rows: &[Row], measure: &str, breakdown: &str) -> Vec<(i32, f64)> {
    let mut v: Vec<(i32, f64)> =
        rows.iter().filter(|r| r.measure == measure && r.breakdown == breakdown).map(|r| (r.year, r.value)).collect();
    v.sort_by_key(|p| p.0);
    v
}

/// Value of (measure, breakdown, year), if present.
fn value(rows: &[Row], measure: &str, breakdown: &str, year: i32) -> Option<f64> {
    rows.iter().find(|r| r.measure == measure && r.breakdown == breakdown && r.year == year).map(|r| r.value)
}

fn text(title: String, subtitle: String, x_title: &str, y_title: &str) -> ChartText {
    ChartText {
        title,
        subtitle,
        x_title: x_title.to_string(),
        y_title: y_title.to_string(),
        source_note: SOURCE_NOTE.to_string(),
    }
}

fn scenario_names(runs: &[RunRows<'_>]) -> String {
    runs.iter().map(|r| r.built.name.as_str()).collect::<Vec<_>>().join(", ")
}

/// The cost-growth steps between two years of placement spend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostGrowth {
    /// CLA spend in the first year.
    pub start: f64,
    /// More (or fewer) child-weeks at the first year's mix and prices.
    pub volume: f64,
    /// A different placement mix at the first year's prices.
    pub mix: f64,
    /// Price change on the last year's child-weeks.
    pub price: f64,
    /// Change in other looked-after costs and leaving care.
    pub other: f64,
    /// CLA spend in the last year.
    pub end: f64,
}

/// Splits the growth in CLA spend into volume, mix, price and other costs.
///
/// `weeks*` are child-weeks and `cost*` weekly costs by placement; `other*` the
/// non-placement CLA costs (other looked-after costs plus leaving care). The
/// steps add up to `end - start` by construction.
pub fn cost_growth(
    weeks0: &[f64],
    cost0: &[f64],
    weeks1: &[f64],
    cost1: &[f64],
    other0: f64,
    other1: f64,
) -> CostGrowth {
    let dot = |w: &[f64], c: &[f64]| -> f64 { w.iter().zip(c).map(|(a, b)| a * b).sum() };
    let spend0 = dot(weeks0, cost0);
    let spend1 = dot(weeks1, cost1);
    let w0: f64 = weeks0.iter().sum();
    let w1: f64 = weeks1.iter().sum();
    let ratio = if w0 > 0.0 { w1 / w0 } else { 1.0 };
    let at_start_prices = dot(weeks1, cost0);
    let volume = (ratio - 1.0) * spend0;
    let mix = at_start_prices - ratio * spend0;
    let price = spend1 - at_start_prices;
    CostGrowth { start: spend0 + other0, volume, mix, price, other: other1 - other0, end: spend1 + other1 }
}

/// Child-weeks and weekly costs by placement, and other CLA costs, in `year`.
fn weeks_costs(run: &RunRows<'_>, year: i32) -> (Vec<f64>, Vec<f64>, f64) {
    let mut weeks = Vec::new();
    let mut costs = Vec::new();
    for id in &run.built.model.dims.placements {
        let b = format!("placement:{id}");
        let spend = value(&run.rows, "spend_gbp_cash", &b, year).unwrap_or(0.0);
        let cost = value(&run.rows, "weekly_cost_gbp", &b, year).unwrap_or(0.0);
        weeks.push(if cost > 0.0 { spend / cost } else { 0.0 });
        costs.push(cost);
    }
    let other = value(&run.rows, "spend_gbp_cash", "cost:other_looked_after", year).unwrap_or(0.0)
        + value(&run.rows, "spend_gbp_cash", "cost:leaving_care", year).unwrap_or(0.0);
    (weeks, costs, other)
}

/// Legend labels of the Monte Carlo fan bands.
pub const BAND_90_LABEL: &str = "90% range (p05-p95)";
/// Legend label of the inner fan band.
pub const BAND_50_LABEL: &str = "50% range (p25-p75)";

/// The nested fan bands (p05-p95 under p25-p75) of (measure, breakdown) from
/// Monte Carlo quantiles, in palette colour `colour`; empty if there are none.
fn fan(quantiles: &Quantiles, measure: &str, breakdown: &str, colour: usize) -> Vec<Band> {
    let q: Vec<(i32, [f64; 5])> = quantiles
        .iter()
        .filter(|((m, b, _), _)| m == measure && b == breakdown)
        .map(|((_, _, y), v)| (*y, *v))
        .collect();
    fan_bands(&q, colour)
}

/// The nested fan bands (p05-p95 under p25-p75) of percentiles by year
/// (p05..p95), in palette colour `colour`; empty if there are none.
fn fan_bands(q: &[(i32, [f64; 5])], colour: usize) -> Vec<Band> {
    if q.is_empty() {
        return Vec::new();
    }
    let band = |label: &str, lo: usize, hi: usize| Band {
        colour: Some(colour),
        ..Band::new(label, q.iter().map(|(y, v)| (*y, v[lo], v[hi])).collect())
    };
    vec![band(BAND_90_LABEL, 0, 4), band(BAND_50_LABEL, 1, 3)]
}

/// One option's difference from the base in a measure by year (`central`,
/// the central runs' difference), with the nested fans of the paired Monte
/// Carlo differences (`ranges`, by year, p05..p95) when there are any, and a
/// line at zero.
#[allow(clippy::too_many_arguments)]
pub fn difference_chart(
    option: &str,
    base: &str,
    area: &str,
    what: &str,
    (x_title, y_title): (&str, &str),
    central: Vec<(i32, f64)>,
    ranges: &[(i32, [f64; 5])],
    format: ValueFormat,
) -> Chart {
    let zero: Vec<(i32, f64)> = central.iter().map(|(y, _)| (*y, 0.0)).collect();
    let bands = fan_bands(ranges, 1);
    let note = if ranges.is_empty() { "" } else { "; shaded: ranges of the paired Monte Carlo differences" };
    Chart::new(
        text(
            format!("{option} against {base}: {what}, {area}"),
            format!("Option minus base, central run{note}; {DATA_VINTAGE}"),
            x_title,
            y_title,
        ),
        format,
        ChartKind::Lines {
            series: vec![
                Series::new("No difference", zero, LineStyle::Solid).with_colour(0),
                Series::new(format!("{option} minus {base}"), central, LineStyle::Dashed).with_colour(1),
            ],
            bands,
        },
    )
}

/// Builds every applicable chart for the runs (the first run is the base),
/// with Monte Carlo quantiles of the first run (if any) drawn as fans on the
/// children-in-care chart and on a CSC spend chart.
pub fn build_charts(
    runs: &[(&Built, &Projection)],
    quantiles: Option<&Quantiles>,
    size_px: (u32, u32),
) -> Vec<NamedChart> {
    let runs: Vec<RunRows<'_>> =
        runs.iter().map(|(b, p)| RunRows { built: b, rows: rows(&b.name, &b.model.dims, p) }).collect();
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let area = &first.built.area_name;
    let names = scenario_names(&runs);
    let mut out = Vec::new();
    let mut push =
        |stem: &str, chart: Chart| out.push(NamedChart { stem: stem.to_string(), chart: chart.with_size(size_px) });

    // (1) Children in care: history solid, projections dashed.
    let history = first.built.history_rows();
    let mut lines = vec![
        Series::new("Published (DfE)", series(&history, "children_in_care", "total"), LineStyle::Solid).with_colour(0),
    ];
    for (i, r) in runs.iter().enumerate() {
        lines.push(
            Series::new(
                format!("Projection: {}", r.built.name),
                series(&r.rows, "children_in_care", "total"),
                LineStyle::Dashed,
            )
            .with_colour(i + 1),
        );
    }
    let cic_bands = quantiles.map_or_else(Vec::new, |q| fan(q, "children_in_care", "total", 1));
    let fan_note = if cic_bands.is_empty() { "" } else { "; shaded: Monte Carlo ranges of the first projection" };
    push(
        "01_children_in_care",
        Chart::new(
            text(
                format!("Children looked after, {area}"),
                format!("Published 2015-2025 and projection ({names}){fan_note}; {DATA_VINTAGE}"),
                "Year (at 31 March)",
                "Children looked after (count)",
            ),
            ValueFormat::Count,
            ChartKind::Lines { series: lines, bands: cic_bands },
        ),
    );

    // (4a) CSC spend with its Monte Carlo fan, when there are quantiles.
    let spend_bands = quantiles.map_or_else(Vec::new, |q| fan(q, "csc_spend_gbp_cash", "total", 1));
    if !spend_bands.is_empty() {
        let mut spend_lines = Vec::new();
        let published = series(&history, "csc_spend_gbp_cash", "total");
        if !published.is_empty() {
            spend_lines.push(Series::new("Published (S251)", published, LineStyle::Solid).with_colour(0));
        }
        spend_lines.push(
            Series::new(
                format!("Projection: {}", first.built.name),
                series(&first.rows, "csc_spend_gbp_cash", "total"),
                LineStyle::Dashed,
            )
            .with_colour(1),
        );
        push(
            "04a_csc_spend_range",
            Chart::new(
                text(
                    format!("Children's social care spend, {area}"),
                    format!("Scenario {}; cash; shaded: Monte Carlo ranges; {DATA_VINTAGE}", first.built.name),
                    "Financial year (ending 31 March)",
                    "£ per year (cash)",
                ),
                ValueFormat::MoneyGbp,
                ChartKind::Lines { series: spend_lines, bands: spend_bands },
            ),
        );
    }

    // (2) Placement mix, first run.
    let years: Vec<i32> = series(&first.rows, "children_in_care", "total").iter().map(|p| p.0).collect();
    let layers: Vec<(String, Vec<f64>)> = first
        .built
        .model
        .dims
        .placements
        .iter()
        .enumerate()
        .map(|(p, id)| {
            let label = first.built.placement_labels.get(p).cloned().unwrap_or_else(|| id.clone());
            let b = format!("placement:{id}");
            let vals =
                years.iter().map(|y| value(&first.rows, "children_in_care", &b, *y).unwrap_or(0.0).max(0.0)).collect();
            (label, vals)
        })
        .collect();
    push(
        "02_placement_mix",
        Chart::new(
            text(
                format!("Children looked after by placement type, {area}"),
                format!("Scenario {}; projection at 31 March; {DATA_VINTAGE}", first.built.name),
                "Year (at 31 March)",
                "Children looked after (count)",
            ),
            ValueFormat::Count,
            ChartKind::StackedArea { years: years.clone(), layers },
        ),
    );

    // (3) Spend by placement, last year, cash and real.
    let spend_years: Vec<i32> = series(&first.rows, "spend_gbp_cash", "total").iter().map(|p| p.0).collect();
    if let (Some(&y0), Some(&y1)) = (spend_years.first(), spend_years.last()) {
        let dims = &first.built.model.dims;
        let categories: Vec<String> = dims
            .placements
            .iter()
            .enumerate()
            .map(|(p, id)| first.built.placement_labels.get(p).cloned().unwrap_or_else(|| id.clone()))
            .collect();
        let group = |measure: &str| -> Vec<f64> {
            dims.placements
                .iter()
                .map(|id| value(&first.rows, measure, &format!("placement:{id}"), y1).unwrap_or(f64::NAN))
                .collect()
        };
        push(
            "03_spend_by_placement",
            Chart::new(
                text(
                    format!("Spend on placements by type, {}", financial_year_label(y1)),
                    format!(
                        "Scenario {}; cash and real terms ({} prices); {DATA_VINTAGE}",
                        first.built.name,
                        financial_year_label(first.built.price_base_year)
                    ),
                    "Placement type",
                    "Spend in the year (£)",
                ),
                ValueFormat::MoneyGbp,
                ChartKind::GroupedBars {
                    categories,
                    groups: vec![
                        ("Cash".to_string(), group("spend_gbp_cash")),
                        (
                            format!("Real terms ({} prices)", financial_year_label(first.built.price_base_year)),
                            group("spend_gbp_real"),
                        ),
                    ],
                },
            ),
        );

        // (6) Cost-growth waterfall.
        if y1 > y0 {
            let (w0, c0, o0) = weeks_costs(first, y0);
            let (w1, c1, o1) = weeks_costs(first, y1);
            let g = cost_growth(&w0, &c0, &w1, &c1, o0, o1);
            let steps = g.start + g.volume + g.mix + g.price + g.other;
            debug_assert!(
                (steps - g.end).abs() <= 1e-6 * g.end.abs().max(1.0),
                "waterfall steps {steps} vs end {}",
                g.end
            );
            push(
                "06_cost_growth_waterfall",
                Chart::new(
                    text(
                        format!(
                            "Growth in children looked after spend, {} to {}",
                            financial_year_label(y0),
                            financial_year_label(y1)
                        ),
                        format!(
                            "Scenario {}; cash; volume and mix at {} prices; {DATA_VINTAGE}",
                            first.built.name,
                            financial_year_label(y0)
                        ),
                        "Component of change",
                        "Spend in the year (£, cash)",
                    ),
                    ValueFormat::MoneyGbp,
                    ChartKind::Waterfall {
                        start: (financial_year_label(y0), g.start),
                        steps: vec![
                            ("Volume (child-weeks)".to_string(), g.volume),
                            ("Placement mix".to_string(), g.mix),
                            ("Price".to_string(), g.price),
                            ("Other costs".to_string(), g.other),
                        ],
                        end_label: financial_year_label(y1),
                    },
                ),
            );
        }
    }

    // (4) CSC spend vs funding, where funding is given.
    let mut fund_lines = Vec::new();
    // Scenarios that share their funding (options rarely change it) share one
    // funding line, named for all of them, rather than lines drawn on top of
    // each other.
    /// The scenarios sharing a funding line, the line and its colour.
    type SharedFunding = (Vec<String>, Vec<(i32, f64)>, usize);
    let mut fundings: Vec<SharedFunding> = Vec::new();
    for (i, r) in runs.iter().enumerate() {
        let funding = series(&r.rows, "funding_gbp", "total");
        if funding.is_empty() {
            continue;
        }
        fund_lines.push(
            Series::new(
                format!("Spend: {}", r.built.name),
                series(&r.rows, "csc_spend_gbp_cash", "total"),
                LineStyle::Dashed,
            )
            .with_colour(2 * i),
        );
        match fundings.iter_mut().find(|(_, f, _)| *f == funding) {
            Some((names, _, _)) => names.push(r.built.name.clone()),
            None => fundings.push((vec![r.built.name.clone()], funding, 2 * i + 1)),
        }
    }
    for (names, funding, colour) in fundings {
        fund_lines
            .push(Series::new(format!("Funding: {}", names.join(", ")), funding, LineStyle::Solid).with_colour(colour));
    }
    if !fund_lines.is_empty() {
        let published = series(&history, "csc_spend_gbp_cash", "total");
        if !published.is_empty() {
            fund_lines.insert(0, Series::new("Spend: published (S251)", published, LineStyle::Solid).with_colour(0));
        }
        push(
            "04_csc_spend_vs_funding",
            Chart::new(
                text(
                    format!("Children's social care spend and funding, {area}"),
                    format!("Scenarios {names}; cash; {DATA_VINTAGE}"),
                    "Financial year (ending 31 March)",
                    "£ per year (cash)",
                ),
                ValueFormat::MoneyGbp,
                ChartKind::Lines { series: fund_lines, bands: vec![] },
            ),
        );
    }

    // (4b) The funding gap: spend minus funding, where funding is given.
    let gap_lines: Vec<Series> = runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            Series::new(format!("Gap: {}", r.built.name), series(&r.rows, "gap_gbp", "total"), LineStyle::Dashed)
                .with_colour(2 * i)
        })
        .filter(|s| !s.points.is_empty())
        .collect();
    if !gap_lines.is_empty() {
        push(
            "04b_funding_gap",
            Chart::new(
                text(
                    format!("Children's social care funding gap, {area}"),
                    format!("Spend minus stated funding; scenarios {names}; cash; {DATA_VINTAGE}"),
                    "Financial year (ending 31 March)",
                    "Gap, £ per year (cash)",
                ),
                ValueFormat::MoneyGbp,
                ChartKind::Lines { series: gap_lines, bands: vec![] },
            ),
        );
    }

    // (5) Difference of each option from the base: children in care, spend on
    // them, and all children's social care spend (what `compare`'s NPV
    // discounts); only when every run covers the same years, since runs from
    // different start years differ by more than their options.
    if runs.len() >= 2 && crate::compare::different_years(runs.iter().map(|r| r.built)).is_none() {
        let base = &first.built.name;
        for (stem, measure, what, y_title, format) in [
            (
                "05a_difference_children_in_care",
                "children_in_care",
                "children looked after",
                "Difference (children)",
                ValueFormat::Count,
            ),
            (
                "05b_difference_cla_spend",
                "spend_gbp_cash",
                "children looked after spend",
                "Difference (£ per year, cash)",
                ValueFormat::MoneyGbp,
            ),
            (
                "05c_difference_csc_spend",
                "csc_spend_gbp_cash",
                "children's social care spend",
                "Difference (£ per year, cash)",
                ValueFormat::MoneyGbp,
            ),
        ] {
            let base_series = series(&first.rows, measure, "total");
            let diff_lines: Vec<Series> = runs
                .iter()
                .enumerate()
                .skip(1)
                .map(|(i, r)| {
                    let pts = series(&r.rows, measure, "total")
                        .into_iter()
                        .filter_map(|(y, v)| base_series.iter().find(|b| b.0 == y).map(|b| (y, v - b.1)))
                        .collect();
                    Series::new(r.built.name.clone(), pts, LineStyle::Dashed).with_colour(i)
                })
                .collect();
            push(
                stem,
                Chart::new(
                    text(
                        format!("Difference from {base} in {what}"),
                        format!("Options compared with {base} ({names}); {DATA_VINTAGE}"),
                        "Year (at 31 March; £ in the financial year ending then)",
                        y_title,
                    ),
                    format,
                    ChartKind::Lines { series: diff_lines, bands: vec![] },
                ),
            );
        }
    }
    out.sort_by(|a, b| a.stem.cmp(&b.stem));
    out
}

/// Writes every applicable chart into `dir` as `<stem>.png` / `<stem>.svg`;
/// returns the files written. With Monte Carlo `quantiles` (of the first
/// run) the children-in-care chart gets p05-p95 and p25-p75 fans and a CSC
/// spend chart with the same fans is added; without, nothing changes.
pub fn write_charts(
    dir: &Path,
    runs: &[(&Built, &Projection)],
    quantiles: Option<&Quantiles>,
    formats: Formats,
    size_px: (u32, u32),
) -> Result<Vec<PathBuf>> {
    write_named(dir, &build_charts(runs, quantiles, size_px), formats)
}

/// Writes already-built charts into `dir`; returns the files written.
pub fn write_named(dir: &Path, charts: &[NamedChart], formats: Formats) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut written = Vec::new();
    for c in charts {
        let files =
            c.chart.write(&dir.join(&c.stem), formats).with_context(|| format!("drawing chart `{}`", c.stem))?;
        written.extend(files);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::cost_growth;

    #[test]
    fn cost_growth_by_hand() {
        // Year 0: 100 weeks at £1,000 (foster) and 10 weeks at £5,000 (residential): £150,000.
        // Year 1: 110 weeks at £1,100 and 20 weeks at £5,500: £231,000.
        let g = cost_growth(&[100.0, 10.0], &[1000.0, 5000.0], &[110.0, 20.0], &[1100.0, 5500.0], 50_000.0, 60_000.0);
        assert_eq!(g.start, 200_000.0);
        assert_eq!(g.end, 291_000.0);
        // Weeks 110 -> 130: ratio 13/11; volume = (2/11) * 150,000.
        assert!((g.volume - 150_000.0 * 2.0 / 11.0).abs() < 1e-9);
        // At start prices year 1 weeks cost 110,000 + 100,000 = 210,000.
        assert!((g.mix - (210_000.0 - 150_000.0 * 13.0 / 11.0)).abs() < 1e-9);
        assert!((g.price - 21_000.0).abs() < 1e-9);
        assert_eq!(g.other, 10_000.0);
        let total = g.start + g.volume + g.mix + g.price + g.other;
        assert!((total - g.end).abs() < 1e-9, "steps add to {total}, end {}", g.end);
    }

    #[test]
    fn no_change_means_zero_steps() {
        let g = cost_growth(&[5.0, 7.0], &[2.0, 3.0], &[5.0, 7.0], &[2.0, 3.0], 1.0, 1.0);
        assert_eq!((g.volume, g.mix, g.price, g.other), (0.0, 0.0, 0.0, 0.0));
    }

    #[test]
    fn pure_volume_is_all_volume() {
        let g = cost_growth(&[5.0, 7.0], &[2.0, 3.0], &[10.0, 14.0], &[2.0, 3.0], 0.0, 0.0);
        assert!((g.volume - 31.0).abs() < 1e-12);
        assert!(g.mix.abs() < 1e-12 && g.price.abs() < 1e-12);
    }
}
