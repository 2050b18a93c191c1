//! Money conventions of carecast: amounts are `f64` pounds in fields and
//! measures whose names end in `_gbp` (or `_gbp_m` for millions in scenario
//! files), and one day-count convention for turning weekly costs into annual
//! spend.
//!
//! Not a decimal type: spend projections are estimates, and all arithmetic is
//! in floating point; rounding happens only when values are displayed or written.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_count_convention_makes_a_year_of_weeks() {
        // 12 model months are exactly 365/7 weeks.
        assert!((WEEKS_PER_MONTH * 12.0 - 365.0 / 7.0).abs() < 1e-12);
    }
}
