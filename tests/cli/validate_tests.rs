//! `carecast validate` on the corpus of bad scenarios in `tests/bad_scenarios/`
//! (one file per kind of error, each with a `# expect: <substring>` line) and
//! on every shipped scenario; `carecast explain` on a child and a root scenario.

use crate::common::{carecast, tempdir};
use std::path::{Path, PathBuf};

const BAD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/bad_scenarios");

/// Copies the corpus into a fresh directory (parents are named relative to it)
/// and returns the directory and the file names with their expected substrings.
fn corpus() -> (tempfile::TempDir, Vec<(String, String)>) {
    let dir = tempdir();
    let mut files = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(BAD)
        .expect("read tests/bad_scenarios")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).expect("read bad scenario");
        std::fs::write(dir.path().join(&name), &text).expect("copy bad scenario");
        let expect = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("# expect:"))
            .unwrap_or_else(|| panic!("{name} has no `# expect: <substring>` line"))
            .trim()
            .to_string();
        files.push((name, expect));
    }
    (dir, files)
}

/// True if `out` has `name:LINE:COL:` somewhere.
fn has_line_col(out: &str, name: &str) -> bool {
    out.match_indices(&format!("{name}:")).any(|(i, m)| {
        let rest = &out[i + m.len()..];
        let mut parts = rest.splitn(3, ':');
        let line = parts.next().unwrap_or("");
        let col = parts.next().unwrap_or("");
        parts.next().is_some()
            && !line.is_empty()
            && line.bytes().all(|b| b.is_ascii_digit())
            && !col.is_empty()
            && col.bytes().all(|b| b.is_ascii_digit())
    })
}

fn output_text(out: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn corpus_covers_every_kind_of_error() {
    let (_dir, files) = corpus();
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    for kind in [
        "syntax_error",
        "unknown_key",
        "wrong_type",
        "probability_above_one",
        "shares_not_summing",
        "negative_programme_money",
        "negative_funding",
        "lever_outside_horizon",
        "unknown_placement_in_lever",
        "missing_parent",
        "cycle_a",
        "cycle_b",
        "unknown_area",
        "value_outside_range",
        "split_shares_not_summing",
        "name_leaving_the_output_folder",
        "lever_making_money_negative",
    ] {
        assert!(names.contains(&format!("{kind}.toml").as_str()), "tests/bad_scenarios/{kind}.toml is missing");
    }
}

#[test]
fn every_bad_scenario_is_rejected_with_a_located_message() {
    let (dir, files) = corpus();
    let mut failures = Vec::new();
    for (name, expect) in &files {
        let out = carecast(&["validate", name], dir.path());
        let text = output_text(&out);
        let mut problems = Vec::new();
        if out.status.code() != Some(1) {
            problems.push(format!("exit status {:?}, expected 1", out.status.code()));
        }
        if !text.contains(name.as_str()) {
            problems.push("the file name is not in the output".to_string());
        }
        // Located: file:LINE:COL: in some file of the chain, or the key named.
        let located = text.contains("key `") || files.iter().any(|(n, _)| has_line_col(&text, n));
        if !located {
            problems.push("no file:LINE:COL: and no key in the output".to_string());
        }
        if !text.contains(expect.as_str()) {
            problems.push(format!("`{expect}` is not in the output"));
        }
        if !problems.is_empty() {
            failures.push(format!("{name}: {}\n--- output ---\n{text}", problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn validate_checks_every_file_given_and_names_each() {
    let (dir, files) = corpus();
    let mut args = vec!["validate", "baseline"];
    args.extend(files.iter().map(|(n, _)| n.as_str()));
    let out = carecast(&args, dir.path());
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("baseline: ok"), "the good file is reported as ok:\n{text}");
    for (name, expect) in &files {
        assert!(text.contains(name.as_str()) && text.contains(expect.as_str()), "{name} is reported:\n{text}");
    }
    assert!(text.contains(&format!("{} of {}", files.len(), files.len() + 1)), "error count:\n{text}");
}

#[test]
fn unknown_key_suggests_the_nearest_and_points_at_its_line() {
    let (dir, _) = corpus();
    let out = carecast(&["validate", "unknown_key.toml"], dir.path());
    let text = output_text(&out);
    assert!(text.contains("unknown_key.toml:7:1:"), "{text}");
    assert!(text.contains("`titel`") && text.contains("did you mean `title`?"), "{text}");
}

#[test]
fn shipped_scenarios_validate_cleanly() {
    let dir = tempdir();
    let listed = carecast(&["scenarios"], dir.path());
    assert!(listed.status.success(), "{}", output_text(&listed));
    let names: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .collect();
    assert!(names.iter().any(|n| n == "baseline"), "scenarios lists baseline: {names:?}");
    let mut args = vec!["validate"];
    args.extend(names.iter().map(String::as_str));
    let out = carecast(&args, dir.path());
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for n in &names {
        assert!(text.contains(&format!("{n}: ok")), "{n} validates:\n{text}");
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write scenario");
}

#[test]
fn explain_a_child_lists_its_lever_with_dates_and_source_but_not_the_parents_assumptions() {
    let dir = tempdir();
    write(
        dir.path(),
        "fewer_entries.toml",
        r#"extends = "baseline"

[scenario]
name = "fewer-entries"
title = "Family help reduces entries"
description = "Entries fall by a tenth from 2027-28."
area = "E92000001"
start_year = 2025
end_year = 2035

[[levers]]
id = "family_help_entries"
description = "family help cuts entries into care"
target = "entry_rate"
value = { value = 0.9, low = 0.8, high = 1.0, source = "test source: evaluation of the families first pilots" }
from_year = 2028
"#,
    );
    let out = carecast(&["explain", "fewer_entries.toml"], dir.path());
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    for want in [
        "Family help reduces entries",
        "Entries fall by a tenth",
        "England",
        "2035",
        "baseline",
        "family_help_entries",
        "2027-28",
        "test source: evaluation of the families first pilots",
        "children in care",
        "spend",
    ] {
        assert!(stdout.contains(want), "explain shows `{want}`:\n{stdout}");
    }
    // The parent's unchanged assumptions are not repeated.
    for unchanged in ["population.annual_growth", "costs.leaving_care_cost_growth", "spend_lines.safeguarding"] {
        assert!(!stdout.contains(unchanged), "explain does not list unchanged `{unchanged}`:\n{stdout}");
    }
    // Fewer entries means fewer children in care than the baseline at the end year.
    let line = stdout.lines().find(|l| l.contains("children in care:") && l.contains("against")).unwrap_or("");
    assert!(line.contains("(-"), "headline shows a fall against the baseline: {line}\n{stdout}");
}

#[test]
fn explain_baseline_lists_every_assumption_grouped_with_sources() {
    let dir = tempdir();
    let out = carecast(&["explain", "baseline"], dir.path());
    let text = output_text(&out);
    assert!(out.status.success(), "{text}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("population.annual_growth"), "{stdout}");
    assert!(stdout.contains("ONS projections are not bundled"), "growth's source is shown:\n{stdout}");
    for heading in ["Data and calibration", "Population", "Costs and prices", "Spend lines", "Workforce"] {
        assert!(stdout.contains(heading), "heading {heading}:\n{stdout}");
    }
    assert!(stdout.contains("31 March 2035"), "{stdout}");
}

#[test]
fn explain_a_missing_scenario_fails_with_its_name() {
    let dir = tempdir();
    let out = carecast(&["explain", "no/such/scenario.toml"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(output_text(&out).contains("no/such/scenario.toml"));
}

/// A type error in a child of an `extends` chain is located in the child:
/// the loader finds the key on the line the reader points at in the merged
/// table and looks for it along the chain.
#[test]
fn wrong_type_in_a_child_is_located() {
    let dir = tempdir();
    write(
        dir.path(),
        "child.toml",
        "extends = \"baseline\"\n[scenario]\nname = \"c\"\ntitle = \"t\"\narea = \"E92000001\"\nstart_year = 2025\nend_year = \"2035\"\n",
    );
    let out = carecast(&["validate", "child.toml"], dir.path());
    let text = output_text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(has_line_col(&text, "child.toml") && text.contains("end_year"), "{text}");
}
