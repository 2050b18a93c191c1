//! The 2024 General Election manifesto scenarios (`scenarios/manifesto-2024-*.toml`)
//! end to end: they validate and run, their effects have the stated sign and
//! size against the baseline, and `carecast compare` ranks them. Expectations
//! come from the baseline's own `projection.csv` and hand arithmetic on the
//! assumptions the scenario files state, never from the engine's code.

use crate::common::{carecast, read_csv, tempdir, value};
use std::path::{Path, PathBuf};

const OPTIONS: [&str; 3] = ["manifesto-2024-conservative", "manifesto-2024-labour", "manifesto-2024-libdem"];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `carecast run SCENARIO --out OUT` in `dir` and returns the tidy rows.
fn projection(dir: &Path, scenario: &str, out: &str) -> Vec<Vec<String>> {
    let o = carecast(&["run", scenario, "--out", out, "--quiet"], dir);
    assert!(o.status.success(), "run {scenario}: {}", String::from_utf8_lossy(&o.stderr));
    read_csv(&dir.join(out).join("projection.csv")).1
}

fn get(rows: &[Vec<String>], measure: &str, breakdown: &str, year: i32) -> f64 {
    value(rows, measure, breakdown, year).unwrap_or_else(|| panic!("{measure} {breakdown} {year} in projection.csv"))
}

fn rel(got: f64, want: f64) -> f64 {
    (got - want).abs() / want.abs()
}

#[test]
fn manifesto_scenarios_validate_by_name_and_path_and_cite_known_figures() {
    let dir = tempdir();
    let figures = std::fs::read_to_string(repo().join("seeds/published-figures.toml")).unwrap();
    let known: Vec<&str> =
        figures.lines().filter_map(|l| l.trim().strip_prefix('[').and_then(|l| l.strip_suffix(']'))).collect();
    let pledge = ["pledge_conservative_2024", "pledge_labour_2024", "pledge_libdem_2024"];
    for (name, pledge) in OPTIONS.iter().zip(pledge) {
        let path = repo().join("scenarios").join(format!("{name}.toml"));
        let path_s = path.to_str().unwrap();
        for spec in [*name, path_s] {
            let o = carecast(&["validate", spec], dir.path());
            assert!(o.status.success(), "validate {spec}: {}", String::from_utf8_lossy(&o.stderr));
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with('#'), "{name}: a header comment first");
        assert!(text.contains("extends = \"baseline\""), "{name} extends the baseline");
        for line in [
            format!("name = \"{name}\""),
            "area = \"E92000001\"".into(),
            "start_year = 2025".into(),
            "end_year = 2035".into(),
        ] {
            assert!(text.lines().any(|l| l.trim() == line), "{name}: `{line}`");
        }
        let cites = text.lines().find(|l| l.starts_with("cites = [")).unwrap_or_else(|| panic!("{name}: cites"));
        let ids: Vec<&str> = cites.split('"').skip(1).step_by(2).collect();
        assert!(ids.contains(&pledge), "{name} cites {pledge}");
        for id in ids {
            assert!(known.contains(&id), "{name} cites `{id}`, not in seeds/published-figures.toml");
        }
        // Every stated number carries a range and a source.
        for l in text.lines().filter(|l| l.contains("{ value =")) {
            assert!(l.contains("low =") && l.contains("high =") && l.contains("source = \""), "{name}: `{l}`");
        }
    }
}

/// Lib Dem kinship allowance: £250 a week in 2026-27, +3.5% a year, 52 weeks,
/// on the mean of the baseline's 31 March kinship foster care stocks.
fn allowance_gbp_m(base: &[Vec<String>], year: i32) -> f64 {
    let stock = |y| get(base, "children_in_care", "placement:foster_kinship", y);
    let children = 0.5 * (stock(year - 1) + stock(year));
    children * 250.0 * 1.035f64.powi(year - 2027) * 52.0 / 1e6
}

#[test]
fn libdem_kinship_allowance_costs_what_it_states_and_raises_kinship() {
    let dir = tempdir();
    let base = projection(dir.path(), "baseline", "base");
    let ld = projection(dir.path(), "manifesto-2024-libdem", "ld");
    let line = "line:programme_kinship_support";
    // The £m stated in the scenario for 2029-30, and the arithmetic behind it.
    let stated_2030 = 134.618857;
    let got = get(&ld, "spend_gbp_cash", line, 2030) / 1e6;
    assert!(rel(got, stated_2030) < 1e-6, "allowance 2030: {got} vs stated {stated_2030}");
    for y in 2027..=2035 {
        let want = allowance_gbp_m(&base, y);
        let got = get(&ld, "spend_gbp_cash", line, y) / 1e6;
        assert!(rel(got, want) < 1e-6, "allowance {y}: £{got}m vs baseline stock x £250 x 1.035^n x 52 = £{want}m");
    }
    assert_eq!(value(&ld, "spend_gbp_cash", line, 2026).unwrap_or(0.0), 0.0, "no allowance before 2026-27");
    assert!(value(&base, "spend_gbp_cash", line, 2030).is_none(), "the baseline has no such line");

    // Effects: more children in kinship foster care and more special
    // guardianship exits than the baseline, by a few percent, not tens.
    for (measure, breakdown, lo, hi) in [
        ("children_in_care", "placement:foster_kinship", 1.01, 1.15),
        ("ceased", "reason:special_guardianship", 1.001, 1.10),
    ] {
        let ratio = get(&ld, measure, breakdown, 2030) / get(&base, measure, breakdown, 2030);
        assert!(ratio > lo && ratio < hi, "{measure} {breakdown} 2030: option / baseline = {ratio}");
    }
    // The workforce plan's cost and its effect on social workers.
    assert_eq!(get(&ld, "spend_gbp_cash", "line:programme_workforce", 2028), 50e6);
    let fte = get(&ld, "social_workers_fte", "total", 2030) / get(&base, "social_workers_fte", "total", 2030);
    assert!(fte > 1.0 && fte < 1.05, "lower caseloads need more social workers: {fte}");
}

#[test]
fn labour_price_regulation_lowers_prices_by_the_compounded_growth_difference() {
    let dir = tempdir();
    let base = projection(dir.path(), "baseline", "base");
    let lab = projection(dir.path(), "manifesto-2024-labour", "lab");
    // Stated: baseline growth g; regulation adds v from 2026-27 (year 2027),
    // half strength in its first year (phased in over two years).
    let ratio = |g: f64, v: f64, year: i32| -> f64 {
        (2027..=year).map(|y| if y == 2027 { 0.5 } else { 1.0 }).map(|s| (1.0 + g + s * v) / (1.0 + g)).product()
    };
    for (placement, g, v) in [("placement:childrens_home", 0.06, -0.02), ("placement:foster_agency", 0.035, -0.01)] {
        assert_eq!(get(&lab, "weekly_cost_gbp", placement, 2026), get(&base, "weekly_cost_gbp", placement, 2026));
        for year in [2027, 2030, 2035] {
            let want = get(&base, "weekly_cost_gbp", placement, year) * ratio(g, v, year);
            let got = get(&lab, "weekly_cost_gbp", placement, year);
            assert!(rel(got, want) < 1e-9, "{placement} {year}: {got} vs {want}");
        }
    }
    // (1.05 / 1.06) x (1.04 / 1.06)^3, by hand.
    assert!((ratio(0.06, -0.02, 2030) - 0.935_547_5).abs() < 1e-7);
    assert!(
        get(&lab, "weekly_cost_gbp", "placement:childrens_home", 2030)
            < get(&base, "weekly_cost_gbp", "placement:childrens_home", 2030)
    );
    // Fostering and adoption support: fewer children in children's homes and
    // agency fostering, more in in-house fostering and placed for adoption.
    for (breakdown, more) in [
        ("placement:childrens_home", false),
        ("placement:foster_agency", false),
        ("placement:foster_in_house", true),
        ("placement:placed_for_adoption", true),
    ] {
        let ratio = get(&lab, "children_in_care", breakdown, 2030) / get(&base, "children_in_care", breakdown, 2030);
        let ok = if more { ratio > 1.0 && ratio < 1.15 } else { ratio < 1.0 && ratio > 0.85 };
        assert!(ok, "{breakdown} 2030: option / baseline = {ratio}");
    }
    for line in ["line:programme_kinship_support", "line:programme_foster_carer_recruitment", "line:programme_other"] {
        assert!(get(&lab, "spend_gbp_cash", line, 2028) > 0.0, "{line}");
    }
}

#[test]
fn conservative_care_leaver_support_raises_leaving_care_spend() {
    let dir = tempdir();
    let base = projection(dir.path(), "baseline", "base");
    let con = projection(dir.path(), "manifesto-2024-conservative", "con");
    for year in 2026..=2035 {
        let ratio = get(&con, "spend_gbp_cash", "cost:leaving_care", year)
            / get(&base, "spend_gbp_cash", "cost:leaving_care", year);
        // 8% more per care leaver at full strength (half in 2025-26); the
        // number of care leavers moves by well under 1%.
        let want = if year == 2026 { 1.04 } else { 1.08 };
        assert!((ratio - want).abs() < 0.01, "leaving care {year}: option / baseline = {ratio}, about {want}");
    }
    assert_eq!(get(&con, "spend_gbp_cash", "line:programme_care_leavers", 2027), 15e6);
    assert_eq!(get(&con, "spend_gbp_cash", "line:programme_other", 2027), 75e6, "children's home capital");
    // The new homes and the eased market lower the children's home weekly cost
    // once open (from 2027-28), by a few percent.
    let ch = |rows: &[Vec<String>], y| get(rows, "weekly_cost_gbp", "placement:childrens_home", y);
    assert_eq!(ch(&con, 2027), ch(&base, 2027));
    let r = ch(&con, 2030) / ch(&base, 2030);
    assert!(r < 1.0 && r > 0.95, "children's home weekly cost 2030: option / baseline = {r}");
    let k = get(&con, "children_in_care", "placement:foster_kinship", 2030)
        / get(&base, "children_in_care", "placement:foster_kinship", 2030);
    assert!(k > 1.0 && k < 1.10, "kinship strategy: kinship foster care 2030 option / baseline = {k}");
}

#[test]
fn compare_ranks_the_three_manifestos_with_an_npv_each() {
    let dir = tempdir();
    let mut args = vec!["compare", "baseline"];
    args.extend(OPTIONS);
    args.extend(["--out", "cmp"]);
    let o = carecast(&args, dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let (_, rows) = read_csv(&dir.path().join("cmp").join("comparison.csv"));
    for option in OPTIONS {
        let npv: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == option && r[1] == "npv_cost_gbp").collect();
        assert_eq!(npv.len(), 1, "one npv_cost_gbp row for {option}");
        let v: f64 = npv[0][3].parse().unwrap_or_else(|_| panic!("npv for {option}: `{}`", npv[0][3]));
        assert!(v.is_finite() && v != 0.0, "npv for {option}: {v}");
        assert!(stdout.contains(option), "the table names {option}:\n{stdout}");
    }
    let npv = |option: &str| -> f64 {
        rows.iter().find(|r| r[0] == option && r[1] == "npv_cost_gbp").unwrap()[3].parse().unwrap()
    };
    // A £1.25bn allowance costs money; cheaper provider prices save it.
    assert!(npv("manifesto-2024-libdem") > 0.0);
    assert!(npv("manifesto-2024-labour") < 0.0);
}
