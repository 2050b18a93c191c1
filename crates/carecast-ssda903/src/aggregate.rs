//! Aggregation of cleaned care segments into what calibration needs: stock,
//! exposure (child-days), entries, exits and placement moves by age band and
//! placement group over a reference period, and rates with 95% intervals.
//!
//! This is not a forecast and keeps no per-child data: every output type holds
//! only labels, dates of the period and counts, never a CHILD id, date of birth
//! or postcode.
//!
//! Conventions: a child is in care on days `DECOM <= day < DEC` (the DEC day is
//! the first day out). The period `[from, to]` includes both ends. Exposure
//! splits at birthdays. An entry counts if DECOM is in the period, with age
//! band on DECOM; an exit or move counts if its date (DEC) is in the period,
//! with age band on the last day in the old placement (so a child leaving on
//! the 18th birthday exits from the `16_17` band) and the group of that placement.

use crate::clean::CleaningSummary;
use crate::clean::{CareHistories, EndKind, StartKind};
use crate::codes::{PlacementGroup, ReasonGroup};
use crate::date::Date;
use crate::error::Ssda903Error;
use serde::Serialize;

/// An age band `[from_years, to_years)` of completed years of age.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgeBand {
    /// Id, e.g. `10_15`.
    pub id: String,
    /// First year of age in the band.
    pub from_years: u32,
    /// One past the last year of age in the band.
    pub to_years: u32,
}

impl AgeBand {
    /// A band `[from_years, to_years)`.
    pub fn new(id: &str, from_years: u32, to_years: u32) -> AgeBand {
        AgeBand { id: id.to_string(), from_years, to_years }
    }
}

/// The default bands: `under_1` [0,1), `1_4` [1,5), `5_9` [5,10), `10_15` [10,16), `16_17` [16,18).
pub fn default_age_bands() -> Vec<AgeBand> {
    vec![
        AgeBand::new("under_1", 0, 1),
        AgeBand::new("1_4", 1, 5),
        AgeBand::new("5_9", 5, 10),
        AgeBand::new("10_15", 10, 16),
        AgeBand::new("16_17", 16, 18),
    ]
}

/// Output placement groups: each [`PlacementGroup`] goes to exactly one output
/// group. The default keeps the ten groups; callers may merge them (e.g. one
/// `foster` group for the three foster groups).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementScheme {
    ids: Vec<String>,
    of_base: [usize; 10],
}

impl Default for PlacementScheme {
    fn default() -> PlacementScheme {
        PlacementScheme {
            ids: PlacementGroup::ALL.iter().map(|g| g.id().to_string()).collect(),
            of_base: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        }
    }
}

impl PlacementScheme {
    /// Merge base groups into named output groups. Every base group must be
    /// listed exactly once.
    pub fn merged(groups: &[(&str, &[PlacementGroup])]) -> Result<PlacementScheme, Ssda903Error> {
        let mut of_base = [usize::MAX; 10];
        let mut ids = Vec::with_capacity(groups.len());
        for (out, (id, members)) in groups.iter().enumerate() {
            if id.is_empty() || ids.iter().any(|i: &String| i == id) {
                return Err(Ssda903Error::InvalidOption {
                    option: "placements",
                    message: format!("group id {id:?} is empty or repeated"),
                });
            }
            ids.push((*id).to_string());
            for g in *members {
                if of_base[g.index()] != usize::MAX {
                    return Err(Ssda903Error::InvalidOption {
                        option: "placements",
                        message: format!("{g} is in more than one group"),
                    });
                }
                of_base[g.index()] = out;
            }
        }
        if let Some(missing) = PlacementGroup::ALL.iter().find(|g| of_base[g.index()] == usize::MAX) {
            return Err(Ssda903Error::InvalidOption {
                option: "placements",
                message: format!("{missing} is in no group"),
            });
        }
        Ok(PlacementScheme { ids, of_base })
    }

    /// Output group ids.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Output group index of a base group.
    pub fn index_of(&self, g: PlacementGroup) -> usize {
        self.of_base[g.index()]
    }
}

/// Which children to include.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UascFilter {
    /// Everyone.
    #[default]
    All,
    /// Only unaccompanied asylum-seeking children.
    OnlyUasc,
    /// Everyone except unaccompanied asylum-seeking children.
    ExcludeUasc,
}

impl UascFilter {
    fn keeps(self, uasc: bool) -> bool {
        match self {
            UascFilter::All => true,
            UascFilter::OnlyUasc => uasc,
            UascFilter::ExcludeUasc => !uasc,
        }
    }
}

/// Aggregation options.
#[derive(Debug, Clone)]
pub struct AggregateOptions {
    /// First day of the reference period (default: start of the data span).
    pub from: Option<Date>,
    /// Last day of the reference period (default: end of the data span).
    pub to: Option<Date>,
    /// Age bands; must not overlap. Default: [`default_age_bands`].
    pub age_bands: Vec<AgeBand>,
    /// Output placement groups. Default: the ten base groups.
    pub placements: PlacementScheme,
    /// Which children to include.
    pub uasc: UascFilter,
    /// Cells with a count below this are flagged `small_cell`. Default 10.
    pub small_cell_threshold: u64,
    /// Also return the total in care (within the age bands) on every day.
    pub daily_stock_totals: bool,
}

impl Default for AggregateOptions {
    fn default() -> AggregateOptions {
        AggregateOptions {
            from: None,
            to: None,
            age_bands: default_age_bands(),
            placements: PlacementScheme::default(),
            uasc: UascFilter::All,
            small_cell_threshold: 10,
            daily_stock_totals: false,
        }
    }
}

/// Children in care in one cell on one date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockCell {
    /// Age band id.
    pub age_band: String,
    /// Placement group id.
    pub placement_group: String,
    /// Children in care.
    pub children: u64,
}

/// Stock on one date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockSnapshot {
    /// The date (children with `DECOM <= date < DEC`).
    pub date: Date,
    /// Every (age band, placement group) cell.
    pub cells: Vec<StockCell>,
    /// Sum over cells.
    pub total_children: u64,
}

/// Exposure in one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExposureCell {
    /// Age band id.
    pub age_band: String,
    /// Placement group id.
    pub placement_group: String,
    /// Child-days in care in the period.
    pub exposure_days: u64,
}

/// Entries (new periods of care) in one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryCell {
    /// Age band at entry.
    pub age_band: String,
    /// Placement group at entry.
    pub placement_group: String,
    /// Entries in the period.
    pub entries: u64,
}

/// Exits in one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExitCell {
    /// Age band on the last day in care.
    pub age_band: String,
    /// Placement group on the last day in care.
    pub placement_group: String,
    /// Exit reason group.
    pub reason_group: ReasonGroup,
    /// Exits in the period.
    pub exits: u64,
}

/// Placement moves in one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoveCell {
    /// Age band on the last day in the old placement.
    pub age_band: String,
    /// Old placement group.
    pub from_placement_group: String,
    /// New placement group.
    pub to_placement_group: String,
    /// Moves in the period.
    pub moves: u64,
}

/// A 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval95 {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// Monthly exit probability in one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExitRate {
    /// Age band id.
    pub age_band: String,
    /// Placement group id.
    pub placement_group: String,
    /// Exit reason group.
    pub reason_group: ReasonGroup,
    /// Exits counted.
    pub exits: u64,
    /// Exposure in months (days * 12 / 365.25).
    pub exposure_months: f64,
    /// `1 - exp(-exits / exposure_months)`.
    pub monthly_exit_probability: f64,
    /// 95% interval from a Poisson score interval on the count.
    pub monthly_exit_probability_95: Interval95,
    /// `exits < small_cell_threshold`.
    pub small_cell: bool,
}

/// Monthly move probability in one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MoveRate {
    /// Age band id.
    pub age_band: String,
    /// Old placement group.
    pub from_placement_group: String,
    /// New placement group.
    pub to_placement_group: String,
    /// Moves counted.
    pub moves: u64,
    /// Exposure in the old group, months.
    pub exposure_months: f64,
    /// `1 - exp(-moves / exposure_months)`.
    pub monthly_move_probability: f64,
    /// 95% interval from a Poisson score interval on the count.
    pub monthly_move_probability_95: Interval95,
    /// `moves < small_cell_threshold`.
    pub small_cell: bool,
}

/// Entries per year and entry mix in one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryRate {
    /// Age band at entry.
    pub age_band: String,
    /// Placement group at entry.
    pub placement_group: String,
    /// Entries counted.
    pub entries: u64,
    /// Entries per year (count / period length in years of 365.25 days).
    pub entries_per_year: f64,
    /// 95% interval from a Poisson score interval on the count.
    pub entries_per_year_95: Interval95,
    /// Share of all entries in the period.
    pub entry_share: f64,
    /// Wilson 95% interval of the share.
    pub entry_share_95: Interval95,
    /// `entries < small_cell_threshold`.
    pub small_cell: bool,
}

/// Children in care (within the age bands) on one day.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DailyStock {
    /// The day.
    pub date: Date,
    /// Children in care.
    pub children: u64,
}

/// What fell outside the age bands (e.g. no band covers the age).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OutsideBands {
    /// Child-days.
    pub exposure_days: u64,
    /// Entries.
    pub entries: u64,
    /// Exits.
    pub exits: u64,
    /// Moves.
    pub moves: u64,
}

/// Everything calibration needs, with no child-level data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Aggregates {
    /// First day of the period.
    pub from: Date,
    /// Last day of the period.
    pub to: Date,
    /// Days in the period, both ends included.
    pub period_days: u64,
    /// The age bands used.
    pub age_bands: Vec<AgeBand>,
    /// The placement group ids used.
    pub placement_groups: Vec<String>,
    /// Which children were included.
    pub uasc: UascFilter,
    /// Stock at each 31 March in the period and at `to`.
    pub stock: Vec<StockSnapshot>,
    /// Child-days by (age band, placement group).
    pub exposure: Vec<ExposureCell>,
    /// Entries by (age band at entry, placement group at entry).
    pub entries: Vec<EntryCell>,
    /// Exits by (age band, placement group, reason group).
    pub exits: Vec<ExitCell>,
    /// Moves by (age band, from group, to group), `from != to`.
    pub moves: Vec<MoveCell>,
    /// Monthly exit probabilities (cells with exposure only).
    pub exit_rates: Vec<ExitRate>,
    /// Monthly move probabilities (cells with exposure only).
    pub move_rates: Vec<MoveRate>,
    /// Entries per year and entry mix.
    pub entry_rates: Vec<EntryRate>,
    /// Total in care each day, if asked for.
    pub daily_stock_totals: Option<Vec<DailyStock>>,
    /// What no age band covered.
    pub outside_bands: OutsideBands,
    /// Counts from reading and cleaning.
    pub cleaning: CleaningSummary,
}

/// 97.5% standard normal quantile.
const Z95: f64 = 1.959_963_984_540_054;
/// Days per month (365.25 / 12).
pub const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

/// Poisson score interval for a count `x`: the values of the mean `m` with
/// `(x - m)^2 <= z^2 m`.
pub fn poisson_interval_95(count: u64) -> Interval95 {
    let x = count as f64;
    let z2 = Z95 * Z95;
    let centre = x + z2 / 2.0;
    let half = Z95 * (x + z2 / 4.0).sqrt();
    Interval95 { lower: (centre - half).max(0.0), upper: centre + half }
}

/// Wilson score interval for `k` successes in `n` trials.
pub fn wilson_interval_95(k: u64, n: u64) -> Interval95 {
    if n == 0 {
        return Interval95 { lower: 0.0, upper: 1.0 };
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Interval95 { lower: (centre - half).max(0.0), upper: (centre + half).min(1.0) }
}

/// Monthly probability from events and exposure months (constant hazard).
pub fn monthly_probability(events: f64, exposure_months: f64) -> f64 {
    if exposure_months <= 0.0 {
        return f64::NAN;
    }
    1.0 - (-events / exposure_months).exp()
}

struct Bands<'a> {
    bands: &'a [AgeBand],
}

impl Bands<'_> {
    fn of_age(&self, age: i32) -> Option<usize> {
        let age = u32::try_from(age).ok()?;
        self.bands.iter().position(|b| age >= b.from_years && age < b.to_years)
    }
}

fn validate(bands: &[AgeBand]) -> Result<(), Ssda903Error> {
    if bands.is_empty() {
        return Err(Ssda903Error::InvalidOption {
            option: "age_bands",
            message: "at least one age band is needed".into(),
        });
    }
    for (i, b) in bands.iter().enumerate() {
        if b.from_years >= b.to_years || b.to_years > 150 {
            return Err(Ssda903Error::InvalidOption {
                option: "age_bands",
                message: format!("band {} is empty or out of range", b.id),
            });
        }
        for c in &bands[i + 1..] {
            if b.from_years < c.to_years && c.from_years < b.to_years {
                return Err(Ssda903Error::InvalidOption {
                    option: "age_bands",
                    message: format!("bands {} and {} overlap", b.id, c.id),
                });
            }
            if b.id == c.id {
                return Err(Ssda903Error::InvalidOption {
                    option: "age_bands",
                    message: format!("band id {} is repeated", b.id),
                });
            }
        }
    }
    Ok(())
}

/// Day before `d`, but not before `start` (for zero-length segments).
fn last_day(start: Date, end: Date) -> Date {
    end.add_days(-1).max(start)
}

impl CareHistories {
    /// Children in care on `date` by (age band, placement group).
    pub fn stock_at(&self, date: Date, options: &AggregateOptions) -> Result<StockSnapshot, Ssda903Error> {
        validate(&options.age_bands)?;
        let bands = Bands { bands: &options.age_bands };
        let ng = options.placements.ids().len();
        let mut counts = vec![0u64; options.age_bands.len() * ng];
        for s in self.segments.iter().filter(|s| options.uasc.keeps(s.uasc)) {
            if s.start <= date
                && s.end.is_none_or(|e| date < e)
                && let Some(b) = bands.of_age(s.dob.age_in_years_on(date))
            {
                counts[b * ng + options.placements.index_of(s.group)] += 1;
            }
        }
        Ok(snapshot(date, &counts, options))
    }

    /// Aggregate over the reference period.
    pub fn aggregate(&self, options: &AggregateOptions) -> Result<Aggregates, Ssda903Error> {
        validate(&options.age_bands)?;
        let (span_from, span_to) = self.span.unwrap_or_else(|| {
            let d = Date::from_days_since_epoch(0);
            (d, d)
        });
        let from = options.from.unwrap_or(span_from);
        let to = options.to.unwrap_or(span_to);
        if to < from {
            return Err(Ssda903Error::InvalidOption {
                option: "from/to",
                message: format!("the period ends ({to}) before it starts ({from})"),
            });
        }
        let period_days = u64::try_from(to.days_since(from) + 1).unwrap_or(0);
        let bands = Bands { bands: &options.age_bands };
        let nb = options.age_bands.len();
        let ng = options.placements.ids().len();
        let nr = ReasonGroup::EXITS.len();
        let mut exposure = vec![0u64; nb * ng];
        let mut entries = vec![0u64; nb * ng];
        let mut exits = vec![0u64; nb * ng * nr];
        let mut moves = vec![0u64; nb * ng * ng];
        let mut outside = OutsideBands::default();
        let mut daily: Option<Vec<i64>> =
            options.daily_stock_totals.then(|| vec![0i64; usize::try_from(period_days).unwrap_or(0) + 1]);
        let end_excl = to.add_days(1);
        let segs = &self.segments;
        for (idx, s) in segs.iter().enumerate() {
            if !options.uasc.keeps(s.uasc) {
                continue;
            }
            let g = options.placements.index_of(s.group);
            // Exposure, split at the band birthdays.
            let lo = s.start.max(from);
            let hi = s.end.map_or(end_excl, |e| e.min(end_excl));
            if lo < hi {
                let mut in_bands = 0u64;
                for (b, band) in options.age_bands.iter().enumerate() {
                    let b_lo = birthday(s.dob, band.from_years).max(lo);
                    let b_hi = birthday(s.dob, band.to_years).min(hi);
                    if b_lo < b_hi {
                        let days = u64::try_from(b_hi.days_since(b_lo)).unwrap_or(0);
                        exposure[b * ng + g] += days;
                        in_bands += days;
                        if let Some(d) = daily.as_mut() {
                            add_daily(d, from, b_lo, b_hi);
                        }
                    }
                }
                outside.exposure_days += u64::try_from(hi.days_since(lo)).unwrap_or(0).saturating_sub(in_bands);
            }
            // Entry.
            if s.start_kind == StartKind::Entry && s.start >= from && s.start <= to {
                match bands.of_age(s.dob.age_in_years_on(s.start)) {
                    Some(b) => entries[b * ng + g] += 1,
                    None => outside.entries += 1,
                }
            }
            // Exit or move at the end.
            let Some(end) = s.end else { continue };
            if end < from || end > to {
                continue;
            }
            let band = bands.of_age(s.dob.age_in_years_on(last_day(s.start, end)));
            match s.end_kind {
                EndKind::Exit(r) => {
                    let ri = r.exit_index().unwrap_or(nr - 1);
                    match band {
                        Some(b) => exits[(b * ng + g) * nr + ri] += 1,
                        None => outside.exits += 1,
                    }
                }
                EndKind::Continuation => {
                    let Some(next) = segs.get(idx + 1) else {
                        continue;
                    };
                    let g2 = options.placements.index_of(next.group);
                    if g2 == g {
                        continue; // a move within a merged output group
                    }
                    match band {
                        Some(b) => moves[(b * ng + g) * ng + g2] += 1,
                        None => outside.moves += 1,
                    }
                }
                EndKind::Open => {}
            }
        }
        // Stock snapshots: each 31 March in the period, and `to`.
        let mut stock = Vec::new();
        for y in from.year()..=to.year() {
            if let Some(d) = Date::march_31(y)
                && d >= from
                && d <= to
                && d != to
            {
                stock.push(self.stock_at(d, options)?);
            }
        }
        stock.push(self.stock_at(to, options)?);

        let ids = options.placements.ids();
        let band_ids: Vec<&str> = options.age_bands.iter().map(|b| b.id.as_str()).collect();
        let threshold = options.small_cell_threshold;
        let mut exposure_cells = Vec::with_capacity(nb * ng);
        let mut entry_cells = Vec::with_capacity(nb * ng);
        let mut exit_cells = Vec::with_capacity(nb * ng * nr);
        let mut move_cells = Vec::with_capacity(nb * ng * ng);
        let mut exit_rates = Vec::new();
        let mut move_rates = Vec::new();
        let mut entry_rates = Vec::with_capacity(nb * ng);
        let total_entries: u64 = entries.iter().sum();
        let years = period_days as f64 / 365.25;
        for (b, band_id) in band_ids.iter().enumerate() {
            for g in 0..ng {
                let cell = b * ng + g;
                let exposure_days = exposure[cell];
                let exposure_months = exposure_days as f64 / DAYS_PER_MONTH;
                exposure_cells.push(ExposureCell {
                    age_band: band_id.to_string(),
                    placement_group: ids[g].clone(),
                    exposure_days,
                });
                let n_in = entries[cell];
                entry_cells.push(EntryCell {
                    age_band: band_id.to_string(),
                    placement_group: ids[g].clone(),
                    entries: n_in,
                });
                let ci = poisson_interval_95(n_in);
                entry_rates.push(EntryRate {
                    age_band: band_id.to_string(),
                    placement_group: ids[g].clone(),
                    entries: n_in,
                    entries_per_year: n_in as f64 / years,
                    entries_per_year_95: Interval95 { lower: ci.lower / years, upper: ci.upper / years },
                    entry_share: if total_entries > 0 { n_in as f64 / total_entries as f64 } else { 0.0 },
                    entry_share_95: wilson_interval_95(n_in, total_entries),
                    small_cell: n_in < threshold,
                });
                for (ri, &r) in ReasonGroup::EXITS.iter().enumerate() {
                    let n = exits[cell * nr + ri];
                    exit_cells.push(ExitCell {
                        age_band: band_id.to_string(),
                        placement_group: ids[g].clone(),
                        reason_group: r,
                        exits: n,
                    });
                    if exposure_days > 0 {
                        let (p, ci) = rate(n, exposure_months);
                        exit_rates.push(ExitRate {
                            age_band: band_id.to_string(),
                            placement_group: ids[g].clone(),
                            reason_group: r,
                            exits: n,
                            exposure_months,
                            monthly_exit_probability: p,
                            monthly_exit_probability_95: ci,
                            small_cell: n < threshold,
                        });
                    }
                }
                for g2 in (0..ng).filter(|&g2| g2 != g) {
                    let n = moves[cell * ng + g2];
                    move_cells.push(MoveCell {
                        age_band: band_id.to_string(),
                        from_placement_group: ids[g].clone(),
                        to_placement_group: ids[g2].clone(),
                        moves: n,
                    });
                    if exposure_days > 0 {
                        let (p, ci) = rate(n, exposure_months);
                        move_rates.push(MoveRate {
                            age_band: band_id.to_string(),
                            from_placement_group: ids[g].clone(),
                            to_placement_group: ids[g2].clone(),
                            moves: n,
                            exposure_months,
                            monthly_move_probability: p,
                            monthly_move_probability_95: ci,
                            small_cell: n < threshold,
                        });
                    }
                }
            }
        }
        let daily_stock_totals = daily.map(|d| {
            let mut running = 0i64;
            d.iter()
                .take(usize::try_from(period_days).unwrap_or(0))
                .enumerate()
                .map(|(i, delta)| {
                    running += delta;
                    DailyStock {
                        date: from.add_days(i32::try_from(i).unwrap_or(i32::MAX)),
                        children: u64::try_from(running).unwrap_or(0),
                    }
                })
                .collect()
        });
        Ok(Aggregates {
            from,
            to,
            period_days,
            age_bands: options.age_bands.clone(),
            placement_groups: ids.to_vec(),
            uasc: options.uasc,
            stock,
            exposure: exposure_cells,
            entries: entry_cells,
            exits: exit_cells,
            moves: move_cells,
            exit_rates,
            move_rates,
            entry_rates,
            daily_stock_totals,
            outside_bands: outside,
            cleaning: self.summary.clone(),
        })
    }
}

fn rate(events: u64, exposure_months: f64) -> (f64, Interval95) {
    let ci = poisson_interval_95(events);
    (
        monthly_probability(events as f64, exposure_months),
        Interval95 {
            lower: monthly_probability(ci.lower, exposure_months),
            upper: monthly_probability(ci.upper, exposure_months),
        },
    )
}

fn birthday(dob: Date, years: u32) -> Date {
    dob.add_years(i32::try_from(years).unwrap_or(i32::MAX / 1024))
}

fn add_daily(d: &mut [i64], from: Date, lo: Date, hi: Date) {
    let i = usize::try_from(lo.days_since(from)).unwrap_or(0);
    let j = usize::try_from(hi.days_since(from)).unwrap_or(0);
    if let Some(x) = d.get_mut(i) {
        *x += 1;
    }
    if let Some(x) = d.get_mut(j) {
        *x -= 1;
    }
}

fn snapshot(date: Date, counts: &[u64], options: &AggregateOptions) -> StockSnapshot {
    let ids = options.placements.ids();
    let ng = ids.len();
    let mut cells = Vec::with_capacity(counts.len());
    for (b, band) in options.age_bands.iter().enumerate() {
        for (g, id) in ids.iter().enumerate() {
            cells.push(StockCell {
                age_band: band.id.clone(),
                placement_group: id.clone(),
                children: counts[b * ng + g],
            });
        }
    }
    StockSnapshot { date, cells, total_children: counts.iter().sum() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_score_interval() {
        let ci = poisson_interval_95(0);
        assert_eq!(ci.lower, 0.0);
        assert!((ci.upper - Z95 * Z95).abs() < 1e-12);
        // (x - m)^2 = z^2 m at both ends.
        for x in [1u64, 5, 30, 1000] {
            let ci = poisson_interval_95(x);
            for m in [ci.lower, ci.upper] {
                let lhs = (x as f64 - m).powi(2);
                assert!((lhs - Z95 * Z95 * m).abs() < 1e-6 * (1.0 + lhs), "{x} {m}");
            }
        }
    }

    #[test]
    fn wilson_interval_contains_estimate() {
        let ci = wilson_interval_95(30, 100);
        assert!(ci.lower < 0.3 && 0.3 < ci.upper);
        assert!((ci.lower - 0.2189).abs() < 1e-3 && (ci.upper - 0.3958).abs() < 1e-3);
    }

    #[test]
    fn monthly_probability_from_hazard() {
        // 10 events in 100 months: hazard 0.1 a month.
        assert!((monthly_probability(10.0, 100.0) - (1.0 - (-0.1f64).exp())).abs() < 1e-15);
    }

    #[test]
    fn band_validation() {
        assert!(validate(&[AgeBand::new("a", 0, 5), AgeBand::new("b", 4, 8)]).is_err());
        assert!(validate(&[AgeBand::new("a", 3, 3)]).is_err());
        assert!(validate(&[]).is_err());
        assert!(validate(&default_age_bands()).is_ok());
    }
}
