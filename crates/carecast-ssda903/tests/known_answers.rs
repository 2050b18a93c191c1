//! Known-answer tests on small hand-written episode tables: stock, exposure
//! days, entries, exits, moves, continuations, short breaks, turning 18,
//! duplicates and overlaps. Every expected number is worked out by hand in the
//! comments.
//!
//! These are not tests of the CSV edge cases (see `messy_input.rs`) or of the
//! sample fixtures (see `fixtures.rs`).

use carecast_ssda903::{
    AggregateOptions, Aggregates, CareHistories, CleanOptions, Date, IssueAction, IssueReason, PlacementGroup,
    PlacementScheme, ReasonGroup, ReturnTables, TableSource, UascFilter, load,
};

const EPISODES: &str = "\
CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
K1,01/01/2020,S,C2,N1,U4,PR1,01/07/2020,X1,,,,
K1,01/07/2020,P,C2,N1,K2,PR4,01/10/2020,X1,,,,
K1,01/10/2020,L,C1,N1,K2,PR4,,,,,,
K2,01/05/2019,S,V2,N1,U1,PR1,,,,,,
K3,01/05/2020,S,C1,N1,P1,PR0,01/08/2020,E4A,,,,
K3,01/09/2020,S,V3,N1,U6,PR1,05/09/2020,E13,,,,
K3,01/12/2020,S,C2,N1,U6,PR4,,,,,,
K4,01/03/2020,S,C1,N1,U3,PR1,01/11/2020,X1,,,,
K4,01/11/2020,P,C2,N1,A4,PR1,,,,,,
K5,01/06/2020,S,C2,N1,K2,PR1,,,,,,
K5,01/06/2020,S,C2,N1,K2,PR1,01/09/2020,X1,,,,
K5,15/08/2020,P,C2,N1,U6,PR1,10/01/2021,E45,,,,
K6,01/06/2020,S,C2,N1,U6,PR1,,,,,,
K7,31/02/2020,S,C2,N1,U6,PR1,,,,,,
K8,01/04/2020,S,C2,N1,K2,PR4,01/01/2021,E4A,,,,
";

const HEADER: &str = "\
CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
K1,1,2010-01-15,WBRI,,,
K2,2,2002-06-10,WBRI,,,
K3,1,2015-03-01,WBRI,,,
K4,2,2020-02-10,WBRI,,,
K5,1,2008-08-08,WBRI,,,
K7,1,2010-01-01,WBRI,,,
K8,2,2003-01-01,WBRI,,,
";

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::from_ymd(y, m, day).unwrap()
}

fn histories(options: &CleanOptions) -> CareHistories {
    let tables = ReturnTables::new()
        .with_episodes(TableSource::from_bytes("episodes.csv", EPISODES))
        .with_header(TableSource::from_bytes("header.csv", HEADER));
    load(&tables, options).unwrap()
}

fn period() -> AggregateOptions {
    AggregateOptions { from: Some(d(2020, 4, 1)), to: Some(d(2021, 3, 31)), ..AggregateOptions::default() }
}

fn exposure(a: &Aggregates, band: &str, group: &str) -> u64 {
    a.exposure.iter().find(|c| c.age_band == band && c.placement_group == group).map(|c| c.exposure_days).unwrap()
}

fn entries(a: &Aggregates, band: &str, group: &str) -> u64 {
    a.entries.iter().find(|c| c.age_band == band && c.placement_group == group).map(|c| c.entries).unwrap()
}

fn exits(a: &Aggregates, band: &str, group: &str, reason: ReasonGroup) -> u64 {
    a.exits
        .iter()
        .find(|c| c.age_band == band && c.placement_group == group && c.reason_group == reason)
        .map(|c| c.exits)
        .unwrap()
}

fn moves(a: &Aggregates, band: &str, from: &str, to: &str) -> u64 {
    a.moves
        .iter()
        .find(|c| c.age_band == band && c.from_placement_group == from && c.to_placement_group == to)
        .map(|c| c.moves)
        .unwrap()
}

fn issue_count(h: &CareHistories, reason: IssueReason) -> usize {
    h.issues().iter().filter(|i| i.reason == reason).count()
}

#[test]
fn exposure_days_by_cell() {
    let a = histories(&CleanOptions::default()).aggregate(&period()).unwrap();
    // K1: U4/PR1 1 Apr - 1 Jul 2020 = 30+31+30; K5: U6/PR1 15 Aug 2020 - 10 Jan 2021 = 17+30+31+30+31+9.
    assert_eq!(exposure(&a, "10_15", "foster_in_house"), 91 + 148);
    // K1: K2 1 Jul 2020 - 1 Apr 2021 = 31+31+30+31+30+31+31+28+31; K5: K2 1 Jun - 15 Aug = 30+31+14.
    assert_eq!(exposure(&a, "10_15", "childrens_home"), 274 + 75);
    // K2 (born 10 Jun 2002): 1 Apr - 10 Jun 2020, then care ends at 18.
    assert_eq!(exposure(&a, "16_17", "foster_kinship"), 70);
    // K8: 1 Apr 2020 - 1 Jan 2021.
    assert_eq!(exposure(&a, "16_17", "childrens_home"), 275);
    // K3: P1 1 May - 1 Aug; U6/PR4 1 Dec - 1 Apr (the V3 short break is left out).
    assert_eq!(exposure(&a, "5_9", "with_parents"), 92);
    assert_eq!(exposure(&a, "5_9", "foster_agency"), 121);
    // K4 (born 10 Feb 2020): U3 1 Apr - 1 Nov under 1; A4 1 Nov - 10 Feb under 1, 10 Feb - 1 Apr aged 1.
    assert_eq!(exposure(&a, "under_1", "foster_kinship"), 214);
    assert_eq!(exposure(&a, "under_1", "placed_for_adoption"), 101);
    assert_eq!(exposure(&a, "1_4", "placed_for_adoption"), 50);
    let total: u64 = a.exposure.iter().map(|c| c.exposure_days).sum();
    assert_eq!(total, 239 + 349 + 70 + 275 + 92 + 121 + 214 + 101 + 50);
    assert_eq!(a.outside_bands.exposure_days, 0);
    assert_eq!(a.period_days, 365);
}

#[test]
fn stock_at_dates() {
    let h = histories(&CleanOptions::default());
    let opts = period();
    // 1 Apr 2020: K1, K2, K4, K8.
    assert_eq!(h.stock_at(d(2020, 4, 1), &opts).unwrap().total_children, 4);
    // 10 Jun 2020: K2 has left on the birthday; K1, K3, K4, K5, K8 in care.
    let s = h.stock_at(d(2020, 6, 10), &opts).unwrap();
    assert_eq!(s.total_children, 5);
    let cell = |s: &carecast_ssda903::StockSnapshot, b: &str, g: &str| {
        s.cells.iter().find(|c| c.age_band == b && c.placement_group == g).unwrap().children
    };
    assert_eq!(cell(&s, "16_17", "foster_kinship"), 0);
    assert_eq!(cell(&s, "10_15", "childrens_home"), 1);
    assert_eq!(cell(&s, "10_15", "foster_in_house"), 1);
    // 9 Jun 2020: K2 is still 17.
    assert_eq!(cell(&h.stock_at(d(2020, 6, 9), &opts).unwrap(), "16_17", "foster_kinship"), 1);
    // The period's stock snapshots: only `to` (31 Mar 2021), with K1, K3, K4.
    let a = h.aggregate(&opts).unwrap();
    assert_eq!(a.stock.len(), 1);
    assert_eq!(a.stock[0].date, d(2021, 3, 31));
    assert_eq!(a.stock[0].total_children, 3);
    assert_eq!(cell(&a.stock[0], "10_15", "childrens_home"), 1);
    assert_eq!(cell(&a.stock[0], "5_9", "foster_agency"), 1);
    assert_eq!(cell(&a.stock[0], "1_4", "placed_for_adoption"), 1);
}

#[test]
fn entries_exits_and_moves() {
    let a = histories(&CleanOptions::default()).aggregate(&period()).unwrap();
    // Entries in the period: K3 twice (the short break between is left out), K5, K8.
    assert_eq!(a.entries.iter().map(|c| c.entries).sum::<u64>(), 4);
    assert_eq!(entries(&a, "5_9", "with_parents"), 1);
    assert_eq!(entries(&a, "5_9", "foster_agency"), 1);
    assert_eq!(entries(&a, "10_15", "childrens_home"), 1); // K5 (K8 is 17)
    assert_eq!(entries(&a, "16_17", "childrens_home"), 1);
    // Exits: K2 and K8 reach 18 (K8's REC E4A on the 18th birthday), K3 returns home,
    // K5 leaves on an SGO. K1's X1 episodes are not exits.
    assert_eq!(a.exits.iter().map(|c| c.exits).sum::<u64>(), 4);
    assert_eq!(exits(&a, "16_17", "foster_kinship", ReasonGroup::Reached18), 1);
    assert_eq!(exits(&a, "16_17", "childrens_home", ReasonGroup::Reached18), 1);
    assert_eq!(exits(&a, "5_9", "with_parents", ReasonGroup::ReturnedHome), 1);
    assert_eq!(exits(&a, "10_15", "foster_in_house", ReasonGroup::SpecialGuardianship), 1);
    // Moves: K1 U4 -> K2 (the later K2 -> K2 legal-status change is not a move),
    // K4 U3 -> A4, K5 K2 -> U6 (overlap trimmed).
    assert_eq!(a.moves.iter().map(|c| c.moves).sum::<u64>(), 3);
    assert_eq!(moves(&a, "10_15", "foster_in_house", "childrens_home"), 1);
    assert_eq!(moves(&a, "under_1", "foster_kinship", "placed_for_adoption"), 1);
    assert_eq!(moves(&a, "10_15", "childrens_home", "foster_in_house"), 1);
}

#[test]
fn rates_from_counts_and_exposure() {
    let a = histories(&CleanOptions::default()).aggregate(&period()).unwrap();
    let r = a
        .exit_rates
        .iter()
        .find(|r| {
            r.age_band == "5_9" && r.placement_group == "with_parents" && r.reason_group == ReasonGroup::ReturnedHome
        })
        .unwrap();
    let months = 92.0 / (365.25 / 12.0);
    assert!((r.exposure_months - months).abs() < 1e-12);
    assert!((r.monthly_exit_probability - (1.0 - (-1.0 / months).exp())).abs() < 1e-12);
    assert!(r.monthly_exit_probability_95.lower < r.monthly_exit_probability);
    assert!(r.monthly_exit_probability_95.upper > r.monthly_exit_probability);
    assert!(r.small_cell);
    // No exposure, no rate row.
    assert!(!a.exit_rates.iter().any(|r| r.age_band == "under_1" && r.placement_group == "childrens_home"));
    // Entry rates: 4 entries in a 365-day year; shares sum to 1.
    let per_year: f64 = a.entry_rates.iter().map(|r| r.entries_per_year).sum();
    assert!((per_year - 4.0 * 365.25 / 365.0).abs() < 1e-9);
    let share: f64 = a.entry_rates.iter().map(|r| r.entry_share).sum();
    assert!((share - 1.0).abs() < 1e-12);
    let m = a
        .move_rates
        .iter()
        .find(|r| {
            r.age_band == "under_1"
                && r.from_placement_group == "foster_kinship"
                && r.to_placement_group == "placed_for_adoption"
        })
        .unwrap();
    assert_eq!(m.moves, 1);
    assert!((m.monthly_move_probability - (1.0 - (-1.0f64 / (214.0 / (365.25 / 12.0))).exp())).abs() < 1e-12);
}

#[test]
fn cleaning_issues_are_reported() {
    let h = histories(&CleanOptions::default());
    assert_eq!(issue_count(&h, IssueReason::DuplicateEpisode), 1); // K5 01/06/2020 twice
    assert_eq!(issue_count(&h, IssueReason::OverlapTrimmed), 1); // K5 K2 to 01/09 vs U6 from 15/08
    assert_eq!(issue_count(&h, IssueReason::ShortBreakExcluded), 1); // K3 V3
    assert_eq!(issue_count(&h, IssueReason::NoDateOfBirth), 1); // K6
    assert_eq!(issue_count(&h, IssueReason::InvalidDate), 1); // K7 31/02/2020
    assert_eq!(issue_count(&h, IssueReason::CareAfter18Trimmed), 1); // K2 open past 18
    let bad = h.issues().iter().find(|i| i.reason == IssueReason::InvalidDate).unwrap();
    assert_eq!((&*bad.file, bad.row, bad.column, bad.value.as_str()), ("episodes.csv", 15, "DECOM", "31/02/2020"));
    assert_eq!(bad.action, IssueAction::Dropped);
    let overlap = h.issues().iter().find(|i| i.reason == IssueReason::OverlapTrimmed).unwrap();
    assert_eq!((overlap.row, overlap.column, overlap.action), (12, "DEC", IssueAction::Adjusted));
    let s = h.summary();
    assert_eq!(s.episode_rows_read, 15);
    assert_eq!(s.duplicate_episodes, 1);
    assert_eq!(s.short_break_episodes, 1);
    // 15 rows - K6 - K7 - 1 duplicate - 1 short break.
    assert_eq!(s.episodes_used, 11);
    assert_eq!(s.children_used, 6);
    // Every dropped row is accounted for in the issue counts.
    let dropped: u64 = s.issue_counts.iter().filter(|c| c.action == IssueAction::Dropped).map(|c| c.rows).sum();
    assert_eq!(dropped + s.episodes_used, s.episode_rows_read);
}

#[test]
fn short_breaks_can_be_kept() {
    let h = histories(&CleanOptions { keep_short_breaks: true, ..CleanOptions::default() });
    let a = h.aggregate(&period()).unwrap();
    // K3's short break: U6/PR1 1-5 Sep 2020 = 4 days, one more entry and exit.
    assert_eq!(exposure(&a, "5_9", "foster_in_house"), 4);
    assert_eq!(a.entries.iter().map(|c| c.entries).sum::<u64>(), 5);
    assert_eq!(exits(&a, "5_9", "foster_in_house", ReasonGroup::ReturnedHome), 1);
}

#[test]
fn merged_groups_and_custom_bands() {
    let h = histories(&CleanOptions::default());
    let scheme = PlacementScheme::merged(&[
        ("foster", &[PlacementGroup::FosterKinship, PlacementGroup::FosterInHouse, PlacementGroup::FosterAgency]),
        (
            "other",
            &[
                PlacementGroup::ChildrensHome,
                PlacementGroup::IndependentLiving,
                PlacementGroup::WithParents,
                PlacementGroup::PlacedForAdoption,
                PlacementGroup::OtherResidential,
                PlacementGroup::ResidentialSchool,
                PlacementGroup::Other,
            ],
        ),
    ])
    .unwrap();
    let opts = AggregateOptions {
        placements: scheme,
        age_bands: vec![carecast_ssda903::AgeBand::new("0_9", 0, 10), carecast_ssda903::AgeBand::new("10_17", 10, 18)],
        ..period()
    };
    let a = h.aggregate(&opts).unwrap();
    assert_eq!(exposure(&a, "10_17", "foster"), 91 + 148 + 70);
    assert_eq!(exposure(&a, "0_9", "foster"), 121 + 214);
    // All three moves cross foster/other.
    assert_eq!(a.moves.iter().map(|c| c.moves).sum::<u64>(), 3);
    assert!(PlacementScheme::merged(&[("foster", &[PlacementGroup::FosterKinship])]).is_err());
}

#[test]
fn daily_totals_match_exposure_and_stock() {
    let h = histories(&CleanOptions::default());
    let opts = AggregateOptions { daily_stock_totals: true, ..period() };
    let a = h.aggregate(&opts).unwrap();
    let daily = a.daily_stock_totals.as_ref().unwrap();
    assert_eq!(daily.len(), 365);
    let total: u64 = daily.iter().map(|d| d.children).sum();
    assert_eq!(total, a.exposure.iter().map(|c| c.exposure_days).sum::<u64>());
    for day in [d(2020, 4, 1), d(2020, 6, 10), d(2021, 3, 31)] {
        let on = daily.iter().find(|x| x.date == day).unwrap().children;
        assert_eq!(on, h.stock_at(day, &opts).unwrap().total_children, "{day}");
    }
}

#[test]
fn uasc_filter_from_header_column() {
    let header = HEADER
        .replace("MC_DOB\n", "MC_DOB,UASC\n")
        .replace(",,,\n", ",,,,0\n")
        .replace("K8,2,2003-01-01,WBRI,,,,0", "K8,2,2003-01-01,WBRI,,,,1");
    let tables = ReturnTables::new()
        .with_episodes(TableSource::from_bytes("episodes.csv", EPISODES))
        .with_header(TableSource::from_bytes("header.csv", header));
    let h = load(&tables, &CleanOptions::default()).unwrap();
    assert_eq!(h.summary().uasc_children_used, 1);
    let only = h.aggregate(&AggregateOptions { uasc: UascFilter::OnlyUasc, ..period() }).unwrap();
    assert_eq!(only.exposure.iter().map(|c| c.exposure_days).sum::<u64>(), 275);
    let without = h.aggregate(&AggregateOptions { uasc: UascFilter::ExcludeUasc, ..period() }).unwrap();
    assert_eq!(without.exposure.iter().map(|c| c.exposure_days).sum::<u64>(), 1511 - 275);
}

#[test]
fn default_period_is_the_data_span() {
    let h = histories(&CleanOptions::default());
    // Earliest episode end 10 Jun 2020 (K2 at 18) -> from 1 Apr 2020; latest date: K5's DEC 10 Jan 2021.
    let (from, to) = h.data_span().unwrap();
    assert_eq!(from, d(2020, 4, 1));
    assert_eq!(to, d(2021, 1, 10));
}
