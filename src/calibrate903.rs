//! `carecast calibrate`: turn a council's own SSDA903 return into a complete
//! scenario in the explicit form (stock, entries, entry mix, exit and move
//! probabilities stated directly), plus a cleaning report.
//!
//! Reading, cleaning and aggregation are `carecast-ssda903`'s; this module
//! only chooses the options (default DfE age bands, the crate's placement
//! groups), prints the cleaning summary, and writes two files atomically:
//! the scenario TOML and `<scenario>.issues.csv`. Neither holds a child
//! identifier, date of birth or postcode: the TOML is built from aggregates
//! only, and the issues file blanks the `value` of identifying columns.
//!
//! Tables holding more than one council's returns (distinct `LA` values) are
//! calibrated together as one area, as a region combining its returns wants;
//! a warning on stderr and the scenario's title, description and comments
//! say so and name the councils, so neither the analyst nor a later reader
//! mistakes the result for one council's. It does not refuse them.

use anyhow::{Context, Result, bail};
use carecast_ssda903::aggregate::poisson_interval_95;
use carecast_ssda903::{
    AggregateOptions, Aggregates, CareHistories, CleanOptions, Date, Issue, IssueAction, LaCount, ReasonGroup,
    ReturnTables, UascFilter, load,
};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// `carecast calibrate` settings (validated in `cli.rs`).
#[derive(Debug, Clone)]
pub struct CalibrateConfig {
    /// Episodes tables.
    pub episodes: Vec<PathBuf>,
    /// Header tables.
    pub header: Vec<PathBuf>,
    /// UASC tables.
    pub uasc: Vec<PathBuf>,
    /// First day of the reference period (default: start of the data).
    pub reference_from: Option<Date>,
    /// Last day of the reference period and the stock date (default: end of the data).
    pub reference_to: Option<Date>,
    /// Leave out unaccompanied asylum-seeking children.
    pub exclude_uasc: bool,
    /// Scenario name.
    pub name: String,
    /// Last projection year (default: ten years after the 31 March on or after the stock date).
    pub end_year: Option<i32>,
    /// Scenario file to write.
    pub out: PathBuf,
    /// Suppress the final "wrote" lines (the cleaning summary is always printed).
    pub quiet: bool,
}

/// Counts below this are flagged as small cells.
const SMALL_CELL: u64 = 10;

/// Exit reasons with a monthly probability (`reached_18` is by ageing).
const EXIT_REASONS: [(ReasonGroup, &str); 4] = [
    (ReasonGroup::ReturnedHome, "Returned home or to relatives"),
    (ReasonGroup::Adoption, "Adopted"),
    (ReasonGroup::SpecialGuardianship, "Special guardianship or child arrangements order"),
    (ReasonGroup::Other, "Other reasons under 18"),
];

/// Columns whose submitted value identifies a child (blanked in the issues file).
const IDENTIFYING_COLUMNS: [&str; 7] = ["CHILD", "UPN", "DOB", "MC_DOB", "HOME_POST", "PL_POST", "MOTHER"];

/// The issues file next to a scenario file: `t.toml` -> `t.issues.csv`.
pub fn issues_path(out: &Path) -> PathBuf {
    let stem = out.file_stem().map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    out.with_file_name(format!("{stem}.issues.csv"))
}

/// Runs `carecast calibrate`.
pub fn run(c: &CalibrateConfig) -> Result<()> {
    let tables =
        ReturnTables::from_paths(&c.episodes, &c.header, &c.uasc).context("reading the SSDA903 return tables")?;
    let data = load(&tables, &CleanOptions::default()).context("reading and cleaning the SSDA903 return")?;
    let Some((span_from, span_to)) = data.data_span() else {
        bail!("no usable episode rows in {}", join_paths(&c.episodes));
    };
    let from = c.reference_from.unwrap_or(span_from);
    // By default the stock date is the last 31 March in the data, so that the
    // projection's years (31 March) line up with the stock; a return that ends
    // before any 31 March after its start uses its last day.
    let to = c.reference_to.unwrap_or_else(|| {
        let year = if span_to >= march_31(span_to.year()) { span_to.year() } else { span_to.year() - 1 };
        let m = march_31(year);
        if m > from { m } else { span_to }
    });
    if to < from {
        bail!("the reference period ends ({to}) before it starts ({from}); check --reference-from/--reference-to");
    }
    let options = AggregateOptions {
        from: Some(from),
        to: Some(to),
        uasc: if c.exclude_uasc { UascFilter::ExcludeUasc } else { UascFilter::All },
        small_cell_threshold: SMALL_CELL,
        ..AggregateOptions::default()
    };
    let agg = data.aggregate(&options).context("aggregating the SSDA903 return")?;

    let summary_text = cleaning_summary(&data, &agg);
    {
        use std::io::Write as _;
        let _ = write!(std::io::stderr().lock(), "{summary_text}");
    }
    if to > span_to {
        errln!(
            "warning: the reference period ends {to}, after the data ends ({span_to}); entries and exits after {span_to} are not in the data, so rates are understated"
        );
    }
    if from < span_from {
        errln!(
            "warning: the reference period starts {from}, before the data is complete ({span_from}); rates may be understated"
        );
    }
    let councils = Councils::of(&data.summary().las);
    if let Some(councils) = &councils {
        errln!("{}", councils.warning());
    }
    if agg.stock.last().is_none_or(|s| s.total_children == 0) {
        errln!("warning: no child is in care on the stock date {to}; the projection starts from zero");
    }

    let start_year = if to >= march_31(to.year()) { to.year() } else { to.year() - 1 };
    let end_year = c.end_year.unwrap_or_else(|| {
        let on_or_after = if to <= march_31(to.year()) { to.year() } else { to.year() + 1 };
        on_or_after + 10
    });
    if end_year <= start_year {
        bail!("--end-year {end_year} must be after the start year {start_year} (the 31 March on or before {to})");
    }

    let toml = scenario_toml(c, &agg, &summary_text, councils.as_ref(), start_year, end_year, &today());
    let issues_csv = issues_csv(data.issues());
    let issues_file = issues_path(&c.out);
    if let Some(dir) = c.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    carecast_report::write_atomic(&issues_file, issues_csv.as_bytes())
        .with_context(|| format!("writing {}", issues_file.display()))?;
    carecast_report::write_atomic(&c.out, toml.as_bytes()).with_context(|| format!("writing {}", c.out.display()))?;
    if !c.quiet {
        errln!("wrote {}", c.out.display());
        errln!("wrote {} ({} issues)", issues_file.display(), data.issues().len());
    }
    Ok(())
}

fn march_31(year: i32) -> Date {
    Date::march_31(year).unwrap_or_else(|| Date::from_days_since_epoch(0))
}

fn today() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    Date::from_days_since_epoch(i32::try_from(secs / 86_400).unwrap_or(0))
}

fn join_paths(ps: &[PathBuf]) -> String {
    ps.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
}

/// The cleaning summary printed to stderr and repeated (as comments) in the scenario.
fn cleaning_summary(data: &CareHistories, agg: &Aggregates) -> String {
    let s = data.summary();
    let mut out = String::new();
    let _ = writeln!(out, "SSDA903 cleaning summary");
    let _ = writeln!(
        out,
        "  rows read: {} episodes, {} header, {} uasc",
        s.episode_rows_read, s.header_rows_read, s.uasc_rows_read
    );
    let _ = writeln!(
        out,
        "  used: {} episodes ({} care segments) for {} of {} children ({} UASC)",
        s.episodes_used, s.segments, s.children_used, s.children_read, s.uasc_children_used
    );
    for (action, label) in [
        (IssueAction::Dropped, "dropped"),
        (IssueAction::Adjusted, "adjusted"),
        (IssueAction::Kept, "kept with a note"),
    ] {
        let counts: Vec<String> =
            s.issue_counts.iter().filter(|c| c.action == action).map(|c| format!("{} {}", c.reason, c.rows)).collect();
        let total: u64 = s.issue_counts.iter().filter(|c| c.action == action).map(|c| c.rows).sum();
        if counts.is_empty() {
            let _ = writeln!(out, "  {label}: 0 rows");
        } else {
            let _ = writeln!(out, "  {label}: {total} rows ({})", counts.join(", "));
        }
    }
    let _ = writeln!(
        out,
        "  periods of care begun before the data: {}; short-break episodes excluded: {}",
        s.left_truncated_periods, s.short_break_episodes
    );
    let o = &agg.outside_bands;
    if o.exposure_days > 0 || o.entries > 0 || o.exits > 0 || o.moves > 0 {
        let _ = writeln!(
            out,
            "  outside the age bands: {} child-days, {} entries, {} exits, {} moves",
            o.exposure_days, o.entries, o.exits, o.moves
        );
    }
    let _ = writeln!(
        out,
        "  reference period {} to {} ({} days); {} children in care on {}",
        agg.from,
        agg.to,
        agg.period_days,
        agg.stock.last().map_or(0, |s| s.total_children),
        agg.to
    );
    out
}

/// Councils named in messages: no more than there are in England (153), so a
/// misread `LA` column holding other values is counted, not listed.
const MAX_NAMED_COUNCILS: usize = 153;

/// `n episode rows, m children`, singular for 1.
fn counts(episode_rows: u64, children: u64) -> String {
    let rows = if episode_rows == 1 { "row" } else { "rows" };
    let kids = if children == 1 { "child" } else { "children" };
    format!("{episode_rows} episode {rows}, {children} {kids}")
}

/// More than one council's returns in the Episodes tables (distinct `LA` values).
#[derive(Debug, Clone, PartialEq)]
struct Councils {
    /// Distinct `LA` values.
    count: usize,
    /// (`LA`, episode rows, children) of each, a blank `LA` as `no LA`; empty
    /// when there are more than [`MAX_NAMED_COUNCILS`].
    named: Vec<(String, u64, u64)>,
}

impl Councils {
    /// `None` for one `LA` value (or none).
    fn of(las: &[LaCount]) -> Option<Councils> {
        if las.len() < 2 {
            return None;
        }
        let named = if las.len() > MAX_NAMED_COUNCILS {
            Vec::new()
        } else {
            las.iter()
                .map(|l| {
                    // Control characters (a quoted line end) would break a comment line.
                    let la = if l.la.is_empty() { "no LA".to_string() } else { l.la.escape_debug().to_string() };
                    (la, l.episode_rows, l.children)
                })
                .collect()
        };
        Some(Councils { count: las.len(), named })
    }

    /// What is combined: `3 councils (LA column): A (n episode rows, m
    /// children), ...`, or a count of the values when too many to be councils.
    fn what(&self) -> String {
        if self.named.is_empty() {
            return format!(
                "{} distinct LA values, more than there are councils in England (check the LA column)",
                self.count
            );
        }
        let each: Vec<String> =
            self.named.iter().map(|(la, rows, children)| format!("{la} ({})", counts(*rows, *children))).collect();
        format!("{} councils (LA column): {}", self.count, each.join(", "))
    }

    /// The warning printed on stderr.
    fn warning(&self) -> String {
        format!(
            "warning: the episodes combine the returns of {}; they are calibrated together as one area (to calibrate \
             one council, pass only its rows)",
            self.what()
        )
    }

    /// Comment lines for the scenario file.
    fn comment(&self) -> String {
        let mut out = format!(
            "# COMBINED COUNCILS: the episodes combine the returns of {} (LA column), calibrated together as\n\
             # one area (the stock, entries and rates below are theirs combined, not one council's)",
            self.title()
        );
        if self.named.is_empty() {
            out.push_str(": more than there are councils in England; check the LA column.\n");
        } else {
            out.push_str(":\n");
            for (la, rows, children) in &self.named {
                let _ = writeln!(out, "#   {la}: {}", counts(*rows, *children));
            }
        }
        out
    }

    /// The sentence opening the scenario's description.
    fn description(&self) -> String {
        let which = if self.named.is_empty() {
            "more than there are councils in England: check the LA column".to_string()
        } else {
            let names: Vec<&str> = self.named.iter().map(|(la, _, _)| la.as_str()).collect();
            format!("LA: {}", names.join(", "))
        };
        format!(
            "Projection of the children in care of {} combined ({which}) from their SSDA903 returns, \
             calibrated together as one area.",
            self.title()
        )
    }

    /// `3 councils`, for the title.
    fn title(&self) -> String {
        if self.named.is_empty() { format!("{} LA values", self.count) } else { format!("{} councils", self.count) }
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// The issues table; identifying values are blanked.
fn issues_csv(issues: &[Issue]) -> String {
    let mut out = String::from("file,row,column,value,reason,action\n");
    for i in issues {
        let value = if IDENTIFYING_COLUMNS.iter().any(|c| i.column.eq_ignore_ascii_case(c)) { "" } else { &i.value };
        let action = match i.action {
            IssueAction::Dropped => "dropped",
            IssueAction::Kept => "kept",
            IssueAction::Adjusted => "adjusted",
        };
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            csv_field(&i.file),
            i.row,
            csv_field(i.column),
            csv_field(value),
            i.reason,
            action
        );
    }
    out
}

/// A TOML basic string.
fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A float for TOML: up to 8 decimals, trailing zeros trimmed, always with a point.
fn num(x: f64) -> String {
    let x = if x.is_finite() { x } else { 0.0 };
    let mut s = format!("{x:.8}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.push('0');
    }
    if s == "-0.0" { "0.0".into() } else { s }
}

/// Four significant figures, for comments.
fn sig4(x: f64) -> String {
    if !x.is_finite() || x == 0.0 {
        return "0".into();
    }
    let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
    format!("{x:.digits$}")
}

/// Keys are written bare when they can be.
fn key(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        s.to_string()
    } else {
        toml_str(s)
    }
}

/// Comment for a rate: interval, count, exposure and the small-cell flag.
fn rate_comment(lo: f64, hi: f64, n: u64, exposure_months: f64) -> String {
    let mut c = format!("# 95%: {}-{}, n={n}, exposure {:.1} child-months", sig4(lo), sig4(hi), exposure_months);
    if n < SMALL_CELL {
        c.push_str(", small cell");
    }
    c
}

/// Unit-cost assumption for a placement group: (value, low, high, what).
fn weekly_cost(group: &str) -> (f64, f64, f64, &'static str) {
    const FOSTER: f64 = 765.0;
    const RESIDENTIAL: f64 = 7385.0;
    match group {
        "foster_in_house" => (FOSTER, 0.8 * FOSTER, 1.2 * FOSTER, "fostering 765 a week"),
        "foster_agency" => (1.35 * FOSTER, 1.1 * FOSTER, 1.6 * FOSTER, "1.35 x fostering 765 a week (agency)"),
        "foster_kinship" => (0.7 * FOSTER, 0.5 * FOSTER, 0.9 * FOSTER, "0.7 x fostering 765 a week (kinship)"),
        "childrens_home" | "other_residential" | "residential_school" => {
            (RESIDENTIAL, 0.8 * RESIDENTIAL, 1.3 * RESIDENTIAL, "residential 7,385 a week")
        }
        "independent_living" => (2.0 * FOSTER, 1.0 * FOSTER, 4.0 * FOSTER, "2 x fostering 765 a week"),
        "with_parents" => (0.3 * FOSTER, 0.1 * FOSTER, 0.6 * FOSTER, "0.3 x fostering 765 a week"),
        "placed_for_adoption" => (FOSTER, 0.5 * FOSTER, 1.5 * FOSTER, "1 x fostering 765 a week"),
        _ => (FOSTER, 0.5 * FOSTER, 2.0 * FOSTER, "1 x fostering 765 a week"),
    }
}

fn placement_label(group: &str) -> &'static str {
    match group {
        "foster_kinship" => "Kinship foster care (relatives and friends)",
        "foster_in_house" => "In-house foster care",
        "foster_agency" => "Independent fostering agencies",
        "childrens_home" => "Secure and children's homes",
        "independent_living" => "Independent and semi-independent living / supported accommodation",
        "with_parents" => "Placed with parents",
        "placed_for_adoption" => "Placed for adoption",
        "other_residential" => "Other residential settings",
        "residential_school" => "Residential schools",
        _ => "Other placements",
    }
}

/// Shares rounded to 6 decimals that sum to exactly 1 (the residual goes to the largest).
fn rounded_shares(counts: &[(String, f64)]) -> Vec<(String, f64)> {
    let total: f64 = counts.iter().map(|(_, c)| c).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    let mut shares: Vec<(String, f64)> =
        counts.iter().filter(|(_, c)| *c > 0.0).map(|(g, c)| (g.clone(), (c / total * 1e6).round() / 1e6)).collect();
    let sum: f64 = shares.iter().map(|(_, s)| s).sum();
    if let Some(largest) = shares.iter_mut().max_by(|a, b| a.1.total_cmp(&b.1)) {
        largest.1 = ((largest.1 + 1.0 - sum) * 1e6).round() / 1e6;
    }
    shares
}

/// The scenario file.
fn scenario_toml(
    c: &CalibrateConfig,
    agg: &Aggregates,
    summary_text: &str,
    councils: Option<&Councils>,
    start_year: i32,
    end_year: i32,
    today: &Date,
) -> String {
    let bands: Vec<&str> = agg.age_bands.iter().map(|b| b.id.as_str()).collect();
    let years = agg.period_days as f64 / 365.25;
    let stock = agg.stock.last();

    // Placement groups present: any exposure, entry, stock or move into the group.
    let present: Vec<&str> = agg
        .placement_groups
        .iter()
        .filter(|g| {
            agg.exposure.iter().any(|e| &e.placement_group == *g && e.exposure_days > 0)
                || agg.entries.iter().any(|e| &e.placement_group == *g && e.entries > 0)
                || stock.is_some_and(|s| s.cells.iter().any(|e| &e.placement_group == *g && e.children > 0))
                || agg.moves.iter().any(|m| &m.to_placement_group == *g && m.moves > 0)
        })
        .map(String::as_str)
        .collect();

    let mut t = String::new();
    // Header comments.
    let whose = councils
        .map_or_else(|| "a council's SSDA903 return".to_string(), |k| format!("the SSDA903 returns of {}", k.title()));
    let _ = writeln!(t, "# Generated by `carecast calibrate` on {today} from {whose}:");
    let _ = writeln!(t, "#   episodes: {}", join_paths(&c.episodes));
    let _ = writeln!(t, "#   header:   {}", join_paths(&c.header));
    if !c.uasc.is_empty() {
        let _ = writeln!(t, "#   uasc:     {}", join_paths(&c.uasc));
    }
    let _ = writeln!(
        t,
        "# Reference period {} to {} ({} days, {:.2} years); children included: {}.",
        agg.from,
        agg.to,
        agg.period_days,
        years,
        if c.exclude_uasc { "all except UASC" } else { "all" }
    );
    let _ = writeln!(
        t,
        "# The projection starts from the stock on {} (start_year {start_year} is the 31 March on or before it).",
        agg.to
    );
    for line in summary_text.lines() {
        let _ = writeln!(t, "# {}", line.trim_start());
    }
    if let Some(councils) = councils {
        t.push_str(&councils.comment());
    }
    let _ =
        writeln!(t, "# Rates are monthly probabilities 1 - exp(-events / exposure months); each has its 95% interval");
    let _ = writeln!(t, "# (Poisson score interval on the count), the count n and the exposure as a comment.");
    let _ = writeln!(
        t,
        "# Small cells: counts under {SMALL_CELL} are flagged `small cell`; their rates are imprecise and the"
    );
    let _ = writeln!(
        t,
        "# counts should not be published. This file holds no child identifier, date of birth or postcode."
    );
    let _ = writeln!(t, "# Unit costs are NOT in SSDA903: the weekly costs below are national assumptions to replace.");
    t.push('\n');

    // [scenario]
    let title = match councils {
        None => format!("{}: calibrated from the council's SSDA903 return, {} to {}", c.name, agg.from, agg.to),
        Some(k) => {
            format!(
                "{}: calibrated from the SSDA903 returns of {} combined, {} to {}",
                c.name,
                k.title(),
                agg.from,
                agg.to
            )
        }
    };
    let whose = match councils {
        None => "Projection of the council's children in care from its own SSDA903 return.".to_string(),
        Some(k) => k.description(),
    };
    let description = format!(
        "{whose} Stock on {}, entries a year, placement on entry and monthly exit and move probabilities by age \
         band and placement are measured over {} to {} and held constant. Unit costs are national S251 2024-25 \
         based assumptions.",
        agg.to, agg.from, agg.to
    );
    let _ = writeln!(t, "[scenario]");
    let _ = writeln!(t, "name = {}", toml_str(&c.name));
    let _ = writeln!(t, "title = {}", toml_str(&title));
    let _ = writeln!(t, "description = {}", toml_str(&description));
    let _ = writeln!(t, "area = \"custom\"  # not a bundled area: no seeds are used");
    let _ = writeln!(t, "start_year = {start_year}  # stock date {}", agg.to);
    let _ = writeln!(t, "end_year = {end_year}");
    t.push('\n');

    // [dimensions]
    let _ = writeln!(t, "[dimensions]");
    let _ = writeln!(t, "ageing_out_reason = \"reached_18\"");
    let _ = writeln!(t, "age_bands = [");
    for b in &agg.age_bands {
        let _ =
            writeln!(t, "  {{ id = {}, from_years = {}, to_years = {} }},", toml_str(&b.id), b.from_years, b.to_years);
    }
    let _ = writeln!(t, "]");
    for g in &present {
        let (v, lo, hi, what) = weekly_cost(g);
        t.push('\n');
        let _ = writeln!(t, "[[dimensions.placements]]");
        let _ = writeln!(t, "id = {}", toml_str(g));
        let _ = writeln!(t, "label = {}", toml_str(placement_label(g)));
        let _ = writeln!(t, "dfe = []");
        let _ = writeln!(t, "price_growth = {{ value = 0.035, low = 0.02, high = 0.06, source = \"assumption\" }}");
        let source = format!("assumption: national S251 2024-25 unit cost, {what}; replace with the council's own");
        let _ = writeln!(
            t,
            "weekly_cost_gbp = {{ value = {}, low = {}, high = {}, source = {} }}",
            num(v),
            num(lo),
            num(hi),
            toml_str(&source)
        );
    }
    for (i, (r, label)) in EXIT_REASONS.iter().enumerate() {
        t.push('\n');
        let _ = writeln!(t, "[[dimensions.exit_reasons]]");
        let _ = writeln!(t, "id = {}", toml_str(r.id()));
        let _ = writeln!(t, "label = {}", toml_str(label));
        if i == EXIT_REASONS.len() - 1 {
            let _ = writeln!(t, "residual = true");
        }
    }
    t.push('\n');

    // [costs], [deflator]
    let _ = writeln!(t, "[costs]");
    let _ =
        writeln!(t, "other_cla_cost_growth = {{ value = 0.035, low = 0.02, high = 0.06, source = \"assumption\" }}");
    let _ =
        writeln!(t, "leaving_care_cost_growth = {{ value = 0.04, low = 0.02, high = 0.07, source = \"assumption\" }}");
    t.push('\n');
    let _ = writeln!(t, "[deflator]");
    let _ = writeln!(t, "base_year = {start_year}");
    let _ = writeln!(
        t,
        "annual_inflation = {{ value = 0.02, low = 0.015, high = 0.035, source = \"assumption: Bank of England 2% CPI target\" }}"
    );
    t.push('\n');

    // [explicit]
    let _ = writeln!(t, "[explicit]");
    let _ = writeln!(t, "stock_date = \"{}\"", agg.to);
    let _ = writeln!(
        t,
        "care_leavers = 0.0  # not estimable from the Episodes and Header tables (the OC3 care leavers table is not read): set from the council's records"
    );
    let _ = writeln!(t, "other_cla_weekly_cost_gbp = 0.0  # not in SSDA903: set from the council's S251 return");
    let _ = writeln!(t, "care_leaver_annual_cost_gbp = 0.0  # not in SSDA903: set from the council's S251 return");
    // Entries per year by band.
    let mut band_entries: BTreeMap<&str, u64> = BTreeMap::new();
    for e in &agg.entries {
        *band_entries.entry(e.age_band.as_str()).or_insert(0) += e.entries;
    }
    let _ = writeln!(t, "# entries a year by age band at entry (count over the period / {years:.4} years)");
    for b in &bands {
        let n = band_entries.get(b).copied().unwrap_or(0);
        let ci = poisson_interval_95(n);
        let mut comment = format!("# 95%: {}-{}, n={n}", sig4(ci.lower / years), sig4(ci.upper / years));
        if n < SMALL_CELL {
            comment.push_str(", small cell");
        }
        let _ = writeln!(t, "entries_per_year.{} = {}  {comment}", key(b), num(n as f64 / years));
    }
    t.push('\n');

    // Entry mix.
    let count_of = |band: Option<&str>, g: &str| -> f64 {
        agg.entries
            .iter()
            .filter(|e| band.is_none_or(|b| e.age_band == b) && e.placement_group == g)
            .map(|e| e.entries as f64)
            .sum()
    };
    let mut all_ages: Vec<(String, f64)> = present.iter().map(|g| (g.to_string(), count_of(None, g))).collect();
    let mut all_ages_source = "entries of all ages";
    if all_ages.iter().all(|(_, c)| *c <= 0.0) {
        // No entries at all: fall back on the stock mix, then the exposure mix.
        all_ages = present
            .iter()
            .map(|g| {
                let n: u64 =
                    stock.map_or(0, |s| s.cells.iter().filter(|c| c.placement_group == *g).map(|c| c.children).sum());
                (g.to_string(), n as f64)
            })
            .collect();
        all_ages_source = "the stock on the stock date (no entries in the period)";
        if all_ages.iter().all(|(_, c)| *c <= 0.0) {
            all_ages = present
                .iter()
                .map(|g| {
                    let d: u64 = agg.exposure.iter().filter(|e| e.placement_group == *g).map(|e| e.exposure_days).sum();
                    (g.to_string(), d as f64)
                })
                .collect();
            all_ages_source = "child-days in care (no entries in the period)";
        }
    }
    let _ = writeln!(t, "[explicit.entry_mix]  # band -> placement on entry -> share of the band's entries");
    for b in &bands {
        let counts: Vec<(String, f64)> = present.iter().map(|g| (g.to_string(), count_of(Some(b), g))).collect();
        let n: f64 = counts.iter().map(|(_, c)| c).sum();
        let (shares, comment) = if n > 0.0 {
            let small: Vec<&str> =
                counts.iter().filter(|(_, c)| *c > 0.0 && *c < SMALL_CELL as f64).map(|(g, _)| g.as_str()).collect();
            let mut comment = format!("# n={n}");
            if !small.is_empty() {
                let _ = write!(comment, "; small cells (<{SMALL_CELL}): {}", small.join(", "));
            }
            (rounded_shares(&counts), comment)
        } else {
            (rounded_shares(&all_ages), format!("# no entries in this band: the mix of {all_ages_source}"))
        };
        let body: Vec<String> = shares.iter().map(|(g, s)| format!("{} = {}", key(g), num(*s))).collect();
        let _ = writeln!(t, "{} = {{ {} }}  {comment}", key(b), body.join(", "));
    }
    t.push('\n');

    // Initial stock.
    let _ = writeln!(t, "[explicit.initial_stock]  # band -> placement -> children in care on {}", agg.to);
    for b in &bands {
        let cells: Vec<(&str, u64)> = stock.map_or_else(Vec::new, |s| {
            s.cells
                .iter()
                .filter(|c| c.age_band == *b && c.children > 0)
                .map(|c| (c.placement_group.as_str(), c.children))
                .collect()
        });
        let total: u64 = cells.iter().map(|(_, n)| n).sum();
        let body: Vec<String> = cells.iter().map(|(g, n)| format!("{} = {n}", key(g))).collect();
        let small: Vec<&str> = cells.iter().filter(|(_, n)| *n < SMALL_CELL).map(|(g, _)| *g).collect();
        let mut comment = format!("# total {total}");
        if !small.is_empty() {
            let _ = write!(comment, "; small cells (<{SMALL_CELL}): {}", small.join(", "));
        }
        let open = if body.is_empty() { "{}".to_string() } else { format!("{{ {} }}", body.join(", ")) };
        let _ = writeln!(t, "{} = {open}  {comment}", key(b));
    }

    // Exit probabilities: reason -> band -> placement.
    for (r, _) in &EXIT_REASONS {
        t.push('\n');
        let _ = writeln!(t, "[explicit.monthly_exit_probability.{}]  # band.placement = monthly probability", r.id());
        for e in agg.exit_rates.iter().filter(|e| e.reason_group == *r) {
            let ci = e.monthly_exit_probability_95;
            let _ = writeln!(
                t,
                "{}.{} = {}  {}",
                key(&e.age_band),
                key(&e.placement_group),
                num(e.monthly_exit_probability),
                rate_comment(ci.lower, ci.upper, e.exits, e.exposure_months)
            );
        }
    }

    // Move probabilities: from placement -> band -> to placement (cells with moves only).
    for from in &present {
        let rates: Vec<_> = agg.move_rates.iter().filter(|m| m.from_placement_group == *from && m.moves > 0).collect();
        if rates.is_empty() {
            continue;
        }
        t.push('\n');
        let _ = writeln!(
            t,
            "[explicit.monthly_move_probability.{}]  # band.to_placement = monthly probability (cells with no move are 0 and omitted)",
            key(from)
        );
        for m in rates {
            let ci = m.monthly_move_probability_95;
            let _ = writeln!(
                t,
                "{}.{} = {}  {}",
                key(&m.age_band),
                key(&m.to_placement_group),
                num(m.monthly_move_probability),
                rate_comment(ci.lower, ci.upper, m.moves, m.exposure_months)
            );
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_strings() {
        assert_eq!(num(0.0), "0.0");
        assert_eq!(num(3.0), "3.0");
        assert_eq!(num(0.012345678912), "0.01234568");
        assert_eq!(toml_str("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(key("1_4"), "1_4");
        assert_eq!(key("a b"), "\"a b\"");
    }

    #[test]
    fn shares_sum_to_one() {
        let s = rounded_shares(&[("a".into(), 1.0), ("b".into(), 1.0), ("c".into(), 1.0), ("d".into(), 0.0)]);
        assert_eq!(s.len(), 3);
        let sum: f64 = s.iter().map(|(_, x)| x).sum();
        assert!((sum - 1.0).abs() < 1e-12, "{sum}");
    }

    fn la(la: &str, episode_rows: u64, children: u64) -> LaCount {
        LaCount { la: la.into(), episode_rows, children }
    }

    #[test]
    fn councils_named_only_when_more_than_one() {
        assert_eq!(Councils::of(&[]), None);
        assert_eq!(Councils::of(&[la("E09000028", 10, 4)]), None);
        assert_eq!(Councils::of(&[la("", 10, 4)]), None);
        let k = Councils::of(&[la("", 3, 1), la("E09000028", 10, 4)]).expect("two");
        assert_eq!(
            k.warning(),
            "warning: the episodes combine the returns of 2 councils (LA column): no LA (3 episode rows, 1 \
             child), E09000028 (10 episode rows, 4 children); they are calibrated together as one area (to \
             calibrate one council, pass only its rows)"
        );
        assert!(
            k.comment().ends_with("#   no LA: 3 episode rows, 1 child\n#   E09000028: 10 episode rows, 4 children\n")
        );
        assert!(k.description().contains("2 councils combined (LA: no LA, E09000028)"), "{}", k.description());
        // A line end inside a quoted LA value stays inside its comment line.
        let k = Councils::of(&[la("A\nB", 1, 1), la("C", 2, 2)]).expect("two");
        assert!(k.comment().ends_with("#   A\\nB: 1 episode row, 1 child\n#   C: 2 episode rows, 2 children\n"));
        // More distinct values than councils in England: counted, not listed.
        let many: Vec<LaCount> = (0..=MAX_NAMED_COUNCILS).map(|i| la(&format!("V{i:04}"), 1, 1)).collect();
        let k = Councils::of(&many).expect("many");
        assert!(k.warning().contains("154 distinct LA values, more than there are councils"), "{}", k.warning());
        for text in [k.warning(), k.comment(), k.description()] {
            assert!(!text.contains("V0001"), "{text}");
        }
    }

    #[test]
    fn issues_path_next_to_scenario() {
        assert_eq!(issues_path(Path::new("dir/t.toml")), PathBuf::from("dir/t.issues.csv"));
    }
}
