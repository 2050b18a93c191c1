//! `Gbp`: the one money type of carecast (pounds sterling, as `f64` pounds).
//!
//! Not a decimal type: spend projections are estimates, and all arithmetic is
//! in floating point; rounding happens only when values are displayed or written.

use serde::{Deserialize, Serialize};
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, Mul, Neg, Sub};

/// Days in a financial year under carecast's day-count convention.
///
/// Convention: every financial year has 365 days and every month `365 / 12`
/// days (leap days ignored), so N children at `c` a week for a financial year
/// cost exactly `N * c * 365 / 7`.
pub const DAYS_PER_YEAR: f64 = 365.0;
/// Days in one model month (`365 / 12`).
pub const DAYS_PER_MONTH: f64 = DAYS_PER_YEAR / 12.0;
/// Weeks in one model month.
pub const WEEKS_PER_MONTH: f64 = DAYS_PER_MONTH / 7.0;

/// An amount of money in pounds sterling.
#[derive(Debug, Clone, Copy, Default, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Gbp(pub f64);

impl Gbp {
    /// Zero pounds.
    pub const ZERO: Gbp = Gbp(0.0);

    /// From millions of pounds.
    pub fn from_millions(gbp_m: f64) -> Self {
        Gbp(gbp_m * 1e6)
    }

    /// The value in pounds.
    pub fn pounds(self) -> f64 {
        self.0
    }

    /// The value in millions of pounds.
    pub fn millions(self) -> f64 {
        self.0 / 1e6
    }
}

impl Add for Gbp {
    type Output = Gbp;
    fn add(self, rhs: Gbp) -> Gbp {
        Gbp(self.0 + rhs.0)
    }
}

impl AddAssign for Gbp {
    fn add_assign(&mut self, rhs: Gbp) {
        self.0 += rhs.0;
    }
}

impl Sub for Gbp {
    type Output = Gbp;
    fn sub(self, rhs: Gbp) -> Gbp {
        Gbp(self.0 - rhs.0)
    }
}

impl Neg for Gbp {
    type Output = Gbp;
    fn neg(self) -> Gbp {
        Gbp(-self.0)
    }
}

impl Mul<f64> for Gbp {
    type Output = Gbp;
    fn mul(self, rhs: f64) -> Gbp {
        Gbp(self.0 * rhs)
    }
}

impl Div<f64> for Gbp {
    type Output = Gbp;
    fn div(self, rhs: f64) -> Gbp {
        Gbp(self.0 / rhs)
    }
}

impl Sum for Gbp {
    fn sum<I: Iterator<Item = Gbp>>(iter: I) -> Gbp {
        Gbp(iter.map(|g| g.0).sum())
    }
}

impl std::fmt::Display for Gbp {
    /// `£8.96bn`, `£732.0m`, `£2,100`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        let sign = if v < 0.0 { "-" } else { "" };
        let a = v.abs();
        if a >= 1e9 {
            write!(f, "{sign}£{:.2}bn", a / 1e9)
        } else if a >= 1e6 {
            write!(f, "{sign}£{:.1}m", a / 1e6)
        } else {
            write!(f, "{sign}£{}", group_thousands(a.round() as u64))
        }
    }
}

/// `81770` -> `"81,770"`.
pub fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(v: f64, expected: &str) {
        assert_eq!(Gbp(v).to_string(), expected, "formatting {v}");
    }

    #[test]
    fn display() {
        check(8_955_421_269.0, "£8.96bn");
        check(732_000_000.0, "£732.0m");
        check(2_100.0, "£2,100");
        check(-1_200_000_000.0, "-£1.20bn");
        check(0.0, "£0");
    }

    #[test]
    fn day_count_convention_makes_a_year_of_weeks() {
        // 12 model months are exactly 365/7 weeks.
        assert!((WEEKS_PER_MONTH * 12.0 - 365.0 / 7.0).abs() < 1e-12);
    }
}
