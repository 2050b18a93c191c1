//! Generated returns with known rates: the estimated monthly exit and move
//! probabilities and the entry counts recover the true values within
//! sampling error (3 standard errors from the counts), through the whole
//! read-clean-aggregate path including de-duplication of stacked returns.
//!
//! This is not a timing benchmark (see `benches/engine.rs` at the repository root).

use carecast_ssda903::testing::KnownRates;
use carecast_ssda903::{
    AggregateOptions, Aggregates, CleanOptions, IssueReason, ReasonGroup, ReturnTables, TableSource,
    generate_synthetic_return, load,
};

fn run(seed: u64, n_children: usize, rates: &KnownRates) -> (Aggregates, carecast_ssda903::CareHistories, usize) {
    let (eps, hdr) = generate_synthetic_return(seed, n_children, rates);
    let rows = eps.lines().count() - 1;
    let tables = ReturnTables::new()
        .with_episodes(TableSource::from_bytes("synthetic-episodes.csv", eps))
        .with_header(TableSource::from_bytes("synthetic-header.csv", hdr));
    let h = load(&tables, &CleanOptions::default()).unwrap();
    let (from, to) = rates.period();
    let a = h.aggregate(&AggregateOptions { from: Some(from), to: Some(to), ..AggregateOptions::default() }).unwrap();
    (a, h, rows)
}

/// Within `k` standard errors of a rate estimated from a Poisson count.
fn assert_rate_close(events: u64, exposure_months: f64, true_p: f64, k: f64, what: &str) {
    let hazard = events as f64 / exposure_months;
    let true_hazard = -(1.0 - true_p).ln();
    let se = (events.max(1) as f64).sqrt() / exposure_months;
    assert!(
        (hazard - true_hazard).abs() < k * se,
        "{what}: estimated hazard {hazard:.5} vs true {true_hazard:.5} (se {se:.5}, {events} events)"
    );
}

#[test]
fn recovers_known_exit_move_and_entry_rates() {
    let rates = KnownRates::default();
    let (a, h, _) = run(42, 1500, &rates);
    let months: f64 = a.exposure.iter().map(|c| c.exposure_days).sum::<u64>() as f64 / (365.25 / 12.0);
    // All non-18 exits together.
    let non18: u64 = a.exits.iter().filter(|c| c.reason_group != ReasonGroup::Reached18).map(|c| c.exits).sum();
    assert!(non18 > 1000, "{non18}");
    assert_rate_close(non18, months, rates.monthly_exit_probability, 3.0, "all exits");
    // By reason.
    for r in [ReasonGroup::ReturnedHome, ReasonGroup::Adoption, ReasonGroup::SpecialGuardianship, ReasonGroup::Other] {
        let n: u64 = a.exits.iter().filter(|c| c.reason_group == r).map(|c| c.exits).sum();
        assert_rate_close(n, months, rates.monthly_exit_probability_for(r).unwrap(), 3.0, r.id());
    }
    // The published per-cell probabilities agree with the counts: pooled over the
    // biggest cell, and every cell's interval is sane.
    let big = a
        .exit_rates
        .iter()
        .filter(|r| r.reason_group == ReasonGroup::ReturnedHome)
        .max_by(|x, y| x.exposure_months.total_cmp(&y.exposure_months))
        .unwrap();
    assert_rate_close(
        big.exits,
        big.exposure_months,
        rates.monthly_exit_probability_for(ReasonGroup::ReturnedHome).unwrap(),
        3.0,
        "biggest cell",
    );
    // Moves: every move changes group; X1 legal-status changes are not moves.
    let moves: u64 = a.moves.iter().map(|c| c.moves).sum();
    assert_rate_close(moves, months, rates.monthly_move_probability, 3.0, "moves");
    // Entries: Poisson with mean monthly_entries * months in period.
    let period_months = a.period_days as f64 / (365.25 / 12.0);
    let expected = rates.monthly_entries * period_months;
    let entries: u64 = a.entries.iter().map(|c| c.entries).sum();
    assert!((entries as f64 - expected).abs() < 3.0 * expected.sqrt(), "entries {entries} vs {expected}");
    let per_year: f64 = a.entry_rates.iter().map(|r| r.entries_per_year).sum();
    assert!((per_year - rates.monthly_entries * 12.0).abs() < 3.0 * expected.sqrt() * 12.0 / period_months);
    // Entry mix: foster_in_house share 0.3 within 3 binomial SE.
    let n_ih: u64 = a.entries.iter().filter(|c| c.placement_group == "foster_in_house").map(|c| c.entries).sum();
    let p = 0.3;
    assert!(((n_ih as f64 / entries as f64) - p).abs() < 3.0 * (p * (1.0 - p) / entries as f64).sqrt());
    // Short breaks were generated and excluded; stacked returns were de-duplicated.
    assert!(h.summary().short_break_episodes > 100);
    assert!(h.summary().duplicate_episodes > 1000);
    assert!(a.exits.iter().filter(|c| c.reason_group == ReasonGroup::Reached18).map(|c| c.exits).sum::<u64>() > 50);
    // Clean generated data: no issues except the cleaning ones.
    assert!(
        h.issues().iter().all(|i| matches!(i.reason, IssueReason::DuplicateEpisode | IssueReason::ShortBreakExcluded)),
        "{:?}",
        h.issues()
            .iter()
            .find(|i| !matches!(i.reason, IssueReason::DuplicateEpisode | IssueReason::ShortBreakExcluded))
    );
}

#[test]
fn a_wrong_rate_is_detected() {
    // The check above can fail: the same data against a 20% higher true rate does.
    let rates = KnownRates::default();
    let (a, _, _) = run(7, 1500, &rates);
    let months: f64 = a.exposure.iter().map(|c| c.exposure_days).sum::<u64>() as f64 / (365.25 / 12.0);
    let non18: u64 = a.exits.iter().filter(|c| c.reason_group != ReasonGroup::Reached18).map(|c| c.exits).sum();
    let wrong = 1.0 - (1.0 - rates.monthly_exit_probability).powf(1.2);
    let result = std::panic::catch_unwind(|| assert_rate_close(non18, months, wrong, 3.0, "wrong"));
    assert!(result.is_err());
}

#[test]
fn generator_is_deterministic() {
    let rates = KnownRates { collection_years: 2, ..KnownRates::default() };
    assert_eq!(generate_synthetic_return(1, 50, &rates), generate_synthetic_return(1, 50, &rates));
    assert_ne!(generate_synthetic_return(1, 50, &rates).0, generate_synthetic_return(2, 50, &rates).0);
}
