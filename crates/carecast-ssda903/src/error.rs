//! Typed errors (a table cannot be read at all, or an option is invalid) and
//! reported issues (one row or value could not be used as submitted).
//!
//! This is not a logger: nothing here prints. Issues carry the offending value
//! so an analyst can fix the source file; they are kept apart from the
//! aggregate output, which never holds row-level values.

use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// A table could not be read, or an option is invalid.
#[derive(Debug, thiserror::Error)]
pub enum Ssda903Error {
    /// The file could not be read from disk.
    #[error("{file}: cannot read file: {error}")]
    Io {
        /// File name or path.
        file: String,
        /// Underlying error (in the message, so an error chain prints it once).
        error: std::io::Error,
    },
    /// The file has no header row (zero bytes, only a byte-order mark or blank lines).
    #[error("{file}: row 1: the file is empty (no header row)")]
    EmptyFile {
        /// File name.
        file: String,
    },
    /// The header row is not comma-separated.
    #[error(
        "{file}: row 1: the header row is separated by {found:?}, not commas; save the table as comma-separated CSV"
    )]
    WrongDelimiter {
        /// File name.
        file: String,
        /// The delimiter found.
        found: char,
    },
    /// A required column is not in the header row.
    #[error("{file}: row 1: required column {column} is missing (found: {found})")]
    MissingColumn {
        /// File name.
        file: String,
        /// The missing column.
        column: &'static str,
        /// The columns that were found, comma-separated.
        found: String,
    },
    /// The CSV structure is broken (e.g. an unclosed quote).
    #[error("{file}: row {row}: malformed CSV: {message}")]
    Csv {
        /// File name.
        file: String,
        /// 1-based line number (the header is row 1).
        row: u64,
        /// What the CSV parser said.
        message: String,
    },
    /// Strict mode: a row could not be used.
    #[error("{file}: row {row}, column {column}: {reason} (value {value:?})")]
    InvalidRow {
        /// File name.
        file: String,
        /// 1-based line number (the header is row 1).
        row: u64,
        /// Column name (`-` for the whole row).
        column: String,
        /// The submitted value.
        value: String,
        /// Why it cannot be used.
        reason: IssueReason,
    },
    /// No Episodes table was given.
    #[error("no Episodes table was given")]
    NoEpisodes,
    /// No Header table was given (dates of birth are needed for ages).
    #[error("no Header table was given (dates of birth are needed for ages)")]
    NoHeader,
    /// An aggregation option is invalid.
    #[error("invalid option {option}: {message}")]
    InvalidOption {
        /// Which option.
        option: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// What was done with a row or value that has an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueAction {
    /// The row was not used.
    Dropped,
    /// The row was used, with the value ignored or interpreted as described.
    Kept,
    /// The row was used with its dates changed (trimmed).
    Adjusted,
}

/// Why a row or value has an issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueReason {
    /// A required value is blank.
    MissingValue,
    /// A date that is not a real `dd/mm/YYYY` or `YYYY-MM-DD` date.
    InvalidDate,
    /// A code that is not in any SSDA903 code list.
    UnknownCode,
    /// A known code that is not in the code list of the row's collection year.
    CodeNotValidForYear,
    /// A YEAR value that is not a four-digit year.
    InvalidYear,
    /// The row has a different number of fields from the header.
    WrongFieldCount,
    /// DEC is before DECOM.
    EndBeforeStart,
    /// No Header row (date of birth) for the child.
    NoDateOfBirth,
    /// Header rows of the same collection year give different dates of birth.
    ConflictingDateOfBirth,
    /// Header rows of different years give different dates of birth; the
    /// latest year's is used.
    DateOfBirthChanged,
    /// The episode starts before the child's date of birth.
    StartBeforeBirth,
    /// The episode starts on or after the child's 18th birthday.
    StartsAged18OrOver,
    /// The episode continues past the 18th birthday; it is ended there.
    CareAfter18Trimmed,
    /// The same CHILD + DECOM appears again (e.g. in a later annual return).
    DuplicateEpisode,
    /// The episode overlaps the child's next episode; it is ended where the next starts.
    OverlapTrimmed,
    /// Short-break legal status (V3/V4), left out of the population model.
    ShortBreakExcluded,
    /// U4-U6 foster placement without PR1-PR5, so in-house vs agency is unknown.
    FosterProviderUnknown,
    /// REC is X1 but no used episode starts on DEC; counted as an exit (`other`
    /// unless aged 18+).
    X1WithoutNextEpisode,
    /// DEC is given but REC is blank or unknown: a continuation if the next
    /// episode starts on DEC, otherwise an exit (`other`).
    EndReasonUnknown,
    /// REC is given for an episode without DEC; ignored.
    ReasonWithoutEndDate,
    /// RNE is S on an episode that continues a period of care; treated as a continuation.
    StartReasonOnContinuation,
}

impl IssueReason {
    /// The snake_case id used in summaries.
    pub fn id(self) -> &'static str {
        match self {
            IssueReason::MissingValue => "missing_value",
            IssueReason::InvalidDate => "invalid_date",
            IssueReason::UnknownCode => "unknown_code",
            IssueReason::CodeNotValidForYear => "code_not_valid_for_year",
            IssueReason::InvalidYear => "invalid_year",
            IssueReason::WrongFieldCount => "wrong_field_count",
            IssueReason::EndBeforeStart => "end_before_start",
            IssueReason::NoDateOfBirth => "no_date_of_birth",
            IssueReason::ConflictingDateOfBirth => "conflicting_date_of_birth",
            IssueReason::DateOfBirthChanged => "date_of_birth_changed",
            IssueReason::StartBeforeBirth => "start_before_birth",
            IssueReason::StartsAged18OrOver => "starts_aged_18_or_over",
            IssueReason::CareAfter18Trimmed => "care_after_18_trimmed",
            IssueReason::DuplicateEpisode => "duplicate_episode",
            IssueReason::OverlapTrimmed => "overlap_trimmed",
            IssueReason::ShortBreakExcluded => "short_break_excluded",
            IssueReason::FosterProviderUnknown => "foster_provider_unknown",
            IssueReason::X1WithoutNextEpisode => "x1_without_next_episode",
            IssueReason::EndReasonUnknown => "end_reason_unknown",
            IssueReason::ReasonWithoutEndDate => "reason_without_end_date",
            IssueReason::StartReasonOnContinuation => "start_reason_on_continuation",
        }
    }
}

impl fmt::Display for IssueReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One reported problem with one row (or one value in it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// File name as given.
    #[serde(serialize_with = "serialize_arc_str")]
    pub file: Arc<str>,
    /// 1-based line number in that file (the header is row 1).
    pub row: u64,
    /// Column name, or `-` for the whole row.
    pub column: &'static str,
    /// The submitted value (at most 64 characters).
    pub value: String,
    /// Why.
    pub reason: IssueReason,
    /// What was done.
    pub action: IssueAction,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: row {}, column {}: {} (value {:?}; row {})",
            self.file,
            self.row,
            self.column,
            self.reason,
            self.value,
            match self.action {
                IssueAction::Dropped => "dropped",
                IssueAction::Kept => "kept",
                IssueAction::Adjusted => "adjusted",
            }
        )
    }
}

/// Count of issues with one reason and action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssueCount {
    /// Why.
    pub reason: IssueReason,
    /// What was done.
    pub action: IssueAction,
    /// How many rows.
    pub rows: u64,
}

fn serialize_arc_str<S: serde::Serializer>(s: &Arc<str>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(s)
}

/// Value as text for an issue, cut to 64 characters.
pub(crate) fn issue_value(bytes: &[u8]) -> String {
    let s = String::from_utf8_lossy(bytes);
    if s.chars().count() > 64 { s.chars().take(64).collect() } else { s.into_owned() }
}

/// Summarise issues by (reason, action), sorted.
pub fn count_issues(issues: &[Issue]) -> Vec<IssueCount> {
    let mut map = std::collections::BTreeMap::<(IssueReason, IssueAction), u64>::new();
    for i in issues {
        *map.entry((i.reason, i.action)).or_insert(0) += 1;
    }
    map.into_iter().map(|((reason, action), rows)| IssueCount { reason, action, rows }).collect()
}
