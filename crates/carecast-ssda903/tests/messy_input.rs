//! Messy input: bad dates, unknown codes, missing columns, empty files,
//! semicolons, BOM, CRLF, ragged rows, lower-case headers, random bytes. Each
//! must give a typed error or a reported issue, never a panic.
//!
//! This is not a test of the cleaning rules (see `known_answers.rs`).

use carecast_ssda903::{
    AggregateOptions, CleanOptions, IssueAction, IssueReason, ReturnTables, Ssda903Error, TableSource, load,
};
use proptest::prelude::*;

const EP_HEAD: &str = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n";
const HEADER: &str = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA,1,01/01/2010,WBRI,,,\nB,2,2011-02-02,WBRI,,,\n";

fn tables(episodes: impl Into<Vec<u8>>, header: impl Into<Vec<u8>>) -> ReturnTables {
    ReturnTables::new()
        .with_episodes(TableSource::from_bytes("eps.csv", episodes))
        .with_header(TableSource::from_bytes("hdr.csv", header))
}

fn only_issue(episodes: &str) -> (u64, &'static str, String, IssueReason, IssueAction) {
    let h = load(&tables(format!("{EP_HEAD}{episodes}"), HEADER), &CleanOptions::default()).unwrap();
    assert_eq!(h.issues().len(), 1, "{:?}", h.issues());
    let i = &h.issues()[0];
    (i.row, i.column, i.value.clone(), i.reason, i.action)
}

#[test]
fn bad_dates_are_reported_with_row_and_column() {
    let (row, col, val, reason, action) = only_issue("A,32/01/2020,S,C2,N1,U4,PR1,,,,,,\n");
    assert_eq!(
        (row, col, val.as_str(), reason, action),
        (2, "DECOM", "32/01/2020", IssueReason::InvalidDate, IssueAction::Dropped)
    );
    let (row, col, _, reason, _) = only_issue("A,01/01/2020,S,C2,N1,U4,PR1,2020-13-01,E8,,,,\n");
    assert_eq!((row, col, reason), (2, "DEC", IssueReason::InvalidDate));
    let (_, col, _, reason, _) = only_issue("A,,S,C2,N1,U4,PR1,,,,,,\n");
    assert_eq!((col, reason), ("DECOM", IssueReason::MissingValue));
    let (_, col, _, reason, _) = only_issue("A,01/02/2020,S,C2,N1,U4,PR1,01/01/2020,E8,,,,\n");
    assert_eq!((col, reason), ("DEC", IssueReason::EndBeforeStart));
    // Strict mode: a typed error naming file, row and column.
    let err = load(
        &tables(format!("{EP_HEAD}A,01/01/2020,S,C2,N1,U4,PR1,,,,,,\nA,2020-02-30,S,C2,N1,U4,PR1,,,,,,\n"), HEADER),
        &CleanOptions { strict: true, ..CleanOptions::default() },
    )
    .unwrap_err();
    assert!(
        matches!(&err, Ssda903Error::InvalidRow { row: 3, column, reason: IssueReason::InvalidDate, .. } if column == "DECOM"),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "eps.csv: row 3, column DECOM: invalid_date (value \"2020-02-30\")");
}

#[test]
fn unknown_codes_are_reported() {
    let (_, col, val, reason, action) = only_issue("A,01/01/2020,S,C2,N1,XX,PR1,,,,,,\n");
    assert_eq!((col, val.as_str(), reason, action), ("PLACE", "XX", IssueReason::UnknownCode, IssueAction::Dropped));
    let (_, col, _, reason, action) = only_issue("A,01/01/2020,S,Q7,N1,U4,PR1,,,,,,\n");
    assert_eq!((col, reason, action), ("LS", IssueReason::UnknownCode, IssueAction::Kept));
    let (_, col, _, reason, action) = only_issue("A,01/01/2020,S,C2,N1,U4,PR1,01/02/2020,E99,,,,\n");
    assert_eq!((col, reason, action), ("REC", IssueReason::EndReasonUnknown, IssueAction::Kept));
    let (_, col, _, reason, action) = only_issue("A,01/01/2020,S,C2,N1,U4,PR9,,,,,,\n");
    assert_eq!((col, reason, action), ("PLACE_PROVIDER", IssueReason::FosterProviderUnknown, IssueAction::Dropped));
    let (_, col, _, reason, action) = only_issue("A,01/01/2020,S,C2,N1,K2,PR9,,,,,,\n");
    assert_eq!((col, reason, action), ("PLACE_PROVIDER", IssueReason::UnknownCode, IssueAction::Kept));
}

#[test]
fn codes_checked_against_the_collection_year() {
    let eps = format!("{EP_HEAD}A,01/01/2020,S,C2,N1,K3,PR4,,,,,,\nB,01/01/2020,S,C2,N1,H5,PR4,,,,,,\n");
    // K3 is new in 2024-25 (collection year 2025); H5 was dropped then.
    let t = |year| {
        ReturnTables::new()
            .with_episodes(TableSource::from_bytes("eps.csv", eps.clone()).with_collection_year(year))
            .with_header(TableSource::from_bytes("hdr.csv", HEADER))
    };
    let h = load(&t(2024), &CleanOptions::default()).unwrap();
    let flagged: Vec<_> =
        h.issues().iter().filter(|i| i.reason == IssueReason::CodeNotValidForYear).map(|i| i.value.clone()).collect();
    assert_eq!(flagged, vec!["K3"]);
    let h = load(&t(2025), &CleanOptions::default()).unwrap();
    let flagged: Vec<_> =
        h.issues().iter().filter(|i| i.reason == IssueReason::CodeNotValidForYear).map(|i| i.value.clone()).collect();
    assert_eq!(flagged, vec!["H5"]);
    assert_eq!(h.summary().episodes_used, 2); // kept, not dropped
    // SEX M/F/U from 2025, 1/2 before: a YEAR column in the header.
    let hdr = "CHILD,SEX,DOB,YEAR\nA,M,01/01/2010,2024\nB,2,2011-02-02,2025\n";
    let h = load(&tables(eps.clone(), hdr), &CleanOptions::default()).unwrap();
    assert_eq!(
        h.issues().iter().filter(|i| i.reason == IssueReason::CodeNotValidForYear && i.column == "SEX").count(),
        2
    );
}

#[test]
fn missing_columns_are_errors() {
    let eps = "CHILD,DECOM,RNE,LS,CIN,PLACE,DEC,REC\nA,01/01/2020,S,C2,N1,K2,,\n";
    let err = load(&tables(eps, HEADER), &CleanOptions::default()).unwrap_err();
    assert!(
        matches!(&err, Ssda903Error::MissingColumn { column: "PLACE_PROVIDER", file, .. } if file == "eps.csv"),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("eps.csv: row 1: required column PLACE_PROVIDER is missing"));
    let err = load(&tables(EP_HEAD, "CHILD,SEX\nA,1\n"), &CleanOptions::default()).unwrap_err();
    assert!(matches!(err, Ssda903Error::MissingColumn { column: "DOB", .. }));
}

#[test]
fn empty_files_are_errors() {
    for empty in ["", "\u{feff}", "\n\r\n  \n"] {
        let err = load(&tables(empty, HEADER), &CleanOptions::default()).unwrap_err();
        assert!(matches!(&err, Ssda903Error::EmptyFile { file } if file == "eps.csv"), "{err:?}");
        let err = load(&tables(EP_HEAD, empty), &CleanOptions::default()).unwrap_err();
        assert!(matches!(&err, Ssda903Error::EmptyFile { file } if file == "hdr.csv"), "{err:?}");
    }
    // A header row and no data is a valid, empty return.
    let h = load(&tables(EP_HEAD, HEADER), &CleanOptions::default()).unwrap();
    assert_eq!(h.summary().episodes_used, 0);
    let a = h.aggregate(&AggregateOptions::default()).unwrap();
    assert_eq!(a.exposure.iter().map(|c| c.exposure_days).sum::<u64>(), 0);
    assert!(matches!(load(&ReturnTables::new(), &CleanOptions::default()), Err(Ssda903Error::NoEpisodes)));
}

#[test]
fn semicolon_and_tab_delimiters_are_errors() {
    let eps = EP_HEAD.replace(',', ";");
    let err = load(&tables(eps, HEADER), &CleanOptions::default()).unwrap_err();
    assert!(matches!(err, Ssda903Error::WrongDelimiter { found: ';', .. }), "{err:?}");
    let hdr = HEADER.replace(',', "\t");
    let err = load(&tables(EP_HEAD, hdr), &CleanOptions::default()).unwrap_err();
    assert!(matches!(err, Ssda903Error::WrongDelimiter { found: '\t', .. }), "{err:?}");
}

#[test]
fn bom_crlf_and_header_case_are_accepted() {
    let eps = format!("\u{feff}{}A,01/01/2020,S,C2,N1,U4,PR1,01/03/2020,E4A,,,,\n", EP_HEAD.to_lowercase())
        .replace('\n', "\r\n");
    let hdr = format!("\u{feff}{HEADER}").replace('\n', "\r\n").replace("CHILD", "Child");
    let h = load(&tables(eps.clone(), hdr.clone()), &CleanOptions::default()).unwrap();
    assert!(h.issues().is_empty(), "{:?}", h.issues());
    // Row numbers stay right with CRLF and with old-Mac CR-only line ends.
    for ending in ["\r\n", "\r"] {
        let bad = format!("{EP_HEAD}A,01/01/2020,S,C2,N1,U4,PR1,,,,,,\n\"B,x\",bad,S,C2,N1,U4,PR1,,,,,,\n")
            .replace('\n', ending);
        let h = load(&tables(bad, hdr.clone()), &CleanOptions::default()).unwrap();
        assert_eq!(h.issues().iter().map(|i| (i.row, i.column)).collect::<Vec<_>>(), vec![(3, "DECOM")], "{ending:?}");
    }
    let a = h.aggregate(&AggregateOptions::default()).unwrap();
    assert_eq!(a.exposure.iter().map(|c| c.exposure_days).sum::<u64>(), 31 + 29);
}

#[test]
fn ragged_rows_and_broken_quotes() {
    let (row, col, _, reason, action) = only_issue("A,01/01/2020,S,C2\n");
    assert_eq!((row, col, reason, action), (2, "-", IssueReason::WrongFieldCount, IssueAction::Dropped));
    // An unclosed quote swallows the rest of the file: reported as a ragged row, no panic.
    let h = load(
        &tables(format!("{EP_HEAD}\"A,01/01/2020,S,C2,N1,U4,PR1,,,,,,\nB,01/01/2020,S,C2,N1,U4,PR1,,,,,,\n"), HEADER),
        &CleanOptions::default(),
    )
    .unwrap();
    assert_eq!(h.summary().episodes_used, 0);
    assert_eq!(h.issues().len(), 1);
}

#[test]
fn missing_file_is_an_io_error() {
    let err = TableSource::from_path("/nonexistent/episodes.csv").unwrap_err();
    assert!(matches!(err, Ssda903Error::Io { .. }));
    assert!(err.to_string().starts_with("/nonexistent/episodes.csv: cannot read file"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(eps in proptest::collection::vec(any::<u8>(), 0..400),
                                hdr in proptest::collection::vec(any::<u8>(), 0..200)) {
        for (e, h) in [(eps.clone(), hdr.clone()), ([EP_HEAD.as_bytes(), &eps].concat(), [HEADER.as_bytes(), &hdr].concat())] {
            if let Ok(data) = load(&tables(e, h), &CleanOptions::default()) {
                let _ = data.aggregate(&AggregateOptions::default());
            }
        }
    }

    #[test]
    fn random_rows_of_plausible_fields_never_panic(rows in proptest::collection::vec(
        (prop::sample::select(vec!["A", "B", "", "C"]),
         prop::sample::select(vec!["01/01/2020", "2020-06-30", "31/12/2019", "", "29/02/2021", "1/1/2021"]),
         prop::sample::select(vec!["S", "P", "L", "", "X"]),
         prop::sample::select(vec!["C2", "V3", "V4", "", "J1"]),
         prop::sample::select(vec!["U4", "K2", "Z1", "A4", "", "QQ"]),
         prop::sample::select(vec!["PR1", "PR4", "", "PR0"]),
         prop::sample::select(vec!["", "01/03/2020", "2021-01-01", "15/06/2019"]),
         prop::sample::select(vec!["", "X1", "E4A", "E17", "E99"])), 0..40)) {
        let mut eps = EP_HEAD.to_string();
        for (c, decom, rne, ls, place, prov, dec, rec) in rows {
            eps.push_str(&format!("{c},{decom},{rne},{ls},N1,{place},{prov},{dec},{rec},,,,\n"));
        }
        let h = load(&tables(eps, HEADER), &CleanOptions::default()).unwrap();
        let dropped = h.issues().iter().filter(|i| i.action == IssueAction::Dropped && &*i.file == "eps.csv").count() as u64;
        prop_assert_eq!(dropped + h.summary().episodes_used, h.summary().episode_rows_read);
        let a = h.aggregate(&AggregateOptions::default()).unwrap();
        for r in &a.exit_rates {
            prop_assert!(r.monthly_exit_probability >= 0.0 && r.monthly_exit_probability <= 1.0);
        }
    }
}
