//! Reading SSDA903 Episodes, Header and UASC CSV tables from files or bytes
//! into compact per-row records, reporting every row or value that cannot be
//! used.
//!
//! This is not the cleaning step (duplicates, overlaps, continuations are in
//! `clean`) and it does not interpret the data over time. Tables may be one
//! annual return or several stacked, with or without `LA` and `YEAR` columns;
//! header names are matched case-insensitively; a UTF-8 byte-order mark and
//! `\r\n` line ends are accepted. Children are keyed by `LA` and `CHILD`, and
//! the Episodes rows and children of each distinct `LA` value are counted
//! ([`LaCount`]), so a caller can tell when several councils' returns are
//! combined; deciding whether that is intended is not this module's business.

use crate::codes::{
    self, LS_CODES, PLACE_CODES, PlaceMapping, PlacementGroup, REC_CODES, RNE_CODES, ReasonGroup, SEX_CODES,
};
use crate::date::{Date, trim_ascii};
use crate::error::{Issue, IssueAction, IssueReason, Ssda903Error, issue_value};
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;
use std::sync::Arc;

/// One CSV table: its name (used in errors and issues), its bytes and,
/// optionally, the collection year it belongs to (the year ending 31 March
/// `collection_year`). A `YEAR` column in the table overrides the year per row.
#[derive(Clone)]
pub struct TableSource {
    name: Arc<str>,
    bytes: Vec<u8>,
    collection_year: Option<u16>,
}

impl fmt::Debug for TableSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TableSource")
            .field("name", &self.name)
            .field("bytes", &self.bytes.len())
            .field("collection_year", &self.collection_year)
            .finish()
    }
}

impl TableSource {
    /// A table held in memory.
    pub fn from_bytes(name: &str, bytes: impl Into<Vec<u8>>) -> TableSource {
        TableSource { name: Arc::from(name), bytes: bytes.into(), collection_year: None }
    }

    /// Read a table from a file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<TableSource, Ssda903Error> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|error| Ssda903Error::Io { file: name.clone(), error })?;
        Ok(TableSource { name: Arc::from(name.as_str()), bytes, collection_year: None })
    }

    /// Set the collection year (year ending 31 March) for rows without a YEAR column.
    pub fn with_collection_year(mut self, year: u16) -> TableSource {
        self.collection_year = Some(year);
        self
    }

    /// The name used in errors and issues.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The tables of one or more annual returns.
#[derive(Debug, Clone, Default)]
pub struct ReturnTables {
    /// Episodes tables (one per return, or one stacked table).
    pub episodes: Vec<TableSource>,
    /// Header tables (CHILD, SEX, DOB, ...).
    pub header: Vec<TableSource>,
    /// UASC tables (optional).
    pub uasc: Vec<TableSource>,
}

impl ReturnTables {
    /// No tables yet.
    pub fn new() -> ReturnTables {
        ReturnTables::default()
    }

    /// Add an Episodes table.
    pub fn with_episodes(mut self, table: TableSource) -> ReturnTables {
        self.episodes.push(table);
        self
    }

    /// Add a Header table.
    pub fn with_header(mut self, table: TableSource) -> ReturnTables {
        self.header.push(table);
        self
    }

    /// Add a UASC table.
    pub fn with_uasc(mut self, table: TableSource) -> ReturnTables {
        self.uasc.push(table);
        self
    }

    /// Read tables from files.
    pub fn from_paths<P: AsRef<Path>>(episodes: &[P], header: &[P], uasc: &[P]) -> Result<ReturnTables, Ssda903Error> {
        let read =
            |ps: &[P]| -> Result<Vec<TableSource>, Ssda903Error> { ps.iter().map(TableSource::from_path).collect() };
        Ok(ReturnTables { episodes: read(episodes)?, header: read(header)?, uasc: read(uasc)? })
    }
}

/// FNV-1a: a small, fast hasher for short byte keys (child ids).
#[derive(Default)]
pub(crate) struct FnvHasher(u64);

impl Hasher for FnvHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FnvHasher>>;

/// Collects issues; in strict mode the first dropped row becomes an error.
pub(crate) struct IssueSink {
    pub issues: Vec<Issue>,
    pub strict: bool,
}

impl IssueSink {
    pub fn push(
        &mut self,
        file: &Arc<str>,
        row: u64,
        column: &'static str,
        value: &[u8],
        reason: IssueReason,
        action: IssueAction,
    ) -> Result<(), Ssda903Error> {
        if self.strict && action == IssueAction::Dropped {
            return Err(Ssda903Error::InvalidRow {
                file: file.to_string(),
                row,
                column: column.to_string(),
                value: issue_value(value),
                reason,
            });
        }
        self.issues.push(Issue { file: Arc::clone(file), row, column, value: issue_value(value), reason, action });
        Ok(())
    }
}

/// A table opened for reading: the CSV reader and column positions.
struct OpenTable<'a> {
    reader: csv::Reader<&'a [u8]>,
    columns: Vec<Option<usize>>,
    n_fields: usize,
    lines: LineCounter<'a>,
}

/// 1-based line numbers from byte offsets (which only increase), counted here
/// because the CSV reader's own line count can be off by one.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn line_of(&mut self, rec: &csv::ByteRecord) -> u64 {
        let mut target =
            rec.position().and_then(|p| usize::try_from(p.byte()).ok()).unwrap_or(self.offset).min(self.bytes.len());
        // After a `\r\n` the reader may report the record as starting at the `\n`.
        if self.bytes.get(target) == Some(&b'\n') {
            target += 1;
        }
        if target > self.offset {
            let chunk = &self.bytes[self.offset..target];
            // Line ends: `\n`, or a `\r` not followed by `\n`.
            let mut ends = 0u64;
            for (i, &b) in chunk.iter().enumerate() {
                let lone_cr = b == b'\r' && self.bytes.get(self.offset + i + 1) != Some(&b'\n');
                if b == b'\n' || lone_cr {
                    ends += 1;
                }
            }
            self.line += ends;
            self.offset = target;
        }
        self.line
    }
}

/// Strip a BOM, check for emptiness and the delimiter, and find columns
/// (`required` must all be present; `optional` may be absent).
fn open_table<'a>(
    source: &'a TableSource,
    required: &[&'static str],
    optional: &[&'static str],
) -> Result<OpenTable<'a>, Ssda903Error> {
    let mut bytes: &[u8] = &source.bytes;
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        bytes = rest;
    }
    let file = || source.name.to_string();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Ssda903Error::EmptyFile { file: file() });
    }
    // Skip leading blank lines to find the header line.
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(0);
    let header_line = bytes[start..].split(|&b| b == b'\n').next().unwrap_or_default();
    if !header_line.contains(&b',') {
        for d in [b';', b'\t', b'|'] {
            if header_line.contains(&d) {
                return Err(Ssda903Error::WrongDelimiter { file: file(), found: char::from(d) });
            }
        }
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(bytes);
    let headers = reader.byte_headers().map_err(|e| csv_error(&source.name, &e))?.clone();
    let names: Vec<&[u8]> = headers.iter().map(trim_ascii).collect();
    let find = |col: &str| names.iter().position(|n| n.eq_ignore_ascii_case(col.as_bytes()));
    let mut columns = Vec::with_capacity(required.len() + optional.len());
    for &col in required {
        match find(col) {
            Some(i) => columns.push(Some(i)),
            None => {
                return Err(Ssda903Error::MissingColumn {
                    file: file(),
                    column: col,
                    found: names.iter().map(|n| String::from_utf8_lossy(n).into_owned()).collect::<Vec<_>>().join(","),
                });
            }
        }
    }
    for &col in optional {
        columns.push(find(col));
    }
    Ok(OpenTable { reader, columns, n_fields: headers.len(), lines: LineCounter { bytes, offset: 0, line: 1 } })
}

fn csv_error(file: &Arc<str>, e: &csv::Error) -> Ssda903Error {
    let row = e.position().map_or(0, |p| p.line());
    Ssda903Error::Csv { file: file.to_string(), row, message: e.to_string() }
}

fn field(rec: &csv::ByteRecord, col: Option<usize>) -> &[u8] {
    col.and_then(|i| rec.get(i)).map_or(&[][..], trim_ascii)
}

fn parse_year(b: &[u8]) -> Option<u16> {
    if b.len() != 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let y = b.iter().fold(0u16, |acc, &c| acc * 10 + u16::from(c - b'0'));
    (1990..=2100).contains(&y).then_some(y)
}

/// Build the child key `LA \x1f CHILD` into `buf`.
fn child_key(buf: &mut Vec<u8>, la: &[u8], child: &[u8]) {
    buf.clear();
    buf.extend_from_slice(la);
    buf.push(0x1f);
    buf.extend_from_slice(child);
}

/// Date of birth known for a child key.
#[derive(Clone, Copy)]
pub(crate) enum Dob {
    Known { dob: Date, year: u16 },
    Conflict,
}

/// Everything read from Header and UASC tables.
#[derive(Default)]
pub(crate) struct People {
    pub dob: FastMap<Vec<u8>, Dob>,
    pub uasc: FastMap<Vec<u8>, ()>,
    pub header_rows: u64,
    pub uasc_rows: u64,
}

fn truthy(b: &[u8]) -> bool {
    ["1", "y", "yes", "true", "t"].iter().any(|t| b.eq_ignore_ascii_case(t.as_bytes()))
}

/// Read Header tables (CHILD and DOB required; SEX, UASC, LA, YEAR optional).
pub(crate) fn read_headers(
    sources: &[TableSource],
    people: &mut People,
    sink: &mut IssueSink,
) -> Result<(), Ssda903Error> {
    const CHILD: usize = 0;
    const DOB: usize = 1;
    const SEX: usize = 2;
    const UASC: usize = 3;
    const LA: usize = 4;
    const YEAR: usize = 5;
    let mut key = Vec::with_capacity(32);
    for src in sources {
        let mut t = open_table(src, &["CHILD", "DOB"], &["SEX", "UASC", "LA", "YEAR"])?;
        let c = t.columns.clone();
        let file = &src.name;
        let mut rec = csv::ByteRecord::new();
        loop {
            match t.reader.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(file, &e)),
            }
            people.header_rows += 1;
            let row = t.lines.line_of(&rec);
            if rec.len() != t.n_fields {
                let v = format!("{} fields, header has {}", rec.len(), t.n_fields);
                sink.push(file, row, "-", v.as_bytes(), IssueReason::WrongFieldCount, IssueAction::Dropped)?;
                continue;
            }
            let child = field(&rec, c[CHILD]);
            if child.is_empty() {
                sink.push(file, row, "CHILD", child, IssueReason::MissingValue, IssueAction::Dropped)?;
                continue;
            }
            let year = row_year(&rec, c[YEAR], src.collection_year, file, row, sink)?;
            let dob_b = field(&rec, c[DOB]);
            let Some(dob) = Date::parse(dob_b) else {
                let reason = if dob_b.is_empty() { IssueReason::MissingValue } else { IssueReason::InvalidDate };
                sink.push(file, row, "DOB", dob_b, reason, IssueAction::Dropped)?;
                continue;
            };
            let sex = field(&rec, c[SEX]);
            if c[SEX].is_some() {
                check_sex(sex, year, file, row, sink)?;
            }
            child_key(&mut key, field(&rec, c[LA]), child);
            if c[UASC].is_some() && truthy(field(&rec, c[UASC])) {
                people.uasc.insert(key.clone(), ());
            }
            let y = year.unwrap_or(0);
            match people.dob.get_mut(key.as_slice()) {
                None => {
                    people.dob.insert(key.clone(), Dob::Known { dob, year: y });
                }
                Some(Dob::Conflict) => {
                    sink.push(file, row, "DOB", dob_b, IssueReason::ConflictingDateOfBirth, IssueAction::Dropped)?;
                }
                Some(entry @ Dob::Known { .. }) => {
                    if let Dob::Known { dob: old, year: old_year } = *entry {
                        if old == dob {
                            *entry = Dob::Known { dob, year: old_year.max(y) };
                        } else if y != old_year {
                            sink.push(file, row, "DOB", dob_b, IssueReason::DateOfBirthChanged, IssueAction::Kept)?;
                            if y > old_year {
                                *entry = Dob::Known { dob, year: y };
                            }
                        } else {
                            sink.push(
                                file,
                                row,
                                "DOB",
                                dob_b,
                                IssueReason::ConflictingDateOfBirth,
                                IssueAction::Dropped,
                            )?;
                            *entry = Dob::Conflict;
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

fn check_sex(
    sex: &[u8],
    year: Option<u16>,
    file: &Arc<str>,
    row: u64,
    sink: &mut IssueSink,
) -> Result<(), Ssda903Error> {
    if sex.is_empty() {
        return sink.push(file, row, "SEX", sex, IssueReason::MissingValue, IssueAction::Kept);
    }
    match SEX_CODES.iter().find(|s| codes::code_eq(sex, s.0)) {
        None => sink.push(file, row, "SEX", sex, IssueReason::UnknownCode, IssueAction::Kept),
        Some(s) if !codes::in_year(s.1, s.2, year) => {
            sink.push(file, row, "SEX", sex, IssueReason::CodeNotValidForYear, IssueAction::Kept)
        }
        Some(_) => Ok(()),
    }
}

fn row_year(
    rec: &csv::ByteRecord,
    col: Option<usize>,
    default: Option<u16>,
    file: &Arc<str>,
    row: u64,
    sink: &mut IssueSink,
) -> Result<Option<u16>, Ssda903Error> {
    if col.is_none() {
        return Ok(default);
    }
    let b = field(rec, col);
    match parse_year(b) {
        Some(y) => Ok(Some(y)),
        None => {
            sink.push(file, row, "YEAR", b, IssueReason::InvalidYear, IssueAction::Kept)?;
            Ok(default)
        }
    }
}

/// Read UASC tables: a child listed there is unaccompanied asylum-seeking.
pub(crate) fn read_uasc(
    sources: &[TableSource],
    people: &mut People,
    sink: &mut IssueSink,
) -> Result<(), Ssda903Error> {
    let mut key = Vec::with_capacity(32);
    for src in sources {
        let mut t = open_table(src, &["CHILD"], &["LA"])?;
        let c = t.columns.clone();
        let file = &src.name;
        let mut rec = csv::ByteRecord::new();
        loop {
            match t.reader.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(file, &e)),
            }
            people.uasc_rows += 1;
            let row = t.lines.line_of(&rec);
            let child = field(&rec, c[0]);
            if child.is_empty() {
                sink.push(file, row, "CHILD", child, IssueReason::MissingValue, IssueAction::Dropped)?;
                continue;
            }
            child_key(&mut key, field(&rec, c[1]), child);
            if !people.uasc.contains_key(key.as_slice()) {
                people.uasc.insert(key.clone(), ());
            }
        }
    }
    Ok(())
}

/// The Episodes rows and children of one distinct `LA` value (no child-level data).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LaCount {
    /// The `LA` value as submitted (trimmed); empty for rows with a blank `LA`
    /// or from a table without an `LA` column.
    pub la: String,
    /// Episodes rows with a CHILD value that carry this `LA` (before cleaning).
    pub episode_rows: u64,
    /// Distinct children (`LA` + CHILD) among those rows.
    pub children: u64,
}

/// Counts by `LA` value while reading, without allocating per row: the current
/// row's `LA` is compared with the previous row's and looked up only when it
/// changes (returns are usually stacked council by council).
#[derive(Default)]
struct LaTally {
    index: FastMap<Vec<u8>, usize>,
    counts: Vec<(Vec<u8>, u64, u64)>,
    current: Option<usize>,
}

impl LaTally {
    /// Counts a row with this `LA` value; `new_child` if its child key is new.
    #[inline]
    fn row(&mut self, la: &[u8], new_child: bool) {
        let i = match self.current {
            Some(i) if same_bytes(&self.counts[i].0, la) => i,
            _ => self.switch_to(la),
        };
        let c = &mut self.counts[i];
        c.1 += 1;
        c.2 += u64::from(new_child);
    }

    /// The `LA` value differs from the previous row's: find or add it.
    #[cold]
    #[inline(never)]
    fn switch_to(&mut self, la: &[u8]) -> usize {
        let i = match self.index.get(la) {
            Some(&i) => i,
            None => {
                self.index.insert(la.to_vec(), self.counts.len());
                self.counts.push((la.to_vec(), 0, 0));
                self.counts.len() - 1
            }
        };
        self.current = Some(i);
        i
    }

    /// The counts, ordered by `LA` value (the empty value first).
    fn finish(self) -> Vec<LaCount> {
        let mut counts = self.counts;
        counts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        counts
            .into_iter()
            .map(|(la, episode_rows, children)| LaCount {
                la: String::from_utf8_lossy(&la).into_owned(),
                episode_rows,
                children,
            })
            .collect()
    }
}

/// `a == b`, without calling `memcmp` when both are empty: given the dangling
/// pointer of an empty slice (every row of a table without an `LA` column),
/// glibc's AVX-512 `memcmp` took about 150 ns a call, which made loading such a
/// table a third slower.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && (a.is_empty() || a == b)
}

/// One usable Episodes row.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawEpisode {
    /// Interned (LA, CHILD) key.
    pub child: u32,
    pub decom: Date,
    pub dec: Option<Date>,
    pub dob: Date,
    pub group: PlacementGroup,
    /// Reason group of REC before the age-18 rule; `None` if blank/unknown.
    pub rec: Option<ReasonGroup>,
    /// RNE is S.
    pub rne_start: bool,
    pub short_break: bool,
    pub uasc: bool,
    /// Collection year, 0 if unknown.
    pub year: u16,
    pub file: u16,
    pub row: u32,
}

/// Everything read from Episodes tables.
#[derive(Default)]
pub(crate) struct EpisodeRows {
    pub episodes: Vec<RawEpisode>,
    pub files: Vec<Arc<str>>,
    pub rows_read: u64,
    pub children: usize,
    /// Rows and children by `LA` value.
    pub las: Vec<LaCount>,
}

fn dob_for(people: &People, key: &[u8], child: &[u8], has_la: bool) -> Option<Dob> {
    if let Some(d) = people.dob.get(key) {
        return Some(*d);
    }
    if has_la {
        // The header table may have no LA column.
        let mut k = Vec::with_capacity(child.len() + 1);
        k.push(0x1f);
        k.extend_from_slice(child);
        return people.dob.get(k.as_slice()).copied();
    }
    None
}

fn is_uasc(people: &People, key: &[u8], child: &[u8], has_la: bool) -> bool {
    if people.uasc.is_empty() {
        return false;
    }
    if people.uasc.contains_key(key) {
        return true;
    }
    if has_la {
        let mut k = Vec::with_capacity(child.len() + 1);
        k.push(0x1f);
        k.extend_from_slice(child);
        return people.uasc.contains_key(k.as_slice());
    }
    false
}

/// Read Episodes tables.
pub(crate) fn read_episodes(
    sources: &[TableSource],
    people: &People,
    sink: &mut IssueSink,
) -> Result<EpisodeRows, Ssda903Error> {
    const CHILD: usize = 0;
    const DECOM: usize = 1;
    const RNE: usize = 2;
    const LS: usize = 3;
    const PLACE: usize = 4;
    const PROVIDER: usize = 5;
    const DEC: usize = 6;
    const REC: usize = 7;
    const LA: usize = 8;
    const YEAR: usize = 9;
    let mut out = EpisodeRows::default();
    let mut interner: FastMap<Vec<u8>, u32> = FastMap::default();
    let mut las = LaTally::default();
    let mut key = Vec::with_capacity(32);
    let total_bytes: usize = sources.iter().map(|s| s.bytes.len()).sum();
    out.episodes.reserve(total_bytes / 64);
    for src in sources {
        let mut t = open_table(
            src,
            &["CHILD", "DECOM", "RNE", "LS", "PLACE", "PLACE_PROVIDER", "DEC", "REC"],
            &["LA", "YEAR"],
        )?;
        let c = t.columns.clone();
        let has_la = c[LA].is_some();
        let file = &src.name;
        let file_idx = u16::try_from(out.files.len()).unwrap_or(u16::MAX);
        out.files.push(Arc::clone(file));
        let mut rec = csv::ByteRecord::new();
        loop {
            match t.reader.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(file, &e)),
            }
            out.rows_read += 1;
            let row = t.lines.line_of(&rec);
            if rec.len() != t.n_fields {
                let v = format!("{} fields, header has {}", rec.len(), t.n_fields);
                sink.push(file, row, "-", v.as_bytes(), IssueReason::WrongFieldCount, IssueAction::Dropped)?;
                continue;
            }
            let drop = IssueAction::Dropped;
            let kept = IssueAction::Kept;
            // Required values: CHILD, DECOM, a valid DEC if given, PLACE, DOB.
            let child = field(&rec, c[CHILD]);
            if child.is_empty() {
                sink.push(file, row, "CHILD", child, IssueReason::MissingValue, drop)?;
                continue;
            }
            let la = field(&rec, c[LA]);
            child_key(&mut key, la, child);
            let next_id = u32::try_from(interner.len()).unwrap_or(u32::MAX);
            let child_id = match interner.get(key.as_slice()) {
                Some(&id) => {
                    las.row(la, false);
                    id
                }
                None => {
                    interner.insert(key.clone(), next_id);
                    las.row(la, true);
                    next_id
                }
            };
            let decom_b = field(&rec, c[DECOM]);
            let Some(decom) = Date::parse(decom_b) else {
                let reason = if decom_b.is_empty() { IssueReason::MissingValue } else { IssueReason::InvalidDate };
                sink.push(file, row, "DECOM", decom_b, reason, drop)?;
                continue;
            };
            let dec_b = field(&rec, c[DEC]);
            let dec = if dec_b.is_empty() {
                None
            } else {
                match Date::parse(dec_b) {
                    Some(d) => Some(d),
                    None => {
                        sink.push(file, row, "DEC", dec_b, IssueReason::InvalidDate, drop)?;
                        continue;
                    }
                }
            };
            if dec.is_some_and(|d| d < decom) {
                sink.push(file, row, "DEC", dec_b, IssueReason::EndBeforeStart, drop)?;
                continue;
            }
            let year = row_year(&rec, c[YEAR], src.collection_year, file, row, sink)?;
            let place_b = field(&rec, c[PLACE]);
            let Some(place_i) = codes::place_index(place_b) else {
                let reason = if place_b.is_empty() { IssueReason::MissingValue } else { IssueReason::UnknownCode };
                sink.push(file, row, "PLACE", place_b, reason, drop)?;
                continue;
            };
            let place = &PLACE_CODES[usize::from(place_i)];
            let provider_b = field(&rec, c[PROVIDER]);
            let provider = codes::provider_in_house(provider_b);
            let group = match place.mapping {
                PlaceMapping::Fixed(g) => g,
                PlaceMapping::FosterByProvider => match codes::placement_group(place, provider.flatten()) {
                    Some(g) => g,
                    None => {
                        sink.push(file, row, "PLACE_PROVIDER", provider_b, IssueReason::FosterProviderUnknown, drop)?;
                        continue;
                    }
                },
            };
            let dob = match dob_for(people, &key, child, has_la) {
                Some(Dob::Known { dob, .. }) => dob,
                Some(Dob::Conflict) => {
                    sink.push(file, row, "CHILD", b"", IssueReason::ConflictingDateOfBirth, drop)?;
                    continue;
                }
                None => {
                    sink.push(file, row, "CHILD", b"", IssueReason::NoDateOfBirth, drop)?;
                    continue;
                }
            };
            if decom < dob {
                sink.push(file, row, "DECOM", decom_b, IssueReason::StartBeforeBirth, drop)?;
                continue;
            }
            // Values that are used if valid and otherwise reported and interpreted.
            if !codes::in_year(place.first_year, place.last_year, year) {
                sink.push(file, row, "PLACE", place_b, IssueReason::CodeNotValidForYear, kept)?;
            }
            if provider.is_none() && !provider_b.is_empty() {
                sink.push(file, row, "PLACE_PROVIDER", provider_b, IssueReason::UnknownCode, kept)?;
            }
            let ls_b = field(&rec, c[LS]);
            let short_break = match LS_CODES.iter().find(|l| codes::code_eq(ls_b, l.0)) {
                Some(l) => l.1,
                None => {
                    let reason = if ls_b.is_empty() { IssueReason::MissingValue } else { IssueReason::UnknownCode };
                    sink.push(file, row, "LS", ls_b, reason, kept)?;
                    false
                }
            };
            let rne_b = field(&rec, c[RNE]);
            if !RNE_CODES.iter().any(|r| codes::code_eq(rne_b, r)) {
                let reason = if rne_b.is_empty() { IssueReason::MissingValue } else { IssueReason::UnknownCode };
                sink.push(file, row, "RNE", rne_b, reason, kept)?;
            }
            let rne_start = codes::code_eq(rne_b, "S");
            let rec_b = field(&rec, c[REC]);
            let rec_code = codes::rec_index(rec_b).map(|i| &REC_CODES[usize::from(i)]);
            let rec_group = match (dec, rec_code) {
                (None, _) => {
                    if !rec_b.is_empty() {
                        sink.push(file, row, "REC", rec_b, IssueReason::ReasonWithoutEndDate, kept)?;
                    }
                    None
                }
                (Some(_), None) => {
                    sink.push(file, row, "REC", rec_b, IssueReason::EndReasonUnknown, kept)?;
                    None
                }
                (Some(_), Some(r)) => {
                    if !codes::in_year(r.first_year, r.last_year, year) {
                        sink.push(file, row, "REC", rec_b, IssueReason::CodeNotValidForYear, kept)?;
                    }
                    Some(r.group)
                }
            };
            out.episodes.push(RawEpisode {
                child: child_id,
                decom,
                dec,
                dob,
                group,
                rec: rec_group,
                rne_start,
                short_break,
                uasc: is_uasc(people, &key, child, has_la),
                year: year.unwrap_or(0),
                file: file_idx,
                row: u32::try_from(row).unwrap_or(u32::MAX),
            });
        }
    }
    out.children = interner.len();
    out.las = las.finish();
    Ok(out)
}
