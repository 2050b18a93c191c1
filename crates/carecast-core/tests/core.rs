//! Tests of the simulation core against closed forms, conservation laws and
//! random inputs (proptest). Expectations are derived by hand, not by running
//! the code under test.

use carecast_core::calibrate::{CalibrationSpec, PublishedYear, calibrate, hazard_to_monthly};
use carecast_core::*;
use proptest::prelude::*;

/// One band per single year of age when `single_years`, else DfE's five bands.
fn dims(single_years: bool, placements: &[&str], reasons: &[&str]) -> Dimensions {
    let age_bands = if single_years {
        (0..18).map(|a| AgeBand { id: format!("age_{a}"), from_years: a, to_years: a + 1 }).collect()
    } else {
        [("under_1", 0, 1), ("1_4", 1, 5), ("5_9", 5, 10), ("10_15", 10, 16), ("16_17", 16, 18)]
            .iter()
            .map(|(id, f, t)| AgeBand { id: id.to_string(), from_years: *f, to_years: *t })
            .collect()
    };
    Dimensions {
        age_bands,
        placements: placements.iter().map(|s| s.to_string()).collect(),
        exit_reasons: reasons.iter().map(|s| s.to_string()).collect(),
        ageing_out_reason: "reached_18".into(),
        other_spend_lines: vec![],
    }
}

fn year(d: &Dimensions, year: i32) -> YearParams {
    let (nb, np, nr) = (d.n_bands(), d.n_placements(), d.n_reasons());
    let mut entry_mix = vec![0.0; nb * np];
    for b in 0..nb {
        entry_mix[b * np] = 1.0;
    }
    YearParams {
        year,
        population_by_age: [0.0; AGES],
        entry_rate_per_10k: vec![0.0; nb],
        entry_count_per_year: Some(vec![0.0; nb]),
        entry_age_weights: [1.0; AGES],
        entry_mix,
        monthly_exit_probability: vec![0.0; nb * np * nr],
        monthly_move_probability: vec![0.0; nb * np * np],
        reconciliation_per_year: vec![0.0; nb],
        transfers: vec![],
        capacities: vec![],
        weekly_cost_gbp: vec![0.0; np],
        other_cla_weekly_cost_gbp: 0.0,
        care_leaver_annual_cost_gbp: 0.0,
        other_lines_gbp: vec![],
        funding_gbp: 0.0,
        workforce: None,
        deflator: 1.0,
    }
}

fn model(d: Dimensions, start: Vec<f64>, years: Vec<YearParams>) -> Model {
    Model { dims: d, start_year: 2025, initial: InitialState { stock: start, care_leavers: [0.0; LEAVER_AGES] }, years }
}

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want} (tol {tol})");
}

/// One stock with constant monthly entries E and exit probability m follows
/// S(t) = E/m + (S0 - E/m)(1 - m)^t at month ends. Ageing is removed by putting
/// everyone in a single-year band 5 with entries at age 5 only... ageing would
/// move them, so instead we check the whole-population total with one band
/// covering 0..18 and no one near 18 (entries at age 0, 3-year horizon).
#[test]
fn single_stock_closed_form() {
    let mut d = dims(false, &["foster"], &["other"]);
    d.age_bands = vec![AgeBand { id: "all".into(), from_years: 0, to_years: 18 }];
    let (e_per_month, m, s0) = (50.0, 0.03, 400.0);
    let mut years = Vec::new();
    for k in 1..=3 {
        let mut y = year(&d, 2025 + k);
        y.entry_count_per_year = Some(vec![e_per_month * 12.0]);
        let mut w = [0.0; AGES];
        w[0] = 1.0; // all entries at age 0, far from 18
        y.entry_age_weights = w;
        y.monthly_exit_probability = vec![m];
        years.push(y);
    }
    let mut start = vec![0.0; AGES];
    start[2] = s0; // two-year-olds: nobody reaches 18 in 3 years
    let mut month_ends = Vec::new();
    simulate_with(&model(d, start, years), &mut Expected, |f| month_ends.push(f.stock_after)).unwrap();
    let eq = e_per_month / m;
    for (t, got) in month_ends.iter().enumerate() {
        let want = eq + (s0 - eq) * (1.0 - m).powi(t as i32 + 1);
        close(*got, want, 1e-9 * want, &format!("month {}", t + 1));
    }
}

/// P(Binomial(n, p) = k).
fn binom(n: u32, k: u32, p: f64) -> f64 {
    if k > n {
        return 0.0;
    }
    let mut c = 1.0;
    for i in 0..k {
        c *= (n - i) as f64 / (i + 1) as f64;
    }
    c * p.powi(k as i32) * (1.0 - p).powi((n - k) as i32)
}

/// Pure ageing: with single-year bands and no flows, the mean age of a cohort
/// rises by exactly 1/12 year a month (uniform birthdays: each month 1/12 of a
/// year of age moves up), and the number of birthdays a child has had after t
/// months is Binomial(t, 1/12). Two years keep everyone well below 18.
#[test]
fn pure_ageing_moves_a_cohort_on_schedule() {
    let d = dims(true, &["foster"], &[]);
    let years: Vec<_> = (1..=2).map(|k| year(&d, 2025 + k)).collect();
    let mut start = vec![0.0; AGES];
    start[4] = 1000.0;
    let proj = simulate(&model(d, start, years)).unwrap();
    for (k, y) in proj.years.iter().enumerate() {
        let total: f64 = y.stock.iter().sum();
        // Reaching 18 from 4 takes 14 birthdays: P(Binomial(24, 1/12) >= 14) < 1e-9.
        close(total, 1000.0, 1e-6, "children conserved");
        let mean_age: f64 = y.stock.iter().enumerate().map(|(a, s)| a as f64 * s).sum::<f64>() / total;
        close(mean_age, 4.0 + k as f64, 1e-6, &format!("mean age after {k} years"));
        for moved in 0..4u32 {
            let want = 1000.0 * binom(12 * k as u32, moved, 1.0 / 12.0);
            close(y.stock[4 + moved as usize], want, 1e-9, &format!("aged {} after {k} years", 4 + moved));
        }
    }
}

/// With DfE bands the cohort leaves `1_4` on schedule too: after 12 months a
/// cohort that started at age 4 is in 5_9 if it had 1 to 5 birthdays.
#[test]
fn ageing_through_bands() {
    let d = dims(false, &["foster"], &[]);
    let mut start = vec![0.0; AGES];
    start[4] = 1200.0;
    let proj = simulate(&model(d.clone(), start, vec![year(&d, 2026)])).unwrap();
    let y = &proj.years[1];
    close(y.stock[1], 1200.0 * (11.0f64 / 12.0).powi(12), 1e-9, "still 1_4");
    let in_5_9: f64 = (1..=5).map(|k| binom(12, k, 1.0 / 12.0)).sum();
    close(y.stock[2], 1200.0 * in_5_9, 1e-9, "now 5_9");
}

/// Children reaching 18 leave care with the ageing-out reason and join the
/// care-leaver stock, which they leave at 26.
#[test]
fn reaching_18_makes_care_leavers() {
    let d = dims(false, &["foster"], &[]);
    let mut start = vec![0.0; AGES];
    start[17] = 120.0;
    let proj = simulate(&model(d.clone(), start, vec![year(&d, 2026)])).unwrap();
    let y = &proj.years[1];
    let left = 120.0 * (1.0 - (11.0f64 / 12.0).powi(12));
    close(y.ceased_total(), left, 1e-9, "aged out");
    // A leaver would need 8 birthdays in under a year to leave at 26:
    // P(Binomial(12, 1/12) >= 8) < 1e-6, so at most ~1e-4 of 78 leavers.
    close(y.care_leavers, left, 1e-4, "care leavers");
}

/// N children at c a week for a financial year cost N * c * 365 / 7 (the
/// day-count convention: 365-day years, months of 365/12 days).
#[test]
fn cost_of_a_year() {
    let d = dims(true, &["childrens_home"], &[]);
    let mut y = year(&d, 2026);
    y.weekly_cost_gbp = vec![7385.0];
    let mut start = vec![0.0; AGES];
    start[2] = 100.0; // 16 birthdays in 12 months are impossible: nobody leaves
    let proj = simulate(&model(d, start, vec![y])).unwrap();
    close(proj.years[1].spend_cla_gbp(), 100.0 * 7385.0 * 365.0 / 7.0, 1e-3, "spend");
}

/// A stock S0 with monthly exit probability m and nothing else holds
/// S0 (1-m)^t children after t months, so a quarter q (1-4) of the first year
/// ends with S0 (1-m)^{3q} and, by the trapezium rule over its three months,
/// lives S0 (1-m)^{3(q-1)} (1 + (1-m)) (1 + (1-m) + (1-m)^2) / 2 child-months;
/// its spend is those child-weeks at the placement and other weekly costs and
/// its care leavers' years at their annual cost, plus a quarter of the year's
/// other social care line.
#[test]
fn quarters_of_a_leaving_stock_follow_the_closed_form() {
    let mut d = dims(false, &["foster"], &["other"]);
    d.other_spend_lines = vec!["early_help".into()];
    let (m, s0, weekly, other_weekly, line) = (0.04, 1000.0, 900.0, 100.0, 4.0e6);
    let mut y = year(&d, 2026);
    y.monthly_exit_probability = vec![m; d.n_bands()];
    y.weekly_cost_gbp = vec![weekly];
    y.other_cla_weekly_cost_gbp = other_weekly;
    y.other_lines_gbp = vec![line];
    let leaver_cost = 12_000.0;
    y.care_leaver_annual_cost_gbp = leaver_cost;
    let mut start = vec![0.0; AGES];
    start[5] = s0; // five-year-olds: nobody changes band or reaches 18 within a year
    let mut m0 = model(d, start, vec![y]);
    // Care leavers all at the oldest age: a twelfth of them leave each month,
    // so L_t = L0 (11/12)^t and a month lives (L_t + L_{t+1}) / 2 / 12 leaver-years.
    let leavers0 = 600.0;
    m0.initial.care_leavers[LEAVER_AGES - 1] = leavers0;
    let run = simulate(&m0).unwrap();
    let r = &run.years[1];
    let weeks_per_month = 365.0 / 12.0 / 7.0;
    let k = 1.0 - m;
    let kl: f64 = 11.0 / 12.0;
    for q in 0..4 {
        let leaver_years = leavers0 * kl.powi(3 * q as i32) * (1.0 + kl) * (1.0 + kl + kl * kl) / 2.0 / 12.0;
        close(
            r.quarter_care_leaver_years[q],
            leaver_years,
            1e-9 * leavers0,
            &format!("leaver-years in quarter {}", q + 1),
        );
        let want_leaving = leaver_years * leaver_cost;
        close(r.quarter_spend_leaving_care_gbp(q), want_leaving, 1e-6, &format!("leaving care in quarter {}", q + 1));
        let want_stock = s0 * k.powi(3 * (q as i32 + 1));
        close(r.quarter_stock_by_place[q], want_stock, 1e-9 * s0, &format!("stock at the end of quarter {}", q + 1));
        let child_months = s0 * k.powi(3 * q as i32) * (1.0 + k) * (1.0 + k + k * k) / 2.0;
        let want_weeks = child_months * weeks_per_month;
        close(r.quarter_child_weeks[q], want_weeks, 1e-9 * want_weeks, &format!("child-weeks in quarter {}", q + 1));
        let want_cla = want_weeks * (weekly + other_weekly) + want_leaving;
        close(r.quarter_spend_cla_gbp(q), want_cla, 1e-6, &format!("CLA spend in quarter {}", q + 1));
        close(r.quarter_spend_total_gbp(q), want_cla + line / 4.0, 1e-6, &format!("CSC spend in quarter {}", q + 1));
    }
}

/// Capacity: a placement never holds more than its capacity at a month end,
/// and the overflow goes to the stated placement.
#[test]
fn capacity_overflows_to_the_next_placement() {
    let d = dims(false, &["in_house", "agency"], &[]);
    let mut y = year(&d, 2026);
    y.entry_count_per_year = Some(vec![0.0, 0.0, 0.0, 1200.0, 0.0]);
    y.capacities = vec![Capacity { placement: 0, max_children: 150.0, overflow_to: 1 }];
    let mut start = vec![0.0; AGES * 2];
    start[12 * 2] = 100.0;
    let proj = simulate(&model(d, start, vec![y])).unwrap();
    let r = &proj.years[1];
    let in_house: f64 = (0..5).map(|b| r.stock[b * 2]).sum();
    close(in_house, 150.0, 1e-9, "in-house capped");
    close(r.children_in_care(), 1300.0 - (100.0 + 1200.0 - r.children_in_care()), 1e-9, "no one lost");
}

/// A transfer of N a month moves exactly min(N, stock).
#[test]
fn transfers_are_capped_at_the_stock() {
    let d = dims(true, &["a", "b"], &[]);
    let mut y = year(&d, 2026);
    y.transfers = vec![Transfer { from: 0, to: 1, children_per_month: 10.0 }];
    let mut start = vec![0.0; AGES * 2];
    start[5 * 2] = 25.0;
    let proj = simulate(&model(d, start, vec![y])).unwrap();
    close(proj.years[1].moves[1], 25.0, 1e-9, "moved a->b");
}

#[test]
fn invalid_probability_is_rejected_with_its_key() {
    let d = dims(false, &["foster"], &["other"]);
    let mut y = year(&d, 2026);
    y.monthly_exit_probability[0] = 1.5;
    let err = simulate(&model(d, vec![1.0; AGES], vec![y])).unwrap_err();
    assert!(err.to_string().contains("monthly_exit_probability"), "{err}");
}

/// Calibration recovers rates from data simulated with those rates and reduced
/// to the one-way margins DfE publishes (age; placement; exits by age; exits by reason).
#[test]
fn calibration_reproduces_the_margins_it_was_given() {
    let d = dims(false, &["foster", "home"], &["home_return", "other"]);
    let (nb, np, nr) = (5, 2, 2);
    let mut truth = year(&d, 2026);
    truth.population_by_age = [10_000.0; AGES];
    truth.entry_count_per_year = None;
    truth.entry_rate_per_10k = vec![30.0, 20.0, 10.0, 15.0, 25.0];
    truth.entry_age_weights = [10_000.0; AGES];
    truth.entry_mix = vec![1.0, 0.0, 1.0, 0.0, 0.9, 0.1, 0.8, 0.2, 0.7, 0.3];
    for b in 0..nb {
        for p in 0..np {
            for r in 0..nr {
                truth.monthly_exit_probability[(b * np + p) * nr + r] = 0.01 + 0.002 * r as f64;
            }
        }
    }
    let mut start = vec![0.0; AGES * np];
    for a in 0..AGES {
        start[a * np] = 40.0;
        start[a * np + 1] = if a >= 10 { 10.0 } else { 0.0 };
    }
    let mut years = Vec::new();
    for k in 1..=3 {
        let mut y = truth.clone();
        y.year = 2025 + k;
        years.push(y);
    }
    let m = Model { start_year: 2025, ..model(d.clone(), start, years) };
    let proj = simulate(&m).unwrap();
    let margins = |y: &YearResult| -> PublishedYear {
        let band = |v: &[f64], w: usize, b: usize| v[b * w..(b + 1) * w].iter().sum::<f64>();
        PublishedYear {
            year: y.year,
            stock_by_band: (0..nb).map(|b| band(&y.stock, np, b)).collect(),
            stock_by_placement: (0..np).map(|p| (0..nb).map(|b| y.stock[b * np + p]).sum()).collect(),
            starts_by_band: if y.is_start { None } else { Some((0..nb).map(|b| band(&y.starts, np, b)).collect()) },
            starts_total: y.starts_total(),
            ceased_by_band_under_18: (0..nb).map(|b| (0..nr).map(|r| y.ceased[b * (nr + 1) + r]).sum()).collect(),
            ceased_aged_18_plus: (0..nb).map(|b| y.ceased[b * (nr + 1) + nr]).sum(),
            ceased_by_reason: (0..nr).map(|r| (0..nb).map(|b| y.ceased[b * (nr + 1) + r]).sum()).collect(),
            population_by_age: [10_000.0; AGES],
        }
    };
    let published: Vec<_> = proj.years.iter().map(margins).collect();
    let mut allowed = vec![1.0; nb * np];
    for b in 0..3 {
        allowed[b * np + 1] = 0.0;
    }
    let spec =
        CalibrationSpec { dims: d, allowed, entry_mix: truth.entry_mix.clone(), reason_only_from: vec![], passes: 6 };
    let cal = calibrate(&spec, &published).unwrap();
    for (rates, p) in cal.years.iter().zip(&published[1..]) {
        for b in 0..nb {
            close(rates.entry_rate_per_10k[b], truth.entry_rate_per_10k[b], 1e-6, "entry rate");
        }
        // Totals by reason are matched to the published exits.
        let fit = cal.fit.iter().find(|f| f.year == p.year).unwrap();
        assert!(fit.max_band_error < 0.01, "{fit:?}");
        assert!(fit.max_placement_error < 0.01, "{fit:?}");
    }
    // Exit hazards by reason, averaged over placements, are recovered.
    let last = cal.years.last().unwrap();
    for b in 0..nb {
        for r in 0..nr {
            let got = last.monthly_exit_probability[(b * np) * nr + r];
            close(got, 0.01 + 0.002 * r as f64, 0.0015, &format!("exit prob band {b} reason {r}"));
        }
    }
    let _ = hazard_to_monthly(0.0);
}

fn arb_model() -> impl Strategy<Value = Model> {
    arb_model_with(3)
}

/// Random models with `np` placements (at least 3: a transfer from the second
/// to the third, a capacity on the third).
fn arb_model_with(np: usize) -> impl Strategy<Value = Model> {
    let nr = 2;
    let nb = 5;
    (
        prop::collection::vec(0.0f64..500.0, AGES * np),
        prop::collection::vec(0.0f64..0.6, nb * np * nr),
        prop::collection::vec(0.0f64..0.6, nb * np * np),
        prop::collection::vec(0.0f64..3000.0, nb),
        prop::collection::vec(-2000.0f64..2000.0, nb),
        0.0f64..300.0,
        1usize..4,
    )
        .prop_map(move |(stock, exits, moves, entries, recon, transfer, n_years)| {
            let names: Vec<String> = (0..np).map(|p| format!("p{p}")).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let d = dims(false, &names, &["x", "y"]);
            let mut years = Vec::new();
            for k in 1..=n_years {
                let mut y = year(&d, 2025 + k as i32);
                y.monthly_exit_probability = exits.clone();
                y.monthly_move_probability = moves.clone();
                y.entry_count_per_year = Some(entries.clone());
                y.reconciliation_per_year = recon.clone();
                y.transfers = vec![Transfer { from: 1, to: 2, children_per_month: transfer }];
                y.capacities = vec![Capacity { placement: 2, max_children: 400.0, overflow_to: 0 }];
                y.weekly_cost_gbp = (0..np).map(|p| 700.0 * (p + 1) as f64).collect();
                y.other_cla_weekly_cost_gbp = 150.0;
                y.care_leaver_annual_cost_gbp = 5000.0;
                years.push(y);
            }
            model(d, stock, years)
        })
}

/// The months of a run that break a flow invariant (see `invariants_hold`).
fn invariant_breaches<D: carecast_core::sim::FlowDraw>(m: &Model, draw: &mut D) -> Vec<String> {
    let mut bad = Vec::new();
    simulate_with(m, draw, |f| {
        let change = f.stock_after - f.stock_before;
        let scale = 1.0 + f.stock_before.abs() + f.entries + f.exits;
        if (change - (f.entries - f.exits)).abs() > 1e-9 * scale {
            bad.push(format!("{}-{}: change {change} vs {}", f.year, f.month, f.entries - f.exits));
        }
        if f.min_state_stock < 0.0 {
            bad.push(format!("negative stock {}", f.min_state_stock));
        }
        if f.max_outflow_ratio > 1.0 + 1e-12 {
            bad.push(format!("outflow ratio {}", f.max_outflow_ratio));
        }
    })
    .unwrap();
    bad
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Stocks never go negative; each month's stock change equals entries minus
    /// exits; no state's outflow exceeds its stock.
    #[test]
    fn invariants_hold(m in arb_model()) {
        let bad = invariant_breaches(&m, &mut Expected);
        prop_assert!(bad.is_empty(), "{:?}", bad);
    }

    /// The same invariants with process noise (drawn flows by band and
    /// placement), from one stream and from a stream per flow.
    #[test]
    fn invariants_hold_with_process_noise(m in arb_model(), seed in 0u64..1000) {
        let bad = invariant_breaches(&m, &mut carecast_core::noise::Stochastic::new(seed));
        prop_assert!(bad.is_empty(), "{:?}", bad);
        let bad = invariant_breaches(&m, &mut carecast_core::noise::Stochastic::keyed(seed));
        prop_assert!(bad.is_empty(), "keyed: {:?}", bad);
    }

    /// The quarters add up to their year: spend (by placement, other costs,
    /// leaving care, children looked after, children's social care) and
    /// child-weeks sum to the year's, and the last quarter's stock by
    /// placement is the year's at 31 March; with and without process noise.
    #[test]
    fn quarters_add_up_to_their_year(m in arb_model(), seed in 0u64..1000) {
        let np = m.dims.n_placements();
        for run in [simulate(&m).unwrap(), simulate_with(&m, &mut carecast_core::noise::Stochastic::new(seed), |_| {}).unwrap()] {
            for y in run.years.iter().filter(|y| !y.is_start) {
                let sum = |f: &dyn Fn(usize) -> f64| (0..QUARTERS).map(f).sum::<f64>();
                let near = |a: f64, b: f64| (a - b).abs() <= 1e-9 * (1.0 + b.abs());
                for p in 0..np {
                    let weeks = sum(&|q| y.quarter_child_weeks[q * np + p]);
                    prop_assert!(near(weeks, y.child_weeks[p]), "{} weeks {p}: {weeks} vs {}", y.year, y.child_weeks[p]);
                    let spend = sum(&|q| y.quarter_spend_placements_gbp(q).nth(p).unwrap());
                    prop_assert!(near(spend, y.spend_placements_gbp[p]), "{} spend {p}", y.year);
                    let at_31_march: f64 = (0..m.dims.n_bands()).map(|b| y.stock[b * np + p]).sum();
                    prop_assert!(near(y.quarter_stock_by_place[3 * np + p], at_31_march), "{} stock {p}", y.year);
                }
                prop_assert!(near(sum(&|q| y.quarter_care_leaver_years[q]), y.care_leaver_years));
                prop_assert!(near(sum(&|q| y.quarter_spend_other_cla_gbp(q)), y.spend_other_cla_gbp));
                prop_assert!(near(sum(&|q| y.quarter_spend_leaving_care_gbp(q)), y.spend_leaving_care_gbp));
                prop_assert!(near(sum(&|q| y.quarter_spend_cla_gbp(q)), y.spend_cla_gbp()));
                prop_assert!(near(sum(&|q| y.quarter_spend_total_gbp(q)), y.spend_total_gbp()));
            }
        }
    }

    /// A year without transfers takes the one-pass route (steps 1, 3 and 4
    /// fused); a transfer of no children takes the step-by-step route. Both
    /// must give the same projection to the last bit.
    /// With 3 to 12 placements the one-pass kernel is compiled for that
    /// number (padded to whole 256-bit registers); 13 takes the general code.
    #[test]
    fn one_pass_and_step_by_step_months_agree(m in (3usize..=13).prop_flat_map(arb_model_with)) {
        let mut without = m.clone();
        let mut with_empty = m;
        for (a, b) in without.years.iter_mut().zip(with_empty.years.iter_mut()) {
            a.transfers.clear();
            b.transfers = vec![Transfer { from: 1, to: 2, children_per_month: 0.0 }];
        }
        prop_assert_eq!(simulate(&without).unwrap(), simulate(&with_empty).unwrap());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// The simulator runs compiled for AVX2 where the processor has it
    /// (`carecast_simd::dispatch`); the baseline instructions must give the
    /// same projection to the last bit, with and without process noise. (On a
    /// processor without AVX2 both runs take the baseline path.)
    #[test]
    fn wide_and_baseline_instructions_agree(m in (3usize..=13).prop_flat_map(arb_model_with), seed in 0u64..1000) {
        let baseline = carecast_simd::baseline_only(|| simulate(&m).unwrap());
        prop_assert_eq!(simulate(&m).unwrap(), baseline);
        let noisy = |m: &Model| {
            simulate_with(m, &mut carecast_core::noise::Stochastic::new(seed), |_| {}).unwrap()
        };
        let baseline = carecast_simd::baseline_only(|| noisy(&m));
        prop_assert_eq!(noisy(&m), baseline);
    }
}

/// A stated stock path: a population with entries and exits follows 3% growth
/// a year from its start (a closed form independent of the rates), and each
/// year's stock change still equals its entries minus exits.
#[test]
fn stock_path_is_followed_and_flows_balance() {
    use carecast_core::path::follow_stock_path;
    let d = dims(false, &["foster", "home"], &["returned"]);
    let (nb, np) = (d.n_bands(), d.n_placements());
    let mut start = vec![0.0; AGES * np];
    for a in 0..AGES {
        start[a * np] = 100.0;
        start[a * np + 1] = 20.0;
    }
    let years: Vec<YearParams> = (2026..=2030)
        .map(|y| {
            let mut yp = year(&d, y);
            yp.entry_count_per_year = Some(vec![300.0; nb]);
            yp.monthly_exit_probability = vec![0.02; nb * np];
            yp
        })
        .collect();
    let mut m = model(d, start.clone(), years);
    let s0: f64 = start.iter().sum();
    let targets: Vec<(i32, f64)> = (2026..=2030).map(|y| (y, s0 * 1.03f64.powi(y - 2025))).collect();
    let added = follow_stock_path(&mut m, &targets).unwrap();
    assert_eq!(added.len(), 5);
    let run = simulate(&m).unwrap();
    for (y, t) in &targets {
        close(run.year(*y).unwrap().children_in_care(), *t, 0.5, &format!("stock {y}"));
    }
    for w in run.years.windows(2) {
        let recon: f64 = w[1].reconciliation.iter().sum();
        let change = w[1].children_in_care() - w[0].children_in_care();
        let flows = w[1].starts_total() + recon.max(0.0) - w[1].ceased_total() - (-recon).max(0.0);
        close(flows, change, 1e-6 * s0, "stock change = entries - exits");
    }
    // Unreachable or misplaced targets are errors, not panics.
    assert!(follow_stock_path(&mut m, &[(2026, -1.0)]).is_err());
    assert!(follow_stock_path(&mut m, &[(2099, 10.0)]).is_err());
}
