//! Calibration of monthly rates from DfE's published one-way margins.
//!
//! DfE publishes stock by age *or* by placement, exits by age *or* by reason,
//! starts by age with no placement, and no moves. For each financial year this
//! module:
//! 1. rakes the joint stock (band x placement) to the published margins at both
//!    ends of the year, with stated structural zeros ([`crate::ipf`]);
//! 2. rakes exits (band x reason, under-18s) to the published margins;
//! 3. sets entry rates per 10,000 from starts by age and the band population;
//! 4. sets exit hazards per (band, reason) from exits over average stock, the
//!    same across placements except a reason tied to one placement (adoption
//!    from `placed_for_adoption`);
//! 5. simulates the year and corrects, a few times over: exit probabilities
//!    are scaled to the published exits, net placement moves are added to
//!    reproduce the year-end placement mix within each band, and a signed
//!    reconciliation flow by band makes the year-end band stocks match (the
//!    published flows do not add up to the published stocks; the reconciliation
//!    is reported, never hidden);
//! 6. fits the tilt of the entry age weights in the last band (more 17- than
//!    16-year-olds) so that children reaching 18 match the published exits at
//!    18 and over.
//!
//! It is not a statistical fit with standard errors: that is the `calibrate`
//! command's job. It is pure: published figures come in as plain numbers.

use crate::error::CoreError;
use crate::ipf::ipf;
use crate::model::{AGES, Dimensions, InitialState, LEAVER_AGES, Model, YearParams};
use crate::sim::simulate;
use serde::Serialize;

/// Published figures for one year, already mapped to the model's ids.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedYear {
    /// Year ending 31 March.
    pub year: i32,
    /// Children in care at 31 March by model band.
    pub stock_by_band: Vec<f64>,
    /// Children in care at 31 March by model placement.
    pub stock_by_placement: Vec<f64>,
    /// Starts in the year by band (age on starting), if published.
    pub starts_by_band: Option<Vec<f64>>,
    /// Starts in the year.
    pub starts_total: f64,
    /// Exits in the year of children under 18, by band (age on ceasing).
    pub ceased_by_band_under_18: Vec<f64>,
    /// Exits in the year at 18 or over.
    pub ceased_aged_18_plus: f64,
    /// Exits in the year by model reason (not ageing out); sums with
    /// `ceased_aged_18_plus` to the year's total.
    pub ceased_by_reason: Vec<f64>,
    /// Child population by single year of age used for the year's rates
    /// (DfE uses the mid-year estimate of the June before 31 March).
    pub population_by_age: [f64; AGES],
}

/// The calibration's stated assumptions.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationSpec {
    /// Model dimensions.
    pub dims: Dimensions,
    /// `[band * n_placements + placement]`: 1 where a child of that band may be
    /// in that placement, 0 for a structural zero.
    pub allowed: Vec<f64>,
    /// Placement on entry by band (assumption; DfE does not publish it).
    pub entry_mix: Vec<f64>,
    /// An exit reason that happens only from one placement: (reason, placement).
    pub reason_only_from: Vec<(usize, usize)>,
    /// Correction passes per year.
    pub passes: usize,
}

/// Rates calibrated for one financial year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearRates {
    /// Year ending 31 March.
    pub year: i32,
    /// Annual entries per 10,000 children by band.
    pub entry_rate_per_10k: Vec<f64>,
    /// Entry age weights (population times the band's tilt).
    pub entry_age_weights: [f64; AGES],
    /// Tilt of the last band's entry age weights (log-odds per year of age).
    pub last_band_tilt: f64,
    /// `[(band * np + placement) * nr + reason]`.
    pub monthly_exit_probability: Vec<f64>,
    /// `[(band * np + from) * np + to]`.
    pub monthly_move_probability: Vec<f64>,
    /// Reconciliation by band, children a year (positive = in).
    pub reconciliation_per_year: Vec<f64>,
    /// Reconciliation by band per 10,000 children of the band's population.
    pub reconciliation_per_10k: Vec<f64>,
}

/// How well a calibrated year reproduces what was published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearFit {
    /// Year ending 31 March.
    pub year: i32,
    /// Net reconciliation flow (children; positive = more children than the flows explain).
    pub reconciliation: f64,
    /// Published minus simulated children reaching 18.
    pub ageing_out_gap: f64,
    /// Largest relative error of a year-end placement margin.
    pub max_placement_error: f64,
    /// Largest relative error of a year-end band margin.
    pub max_band_error: f64,
}

/// The result: start state, rates per year and the fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Joint stock at 31 March of the first published year, `[age * np + placement]`.
    pub start_stock: Vec<f64>,
    /// Rates per calibrated year (flows of that financial year).
    pub years: Vec<YearRates>,
    /// Fit per calibrated year.
    pub fit: Vec<YearFit>,
}

fn band_sums(stock_by_age: &[f64], dims: &Dimensions) -> Vec<f64> {
    let np = dims.n_placements();
    let boa = dims.band_of_age();
    let mut out = vec![0.0; dims.n_bands() * np];
    for a in 0..AGES {
        for p in 0..np {
            out[boa[a] * np + p] += stock_by_age[a * np + p];
        }
    }
    out
}

/// Entry age weights: population times `exp(tilt * (age - band start))` in the last band.
pub fn tilted_weights(dims: &Dimensions, population: &[f64; AGES], last_band_tilt: f64) -> [f64; AGES] {
    let mut w = *population;
    if let Some(last) = dims.age_bands.last() {
        for (a, wa) in w.iter_mut().enumerate().take(last.to_years).skip(last.from_years) {
            *wa *= (last_band_tilt * (a - last.from_years) as f64).exp();
        }
    }
    // A band with no population still needs weights.
    for band in &dims.age_bands {
        if (band.from_years..band.to_years).all(|a| w[a] <= 0.0) {
            for wa in w.iter_mut().take(band.to_years).skip(band.from_years) {
                *wa = 1.0;
            }
        }
    }
    w
}

/// Joint stock by band and placement raked to published margins.
pub fn joint_stock(spec: &CalibrationSpec, p: &PublishedYear) -> Result<Vec<f64>, CoreError> {
    let fit = ipf(&spec.allowed, &p.stock_by_band, &p.stock_by_placement, 1e-6, 500)
        .map_err(|e| CoreError::Calibration(format!("stock at 31 March {}: {e}", p.year)))?;
    Ok(fit.table)
}

/// Splits a band x placement table into single years of age by weights.
pub fn split_by_age(dims: &Dimensions, by_band: &[f64], weights: &[f64; AGES]) -> Vec<f64> {
    let np = dims.n_placements();
    let mut out = vec![0.0; AGES * np];
    for (b, band) in dims.age_bands.iter().enumerate() {
        let total: f64 = (band.from_years..band.to_years).map(|a| weights[a]).sum();
        for a in band.from_years..band.to_years {
            let share = if total > 0.0 { weights[a] / total } else { 1.0 / (band.to_years - band.from_years) as f64 };
            for p in 0..np {
                out[a * np + p] = by_band[b * np + p] * share;
            }
        }
    }
    out
}

fn band_population(dims: &Dimensions, population: &[f64; AGES]) -> Vec<f64> {
    dims.age_bands.iter().map(|b| (b.from_years..b.to_years).map(|a| population[a]).sum()).collect()
}

/// Monthly probability of an event with a constant annual hazard.
pub fn hazard_to_monthly(annual_hazard: f64) -> f64 {
    (1.0 - (-annual_hazard.max(0.0) / 12.0).exp()).clamp(0.0, 1.0)
}

/// Annual hazard of a monthly probability (inverse of [`hazard_to_monthly`]).
pub fn monthly_to_hazard(monthly_probability: f64) -> f64 {
    -12.0 * (1.0 - monthly_probability.clamp(0.0, 1.0 - 1e-12)).ln()
}

/// A one-year model for calibration: no money, only the flows.
fn one_year_model(
    dims: &Dimensions,
    year: i32,
    start: &[f64],
    rates: &YearRates,
    p: &PublishedYear,
    entry_mix: &[f64],
) -> Model {
    let np = dims.n_placements();
    Model {
        dims: Dimensions { other_spend_lines: Vec::new(), ..dims.clone() },
        start_year: year - 1,
        initial: InitialState { stock: start.to_vec(), care_leavers: [0.0; LEAVER_AGES] },
        years: vec![YearParams {
            year,
            population_by_age: p.population_by_age,
            entry_rate_per_10k: rates.entry_rate_per_10k.clone(),
            entry_count_per_year: None,
            entry_age_weights: rates.entry_age_weights,
            entry_mix: entry_mix.to_vec(),
            monthly_exit_probability: rates.monthly_exit_probability.clone(),
            monthly_move_probability: rates.monthly_move_probability.clone(),
            reconciliation_per_year: rates.reconciliation_per_year.clone(),
            transfers: Vec::new(),
            capacities: Vec::new(),
            weekly_cost_gbp: vec![0.0; np],
            other_cla_weekly_cost_gbp: 0.0,
            care_leaver_annual_cost_gbp: 0.0,
            other_lines_gbp: Vec::new(),
            funding_gbp: 0.0,
            workforce: None,
            deflator: 1.0,
        }],
    }
}

/// Calibrates every year after the first in `published` (which must be
/// consecutive). The first year supplies the start stock only.
pub fn calibrate(spec: &CalibrationSpec, published: &[PublishedYear]) -> Result<Calibration, CoreError> {
    let dims = &spec.dims;
    dims.validate()?;
    let (nb, np, nr) = (dims.n_bands(), dims.n_placements(), dims.n_reasons());
    if published.len() < 2 {
        return Err(CoreError::Calibration("need at least two consecutive years of published data".into()));
    }
    for w in published.windows(2) {
        if w[1].year != w[0].year + 1 {
            return Err(CoreError::Calibration(format!("years must be consecutive: {} then {}", w[0].year, w[1].year)));
        }
    }
    for p in published {
        let check = |what: &str, got: usize, want: usize| {
            if got != want {
                Err(CoreError::Calibration(format!("{} {what}: {want} values expected, got {got}", p.year)))
            } else {
                Ok(())
            }
        };
        check("stock_by_band", p.stock_by_band.len(), nb)?;
        check("stock_by_placement", p.stock_by_placement.len(), np)?;
        check("ceased_by_band_under_18", p.ceased_by_band_under_18.len(), nb)?;
        check("ceased_by_reason", p.ceased_by_reason.len(), nr)?;
    }
    let last_band = nb - 1;
    // Share of starts by band in the first year that publishes them, for years that do not.
    let fallback_start_shares: Option<Vec<f64>> = published.iter().find_map(|p| {
        p.starts_by_band.as_ref().map(|s| {
            let t: f64 = s.iter().sum();
            s.iter().map(|v| v / t.max(1.0)).collect()
        })
    });

    let first = &published[0];
    let joint0 = joint_stock(spec, first)?;
    let mut start: Vec<f64> = Vec::new();
    let mut start_stock = Vec::new();
    let mut years = Vec::new();
    let mut fits = Vec::new();

    for (k, pair) in published.windows(2).enumerate() {
        let (p0, p1) = (&pair[0], &pair[1]);
        let joint_end = joint_stock(spec, p1)?;
        let joint_start = band_sums_or(&start, dims).unwrap_or_else(|| joint0.clone());
        // Exits by band and reason (under 18), raked.
        let mut exit_seed = vec![1.0; nb * nr];
        for &(r, pl) in &spec.reason_only_from {
            for b in 0..nb {
                let allowed = spec.allowed[b * np + pl] > 0.0;
                exit_seed[b * nr + r] = if allowed { 1.0 } else { 0.0 };
            }
        }
        let exits = ipf(&exit_seed, &p1.ceased_by_band_under_18, &p1.ceased_by_reason, 1e-6, 500)
            .map_err(|e| CoreError::Calibration(format!("exits in {}: {e}", p1.year)))?
            .table;
        let starts_by_band = match (&p1.starts_by_band, &fallback_start_shares) {
            (Some(s), _) => s.clone(),
            (None, Some(shares)) => shares.iter().map(|s| s * p1.starts_total).collect(),
            (None, None) => {
                return Err(CoreError::Calibration(format!("no starts by age for {} or any year", p1.year)));
            }
        };
        let pop_band = band_population(dims, &p1.population_by_age);
        let entry_rate_per_10k: Vec<f64> =
            (0..nb).map(|b| if pop_band[b] > 0.0 { starts_by_band[b] / pop_band[b] * 1e4 } else { 0.0 }).collect();

        // Initial hazards from published exits over average published stock.
        let avg = |t0: &[f64], t1: &[f64], b: usize, pl: usize| 0.5 * (t0[b * np + pl] + t1[b * np + pl]);
        let mut exit_prob = vec![0.0; nb * np * nr];
        for b in 0..nb {
            let band_avg: f64 = (0..np).map(|pl| avg(&joint_start, &joint_end, b, pl)).sum();
            for r in 0..nr {
                let only = spec.reason_only_from.iter().find(|(rr, _)| *rr == r).map(|(_, pl)| *pl);
                for pl in 0..np {
                    let h = match only {
                        Some(q) if q == pl => {
                            let a = avg(&joint_start, &joint_end, b, pl);
                            if a > 0.0 { exits[b * nr + r] / a } else { 0.0 }
                        }
                        Some(_) => 0.0,
                        None => {
                            if band_avg > 0.0 {
                                exits[b * nr + r] / band_avg
                            } else {
                                0.0
                            }
                        }
                    };
                    exit_prob[(b * np + pl) * nr + r] = hazard_to_monthly(h);
                }
            }
        }

        let is_first = k == 0;
        let fit_year = |tilt: f64| -> Result<(YearRates, Vec<f64>, YearFit), CoreError> {
            let weights = tilted_weights(dims, &p1.population_by_age, tilt);
            let year_start = if is_first {
                split_by_age(dims, &joint0, &tilted_weights(dims, &p0.population_by_age, tilt))
            } else {
                start.clone()
            };
            let mut rates = YearRates {
                year: p1.year,
                entry_rate_per_10k: entry_rate_per_10k.clone(),
                entry_age_weights: weights,
                last_band_tilt: tilt,
                monthly_exit_probability: exit_prob.clone(),
                monthly_move_probability: vec![0.0; nb * np * np],
                reconciliation_per_year: vec![0.0; nb],
                reconciliation_per_10k: vec![0.0; nb],
            };
            for _pass in 0..spec.passes.max(1) {
                let model = one_year_model(dims, p1.year, &year_start, &rates, p1, &spec.entry_mix);
                let proj = simulate(&model)?;
                let y = &proj.years[1];
                // (a) exits: scale each (band, reason) hazard to the published count.
                for b in 0..nb {
                    for r in 0..nr {
                        let sim = y.ceased[b * (nr + 1) + r];
                        if sim > 1e-9 {
                            let f = exits[b * nr + r] / sim;
                            for pl in 0..np {
                                let i = (b * np + pl) * nr + r;
                                let h = monthly_to_hazard(rates.monthly_exit_probability[i]);
                                rates.monthly_exit_probability[i] = hazard_to_monthly(h * f);
                            }
                        }
                    }
                }
                // (b) net moves toward the published placement mix within each band:
                // placements above their target share send children to those below,
                // in proportion to the shortfalls.
                for b in 0..nb {
                    let sim_band: f64 = (0..np).map(|pl| y.stock[b * np + pl]).sum();
                    let want_band: f64 = (0..np).map(|pl| joint_end[b * np + pl]).sum();
                    if sim_band <= 0.0 || want_band <= 0.0 {
                        continue;
                    }
                    let d: Vec<f64> = (0..np)
                        .map(|pl| sim_band * joint_end[b * np + pl] / want_band - y.stock[b * np + pl])
                        .collect();
                    let shortfall: f64 = d.iter().filter(|v| **v > 0.0).sum();
                    if shortfall <= 1e-9 {
                        continue;
                    }
                    for from in (0..np).filter(|&f| d[f] < 0.0) {
                        let avg_from = 0.5 * (band_start(&year_start, dims, b, from) + y.stock[b * np + from]);
                        if avg_from <= 0.0 {
                            continue;
                        }
                        for to in (0..np).filter(|&t| d[t] > 0.0) {
                            let flow_per_year = -d[from] * d[to] / shortfall;
                            let i = (b * np + from) * np + to;
                            let h = monthly_to_hazard(rates.monthly_move_probability[i]);
                            rates.monthly_move_probability[i] = hazard_to_monthly(h + flow_per_year / avg_from);
                        }
                    }
                }
                // (c) reconciliation by band.
                for b in 0..nb {
                    let sim_band: f64 = (0..np).map(|pl| y.stock[b * np + pl]).sum();
                    rates.reconciliation_per_year[b] += p1.stock_by_band[b] - sim_band;
                }
            }
            // Final simulation with the corrected rates.
            let model = one_year_model(dims, p1.year, &year_start, &rates, p1, &spec.entry_mix);
            let proj = simulate(&model)?;
            let state = proj.final_stock_by_age.clone();
            let y = &proj.years[1];
            let published_total: f64 = p1.stock_by_placement.iter().sum::<f64>().max(1.0);
            let mut max_pl: f64 = 0.0;
            for pl in 0..np {
                let sim: f64 = (0..nb).map(|b| y.stock[b * np + pl]).sum();
                let want = p1.stock_by_placement[pl] * p1.stock_by_band.iter().sum::<f64>() / published_total;
                if want > 0.0 {
                    max_pl = max_pl.max(((sim - want) / want).abs());
                }
            }
            let mut max_band: f64 = 0.0;
            for b in 0..nb {
                let sim: f64 = (0..np).map(|pl| y.stock[b * np + pl]).sum();
                if p1.stock_by_band[b] > 0.0 {
                    max_band = max_band.max(((sim - p1.stock_by_band[b]) / p1.stock_by_band[b]).abs());
                }
            }
            let aged_out = y.ceased[last_band * (nr + 1) + nr];
            rates.reconciliation_per_10k = (0..nb)
                .map(|b| if pop_band[b] > 0.0 { rates.reconciliation_per_year[b] / pop_band[b] * 1e4 } else { 0.0 })
                .collect();
            let fit = YearFit {
                year: p1.year,
                reconciliation: rates.reconciliation_per_year.iter().sum(),
                ageing_out_gap: p1.ceased_aged_18_plus - aged_out,
                max_placement_error: max_pl,
                max_band_error: max_band,
            };
            Ok((rates, state, fit))
        };

        // Bisection on the last band's tilt so that children reaching 18 match.
        let (mut lo, mut hi) = (-3.0_f64, 3.0_f64);
        let gap_at = |g: &(YearRates, Vec<f64>, YearFit)| g.2.ageing_out_gap;
        let glo = fit_year(lo)?;
        let ghi = fit_year(hi)?;
        let (rates, state, fit) = if gap_at(&glo) * gap_at(&ghi) < 0.0 {
            let mut g_lo = gap_at(&glo);
            let mut mid = 0.5 * (lo + hi);
            let mut best = fit_year(mid)?;
            for _ in 1..25 {
                if best.2.ageing_out_gap.abs() < 1.0 {
                    break;
                }
                if gap_at(&best) * g_lo > 0.0 {
                    lo = mid;
                    g_lo = gap_at(&best);
                } else {
                    hi = mid;
                }
                mid = 0.5 * (lo + hi);
                best = fit_year(mid)?;
            }
            best
        } else {
            // Cannot match: keep the end closer to the published count and say so in the fit.
            if gap_at(&glo).abs() < gap_at(&ghi).abs() { glo } else { ghi }
        };
        if is_first {
            start_stock =
                split_by_age(dims, &joint0, &tilted_weights(dims, &p0.population_by_age, rates.last_band_tilt));
        }
        start = state;
        years.push(rates);
        fits.push(fit);
    }
    Ok(Calibration { start_stock, years, fit: fits })
}

fn band_sums_or(start: &[f64], dims: &Dimensions) -> Option<Vec<f64>> {
    if start.is_empty() { None } else { Some(band_sums(start, dims)) }
}

fn band_start(start_by_age: &[f64], dims: &Dimensions, b: usize, pl: usize) -> f64 {
    let np = dims.n_placements();
    let band = &dims.age_bands[b];
    (band.from_years..band.to_years).map(|a| start_by_age[a * np + pl]).sum()
}

/// Mean of several years' rates: the projection rates a scenario holds constant.
pub fn mean_rates(years: &[YearRates]) -> Option<YearRates> {
    let n = years.len() as f64;
    let first = years.first()?;
    let mean_vec = |f: &dyn Fn(&YearRates) -> &Vec<f64>| -> Vec<f64> {
        let mut out = vec![0.0; f(first).len()];
        for y in years {
            for (o, v) in out.iter_mut().zip(f(y)) {
                *o += v / n;
            }
        }
        out
    };
    let mut weights = [0.0; AGES];
    for y in years {
        for (w, v) in weights.iter_mut().zip(&y.entry_age_weights) {
            *w += v / n;
        }
    }
    Some(YearRates {
        year: years.last()?.year,
        entry_rate_per_10k: mean_vec(&|y| &y.entry_rate_per_10k),
        entry_age_weights: weights,
        last_band_tilt: years.iter().map(|y| y.last_band_tilt).sum::<f64>() / n,
        monthly_exit_probability: mean_vec(&|y| &y.monthly_exit_probability),
        monthly_move_probability: mean_vec(&|y| &y.monthly_move_probability),
        reconciliation_per_year: mean_vec(&|y| &y.reconciliation_per_year),
        reconciliation_per_10k: mean_vec(&|y| &y.reconciliation_per_10k),
    })
}
