//! `carecast sensitivity`: one-at-a-time low/high runs of every ranged assumption.

use crate::common::*;

const HOMES: &str = "dimensions.placements.childrens_home.price_growth";
const SURE_START: &str = "spend_lines.sure_start.annual_growth";

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

#[test]
fn sensitivity_baseline_spend_2030() {
    let t = tempdir();
    let out = t.path().join("sens");
    let o = carecast(
        &["sensitivity", "baseline", "--measure", "spend_gbp_cash", "--year", "2030", "--out", out.to_str().unwrap()],
        t.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);

    let (header, rows) = read_csv(&out.join("sensitivity.csv"));
    assert_eq!(
        header,
        [
            "parameter",
            "source",
            "low_value",
            "high_value",
            "central_value",
            "measure_at_low",
            "measure_at_high",
            "measure_central",
            "swing"
        ]
    );
    assert!(rows.len() >= 10, "{} rows", rows.len());
    // swing is |high - low| and the rows are sorted by it, largest first.
    let swings: Vec<f64> = rows
        .iter()
        .map(|r| {
            let swing = num(&r[8]);
            let expected = (num(&r[6]) - num(&r[5])).abs();
            assert!((swing - expected).abs() <= 1e-9 * expected.max(1.0), "{r:?}");
            swing
        })
        .collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]), "{swings:?}");

    let row = |key: &str| rows.iter().find(|r| r[0] == key).unwrap_or_else(|| panic!("no row {key}"));
    let homes = row(HOMES);
    // The range stated in scenarios/baseline.toml.
    assert_eq!((num(&homes[2]), num(&homes[3]), num(&homes[4])), (0.03, 0.12, 0.06));
    assert!(homes[1].starts_with("assumption"), "{homes:?}");
    // Dearer children's homes cost more.
    let (at_low, at_high, central) = (num(&homes[5]), num(&homes[6]), num(&homes[7]));
    assert!(at_high > central && central > at_low, "{homes:?}");

    // The central value is what a plain run gives.
    let run_out = t.path().join("run");
    let r = carecast(&["run", "baseline", "--out", run_out.to_str().unwrap()], t.path());
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let (_, proj) = read_csv(&run_out.join("projection.csv"));
    let plain = value(&proj, "spend_gbp_cash", "total", 2030).expect("spend_gbp_cash total 2030");
    assert!((central - plain).abs() <= 1e-6 * plain.abs(), "{central} vs {plain}");
    assert!(rows.iter().all(|r| num(&r[7]) == central), "one central value for every row");

    // Sure Start spend is not looked-after-children spend: its growth cannot move it.
    let sure_start = row(SURE_START);
    assert_eq!(num(&sure_start[8]), 0.0, "{sure_start:?}");
    assert!(num(&homes[8]) > num(&sure_start[8]));
    assert_eq!(rows[0][0], HOMES, "children's homes price growth has the largest swing");

    // A split's share is run with the split's other shares offsetting it
    // (so the shares still sum to 1): every ranged assumption has a row.
    assert!(rows.iter().any(|r| r[0] == "dimensions.placements.foster.split.foster_agency.share"), "{rows:?}");
    let (_, skipped) = read_csv(&out.join("skipped.csv"));
    assert!(skipped.is_empty(), "{skipped:?}");
    assert!(!stdout.contains("skipped"), "{stdout}");

    // Terminal: the top ten, the largest first.
    let first = stdout.lines().position(|l| l.starts_with(HOMES)).expect("homes printed");
    assert!(stdout.lines().nth(first + 1).unwrap_or("").starts_with(&rows[1][0]), "{stdout}");

    let svg = std::fs::read_to_string(out.join("tornado.svg")).expect("tornado.svg");
    assert!(svg.contains("Sensitivity of spend_gbp_cash in 2029-30"), "title missing");
    assert!(out.join("tornado.png").metadata().expect("tornado.png").len() > 1000);
}

#[test]
fn sensitivity_rejects_unknown_measure() {
    let t = tempdir();
    let o = carecast(&["sensitivity", "baseline", "--measure", "spend_gbp_cashh", "--out", "s"], t.path());
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("spend_gbp_cashh") && err.contains("spend_gbp_cash,"), "{err}");
    assert!(!t.path().join("s").join("sensitivity.csv").exists());
}

#[test]
fn sensitivity_with_value_changes_only_that_value() {
    use carecast_scenario::loader::{ranged_params, with_value_rewritten};
    let loaded = carecast_scenario::load("baseline").expect("baseline");
    let changed = with_value_rewritten(&loaded, "population.annual_growth", 0.001).expect("valid");
    let growth = |l: &carecast_scenario::Loaded| l.merged["population"]["annual_growth"]["value"].as_float();
    assert_eq!(growth(&loaded), Some(-0.003));
    assert_eq!(growth(&changed), Some(0.001));
    assert_eq!(changed.file.population.as_ref().map(|p| p.annual_growth.value()), Some(0.001));
    // Put the old value back by hand: everything else is identical.
    let mut restored = (*changed.merged).clone();
    restored["population"]["annual_growth"].as_table_mut().unwrap().insert("value".into(), toml::Value::Float(-0.003));
    assert_eq!(restored, *loaded.merged);
    let (before, after) = (ranged_params(&loaded), ranged_params(&changed));
    assert_eq!(before.len(), after.len());
    assert_eq!(
        before.iter().zip(&after).filter(|(b, a)| b != a).map(|(b, _)| b.key.as_str()).collect::<Vec<_>>(),
        ["population.annual_growth"]
    );
}

/// A child of the baseline named `name`, with the extra TOML `body`.
fn child(dir: &std::path::Path, file: &str, name: &str, body: &str) {
    let text = format!("extends = \"baseline\"\n[scenario]\nname = \"{name}\"\ntitle = \"test {name}\"\n{body}");
    std::fs::write(dir.join(file), text).unwrap();
}

/// Runs `sensitivity` and returns the rows of `sensitivity.csv`.
fn sensitivity(dir: &std::path::Path, args: &[&str], out: &str) -> Vec<Vec<String>> {
    let o = carecast(&[&["sensitivity", "-q"][..], args, &["--out", out]].concat(), dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    read_csv(&dir.join(out).join("sensitivity.csv")).1
}

/// Against a renamed copy of itself, every assumption moves both runs alike:
/// the difference is 0 at the centre and at every low and high. It would not
/// be if an assumption were set in one scenario only.
#[test]
fn sensitivity_against_an_identical_base_is_zero_everywhere() {
    let t = tempdir();
    child(t.path(), "same.toml", "same", "");
    for measure in ["npv_cost_gbp", "children_in_care"] {
        let rows = sensitivity(t.path(), &["same.toml", "--against", "baseline", "--measure", measure], measure);
        assert!(rows.len() >= 10, "{} rows", rows.len());
        for r in &rows {
            assert_eq!((num(&r[5]), num(&r[6]), num(&r[7])), (0.0, 0.0, 0.0), "{measure}: {r:?}");
        }
    }
}

/// The NPV at an assumption's low setting is what `compare` gives for the two
/// scenarios written with that value (a second route: files, not overrides),
/// and the whole-horizon measure needs a base.
#[test]
fn sensitivity_against_a_base_matches_compare_at_a_setting() {
    let t = tempdir();
    let option = "[population]\nbase_mid_year = 2024\nannual_growth = { value = -0.01, low = -0.02, high = 0.0, source = \"test\" }\n";
    child(t.path(), "lowpop.toml", "lowpop", option);
    let rows = sensitivity(t.path(), &["lowpop.toml", "--against", "baseline"], "s");
    let row = rows.iter().find(|r| r[0] == "deflator.annual_inflation").expect("inflation row");
    assert_eq!(num(&row[2]), 0.015, "the baseline's low inflation");
    let inflation = "[deflator]\nbase_year = 2025\nannual_inflation = { value = 0.015, source = \"test\" }\n";
    child(t.path(), "base_lo.toml", "base_lo", inflation);
    child(t.path(), "opt_lo.toml", "opt_lo", &format!("{option}{inflation}"));
    let o = carecast(&["compare", "base_lo.toml", "opt_lo.toml", "-q", "--out", "c"], t.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, cmp) = read_csv(&t.path().join("c").join("comparison.csv"));
    let npv = cmp.iter().find(|r| r[0] == "opt_lo" && r[1] == "npv_cost_gbp").map(|r| num(&r[3])).expect("NPV");
    let at_low = num(&row[5]);
    assert!((at_low - npv).abs() <= 1e-6 * npv.abs(), "sensitivity {at_low} vs compare {npv}");
    assert!(npv < 0.0, "fewer children cost less: {npv}");
    // Central: the NPV of lowpop against the baseline, as compare gives it.
    let o = carecast(&["compare", "baseline", "lowpop.toml", "-q", "--out", "c2"], t.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, cmp) = read_csv(&t.path().join("c2").join("comparison.csv"));
    let central = cmp.iter().find(|r| r[0] == "lowpop" && r[1] == "npv_cost_gbp").map(|r| num(&r[3])).unwrap();
    assert!((num(&row[7]) - central).abs() <= 1e-6 * central.abs(), "{row:?} vs {central}");

    let o = carecast(&["sensitivity", "lowpop.toml", "--measure", "npv_cost_gbp", "--out", "x"], t.path());
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--against BASE"), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Against a base, what cannot be measured is refused with what to do: the
/// scenario itself as its base, a measure a setting can leave undefined, and
/// scenarios over different years (for a yearly difference too) until
/// --start-year and --end-year put them on common years.
#[test]
fn sensitivity_against_a_base_refuses_what_it_cannot_measure() {
    let t = tempdir();
    for (args, want) in [
        (&["baseline", "--against", "baseline"][..], "that is the scenario itself"),
        (&["manifesto-2024-labour", "--against", "baseline", "--measure", "payback_year"][..], "cannot be ranked"),
        (
            &["stable-homes-200m", "--against", "baseline", "--measure", "children_in_care", "--year", "2030"][..],
            "pass --start-year and --end-year",
        ),
    ] {
        let o = carecast(&[&["sensitivity"][..], args, &["--out", "s", "-q"]].concat(), t.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(want), "{args:?}: {err}");
        assert!(!t.path().join("s").exists(), "{args:?}: nothing written");
    }
    let rows = sensitivity(
        t.path(),
        &["stable-homes-200m", "--against", "baseline", "--start-year", "2025", "--end-year", "2033"],
        "s",
    );
    assert!(!rows.is_empty());
}
