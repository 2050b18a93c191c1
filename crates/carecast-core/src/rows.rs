//! Tidy long-form rows (`scenario,year,measure,breakdown,value`) from a
//! projection, by financial year and by quarter.
//!
//! This is the one place that names measures and breakdowns; every writer (CSV,
//! Excel, charts, summaries) reads these rows. It is not a writer itself.

use crate::model::Dimensions;
use crate::sim::{Projection, QUARTERS, YearResult};
use serde::Serialize;

/// One tidy output row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Scenario name.
    pub scenario: String,
    /// Year ending 31 March (stocks at that date; flows and money in that financial year).
    pub year: i32,
    /// Measure id, e.g. `children_in_care`, `spend_gbp_cash`.
    pub measure: &'static str,
    /// `total`, `placement:<id>`, `age:<id>`, `reason:<id>` or `line:<id>`.
    pub breakdown: String,
    /// The value (children, or £ for money measures).
    pub value: f64,
}

/// Id of the children-looked-after spend line.
pub const CLA_LINE: &str = "children_looked_after";

/// Turns a projection into tidy rows in a stable order.
pub fn rows(scenario: &str, dims: &Dimensions, projection: &Projection) -> Vec<Row> {
    let mut out = Vec::new();
    for y in &projection.years {
        year_cells(dims, y, &mut |measure, breakdown, value| {
            out.push(Row { scenario: scenario.to_string(), year: y.year, measure, breakdown: breakdown(), value });
        });
    }
    out
}

/// The measures and values of [`rows`], in the same order, without building
/// the breakdown names (for Monte Carlo draws, which need only the values).
pub fn values(dims: &Dimensions, projection: &Projection) -> (Vec<&'static str>, Vec<f64>) {
    // Room for a typical year's cells, so the vectors rarely grow.
    let guess = projection.years.len() * (32 + 4 * dims.n_placements() * dims.n_bands());
    let (mut measures, mut out) = (Vec::with_capacity(guess), Vec::with_capacity(guess));
    for y in &projection.years {
        year_cells(dims, y, &mut |measure, _, value| {
            measures.push(measure);
            out.push(value);
        });
    }
    (measures, out)
}

/// Every cell of one year to `sink`: measure, a builder of its breakdown
/// name (called only by writers that need it), value. Generic over the sink,
/// so [`values`] compiles to stores with no call a cell.
fn year_cells(dims: &Dimensions, y: &YearResult, sink: &mut impl FnMut(&'static str, &dyn Fn() -> String, f64)) {
    let np = dims.n_placements();
    let nr = dims.n_reasons();
    let mut push = |measure: &'static str, breakdown: &dyn Fn() -> String, value: f64| sink(measure, breakdown, value);
    let by_band = |v: &[f64], width: usize, b: usize| -> f64 { v[b * width..(b + 1) * width].iter().sum() };
    let by_place = |v: &[f64], p: usize| -> f64 { (0..dims.n_bands()).map(|b| v[b * np + p]).sum() };

    push("children_in_care", &|| "total".into(), y.children_in_care());
    for (p, id) in dims.placements.iter().enumerate() {
        push("children_in_care", &|| format!("placement:{id}"), by_place(&y.stock, p));
    }
    for (b, band) in dims.age_bands.iter().enumerate() {
        push("children_in_care", &|| format!("age:{}", band.id), by_band(&y.stock, np, b));
    }
    push("care_leavers", &|| "total".into(), y.care_leavers);
    if y.is_start {
        return;
    }
    push("starts", &|| "total".into(), y.starts_total());
    for (p, id) in dims.placements.iter().enumerate() {
        push("starts", &|| format!("placement:{id}"), by_place(&y.starts, p));
    }
    for (b, band) in dims.age_bands.iter().enumerate() {
        push("starts", &|| format!("age:{}", band.id), by_band(&y.starts, np, b));
    }
    push("ceased", &|| "total".into(), y.ceased_total());
    for k in 0..=nr {
        let id = dims.exit_reasons.get(k).unwrap_or(&dims.ageing_out_reason);
        let v: f64 = (0..dims.n_bands()).map(|b| y.ceased[b * (nr + 1) + k]).sum();
        push("ceased", &|| format!("reason:{id}"), v);
    }
    for (b, band) in dims.age_bands.iter().enumerate() {
        push("ceased", &|| format!("age:{}", band.id), by_band(&y.ceased, nr + 1, b));
    }
    push("reconciliation", &|| "total".into(), y.reconciliation.iter().sum());
    push("placement_moves", &|| "total".into(), y.moves.iter().sum());
    for (p, id) in dims.placements.iter().enumerate() {
        push("weekly_cost_gbp", &|| format!("placement:{id}"), y.weekly_cost_gbp[p]);
    }
    for (measure, scale) in [("spend_gbp_cash", 1.0), ("spend_gbp_real", 1.0 / y.deflator)] {
        push(measure, &|| "total".into(), y.spend_cla_gbp() * scale);
        for (p, id) in dims.placements.iter().enumerate() {
            push(measure, &|| format!("placement:{id}"), y.spend_placements_gbp[p] * scale);
        }
        push(measure, &|| "cost:other_looked_after".into(), y.spend_other_cla_gbp * scale);
        push(measure, &|| "cost:leaving_care".into(), y.spend_leaving_care_gbp * scale);
        push(measure, &|| format!("line:{CLA_LINE}"), y.spend_cla_gbp() * scale);
        for (l, id) in dims.other_spend_lines.iter().enumerate() {
            push(measure, &|| format!("line:{id}"), y.spend_other_lines_gbp[l] * scale);
        }
    }
    if let Some(fte) = y.social_workers_fte {
        push("social_workers_fte", &|| "total".into(), fte);
    }
    push("csc_spend_gbp_cash", &|| "total".into(), y.spend_total_gbp());
    push("csc_spend_gbp_real", &|| "total".into(), y.spend_total_gbp() / y.deflator);
    if y.funding_gbp > 0.0 {
        push("funding_gbp", &|| "total".into(), y.funding_gbp);
        push("gap_gbp", &|| "total".into(), y.spend_total_gbp() - y.funding_gbp);
    }
}

/// One tidy quarterly row: a [`Row`] for one quarter of a financial year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuarterRow {
    /// Scenario name.
    pub scenario: String,
    /// Year ending 31 March that the quarter belongs to.
    pub year: i32,
    /// Quarter of the financial year, 1 (April to June) to 4 (January to March).
    pub quarter: usize,
    /// Measure id, as in [`Row`].
    pub measure: &'static str,
    /// Breakdown, as in [`Row`].
    pub breakdown: String,
    /// Children at the quarter's end, or £ in the quarter.
    pub value: f64,
}

impl QuarterRow {
    /// The quarter's last day, `YYYY-MM-DD`: 30 June, 30 September and 31
    /// December of the year before [`QuarterRow::year`], then 31 March.
    pub fn period_end(&self) -> String {
        match self.quarter {
            1 => format!("{}-06-30", self.year - 1),
            2 => format!("{}-09-30", self.year - 1),
            3 => format!("{}-12-31", self.year - 1),
            _ => format!("{}-03-31", self.year),
        }
    }
}

/// The quarterly rows of a projection's simulated years, quarter by quarter:
/// children in care at the quarter's end (total and by placement), spend on
/// children looked after in the quarter (total, by placement, other costs and
/// leaving care) and total children's social care spend, all cash. The
/// measures and breakdowns are named as in [`rows`]; the quarters' flows add
/// up to the year's (to rounding), and the fourth quarter's stock is the
/// year's.
pub fn quarter_rows(scenario: &str, dims: &Dimensions, projection: &Projection) -> Vec<QuarterRow> {
    let np = dims.n_placements();
    let mut out = Vec::new();
    for y in projection.years.iter().filter(|y| !y.is_start) {
        for q in 0..QUARTERS {
            let mut push = |measure: &'static str, breakdown: String, value: f64| {
                out.push(QuarterRow {
                    scenario: scenario.to_string(),
                    year: y.year,
                    quarter: q + 1,
                    measure,
                    breakdown,
                    value,
                });
            };
            let stock = &y.quarter_stock_by_place[q * np..(q + 1) * np];
            push("children_in_care", "total".into(), stock.iter().sum());
            for (id, v) in dims.placements.iter().zip(stock) {
                push("children_in_care", format!("placement:{id}"), *v);
            }
            push("spend_gbp_cash", "total".into(), y.quarter_spend_cla_gbp(q));
            for (id, v) in dims.placements.iter().zip(y.quarter_spend_placements_gbp(q)) {
                push("spend_gbp_cash", format!("placement:{id}"), v);
            }
            push("spend_gbp_cash", "cost:other_looked_after".into(), y.quarter_spend_other_cla_gbp(q));
            push("spend_gbp_cash", "cost:leaving_care".into(), y.quarter_spend_leaving_care_gbp(q));
            push("csc_spend_gbp_cash", "total".into(), y.quarter_spend_total_gbp(q));
        }
    }
    out
}
