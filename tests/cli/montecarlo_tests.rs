//! `carecast run --draws N`: Monte Carlo percentile columns, reproducible for a
//! seed whatever the number of threads, ordered, bracketing the central run,
//! and leaving the central `value` column unchanged.

use crate::common::{carecast, read_csv, tempdir, value};
use std::path::Path;
use std::process::{Command, Output};

/// Runs `carecast` with `RAYON_NUM_THREADS` set.
fn carecast_threads(args: &[&str], cwd: &Path, threads: usize) -> Output {
    Command::new(env!("CARGO_BIN_EXE_carecast"))
        .args(args)
        .env("RAYON_NUM_THREADS", threads.to_string())
        .current_dir(cwd)
        .output()
        .expect("run carecast")
}

/// `run baseline --draws 20 --seed 7 --end-year 2028` into `out`, with extra arguments.
fn draws(dir: &Path, out: &str, threads: usize, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["run", "baseline", "--draws", "20", "--seed", "7", "--end-year", "2028", "--out", out, "-q"];
    args.extend_from_slice(extra);
    let o = carecast_threads(&args, dir, threads);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read(dir.join(out).join("projection.csv")).expect("projection.csv")
}

#[test]
fn same_seed_gives_identical_files_whatever_the_thread_count() {
    let dir = tempdir();
    let a = draws(dir.path(), "a", 2, &[]);
    let b = draws(dir.path(), "b", 2, &[]);
    assert!(a == b, "two runs with the same seed differ");
    let one = draws(dir.path(), "one", 1, &[]);
    assert!(one == a, "RAYON_NUM_THREADS=1 and 2 differ");
    let other_seed = carecast_threads(
        &["run", "baseline", "--draws", "20", "--seed", "8", "--end-year", "2028", "--out", "c", "-q"],
        dir.path(),
        2,
    );
    assert!(other_seed.status.success());
    assert!(std::fs::read(dir.path().join("c/projection.csv")).unwrap() != a, "another seed, other draws");
}

/// `compare --draws` too: its percentiles and probabilities (counts below
/// zero merged over the workers) are the same on one thread and on two.
#[test]
fn compare_draws_are_identical_whatever_the_thread_count() {
    let dir = tempdir();
    let run = |out: &str, threads: usize| {
        let args = [
            "compare",
            "baseline",
            "manifesto-2024-labour",
            "manifesto-2024-libdem",
            "--draws",
            "16",
            "--seed",
            "3",
            "--end-year",
            "2028",
            "--out",
            out,
            "-q",
        ];
        let o = carecast_threads(&args, dir.path(), threads);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (o.stdout, std::fs::read(dir.path().join(out).join("comparison.csv")).expect("comparison.csv"))
    };
    let (two_out, two) = run("two", 2);
    let (one_out, one) = run("one", 1);
    assert!(one == two, "comparison.csv differs between 1 and 2 threads");
    assert_eq!(one_out, two_out, "the terminal table differs between 1 and 2 threads");
}

#[test]
fn percentiles_are_ordered_and_bracket_the_central_run_whose_values_are_unchanged() {
    let dir = tempdir();
    draws(dir.path(), "mc", 2, &[]);
    let plain = carecast_threads(&["run", "baseline", "--end-year", "2028", "--out", "plain", "-q"], dir.path(), 2);
    assert!(plain.status.success());
    let (header, rows) = read_csv(&dir.path().join("mc/projection.csv"));
    assert_eq!(header, ["scenario", "year", "measure", "breakdown", "value", "p05", "p25", "p50", "p75", "p95"]);
    let (plain_header, plain_rows) = read_csv(&dir.path().join("plain/projection.csv"));
    assert_eq!(plain_header, ["scenario", "year", "measure", "breakdown", "value"], "no extra columns without --draws");
    assert_eq!(rows.len(), plain_rows.len());
    for (r, p) in rows.iter().zip(&plain_rows) {
        assert_eq!(r[..5], p[..], "value column is the plain run's");
        let q: Vec<f64> = r[5..].iter().map(|v| v.parse().unwrap()).collect();
        assert!(q.windows(2).all(|w| w[0] <= w[1]), "percentiles ordered: {r:?}");
    }
    let col = |i: usize| {
        rows.iter()
            .find(|r| r[1] == "2028" && r[2] == "children_in_care" && r[3] == "total")
            .map(|r| r[i].parse::<f64>().unwrap())
            .unwrap()
    };
    let central = value(&rows, "children_in_care", "total", 2028).unwrap();
    let (p05, p50, p95) = (col(5), col(7), col(9));
    assert!(p05 < p95, "draws vary: {p05} {p95}");
    assert!(p05 <= central && central <= p95, "central {central} outside [{p05}, {p95}]");
    // Process noise alone is small nationally (a few hundred children) and centred on the central run.
    draws(dir.path(), "noise", 2, &["--process-noise"]);
    let (_, noise) = read_csv(&dir.path().join("noise/projection.csv"));
    let n = noise.iter().find(|r| r[1] == "2028" && r[2] == "children_in_care" && r[3] == "total").unwrap();
    let (n05, n95): (f64, f64) = (n[5].parse().unwrap(), n[9].parse().unwrap());
    assert!(n05 <= central && central <= n95 && n95 - n05 < 0.02 * central, "noise band [{n05}, {n95}]");
    assert!(p50.is_finite());
}

#[test]
fn draws_flags_are_validated() {
    let dir = tempdir();
    let zero = carecast_threads(&["run", "--draws", "0", "--out", "z"], dir.path(), 1);
    assert!(!zero.status.success());
    assert!(!dir.path().join("z").exists(), "no output on a bad argument");
    let seed_alone = carecast_threads(&["run", "--seed", "3", "--out", "s"], dir.path(), 1);
    assert!(!seed_alone.status.success(), "--seed needs --draws");
}

#[test]
fn charts_with_draws_have_nested_fans_and_without_do_not() {
    let dir = tempdir();
    let args = ["run", "baseline", "--end-year", "2028", "--charts", "-q"];
    let mut mc = args.to_vec();
    mc.extend_from_slice(&["--draws", "10", "--out", "mc"]);
    let o = carecast_threads(&mc, dir.path(), 2);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut plain = args.to_vec();
    plain.extend_from_slice(&["--out", "plain"]);
    let o = carecast_threads(&plain, dir.path(), 2);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = |p: &str| std::fs::read_to_string(dir.path().join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let cic = svg("mc/charts/01_children_in_care.svg");
    for label in ["90% range", "50% range"] {
        assert!(cic.contains(label), "`{label}` in the children-in-care chart with --draws");
    }
    let spend = svg("mc/charts/04a_csc_spend_range.svg");
    assert!(spend.contains("90% range") && spend.contains("50% range"), "CSC spend fan");
    let plain_cic = svg("plain/charts/01_children_in_care.svg");
    assert!(!plain_cic.contains("90% range") && !plain_cic.contains("50% range"), "no bands without --draws");
    assert!(!dir.path().join("plain/charts/04a_csc_spend_range.svg").exists(), "no spend fan without --draws");
}

/// A normal distribution stated on one assumption: the children's-home price
/// growth g ~ normal with 5th/95th percentiles at the stated low and high. The
/// weekly cost of a children's home in the last year is c (1 + g)^k, a
/// monotone function of g alone, so its 5th and 95th percentiles over the
/// draws are c (1 + low)^k and c (1 + high)^k (a closed form, within the
/// sampling error of 2,000 draws). Other ranged assumptions vary too but do
/// not enter this cost.
#[test]
fn a_stated_normal_distribution_gives_its_percentiles() {
    let dir = tempdir();
    let file = dir.path().join("normal.toml");
    std::fs::write(
        &file,
        r#"extends = "baseline"
[scenario]
name = "normal-price"
title = "normal"
area = "E92000001"
start_year = 2025
end_year = 2030
[[dimensions.placements]]
id = "childrens_home"
price_growth = { value = 0.06, low = 0.03, high = 0.09, distribution = "normal", source = "assumption" }
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = carecast(
        &[
            "run",
            file.to_str().unwrap(),
            "--draws",
            "2000",
            "--parameter-uncertainty",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (header, rows) = read_csv(&out.join("projection.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = rows
        .iter()
        .find(|r| r[1] == "2030" && r[2] == "weekly_cost_gbp" && r[3] == "placement:childrens_home")
        .expect("children's home weekly cost in 2030");
    let first = rows
        .iter()
        .find(|r| r[1] == "2026" && r[2] == "weekly_cost_gbp" && r[3] == "placement:childrens_home")
        .expect("children's home weekly cost in 2026");
    let v = |r: &Vec<String>, c: &str| r[col(c)].parse::<f64>().unwrap();
    // Cost in 2026 at central growth, back to the base it grew from.
    let base = v(first, "value") / 1.06;
    let k = 5;
    // Sampling error of a normal 5th percentile over 2,000 draws is about 0.05 sd (sd = 0.0182).
    let tol_g = 0.002;
    let g_at = |x: f64| (x / base).powf(1.0 / k as f64) - 1.0;
    assert!((g_at(v(row, "p05")) - 0.03).abs() < tol_g, "p05 growth {}", g_at(v(row, "p05")));
    assert!((g_at(v(row, "p95")) - 0.09).abs() < tol_g, "p95 growth {}", g_at(v(row, "p95")));
    assert!((g_at(v(row, "p50")) - 0.06).abs() < tol_g, "p50 growth {}", g_at(v(row, "p50")));
    // A normal is not a triangular: its 25th percentile is mean - 0.674 sd.
    let sd = 0.06 / (2.0 * 1.6449);
    assert!((g_at(v(row, "p25")) - (0.06 - 0.6745 * sd)).abs() < tol_g, "p25 growth {}", g_at(v(row, "p25")));
}

/// A stated correlation draws two assumptions together: the first of the pair
/// keeps its draws bit for bit (so its own percentiles do not move), and
/// correlating the two residential price growths positively widens the band of
/// total spend, which rises with both.
#[test]
fn a_correlation_keeps_the_first_marginal_and_widens_a_sum() {
    let dir = tempdir();
    let scenario = |name: &str, rho: Option<f64>| {
        let mut text = format!(
            "extends = \"baseline\"\n[scenario]\nname = \"{name}\"\ntitle = \"t\"\narea = \"E92000001\"\nstart_year = 2025\nend_year = 2030\n"
        );
        if let Some(rho) = rho {
            text.push_str(&format!(
                "[[correlations]]\nid = \"residential\"\na = \"dimensions.placements.childrens_home.price_growth\"\nb = \"dimensions.placements.other_residential.price_growth\"\nrho = {rho}\n"
            ));
        }
        let path = dir.path().join(format!("{name}.toml"));
        std::fs::write(&path, text).unwrap();
        let out = dir.path().join(name);
        let args = [
            "run",
            path.to_str().unwrap(),
            "--draws",
            "400",
            "--parameter-uncertainty",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ];
        let o = carecast(&args, dir.path());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        read_csv(&out.join("projection.csv"))
    };
    let (h, free) = scenario("free", None);
    let (_, tied) = scenario("tied", Some(0.95));
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let band = |rows: &[Vec<String>], measure: &str, breakdown: &str| -> Vec<f64> {
        let r = rows.iter().find(|r| r[1] == "2030" && r[2] == measure && r[3] == breakdown).unwrap();
        ["p05", "p25", "p50", "p75", "p95"].iter().map(|p| r[col(p)].parse::<f64>().unwrap()).collect()
    };
    assert_eq!(
        band(&free, "weekly_cost_gbp", "placement:childrens_home"),
        band(&tied, "weekly_cost_gbp", "placement:childrens_home")
    );
    let width = |b: Vec<f64>| b[4] - b[0];
    let (w_free, w_tied) =
        (width(band(&free, "spend_gbp_cash", "total")), width(band(&tied, "spend_gbp_cash", "total")));
    assert!(w_tied > w_free, "90% band of spend: {w_tied} with the correlation, {w_free} without");
}

/// `--sampling lhs`: the same file on one thread and on two, a different one
/// from random sampling with the same seed, the central values untouched; and
/// a design that samples nothing is refused.
#[test]
fn latin_hypercube_draws_are_reproducible_and_differ_from_random() {
    let dir = tempdir();
    let lhs = ["--parameter-uncertainty", "--sampling", "lhs"];
    let two = draws(dir.path(), "lhs2", 2, &lhs);
    let one = draws(dir.path(), "lhs1", 1, &lhs);
    assert!(one == two, "RAYON_NUM_THREADS=1 and 2 differ under --sampling lhs");
    let random = draws(dir.path(), "rnd", 2, &["--parameter-uncertainty"]);
    assert!(random != two, "Latin hypercube and random sampling give the same percentiles");
    let (_, l) = read_csv(&dir.path().join("lhs2/projection.csv"));
    let (_, r) = read_csv(&dir.path().join("rnd/projection.csv"));
    assert!(l.iter().zip(&r).all(|(a, b)| a[..5] == b[..5]), "the central values do not depend on the design");
    let bad = carecast_threads(
        &["run", "baseline", "--draws", "5", "--process-noise", "--sampling", "lhs", "--out", "x", "-q"],
        dir.path(),
        2,
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--parameter-uncertainty"));
}
