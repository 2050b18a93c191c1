//! Human-readable number formatting and financial-year labels.
//!
//! What it is: the text forms used in HTML reports and committee-paper prose
//! (`81,770`, `£8.96bn`, `2024-25`) and the exponent-free plain form used in
//! CSV. What it is not: locale-aware; it always uses UK conventions (comma
//! thousands separator, `£` prefix, minus sign before the `£`).

use crate::table::{Cell, ColumnKind};

/// Text shown for NaN or infinite values by the `format_*` functions.
pub const NOT_AVAILABLE: &str = "n/a";

/// Insert thousands separators into a string of ASCII digits.
fn group_digits(digits: &str) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `|v|` rounded to `decimals` places, half away from zero, as digits
/// `(integer part, fraction part)`.
///
/// Rounding works on the shortest decimal text that reads back as `v`
/// (what a person would type), not on the binary value, so `1234.5` gives
/// `1235` and `1.005` gives `1.01` to two places — as Excel displays them.
fn round_half_up(v: f64, decimals: usize) -> (String, String) {
    let s = v.abs().to_string(); // never in exponent form
    let (int, frac) = s.split_once('.').unwrap_or((s.as_str(), ""));
    let mut digits: Vec<u8> = int.bytes().chain(frac.bytes().take(decimals)).collect();
    while digits.len() < int.len() + decimals {
        digits.push(b'0');
    }
    if frac.as_bytes().get(decimals).is_some_and(|d| *d >= b'5') {
        // Add one unit in the last place, carrying leftwards.
        let mut carry = true;
        for d in digits.iter_mut().rev() {
            if *d == b'9' {
                *d = b'0';
            } else {
                *d += 1;
                carry = false;
                break;
            }
        }
        if carry {
            digits.insert(0, b'1');
        }
    }
    let split = digits.len() - decimals;
    let text = String::from_utf8_lossy(&digits);
    (text[..split].to_string(), text[split..].to_string())
}

/// `v` with `decimals` decimal places and grouped thousands, no sign.
fn grouped_abs(v: f64, decimals: usize) -> String {
    let (int, frac) = round_half_up(v, decimals);
    if frac.is_empty() { group_digits(&int) } else { format!("{}.{}", group_digits(&int), frac) }
}

/// A minus sign if `v` is negative and does not round to zero.
fn sign(v: f64, shown: &str) -> &'static str {
    if v < 0.0 && shown.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" }
}

/// Round to `decimals` places and group thousands: `1234.567, 2` -> `1,234.57`.
/// NaN/infinite -> `n/a`.
pub fn format_grouped(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let body = grouped_abs(v, decimals);
    format!("{}{}", sign(v, &body), body)
}

/// A count, rounded to a whole number with thousands separators:
/// `81770.0` -> `81,770`. NaN/infinite -> `n/a`.
pub fn format_count(v: f64) -> String {
    format_grouped(v, 0)
}

/// Three significant figures with trailing zeros dropped, for `x >= 1`.
fn three_sig(x: f64) -> String {
    let decimals = if x < 10.0 {
        2
    } else if x < 100.0 {
        1
    } else {
        0
    };
    let s = grouped_abs(x, decimals);
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// Money in compact form for prose and headlines:
/// `8955421269` -> `£8.96bn`, `732000000` -> `£732m`, `2100` -> `£2,100`,
/// `-1.2e9` -> `-£1.2bn`. Millions and billions use three significant
/// figures; smaller amounts are whole pounds. NaN/infinite -> `n/a`.
pub fn format_gbp(v: f64) -> String {
    if !v.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let a = v.abs();
    let body = if a >= 999.5e6 {
        format!("{}bn", three_sig(a / 1e9))
    } else if a.round() >= 1e6 {
        format!("{}m", three_sig(a / 1e6))
    } else {
        grouped_abs(a, 0)
    };
    format!("{}£{}", sign(v, &body), body)
}

/// Money in whole pounds with separators, for tables: `£8,955,421,269`.
/// NaN/infinite -> `n/a`.
pub fn format_gbp_pounds(v: f64) -> String {
    if !v.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let body = grouped_abs(v, 0);
    format!("{}£{}", sign(v, &body), body)
}

/// A value already in £ millions, one decimal place: `1234.56` -> `£1,234.6m`;
/// below £1m in thousands (`0.0315` -> `£31.5k`) and below £1,000 in pounds.
/// NaN/infinite -> `n/a`.
pub fn format_gbp_millions(v: f64) -> String {
    if !v.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    // A council's sums can be far below £0.1m, which would show as £0.0m:
    // those are shown in thousands, or in pounds below £1,000.
    let (scaled, unit, decimals) = match v.abs() {
        a if a >= 1.0 || a == 0.0 => (v, "m", 1),
        a if a >= 0.001 => (v * 1e3, "k", 1),
        _ => (v * 1e6, "", 0),
    };
    let body = grouped_abs(scaled, decimals);
    format!("{}£{}{unit}", sign(scaled, &body), body)
}

/// A fraction as a percentage to one decimal place: `0.1234` -> `12.3%`.
/// NaN/infinite -> `n/a`.
pub fn format_percent(v: f64) -> String {
    if !v.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    // Shift the decimal point in the digits rather than multiplying by 100,
    // so 0.0005 is exactly 0.05% before rounding.
    let (int, frac) = round_half_up(v, 3);
    let (hundredths, rest) = frac.split_at(2);
    let whole = format!("{int}{hundredths}");
    let whole = whole.trim_start_matches('0');
    let whole = if whole.is_empty() { "0" } else { whole };
    let body = format!("{}.{}", group_digits(whole), rest);
    format!("{}{}%", sign(v, &body), body)
}

/// The English financial year ending in March of `year_ending_march`:
/// `2025` -> `"2024-25"`, `2000` -> `"1999-00"`.
pub fn financial_year_label(year_ending_march: i32) -> String {
    let end = i64::from(year_ending_march);
    format!("{}-{:02}", end - 1, end.rem_euclid(100))
}

/// Machine-readable number for CSV: shortest text that reads back as the
/// same `f64`, never in exponent notation, no separators; `-0` is `0`;
/// NaN/infinite -> empty string.
pub fn format_plain(v: f64) -> String {
    let mut buf = String::new();
    plain_into(v, &mut buf);
    buf
}

/// [`format_plain`] into `buf` (cleared first), so CSV writing reuses one
/// buffer for every cell. Rust's `Display` for f64 is round-trip exact and
/// never uses exponent notation.
pub(crate) fn plain_into(v: f64, buf: &mut String) {
    use std::fmt::Write;
    buf.clear();
    if !v.is_finite() {
    } else if v == 0.0 {
        buf.push('0');
    } else {
        write!(buf, "{v}").expect("writing to a String cannot fail");
    }
}

/// How a cell is shown in an HTML table for a column of `kind`.
/// Empty and non-finite cells are shown as an empty string.
pub fn display_cell(kind: ColumnKind, cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Empty => String::new(),
        Cell::Number(v) if !v.is_finite() => String::new(),
        Cell::Number(v) => match kind {
            ColumnKind::Text | ColumnKind::Year | ColumnKind::Value => format_plain(*v),
            ColumnKind::Count => format_count(*v),
            ColumnKind::Gbp => format_gbp_pounds(*v),
            ColumnKind::GbpShownInMillions => format_gbp_millions(*v / 1e6),
            ColumnKind::Percent => format_percent(*v),
            ColumnKind::Number => format_grouped(*v, 2),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parameter value keeps its digits (two decimals would show 0.0016 as 0.00).
    #[test]
    fn values_are_shown_whole() {
        for (v, want) in [(0.0016, "0.0016"), (-0.0002, "-0.0002"), (60000.0, "60000"), (0.15, "0.15")] {
            assert_eq!(display_cell(ColumnKind::Value, &Cell::Number(v)), want);
        }
        assert_eq!(crate::excel_number_format(ColumnKind::Value), None, "General in Excel");
    }

    /// Pounds shown in millions: the display divides, Excel's format scales by
    /// a million with two trailing commas, the stored number stays in pounds.
    #[test]
    fn pounds_shown_in_millions() {
        for (v, want) in [
            (16_766_667_443.0, "£16,766.7m"),
            (-911_000_000.0, "-£911.0m"),
            (4_700_000.0, "£4.7m"),
            (50_000.0, "£50.0k"),
            (999_950.0, "£1,000.0k"),
            (31_482.0, "£31.5k"),
            (-10_214.0, "-£10.2k"),
            (412.0, "£412"),
            (0.0, "£0.0m"),
        ] {
            assert_eq!(display_cell(ColumnKind::GbpShownInMillions, &Cell::Number(v)), want);
        }
        assert_eq!(crate::excel_number_format(ColumnKind::GbpShownInMillions), Some("\"£\"#,##0.0,,\"m\""));
    }

    /// A reused buffer holds only the last number.
    #[test]
    fn the_buffer_is_cleared_between_numbers() {
        let mut buf = String::new();
        for (v, want) in
            [(81769.99999999999, "81769.99999999999"), (f64::NAN, ""), (-0.0, "0"), (1e16, "10000000000000000")]
        {
            plain_into(v, &mut buf);
            assert_eq!(buf, want);
        }
    }
}
