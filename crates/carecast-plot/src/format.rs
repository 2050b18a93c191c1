//! Number formatting shared by chart ticks, chart labels and the report writer:
//! thousands separators (81,770), money in £/£k/£m/£bn, and percentages.
//!
//! This is not a locale library: it writes UK English conventions only, and it
//! never panics (non-finite values format as "n/a").

/// How the values of a chart (its value axis and labels) are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ValueFormat {
    /// Whole numbers with thousands separators: `81,770`.
    #[default]
    Count,
    /// Pounds sterling, scaled to £k, £m or £bn from the data range: `£732m`, `£8.96bn`.
    MoneyGbp,
    /// Values are fractions (0.125) shown as percentages (`12.5%`).
    Percent,
    /// Plain numbers with thousands separators and as many decimals as the ticks need.
    Number,
}

/// The unit a money value is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyScale {
    /// Whole pounds: `£950`.
    Pounds,
    /// Thousands: `£45.3k`.
    Thousands,
    /// Millions: `£732m`.
    Millions,
    /// Billions: `£8.96bn`.
    Billions,
}

impl MoneyScale {
    /// The scale for a value (or axis extent) of this magnitude; chosen so that
    /// three significant figures never round up to 1,000 of the unit.
    pub fn for_magnitude(abs_gbp: f64) -> Self {
        let a = abs_gbp.abs();
        if !a.is_finite() {
            Self::Pounds
        } else if a >= 999.5e6 {
            Self::Billions
        } else if a >= 999.5e3 {
            Self::Millions
        } else if a >= 999.5 {
            Self::Thousands
        } else {
            Self::Pounds
        }
    }

    /// Pounds per unit of this scale.
    pub fn divisor(self) -> f64 {
        match self {
            Self::Pounds => 1.0,
            Self::Thousands => 1e3,
            Self::Millions => 1e6,
            Self::Billions => 1e9,
        }
    }

    /// The suffix written after the number: "", "k", "m" or "bn".
    pub fn suffix(self) -> &'static str {
        match self {
            Self::Pounds => "",
            Self::Thousands => "k",
            Self::Millions => "m",
            Self::Billions => "bn",
        }
    }
}

const NOT_AVAILABLE: &str = "n/a";

/// Inserts commas every three digits into a string of ASCII digits.
fn group_digits(digits: &str) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Formats the magnitude of `v` with `decimals` decimals and thousands
/// separators, returning (is_negative_after_rounding, text).
fn magnitude_text(v: f64, decimals: usize) -> (bool, String) {
    let decimals = decimals.min(12);
    let raw = format!("{:.*}", decimals, v.abs());
    let (int_part, frac_part) = match raw.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (raw.as_str(), None),
    };
    let mut text = group_digits(int_part);
    if let Some(f) = frac_part {
        text.push('.');
        text.push_str(f);
    }
    let nonzero = raw.bytes().any(|b| (b'1'..=b'9').contains(&b));
    (v < 0.0 && nonzero, text)
}

/// A number with thousands separators and a fixed number of decimals:
/// `format_number(81770.25, 1)` is `"81,770.3"`. Non-finite values give "n/a".
pub fn format_number(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let (neg, text) = magnitude_text(v, decimals);
    if neg { format!("-{text}") } else { text }
}

/// A count rounded to a whole number with thousands separators: `81,770`.
pub fn format_count(v: f64) -> String {
    format_number(v, 0)
}

/// Money in the given scale with a fixed number of decimals:
/// `format_gbp_in(732e6, MoneyScale::Millions, 1)` is `"£732.0m"`.
pub fn format_gbp_in(v: f64, scale: MoneyScale, decimals: usize) -> String {
    if !v.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let (neg, text) = magnitude_text(v / scale.divisor(), decimals);
    let sign = if neg { "-" } else { "" };
    format!("{sign}£{text}{}", scale.suffix())
}

/// Money to three significant figures in an automatically chosen unit:
/// `8_955_421_269.0` is `"£8.96bn"`, `732_000_000.0` is `"£732m"`,
/// `45_300.0` is `"£45.3k"`, `950.0` is `"£950"`.
pub fn format_gbp(v: f64) -> String {
    if !v.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let scale = MoneyScale::for_magnitude(v);
    let x = v.abs() / scale.divisor();
    let decimals = if scale == MoneyScale::Pounds {
        0
    } else if x < 9.995 {
        2
    } else if x < 99.95 {
        1
    } else {
        0
    };
    format_gbp_in(v, scale, decimals)
}

/// Money with an explicit sign, for changes: `"+£12.3m"`, `"-£4.10m"`.
pub fn format_gbp_change(v: f64) -> String {
    let text = format_gbp(v);
    if v.is_finite() && !text.starts_with('-') && text != "£0" { format!("+{text}") } else { text }
}

/// A fraction as a percentage: `format_percent(0.125, 1)` is `"12.5%"`.
pub fn format_percent(fraction: f64, decimals: usize) -> String {
    if !fraction.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    format!("{}%", format_number(fraction * 100.0, decimals))
}

/// The fewest decimals (0 to 4) that write every multiple of `step` exactly.
pub(crate) fn decimals_for_step(step: f64) -> usize {
    if !step.is_finite() || step <= 0.0 {
        return 0;
    }
    for d in 0..=4 {
        let m = step * 10f64.powi(d);
        if (m - m.round()).abs() < 1e-6 * m.abs().max(1.0) {
            return d as usize;
        }
    }
    4
}

/// Writes the ticks of one value axis consistently (same unit and decimals).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TickFormatter {
    format: ValueFormat,
    scale: MoneyScale,
    decimals: usize,
}

impl TickFormatter {
    /// A formatter for ticks spaced `step` apart on an axis reaching `max_abs`.
    pub(crate) fn new(format: ValueFormat, max_abs: f64, step: f64) -> Self {
        let (scale, decimals) = match format {
            ValueFormat::MoneyGbp => {
                let scale = MoneyScale::for_magnitude(max_abs);
                (scale, decimals_for_step(step / scale.divisor()))
            }
            ValueFormat::Percent => (MoneyScale::Pounds, decimals_for_step(step * 100.0)),
            ValueFormat::Count | ValueFormat::Number => (MoneyScale::Pounds, decimals_for_step(step)),
        };
        Self { format, scale, decimals }
    }

    pub(crate) fn tick(&self, v: f64) -> String {
        if v == 0.0 {
            return match self.format {
                ValueFormat::MoneyGbp => "£0".to_string(),
                ValueFormat::Percent => "0%".to_string(),
                _ => "0".to_string(),
            };
        }
        match self.format {
            ValueFormat::MoneyGbp => format_gbp_in(v, self.scale, self.decimals),
            ValueFormat::Percent => format_percent(v, self.decimals),
            ValueFormat::Count | ValueFormat::Number => format_number(v, self.decimals),
        }
    }
}

/// A single value written for a data label (not a tick): self-describing units.
pub(crate) fn value_label(format: ValueFormat, v: f64, signed: bool) -> String {
    let text = match format {
        ValueFormat::MoneyGbp => format_gbp(v),
        ValueFormat::Percent => format_percent(v, 1),
        ValueFormat::Count => format_count(v),
        ValueFormat::Number => {
            let a = v.abs();
            let d = if a >= 100.0 {
                0
            } else if a >= 10.0 {
                1
            } else {
                2
            };
            format_number(v, d)
        }
    };
    let zero = matches!(text.as_str(), "0" | "£0" | "0%" | "0.0%");
    if signed && v.is_finite() && !text.starts_with('-') && !zero { format!("+{text}") } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One table-driven check: formatter output against the known string.
    fn check(cases: &[(f64, &str)], f: impl Fn(f64) -> String, name: &str) {
        for &(input, expected) in cases {
            assert_eq!(f(input), expected, "{name}({input:?})");
        }
    }

    #[test]
    fn counts_have_thousands_separators() {
        check(
            &[
                (81_770.0, "81,770"),
                (0.0, "0"),
                (999.0, "999"),
                (1_000.0, "1,000"),
                (1_234_567.0, "1,234,567"),
                (-4_321.0, "-4,321"),
                (81_769.6, "81,770"),
                (-0.4, "0"),
                (f64::NAN, "n/a"),
                (f64::INFINITY, "n/a"),
            ],
            format_count,
            "format_count",
        );
    }

    #[test]
    fn money_is_three_significant_figures_in_auto_units() {
        check(
            &[
                (8_955_421_269.0, "£8.96bn"),
                (732_000_000.0, "£732m"),
                (45_300_000.0, "£45.3m"),
                (1_000_000_000.0, "£1.00bn"),
                (999_600_000.0, "£1.00bn"),
                (12_345_678_901.0, "£12.3bn"),
                (1_234_567_890_123.0, "£1,235bn"),
                (-732_000_000.0, "-£732m"),
                (45_300.0, "£45.3k"),
                (950.0, "£950"),
                (0.0, "£0"),
                (f64::NAN, "n/a"),
            ],
            format_gbp,
            "format_gbp",
        );
        check(
            &[(12_300_000.0, "+£12.3m"), (-4_100_000.0, "-£4.10m"), (0.0, "£0")],
            format_gbp_change,
            "format_gbp_change",
        );
        check(
            &[(732e6, "£732.0m"), (2.5e9, "£2,500.0m")],
            |v| format_gbp_in(v, MoneyScale::Millions, 1),
            "format_gbp_in",
        );
    }

    #[test]
    fn percentages_and_numbers() {
        check(&[(0.125, "12.5%"), (1.0, "100.0%"), (-0.05, "-5.0%")], |v| format_percent(v, 1), "format_percent");
        check(
            &[(81_770.26, "81,770.3"), (0.05, "0.1"), (-1234.5, "-1,234.5")],
            |v| format_number(v, 1),
            "format_number",
        );
    }

    #[test]
    fn ticks_share_one_unit_and_decimals() {
        let money = TickFormatter::new(ValueFormat::MoneyGbp, 2.5e9, 0.5e9);
        check(&[(0.0, "£0"), (0.5e9, "£0.5bn"), (2e9, "£2.0bn"), (-1e9, "-£1.0bn")], |v| money.tick(v), "money tick");
        let small = TickFormatter::new(ValueFormat::MoneyGbp, 200e6, 50e6);
        check(&[(150e6, "£150m"), (-50e6, "-£50m")], |v| small.tick(v), "money tick (m)");
        let count = TickFormatter::new(ValueFormat::Count, 110_000.0, 10_000.0);
        check(&[(80_000.0, "80,000"), (0.0, "0")], |v| count.tick(v), "count tick");
        let pct = TickFormatter::new(ValueFormat::Percent, 1.0, 0.2);
        check(&[(0.2, "20%"), (1.0, "100%")], |v| pct.tick(v), "percent tick");
        let pct_fine = TickFormatter::new(ValueFormat::Percent, 0.1, 0.025);
        check(&[(0.025, "2.5%")], |v| pct_fine.tick(v), "fine percent tick");
    }
}
