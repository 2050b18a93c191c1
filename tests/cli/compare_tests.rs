//! `carecast compare` end to end: every expectation is recomputed here from the
//! scenarios' own `projection.csv` files (written by `carecast run`), never
//! from the comparison code.

use crate::common::{carecast, read_csv, tempdir, value};
use std::path::Path;

const START: i32 = 2025;
const END: i32 = 2035;

/// A child of the baseline with its own name and population growth.
fn option_toml(dir: &Path, file: &str, name: &str, growth: f64, low: f64, high: f64) {
    let text = format!(
        "extends = \"baseline\"\n[scenario]\nname = \"{name}\"\ntitle = \"test option {name}\"\narea = \"E92000001\"\nstart_year = {START}\nend_year = {END}\n[population]\nbase_mid_year = 2024\nannual_growth = {{ value = {growth}, low = {low}, high = {high}, source = \"test\" }}\n"
    );
    std::fs::write(dir.join(file), text).unwrap();
}

fn lowpop(dir: &Path) {
    option_toml(dir, "lowpop.toml", "lowpop", -0.01, -0.02, 0.0);
}

/// Runs `carecast run SCENARIO --out DIR` and returns the tidy projection rows.
fn projection(dir: &Path, scenario: &str, out: &str) -> Vec<Vec<String>> {
    let o = carecast(&["run", scenario, "--out", out, "--quiet"], dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    read_csv(&dir.join(out).join("projection.csv")).1
}

fn total(rows: &[Vec<String>], measure: &str, year: i32) -> f64 {
    value(rows, measure, "total", year).unwrap_or_else(|| panic!("{measure} {year} in projection.csv"))
}

/// Runs `carecast compare` and returns (stdout, rows of comparison.csv).
fn compare(dir: &Path, args: &[&str], out: &str) -> (String, Vec<Vec<String>>) {
    let mut all = vec!["compare"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out]);
    let o = carecast(&all, dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (header, rows) = read_csv(&dir.join(out).join("comparison.csv"));
    let draws = args.contains(&"--draws");
    let mut want = vec!["option", "measure", "year", "value"];
    if draws {
        want.extend(["p05", "p25", "p50", "p75", "p95"]);
    }
    assert_eq!(header, want, "percentile columns with --draws only");
    (String::from_utf8_lossy(&o.stdout).into_owned(), rows)
}

/// The one whole-horizon value of (option, measure): year empty.
fn whole(rows: &[Vec<String>], option: &str, measure: &str) -> f64 {
    let found: Vec<_> = rows.iter().filter(|r| r[0] == option && r[1] == measure).collect();
    assert_eq!(found.len(), 1, "one {measure} row for {option}");
    assert_eq!(found[0][2], "", "{measure} has no year");
    found[0][3].parse().unwrap_or_else(|_| panic!("{measure} for {option}: `{}`", found[0][3]))
}

fn yearly(rows: &[Vec<String>], option: &str, measure: &str, year: i32) -> f64 {
    let found: Vec<_> = rows.iter().filter(|r| r[0] == option && r[1] == measure && r[2] == year.to_string()).collect();
    assert_eq!(found.len(), 1, "one {measure} {year} row for {option}");
    found[0][3].parse().unwrap()
}

fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs().max(1.0)
}

/// Green Book NPV of the real-terms CSC spend difference, to the first projection year.
fn npv(base: &[Vec<String>], option: &[Vec<String>]) -> f64 {
    (START + 1..=END)
        .map(|y| {
            let d = total(option, "csc_spend_gbp_real", y) - total(base, "csc_spend_gbp_real", y);
            d / 1.035f64.powi(y - START - 1)
        })
        .sum()
}

/// Child-years in care avoided (base minus option), trapezium of 31 March stocks.
fn child_years_avoided(base: &[Vec<String>], option: &[Vec<String>]) -> f64 {
    let avg = |rows: &[Vec<String>], y: i32| {
        0.5 * (total(rows, "children_in_care", y - 1) + total(rows, "children_in_care", y))
    };
    (START + 1..=END).map(|y| avg(base, y) - avg(option, y)).sum()
}

#[test]
fn npv_matches_a_discounted_sum_of_the_projections() {
    let dir = tempdir();
    lowpop(dir.path());
    let base = projection(dir.path(), "baseline", "base");
    let low = projection(dir.path(), "lowpop.toml", "low");
    let (stdout, rows) = compare(dir.path(), &["baseline", "lowpop.toml"], "cmp");
    let want = npv(&base, &low);
    let got = whole(&rows, "lowpop", "npv_cost_gbp");
    assert!((got - want).abs() <= 1e-6 * want.abs(), "npv {got} vs {want}");
    assert!(want != 0.0);
    // Cumulative differences are the sums of the yearly ones.
    let cum = |m: &str| -> f64 { (START + 1..=END).map(|y| total(&low, m, y) - total(&base, m, y)).sum() };
    for (measure, from) in [
        ("cumulative_csc_spend_gbp_cash_vs_base", "csc_spend_gbp_cash"),
        ("cumulative_csc_spend_gbp_real_vs_base", "csc_spend_gbp_real"),
    ] {
        let (got, want) = (whole(&rows, "lowpop", measure), cum(from));
        assert!(close(got, want, 1e-9), "{measure}: {got} vs {want}");
    }
    // Yearly rows for base and option reproduce their projections.
    for y in START + 1..=END {
        for m in ["children_in_care", "spend_gbp_cash", "csc_spend_gbp_cash", "csc_spend_gbp_real"] {
            assert!(close(yearly(&rows, "baseline", m, y), total(&base, m, y), 1e-12), "base {m} {y}");
            assert!(close(yearly(&rows, "lowpop", m, y), total(&low, m, y), 1e-12), "lowpop {m} {y}");
        }
    }
    assert!(!rows.iter().any(|r| r[2] == START.to_string()), "only projection years");
    assert!(stdout.contains("baseline") && stdout.contains("2035"), "title names base and years:\n{stdout}");
}

#[test]
fn differences_are_option_minus_base_and_self_comparison_is_zero() {
    let dir = tempdir();
    lowpop(dir.path());
    let base = projection(dir.path(), "baseline", "base");
    let low = projection(dir.path(), "lowpop.toml", "low");
    let (_, rows) = compare(dir.path(), &["baseline", "lowpop.toml"], "cmp");
    for y in START + 1..=END {
        let want = total(&low, "children_in_care", y) - total(&base, "children_in_care", y);
        let got = yearly(&rows, "lowpop", "children_in_care_vs_base", y);
        assert!(close(got, want, 1e-9), "children_in_care_vs_base {y}: {got} vs {want}");
        let want = total(&low, "csc_spend_gbp_cash", y) - total(&base, "csc_spend_gbp_cash", y);
        let got = yearly(&rows, "lowpop", "csc_spend_gbp_cash_vs_base", y);
        assert!(close(got, want, 1e-9), "csc_spend_gbp_cash_vs_base {y}: {got} vs {want}");
    }
    assert!(
        !rows.iter().any(|r| r[0] == "baseline" && (r[1].ends_with("_vs_base") || r[1] == "npv_cost_gbp")),
        "the base has no comparison rows"
    );

    let (_, same) = compare(dir.path(), &["baseline", "baseline"], "self");
    assert_eq!(whole(&same, "baseline", "npv_cost_gbp"), 0.0);
    assert_eq!(whole(&same, "baseline", "child_years_in_care_avoided"), 0.0);
    let cost = same.iter().find(|r| r[0] == "baseline" && r[1] == "cost_per_child_year_avoided_gbp").unwrap();
    assert_eq!(cost[3], "", "no cost per child-year when none are avoided");
    assert!(
        !same.iter().chain(&rows).any(|r| r[1].starts_with("probability_") || r[1].starts_with("npv_cost_gbp_p")),
        "no Monte Carlo measures without --draws"
    );
}

#[test]
fn child_years_avoided_is_the_trapezium_sum() {
    let dir = tempdir();
    lowpop(dir.path());
    let base = projection(dir.path(), "baseline", "base");
    let low = projection(dir.path(), "lowpop.toml", "low");
    let (_, rows) = compare(dir.path(), &["baseline", "lowpop.toml"], "cmp");
    let want = child_years_avoided(&base, &low);
    let got = whole(&rows, "lowpop", "child_years_in_care_avoided");
    assert!(close(got, want, 1e-9), "child-years {got} vs {want}");
    assert!(got > 0.0, "a smaller child population avoids child-years in care: {got}");
    let npv = whole(&rows, "lowpop", "npv_cost_gbp");
    assert!(npv < 0.0, "and costs less: {npv}");
    let per = whole(&rows, "lowpop", "cost_per_child_year_avoided_gbp");
    assert!(close(per, npv / got, 1e-9), "cost per child-year {per}");
    // Savings every year from the first: payback in the first projection year.
    assert_eq!(whole(&rows, "lowpop", "payback_year"), f64::from(START + 1));
}

#[test]
fn options_are_ranked_and_bad_arguments_leave_no_output() {
    let dir = tempdir();
    lowpop(dir.path());
    option_toml(dir.path(), "highpop.toml", "highpop", 0.01, 0.0, 0.02);
    // Given in the opposite order to the expected ranking.
    let (stdout, rows) = compare(dir.path(), &["baseline", "highpop.toml", "lowpop.toml"], "cmp");
    let (n_high, n_low) = (whole(&rows, "highpop", "npv_cost_gbp"), whole(&rows, "lowpop", "npv_cost_gbp"));
    assert!(n_low < 0.0 && n_high > 0.0, "{n_low} {n_high}");
    let line_of = |name: &str| stdout.lines().position(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{stdout}"));
    assert!(line_of("lowpop") < line_of("highpop"), "ascending NPV:\n{stdout}");
    // Ranked by child-years avoided (most first) the order is the same.
    let (stdout, _) = compare(
        dir.path(),
        &["baseline", "highpop.toml", "lowpop.toml", "--rank-by", "child_years_in_care_avoided"],
        "cmp2",
    );
    let line_of = |name: &str| stdout.lines().position(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{stdout}"));
    assert!(line_of("lowpop") < line_of("highpop"), "most child-years avoided first:\n{stdout}");

    // An invalid --rank-by names the valid measures.
    let o = carecast(&["compare", "baseline", "lowpop.toml", "--rank-by", "npv", "--out", "bad1"], dir.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    for m in ["npv_cost_gbp", "child_years_in_care_avoided", "payback_year", "cumulative_csc_spend_gbp_cash_vs_base"] {
        assert!(err.contains(m), "expected `{m}` in:\n{err}");
    }
    assert!(!dir.path().join("bad1/comparison.csv").exists());

    // Two options with the same name.
    option_toml(dir.path(), "lowpop2.toml", "lowpop", -0.015, -0.02, 0.0);
    let o = carecast(&["compare", "baseline", "lowpop.toml", "lowpop2.toml", "--out", "bad2"], dir.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("lowpop") && err.contains("distinct"), "{err}");
    assert!(!dir.path().join("bad2/comparison.csv").exists());

    // An unknown scenario.
    let o = carecast(&["compare", "baseline", "no_such_option", "--out", "bad3"], dir.path());
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no_such_option"));
    assert!(!dir.path().join("bad3/comparison.csv").exists());
}

#[test]
fn a_namesake_of_the_base_and_another_area_are_refused() {
    let dir = tempdir();
    // A different file named as the base (the base against itself stays allowed).
    option_toml(dir.path(), "namesake.toml", "baseline", -0.015, -0.02, 0.0);
    let o = carecast(&["compare", "baseline", "namesake.toml", "--out", "bad1"], dir.path());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("the base `baseline`") && err.contains("distinct"), "{err}");
    assert!(!dir.path().join("bad1/comparison.csv").exists());
    // A council's file against England's baseline: refused by every command
    // that sets scenarios against each other, before anything is written.
    let text = "extends = \"baseline\"\n[scenario]\nname = \"rutland\"\ntitle = \"t\"\narea = \"E06000017\"\nstart_year = 2025\nend_year = 2035\n";
    std::fs::write(dir.path().join("rutland.toml"), text).unwrap();
    for (args, out) in [
        (vec!["compare", "baseline", "rutland.toml"], "bad2"),
        (vec!["report", "baseline", "rutland.toml"], "bad3"),
        (vec!["plot", "baseline", "rutland.toml"], "bad4"),
        (vec!["sensitivity", "rutland.toml", "--against", "baseline"], "bad5"),
    ] {
        let o = carecast(&[&args[..], &["--out", out]].concat(), dir.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("different areas") && err.contains("Rutland (E06000017)"), "{args:?}: {err}");
        assert!(!dir.path().join(out).exists(), "{args:?}");
    }
    // With --la both are Rutland's.
    let (_, rows) = compare(dir.path(), &["baseline", "rutland.toml", "--la", "Rutland"], "ok");
    assert_eq!(whole(&rows, "rutland", "npv_cost_gbp"), 0.0);
}

#[test]
fn different_start_years_need_start_year() {
    let dir = tempdir();
    let text = "extends = \"baseline\"\n[scenario]\nname = \"early\"\ntitle = \"t\"\narea = \"E92000001\"\nstart_year = 2024\nend_year = 2035\n";
    std::fs::write(dir.path().join("early.toml"), text).unwrap();
    let o = carecast(&["compare", "baseline", "early.toml", "--out", "bad"], dir.path());
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--start-year"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!dir.path().join("bad/comparison.csv").exists());
    // With --start-year both run from the same stock.
    let (_, rows) = compare(dir.path(), &["baseline", "early.toml", "--start-year", "2025"], "ok");
    assert_eq!(whole(&rows, "early", "npv_cost_gbp"), 0.0);
}

const MC_MEASURES: [&str; 2] = ["probability_cheaper_than_base", "probability_cheapest"];

/// The p05..p95 cells of (option, measure, year), `None` where they are empty;
/// the first such row (the base's, when the base is compared with itself).
fn bands(rows: &[Vec<String>], option: &str, measure: &str, year: Option<i32>) -> Option<[f64; 5]> {
    let year = year.map_or(String::new(), |y| y.to_string());
    let found: Vec<_> = rows.iter().filter(|r| r[0] == option && r[1] == measure && r[2] == year).collect();
    assert!(!found.is_empty(), "a {measure} {year} row for {option}");
    if found[0][4].is_empty() {
        assert!(found[0][4..].iter().all(|c| c.is_empty()), "all or none: {:?}", found[0]);
        return None;
    }
    let p: Vec<f64> = found[0][4..9].iter().map(|c| c.parse().unwrap()).collect();
    assert!(p.windows(2).all(|w| w[0] <= w[1]), "{measure} {year} percentiles in order: {p:?}");
    Some([p[0], p[1], p[2], p[3], p[4]])
}

#[test]
fn draws_are_reproducible_and_a_falling_population_is_almost_surely_cheaper() {
    let dir = tempdir();
    option_toml(dir.path(), "fastfall.toml", "fastfall", -0.02, -0.03, -0.01);
    let args = ["baseline", "fastfall.toml", "--draws", "20", "--seed", "11", "--end-year", "2028", "-q"];
    let (stdout, rows) = compare(dir.path(), &args, "a");
    compare(dir.path(), &args, "b");
    let bytes = |out: &str| std::fs::read(dir.path().join(out).join("comparison.csv")).unwrap();
    assert!(bytes("a") == bytes("b"), "two runs with the same seed differ");
    for m in ["probability_cheaper_than_base", "probability_cheapest"] {
        let p = whole(&rows, "fastfall", m);
        assert!((0.0..=1.0).contains(&p), "{m} {p}");
    }
    let cheaper = whole(&rows, "fastfall", "probability_cheaper_than_base");
    assert!(cheaper > 0.9, "a population falling 2% a year is cheaper in most draws: {cheaper}");
    // With one option, cheapest means cheaper than the base.
    assert_eq!(whole(&rows, "fastfall", "probability_cheapest"), cheaper);
    let q = bands(&rows, "fastfall", "npv_cost_gbp", None).expect("NPV percentiles");
    assert!(q[0] < 0.0, "NPV quantiles {q:?}");
    // With 20 draws (an exact type-7 percentile), p(cheaper) > 0.9 means at
    // least 19 draws below 0, so the 95th percentile is the only one that may not be.
    assert!(q[3] < 0.0, "NPV quantiles {q:?}");
    // Every yearly difference and whole-horizon total is banded; the ratio and the year are not.
    for y in START + 1..=2028 {
        bands(&rows, "fastfall", "children_in_care_vs_base", Some(y)).expect("banded");
        bands(&rows, "fastfall", "csc_spend_gbp_cash_vs_base", Some(y)).expect("banded");
        bands(&rows, "baseline", "children_in_care", Some(y)).expect("banded");
    }
    for m in ["cumulative_csc_spend_gbp_cash_vs_base", "child_years_in_care_avoided"] {
        bands(&rows, "fastfall", m, None).expect("banded");
    }
    for m in ["cost_per_child_year_avoided_gbp", "payback_year", "probability_cheapest"] {
        assert_eq!(bands(&rows, "fastfall", m, None), None, "{m} has no percentiles");
    }
    assert!(!rows.iter().any(|r| r[0] == "baseline" && MC_MEASURES.contains(&r[1].as_str())), "none for the base");
    assert!(stdout.contains("P(cheaper)") && stdout.contains("NPV p95"), "extra columns:\n{stdout}");
}

#[test]
fn base_against_itself_under_draws_is_never_cheaper() {
    let dir = tempdir();
    let (_, rows) =
        compare(dir.path(), &["baseline", "baseline", "--draws", "4", "--seed", "2", "--end-year", "2027", "-q"], "s");
    for m in MC_MEASURES {
        assert_eq!(whole(&rows, "baseline", m), 0.0, "{m}");
    }
    // Every difference is 0 in every draw, so its percentiles are 0, while the
    // scenario itself varies from draw to draw. (Differences of percentiles
    // would be 0 here too; `process_noise_is_shared_between_the_base_and_an_option`
    // is the test that tells paired draws apart.)
    for y in START + 1..=2027 {
        assert_eq!(bands(&rows, "baseline", "children_in_care_vs_base", Some(y)), Some([0.0; 5]));
        let level = bands(&rows, "baseline", "children_in_care", Some(y)).unwrap();
        assert!(level[4] > level[0], "{y}: {level:?}");
    }
    assert_eq!(bands(&rows, "baseline", "npv_cost_gbp", None), Some([0.0; 5]));
}

/// Common random numbers reach the process noise: each flow of both runs is
/// drawn from its own keyed stream, so an option close to the base has a
/// difference whose band is much narrower than the base's own band. Were the
/// noise drawn independently in the two runs, the difference's spread would
/// be about 1.4 times the level's (the square root of two).
#[test]
fn process_noise_is_shared_between_the_base_and_an_option() {
    let dir = tempdir();
    option_toml(dir.path(), "close.toml", "close", -0.002, -0.003, -0.001);
    let args =
        ["baseline", "close.toml", "--draws", "30", "--seed", "3", "--process-noise", "--end-year", "2028", "-q"];
    let (_, rows) = compare(dir.path(), &args, "cmp");
    for y in [2027, 2028] {
        let level = bands(&rows, "baseline", "children_in_care", Some(y)).unwrap();
        let diff = bands(&rows, "close", "children_in_care_vs_base", Some(y)).unwrap();
        let (level_spread, diff_spread) = (level[4] - level[0], diff[4] - diff[0]);
        assert!(level_spread > 100.0, "{y}: process noise moves the level: {level:?}");
        assert!(diff_spread < 0.5 * level_spread, "{y}: difference {diff:?} against level {level:?}");
    }
}

/// `--charts`: each option's difference from the base in children in care and
/// CSC spend, as PNG and SVG; the fans only under --draws; none without the flag.
#[test]
fn charts_show_each_option_against_the_base() {
    let dir = tempdir();
    lowpop(dir.path());
    compare(dir.path(), &["baseline", "lowpop.toml", "--end-year", "2028", "--charts", "-q"], "plain");
    let (_, _) =
        compare(dir.path(), &["baseline", "lowpop.toml", "--end-year", "2028", "--charts", "--draws", "8", "-q"], "mc");
    compare(dir.path(), &["baseline", "lowpop.toml", "--end-year", "2028", "-q"], "none");
    let svg = |out: &str, stem: &str| {
        std::fs::read_to_string(dir.path().join(out).join("charts").join(format!("{stem}.svg")))
    };
    for stem in ["lowpop_children_in_care", "lowpop_csc_spend_gbp_cash"] {
        let plain = svg("plain", stem).unwrap_or_else(|e| panic!("{stem}.svg: {e}"));
        assert!(plain.contains("lowpop against baseline"), "{stem}: title");
        assert!(!plain.contains("90% range"), "{stem}: no fan without draws");
        assert!(svg("mc", stem).unwrap().contains("90% range (p05-p95)"), "{stem}: a fan under draws");
        assert!(dir.path().join("mc/charts").join(format!("{stem}.png")).exists());
    }
    assert!(!dir.path().join("none/charts").exists(), "no charts without --charts");
}

/// Latin hypercube sampling keeps common random numbers: the base against a
/// renamed copy of itself differs by exactly 0 in every draw.
#[test]
fn latin_hypercube_draws_are_shared_between_scenarios() {
    let dir = tempdir();
    option_toml(dir.path(), "copy.toml", "copy", -0.005, -0.01, 0.0);
    let text = std::fs::read_to_string(dir.path().join("copy.toml")).unwrap();
    // The same population growth as the baseline's, so only the name differs.
    let base = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/baseline.toml")).unwrap();
    let growth = base.lines().find(|l| l.starts_with("annual_growth")).expect("the baseline's population growth");
    let text: String = text
        .lines()
        .map(|l| if l.starts_with("annual_growth") { growth.to_string() } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(dir.path().join("copy.toml"), text).unwrap();
    let args = [
        "baseline",
        "copy.toml",
        "--draws",
        "12",
        "--sampling",
        "lhs",
        "--parameter-uncertainty",
        "--end-year",
        "2028",
        "-q",
    ];
    let (_, rows) = compare(dir.path(), &args, "lhs");
    for y in START + 1..=2028 {
        assert_eq!(bands(&rows, "copy", "children_in_care_vs_base", Some(y)), Some([0.0; 5]), "{y}");
        let level = bands(&rows, "copy", "children_in_care", Some(y)).unwrap();
        assert!(level[4] > level[0], "{y}: the scenario itself varies: {level:?}");
    }
    assert_eq!(whole(&rows, "copy", "probability_cheaper_than_base"), 0.0);
}
