//! Tests on slices of the public synthetic SSDA903 samples copied into
//! `tests/fixtures/` (see its PROVENANCE.txt): they parse, duplicates across
//! annual returns are removed in the numbers counted independently, every
//! row is accounted for, and the deliberately messy samples give the issues
//! expected by hand.
//!
//! These are not realism checks: the samples' codes are random.

use carecast_ssda903::{
    AggregateOptions, CareHistories, CleanOptions, Date, IssueAction, IssueReason, ReasonGroup, ReturnTables,
    TableSource, load,
};
use std::path::PathBuf;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

/// Dropped episode rows (issues on the episodes files) + used episodes = rows read.
fn assert_rows_accounted(h: &CareHistories, episode_files: &[&str]) {
    let dropped = h
        .issues()
        .iter()
        .filter(|i| i.action == IssueAction::Dropped && episode_files.iter().any(|f| i.file.ends_with(f)))
        .count() as u64;
    assert_eq!(dropped + h.summary().episodes_used, h.summary().episode_rows_read);
}

#[test]
fn sf_regional_stacked_iso_with_la_and_year() {
    let tables = ReturnTables::from_paths(
        &[fixture("sf-regional-samples-v1/episodes.csv")],
        &[fixture("sf-regional-samples-v1/header.csv")],
        &[fixture("sf-regional-samples-v1/uasc.csv")],
    )
    .unwrap();
    let h = load(&tables, &CleanOptions::default()).unwrap();
    let s = h.summary();
    assert_eq!(s.episode_rows_read, 336);
    assert_eq!(s.header_rows_read, 123);
    assert_eq!(s.uasc_rows_read, 11);
    assert_eq!(s.children_read, 57);
    // Counted independently: 336 rows, 244 distinct LA+CHILD+DECOM; the 3 rows of the
    // 3 children without a Header row are distinct, so all 92 repeats have a DOB.
    assert_eq!(s.duplicate_episodes, 92);
    assert_eq!(h.issues().iter().filter(|i| i.reason == IssueReason::DuplicateEpisode).count(), 92);
    let no_dob: Vec<u64> =
        h.issues().iter().filter(|i| i.reason == IssueReason::NoDateOfBirth).map(|i| i.row).collect();
    assert_eq!(no_dob.len(), 3);
    // The first data row (line 2) is child 398768, who has no Header row.
    assert_eq!(no_dob[0], 2);
    assert!(s.short_break_episodes > 0);
    assert!(s.uasc_children_used > 0 && s.uasc_children_used <= 5);
    assert_rows_accounted(&h, &["episodes.csv"]);
    // The 2017 return's earliest DEC is in April 2017.
    assert_eq!(h.data_span().unwrap().0, Date::from_ymd(2017, 4, 1).unwrap());
    let a = h.aggregate(&AggregateOptions::default()).unwrap();
    assert!(a.exposure.iter().map(|c| c.exposure_days).sum::<u64>() > 0);
    // Stock at each 31 March 2018..2021 plus the end of the data.
    assert!(a.stock.len() >= 5);
    assert!(a.exit_rates.iter().all(|r| (0.0..=1.0).contains(&r.monthly_exit_probability)));
    assert!(a.exit_rates.iter().all(|r| r.monthly_exit_probability_95.lower <= r.monthly_exit_probability
        && r.monthly_exit_probability <= r.monthly_exit_probability_95.upper));
}

#[test]
fn d2i_annual_returns_stacked_without_year_column() {
    let dir = "d2i-cs-demand-model-samples";
    let mut tables = ReturnTables::new();
    for year in [2017u16, 2018] {
        tables = tables
            .with_episodes(
                TableSource::from_path(fixture(&format!("{dir}/{year}-episodes.csv")))
                    .unwrap()
                    .with_collection_year(year),
            )
            .with_header(
                TableSource::from_path(fixture(&format!("{dir}/{year}-header.csv")))
                    .unwrap()
                    .with_collection_year(year),
            );
    }
    let h = load(&tables, &CleanOptions::default()).unwrap();
    let s = h.summary();
    assert_eq!(s.episode_rows_read, 74 + 95);
    assert_eq!(s.children_read, 40);
    // Counted independently: 169 rows, 140 distinct CHILD+DECOM.
    assert_eq!(s.duplicate_episodes, 29);
    assert_rows_accounted(&h, &["-episodes.csv"]);
    let a = h.aggregate(&AggregateOptions::default()).unwrap();
    assert_eq!(a.from, Date::from_ymd(2017, 4, 1).unwrap());
    assert!(a.exposure.iter().map(|c| c.exposure_days).sum::<u64>() > 0);
}

#[test]
fn liia_messy_samples_parse_and_report() {
    let tables = ReturnTables::from_paths(
        &[fixture("liia-pipeline-spec/SSDA903_2020_episodes.csv")],
        &[fixture("liia-pipeline-spec/SSDA903_2020_header.csv")],
        &[] as &[PathBuf],
    )
    .unwrap();
    let h = load(&tables, &CleanOptions::default()).unwrap();
    // Both children have header rows with different DOBs in the same return:
    // header rows 3, 4 (689661) and 6 (249901) conflict, so no episode can be aged.
    let header_conflicts: Vec<u64> = h
        .issues()
        .iter()
        .filter(|i| i.reason == IssueReason::ConflictingDateOfBirth && i.file.ends_with("header.csv"))
        .map(|i| i.row)
        .collect();
    assert_eq!(header_conflicts, vec![3, 4, 6]);
    let episode_conflicts = h
        .issues()
        .iter()
        .filter(|i| i.reason == IssueReason::ConflictingDateOfBirth && i.file.ends_with("episodes.csv"))
        .count();
    assert_eq!(episode_conflicts, 5);
    assert_eq!(h.summary().episodes_used, 0);
    let a = h.aggregate(&AggregateOptions::default()).unwrap();
    assert_eq!(a.exposure.iter().map(|c| c.exposure_days).sum::<u64>(), 0);
}

#[test]
fn liia_messy_episodes_with_a_clean_header() {
    let header = "CHILD,SEX,DOB\n689661,1,21/03/2012\n249901,2,07/01/2013\n";
    let tables = ReturnTables::new()
        .with_episodes(TableSource::from_path(fixture("liia-pipeline-spec/SSDA903_2020_episodes.csv")).unwrap())
        .with_header(TableSource::from_bytes("header.csv", header));
    let h = load(&tables, &CleanOptions::default()).unwrap();
    let find = |reason: IssueReason| -> Vec<(u64, &'static str, IssueAction)> {
        h.issues().iter().filter(|i| i.reason == reason).map(|i| (i.row, i.column, i.action)).collect()
    };
    // Row 3: LS blank; row 6: RNE *DUMMY*; rows 2 and 6: V4/V3 short breaks.
    assert_eq!(find(IssueReason::MissingValue), vec![(3, "LS", IssueAction::Kept)]);
    assert_eq!(find(IssueReason::UnknownCode), vec![(6, "RNE", IssueAction::Kept)]);
    assert_eq!(h.summary().short_break_episodes, 2);
    // 249901's X1 on 10/04/2019 is followed only by the excluded short break.
    assert_eq!(find(IssueReason::X1WithoutNextEpisode), vec![(5, "REC", IssueAction::Kept)]);
    assert_eq!(h.summary().episodes_used, 3);
    let opts = AggregateOptions {
        from: Some(Date::from_ymd(2018, 4, 1).unwrap()),
        to: Some(Date::from_ymd(2019, 12, 31).unwrap()),
        ..AggregateOptions::default()
    };
    let a = h.aggregate(&opts).unwrap();
    let exposure =
        |g: &str| a.exposure.iter().find(|c| c.age_band == "5_9" && c.placement_group == g).unwrap().exposure_days;
    // 689661: U5/PR4 02/12/2018 -> 16/05/2019 (X1) -> 26/09/2019 (E2): one stay of 298 days.
    assert_eq!(exposure("foster_agency"), 298);
    // 249901: U4/PR1 30/03/2019 -> 10/04/2019.
    assert_eq!(exposure("foster_in_house"), 11);
    // One entry (689661, RNE S); 249901's first episode has RNE L: care began before the data.
    assert_eq!(a.entries.iter().map(|c| c.entries).sum::<u64>(), 1);
    assert_eq!(h.summary().left_truncated_periods, 1);
    let other_exits: u64 = a.exits.iter().filter(|c| c.reason_group == ReasonGroup::Other).map(|c| c.exits).sum();
    assert_eq!(other_exits, 2);
    assert_eq!(a.moves.iter().map(|c| c.moves).sum::<u64>(), 0);
}

#[test]
fn validator_fake_return_is_robust() {
    let tables = ReturnTables::from_paths(
        &[fixture("d2i-validator-fake-data/episodes.csv")],
        &[fixture("d2i-validator-fake-data/header.csv")],
        &[] as &[PathBuf],
    )
    .unwrap();
    let h = load(&tables, &CleanOptions::default()).unwrap();
    assert_eq!(h.summary().episode_rows_read, 200);
    assert_rows_accounted(&h, &["episodes.csv"]);
    assert!(!h.issues().is_empty());
    let a = h.aggregate(&AggregateOptions::default()).unwrap();
    assert!(a.exposure.iter().map(|c| c.exposure_days).sum::<u64>() > 0);
    // Strict mode turns the first unusable row into a typed error naming file and row.
    if h.issues().iter().any(|i| {
        i.action == IssueAction::Dropped
            && matches!(
                i.reason,
                IssueReason::InvalidDate
                    | IssueReason::UnknownCode
                    | IssueReason::MissingValue
                    | IssueReason::NoDateOfBirth
                    | IssueReason::StartBeforeBirth
                    | IssueReason::FosterProviderUnknown
                    | IssueReason::EndBeforeStart
            )
    }) {
        let err = load(&tables, &CleanOptions { strict: true, ..CleanOptions::default() }).unwrap_err();
        assert!(err.to_string().contains(".csv: row "), "{err}");
    }
}
