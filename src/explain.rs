//! `carecast explain SCENARIO`: a plain-English page for an analyst.
//!
//! Title, description, area, horizon and the `extends` chain; then what the
//! scenario changes against its parent (the notes of `Built::notes` present in
//! the scenario's build but absent, by key and text, from the parent's build),
//! lever by lever and programme by programme with dates and sources; for a
//! scenario with no parent, every assumption grouped by topic. Ends with the
//! headline difference from the parent at the end year.
//!
//! Not here: any modelling (both scenarios are resolved and run by the library
//! crates) or file output (the page goes to stdout).

use anyhow::{Context, Result};
use carecast_core::Projection;
use carecast_report::{format_count, format_gbp_millions};
use carecast_scenario::{Built, Loaded, Note, RunOptions, Seeds, build, load, load_source};
use std::fmt::Write as _;

/// Loads, resolves and runs `spec` and its parent, and prints the page.
pub fn run(spec: &str) -> Result<()> {
    let seeds = Seeds::bundled().context("reading the bundled seed data")?;
    let loaded = load(spec).with_context(|| format!("loading scenario `{spec}`"))?;
    let built =
        build(&loaded, &seeds, &RunOptions::default()).with_context(|| format!("resolving scenario `{spec}`"))?;
    let projection = built.run().with_context(|| format!("running scenario `{spec}`"))?;
    let ancestors = ancestors(&loaded)?;
    let parent = match loaded.chain.get(1) {
        Some(src) => {
            let parent_loaded =
                load_source(src.clone()).with_context(|| format!("loading parent scenario `{}`", src.path))?;
            let parent_built = build(&parent_loaded, &seeds, &RunOptions::default())
                .with_context(|| format!("resolving parent scenario `{}`", src.path))?;
            let parent_projection =
                parent_built.run().with_context(|| format!("running parent scenario `{}`", src.path))?;
            Some((parent_loaded, parent_built, parent_projection))
        }
        None => None,
    };
    let page = render(
        &loaded,
        &built,
        &projection,
        &ancestors,
        parent.as_ref().map(|(l, b, p)| Parent { loaded: l, built: b, projection: p }),
    );
    {
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), "{page}");
    }
    Ok(())
}

/// The parent scenario, resolved and run with default options.
struct Parent<'a> {
    loaded: &'a Loaded,
    built: &'a Built,
    projection: &'a Projection,
}

/// Names (and paths) of the `extends` chain above the scenario, nearest first.
fn ancestors(loaded: &Loaded) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for src in loaded.chain.iter().skip(1) {
        let l = load_source(src.clone()).with_context(|| format!("loading parent scenario `{}`", src.path))?;
        out.push((l.file.scenario.name.clone(), src.path.clone()));
    }
    Ok(out)
}

/// A financial year ending 31 March `y`, as `2026-27`-style text.
fn fy(y: i32) -> String {
    format!("{}-{:02}", y - 1, y.rem_euclid(100))
}

/// The topic a note belongs to, by its key prefix.
fn group_of(key: &str) -> &'static str {
    let first = key.split('.').next().unwrap_or("");
    match first {
        "population" => "Population",
        "costs" | "deflator" | "dimensions" => "Costs and prices",
        "spend_lines" | "funding" => "Spend lines and funding",
        "workforce" => "Workforce",
        "levers" | "stock_path" => "Levers",
        "programmes" => "Programmes",
        _ => "Data and calibration",
    }
}

const GROUPS: [&str; 7] = [
    "Data and calibration",
    "Population",
    "Costs and prices",
    "Spend lines and funding",
    "Workforce",
    "Levers",
    "Programmes",
];

fn write_note(page: &mut String, n: &Note, was: Option<&Note>) {
    let _ = writeln!(page, "- `{}`: {}", n.key, n.text);
    let _ = writeln!(page, "  source: {}", n.source);
    if let Some(p) = was {
        let _ = writeln!(page, "  parent had: {} (source: {})", p.text, p.source);
    }
}

/// The page as text.
fn render(
    loaded: &Loaded,
    built: &Built,
    projection: &Projection,
    ancestors: &[(String, String)],
    parent: Option<Parent<'_>>,
) -> String {
    let meta = &loaded.file.scenario;
    let mut page = String::new();
    let _ = writeln!(page, "# {} — {}", built.name, built.title);
    let _ = writeln!(page);
    let description = meta.description.trim();
    if !description.is_empty() {
        let _ = writeln!(page, "{}", description.split_whitespace().collect::<Vec<_>>().join(" "));
        let _ = writeln!(page);
    }
    let _ = writeln!(page, "- file: {}", loaded.path());
    let _ = writeln!(page, "- area: {} ({})", built.area_name, built.area);
    let _ = writeln!(
        page,
        "- horizon: from the published stock at 31 March {} to 31 March {} (financial years {} to {})",
        meta.start_year,
        meta.end_year,
        fy(meta.start_year + 1),
        fy(meta.end_year)
    );
    if ancestors.is_empty() {
        let _ = writeln!(page, "- extends: nothing (a root scenario)");
    } else {
        let chain: Vec<String> = ancestors.iter().map(|(n, p)| format!("{n} ({p})")).collect();
        let _ = writeln!(page, "- extends: {}", chain.join(" → "));
    }
    let _ = writeln!(page);

    match &parent {
        Some(p) => render_changes(&mut page, loaded, built, p),
        None => render_all(&mut page, built),
    }
    render_headline(&mut page, projection, parent.as_ref());
    page
}

/// What the scenario changes against its parent.
fn render_changes(page: &mut String, loaded: &Loaded, built: &Built, parent: &Parent<'_>) {
    let _ = writeln!(page, "## What this scenario changes against {}", parent.built.name);
    let _ = writeln!(page);
    let pm = &parent.loaded.file.scenario;
    let cm = &loaded.file.scenario;
    let mut meta_changes = Vec::new();
    if (cm.start_year, cm.end_year) != (pm.start_year, pm.end_year) {
        meta_changes.push(format!(
            "horizon: 31 March {} to {} (parent: {} to {})",
            cm.start_year, cm.end_year, pm.start_year, pm.end_year
        ));
    }
    if built.area != parent.built.area {
        meta_changes.push(format!(
            "area: {} ({}) (parent: {} ({}))",
            built.area_name, built.area, parent.built.area_name, parent.built.area
        ));
    }
    for m in &meta_changes {
        let _ = writeln!(page, "- {m}");
    }
    if !meta_changes.is_empty() {
        let _ = writeln!(page);
    }
    let changed: Vec<&Note> =
        built.notes.iter().filter(|n| !parent.built.notes.iter().any(|p| p.key == n.key && p.text == n.text)).collect();
    if changed.is_empty() && meta_changes.is_empty() {
        let _ = writeln!(page, "Nothing: every assumption is the parent's.");
        let _ = writeln!(page);
        return;
    }
    let sections = [
        ("Levers", "Levers (dated changes of rates, prices and capacities)"),
        ("Programmes", "Programmes (money spent and its effects)"),
    ];
    // Assumptions first, then levers, then programmes.
    let assumptions: Vec<&&Note> =
        changed.iter().filter(|n| !matches!(group_of(&n.key), "Levers" | "Programmes")).collect();
    if !assumptions.is_empty() {
        let _ = writeln!(page, "### Assumptions");
        let _ = writeln!(page);
        for n in assumptions {
            write_note(page, n, parent.built.notes.iter().find(|p| p.key == n.key));
        }
        let _ = writeln!(page);
    }
    for (group, heading) in sections {
        let items: Vec<&&Note> = changed.iter().filter(|n| group_of(&n.key) == group).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(page, "### {heading}");
        let _ = writeln!(page);
        for n in items {
            write_note(page, n, parent.built.notes.iter().find(|p| p.key == n.key));
        }
        let _ = writeln!(page);
    }
    let removed: Vec<&Note> = parent
        .built
        .notes
        .iter()
        .filter(|p| matches!(group_of(&p.key), "Levers" | "Programmes"))
        .filter(|p| !built.notes.iter().any(|n| n.key == p.key))
        .collect();
    if !removed.is_empty() {
        let _ = writeln!(page, "### In the parent but not here");
        let _ = writeln!(page);
        for n in removed {
            write_note(page, n, None);
        }
        let _ = writeln!(page);
    }
}

/// Every assumption of a root scenario, grouped by topic.
fn render_all(page: &mut String, built: &Built) {
    let _ = writeln!(page, "## Assumptions");
    let _ = writeln!(page);
    for group in GROUPS {
        let items: Vec<&Note> = built.notes.iter().filter(|n| group_of(&n.key) == group).collect();
        let _ = writeln!(page, "### {group}");
        let _ = writeln!(page);
        if items.is_empty() {
            let _ = writeln!(page, "None.");
        }
        for n in items {
            write_note(page, n, None);
        }
        let _ = writeln!(page);
    }
}

/// The end-year headline, against the parent when there is one.
fn render_headline(page: &mut String, projection: &Projection, parent: Option<&Parent<'_>>) {
    let Some(end) = projection.years.last() else {
        return;
    };
    let y = end.year;
    let _ = writeln!(page, "## Headline at 31 March {y} (financial year {})", fy(y));
    let _ = writeln!(page);
    let (cic, csc) = (end.children_in_care(), end.spend_total_gbp() / 1e6);
    match parent {
        None => {
            let _ = writeln!(page, "- children in care: {}", format_count(cic));
            let _ = writeln!(page, "- children's social care spend (cash): {}", format_gbp_millions(csc));
        }
        Some(p) => match p.projection.year(y).filter(|r| !r.is_start || end.is_start) {
            Some(pe) => {
                let (pcic, pcsc) = (pe.children_in_care(), pe.spend_total_gbp() / 1e6);
                let _ = writeln!(
                    page,
                    "- children in care: {} against {} in {} ({}{}, {})",
                    format_count(cic),
                    format_count(pcic),
                    p.built.name,
                    if cic >= pcic { "+" } else { "" },
                    format_count(cic - pcic),
                    percent(cic, pcic)
                );
                let _ = writeln!(
                    page,
                    "- children's social care spend (cash): {} against {} in {} ({}{}, {})",
                    format_gbp_millions(csc),
                    format_gbp_millions(pcsc),
                    p.built.name,
                    if csc >= pcsc { "+" } else { "" },
                    format_gbp_millions(csc - pcsc),
                    percent(csc, pcsc)
                );
                if p.projection.years.first().map(|r| r.year) != projection.years.first().map(|r| r.year) {
                    let _ = writeln!(
                        page,
                        "- note: the two start from different years ({} here, {} in {}), so the difference is not only this scenario's changes",
                        projection.years.first().map(|r| r.year).unwrap_or(0),
                        p.projection.years.first().map(|r| r.year).unwrap_or(0),
                        p.built.name
                    );
                }
            }
            None => {
                let _ = writeln!(page, "- children in care: {}", format_count(cic));
                let _ = writeln!(page, "- children's social care spend (cash): {}", format_gbp_millions(csc));
                let _ = writeln!(page, "- {} does not project to {y}, so there is no difference to show", p.built.name);
            }
        },
    }
    let _ = writeln!(page);
}

fn percent(v: f64, base: f64) -> String {
    if base.abs() > 0.0 && v.is_finite() && base.is_finite() {
        format!("{:+.1}%", (v / base - 1.0) * 100.0)
    } else {
        "n/a".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn financial_years_and_groups() {
        assert_eq!(fy(2028), "2027-28");
        assert_eq!(fy(2000), "1999-00");
        assert_eq!(group_of("population.annual_growth"), "Population");
        assert_eq!(group_of("levers.x"), "Levers");
        assert_eq!(group_of("programmes.p.effects.0"), "Programmes");
        assert_eq!(group_of("calibration.entry_mix"), "Data and calibration");
        assert_eq!(group_of("dimensions.placements.foster.price_growth"), "Costs and prices");
        assert_eq!(percent(110.0, 100.0), "+10.0%");
    }
}
