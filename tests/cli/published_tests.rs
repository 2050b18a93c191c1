//! The named scenarios against the published figures they reproduce
//! (seeds/published-figures.toml), by their stated methods. Where a scenario
//! misses the tolerance the issue set, the test pins the honest result and the
//! comment says so; README.md reports the same numbers.

use crate::common::{carecast, read_csv, tempdir, value};
use std::path::Path;

fn run(scenario: &str, dir: &Path, extra: &[&str]) -> Vec<Vec<String>> {
    let out_dir = dir.join(scenario);
    let out_arg = out_dir.to_string_lossy().to_string();
    let mut args = vec!["run", scenario, "--out", out_arg.as_str()];
    args.extend_from_slice(extra);
    let out = carecast(&args, dir);
    assert!(out.status.success(), "{scenario}: {}", String::from_utf8_lossy(&out.stderr));
    read_csv(&out_dir.join("projection.csv")).1
}

fn sum_lines(rows: &[Vec<String>], prefix: &str, years: std::ops::RangeInclusive<i32>) -> f64 {
    rows.iter()
        .filter(|r| r[2] == "spend_gbp_cash" && r[3].starts_with(prefix))
        .filter(|r| years.contains(&(r[1].parse::<f64>().unwrap() as i32)))
        .map(|r| r[4].parse::<f64>().unwrap())
        .sum()
}

/// CCN/Newton (2021): 95,000 children in care "by the end of 2025" and
/// +£2.1bn on children in care in 2025 vs 2020, by the stock-trend method.
#[test]
fn ccn_newton_2022_against_its_published_figures() {
    let dir = tempdir();
    let rows = run("ccn-newton-2022", dir.path(), &[]);
    // Spend: 2024-25 against the S251 outturn for 2019-20 (£5.28bn), +£2.1bn +/- 20%.
    let spend_2025 = value(&rows, "spend_gbp_cash", "total", 2025).unwrap();
    let increase = spend_2025 - 5_278_063_831.0;
    assert!((increase / 2.1e9 - 1.0).abs() <= 0.20, "increase £{:.2}bn", increase / 1e9);
    // Children in care at 31 March 2026 (read as the end of 2025): 95,000 +/- 3%.
    let cic = value(&rows, "children_in_care", "total", 2026).unwrap();
    assert!((cic / 95_000.0 - 1.0).abs() <= 0.03, "{cic}");
    // The stated path, computed independently: the 80,780 published at 31 March
    // 2021 grown at 3.06% a year for five years.
    assert!((cic - 80_780.0 * 1.0306f64.powi(5)).abs() < 1.0, "{cic}");
    // The rates explain only part of the growth: the rest is a reconciliation inflow.
    let recon = value(&rows, "reconciliation", "total", 2026).unwrap();
    assert!(recon > 0.0, "{recon}");
}

/// The flow-trend method (trends of the entry and exit rates) gives fewer
/// children: about 91,400 at 31 March 2026 (-3.8% against 95,000, outside the
/// 3% tolerance; README reports both methods). Spend +£2.1bn is met (+19%).
#[test]
fn ccn_newton_2022_flow_trend_method() {
    let dir = tempdir();
    let rows = run("ccn-newton-2022-flows", dir.path(), &[]);
    let cic = value(&rows, "children_in_care", "total", 2026).unwrap();
    assert!((cic / 95_000.0 - 1.0).abs() <= 0.06 && cic < 95_000.0 * 0.97, "{cic}");
    assert!(cic > 81_770.0 * 1.08, "the projection sits well above the outturn: {cic}");
    let increase = value(&rows, "spend_gbp_cash", "total", 2025).unwrap() - 5_278_063_831.0;
    assert!((increase / 2.1e9 - 1.0).abs() <= 0.20, "increase £{:.2}bn", increase / 1e9);
}

/// MacAlister "do nothing": approaching 100,000 around 2032 (met); CSC spend
/// over £15bn a year by about 2032 (missed: the remake crosses in 2028-29,
/// from the £11.1bn S251 outturn rather than the review's £10bn).
#[test]
fn macalister_do_nothing_against_its_published_figures() {
    let dir = tempdir();
    let rows = run("macalister-do-nothing", dir.path(), &[]);
    let cic_2032 = value(&rows, "children_in_care", "total", 2032).unwrap();
    assert!((95_000.0..=105_000.0).contains(&cic_2032), "{cic_2032}");
    // 2020-21 total is the S251 outturn, about £11bn.
    let csc_2021 = 11_061_260_183.0;
    let first_real_2022 = value(&rows, "csc_spend_gbp_real", "total", 2022).unwrap();
    assert!(first_real_2022 > csc_2021 && first_real_2022 < csc_2021 * 1.1, "{first_real_2022}");
    // First year real-terms CSC spend (2020-21 prices) exceeds £15bn: the issue
    // asks for 2030-2033 (years ending 31 March); with the aggregate unit cost
    // it crosses one to two years early (README: 2028-29), outside that window.
    let crossing = (2022..=2035).find(|y| value(&rows, "csc_spend_gbp_real", "total", *y).unwrap() > 15e9).unwrap();
    assert!((2028..2030).contains(&crossing), "crosses £15bn in {crossing}");
}

/// Stable Homes, Built on Love: £200m over 2023-24 and 2024-25, all counted as spend.
#[test]
fn stable_homes_package_totals() {
    let dir = tempdir();
    let rows = run("stable-homes-200m", dir.path(), &[]);
    let total = sum_lines(&rows, "line:programme_", 2024..=2025);
    assert!((total - 200e6).abs() < 1.0, "£{total}");
    // The named parts: £45m Families First + £61m allocated remainder = family help.
    assert!((sum_lines(&rows, "line:programme_family_help", 2024..=2025) - 106e6).abs() < 1.0);
    assert!((sum_lines(&rows, "line:programme_kinship_support", 2024..=2025) - 9e6).abs() < 1.0);
    assert!((sum_lines(&rows, "line:programme_foster_carer_recruitment", 2024..=2025) - 25e6).abs() < 1.0);
    assert!((sum_lines(&rows, "line:programme_family_finding", 2024..=2025) - 30e6).abs() < 1.0);
    assert_eq!(sum_lines(&rows, "line:programme_", 2026..=2033), 0.0);
    // Care leavers get more: leaving-care spend is above the baseline's.
    let base = run("baseline", dir.path(), &["--start-year", "2023", "--end-year", "2033"]);
    let l = |r: &[Vec<String>]| value(r, "spend_gbp_cash", "cost:leaving_care", 2026).unwrap();
    assert!(l(&rows) > l(&base));
    // Family help lowers entries in 2025-26 (one-year lag) but not by much.
    let s = |r: &[Vec<String>]| value(r, "starts", "total", 2026).unwrap();
    assert!(s(&rows) < s(&base) && s(&rows) > 0.95 * s(&base), "{} vs {}", s(&rows), s(&base));
}

/// MacAlister's package and Alma Economics' cost of delay.
#[test]
fn macalister_package_and_the_cost_of_delay() {
    let dir = tempdir();
    let on_time = run("macalister-2-6bn", dir.path(), &[]);
    let delayed = run("macalister-2-6bn-delayed", dir.path(), &[]);
    // The four-year phasing adds to £2,523m; about £2bn of it family help, £253m workforce.
    let total = sum_lines(&on_time, "line:programme_", 2024..=2027);
    assert!((total - 2_523e6).abs() < 0.5e6, "£{total}");
    assert!((sum_lines(&on_time, "line:programme_family_help", 2024..=2027) - 2_000e6).abs() < 0.5e6);
    assert!((sum_lines(&on_time, "line:programme_workforce", 2024..=2027) - 253e6).abs() < 0.5e6);
    // The delayed package spends the same, two years later.
    assert!((sum_lines(&delayed, "line:programme_", 2026..=2029) - total).abs() < 1.0);
    assert_eq!(sum_lines(&delayed, "line:programme_", 2024..=2025), 0.0);
    // The tuned effect: about 10,500 more children in care at 31 March 2028.
    let gap = value(&delayed, "children_in_care", "total", 2028).unwrap()
        - value(&on_time, "children_in_care", "total", 2028).unwrap();
    assert!((gap / 10_500.0 - 1.0).abs() <= 0.05, "gap {gap}");
    // Untuned: the ten-year cost of delay. Alma Economics said about £1bn net of
    // deferred programme costs; carecast's gross extra spend is about £4.3bn in cash
    // (README reports the miss). Pinned to £3bn-£5.5bn.
    let cost: f64 = (2024..=2033)
        .map(|y| {
            value(&delayed, "csc_spend_gbp_cash", "total", y).unwrap()
                - value(&on_time, "csc_spend_gbp_cash", "total", y).unwrap()
        })
        .sum();
    assert!((3e9..=5.5e9).contains(&cost), "cost of delay £{:.2}bn", cost / 1e9);
    // The decomposition the README gives: the number of extra child-years agrees with
    // Alma, their price does not. Alma's 20-year figure implies a net cost per extra
    // child-year of (£2.6bn - £1.0bn) / (10 years x 4,500 children)
    // (published-figures: alma_delay_cost_20yr, alma_delay_cost_10yr,
    // alma_delay_extra_cla_long_run). carecast's extra child-years (year-end gaps
    // summed) at that price land within Alma's £1bn ±30%.
    let extra_child_years: f64 = (2024..=2033)
        .map(|y| {
            value(&delayed, "children_in_care", "total", y).unwrap()
                - value(&on_time, "children_in_care", "total", y).unwrap()
        })
        .sum();
    let alma_price_gbp = (2.6e9 - 1.0e9) / (10.0 * 4_500.0);
    let at_alma_price = extra_child_years * alma_price_gbp;
    assert!(
        (at_alma_price / 1e9 - 1.0).abs() <= 0.3,
        "{extra_child_years:.0} child-years at £{alma_price_gbp:.0} = £{:.2}bn",
        at_alma_price / 1e9
    );
    // carecast's own price of an extra child-year is several times Alma's.
    assert!(cost / extra_child_years > 3.0 * alma_price_gbp, "£{:.0} a child-year", cost / extra_child_years);
}
