//! Integration tests for number formatting, financial-year labels and sheet
//! name sanitising.
//!
//! What it is: table-driven cases, each expectation written by hand from the
//! formatting rules, run through one `check` helper. What it is not: a test
//! of the writers that use these functions.

use carecast_report::{
    financial_year_label, format_count, format_gbp, format_gbp_millions, format_gbp_pounds, format_percent,
    format_plain, sanitize_sheet_name, sanitize_sheet_names,
};

/// Run `f` on each input and compare with the expected text, reporting every
/// mismatch at once.
fn check<T: std::fmt::Debug + Copy>(what: &str, f: impl Fn(T) -> String, cases: &[(T, &str)]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|&(input, want)| {
            let got = f(input);
            (got != want).then(|| format!("{what}({input:?}) = {got:?}, want {want:?}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn count_formatting() {
    check(
        "format_count",
        format_count,
        &[
            (81770.0, "81,770"),
            (0.0, "0"),
            (-0.0, "0"),
            (-0.4, "0"),
            (999.0, "999"),
            (1000.0, "1,000"),
            (999.5, "1,000"),
            (1234567.0, "1,234,567"),
            (-1234567.0, "-1,234,567"),
            (12.4, "12"),
            (2.5, "3"),
            (-2.5, "-3"),
            (9999.5, "10,000"),
            (1e21, "1,000,000,000,000,000,000,000"),
            (f64::NAN, "n/a"),
            (f64::INFINITY, "n/a"),
            (f64::NEG_INFINITY, "n/a"),
        ],
    );
}

#[test]
fn gbp_compact_formatting() {
    check(
        "format_gbp",
        format_gbp,
        &[
            (8955421269.0, "£8.96bn"),
            (732000000.0, "£732m"),
            (2100.0, "£2,100"),
            (-1.2e9, "-£1.2bn"),
            (1.0e9, "£1bn"),
            (999_600_000.0, "£1bn"),
            (999_400_000.0, "£999m"),
            (12_345_678.0, "£12.3m"),
            (1_500_000.0, "£1.5m"),
            (1_000_000.0, "£1m"),
            (999_999.6, "£1m"),
            (999_999.0, "£999,999"),
            (123_456.0, "£123,456"),
            (0.4, "£0"),
            (-0.4, "£0"),
            (-2100.0, "-£2,100"),
            (12.3e12, "£12,300bn"),
            (f64::NAN, "n/a"),
        ],
    );
}

#[test]
fn gbp_table_formats() {
    check(
        "format_gbp_pounds",
        format_gbp_pounds,
        &[(8955421269.0, "£8,955,421,269"), (-1234.5, "-£1,235"), (0.0, "£0"), (f64::INFINITY, "n/a")],
    );
    check(
        "format_gbp_millions",
        format_gbp_millions,
        &[
            (1234.56, "£1,234.6m"),
            (8.0, "£8.0m"),
            // Below £1m in thousands, below £1,000 in pounds, so a council's
            // small sums never show as £0.0m.
            (-0.04, "-£40.0k"),
            // Half away from zero, as Excel displays it.
            (-12.25, "-£12.3m"),
            (1.005, "£1.0m"),
            (0.05, "£50.0k"),
            (0.000_4, "£400"),
            (0.0, "£0.0m"),
        ],
    );
    check(
        "format_percent",
        format_percent,
        &[
            (0.123, "12.3%"),
            (1.0, "100.0%"),
            (-0.05, "-5.0%"),
            (12.5, "1,250.0%"),
            (0.0005, "0.1%"),
            (0.9995, "100.0%"),
        ],
    );
}

#[test]
fn plain_numbers_for_csv() {
    check(
        "format_plain",
        format_plain,
        &[
            (81770.0, "81770"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e-7, "0.0000001"),
            (1e21, "1000000000000000000000"),
            (-0.0, "0"),
            (-1234.5, "-1234.5"),
            (f64::NAN, ""),
            (f64::NEG_INFINITY, ""),
        ],
    );
}

#[test]
fn financial_years() {
    check(
        "financial_year_label",
        financial_year_label,
        &[
            (2025, "2024-25"),
            (2000, "1999-00"),
            (2001, "2000-01"),
            (2010, "2009-10"),
            (1900, "1899-00"),
            (i32::MIN, "-2147483649-52"),
        ],
    );
}

#[test]
fn sheet_name_sanitising() {
    let long = "Placements by type and age band and legal status";
    check(
        "sanitize_sheet_name",
        sanitize_sheet_name,
        &[
            ("placements", "placements"),
            ("a[b]c:d*e?f/g\\h", "a_b_c_d_e_f_g_h"),
            ("'quoted'", "quoted"),
            ("", "Sheet"),
            ("   ", "Sheet"),
            ("''", "Sheet"),
            ("History", "History_"),
            ("HISTORY", "HISTORY_"),
            ("tab\there", "tab_here"),
            // 31 characters kept: "Placements by type and age band".
            (long, "Placements by type and age band"),
            ("£££££££££££££££££££££££££££££££££££", "£££££££££££££££££££££££££££££££"),
        ],
    );
    // 😀 is two UTF-16 units, so only 15 fit alongside the trailing "x".
    assert_eq!(sanitize_sheet_name(&format!("{}x", "😀".repeat(16))), "😀".repeat(15));

    assert_eq!(
        sanitize_sheet_names(&["About", "about", "ABOUT", "Data", long, long]),
        vec![
            "About",
            "about (2)",
            "ABOUT (3)",
            "Data",
            "Placements by type and age band",
            // 31 - len(" (2)") = 27 characters of stem.
            "Placements by type and age (2)",
        ]
    );
}
