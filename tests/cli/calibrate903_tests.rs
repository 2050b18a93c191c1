//! `carecast calibrate` end to end: a generated return with known rates is
//! recovered within sampling error; the real-format fixtures calibrate with no
//! child identifier, date of birth or postcode in the outputs; the scenario
//! written runs; messy input fails with the file or flag named and no scenario;
//! tables combining several councils' returns (LA values) calibrate with a
//! warning and a note naming them, and one council's do not.

use crate::common::{carecast, read_csv, tempdir, value};
use carecast_ssda903::ReasonGroup;
use carecast_ssda903::testing::{KnownRates, generate_synthetic_return, with_la_column};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ssda903");

fn fixture(rel: &str) -> String {
    format!("{FIXTURES}/{rel}")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn parse_toml(path: &Path) -> (String, toml::Table) {
    let text = std::fs::read_to_string(path).expect("read scenario");
    let table: toml::Table = text.parse().unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
    (text, table)
}

fn get<'a>(t: &'a toml::Table, path: &[&str]) -> &'a toml::Value {
    let mut v = t.get(path[0]).unwrap_or_else(|| panic!("no key {}", path[0]));
    for k in &path[1..] {
        v = v.get(k).unwrap_or_else(|| panic!("no key {k} in {path:?}"));
    }
    v
}

fn as_f64(v: &toml::Value) -> f64 {
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).expect("a number")
}

/// Rate lines of one table section: (key, value, n, exposure months) from
/// `key = p  # 95%: lo-hi, n=N, exposure E child-months`.
fn rate_lines(text: &str, section: &str) -> Vec<(String, f64, f64, f64)> {
    let header = format!("[{section}]");
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('[') {
            inside = line.starts_with(&header);
            continue;
        }
        if !inside || line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (kv, comment) = line.split_once('#').expect("every rate has a comment");
        let (k, v) = kv.split_once('=').expect("key = value");
        let n = comment.split("n=").nth(1).and_then(|s| s.split(',').next()).expect("n=").trim().parse().expect("n");
        let e = comment
            .split("exposure ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .expect("exposure")
            .parse()
            .expect("exposure months");
        out.push((k.trim().to_string(), v.trim().parse().expect("rate"), n, e));
    }
    out
}

/// Writes a generated return to `dir`: (episodes, header) paths.
fn write_generated(dir: &Path, seed: u64, n_children: usize, rates: &KnownRates) -> (PathBuf, PathBuf) {
    let (episodes, header) = generate_synthetic_return(seed, n_children, rates);
    let e = dir.join("episodes.csv");
    let h = dir.join("header.csv");
    std::fs::write(&e, episodes).expect("write episodes");
    std::fs::write(&h, header).expect("write header");
    (e, h)
}

fn calibrate_generated(dir: &Path, rates: &KnownRates) -> (String, toml::Table) {
    let (e, h) = write_generated(dir, 903, 1800, rates);
    let out = carecast(
        &[
            "calibrate",
            "--episodes",
            e.to_str().unwrap(),
            "--header",
            h.to_str().unwrap(),
            "--reference-from",
            "01/04/2020",
            "--reference-to",
            "2025-03-31",
            "--name",
            "generated",
            "--out",
            "t.toml",
        ],
        dir,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    parse_toml(&dir.join("t.toml"))
}

/// A council about three times a typical one, so 3 standard errors are a few per cent.
fn known_rates() -> KnownRates {
    KnownRates { monthly_entries: 120.0, ..KnownRates::default() }
}

#[test]
fn generated_return_recovers_known_rates() {
    let dir = tempdir();
    let rates = known_rates();
    let (text, t) = calibrate_generated(dir.path(), &rates);

    assert_eq!(get(&t, &["scenario", "name"]).as_str(), Some("generated"));
    assert_eq!(get(&t, &["scenario", "area"]).as_str(), Some("custom"));
    assert_eq!(get(&t, &["scenario", "start_year"]).as_integer(), Some(2025));
    assert_eq!(get(&t, &["scenario", "end_year"]).as_integer(), Some(2035));
    assert_eq!(get(&t, &["explicit", "stock_date"]).as_str(), Some("2025-03-31"));

    let (mut n_all, mut exposure_all) = (0.0, 0.0);
    // Pooled exit probability by reason: hazard = sum n / sum exposure, with
    // standard error sqrt(sum n) / sum exposure; the truth is the generator's.
    for reason in
        [ReasonGroup::ReturnedHome, ReasonGroup::Adoption, ReasonGroup::SpecialGuardianship, ReasonGroup::Other]
    {
        let lines = rate_lines(&text, &format!("explicit.monthly_exit_probability.{}", reason.id()));
        assert!(lines.len() >= 10, "{reason}: {} cells", lines.len());
        // The values parse as written and are 1 - exp(-n / exposure) (the
        // exposure in the comment is rounded to 0.1 child-months).
        for (k, p, n, e) in &lines {
            let (band, placement) = k.split_once('.').expect("band.placement");
            let parsed = as_f64(get(&t, &["explicit", "monthly_exit_probability", reason.id(), band, placement]));
            assert!((parsed - p).abs() < 1e-12, "{k}");
            let expected = 1.0 - (-n / e).exp();
            assert!((p - expected).abs() <= n / e * 0.06 / e + 1e-7, "{k}: {p} vs {expected} from n={n}, {e} months");
        }
        let n: f64 = lines.iter().map(|l| l.2).sum();
        let exposure: f64 = lines.iter().map(|l| l.3).sum();
        let hazard = n / exposure;
        let se = n.sqrt() / exposure;
        let truth = -(1.0 - rates.monthly_exit_probability_for(reason).unwrap()).ln();
        assert!(n > 100.0, "{reason}: only {n} exits");
        n_all += n;
        exposure_all = exposure;
        assert!(
            (hazard - truth).abs() < 3.0 * se,
            "{reason}: pooled monthly hazard {hazard:.5} vs known {truth:.5} (se {se:.5}, n {n})"
        );
    }

    // All reasons together (every reason has the same exposure).
    let hazard = n_all / exposure_all;
    let se = n_all.sqrt() / exposure_all;
    let truth = -(1.0 - rates.monthly_exit_probability).ln();
    assert!((hazard - truth).abs() < 3.0 * se, "all exits: {hazard:.5} vs known {truth:.5} (se {se:.5})");

    // Entries a year: the known monthly entries x 12, within 3 standard errors
    // of a Poisson count over the 1,826-day period.
    let years = 1826.0 / 365.25;
    let entries = get(&t, &["explicit", "entries_per_year"]).as_table().expect("entries_per_year table");
    assert_eq!(entries.len(), 5);
    let per_year: f64 = entries.values().map(as_f64).sum();
    let known = rates.monthly_entries * 12.0;
    let se = (per_year * years).sqrt() / years;
    assert!((per_year - known).abs() < 3.0 * se, "entries a year {per_year:.1} vs known {known} (se {se:.1})");

    // Entry mix: each band sums to 1.
    let mix = get(&t, &["explicit", "entry_mix"]).as_table().expect("entry_mix");
    assert_eq!(mix.len(), 5);
    for (band, shares) in mix {
        let sum: f64 = shares.as_table().expect("band table").values().map(as_f64).sum();
        assert!((sum - 1.0).abs() < 1e-9, "{band} entry mix sums to {sum}");
    }
}

/// Children in care in the `initial_stock` table.
fn stock_total(t: &toml::Table) -> f64 {
    get(t, &["explicit", "initial_stock"])
        .as_table()
        .expect("initial_stock")
        .values()
        .flat_map(|b| b.as_table().expect("band").values().map(as_f64).collect::<Vec<_>>())
        .sum()
}

#[test]
fn generated_scenario_validates_and_runs_from_its_stock() {
    let dir = tempdir();
    let rates = known_rates();
    let (_, t) = calibrate_generated(dir.path(), &rates);
    let stock = stock_total(&t);
    assert!(stock > 100.0, "stock {stock}");

    let out = carecast(&["validate", "t.toml"], dir.path());
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    let out = carecast(&["run", "t.toml", "--out", "o"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let (_, rows) = read_csv(&dir.path().join("o/projection.csv"));
    let cic = |y| value(&rows, "children_in_care", "total", y).unwrap_or(f64::NAN);
    assert!((cic(2025) - stock).abs() < 1e-6, "start {} vs stock written {stock}", cic(2025));
    // Constant rates near the generator's steady state: the projection stays
    // within a plausible band of the start (no collapse, no explosion).
    for y in 2026..=2035 {
        let c = cic(y);
        assert!(c.is_finite() && c > 0.5 * stock && c < 2.0 * stock, "{y}: {c} vs start {stock}");
    }
    // A return's explicit rates have no published series to back-test against: said so.
    let out = carecast(&["backtest", "t.toml", "--train-until", "2022", "--out", "bt"], dir.path());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("explicit rates") && !err.contains("--la `"), "{err}");
    assert!(!dir.path().join("bt").exists());
}

/// Two councils' own returns are both area `custom`: `compare` tells them
/// apart by the children they start from and refuses to set one against the
/// other, while an option built on a return compares with it.
#[test]
fn two_councils_returns_are_not_compared() {
    let dir = tempdir();
    let d2i = "d2i-cs-demand-model-samples";
    let runs = [
        (
            vec![format!("{d2i}/2017-episodes.csv"), format!("{d2i}/2018-episodes.csv")],
            vec![format!("{d2i}/2017-header.csv"), format!("{d2i}/2018-header.csv")],
            "a",
        ),
        (
            vec!["sf-regional-samples-v1/episodes.csv".to_string()],
            vec!["sf-regional-samples-v1/header.csv".to_string()],
            "b",
        ),
    ];
    for (episodes, header, name) in &runs {
        let mut args = vec!["calibrate".to_string(), "--episodes".into()];
        args.extend(episodes.iter().map(|f| fixture(f)));
        args.push("--header".into());
        args.extend(header.iter().map(|f| fixture(f)));
        args.extend([
            "--name".into(),
            name.to_string(),
            "--end-year".into(),
            "2030".into(),
            "--out".into(),
            format!("{name}.toml"),
        ]);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = carecast(&refs, dir.path());
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // Put both on the same years, as a user comparing them would.
    let start = |name: &str| -> i64 {
        let (_, t) = parse_toml(&dir.path().join(format!("{name}.toml")));
        get(&t, &["scenario", "start_year"]).as_integer().unwrap()
    };
    let b = std::fs::read_to_string(dir.path().join("b.toml")).unwrap();
    let b = b.replacen(&format!("start_year = {}", start("b")), &format!("start_year = {}", start("a")), 1);
    std::fs::write(dir.path().join("b.toml"), b).unwrap();
    let out = carecast(&["compare", "a.toml", "b.toml", "--out", "cmp"], dir.path());
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("different areas") && err.contains("own return"), "{err}");
    assert!(!dir.path().join("cmp").exists());
    // An option on return a compares with it.
    std::fs::write(dir.path().join("a2.toml"), "extends = \"a.toml\"\n[scenario]\nname = \"a2\"\n").unwrap();
    let out = carecast(&["compare", "a.toml", "a2.toml", "--out", "ok"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Distinct values of one column of a fixture CSV.
fn column_values(path: &str, column: &str) -> HashSet<String> {
    let mut r = csv::Reader::from_path(path).expect("open fixture");
    let i = r.headers().expect("header").iter().position(|h| h == column).expect("column");
    r.records().map(|rec| rec.expect("row")[i].trim().to_string()).filter(|v| !v.is_empty()).collect()
}

/// Runs calibrate on fixture tables and checks the outputs hold no
/// identifiers; returns (scenario text, issues rows).
fn calibrate_fixture(episodes: &[&str], header: &[&str], uasc: &[&str]) -> (String, Vec<Vec<String>>) {
    let dir = tempdir();
    let mut args = vec!["calibrate".to_string(), "--episodes".into()];
    args.extend(episodes.iter().map(|f| fixture(f)));
    args.push("--header".into());
    args.extend(header.iter().map(|f| fixture(f)));
    if !uasc.is_empty() {
        args.push("--uasc".into());
        args.extend(uasc.iter().map(|f| fixture(f)));
    }
    args.extend(["--out".into(), "council.toml".into()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = carecast(&refs, dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("rows read:") && err.contains("dropped:"), "cleaning summary on stderr:\n{err}");
    let scenario = dir.path().join("council.toml");
    let issues = dir.path().join("council.issues.csv");
    assert!(scenario.is_file() && issues.is_file());
    let (text, t) = parse_toml(&scenario);
    assert!(stock_total(&t) >= 0.0);
    let issues_text = std::fs::read_to_string(&issues).expect("issues");
    let (head, rows) = read_csv(&issues);
    assert_eq!(head, ["file", "row", "column", "value", "reason", "action"]);

    // No CHILD id, UPN or postcode from the input anywhere in the outputs.
    let mut secrets = HashSet::new();
    for f in episodes {
        secrets.extend(column_values(&fixture(f), "CHILD"));
        secrets.extend(column_values(&fixture(f), "HOME_POST"));
        secrets.extend(column_values(&fixture(f), "PL_POST"));
    }
    for f in header {
        secrets.extend(column_values(&fixture(f), "CHILD"));
        secrets.extend(column_values(&fixture(f), "UPN"));
    }
    assert!(secrets.len() > 20);
    let tokens = |s: &str| -> HashSet<String> {
        s.split(|c: char| !(c.is_ascii_alphanumeric())).filter(|w| !w.is_empty()).map(String::from).collect()
    };
    for (name, out_text) in [("scenario", &text), ("issues", &issues_text)] {
        let toks = tokens(out_text);
        for s in &secrets {
            if s.contains(' ') {
                assert!(!out_text.contains(s.as_str()), "postcode {s} in the {name} file");
            } else {
                assert!(!toks.contains(s), "identifier {s} in the {name} file");
            }
        }
    }
    // Identifying columns are blanked in the issues file.
    for r in &rows {
        if ["CHILD", "DOB", "UPN", "HOME_POST", "PL_POST", "MC_DOB"].contains(&r[2].as_str()) {
            assert_eq!(r[3], "", "value of {} kept: {r:?}", r[2]);
        }
    }
    (text, rows)
}

fn count_reason(rows: &[Vec<String>], reason: &str) -> usize {
    rows.iter().filter(|r| r[4] == reason).count()
}

#[test]
fn stacked_iso_fixture_calibrates_without_identifiers() {
    let (text, rows) = calibrate_fixture(
        &["sf-regional-samples-v1/episodes.csv"],
        &["sf-regional-samples-v1/header.csv"],
        &["sf-regional-samples-v1/uasc.csv"],
    );
    // Counted independently (fixture PROVENANCE.txt).
    assert_eq!(count_reason(&rows, "duplicate_episode"), 92);
    assert_eq!(count_reason(&rows, "no_date_of_birth"), 3);
    assert!(text.contains("# rows read: 336 episodes, 123 header, 11 uasc"), "{text}");
    // The sample stacks three councils' returns (LA column; rows and distinct
    // LA + CHILD counted with Python's csv module): said, and named.
    assert!(text.contains("# COMBINED COUNCILS: the episodes combine the returns of 3 councils (LA column)"), "{text}");
    for line in [
        "#   Bromley: 110 episode rows, 16 children",
        "#   Hillingdon: 69 episode rows, 14 children",
        "#   Southwark: 157 episode rows, 27 children",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
}

#[test]
fn dmy_fixture_calibrates_without_identifiers() {
    let (text, rows) = calibrate_fixture(
        &["d2i-cs-demand-model-samples/2017-episodes.csv", "d2i-cs-demand-model-samples/2018-episodes.csv"],
        &["d2i-cs-demand-model-samples/2017-header.csv", "d2i-cs-demand-model-samples/2018-header.csv"],
        &[],
    );
    // Counted independently (fixture PROVENANCE.txt): 74 + 95 rows, 29 duplicates.
    assert_eq!(count_reason(&rows, "duplicate_episode"), 29);
    assert!(text.contains("# rows read: 169 episodes"), "{text}");
}

/// Data rows of a CSV table and its distinct values in the first column (CHILD).
fn rows_and_children(csv_text: &str) -> (usize, usize) {
    let rows: Vec<&str> = csv_text.lines().skip(1).collect();
    let children: HashSet<&str> = rows.iter().map(|l| l.split(',').next().unwrap()).collect();
    (rows.len(), children.len())
}

/// A small generated return: (episodes, header).
fn small_return(seed: u64) -> (String, String) {
    let rates = KnownRates { collection_years: 2, monthly_entries: 8.0, ..KnownRates::default() };
    generate_synthetic_return(seed, 120, &rates)
}

/// Writes `episodes.csv` and `header.csv` to `dir` and runs calibrate on them
/// with relative paths (so two directories give comparable outputs).
fn calibrate_tables(dir: &Path, episodes: &str, header: &str, extra: &[&str]) -> (std::process::Output, String) {
    std::fs::write(dir.join("episodes.csv"), episodes).expect("write episodes");
    std::fs::write(dir.join("header.csv"), header).expect("write header");
    let mut args = vec!["calibrate", "--episodes", "episodes.csv", "--header", "header.csv", "--out", "t.toml"];
    args.extend_from_slice(extra);
    let out = carecast(&args, dir);
    assert!(out.status.success(), "{}", stderr(&out));
    let (text, _) = parse_toml(&dir.join("t.toml"));
    (out, text)
}

#[test]
fn stacked_councils_calibrate_together_with_a_warning_and_a_note() {
    let (e1, h1) = small_return(11);
    let (e2, h2) = small_return(12);
    // Counted from the generated text, before the LA column is added.
    let (rows1, children1) = rows_and_children(&e1);
    let (rows2, children2) = rows_and_children(&e2);
    assert!(rows1 > 100 && rows2 > 100 && children1 > 100 && children2 > 100);
    let (e1, h1) = (with_la_column(&e1, "E09000028"), with_la_column(&h1, "E09000028"));
    let (e2, h2) = (with_la_column(&e2, "E09000006"), with_la_column(&h2, "E09000006"));
    let stack = |a: &str, b: &str| format!("{a}{}\n", b.lines().skip(1).collect::<Vec<_>>().join("\n"));
    let dir = tempdir();
    // Quiet drops the "wrote" lines, not warnings.
    let (out, text) = calibrate_tables(dir.path(), &stack(&e1, &e2), &stack(&h1, &h2), &["--quiet"]);
    let err = stderr(&out);
    let warning = format!(
        "warning: the episodes combine the returns of 2 councils (LA column): E09000006 ({rows2} episode rows, \
         {children2} children), E09000028 ({rows1} episode rows, {children1} children); they are calibrated \
         together as one area (to calibrate one council, pass only its rows)\n"
    );
    assert!(err.contains(&warning), "expected\n{warning}in\n{err}");
    assert!(!err.contains("wrote "), "{err}");
    // The note in the scenario: comments with the counts, and the title and
    // description a report or `explain` shows.
    let note = format!(
        "# COMBINED COUNCILS: the episodes combine the returns of 2 councils (LA column), calibrated together as\n\
         # one area (the stock, entries and rates below are theirs combined, not one council's):\n\
         #   E09000006: {rows2} episode rows, {children2} children\n\
         #   E09000028: {rows1} episode rows, {children1} children\n"
    );
    assert!(text.contains(&note), "expected\n{note}in\n{text}");
    let (_, t) = parse_toml(&dir.path().join("t.toml"));
    let title = get(&t, &["scenario", "title"]).as_str().unwrap();
    assert!(title.contains("SSDA903 returns of 2 councils combined"), "{title}");
    let description = get(&t, &["scenario", "description"]).as_str().unwrap();
    assert!(
        description.starts_with("Projection of the children in care of 2 councils combined (LA: E09000006, E09000028)")
    );
    // Both councils' children are read: the generator numbers them alike, and
    // the LA tells them apart.
    let read = format!(" of {} children (", children1 + children2);
    assert!(text.contains(&read), "{read} in\n{text}");
    let out = carecast(&["validate", "t.toml"], dir.path());
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn one_council_calibrates_without_a_combination_note() {
    let (e, h) = small_return(13);
    let plain = tempdir();
    let coded = tempdir();
    let (out_plain, text_plain) = calibrate_tables(plain.path(), &e, &h, &[]);
    let (out_coded, text_coded) =
        calibrate_tables(coded.path(), &with_la_column(&e, "E08000012"), &with_la_column(&h, "E08000012"), &[]);
    for (out, text) in [(&out_plain, &text_plain), (&out_coded, &text_coded)] {
        let err = stderr(out);
        assert!(!err.contains("combine") && !err.contains("LA column"), "{err}");
        assert!(!text.contains("COMBINED") && !text.contains("combined"), "{text}");
        assert!(text.contains("calibrated from the council's SSDA903 return"), "{text}");
    }
    // An LA column with one value changes nothing in the outputs (but the date generated).
    let body = |t: &str| t.lines().filter(|l| !l.starts_with("# Generated by")).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&text_coded), body(&text_plain));
    assert_eq!(stderr(&out_coded), stderr(&out_plain));
}

const EPISODES_HEAD: &str =
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN";

/// Runs calibrate with this episodes file (and the d2i 2018 header); asserts
/// failure, that stderr names `needle`s, and that nothing was written.
fn assert_fails(episodes: Option<&str>, extra: &[&str], needles: &[&str]) {
    let dir = tempdir();
    let ep = dir.path().join("bad episodes.csv");
    let ep_arg = match episodes {
        Some(content) => {
            std::fs::write(&ep, content).expect("write");
            ep.to_str().unwrap().to_string()
        }
        None => fixture("d2i-cs-demand-model-samples/2018-episodes.csv"),
    };
    let header = fixture("d2i-cs-demand-model-samples/2018-header.csv");
    let mut args = vec!["calibrate", "--episodes", &ep_arg, "--header", &header, "--out", "t.toml"];
    args.extend_from_slice(extra);
    let out = carecast(&args, dir.path());
    let err = stderr(&out);
    assert!(!out.status.success(), "should fail: {args:?}\n{err}");
    for n in needles {
        assert!(err.contains(n), "stderr should name {n:?}:\n{err}");
    }
    assert!(!dir.path().join("t.toml").exists(), "no scenario is written");
    assert!(!dir.path().join("t.issues.csv").exists(), "no issues file is written");
}

#[test]
fn messy_input_fails_naming_the_file_or_flag() {
    // A required column is missing (no DECOM).
    assert_fails(
        Some("CHILD,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n1,S,C2,N1,U4,PR1,,\n"),
        &[],
        &["bad episodes.csv", "DECOM"],
    );
    // An empty episodes file.
    assert_fails(Some(""), &[], &["bad episodes.csv", "empty"]);
    // Semicolon-delimited.
    let semi = format!("{}\n1;01/04/2020;S;C2;N1;U4;PR1;;;;;;\n", EPISODES_HEAD.replace(',', ";"));
    assert_fails(Some(&semi), &[], &["bad episodes.csv", "comma"]);
    // A date that does not exist, and one in the wrong format.
    assert_fails(None, &["--reference-to", "31/02/2024"], &["--reference-to", "31/02/2024"]);
    assert_fails(None, &["--reference-to", "2024/03/31"], &["--reference-to"]);
    // The period ends before it starts.
    assert_fails(None, &["--reference-from", "2018-03-31", "--reference-to", "2017-04-01"], &["--reference-to"]);
    // A file that does not exist.
    assert_fails(None, &["--uasc", "no-such-uasc.csv"], &["no-such-uasc.csv"]);
}

#[test]
fn out_is_required() {
    let dir = tempdir();
    let e = fixture("d2i-cs-demand-model-samples/2018-episodes.csv");
    let h = fixture("d2i-cs-demand-model-samples/2018-header.csv");
    let out = carecast(&["calibrate", "--episodes", &e, "--header", &h], dir.path());
    assert!(!out.status.success());
    assert!(stderr(&out).contains("--out"), "{}", stderr(&out));
}

/// A projection from the recovered rates matches a direct simulation with the
/// true rates: the calibrated scenario is rewritten with the generator's known
/// exit probabilities (by reason, the same in every age band and placement, as
/// generated) and its known entries a year, and both are run from the same
/// stock. Children in care stay within 5% of each other for five years.
#[test]
fn projection_from_recovered_rates_matches_a_direct_simulation() {
    let dir = tempdir();
    let rates = known_rates();
    let (text, table) = calibrate_generated(dir.path(), &rates);
    // The direct simulation: the same file with the true rates written in.
    let mut truth = table.clone();
    let explicit = truth.get_mut("explicit").and_then(|v| v.as_table_mut()).expect("[explicit]");
    let entries = explicit.get_mut("entries_per_year").and_then(|v| v.as_table_mut()).expect("entries_per_year");
    let recovered: f64 = entries.values().map(as_f64).sum();
    let scale = rates.monthly_entries * 12.0 / recovered;
    for (_, v) in entries.iter_mut() {
        *v = toml::Value::Float(as_f64(v) * scale);
    }
    let exits = explicit.get_mut("monthly_exit_probability").and_then(|v| v.as_table_mut()).expect("exit table");
    for (reason, by_band) in exits.iter_mut() {
        let group = match reason.as_str() {
            "returned_home" => ReasonGroup::ReturnedHome,
            "adoption" => ReasonGroup::Adoption,
            "special_guardianship" => ReasonGroup::SpecialGuardianship,
            _ => ReasonGroup::Other,
        };
        let p = rates.monthly_exit_probability_for(group).expect("a rate");
        for (_, places) in by_band.as_table_mut().expect("bands").iter_mut() {
            for (_, v) in places.as_table_mut().expect("placements").iter_mut() {
                *v = toml::Value::Float(p);
            }
        }
    }
    truth.get_mut("scenario").and_then(|v| v.as_table_mut()).expect("[scenario]").insert("name".into(), "truth".into());
    std::fs::write(dir.path().join("truth.toml"), toml::to_string(&truth).expect("toml")).expect("write");
    assert!(!text.is_empty());
    for (file, out) in [("t.toml", "fitted"), ("truth.toml", "truth")] {
        let o = carecast(&["run", file, "--out", out], dir.path());
        assert!(o.status.success(), "{file}: {}", stderr(&o));
    }
    let (_, fitted) = read_csv(&dir.path().join("fitted/projection.csv"));
    let (_, direct) = read_csv(&dir.path().join("truth/projection.csv"));
    let start = fitted.iter().map(|r| r[1].parse::<f64>().unwrap() as i32).min().unwrap();
    for y in start + 1..=start + 5 {
        let a = value(&fitted, "children_in_care", "total", y).unwrap();
        let b = value(&direct, "children_in_care", "total", y).unwrap();
        assert!((a / b - 1.0).abs() < 0.05, "{y}: fitted {a} vs direct {b}");
    }
}
