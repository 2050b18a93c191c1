//! `carecast calibrate --la`: a council calibrated on the published data,
//! written as a scenario that runs like any other; its fit levers are neutral.

use crate::common::{carecast, read_csv, tempdir, value};
use std::path::Path;

fn published_stock(area: &str, year: i32) -> f64 {
    let (_, rows) = read_csv(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/cla_headline.csv"));
    rows.iter().find(|r| r[0] == area && r[1] == year.to_string()).unwrap()[2].parse().unwrap()
}

#[test]
fn calibrated_file_runs_and_reproduces_the_council_run() {
    let dir = tempdir();
    let o = carecast(&["calibrate", "--la", "Blackpool", "--out", "bp.toml"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(dir.path().join("bp.toml")).unwrap();
    let table: toml::Table = text.parse().expect("valid TOML");
    let levers = table["levers"].as_array().expect("fit levers");
    assert!(levers.iter().any(|l| l["id"].as_str() == Some("fit_entry_rate_10_15")));
    for l in levers {
        let v = l["value"].as_table().unwrap();
        let (low, mid, high) =
            (v["low"].as_float().unwrap(), v["value"].as_float().unwrap(), v["high"].as_float().unwrap());
        assert!(low < mid && mid == 1.0 && mid < high, "{l:?}");
    }
    assert!(carecast(&["validate", "bp.toml"], dir.path()).status.success());
    assert!(carecast(&["run", "bp.toml", "--out", "a"], dir.path()).status.success());
    assert!(carecast(&["run", "--la", "Blackpool", "--out", "b"], dir.path()).status.success());
    let (_, a) = read_csv(&dir.path().join("a/projection.csv"));
    let (_, b) = read_csv(&dir.path().join("b/projection.csv"));
    assert_eq!(value(&a, "children_in_care", "total", 2025).unwrap(), published_stock("E06000009", 2025));
    for y in [2026, 2030, 2035] {
        let (x, z) =
            (value(&a, "children_in_care", "total", y).unwrap(), value(&b, "children_in_care", "total", y).unwrap());
        assert!((x - z).abs() <= 1e-9 * z, "{y}: {x} vs {z}");
    }
    // A shorter run of the same file does not reach the shock levers dated after
    // its end: it runs, and its years are the full run's (central values).
    let o = carecast(&["run", "bp.toml", "--end-year", "2030", "--out", "c"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, c) = read_csv(&dir.path().join("c/projection.csv"));
    assert!(value(&c, "children_in_care", "total", 2031).is_none());
    let (x, z) =
        (value(&c, "children_in_care", "total", 2030).unwrap(), value(&a, "children_in_care", "total", 2030).unwrap());
    assert!((x - z).abs() <= 1e-9 * z, "2030: {x} vs {z}");
}

#[test]
fn a_shorter_window_starts_from_its_last_year() {
    let dir = tempdir();
    let o = carecast(&["calibrate", "--la", "890", "--from", "2021", "--to", "2024", "--out", "w.toml"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(carecast(&["run", "w.toml", "--out", "o"], dir.path()).status.success());
    let (_, rows) = read_csv(&dir.path().join("o/projection.csv"));
    assert_eq!(value(&rows, "children_in_care", "total", 2024).unwrap(), published_stock("E06000009", 2024));
    assert!(value(&rows, "children_in_care", "total", 2025).is_some());
}

#[test]
fn la_and_a_return_do_not_mix() {
    let dir = tempdir();
    let o = carecast(&["calibrate", "--la", "Blackpool", "--episodes", "e.csv", "--out", "x.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--la"));
    let o = carecast(&["calibrate", "--out", "x.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    // A return's own options are refused with --la, not silently ignored.
    let o = carecast(&["calibrate", "--la", "Blackpool", "--exclude-uasc", "--out", "x.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--exclude-uasc"));
    assert!(!dir.path().join("x.toml").exists());
}

#[test]
fn end_year_sets_the_files_horizon() {
    let dir = tempdir();
    let o = carecast(&["calibrate", "--la", "890", "--end-year", "2030", "--out", "s.toml"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(dir.path().join("s.toml")).unwrap();
    assert!(text.lines().any(|l| l == "end_year = 2030"), "{text}");
    assert!(carecast(&["run", "s.toml", "--out", "o"], dir.path()).status.success());
    let (_, rows) = read_csv(&dir.path().join("o/projection.csv"));
    assert!(value(&rows, "children_in_care", "total", 2030).is_some());
    assert!(value(&rows, "children_in_care", "total", 2031).is_none());
    // Not before the stock it starts from.
    let o = carecast(&["calibrate", "--la", "890", "--end-year", "2025", "--out", "t.toml"], dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--end-year 2025"));
    assert!(!dir.path().join("t.toml").exists());
}

/// The fit levers of a written file: id -> (low, high, description, source).
fn fit_levers(text: &str) -> Vec<(String, f64, f64, String, String)> {
    let table: toml::Table = text.parse().expect("valid TOML");
    table["levers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let v = l["value"].as_table().unwrap();
            (
                l["id"].as_str().unwrap().to_string(),
                v["low"].as_float().unwrap(),
                v["high"].as_float().unwrap(),
                l["description"].as_str().unwrap().to_string(),
                v["source"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Published starts of `area` aged `band` summed over the financial years ending `from..=to`.
fn published_starts(area: &str, band: &str, from: i32, to: i32) -> f64 {
    let (_, rows) = read_csv(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds/cla_breakdowns.csv"));
    rows.iter()
        .filter(|r| r[0] == area && r[2] == "starts" && r[3] == "age" && r[4] == band)
        .filter(|r| r[1].parse::<i32>().is_ok_and(|y| (from..=to).contains(&y)))
        .map(|r| r[5].parse::<f64>().unwrap())
        .sum()
}

const BANDS: [&str; 5] = ["under_1", "1_4", "5_9", "10_15", "16_17"];

#[test]
fn the_fit_states_standard_errors_that_shrink_with_the_counts() {
    let dir = tempdir();
    let o = carecast(&["calibrate", "--la", "England", "--out", "en.toml"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    // Bath and North East Somerset: about 75 starts a year, none suppressed.
    let small = carecast(&["calibrate", "--la", "E06000022", "--out", "ru.toml"], dir.path());
    assert!(small.status.success(), "{}", String::from_utf8_lossy(&small.stderr));
    let en = fit_levers(&std::fs::read_to_string(dir.path().join("en.toml")).unwrap());
    let ru = fit_levers(&std::fs::read_to_string(dir.path().join("ru.toml")).unwrap());
    let half = |ls: &[(String, f64, f64, String, String)], id: &str| {
        let l = ls.iter().find(|l| l.0 == id).unwrap_or_else(|| panic!("no lever {id}"));
        (l.2 - 1.0, l.3.clone(), l.4.clone())
    };
    // The stated standard error: the range is +/- 2 of them (capped at +/- 90%); the year-to-year
    // variation is drawn by the structural shocks, not added here.
    let se_of = |what: &str| -> f64 {
        let rest = what.split("relative standard error ").nth(1).expect("a standard error");
        rest.split('%').next().unwrap().trim().parse::<f64>().unwrap() / 100.0
    };
    for band in BANDS {
        let id = format!("fit_entry_rate_{band}");
        let (h, what, source) = half(&en, &id);
        let se = se_of(&what);
        assert!((h / 2.0 - se.min(0.45)).abs() < 2e-4, "{id}: the range {h} is not 2 standard errors {se}");
        assert!(what.contains("relative standard error"), "{what}");
        assert!(source.contains("Poisson maximum likelihood"), "{source}");
        // Identified and precise for England...
        assert!(se > 0.0 && se < 0.05, "{id}: England relative SE {se}");
        // ...and never below the Poisson floor 1/sqrt(starts over the window): adding the
        // trend and overdispersion can only widen it.
        let floor = 1.0 / published_starts("E92000001", band, 2021, 2025).sqrt();
        assert!(se >= floor * 0.999, "{id}: {se} below the Poisson floor {floor}");
        // A small council's counts identify less.
        let (h_small, what_small, _) = half(&ru, &id);
        assert!(h_small > h, "{id}: the small council's half-range {h_small} not above England's {h}");
        assert!(se_of(&what_small) > se, "{id}: the small council's standard error is not above England's");
        let floor_small = 1.0 / published_starts("E06000022", band, 2021, 2025).sqrt();
        assert!(h_small / 2.0 >= floor_small.min(0.45) * 0.999, "{id}: {h_small} vs the Poisson floor {floor_small}");
    }
    for band in BANDS {
        let (h, what, _) = half(&en, &format!("fit_exit_age_{band}"));
        assert!(h > 0.0 && se_of(&what) < 0.05 && what.contains("relative standard error"), "{band}: {h} {what}");
    }
    for reason in ["returned_home", "adoption", "special_guardianship", "other"] {
        let (h, what, _) = half(&en, &format!("fit_exit_reason_{reason}"));
        assert!(h > 0.0 && se_of(&what) < 0.1 && what.contains("relative standard error"), "{reason}: {h} {what}");
    }
    // Stated ranges where the data do not identify a parameter, said so.
    let (h, what, source) = half(&en, "fit_entry_mix_childrens_home");
    assert!((h - 0.5).abs() < 1e-9 && what.contains("not identified") && source.starts_with("assumption"), "{what}");
    let text = std::fs::read_to_string(dir.path().join("en.toml")).unwrap();
    assert!(text.contains("reason-by-age interaction"));
    // Goodness of fit by series, in the file and on the terminal.
    for series in
        ["starts by age", "ceased by age (under 18)", "ceased by reason", "stock by age", "stock by placement"]
    {
        assert!(text.lines().any(|l| l.starts_with("#   ") && l.contains(series)), "file: {series}");
        assert!(stdout.lines().any(|l| l.starts_with(series)), "stdout: {series}\n{stdout}");
    }
    assert!(text.contains("not matched within 2%"));
    assert!(stdout.contains("not matched within 2%"));
    assert!(stdout.contains("a year (SE"), "{stdout}");
}

#[test]
fn the_fitted_file_with_its_new_levers_reproduces_the_england_run() {
    let dir = tempdir();
    assert!(carecast(&["calibrate", "--la", "England", "--out", "en.toml"], dir.path()).status.success());
    assert!(carecast(&["validate", "en.toml"], dir.path()).status.success());
    assert!(carecast(&["run", "en.toml", "--out", "a"], dir.path()).status.success());
    assert!(carecast(&["run", "--la", "England", "--out", "b"], dir.path()).status.success());
    let (_, a) = read_csv(&dir.path().join("a/projection.csv"));
    let (_, b) = read_csv(&dir.path().join("b/projection.csv"));
    for y in [2026, 2030, 2035] {
        for measure in ["children_in_care", "starts", "ceased"] {
            let (x, z) = (value(&a, measure, "total", y).unwrap(), value(&b, measure, "total", y).unwrap());
            assert!((x - z).abs() <= 1e-9 * z, "{measure} {y}: {x} vs {z}");
        }
    }
}

/// The structural variation recomputed from the published headline series of every
/// council, 2015 to `to` (the method of moments of the local level model): for each
/// series (entry: ln starts per child aged 0-17 at the previous mid-year; exit: ln
/// ceased per mean stock), m_k = mean over k-year pairs of the squared change minus
/// the Poisson variance 1/n + 1/n', k = 1..4; level^2 and 2 transient^2 are the slope
/// and intercept of m_k on k by least squares weighted by the number of pairs.
/// Returns ((entry level, entry transient), (exit level, exit transient), level correlation).
type Moments = ((f64, f64), (f64, f64), f64);
fn local_level_by_hand(to: i32) -> Moments {
    let p = crate::backtest_tests::Published::read();
    // [series][lag]: (pairs, sum of squares - Poisson); cross products by lag.
    let mut m = [[(0.0, 0.0); 4]; 2];
    let mut cross = [(0.0, 0.0); 4];
    for c in &p.councils {
        let entry = |y: i32| {
            let s = p.get(c, y, 1).filter(|s| *s > 0.0)?;
            Some(((s / p.pop(c, y - 1)?).ln(), s))
        };
        let exit = |y: i32| {
            let n = p.get(c, y, 2).filter(|n| *n > 0.0)?;
            let mean = 0.5 * (p.get(c, y - 1, 0)? + p.get(c, y, 0)?);
            (mean > 0.0).then(|| ((n / mean).ln(), n))
        };
        for t in 2015..=to {
            for k in 1..=4 {
                if t - k < 2015 {
                    continue;
                }
                let l = (k - 1) as usize;
                for (s, (a, b)) in [(0, (entry(t), entry(t - k))), (1, (exit(t), exit(t - k)))] {
                    if let (Some(a), Some(b)) = (a, b) {
                        m[s][l].0 += 1.0;
                        m[s][l].1 += (a.0 - b.0).powi(2) - 1.0 / a.1 - 1.0 / b.1;
                    }
                }
                if let (Some(ea), Some(eb), Some(xa), Some(xb)) = (entry(t), entry(t - k), exit(t), exit(t - k)) {
                    cross[l].0 += 1.0;
                    cross[l].1 += (ea.0 - eb.0) * (xa.0 - xb.0);
                }
            }
        }
    }
    // Weighted least squares of the mean (sum / pairs) on k: slope and intercept.
    let line = |by_lag: [(f64, f64); 4]| {
        let w: f64 = by_lag.iter().map(|l| l.0).sum();
        let k_mean: f64 = by_lag.iter().zip(1..).map(|(l, k)| l.0 * f64::from(k)).sum::<f64>() / w;
        let v_mean: f64 = by_lag.iter().map(|l| l.1).sum::<f64>() / w;
        let sxx: f64 = by_lag.iter().zip(1..).map(|(l, k)| l.0 * (f64::from(k) - k_mean).powi(2)).sum();
        let sxy: f64 = by_lag.iter().zip(1..).map(|(l, k)| (f64::from(k) - k_mean) * (l.1 - l.0 * v_mean)).sum();
        let slope = sxy / sxx;
        (slope, v_mean - slope * k_mean)
    };
    let fit = |s: usize| {
        let (level, twice_year) = line(m[s]);
        (level.max(0.0).sqrt(), (twice_year / 2.0).max(0.0).sqrt())
    };
    let (e, x) = (fit(0), fit(1));
    let cov = line(cross).0;
    (e, x, (cov / (e.0 * x.0)).clamp(-0.9, 0.9))
}

#[test]
fn the_file_draws_structural_shocks_estimated_from_the_published_series() {
    let dir = tempdir();
    let o = carecast(&["calibrate", "--la", "Blackpool", "--out", "bp.toml"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(dir.path().join("bp.toml")).unwrap();
    let table: toml::Table = text.parse().expect("valid TOML");
    let levers = table["levers"].as_array().unwrap();
    let lever = |id: &str| levers.iter().find(|l| l["id"].as_str() == Some(id));
    let sigma = |id: &str| {
        let l = lever(id).unwrap_or_else(|| panic!("no lever {id}"));
        let v = l["value"].as_table().unwrap();
        assert_eq!(v["distribution"].as_str(), Some("lognormal"), "{id}");
        let s = v["sigma"].as_float().unwrap();
        // The stated range is exp(-/+ 2 sigma).
        assert!((v["low"].as_float().unwrap() - (-2.0 * s).exp()).abs() < 1e-4, "{id}");
        assert!((v["high"].as_float().unwrap() - (2.0 * s).exp()).abs() < 1e-4, "{id}");
        s
    };
    let ((entry_level, entry_year), (exit_level, exit_year), rho) = local_level_by_hand(2025);
    // Blackpool's exits under 18 as a share of all exits, 2020-21 to 2024-25 (DfE:
    // ceased aged 18 and over 42, 50, 61, 53, 51 of 228, 184, 251, 179, 159).
    let share = 1.0 - (42.0 + 50.0 + 61.0 + 53.0 + 51.0) / (228.0 + 184.0 + 251.0 + 179.0 + 159.0);
    let close = |got: f64, want: f64, what: &str| assert!((got - want).abs() < 1e-5, "{what}: {got} vs {want}");
    // After the first year, the estimated steps (a random walk: one lever a year from that year on).
    for y in 2027..=2035 {
        close(sigma(&format!("shock_entry_level_{y}")), entry_level, "entry level");
        close(sigma(&format!("shock_exit_level_{y}")), exit_level / share, "exit level");
        let l = lever(&format!("shock_entry_level_{y}")).unwrap();
        assert_eq!(l["from_year"].as_integer(), Some(i64::from(y)));
        assert!(l.get("to_year").is_none(), "a level step persists");
        assert_eq!(l["target"].as_str(), Some("entry_rate"));
        assert_eq!(lever(&format!("shock_exit_level_{y}")).unwrap()["target"].as_str(), Some("exit_probability"));
        // The year's own deviation, that year only.
        let year = lever(&format!("shock_entry_year_{y}")).unwrap();
        assert_eq!(year["to_year"].as_integer(), Some(i64::from(y)));
        close(sigma(&format!("shock_entry_year_{y}")), entry_year, "entry transient");
        match lever(&format!("shock_exit_year_{y}")) {
            Some(_) => close(sigma(&format!("shock_exit_year_{y}")), exit_year / share, "exit transient"),
            None => assert_eq!(exit_year, 0.0),
        }
    }
    // The first year adds the error of a 5-year mean as the level at 2025:
    // level^2 (4 x 9) / 30 + transient^2 / 5.
    close(
        sigma("shock_entry_level_2026"),
        (entry_level.powi(2) * 2.2 + entry_year.powi(2) / 5.0).sqrt(),
        "first entry level",
    );
    close(
        sigma("shock_exit_level_2026"),
        (exit_level.powi(2) * 2.2 + exit_year.powi(2) / 5.0).sqrt() / share,
        "first exit level",
    );
    assert!(lever("shock_entry_level_2036").is_none(), "no shock after the file's end year");
    // Entry and exit steps move together as estimated.
    let correlations = table["correlations"].as_array().expect("correlations");
    let c = correlations.iter().find(|c| c["id"].as_str() == Some("shock_level_2030")).expect("shock_level_2030");
    assert_eq!(c["a"].as_str(), Some("levers.shock_entry_level_2030.value"));
    assert_eq!(c["b"].as_str(), Some("levers.shock_exit_level_2030.value"));
    assert!((c["rho"].as_float().unwrap() - rho).abs() < 1e-4, "{c:?} vs {rho}");
    assert!(rho > 0.0, "entry and exit levels move together in the published series: {rho}");
    // The method is stated in the file, and it is drawn by `run --draws`.
    assert!(text.contains("local level model") && text.contains("m_k = k level step^2 + 2 transient^2"));
    let o = carecast(&["run", "bp.toml", "--draws", "40", "--out", "mc", "-q"], dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (h, rows) = read_csv(&dir.path().join("mc/projection.csv"));
    let q = |y: &str, c: &str| {
        let r = rows.iter().find(|r| r[1] == y && r[2] == "children_in_care" && r[3] == "total").unwrap();
        r[h.iter().position(|x| x == c).unwrap()].parse::<f64>().unwrap()
    };
    // The 90% band of children in care widens with the horizon.
    let width = |y: &str| (q(y, "p95") / q(y, "p05")).ln();
    assert!(
        width("2026") < width("2028") && width("2028") < width("2035"),
        "{} {} {}",
        width("2026"),
        width("2028"),
        width("2035")
    );
}
