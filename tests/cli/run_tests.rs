//! `carecast run`, `check` and `validate` end to end: CSV shape, accounting
//! identities, the two calibration checks against published figures, and
//! located errors with no output left behind.

use crate::common::{carecast, read_csv, tempdir, value};
use std::path::Path;

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");

/// Published England children in care at 31 March (DfE 2025 release; FACTS.md).
const PUBLISHED_CLA: [(i32, f64); 6] =
    [(2020, 80_000.0), (2021, 80_780.0), (2022, 82_090.0), (2023, 83_750.0), (2024, 83_530.0), (2025, 81_770.0)];
/// S251 gross spend on children looked after, £bn (FACTS.md).
const PUBLISHED_S251_CLA_BN: [(i32, f64); 3] = [(2022, 6.13), (2023, 7.03), (2025, 8.96)];

/// `quarterly.csv`: the quarters of each year add up to the year in
/// `projection.csv` (spend on children looked after, by placement and in
/// total, and all children's social care spend), the fourth quarter ends with
/// the year's children in care, and the quarters end on the right days.
#[test]
fn quarterly_outputs_add_up_to_the_years() {
    let dir = tempdir();
    let out = carecast(&["run", "-q", "--out", "o"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (_, years) = read_csv(&dir.path().join("o/projection.csv"));
    let (header, quarters) = read_csv(&dir.path().join("o/quarterly.csv"));
    assert_eq!(header, ["scenario", "year", "quarter", "period_end", "measure", "breakdown", "value"]);
    let quarter = |measure: &str, breakdown: &str, year: i32, q: i32| -> f64 {
        let r = quarters
            .iter()
            .find(|r| r[1] == year.to_string() && r[2] == q.to_string() && r[4] == measure && r[5] == breakdown)
            .unwrap_or_else(|| panic!("{measure} {breakdown} {year} Q{q}"));
        r[6].parse().unwrap()
    };
    for year in [2026, 2030, 2035] {
        for (measure, breakdown) in [
            ("spend_gbp_cash", "total"),
            ("spend_gbp_cash", "placement:childrens_home"),
            ("spend_gbp_cash", "cost:leaving_care"),
            ("csc_spend_gbp_cash", "total"),
        ] {
            let want = value(&years, measure, breakdown, year).unwrap();
            let got: f64 = (1..=4).map(|q| quarter(measure, breakdown, year, q)).sum();
            assert!((got - want).abs() <= 1e-9 * want, "{measure} {breakdown} {year}: quarters {got}, year {want}");
        }
        let want = value(&years, "children_in_care", "placement:foster_agency", year).unwrap();
        let got = quarter("children_in_care", "placement:foster_agency", year, 4);
        assert!((got - want).abs() <= 1e-9 * want, "31 March {year}: {got} vs {want}");
    }
    for (q, end) in ["2025-06-30", "2025-09-30", "2025-12-31", "2026-03-31"].iter().enumerate() {
        let rows: Vec<&Vec<String>> =
            quarters.iter().filter(|r| r[1] == "2026" && r[2] == (q + 1).to_string()).collect();
        assert!(!rows.is_empty() && rows.iter().all(|r| r[3] == *end), "quarter {} of 2025-26 ends on {end}", q + 1);
    }
}

#[test]
fn run_baseline_from_any_directory_writes_tidy_outputs() {
    let dir = tempdir();
    let out = carecast(&["run"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("81,770"), "summary shows the 2025 stock:\n{stdout}");
    let csv = dir.path().join("out/baseline/projection.csv");
    let (header, rows) = read_csv(&csv);
    assert_eq!(header, ["scenario", "year", "measure", "breakdown", "value"]);
    // Starts from the actual stock at 31 March 2025 and runs to 2035.
    let cic = |y| value(&rows, "children_in_care", "total", y).unwrap_or(f64::NAN);
    assert!((cic(2025) - 81_770.0).abs() < 0.5, "start stock {}", cic(2025));
    assert!(cic(2035).is_finite());
    for m in ["children_in_care", "starts", "ceased", "care_leavers", "spend_gbp_cash", "spend_gbp_real"] {
        assert!(rows.iter().any(|r| r[2] == m), "measure {m} present");
    }
    for y in 2026..=2035 {
        // Placement rows add up to the total; age rows too.
        for (measure, prefix) in
            [("children_in_care", "placement:"), ("children_in_care", "age:"), ("ceased", "reason:")]
        {
            let parts: f64 = rows
                .iter()
                .filter(|r| r[2] == measure && r[3].starts_with(prefix) && r[1] == y.to_string())
                .map(|r| r[4].parse::<f64>().unwrap())
                .sum();
            let total = value(&rows, measure, "total", y).unwrap();
            assert!((parts - total).abs() < 1e-6 * total, "{measure} {prefix} {y}: {parts} vs {total}");
        }
        // Spend: placements + other CLA costs + leaving care = CLA total; S251 lines add to CSC spend.
        let sum_prefix = |m: &str, p: &str| -> f64 {
            rows.iter()
                .filter(|r| r[2] == m && r[3].starts_with(p) && r[1] == y.to_string())
                .map(|r| r[4].parse::<f64>().unwrap())
                .sum()
        };
        let cla = value(&rows, "spend_gbp_cash", "total", y).unwrap();
        let parts = sum_prefix("spend_gbp_cash", "placement:") + sum_prefix("spend_gbp_cash", "cost:");
        assert!((parts - cla).abs() < 1e-6 * cla, "CLA spend parts {y}");
        let lines = sum_prefix("spend_gbp_cash", "line:");
        let csc = value(&rows, "csc_spend_gbp_cash", "total", y).unwrap();
        assert!((lines - csc).abs() < 1e-6 * csc, "lines add to CSC spend {y}");
        assert!(value(&rows, "spend_gbp_cash", "line:children_looked_after", y).unwrap() == cla);
        // Real terms at 2024-25 prices with the stated 2% deflator.
        let real = value(&rows, "spend_gbp_real", "total", y).unwrap();
        assert!((real - cla / 1.02f64.powi(y - 2025)).abs() < 1e-6 * cla, "real terms {y}");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/baseline/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["scenario"], "baseline");
    assert!(summary["assumptions"].as_array().is_some_and(|a| a.len() > 10));
}

/// Years more than three ahead of the start are flagged as beyond the
/// back-tested horizon; a run that stays within it is not.
#[test]
fn years_beyond_the_back_tested_horizon_are_flagged() {
    let dir = tempdir();
    let long = carecast(&["run", "baseline", "--out", "a", "-q"], dir.path());
    let stdout = String::from_utf8_lossy(&long.stdout);
    assert!(stdout.contains("2029-2035: more than 3 years ahead"), "{stdout}");
    let short = carecast(&["run", "baseline", "--end-year", "2028", "--out", "b", "-q"], dir.path());
    assert!(short.status.success());
    assert!(!String::from_utf8_lossy(&short.stdout).contains("years ahead"));
}

#[test]
fn first_projection_year_continues_the_published_trend_in_cost() {
    // 2025-26 CLA spend lies between the 2024-25 S251 outturn (£8.96bn) and
    // that outturn grown by the fastest stated price growth (6%) plus 2% volume.
    let dir = tempdir();
    let out = carecast(&["run", "--out", "o"], dir.path());
    assert!(out.status.success());
    let (_, rows) = read_csv(&dir.path().join("o/projection.csv"));
    let s = value(&rows, "spend_gbp_cash", "total", 2026).unwrap() / 1e9;
    assert!(s > 8.96 && s < 8.96 * 1.06 * 1.02, "2025-26 spend £{s:.2}bn");
}

fn seeds_headline(year: i32) -> f64 {
    let (_, rows) = read_csv(&Path::new(SEEDS).join("cla_headline.csv"));
    rows.iter().find(|r| r[0] == "E92000001" && r[1] == year.to_string()).unwrap()[2].parse().unwrap()
}

#[test]
fn check_command_replays_and_backcasts_within_tolerance() {
    let dir = tempdir();
    let out = carecast(&["check", "--out", "c"], dir.path());
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    let (header, rows) = read_csv(&dir.path().join("c/check.csv"));
    assert_eq!(header[..6], ["check", "year", "measure", "breakdown", "published", "model"]);
    let get = |check: &str, m: &str, y: i32| -> (f64, f64) {
        let r = rows.iter().find(|r| r[0] == check && r[2] == m && r[3] == "total" && r[1] == y.to_string()).unwrap();
        (r[4].parse().unwrap(), r[5].parse().unwrap())
    };
    for (y, published) in PUBLISHED_CLA {
        // The published column is the published figure, read independently.
        assert_eq!(seeds_headline(y), published);
        let (p, replay) = get("replay", "children_in_care", y);
        assert_eq!(p, published);
        assert!((replay / published - 1.0).abs() <= 0.01, "replay {y}: {replay}");
        let (_, back) = get("backcast", "children_in_care", y);
        assert!((back / published - 1.0).abs() <= 0.04, "backcast {y}: {back}");
    }
    for (y, bn) in PUBLISHED_S251_CLA_BN {
        let (p, back) = get("backcast", "spend_gbp_cash", y);
        assert!((p / 1e9 - bn).abs() < 0.005, "published S251 {y}");
        assert!((back / p - 1.0).abs() <= 0.06, "backcast spend {y}: {back}");
    }
    // Every margin of the replay (ages, placements, reasons) is within 1%.
    for r in rows.iter().filter(|r| r[0] == "replay") {
        let (p, m): (f64, f64) = (r[4].parse().unwrap(), r[5].parse().unwrap());
        assert!((m - p).abs() <= 0.01 * p.max(1.0), "{r:?}");
    }
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs a bad scenario: non-zero exit, stderr containing `expect`, no output folder.
fn rejects(text: &str, expect: &[&str]) {
    let dir = tempdir();
    write(dir.path(), "bad.toml", text);
    let out = carecast(&["run", "bad.toml", "--out", "o"], dir.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for e in expect {
        assert!(err.contains(e), "expected `{e}` in:\n{err}");
    }
    assert!(!dir.path().join("o").exists(), "no partial output");
}

#[test]
fn malformed_toml_is_located() {
    rejects("extends = \"baseline\"\n[scenario\nname = 1\n", &["bad.toml:2:"]);
}

#[test]
fn unknown_key_gets_did_you_mean() {
    rejects(
        "extends = \"baseline\"\n[population]\nanual_growth = 0.01\n",
        &["bad.toml:3:", "anual_growth", "did you mean `annual_growth`"],
    );
}

#[test]
fn entry_mix_that_does_not_sum_to_one_names_the_key() {
    rejects(
        "extends = \"baseline\"\n[calibration.entry_mix]\nunder_1 = { foster = 0.9, with_parents = 0.3 }\n",
        &["bad.toml:3:", "calibration.entry_mix.under_1", "summing to 1"],
    );
}

#[test]
fn a_value_outside_its_stated_range_names_the_key() {
    rejects(
        "extends = \"baseline\"\n[population]\nannual_growth = { value = 0.5, low = -0.01, high = 0.01, source = \"x\" }\n",
        &["bad.toml:3:", "population.annual_growth"],
    );
}

/// A parameter the core rejects (a growth that makes the population
/// negative) is named with its year and value, and the error chain states the
/// core's message once, not once per layer that passes it on.
#[test]
fn a_model_parameter_the_core_rejects_is_reported_once() {
    let text = "extends = \"baseline\"\n[scenario]\nend_year = 2030\n[population]\nbase_mid_year = 2024\nannual_growth = -1.5\n";
    rejects(text, &["bad.toml", "years.2026.population_by_age[0]", "a finite non-negative number"]);
    let dir = tempdir();
    write(dir.path(), "bad.toml", text);
    let err = String::from_utf8_lossy(&carecast(&["run", "bad.toml", "--out", "o"], dir.path()).stderr).into_owned();
    assert_eq!(err.matches("a finite non-negative number").count(), 1, "{err}");
}

#[test]
fn missing_parent_and_missing_file_are_errors() {
    rejects("extends = \"nonexistent_parent\"\n", &["bad.toml:1:", "nonexistent_parent"]);
    let dir = tempdir();
    let out = carecast(&["run", "no/such/file.toml"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.toml"));
}

#[test]
fn extends_cycle_is_an_error() {
    let dir = tempdir();
    write(dir.path(), "a.toml", "extends = \"b.toml\"\n");
    write(dir.path(), "b.toml", "extends = \"a.toml\"\n");
    let out = carecast(&["validate", "a.toml"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("cycles"), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn a_child_scenario_overrides_its_parent() {
    // Faster population decline means fewer children in care by 2035 than the baseline.
    let dir = tempdir();
    write(
        dir.path(),
        "low.toml",
        "extends = \"baseline\"\n[scenario]\nname = \"low\"\ntitle = \"t\"\narea = \"E92000001\"\nstart_year = 2025\nend_year = 2035\n[population]\nbase_mid_year = 2024\nannual_growth = { value = -0.01, low = -0.02, high = 0.0, source = \"test\" }\n",
    );
    assert!(carecast(&["run", "low.toml", "--out", "low"], dir.path()).status.success());
    assert!(carecast(&["run", "--out", "base"], dir.path()).status.success());
    let (_, low) = read_csv(&dir.path().join("low/projection.csv"));
    let (_, base) = read_csv(&dir.path().join("base/projection.csv"));
    let l = value(&low, "children_in_care", "total", 2035).unwrap();
    let b = value(&base, "children_in_care", "total", 2035).unwrap();
    assert!(l < b, "{l} < {b}");
    assert_eq!(low[0][0], "low");
}

/// An explicit scenario (rates stated in the file, no seeds) runs, starts from
/// the stated stock, and keeps the accounting identity stock(t) = stock(t-1) +
/// starts - ceased (no reconciliation flows in an explicit scenario).
#[test]
fn explicit_scenario_runs_from_its_stated_stock() {
    let dir = tempdir();
    let bands = ["under_1", "1_4", "5_9", "10_15", "16_17"];
    let mut text = String::from(
        "[scenario]\nname = \"custom\"\ntitle = \"A council's own rates\"\narea = \"custom\"\nstart_year = 2025\nend_year = 2030\n\
         [dimensions]\nageing_out_reason = \"reached_18\"\nage_bands = [\n",
    );
    for (i, (b, (f, t))) in bands.iter().zip([(0, 1), (1, 5), (5, 10), (10, 16), (16, 18)]).enumerate() {
        text.push_str(&format!(
            "  {{ id = \"{b}\", from_years = {f}, to_years = {t} }}{}\n",
            if i < 4 { "," } else { "" }
        ));
    }
    text.push_str(
        "]\n[[dimensions.placements]]\nid = \"foster\"\nlabel = \"Foster\"\ndfe = []\nweekly_cost_gbp = 700\nprice_growth = 0.0\n\
         [[dimensions.exit_reasons]]\nid = \"returned_home\"\nlabel = \"Home\"\n\
         [[dimensions.exit_reasons]]\nid = \"other\"\nlabel = \"Other\"\nresidual = true\n\
         [costs]\nother_cla_cost_growth = 0.0\nleaving_care_cost_growth = 0.0\n\
         [deflator]\nbase_year = 2025\nannual_inflation = 0.0\n\
         [explicit]\nstock_date = \"2025-03-31\"\nentries_per_year = { 10_15 = 120.0 }\n\
         [explicit.entry_mix]\n",
    );
    for b in bands {
        text.push_str(&format!("{b} = {{ foster = 1.0 }}\n"));
    }
    text.push_str(
        "[explicit.initial_stock]\n10_15 = { foster = 600.0 }\n\
         [explicit.monthly_exit_probability.returned_home]\n10_15 = { foster = 0.01 }\n",
    );
    write(dir.path(), "custom.toml", &text);
    let out = carecast(&["run", "custom.toml", "--out", "o"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (_, rows) = read_csv(&dir.path().join("o/projection.csv"));
    assert!((value(&rows, "children_in_care", "total", 2025).unwrap() - 600.0).abs() < 1e-9);
    for y in 2026..=2030 {
        let (s0, s1) = (
            value(&rows, "children_in_care", "total", y - 1).unwrap(),
            value(&rows, "children_in_care", "total", y).unwrap(),
        );
        let (st, ce) = (value(&rows, "starts", "total", y).unwrap(), value(&rows, "ceased", "total", y).unwrap());
        assert!((s1 - (s0 + st - ce)).abs() < 1e-6, "{y}: {s1} vs {s0} + {st} - {ce}");
        assert!((st - 120.0).abs() < 1e-9, "entries as stated");
    }
    // A probability above 1 is rejected with its key and location.
    write(dir.path(), "bad.toml", &text.replace("10_15 = { foster = 0.01 }", "10_15 = { foster = 1.5 }"));
    let out = carecast(&["run", "bad.toml", "--out", "b"], dir.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("bad.toml:") && err.contains("monthly_exit_probability.returned_home.10_15.foster"), "{err}");
    assert!(!dir.path().join("b").exists());
}

/// The scenario example in README.md validates and runs, so the README stays true.
#[test]
fn readme_scenario_example_runs() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("```toml\nextends = \"baseline\"").expect("the example in README.md") + "```toml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let dir = tempdir();
    write(dir.path(), "example.toml", &readme[start..end]);
    let out = carecast(&["validate", "example.toml"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let out = carecast(&["run", "example.toml", "--out", "o"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A reader that goes away (`carecast ... 2>&1 | head -1`) ends the messages,
/// not the run: with stdout and stderr closed before anything is written, the
/// run still finishes and exits 0 (printing to a closed pipe used to panic,
/// exit code 101).
#[test]
fn closed_output_pipes_do_not_stop_a_run() {
    let dir = tempdir();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_carecast"))
        .args(["compare", "baseline", "manifesto-2024-labour", "--draws", "4", "--end-year", "2027", "--out", "c"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run carecast");
    // Closed before the run has read its seeds, let alone printed anything.
    drop(child.stdout.take());
    drop(child.stderr.take());
    let status = child.wait().expect("wait for carecast");
    assert!(status.success(), "{status}");
    assert!(dir.path().join("c/comparison.csv").exists());
}
