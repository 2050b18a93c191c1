//! Councils from the published data: `--la` by name, ONS code or DfE number,
//! suppressed cells filled and flagged, `--all-las` with the sum-of-councils check.

use crate::common::{carecast, read_csv, tempdir, value};

/// Blackpool's published children in care at 31 March 2025 (DfE 2025 release):
/// the highest rate in England, 184 per 10,000.
const BLACKPOOL_CLA_2025: f64 = 531.0;

#[test]
fn la_by_name_code_or_number_starts_from_the_published_stock() {
    let dir = tempdir();
    for (arg, out) in [("Blackpool", "a"), ("E06000009", "b"), ("890", "c")] {
        let o = carecast(&["run", "--la", arg, "--out", out], dir.path());
        assert!(o.status.success(), "{arg}: {}", String::from_utf8_lossy(&o.stderr));
        let (_, rows) = read_csv(&dir.path().join(out).join("projection.csv"));
        let cic = value(&rows, "children_in_care", "total", 2025).unwrap();
        assert!((cic - BLACKPOOL_CLA_2025).abs() < 1e-6, "{arg}: {cic}");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("a/summary.json")).unwrap()).unwrap();
    assert_eq!(summary["area"]["name"], "Blackpool");
}

#[test]
fn councils_are_found_by_the_names_people_use() {
    // Published names carry "City of", "County of", "County", "-on-Sea" and
    // "St."; Buckinghamshire's code changed in 2020 (seeds/areas.csv).
    let dir = tempdir();
    for (query, code) in [
        ("Bristol", "E06000023"),
        ("Kingston upon Hull", "E06000010"),
        ("Durham", "E06000047"),
        ("Herefordshire", "E06000019"),
        ("Southend", "E06000033"),
        ("St Helens", "E08000013"),
        ("E10000002", "E06000060"),
    ] {
        let o = carecast(&["run", "--la", query, "--end-year", "2026", "--out", "x"], dir.path());
        assert!(o.status.success(), "{query}: {}", String::from_utf8_lossy(&o.stderr));
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("x/summary.json")).unwrap()).unwrap();
        assert_eq!(summary["area"]["code"], code, "{query}");
    }
    // Two Kingstons: no guess, both suggested; no guess from a word inside a
    // name either (Berkshire is six councils; Hull is suggested, not taken).
    for (query, suggested) in [
        ("Kingston", ["Kingston upon Hull", "Kingston upon Thames"]),
        ("Berkshire", ["West Berkshire", "West Berkshire"]),
        ("Hull", ["Kingston upon Hull", "Kingston upon Hull"]),
        ("Yorkshire", ["Yorkshire", "Yorkshire"]),
    ] {
        let o = carecast(&["run", "--la", query, "--out", "y"], dir.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{query}: {err}");
        assert!(suggested.iter().all(|s| err.contains(s)), "{query}: {err}");
    }
}

#[test]
fn unknown_council_gets_nearest_matches() {
    let dir = tempdir();
    let o = carecast(&["run", "--la", "Blackpol", "--out", "x"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("Blackpool") && err.contains("--la"), "{err}");
    assert!(!dir.path().join("x").exists());
}

#[test]
fn suppressed_cells_are_filled_and_flagged() {
    // Hartlepool's 2025 breakdowns have suppressed cells (DfE `c`); the run
    // fills them, says so in the notes and lists each one in summary.json.
    let dir = tempdir();
    let o = carecast(&["run", "--la", "Hartlepool", "--out", "h"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("h/summary.json")).unwrap()).unwrap();
    let filled = summary["filled_values"].as_array().expect("filled_values");
    assert!(!filled.is_empty());
    assert!(
        filled.iter().all(|f| f["method"].as_str().is_some_and(|m| m.contains("filled") || m.contains("apportioned")))
    );
    assert!(summary["assumptions"].as_array().unwrap().iter().any(|n| n["key"] == "published.filled"));
    // The start stock still equals the published total.
    let (_, rows) = read_csv(&dir.path().join("h/projection.csv"));
    let published: f64 = {
        let (_, h) = read_csv(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/cla_headline.csv"));
        h.iter().find(|r| r[0] == "E06000001" && r[1] == "2025").unwrap()[2].parse().unwrap()
    };
    assert!((value(&rows, "children_in_care", "total", 2025).unwrap() - published).abs() < 1e-6);
}

#[test]
fn all_councils_sum_close_to_england() {
    let dir = tempdir();
    let o = carecast(
        &["run", "--all-las", "--end-year", "2027", "--out", "all", "--draws", "3", "--parameter-uncertainty"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (header, rows) = read_csv(&dir.path().join("all/projection.csv"));
    assert_eq!(
        header,
        ["scenario", "year", "measure", "breakdown", "value", "area", "p05", "p25", "p50", "p75", "p95"]
    );
    // Every council and England get their own bands, ordered; the sum of councils none (percentiles do not add).
    for r in &rows {
        if r[5] == "sum_of_councils" {
            assert!(r[6..].iter().all(String::is_empty), "{r:?}");
        } else {
            let q: Vec<f64> = r[6..].iter().map(|v| v.parse::<f64>().unwrap()).collect();
            assert!(q.windows(2).all(|w| w[0] <= w[1] + 1e-9 * w[1].abs().max(1.0)), "{r:?}");
        }
    }
    let areas: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[5].as_str()).collect();
    // Every one of the 153 councils, plus England and the sum.
    assert_eq!(areas.len(), 153 + 2, "{} areas", areas.len());
    assert!(areas.contains("E92000001") && areas.contains("sum_of_councils"));
    // The sum of councils is each council's rows added up (checked independently here).
    let total_2027: f64 = rows
        .iter()
        .filter(|r| {
            r[5].starts_with('E')
                && r[5] != "E92000001"
                && r[2] == "children_in_care"
                && r[3] == "total"
                && r[1] == "2027"
        })
        .map(|r| r[4].parse::<f64>().unwrap())
        .sum();
    let sum_row = rows
        .iter()
        .find(|r| r[5] == "sum_of_councils" && r[2] == "children_in_care" && r[3] == "total" && r[1] == "2027")
        .unwrap();
    assert!((sum_row[4].parse::<f64>().unwrap() - total_2027).abs() < 1e-6 * total_2027);
    // Close to the national run: councils' published 2025 stocks (with the
    // City of London's, suppressed, from the flow identity) add to England's
    // published 81,770 exactly, and transfers between councils net out later.
    let (_, check) = read_csv(&dir.path().join("all/council_check.csv"));
    for r in check.iter().filter(|r| r[1] == "children_in_care") {
        let rel: f64 = r[5].parse().unwrap();
        assert!(rel.abs() < 0.02, "{r:?}");
        if r[0] == "2025" {
            assert!((r[3].parse::<f64>().unwrap() - 81_770.0).abs() < 1e-6, "{r:?}");
        }
    }
    // England's funding is shared out by the councils' S251 spend, so it adds
    // up exactly; spend adds up within 2% as children in care does.
    for (measure, tolerance) in [("funding_gbp", 1e-9), ("csc_spend_gbp_cash", 0.02)] {
        let rows: Vec<_> = check.iter().filter(|r| r[1] == measure).collect();
        assert_eq!(rows.len(), 2, "{measure}: 2026 and 2027");
        for r in rows {
            let rel: f64 = r[5].parse().unwrap();
            assert!(rel.abs() < tolerance, "{r:?}");
        }
    }
    let failures =
        std::fs::read_to_string(dir.path().join("all/failures.csv")).expect("failures.csv is always written");
    assert_eq!(failures.lines().collect::<Vec<_>>(), ["area,name,error"], "{failures}");
}

/// A figure from `seeds/s251_finance.csv`, read here independently of the loader.
fn s251(area: &str, year: &str, item: &str) -> f64 {
    let (_, rows) = read_csv(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/s251_finance.csv"));
    rows.iter().find(|r| r[0] == area && r[2] == year && r[3] == item).unwrap()[4].parse().unwrap()
}

#[test]
fn a_council_takes_its_share_of_englands_funding_and_programme_money() {
    // The scenarios state England's funding and programme spend; a council's
    // run takes its share of England's children's social care spend in the
    // latest outturn (2024-25), and the programmes' effects stay England's
    // relative change.
    let dir = tempdir();
    // England's published total is the sum of the councils that reported;
    // the two that did not (Middlesbrough, Wandsworth: about 0.9%) are filled,
    // so Rutland's share is a little below its share of England's total.
    let item = "children_young_people_total_gbp";
    let published_share = s251("E06000017", "2025", item) / s251("E92000001", "2025", item);
    assert!(published_share > 0.0 && published_share < 0.002, "Rutland is a small council: {published_share}");
    for (scenario, out) in [("baseline", "e"), ("manifesto-2024-labour", "le")] {
        let o = carecast(&["run", scenario, "--out", out], dir.path());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let o = carecast(&["run", scenario, "--la", "Rutland", "--out", &format!("{out}-rut")], dir.path());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let rows = |out: &str| read_csv(&dir.path().join(out).join("projection.csv")).1;
    let (england, rutland) = (rows("e"), rows("e-rut"));
    let share =
        value(&rutland, "funding_gbp", "total", 2026).unwrap() / value(&england, "funding_gbp", "total", 2026).unwrap();
    assert!(share < published_share && share > published_share * 0.98, "{share} against {published_share}");
    for year in [2030, 2035] {
        let national = value(&england, "funding_gbp", "total", year).unwrap();
        let council = value(&rutland, "funding_gbp", "total", year).unwrap();
        assert!((council / national - share).abs() < 1e-9 * share, "{year}: {council} of {national}");
    }
    // Labour's kinship programme (£30m a year nationally from 2026).
    let (labour, labour_rut) = (rows("le"), rows("le-rut"));
    let line = |rows: &[Vec<String>]| value(rows, "spend_gbp_cash", "line:programme_kinship_support", 2027).unwrap();
    assert!((line(&labour) - 30e6).abs() < 1.0, "{}", line(&labour));
    assert!((line(&labour_rut) - 30e6 * share).abs() < 1e-6 * 30e6 * share, "{}", line(&labour_rut));
    // The effects follow England's money: the same file with its amounts
    // taken as Rutland's own (£30m of kinship support for Rutland) moves the
    // same children, while its spend lines are the full amounts.
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/manifesto-2024-labour.toml"),
    )
    .unwrap();
    let own = text.replacen("[scenario]\n", "[scenario]\namounts_for = \"area\"\n", 1);
    assert_ne!(own, text);
    std::fs::write(dir.path().join("own.toml"), own).unwrap();
    let o = carecast(&["run", "own.toml", "--la", "Rutland", "--out", "own"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let own = rows("own");
    assert!((line(&own) - 30e6).abs() < 1.0, "{}", line(&own));
    for year in [2027, 2030, 2035] {
        for (measure, breakdown) in [("children_in_care", "total"), ("starts", "placement:foster_kinship")] {
            let (a, b) =
                (value(&own, measure, breakdown, year).unwrap(), value(&labour_rut, measure, breakdown, year).unwrap());
            assert!((a - b).abs() < 1e-9 * a.abs().max(1.0), "{measure} {breakdown} {year}: {a} vs {b}");
        }
    }
    // The funding it inherits from the baseline is still England's, so still shared.
    let own_funding = value(&own, "funding_gbp", "total", 2026).unwrap();
    assert!((own_funding - share * 15.5e9).abs() < 1e-6 * own_funding, "{own_funding}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("e-rut/summary.json")).unwrap()).unwrap();
    assert!(summary["assumptions"].as_array().unwrap().iter().any(|n| n["key"] == "scenario.amounts_for"));
}

#[test]
fn a_councils_unit_costs_are_reconciled_to_its_outturn() {
    // East Riding's published unit costs times its child-weeks price more
    // than its S251 spend on children looked after (less leaving care): they
    // are scaled down so the base year is the outturn, which the notes say.
    // Before, the first projected year stood 16.7% above the 2024-25 outturn
    // (England's step is 5.8%).
    let dir = tempdir();
    let o = carecast(&["run", "--la", "E06000011", "--out", "er"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("er/summary.json")).unwrap()).unwrap();
    let notes = summary["assumptions"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["key"] == "costs.2025" && n["text"].as_str().unwrap().contains("scaled down together")),
        "{notes:?}"
    );
    let (_, rows) = read_csv(&dir.path().join("er/projection.csv"));
    let outturn = s251("E06000011", "2025", "cla_total_gbp");
    let first = value(&rows, "spend_gbp_cash", "total", 2026).unwrap();
    assert!(first / outturn - 1.0 < 0.12, "{first} against {outturn}");
}

#[test]
fn the_two_smallest_councils_run_with_their_gaps_stated() {
    let dir = tempdir();
    // Isles of Scilly: no children in care, starts or exits published for
    // 2022-2025 and a 2021 exit suppressed beyond filling: calibrated from 2022.
    let o = carecast(&["run", "--la", "Isles of Scilly", "--out", "scilly"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, rows) = read_csv(&dir.path().join("scilly/projection.csv"));
    for y in [2025, 2030, 2035] {
        assert_eq!(value(&rows, "children_in_care", "total", y), Some(0.0), "{y}");
    }
    let summary = std::fs::read_to_string(dir.path().join("scilly/summary.json")).unwrap();
    assert!(summary.contains("calibration starts there") && summary.contains("31 March 2022"), "{summary}");
    // Its 2025 stock is published (0, as the breakdowns' total): no warning.
    assert!(!String::from_utf8_lossy(&o.stdout).contains("not published"));
    // City of London: 2025 stock from its 2024 stock 7 + starts 15 - ceased 18, flagged.
    let o = carecast(&["run", "--la", "E09000001", "--out", "city"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, rows) = read_csv(&dir.path().join("city/projection.csv"));
    assert!((value(&rows, "children_in_care", "total", 2025).unwrap() - 4.0).abs() < 1e-9);
    let summary = std::fs::read_to_string(dir.path().join("city/summary.json")).unwrap();
    assert!(summary.contains("flow identity"), "the fill is listed in filled_values");
    // The run says so before anything else is read from it.
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("City of London's children in care at 31 March 2025 are not published")
            && stdout.contains("the last published figure is 7 at 31 March 2024")
            && stdout.contains("starts from 4, total from the flow identity"),
        "{stdout}"
    );
    // So does the report's headline, and its pack holds the summary.json it points to.
    let o = carecast(&["report", "baseline", "--la", "E09000001", "--out", "city-report", "-q"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(dir.path().join("city-report/report.html")).unwrap();
    assert!(html.contains("are not published (suppressed or missing"), "the headline's note");
    let pack_summary = std::fs::read_to_string(dir.path().join("city-report/baseline/summary.json")).unwrap();
    assert!(pack_summary.contains("flow identity"));
}
