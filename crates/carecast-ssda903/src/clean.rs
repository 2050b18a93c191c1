//! Cleaning: turn read Episodes rows into per-child care segments the way a
//! population model needs them, reporting every row dropped or changed.
//!
//! Steps, in order, per child (LA + CHILD): de-duplicate episodes repeated
//! across annual returns (same DECOM: keep the latest return's row, then a
//! closed row over an open one); drop short breaks (LS V3/V4) unless kept by
//! option; drop episodes starting on or after the 18th birthday; trim
//! overlapping episodes to the next episode's DECOM; end care at the 18th
//! birthday (an open episode only if the data reach that birthday); chain episodes into periods of care, where an episode ending X1
//! (or with an unknown REC) on the day the next starts is a continuation, not
//! an exit and entry; merge continuations in the same placement group.
//!
//! This is not aggregation (see `aggregate`) and holds no child identifiers in
//! its public types: segments know only dates, date of birth, group and flags.

use crate::codes::{PlacementGroup, ReasonGroup, reason_group};
use crate::date::Date;
use crate::error::{Issue, IssueAction, IssueCount, IssueReason, Ssda903Error, count_issues};
use crate::read::{self, EpisodeRows, IssueSink, LaCount, People, RawEpisode, ReturnTables};
use serde::Serialize;
use std::cmp::Reverse;
use std::fmt;
use std::sync::Arc;

/// Options for reading and cleaning.
#[derive(Debug, Clone, Default)]
pub struct CleanOptions {
    /// Keep short-break episodes (legal status V3/V4). Default: excluded.
    pub keep_short_breaks: bool,
    /// Fail with [`Ssda903Error::InvalidRow`] on the first row that cannot be
    /// used (bad date, unknown placement, missing value, ...) instead of
    /// reporting it and carrying on. Cleaning steps (duplicates, overlaps,
    /// short breaks) are never errors.
    pub strict: bool,
}

/// How a segment starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StartKind {
    /// A new period of care starts (an entry).
    Entry,
    /// The first episode seen for the child, not marked as a start (RNE not S):
    /// the period of care began before the data.
    LeftTruncated,
    /// Continues the previous segment of the same child (a move).
    Continuation,
}

/// How a segment ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndKind {
    /// Still open at the end of the data.
    Open,
    /// The next segment continues the same period of care (in another group).
    Continuation,
    /// The child left care.
    Exit(ReasonGroup),
}

/// One stretch of care in one placement group, `[start, end)`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Segment {
    pub start: Date,
    /// Exclusive end (the DEC), `None` if open.
    pub end: Option<Date>,
    pub dob: Date,
    pub group: PlacementGroup,
    pub uasc: bool,
    pub start_kind: StartKind,
    pub end_kind: EndKind,
}

/// Counts describing what was read and cleaned (no row-level values).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CleaningSummary {
    /// Episodes rows read (all tables).
    pub episode_rows_read: u64,
    /// Header rows read.
    pub header_rows_read: u64,
    /// UASC rows read.
    pub uasc_rows_read: u64,
    /// Distinct children (LA + CHILD) with at least one readable episode.
    pub children_read: u64,
    /// Episodes rows and children by distinct `LA` value, ordered by value
    /// (one entry, empty or not, for a single council's return; none without
    /// rows). More than one means the tables combine several councils' returns
    /// (a blank `LA`, or a table without the column, beside real codes counts
    /// as one more). Children add up to `children_read`.
    pub las: Vec<LaCount>,
    /// Episodes used after cleaning.
    pub episodes_used: u64,
    /// Episodes removed as repeats of the same CHILD + DECOM.
    pub duplicate_episodes: u64,
    /// Short-break episodes excluded.
    pub short_break_episodes: u64,
    /// Children with at least one used episode.
    pub children_used: u64,
    /// Of them, flagged UASC.
    pub uasc_children_used: u64,
    /// Care segments (runs of episodes in one placement group).
    pub segments: u64,
    /// Periods of care whose start is before the data (first episode seen has RNE not S).
    pub left_truncated_periods: u64,
    /// Issues by reason and action.
    pub issue_counts: Vec<IssueCount>,
}

/// The cleaned data: care segments plus the cleaning report.
///
/// Its `Debug` output shows counts only. It does hold dates of birth
/// internally (needed for ages); use [`CareHistories::aggregate`] for output.
pub struct CareHistories {
    pub(crate) segments: Vec<Segment>,
    pub(crate) issues: Vec<Issue>,
    pub(crate) summary: CleaningSummary,
    pub(crate) span: Option<(Date, Date)>,
}

impl fmt::Debug for CareHistories {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CareHistories")
            .field("segments", &self.segments.len())
            .field("issues", &self.issues.len())
            .field("span", &self.span)
            .finish()
    }
}

impl CareHistories {
    /// Every row or value that could not be used as submitted.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// Counts of what was read, used and reported.
    pub fn summary(&self) -> &CleaningSummary {
        &self.summary
    }

    /// The data's span: from 1 April on or before the earliest DEC submitted
    /// (a return lists only episodes open during its year, so closed episodes
    /// mark where the data becomes complete; the earliest DECOM if none has
    /// ended) to the latest DECOM or DEC. Taken over all readable rows, before
    /// cleaning. `None` without episodes.
    pub fn data_span(&self) -> Option<(Date, Date)> {
        self.span
    }
}

/// Read and clean a set of return tables.
pub fn load(tables: &ReturnTables, options: &CleanOptions) -> Result<CareHistories, Ssda903Error> {
    if tables.episodes.is_empty() {
        return Err(Ssda903Error::NoEpisodes);
    }
    if tables.header.is_empty() {
        return Err(Ssda903Error::NoHeader);
    }
    let mut sink = IssueSink { issues: Vec::new(), strict: options.strict };
    let mut people = People::default();
    read::read_headers(&tables.header, &mut people, &mut sink)?;
    read::read_uasc(&tables.uasc, &mut people, &mut sink)?;
    let mut rows = read::read_episodes(&tables.episodes, &people, &mut sink)?;
    let mut summary = CleaningSummary {
        episode_rows_read: rows.rows_read,
        header_rows_read: people.header_rows,
        uasc_rows_read: people.uasc_rows,
        children_read: rows.children as u64,
        las: std::mem::take(&mut rows.las),
        ..CleaningSummary::default()
    };
    drop(people);
    let span = data_span(&rows.episodes);
    let data_end = span.map(|s| s.1);
    let segments = clean(rows, options, data_end, &mut sink.issues, &mut summary);
    summary.segments = segments.len() as u64;
    summary.issue_counts = count_issues(&sink.issues);
    Ok(CareHistories { segments, issues: sink.issues, summary, span })
}

fn data_span(episodes: &[RawEpisode]) -> Option<(Date, Date)> {
    let first_start = episodes.iter().map(|e| e.decom).min()?;
    let last = episodes.iter().map(|e| e.dec.unwrap_or(e.decom).max(e.decom)).max()?;
    let from = match episodes.iter().filter_map(|e| e.dec).min() {
        Some(d) => {
            let (y, m, _) = d.ymd();
            let y = if m >= 4 { y } else { y - 1 };
            Date::from_ymd(y, 4, 1).unwrap_or(d)
        }
        None => first_start,
    };
    Some((from.min(last), last))
}

/// Episode being cleaned, with its cleaning state.
struct Work {
    ep: RawEpisode,
    /// Ended by trimming (overlap): a continuation into the next episode.
    trimmed: bool,
    /// Ended at the 18th birthday.
    ended_at_18: bool,
}

fn issue(
    issues: &mut Vec<Issue>,
    files: &[Arc<str>],
    ep: &RawEpisode,
    column: &'static str,
    value: String,
    reason: IssueReason,
    action: IssueAction,
) {
    let file = files.get(usize::from(ep.file)).map_or_else(|| Arc::from("?"), Arc::clone);
    issues.push(Issue { file, row: u64::from(ep.row), column, value, reason, action });
}

fn date_text(d: Option<Date>) -> String {
    d.map_or_else(String::new, |d| d.to_string())
}

fn clean(
    rows: EpisodeRows,
    options: &CleanOptions,
    data_end: Option<Date>,
    issues: &mut Vec<Issue>,
    summary: &mut CleaningSummary,
) -> Vec<Segment> {
    let EpisodeRows { mut episodes, files, .. } = rows;
    // Child, then DECOM; among repeats of one DECOM the preferred row first:
    // latest collection year, then closed (latest DEC) before open.
    episodes.sort_unstable_by_key(|e| {
        (e.child, e.decom, Reverse(e.year), Reverse(e.dec.map_or(i32::MIN, Date::days_since_epoch)), e.file, e.row)
    });
    let mut segments = Vec::with_capacity(episodes.len());
    let mut work: Vec<Work> = Vec::new();
    let mut i = 0;
    while i < episodes.len() {
        let child = episodes[i].child;
        let mut j = i;
        while j < episodes.len() && episodes[j].child == child {
            j += 1;
        }
        work.clear();
        let mut had_earlier = false;
        let mut earlier_flags: Vec<bool> = Vec::new();
        for k in i..j {
            let ep = episodes[k];
            if k > i && episodes[k - 1].decom == ep.decom {
                summary.duplicate_episodes += 1;
                issue(
                    issues,
                    &files,
                    &ep,
                    "DECOM",
                    ep.decom.to_string(),
                    IssueReason::DuplicateEpisode,
                    IssueAction::Dropped,
                );
                continue;
            }
            if ep.short_break && !options.keep_short_breaks {
                summary.short_break_episodes += 1;
                issue(issues, &files, &ep, "LS", String::new(), IssueReason::ShortBreakExcluded, IssueAction::Dropped);
                had_earlier = true;
                continue;
            }
            let b18 = ep.dob.add_years(18);
            if ep.decom >= b18 {
                issue(
                    issues,
                    &files,
                    &ep,
                    "DECOM",
                    ep.decom.to_string(),
                    IssueReason::StartsAged18OrOver,
                    IssueAction::Dropped,
                );
                continue;
            }
            earlier_flags.push(had_earlier || !work.is_empty());
            work.push(Work { ep, trimmed: false, ended_at_18: false });
        }
        // Overlaps: end each episode where the next one starts.
        for k in 0..work.len().saturating_sub(1) {
            let next_start = work[k + 1].ep.decom;
            let end = work[k].ep.dec;
            if end.is_none_or(|e| e > next_start) {
                let ep = work[k].ep;
                issue(issues, &files, &ep, "DEC", date_text(end), IssueReason::OverlapTrimmed, IssueAction::Adjusted);
                work[k].ep.dec = Some(next_start);
                work[k].trimmed = true;
            }
        }
        // Care ends at the 18th birthday (only the last episode can pass it
        // now). An open episode is ended there only if the data reach that day.
        if let Some(last) = work.last_mut() {
            let b18 = last.ep.dob.add_years(18);
            let past_18 = match last.ep.dec {
                Some(e) => e > b18,
                None => data_end.is_some_and(|end| end >= b18),
            };
            if past_18 {
                let ep = last.ep;
                issue(
                    issues,
                    &files,
                    &ep,
                    "DEC",
                    date_text(ep.dec),
                    IssueReason::CareAfter18Trimmed,
                    IssueAction::Adjusted,
                );
                last.ep.dec = Some(b18);
                last.ended_at_18 = true;
                last.trimmed = false;
            }
        }
        // Chain into segments.
        let mut continuing = false;
        let mut used_any = false;
        for k in 0..work.len() {
            let w = &work[k];
            let ep = w.ep;
            let next_start = work.get(k + 1).map(|n| n.ep.decom);
            let start_kind = if continuing {
                if ep.rne_start {
                    issue(
                        issues,
                        &files,
                        &ep,
                        "RNE",
                        "S".to_string(),
                        IssueReason::StartReasonOnContinuation,
                        IssueAction::Kept,
                    );
                }
                StartKind::Continuation
            } else if ep.rne_start || earlier_flags[k] {
                StartKind::Entry
            } else {
                StartKind::LeftTruncated
            };
            let end_kind = match ep.dec {
                None => EndKind::Open,
                Some(dec) => {
                    let age = ep.dob.age_in_years_on(dec);
                    if w.ended_at_18 {
                        EndKind::Exit(ReasonGroup::Reached18)
                    } else if w.trimmed {
                        EndKind::Continuation
                    } else {
                        let adjacent = next_start == Some(dec);
                        match ep.rec {
                            Some(ReasonGroup::NotAnExit) | None if adjacent => EndKind::Continuation,
                            Some(ReasonGroup::NotAnExit) => {
                                issue(
                                    issues,
                                    &files,
                                    &ep,
                                    "REC",
                                    "X1".to_string(),
                                    IssueReason::X1WithoutNextEpisode,
                                    IssueAction::Kept,
                                );
                                EndKind::Exit(reason_group(ReasonGroup::Other, age))
                            }
                            None => EndKind::Exit(reason_group(ReasonGroup::Other, age)),
                            Some(g) => EndKind::Exit(reason_group(g, age)),
                        }
                    }
                }
            };
            used_any = true;
            summary.episodes_used += 1;
            if start_kind == StartKind::LeftTruncated {
                summary.left_truncated_periods += 1;
            }
            // Merge a continuation in the same group into the previous segment.
            if start_kind == StartKind::Continuation
                && let Some(prev) = segments.last_mut()
                && prev_matches(prev, ep.group)
            {
                let prev: &mut Segment = prev;
                prev.end = ep.dec;
                prev.end_kind = end_kind;
            } else {
                segments.push(Segment {
                    start: ep.decom,
                    end: ep.dec,
                    dob: ep.dob,
                    group: ep.group,
                    uasc: ep.uasc,
                    start_kind,
                    end_kind,
                });
            }
            continuing = end_kind == EndKind::Continuation;
        }
        if used_any {
            summary.children_used += 1;
            if work.first().is_some_and(|w| w.ep.uasc) {
                summary.uasc_children_used += 1;
            }
        }
        i = j;
    }
    segments
}

fn prev_matches(prev: &Segment, group: PlacementGroup) -> bool {
    prev.end_kind == EndKind::Continuation && prev.group == group
}
