//! `carecast backtest`: calibrate with data to a past 31 March only, project,
//! and compare with the published outturn and two naive forecasts.
//! Expected values are published figures (seeds/published-figures.toml) and
//! arithmetic done here, not by the binary.

use crate::common::{carecast, read_csv, tempdir};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const HEADER: &str =
    "area,origin_year,year,horizon,actual,forecast,p05,p25,p50,p75,p95,naive_last,naive_trend,forecast_damped";

/// Published children in care in England at 31 March 2015-2022 (DfE).
const ENGLAND_2015_2022: [f64; 8] = [69_470.0, 70_410.0, 72_610.0, 75_360.0, 78_140.0, 80_000.0, 80_780.0, 82_090.0];
/// Published children in care in England at 31 March 2023, 2024, 2025 (DfE).
const ENGLAND_2023_2025: [f64; 3] = [83_750.0, 83_530.0, 81_770.0];

/// The bundled published series, read here independently of the binary.
pub(crate) struct Published {
    /// (area, year) -> (children in care at 31 March, starts, ceased); None if suppressed.
    pub headline: BTreeMap<(String, i32), [Option<f64>; 3]>,
    /// (area, mid-year) -> children aged 0-17.
    pub population: BTreeMap<(String, i32), f64>,
    /// ONS codes of the councils (level `la` in seeds/areas.csv).
    pub councils: Vec<String>,
}

impl Published {
    pub(crate) fn read() -> Published {
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        let (h, rows) = read_csv(&seeds.join("cla_headline.csv"));
        let headline = rows
            .iter()
            .map(|r| {
                let v = |name: &str| r[col(&h, name)].parse::<f64>().ok();
                ((r[0].clone(), num(&r[1]) as i32), [v("cla_at_31_march"), v("starts"), v("ceased")])
            })
            .collect();
        let (_, rows) = read_csv(&seeds.join("population_0_17.csv"));
        let population =
            rows.iter().filter_map(|r| Some(((r[0].clone(), num(&r[1]) as i32), r[2].parse::<f64>().ok()?))).collect();
        let (h, rows) = read_csv(&seeds.join("areas.csv"));
        let councils = rows.iter().filter(|r| r[col(&h, "level")] == "la").map(|r| r[0].clone()).collect();
        Published { headline, population, councils }
    }

    /// A headline figure (0 stock, 1 starts, 2 ceased), if published.
    pub(crate) fn get(&self, area: &str, year: i32, i: usize) -> Option<f64> {
        self.headline.get(&(area.to_string(), year)).and_then(|v| v[i])
    }

    pub(crate) fn pop(&self, area: &str, mid_year: i32) -> Option<f64> {
        self.population.get(&(area.to_string(), mid_year)).copied().filter(|p| *p > 0.0)
    }
}

/// The damping the README states, recomputed: over every council and every origin t
/// from 2016 with t + h <= `origin`, hold the year-t starts per child and ceased per
/// mean stock, run the stock forward h years in monthly steps, and regress the
/// realised log change on the predicted one through the origin; clamp to [0, 1].
fn damping_by_hand(p: &Published, origin: i32, h: i32) -> f64 {
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for c in &p.councils {
        for t in 2016..=origin - h {
            let (Some(s0), Some(prev), Some(starts), Some(ceased), Some(pop0), Some(s_h)) = (
                p.get(c, t, 0),
                p.get(c, t - 1, 0),
                p.get(c, t, 1),
                p.get(c, t, 2),
                p.pop(c, t - 1),
                p.get(c, t + h, 0),
            ) else {
                continue;
            };
            if s0 <= 0.0 || s_h <= 0.0 || prev + s0 <= 0.0 {
                continue;
            }
            let hazard = ceased / ((prev + s0) / 2.0);
            let mut stock = s0;
            let mut complete = true;
            for k in 1..=h {
                let Some(pop) = p.pop(c, t + k - 1) else {
                    complete = false;
                    break;
                };
                let entries = starts / pop0 * pop;
                for _ in 0..12 {
                    stock = stock * (1.0 - hazard / 12.0) + entries / 12.0;
                }
            }
            if complete && stock > 0.0 {
                let (x, y) = ((stock / s0).ln(), (s_h / s0).ln());
                sxy += x * y;
                sxx += x * x;
            }
        }
    }
    (sxy / sxx).clamp(0.0, 1.0)
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// Least-squares line through (year, value), evaluated at `at`.
fn trend_at(points: &[(f64, f64)], at: f64) -> f64 {
    let n = points.len() as f64;
    let (sx, sy) = points.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
    let (sxx, sxy) = points.iter().fold((0.0, 0.0), |a, p| (a.0 + p.0 * p.0, a.1 + p.0 * p.1));
    let slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    let intercept = (sy - slope * sx) / n;
    intercept + slope * at
}

#[test]
fn national_backtest_against_published_and_naive_forecasts() {
    let dir = tempdir();
    let o =
        carecast(&["backtest", "--train-until", "2022", "--horizon", "3", "--out", "bt", "--draws", "0"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = dir.path().join("bt");
    let text = std::fs::read_to_string(out.join("backtest.csv")).unwrap();
    assert_eq!(text.lines().next().unwrap(), HEADER);
    let (h, rows) = read_csv(&out.join("backtest.csv"));
    assert_eq!(rows.len(), 3, "{rows:?}");
    let points: Vec<(f64, f64)> = (2015..=2022).zip(ENGLAND_2015_2022).map(|(y, v)| (f64::from(y), v)).collect();
    for ((r, year), actual) in rows.iter().zip(2023..=2025).zip(ENGLAND_2023_2025) {
        assert_eq!(r[col(&h, "area")], "E92000001");
        assert_eq!(num(&r[col(&h, "origin_year")]), 2022.0);
        assert_eq!(num(&r[col(&h, "year")]), f64::from(year));
        assert_eq!(num(&r[col(&h, "horizon")]), f64::from(year - 2022));
        assert_eq!(num(&r[col(&h, "actual")]), actual, "{year}");
        assert_eq!(num(&r[col(&h, "naive_last")]), 82_090.0, "{year}");
        let trend = trend_at(&points, f64::from(year));
        assert!((num(&r[col(&h, "naive_trend")]) - trend).abs() < 1e-6, "{year}: {} vs {trend}", r[12]);
        // The model projects from the published 2022 stock: a plausible number, not a copy of a naive one.
        let f = num(&r[col(&h, "forecast")]);
        assert!((60_000.0..110_000.0).contains(&f), "{year}: {f}");
        for p in ["p05", "p25", "p50", "p75", "p95"] {
            assert_eq!(r[col(&h, p)], "", "{p} should be empty with --draws 0");
        }
    }
    let (sh, srows) = read_csv(&out.join("summary.csv"));
    let h1 = srows.iter().find(|r| num(&r[col(&sh, "horizon")]) == 1.0).expect("horizon 1");
    let expected = (82_090.0f64 - 83_750.0).abs() / 83_750.0;
    assert!((num(&h1[col(&sh, "mape_naive_last")]) - expected).abs() < 1e-12, "{h1:?}");
    let model_h1 = (num(&rows[0][col(&h, "forecast")]) - 83_750.0).abs() / 83_750.0;
    assert!((num(&h1[col(&sh, "mape_model")]) - model_h1).abs() < 1e-12);
    assert_eq!(num(&h1[col(&sh, "areas")]), 1.0);
    assert_eq!(srows.len(), 3);
    // The chart, with the CCN/Newton projection on the same axes.
    assert!(out.join("backtest.png").is_file());
    let svg = std::fs::read_to_string(out.join("backtest.svg")).unwrap();
    assert!(svg.contains("CCN/Newton"), "no CCN/Newton series in the chart");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("no uncertainty bands"), "{stdout}");
}

#[test]
fn council_backtest_runs() {
    let dir = tempdir();
    let o = carecast(&["backtest", "--la", "Blackpool", "--train-until", "2022", "--out", "bp"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (h, rows) = read_csv(&dir.path().join("bp/backtest.csv"));
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r[col(&h, "area")] == "E06000009"));
    // Blackpool's published children in care at 31 March 2025: 531.
    let r2025 = rows.iter().find(|r| r[col(&h, "year")] == "2025").unwrap();
    assert_eq!(num(&r2025[col(&h, "actual")]), 531.0);
    assert!(dir.path().join("bp/backtest.svg").is_file());
    // Monte Carlo bands (100 draws by default): ordered, around the forecast.
    for r in &rows {
        let q: Vec<f64> = ["p05", "p25", "p50", "p75", "p95"].iter().map(|p| num(&r[col(&h, p)])).collect();
        assert!(q.windows(2).all(|w| w[0] <= w[1]), "{q:?}");
        let f = num(&r[col(&h, "forecast")]);
        assert!(q[0] < f && f < q[4], "forecast {f} outside its 90% band {q:?}");
        assert!(q[4] - q[0] > 0.0);
    }
    // Coverage in summary.csv, counted again here from backtest.csv.
    let (sh, srows) = read_csv(&dir.path().join("bp/summary.csv"));
    for s in &srows {
        let horizon = &s[col(&sh, "horizon")];
        let at: Vec<&Vec<String>> = rows.iter().filter(|r| &r[col(&h, "horizon")] == horizon).collect();
        let inside = |lo: &str, hi: &str| {
            at.iter()
                .filter(|r| {
                    let a = num(&r[col(&h, "actual")]);
                    num(&r[col(&h, lo)]) <= a && a <= num(&r[col(&h, hi)])
                })
                .count() as f64
                / at.len() as f64
        };
        assert_eq!(num(&s[col(&sh, "coverage_50")]), inside("p25", "p75"), "horizon {horizon}");
        assert_eq!(num(&s[col(&sh, "coverage_90")]), inside("p05", "p95"), "horizon {horizon}");
        assert_eq!(num(&s[col(&sh, "forecasts_with_bands")]), at.len() as f64);
        // The damped forecast's error (one council: its mean is also the median council's).
        let damped: Vec<f64> = at
            .iter()
            .map(|r| {
                (num(&r[col(&h, "forecast_damped")]) - num(&r[col(&h, "actual")])).abs() / num(&r[col(&h, "actual")])
            })
            .collect();
        let mean = damped.iter().sum::<f64>() / damped.len() as f64;
        assert!((num(&s[col(&sh, "mape_model_damped")]) - mean).abs() < 1e-12, "horizon {horizon}");
        assert!((num(&s[col(&sh, "median_area_ape_model_damped")]) - mean).abs() < 1e-12, "horizon {horizon}");
    }
    // The damped forecast: the model's change from the last value raised to a power
    // estimated on the published series to 2022 only, recomputed here.
    let published = Published::read();
    let mut betas = Vec::new();
    for r in &rows {
        let hz = num(&r[col(&h, "horizon")]) as i32;
        let beta = damping_by_hand(&published, 2022, hz);
        let (last, f) = (num(&r[col(&h, "naive_last")]), num(&r[col(&h, "forecast")]));
        let want = last * (f / last).powf(beta);
        let got = num(&r[col(&h, "forecast_damped")]);
        assert!((got - want).abs() <= 1e-9 * want, "horizon {hz}: {got} vs {want} (beta {beta})");
        betas.push(beta);
    }
    // Only part of the change the rates predict did happen in the training years.
    assert!(betas.iter().all(|b| (0.05..0.8).contains(b)), "{betas:?}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains(&format!("damped: the model's change times {:.2}", betas[0])), "{stdout}");
    // The bands widen with the horizon (the structural shocks add up like a random walk).
    let width: Vec<f64> = rows.iter().map(|r| (num(&r[col(&h, "p95")]) / num(&r[col(&h, "p05")])).ln()).collect();
    assert!(width.windows(2).all(|w| w[0] < w[1]), "{width:?}");
}

#[test]
fn bad_cut_off_is_a_usage_error() {
    let dir = tempdir();
    let o = carecast(&["backtest", "--train-until", "2025", "--out", "x"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--train-until"));
    assert!(!dir.path().join("x").exists());
}

#[test]
fn every_council_backtest_with_median_error() {
    let dir = tempdir();
    let o = carecast(
        &["backtest", "--all-las", "--train-until", "2023", "--horizon", "2", "--out", "all", "-q", "--draws", "0"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = dir.path().join("all");
    let (h, rows) = read_csv(&out.join("backtest.csv"));
    let areas: BTreeSet<&str> = rows.iter().map(|r| r[col(&h, "area")].as_str()).collect();
    assert!(areas.len() >= 140, "{} councils", areas.len());
    assert!(!areas.contains("E92000001"), "England is not a council");

    // naive_last is each council's published 2023 stock (seeds/cla_headline.csv).
    let (_, headline) = read_csv(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/cla_headline.csv"));
    let published: BTreeMap<(String, String), f64> =
        headline.iter().filter_map(|r| r[2].parse().ok().map(|v| ((r[0].clone(), r[1].clone()), v))).collect();
    let mut checked = 0;
    for r in &rows {
        if let Some(v) = published.get(&(r[col(&h, "area")].clone(), "2023".into())) {
            assert_eq!(num(&r[col(&h, "naive_last")]), *v, "{r:?}");
            checked += 1;
        }
    }
    assert!(checked >= 140);

    // The median council's error for the last value at horizon 1, computed here.
    let mut apes: Vec<f64> = rows
        .iter()
        .filter(|r| r[col(&h, "horizon")] == "1" && !r[col(&h, "actual")].is_empty())
        .map(|r| {
            let a = num(&r[col(&h, "actual")]);
            (num(&r[col(&h, "naive_last")]) - a).abs() / a
        })
        .collect();
    apes.sort_by(f64::total_cmp);
    let n = apes.len();
    let median = if n % 2 == 1 { apes[n / 2] } else { (apes[n / 2 - 1] + apes[n / 2]) / 2.0 };
    let (sh, srows) = read_csv(&out.join("summary.csv"));
    assert_eq!(srows.len(), 2);
    let h1 = srows.iter().find(|r| r[col(&sh, "horizon")] == "1").unwrap();
    assert!(num(&h1[col(&sh, "areas")]) >= 140.0);
    assert!((num(&h1[col(&sh, "median_area_ape_naive_last")]) - median).abs() < 1e-12, "{h1:?} vs {median}");
    for c in ["median_area_ape_model", "median_area_ape_naive_trend", "mape_model"] {
        let v = num(&h1[col(&sh, c)]);
        assert!(v.is_finite() && (0.0..1.0).contains(&v), "{c}: {v}");
    }
    // Councils without breakdowns for the cut-off are skipped with a reason, not a failure.
    if out.join("skipped.csv").exists() {
        let (kh, krows) = read_csv(&out.join("skipped.csv"));
        assert!(krows.iter().all(|r| !r[col(&kh, "reason")].is_empty()));
    }
}
