//! `carecast report` and `carecast plot`: the report folder (HTML, Excel,
//! CSVs, charts), chart files and argument validation.

use crate::common::{carecast, read_csv, tempdir, value};
use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use std::path::Path;

/// Titles of the charts drawn for the single baseline scenario (no funding
/// rows, so no spend-vs-funding chart; one run, so no difference charts).
/// The baseline states funding (the 2025-26 budget), so it draws the funding and gap charts too.
const BASELINE_TITLES: [&str; 6] = [
    "Children looked after, England",
    "Children looked after by placement type, England",
    "Spend on placements by type, ",
    "social care spend and funding, England",
    "social care funding gap, England",
    "Growth in children looked after spend, ",
];

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

#[test]
fn report_writes_html_xlsx_csvs_and_charts() {
    let t = tempdir();
    let out = t.path().join("rep");
    let o = carecast(&["report", "baseline", "--out", out.to_str().unwrap()], t.path());
    assert!(o.status.success(), "report failed: {}", stderr(&o));

    // HTML: every chart inline, self-contained.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for title in BASELINE_TITLES {
        assert!(html.contains(title), "report.html lacks chart title {title:?}");
    }
    // The scenario's charts and the track record's.
    assert_eq!(html.matches("<svg").count(), BASELINE_TITLES.len() + 1, "one inline SVG per chart");
    assert!(!html.to_ascii_lowercase().contains("<script"), "no scripts");
    for attr in ["src=\"http", "href=\"http", "src='http", "href='http"] {
        assert!(!html.contains(attr), "external reference {attr}");
    }
    for must in ["Assumptions", "Open Government Licence v3.0", env!("CARGO_PKG_VERSION"), "report baseline --out"] {
        assert!(html.contains(must), "report.html lacks {must:?}");
    }

    // CSVs and charts.
    let (header, rows) = read_csv(&out.join("baseline").join("projection.csv"));
    assert_eq!(header, ["scenario", "year", "measure", "breakdown", "value"]);
    let (_, published) = read_csv(&out.join("published.csv"));
    assert!(value(&published, "children_in_care", "total", 2025).is_some());
    let charts = files_in(&out.join("charts"));
    assert_eq!(charts.len(), 2 * (BASELINE_TITLES.len() + 1), "{charts:?}");
    assert!(charts.iter().any(|f| f.ends_with(".png")) && charts.iter().any(|f| f.ends_with(".svg")));

    // Excel: the wide MTFP sheet holds the same number as the CSV.
    let want = value(&rows, "children_in_care", "total", 2030).expect("children in care 2030 in projection.csv");
    let mut wb: Xlsx<_> = open_workbook(out.join("report.xlsx")).expect("open report.xlsx");
    let names = wb.sheet_names();
    for sheet in ["About", "Summary", "Projection by year", "Quarterly", "Track record", "Assumptions"] {
        assert!(names.iter().any(|n| n == sheet), "no sheet {sheet} in {names:?}");
    }
    let range = wb.worksheet_range("Projection by year").unwrap();
    let grid: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let col = grid[0].iter().position(|c| *c == Data::String("2029-30".into())).expect("2029-30 column");
    let row = grid
        .iter()
        .find(|r| {
            r[0] == Data::String("baseline".into())
                && r[1] == Data::String("children_in_care".into())
                && r[2] == Data::String("total".into())
        })
        .expect("children_in_care total row");
    match &row[col] {
        Data::Float(got) => assert!((got - want).abs() < 1e-6, "xlsx {got} vs csv {want}"),
        other => panic!("expected a number, got {other:?}"),
    }
    // The quarterly sheet holds what each scenario's quarterly.csv holds.
    let (_, quarters) = read_csv(&out.join("baseline").join("quarterly.csv"));
    let q3 = quarters
        .iter()
        .find(|r| r[1] == "2030" && r[2] == "3" && r[4] == "csc_spend_gbp_cash" && r[5] == "total")
        .expect("2029-30 Q3 CSC spend in quarterly.csv");
    let want_q3: f64 = q3[6].parse().unwrap();
    let quarterly: Vec<Vec<Data>> = wb.worksheet_range("Quarterly").unwrap().rows().map(|r| r.to_vec()).collect();
    let col = quarterly[0].iter().position(|c| *c == Data::String("2029-30 Q3".into())).expect("2029-30 Q3 column");
    let row = quarterly
        .iter()
        .find(|r| r[0] == Data::String("baseline".into()) && r[1] == Data::String("csc_spend_gbp_cash".into()))
        .expect("CSC spend row");
    assert!(row[col].as_f64().is_some_and(|v| (v - want_q3).abs() <= 1e-6), "{:?} vs {want_q3}", row[col]);
    // The track record is `carecast backtest`'s for the same cut-offs (a second route).
    let b = carecast(&["backtest", "--train-until", "2021,2022,2023,2024", "--out", "bt", "-q"], t.path());
    assert!(b.status.success(), "backtest failed: {}", stderr(&b));
    let (bt_header, bt) = read_csv(&t.path().join("bt/summary.csv"));
    let col = |name: &str| bt_header.iter().position(|h| h == name).unwrap();
    let track: Vec<Vec<Data>> = wb.worksheet_range("Track record").unwrap().rows().map(|r| r.to_vec()).collect();
    assert_eq!(track.len(), 1 + 3, "a header and three horizons: {track:?}");
    for (row, want) in track[1..].iter().zip(&bt) {
        for (got, name) in [(2, "mape_model"), (4, "mape_naive_last"), (5, "mape_naive_trend"), (7, "coverage_90")] {
            let want: f64 = want[col(name)].parse().unwrap();
            assert!(row[got].as_f64().is_some_and(|v| (v - want).abs() < 1e-12), "{name}: {row:?} vs {want}");
        }
    }
    // The errors by hand from backtest.csv's forecasts and outturns: the mean
    // of |forecast - actual| / actual at each horizon, and the share of
    // outturns inside p25-p75 and p05-p95.
    let (h, forecasts) = read_csv(&t.path().join("bt/backtest.csv"));
    let at = |name: &str| h.iter().position(|c| c == name).unwrap();
    for (k, row) in track[1..].iter().enumerate() {
        let horizon = (k + 1).to_string();
        let lines: Vec<&Vec<String>> =
            forecasts.iter().filter(|r| r[at("horizon")] == horizon && !r[at("actual")].is_empty()).collect();
        let num = |r: &Vec<String>, c: &str| -> f64 { r[at(c)].parse().unwrap() };
        let ape: f64 = lines.iter().map(|r| (num(r, "forecast") - num(r, "actual")).abs() / num(r, "actual")).sum();
        let inside = |lo: &str, hi: &str| {
            let n = lines.iter().filter(|r| num(r, lo) <= num(r, "actual") && num(r, "actual") <= num(r, hi)).count();
            n as f64 / lines.len() as f64
        };
        assert_eq!(row[1].as_f64(), Some(lines.len() as f64), "horizon {horizon}");
        assert!(row[2].as_f64().is_some_and(|v| (v - ape / lines.len() as f64).abs() < 1e-12), "{row:?}");
        assert_eq!(row[6].as_f64(), Some(inside("p25", "p75")), "50% band, horizon {horizon}");
        assert_eq!(row[7].as_f64(), Some(inside("p05", "p95")), "90% band, horizon {horizon}");
    }
    for must in ["Track record", "How the method did before: England", "CCN/Newton 2021 projection"] {
        assert!(html.contains(must), "report.html lacks {must:?}");
    }
    let summary = wb.worksheet_range("Summary").unwrap();
    let found = summary.rows().any(|r| {
        r.get(1).and_then(Data::as_f64) == Some(2030.0)
            && r.get(2).and_then(Data::as_f64).is_some_and(|v| (v - want).abs() < 1e-6)
    });
    assert!(found, "summary sheet has children in care 2030 = {want}");
}

/// `report --draws`: each scenario's CSV is what `run --draws` writes with the
/// same seed (a second route to the same percentiles), the workbook's range
/// sheet holds the CSV's p05 and p95, the HTML has an uncertainty section, and
/// the first scenario's charts get fans.
#[test]
fn report_with_draws_carries_the_runs_ranges() {
    let t = tempdir();
    let args = ["--draws", "12", "--seed", "4", "-q"];
    let o = carecast(&[&["report", "baseline", "--out", "rep"][..], &args].concat(), t.path());
    assert!(o.status.success(), "report failed: {}", stderr(&o));
    let r = carecast(&[&["run", "baseline", "--out", "run"][..], &args].concat(), t.path());
    assert!(r.status.success(), "run failed: {}", stderr(&r));
    let csv = |p: &str| std::fs::read(t.path().join(p)).unwrap();
    assert!(csv("rep/baseline/projection.csv") == csv("run/projection.csv"), "report and run percentiles differ");

    let (header, rows) = read_csv(&t.path().join("run/projection.csv"));
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = rows
        .iter()
        .find(|r| r[at("measure")] == "children_in_care" && r[at("breakdown")] == "total" && r[at("year")] == "2030")
        .expect("children in care 2030");
    let (p05, p95): (f64, f64) = (row[at("p05")].parse().unwrap(), row[at("p95")].parse().unwrap());
    assert!(p95 > p05, "{row:?}");
    let mut wb: Xlsx<_> = open_workbook(t.path().join("rep/report.xlsx")).expect("open report.xlsx");
    let sheet = wb.worksheet_range("Range - children in care").expect("a range sheet");
    let found = sheet.rows().any(|r| {
        r.first() == Some(&Data::String("baseline".into()))
            && r.get(1).and_then(Data::as_f64) == Some(2030.0)
            && r.get(3).and_then(Data::as_f64) == Some(p05)
            && r.get(7).and_then(Data::as_f64) == Some(p95)
    });
    assert!(found, "the range sheet has 2030's p05 {p05} and p95 {p95}");

    let html = std::fs::read_to_string(t.path().join("rep/report.html")).unwrap();
    for must in ["Uncertainty", "12 Monte Carlo draws per scenario", "90% range (p05-p95)"] {
        assert!(html.contains(must), "report.html lacks {must:?}");
    }
    // Without draws: no ranges, no percentile columns.
    let plain = carecast(&["report", "baseline", "--out", "plain", "-q"], t.path());
    assert!(plain.status.success(), "{}", stderr(&plain));
    assert!(!std::fs::read_to_string(t.path().join("plain/report.html")).unwrap().contains("Uncertainty"));
}

/// `report` with options: its `comparison.csv` is what `compare --draws`
/// writes with the same seed (a second route to the same paired draws); the
/// workbook's options sheets hold that file's NPV, probability and yearly
/// differences; the HTML has the options section and each option's chart.
#[test]
fn report_with_options_carries_the_comparison() {
    let t = tempdir();
    let args = ["--draws", "12", "--seed", "9", "-q"];
    let scenarios = ["baseline", "manifesto-2024-labour", "manifesto-2024-libdem"];
    let o = carecast(&[&["report"][..], &scenarios, &["--out", "rep"], &args].concat(), t.path());
    assert!(o.status.success(), "report failed: {}", stderr(&o));
    let c = carecast(&[&["compare"][..], &scenarios, &["--out", "cmp"], &args].concat(), t.path());
    assert!(c.status.success(), "compare failed: {}", stderr(&c));
    let bytes = |p: &str| std::fs::read(t.path().join(p)).unwrap();
    assert!(bytes("rep/comparison.csv") == bytes("cmp/comparison.csv"), "report and compare differ");
    // One set of draws for every range: each scenario's projection.csv has
    // the percentiles its comparison lines have (tidy rows there, series here).
    let (ph, projection) = read_csv(&t.path().join("rep/baseline/projection.csv"));
    let (ch, comparison) = read_csv(&t.path().join("rep/comparison.csv"));
    for (measure, year) in [("children_in_care", "2030"), ("csc_spend_gbp_cash", "2035")] {
        let pick = |h: &[String], r: &Vec<String>| -> Vec<String> {
            ["p05", "p25", "p50", "p75", "p95"]
                .iter()
                .map(|p| r[h.iter().position(|c| c == p).unwrap()].clone())
                .collect()
        };
        let p = projection.iter().find(|r| r[2] == measure && r[3] == "total" && r[1] == year).expect("projection row");
        let c =
            comparison.iter().find(|r| r[0] == "baseline" && r[1] == measure && r[2] == year).expect("comparison line");
        assert_eq!(pick(&ph, p), pick(&ch, c), "{measure} {year}");
    }

    let (header, rows) = read_csv(&t.path().join("cmp/comparison.csv"));
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let line = |option: &str, measure: &str, year: &str| -> f64 {
        let r = rows
            .iter()
            .find(|r| r[at("option")] == option && r[at("measure")] == measure && r[at("year")] == year)
            .unwrap_or_else(|| panic!("{option} {measure} {year}"));
        r[at("value")].parse().unwrap()
    };
    let mut wb: Xlsx<_> = open_workbook(t.path().join("rep/report.xlsx")).expect("open report.xlsx");
    let grid = |wb: &mut Xlsx<_>, sheet: &str| -> Vec<Vec<Data>> {
        wb.worksheet_range(sheet).unwrap_or_else(|e| panic!("sheet {sheet}: {e}")).rows().map(|r| r.to_vec()).collect()
    };
    let close = |got: Option<f64>, want: f64| got.is_some_and(|g| (g - want).abs() <= 1e-9 * want.abs().max(1.0));
    // The options summary: NPV in pounds (shown in £m by the cell's format) and
    // the probability of being cheaper, per option.
    let summary = grid(&mut wb, "Options vs base");
    let column = |name: &str| summary[0].iter().position(|c| *c == Data::String(name.into())).expect(name);
    for option in &scenarios[1..] {
        let row = summary.iter().find(|r| r[0] == Data::String((*option).into())).expect(option);
        assert!(close(row[column("NPV cost")].as_f64(), line(option, "npv_cost_gbp", "")), "{row:?}");
        let p = line(option, "probability_cheaper_than_base", "");
        assert!(close(row[column("P(cheaper)")].as_f64(), p), "{row:?}");
    }
    // The yearly differences, pivoted to financial years.
    let wide = grid(&mut wb, "Options - CSC spend");
    let col = wide[0].iter().position(|c| *c == Data::String("2029-30".into())).expect("2029-30 column");
    let row = wide.iter().find(|r| r[0] == Data::String("manifesto-2024-libdem".into())).expect("libdem row");
    assert!(close(row[col].as_f64(), line("manifesto-2024-libdem", "csc_spend_gbp_cash_vs_base", "2030")));

    let html = std::fs::read_to_string(t.path().join("rep/report.html")).unwrap();
    for must in ["Options against the base", "P(cheapest)", "percentiles of the paired differences"] {
        assert!(html.contains(must), "report.html lacks {must:?}");
    }
    // The first scenario's charts and its spend range under draws, the three
    // difference charts of every option, two an option with paired fans, a
    // tornado an option and the track record's.
    assert_eq!(html.matches("<svg").count(), BASELINE_TITLES.len() + 1 + 3 + 2 * 2 + 2 + 1);

    // The sensitivity sheet lists each option's largest swings as
    // `sensitivity OPTION --against BASE` ranks them.
    let s =
        carecast(&["sensitivity", "manifesto-2024-labour", "--against", "baseline", "--out", "sens", "-q"], t.path());
    assert!(s.status.success(), "sensitivity failed: {}", stderr(&s));
    let (_, sens) = read_csv(&t.path().join("sens/sensitivity.csv"));
    let sheet = grid(&mut wb, "Options sensitivity");
    let labour: Vec<&Vec<Data>> =
        sheet.iter().filter(|r| r[0] == Data::String("manifesto-2024-labour".into())).collect();
    assert_eq!(labour.len(), 10, "ten assumptions an option");
    for (row, want) in labour.iter().zip(&sens) {
        assert_eq!(row[1], Data::String(want[0].clone()), "same assumption, same rank");
        // Low and high as values, not rounded away (many are below 0.01).
        for (cell, column) in [(&row[2], 2), (&row[3], 3)] {
            let shown: f64 = cell.to_string().parse().unwrap_or_else(|_| panic!("{cell:?}"));
            assert!((shown - want[column].parse::<f64>().unwrap()).abs() < 1e-9, "{row:?} vs {want:?}");
        }
        let at_low: f64 = want[5].parse().unwrap();
        assert!(close(row[4].as_f64(), at_low), "{row:?} vs {want:?}");
    }
}

/// Scenarios over different years are reported, but not compared: the
/// options section says why, and an earlier report's `comparison.csv` and
/// option charts in the same folder are gone. The quarterly sheet runs in
/// time order from the earlier start.
#[test]
fn report_of_scenarios_over_different_years_says_why_they_are_not_compared() {
    let t = tempdir();
    let earlier = ["report", "baseline", "manifesto-2024-labour", "--draws", "4", "--out", "rep", "-q"];
    let o = carecast(&earlier, t.path());
    assert!(o.status.success(), "report failed: {}", stderr(&o));
    assert!(t.path().join("rep/comparison.csv").exists());
    // A folder no report wrote is left alone, even one holding a file a
    // report writes.
    std::fs::create_dir(t.path().join("rep/mine")).unwrap();
    std::fs::write(t.path().join("rep/mine/projection.csv"), "keep").unwrap();
    let o = carecast(&["report", "baseline", "stable-homes-200m", "--out", "rep", "-q"], t.path());
    assert!(o.status.success(), "report failed: {}", stderr(&o));
    let html = std::fs::read_to_string(t.path().join("rep/report.html")).unwrap();
    assert!(html.contains("The options are not compared against the base: the scenarios cover different years"));
    assert!(!t.path().join("rep/comparison.csv").exists(), "the earlier comparison is removed");
    assert!(!t.path().join("rep/manifesto-2024-labour").exists(), "the earlier option's folder is removed");
    assert!(t.path().join("rep/stable-homes-200m/quarterly.csv").exists());
    assert!(t.path().join("rep/mine/projection.csv").exists(), "a folder no report wrote is kept");
    let charts = files_in(&t.path().join("rep/charts"));
    assert!(!charts.iter().any(|f| f.starts_with("manifesto")), "{charts:?}");
    // The baseline's charts and the track record's, in both formats: no
    // difference charts, since runs from different years differ by more than
    // their options.
    assert_eq!(charts.len(), 2 * (BASELINE_TITLES.len() + 1), "{charts:?}");
    assert!(!charts.iter().any(|f| f.starts_with("05")), "{charts:?}");

    let mut wb: Xlsx<_> = open_workbook(t.path().join("rep/report.xlsx")).expect("open report.xlsx");
    let sheet = wb.worksheet_range("Quarterly").expect("a quarterly sheet");
    let header: Vec<String> = sheet.rows().next().unwrap().iter().skip(3).map(|c| c.to_string()).collect();
    assert_eq!(header.first().map(String::as_str), Some("2023-24 Q1"), "{header:?}");
    assert_eq!(header.last().map(String::as_str), Some("2034-35 Q4"), "{header:?}");
    assert!(header.windows(2).all(|w| w[0] < w[1]), "quarters in time order: {header:?}");

    // Over common years they are compared.
    let o = carecast(
        &[
            "report",
            "baseline",
            "stable-homes-200m",
            "--start-year",
            "2025",
            "--end-year",
            "2033",
            "--out",
            "common",
            "-q",
        ],
        t.path(),
    );
    assert!(o.status.success(), "report failed: {}", stderr(&o));
    assert!(t.path().join("common/comparison.csv").exists());
    // A year the data cannot start from is blamed on the flag, not the file.
    let o = carecast(&["report", "baseline", "--start-year", "2030", "--out", "late", "-q"], t.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--start-year 2030: expected a start year with published stock"), "{}", stderr(&o));
    assert!(!t.path().join("late").exists(), "nothing written");

    // A listed folder that is now a link is not followed.
    #[cfg(unix)]
    {
        std::fs::create_dir(t.path().join("precious")).unwrap();
        std::fs::write(t.path().join("precious/projection.csv"), "keep").unwrap();
        std::os::unix::fs::symlink(t.path().join("precious"), t.path().join("rep/stable-homes-200m-link")).unwrap();
        let list = t.path().join("rep/.carecast-report-scenarios");
        let mut listed = std::fs::read_to_string(&list).unwrap();
        listed.push_str("stable-homes-200m-link\n");
        std::fs::write(&list, listed).unwrap();
        let o = carecast(&["report", "baseline", "--out", "rep", "-q"], t.path());
        assert!(o.status.success(), "report failed: {}", stderr(&o));
        assert!(t.path().join("precious/projection.csv").exists(), "nothing removed through a link");
        assert!(!t.path().join("rep/stable-homes-200m").exists(), "the listed folder is removed");
    }
}

/// A scenario the method cannot be back-tested with (a council's own SSDA903
/// return gives explicit rates, not a calibration to cut back) is still
/// reported; the track record says why it is missing.
#[test]
fn report_of_an_explicit_scenario_says_why_there_is_no_track_record() {
    let t = tempdir();
    let f = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ssda903/sf-regional-samples-v1");
    let (episodes, header) = (format!("{f}/episodes.csv"), format!("{f}/header.csv"));
    let c =
        carecast(&["calibrate", "--episodes", &episodes, "--header", &header, "--out", "mine.toml", "-q"], t.path());
    assert!(c.status.success(), "calibrate failed: {}", stderr(&c));
    let o = carecast(&["report", "mine.toml", "--out", "rep", "-q"], t.path());
    assert!(o.status.success(), "report failed: {}", stderr(&o));
    let html = std::fs::read_to_string(t.path().join("rep/report.html")).unwrap();
    assert!(html.contains("The method could not be back-tested here: the scenario has explicit rates"), "{html}");
    assert_eq!(html.matches("explicit rates").count(), 1, "the reason once");

    // The Isles of Scilly publishes no children in care for 2022-2025: no
    // forecast can be scored, said in words without pointing into a file the
    // analyst never gave, and no table of empty rows.
    let o = carecast(&["report", "baseline", "--la", "Isles of Scilly", "--out", "scilly", "-q"], t.path());
    assert!(o.status.success(), "report failed: {}", stderr(&o));
    let html = std::fs::read_to_string(t.path().join("scilly/report.html")).unwrap();
    assert!(
        html.contains("could not be back-tested here: Isles of Scilly has no published children in care"),
        "{html}"
    );
    assert!(!html.contains(".toml:"), "no file locations in the committee pack");
}

/// A scenario with levers dated after the back-test's horizon (Labour's
/// pledges start in 2025 and run to 2035) is back-tested from every cut-off:
/// the fit's end year no longer cuts the scenario's horizon short.
#[test]
fn report_track_record_of_a_scenario_with_later_levers_has_every_cut_off() {
    let t = tempdir();
    let o = carecast(&["report", "manifesto-2024-labour", "--out", "rep", "-q"], t.path());
    assert!(o.status.success(), "report failed: {}", stderr(&o));
    let mut wb: Xlsx<_> = open_workbook(t.path().join("rep/report.xlsx")).expect("open report.xlsx");
    let track: Vec<Vec<Data>> = wb.worksheet_range("Track record").unwrap().rows().map(|r| r.to_vec()).collect();
    let forecasts: Vec<Option<f64>> = track[1..].iter().map(|r| r[1].as_f64()).collect();
    assert_eq!(forecasts, [Some(4.0), Some(3.0), Some(2.0)], "forecasts from 2021-2024 at 1, 2 and 3 years");
}

#[test]
fn plot_writes_svgs_with_titles() {
    let t = tempdir();
    let out = t.path().join("plots");
    let o = carecast(&["plot", "baseline", "--format", "svg", "--out", out.to_str().unwrap()], t.path());
    assert!(o.status.success(), "plot failed: {}", stderr(&o));
    let files = files_in(&out);
    assert_eq!(files.len(), BASELINE_TITLES.len(), "{files:?}");
    assert!(files.iter().all(|f| f.ends_with(".svg")), "{files:?}");
    let all: String = files.iter().map(|f| std::fs::read_to_string(out.join(f)).unwrap()).collect();
    for title in BASELINE_TITLES {
        assert!(all.contains(title), "no SVG has title {title:?}");
    }
}

#[test]
fn plot_rejects_bad_size_and_format_before_running() {
    let t = tempdir();
    let out = t.path().join("plots");
    let o = carecast(&["plot", "baseline", "--size", "10x10", "--out", out.to_str().unwrap()], t.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--size 10x10"), "message: {}", stderr(&o));
    assert!(!out.exists(), "nothing written");
    let o = carecast(&["plot", "baseline", "--format", "gif", "--out", out.to_str().unwrap()], t.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--format gif"), "message: {}", stderr(&o));
    assert!(!out.exists(), "nothing written");
    assert!(files_in(t.path()).is_empty());
}

#[test]
fn plot_two_scenarios_adds_funding_and_difference_charts() {
    let t = tempdir();
    let option = t.path().join("option_a.toml");
    std::fs::write(
        &option,
        "extends = \"baseline\"\n\n[scenario]\nname = \"option_a\"\ntitle = \"Option A: funding stated\"\n\n\
         [funding]\nbase_year = 2025\nbase_gbp_m = { value = 14000, source = \"assumption\" }\n\
         annual_growth = { value = 0.03, source = \"assumption\" }\n",
    )
    .unwrap();
    let out = t.path().join("plots");
    let o = carecast(
        &["plot", "baseline", option.to_str().unwrap(), "--format", "svg", "--out", out.to_str().unwrap()],
        t.path(),
    );
    assert!(o.status.success(), "plot failed: {}", stderr(&o));
    let files = files_in(&out);
    // The baseline's charts plus the three difference charts (funding is on both).
    assert_eq!(files.len(), BASELINE_TITLES.len() + 3, "{files:?}");
    let all: String = files.iter().map(|f| std::fs::read_to_string(out.join(f)).unwrap()).collect();
    for title in [
        "spend and funding, England",
        "Difference from baseline in children looked after",
        "Difference from baseline in children looked after spend",
        "Difference from baseline in children&apos;s social care spend",
    ] {
        assert!(all.contains(title), "no SVG has title {title:?}");
    }
}

#[test]
fn run_with_charts_writes_chart_folder() {
    let t = tempdir();
    let out = t.path().join("run");
    let o = carecast(&["run", "baseline", "--charts", "--quiet", "--out", out.to_str().unwrap()], t.path());
    assert!(o.status.success(), "run failed: {}", stderr(&o));
    let charts = files_in(&out.join("charts"));
    assert_eq!(charts.len(), 2 * BASELINE_TITLES.len(), "{charts:?}");
    assert!(out.join("projection.csv").exists());
}
