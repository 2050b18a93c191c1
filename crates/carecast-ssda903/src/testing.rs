//! Seeded synthetic SSDA903 returns generated from known monthly rates, for
//! tests and benchmarks that need an answer to compare against.
//!
//! This is not a realistic model of children in care: rates are constant
//! (no dependence on age, placement or time in care), ages at entry are
//! uniform, and postcodes, URNs and ethnicity are placeholders. It uses only
//! std (a SplitMix64 generator written here); the same seed always gives the
//! same bytes.

use crate::codes::{PlacementGroup, ReasonGroup};
use crate::date::Date;
use std::fmt::Write as _;

/// The true rates a synthetic return is drawn from.
#[derive(Debug, Clone, PartialEq)]
pub struct KnownRates {
    /// First collection year (the return for the year ending 31 March of it).
    pub first_collection_year: u16,
    /// Number of annual returns, stacked with a YEAR column; every episode
    /// open during a year is repeated in that year's return.
    pub collection_years: u16,
    /// Expected new periods of care per month (excluding short breaks).
    pub monthly_entries: f64,
    /// Monthly probability of leaving care for a reason other than turning 18.
    pub monthly_exit_probability: f64,
    /// How exits split over `returned_home`, `adoption`, `special_guardianship`, `other`.
    pub exit_reason_mix: [f64; 4],
    /// Monthly probability of a move to another placement group.
    pub monthly_move_probability: f64,
    /// Monthly probability of a legal-status change in the same placement (an
    /// X1 continuation that is neither a move nor an exit).
    pub monthly_status_change_probability: f64,
    /// Expected short-break (LS V3) episodes per month, from children otherwise not in care.
    pub monthly_short_breaks: f64,
    /// Placement group at entry (and after a move), weights in [`PlacementGroup::ALL`] order.
    pub placement_mix: [f64; 10],
}

impl Default for KnownRates {
    fn default() -> KnownRates {
        KnownRates {
            first_collection_year: 2021,
            collection_years: 5,
            monthly_entries: 40.0,
            monthly_exit_probability: 0.03,
            exit_reason_mix: [0.4, 0.15, 0.15, 0.3],
            monthly_move_probability: 0.02,
            monthly_status_change_probability: 0.01,
            monthly_short_breaks: 5.0,
            placement_mix: [0.15, 0.3, 0.25, 0.12, 0.06, 0.05, 0.02, 0.02, 0.01, 0.02],
        }
    }
}

impl KnownRates {
    /// The period the returns cover: 1 April before the first collection year
    /// to 31 March of the last.
    pub fn period(&self) -> (Date, Date) {
        let first = i32::from(self.first_collection_year);
        let last = first + i32::from(self.collection_years.max(1)) - 1;
        let from = Date::from_ymd(first - 1, 4, 1).unwrap_or_else(|| Date::from_days_since_epoch(0));
        let to = Date::from_ymd(last, 3, 31).unwrap_or(from);
        (from, to)
    }

    /// True monthly probability of an exit with this reason (constant hazards:
    /// `1 - (1 - p)^share`). `reached_18` and `not_an_exit` have none.
    pub fn monthly_exit_probability_for(&self, reason: ReasonGroup) -> Option<f64> {
        let i = match reason {
            ReasonGroup::ReturnedHome => 0,
            ReasonGroup::Adoption => 1,
            ReasonGroup::SpecialGuardianship => 2,
            ReasonGroup::Other => 3,
            ReasonGroup::Reached18 | ReasonGroup::NotAnExit => return None,
        };
        let total: f64 = self.exit_reason_mix.iter().sum();
        let share = if total > 0.0 { self.exit_reason_mix[i] / total } else { 0.0 };
        Some(1.0 - (1.0 - self.monthly_exit_probability).powf(share))
    }
}

/// SplitMix64: small, fast and good enough for simulation.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform integer in [0, n) (0 if n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64 }
    }

    /// Exponential waiting time with this rate (infinite for rate <= 0).
    pub fn exponential(&mut self, rate: f64) -> f64 {
        if rate <= 0.0 {
            return f64::INFINITY;
        }
        -(1.0 - self.next_f64()).ln() / rate
    }

    /// Index drawn with these weights (the last index if all are zero).
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().filter(|w| **w > 0.0).sum();
        let mut u = self.next_f64() * total;
        for (i, &w) in weights.iter().enumerate() {
            if w > 0.0 {
                if u < w {
                    return i;
                }
                u -= w;
            }
        }
        weights.len().saturating_sub(1)
    }
}

const DAYS_PER_MONTH: f64 = 365.25 / 12.0;

struct Episode {
    child: u64,
    decom: Date,
    dec: Option<Date>,
    rne: &'static str,
    ls: &'static str,
    group: PlacementGroup,
    rec: &'static str,
}

fn place_and_provider(group: PlacementGroup, year: u16) -> (&'static str, &'static str) {
    match group {
        PlacementGroup::FosterKinship => ("U3", "PR1"),
        PlacementGroup::FosterInHouse => ("U6", "PR1"),
        PlacementGroup::FosterAgency => ("U6", "PR4"),
        PlacementGroup::ChildrensHome => ("K2", "PR4"),
        PlacementGroup::IndependentLiving if year >= 2025 => ("K3", "PR4"),
        PlacementGroup::IndependentLiving => ("H5", "PR4"),
        PlacementGroup::WithParents => ("P1", "PR0"),
        PlacementGroup::PlacedForAdoption => ("A4", "PR1"),
        PlacementGroup::OtherResidential => ("R1", "PR4"),
        PlacementGroup::ResidentialSchool => ("S1", "PR4"),
        PlacementGroup::Other if year >= 2026 => ("Z11", "PR4"),
        PlacementGroup::Other => ("Z1", "PR4"),
    }
}

fn child_id(i: u64) -> u64 {
    // Unique 8-digit ids, not in creation order.
    10_000_000 + (i.wrapping_mul(7_919) % 89_999_989)
}

fn write_date(out: &mut String, d: Date) {
    let (y, m, dd) = d.ymd();
    let _ = write!(out, "{dd:02}/{m:02}/{y:04}");
}

/// Generate stacked annual returns: `(episodes_csv, header_csv)`.
///
/// `n_children` children are in care on the first day of the period (having
/// entered up to three years earlier); new children enter as a Poisson process
/// with `rates.monthly_entries` a month. Each child in care leaves, moves and
/// changes legal status with constant hazards from `rates`, and leaves at the
/// 18th birthday (REC E17) if still in care. Episodes use dd/mm/YYYY dates
/// and carry a YEAR column; the Header table has one row per child and no YEAR.
pub fn generate_synthetic_return(seed: u64, n_children: usize, rates: &KnownRates) -> (String, String) {
    let mut rng = SplitMix64::new(seed ^ 0x5eed_0903);
    let (from, to) = rates.period();
    let end_excl = to.add_days(1);
    let per_day = |monthly_p: f64| -> f64 {
        let p = monthly_p.clamp(0.0, 0.999_999);
        -(1.0 - p).ln() / DAYS_PER_MONTH
    };
    let h_exit = per_day(rates.monthly_exit_probability);
    let h_move = per_day(rates.monthly_move_probability);
    let h_status = per_day(rates.monthly_status_change_probability);
    let h_total = h_exit + h_move + h_status;
    const EXIT_RECS: [&str; 4] = ["E4A", "E11", "E45", "E8"];
    let year_max = rates.first_collection_year + rates.collection_years.max(1) - 1;
    let max_age_days = 18 * 365;

    let mut episodes: Vec<Episode> = Vec::new();
    let mut dobs: Vec<(u64, Date)> = Vec::new();
    let mut next_child = 0u64;

    // Children to simulate: (dob, decom, clock start, is short break).
    let mut starts: Vec<(Date, Date, Date, bool)> = Vec::new();
    for _ in 0..n_children {
        let age_days = rng.below(max_age_days) as i32;
        let dob = from.add_days(-age_days);
        let back = rng.below(u64::try_from(age_days.min(3 * 365)).unwrap_or(0) + 1) as i32;
        let decom = from.add_days(-back);
        starts.push((dob, decom, from, false));
    }
    let arrivals = |rng: &mut SplitMix64, monthly: f64, short: bool, starts: &mut Vec<(Date, Date, Date, bool)>| {
        let rate = monthly / DAYS_PER_MONTH;
        let mut t = 0.0f64;
        loop {
            t += rng.exponential(rate);
            if !t.is_finite() || t >= end_excl.days_since(from) as f64 {
                break;
            }
            let decom = from.add_days(t.floor() as i32);
            let age_days = rng.below(max_age_days) as i32;
            starts.push((decom.add_days(-age_days), decom, decom, short));
        }
    };
    arrivals(&mut rng, rates.monthly_entries, false, &mut starts);
    arrivals(&mut rng, rates.monthly_short_breaks, true, &mut starts);

    for (dob, decom, clock_start, short) in starts {
        let child = child_id(next_child);
        next_child += 1;
        dobs.push((child, dob));
        let b18 = dob.add_years(18);
        if short {
            let end = decom.add_days(1 + rng.below(7) as i32);
            let dec = (end < end_excl).then_some(end);
            episodes.push(Episode {
                child,
                decom,
                dec,
                rne: "S",
                ls: "V3",
                group: PlacementGroup::FosterInHouse,
                rec: if dec.is_some() { "E13" } else { "" },
            });
            continue;
        }
        let mut group = PlacementGroup::ALL[rng.weighted(&rates.placement_mix)];
        let mut ep_start = decom;
        let mut rne = "S";
        let mut ls = "C2";
        let mut clock = clock_start;
        loop {
            let wait = rng.exponential(h_total);
            let event_day = if wait.is_finite() && wait < 1e7 {
                clock.add_days((wait.ceil() as i32).max(1))
            } else {
                Date::from_days_since_epoch(i32::MAX / 2)
            };
            let stop = b18.min(end_excl);
            if event_day >= stop {
                let (dec, rec) = if b18 < end_excl { (Some(b18), "E17") } else { (None, "") };
                episodes.push(Episode { child, decom: ep_start, dec, rne, ls, group, rec });
                break;
            }
            let u = rng.next_f64() * h_total;
            if u < h_exit {
                let r = EXIT_RECS[rng.weighted(&rates.exit_reason_mix)];
                episodes.push(Episode { child, decom: ep_start, dec: Some(event_day), rne, ls, group, rec: r });
                break;
            }
            episodes.push(Episode { child, decom: ep_start, dec: Some(event_day), rne, ls, group, rec: "X1" });
            if u < h_exit + h_move {
                let mut weights = rates.placement_mix;
                weights[group.index()] = 0.0;
                if weights.iter().any(|w| *w > 0.0) {
                    group = PlacementGroup::ALL[rng.weighted(&weights)];
                }
                rne = "P";
            } else {
                ls = if ls == "C2" { "C1" } else { "C2" };
                rne = "L";
            }
            ep_start = event_day;
            clock = event_day;
        }
    }

    let mut eps_csv = String::with_capacity(episodes.len() * 70 * 2);
    eps_csv.push_str(
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN,YEAR\n",
    );
    for year in rates.first_collection_year..=year_max {
        let y = i32::from(year);
        let (Some(w_from), Some(w_to)) = (Date::from_ymd(y - 1, 4, 1), Date::from_ymd(y, 3, 31)) else {
            continue;
        };
        for e in &episodes {
            if e.decom > w_to || e.dec.is_some_and(|d| d < w_from) {
                continue;
            }
            let closed = e.dec.filter(|d| *d <= w_to);
            let (place, provider) = place_and_provider(e.group, year);
            let _ = write!(eps_csv, "{},", e.child);
            write_date(&mut eps_csv, e.decom);
            let _ = write!(eps_csv, ",{},{},N1,{},{},", e.rne, e.ls, place, provider);
            if let Some(d) = closed {
                write_date(&mut eps_csv, d);
                let _ = write!(eps_csv, ",{}", e.rec);
            } else {
                eps_csv.push(',');
            }
            let _ = writeln!(eps_csv, ",,,,,{year}");
        }
    }
    let modern_sex = year_max >= 2025;
    let mut hdr_csv = String::with_capacity(dobs.len() * 40);
    hdr_csv.push_str("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n");
    for (child, dob) in dobs {
        let female = rng.next_u64() & 1 == 1;
        let sex = match (modern_sex, female) {
            (true, true) => "F",
            (true, false) => "M",
            (false, true) => "2",
            (false, false) => "1",
        };
        let _ = write!(hdr_csv, "{child},{sex},");
        write_date(&mut hdr_csv, dob);
        hdr_csv.push_str(",WBRI,,,\n");
    }
    (eps_csv, hdr_csv)
}

/// The same CSV table with an `LA` column appended holding `la` on every data
/// row (as a council's stacked return carries it), for tests of combined returns.
pub fn with_la_column(csv_text: &str, la: &str) -> String {
    let mut out = String::with_capacity(csv_text.len() + csv_text.lines().count() * (la.len() + 1));
    for (i, line) in csv_text.lines().enumerate() {
        out.push_str(line);
        out.push(',');
        out.push_str(if i == 0 { "LA" } else { la });
        out.push('\n');
    }
    out
}
