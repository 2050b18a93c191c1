//! Calendar dates for SSDA903 data: a compact day number, hand-written parsers
//! for `dd/mm/YYYY` and ISO `YYYY-MM-DD`, and birthday-based ages.
//!
//! This is not a general date/time library: there are no times, time zones or
//! locales, and only the Gregorian calendar between years 1800 and 2200.

use serde::{Serialize, Serializer};
use std::fmt;

/// A calendar date stored as days since 1970-01-01 (negative before).
///
/// Ordering and subtraction are in days. Printed and serialised as ISO `YYYY-MM-DD`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

const MIN_YEAR: i32 = 1800;
const MAX_YEAR: i32 = 2200;

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// The date for a year, month (1-12) and day, or `None` if it does not exist
    /// or lies outside 1800-2200.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date(days_from_civil(year, month, day)))
    }

    /// Days since 1970-01-01.
    pub fn days_since_epoch(self) -> i32 {
        self.0
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days_since_epoch(days: i32) -> Date {
        Date(days)
    }

    /// Year, month (1-12) and day of month.
    pub fn ymd(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }

    /// Calendar year.
    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// This date plus `days` (may be negative).
    pub fn add_days(self, days: i32) -> Date {
        Date(self.0.saturating_add(days))
    }

    /// Whole days from `earlier` to `self` (negative if `self` is earlier).
    pub fn days_since(self, earlier: Date) -> i64 {
        i64::from(self.0) - i64::from(earlier.0)
    }

    /// The anniversary `years` years after this date. A 29 February falls on
    /// 1 March in non-leap years (the English legal convention for birthdays).
    pub fn add_years(self, years: i32) -> Date {
        let (y, m, d) = self.ymd();
        let target = y.saturating_add(years);
        if m == 2 && d == 29 && !is_leap(target) {
            Date(days_from_civil(target, 3, 1))
        } else {
            Date(days_from_civil(target, m, d))
        }
    }

    /// Completed years of age on `on` for someone born on `self` (birthday-based;
    /// negative before birth).
    pub fn age_in_years_on(self, on: Date) -> i32 {
        let (by, bm, bd) = self.ymd();
        let (y, m, d) = on.ymd();
        let mut age = y - by;
        if (m, d) < (bm, bd) {
            age -= 1;
        }
        // A 29 February birthday is reached on 1 March in non-leap years:
        // (3, 1) > (2, 29) already handles that, and 28 February stays before.
        age
    }

    /// 31 March of `year`.
    pub fn march_31(year: i32) -> Option<Date> {
        Date::from_ymd(year, 3, 31)
    }

    /// Parse `dd/mm/YYYY` (one- or two-digit day and month) or ISO `YYYY-MM-DD`
    /// (optionally followed by a time part starting with `T` or a space, which
    /// is ignored). Surrounding ASCII whitespace is ignored. Returns `None` for
    /// anything else, including dates that do not exist.
    pub fn parse(bytes: &[u8]) -> Option<Date> {
        let b = trim_ascii(bytes);
        if b.len() >= 10 && b[4] == b'-' && b[7] == b'-' {
            if b.len() > 10 && b[10] != b'T' && b[10] != b' ' {
                return None;
            }
            let year = digits(&b[0..4])?;
            let month = digits(&b[5..7])?;
            let day = digits(&b[8..10])?;
            return Date::from_ymd(year as i32, month, day);
        }
        // dd/mm/YYYY with 1-2 digit day and month.
        let first = b.iter().position(|&c| c == b'/')?;
        let rest = &b[first + 1..];
        let second = rest.iter().position(|&c| c == b'/')?;
        let day_b = &b[..first];
        let month_b = &rest[..second];
        let year_b = &rest[second + 1..];
        if !(1..=2).contains(&day_b.len()) || !(1..=2).contains(&month_b.len()) {
            return None;
        }
        if year_b.len() != 4 {
            return None;
        }
        let day = digits(day_b)?;
        let month = digits(month_b)?;
        let year = digits(year_b)?;
        Date::from_ymd(year as i32, month, day)
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

/// Trim ASCII whitespace from both ends of a byte slice.
pub(crate) fn trim_ascii(b: &[u8]) -> &[u8] {
    let mut s = 0;
    let mut e = b.len();
    while s < e && b[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && b[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    &b[s..e]
}

// Day-number <-> civil date conversion using 400-year eras (each era has
// exactly 146,097 days), with years counted from 1 March so that the leap day
// is the last day of the counting year.
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400; // 0..=399
    let m = month as i32;
    let month_from_march = if m > 2 { m - 3 } else { m + 9 }; // 0..=11
    let day_of_year = (153 * month_from_march + 2) / 5 + day as i32 - 1; // 0..=365
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097; // 0..=146096
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153; // 0..=11, March-based
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i32::from(month <= 2);
    (year, month, day)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_round_trip() {
        assert_eq!(Date::from_ymd(1970, 1, 1).map(Date::days_since_epoch), Some(0));
        assert_eq!(Date::from_ymd(2000, 3, 1).map(Date::days_since_epoch), Some(11_017));
        for d in -60_000..60_000 {
            let date = Date::from_days_since_epoch(d);
            let (y, m, dd) = date.ymd();
            assert_eq!(Date::from_ymd(y, m, dd), Some(date));
        }
    }

    #[test]
    fn parses_both_formats() {
        let iso = Date::parse(b"2017-04-09");
        assert_eq!(iso, Date::from_ymd(2017, 4, 9));
        assert_eq!(Date::parse(b"09/04/2017"), iso);
        assert_eq!(Date::parse(b"9/4/2017"), iso);
        assert_eq!(Date::parse(b" 2017-04-09 00:00:00"), iso);
        assert_eq!(Date::parse(b"2017-04-09T00:00"), iso);
        assert_eq!(Date::parse(b"29/02/2019"), None);
        assert_eq!(Date::parse(b"29/02/2020"), Date::from_ymd(2020, 2, 29));
        assert_eq!(Date::parse(b"31/04/2020"), None);
        assert_eq!(Date::parse(b"2017/04/09"), None);
        assert_eq!(Date::parse(b"09-04-2017"), None);
        assert_eq!(Date::parse(b"09/04/17"), None);
        assert_eq!(Date::parse(b""), None);
        assert_eq!(Date::parse(b"2017-04-09x"), None);
    }

    #[test]
    fn ages_are_birthday_based() {
        let dob = Date::from_ymd(2006, 5, 10).unwrap();
        assert_eq!(dob.age_in_years_on(Date::from_ymd(2024, 5, 9).unwrap()), 17);
        assert_eq!(dob.age_in_years_on(Date::from_ymd(2024, 5, 10).unwrap()), 18);
        let leap = Date::from_ymd(2004, 2, 29).unwrap();
        assert_eq!(leap.age_in_years_on(Date::from_ymd(2022, 2, 28).unwrap()), 17);
        assert_eq!(leap.age_in_years_on(Date::from_ymd(2022, 3, 1).unwrap()), 18);
        assert_eq!(leap.add_years(18), Date::from_ymd(2022, 3, 1).unwrap());
        assert_eq!(leap.add_years(20), Date::from_ymd(2024, 2, 29).unwrap());
    }
}
