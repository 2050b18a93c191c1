//! Explicit scenarios: stock, entries and monthly rates stated directly in the
//! file (as `carecast calibrate` writes them from a council's SSDA903 return),
//! turned into a model without the bundled seeds.
//!
//! What it is: table lookups by id with located errors, and the same policy
//! layer (levers, programmes, splits) as calibrated scenarios. What it is not:
//! any estimation (the rates are taken as given) or a population model
//! (entries are counts a year, not rates per 10,000).

use crate::error::{ScenarioError, did_you_mean};
use crate::loader::Loaded;
use crate::resolve::{Built, Note, RunOptions, check_cites, dimensions};
use crate::schema::{BandPlacementTable, ExplicitDef};
use crate::seeds::Seeds;
use crate::values::{Key, Notes, Values};
use carecast_core::{AGES, Dimensions, InitialState, LEAVER_AGES, Model, YearParams};

fn index(loaded: &Loaded, key: &str, kind: &str, id: &str, ids: &[&str]) -> Result<usize, ScenarioError> {
    ids.iter().position(|i| *i == id).ok_or_else(|| {
        let hint = did_you_mean(id, ids.iter().copied()).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
        loaded.key_error(key, format!("{kind} id ({}), found `{id}`{hint}", ids.join(", ")))
    })
}

/// Reads a band -> placement table into `[band * np + placement]`, checking
/// ids and that values lie in `range`.
fn table(
    loaded: &Loaded,
    key: &str,
    dims: &Dimensions,
    t: &BandPlacementTable,
    range: (f64, f64),
    what: &str,
) -> Result<Vec<f64>, ScenarioError> {
    let bands: Vec<&str> = dims.age_bands.iter().map(|b| b.id.as_str()).collect();
    let places: Vec<&str> = dims.placements.iter().map(String::as_str).collect();
    let np = places.len();
    let mut out = vec![0.0; bands.len() * np];
    for (band, row) in t {
        let b = index(loaded, &format!("{key}.{band}"), "an age band", band, &bands)?;
        for (place, v) in row {
            let k = format!("{key}.{band}.{place}");
            let p = index(loaded, &k, "a placement", place, &places)?;
            if !v.is_finite() || *v < range.0 || *v > range.1 {
                return Err(loaded.key_error(&k, format!("{what} in [{}, {}], found {v}", range.0, range.1)));
            }
            out[b * np + p] = *v;
        }
    }
    Ok(out)
}

/// Builds a model from an explicit scenario.
pub(crate) fn build(
    values: &Values<'_>,
    seeds: &Seeds,
    opts: &RunOptions,
    ex: &ExplicitDef,
) -> Result<Built, ScenarioError> {
    let loaded = values.loaded;
    let f = &loaded.file;
    check_cites(loaded, f)?;
    if !f.spend_lines.is_empty() {
        return Err(loaded.key_error(
            "spend_lines",
            "no S251 spend lines in an explicit scenario (they need published data for a bundled area)",
        ));
    }
    let dims = dimensions(f);
    dims.validate().map_err(|e| loaded.key_error("dimensions", e.to_string()))?;
    let (nb, np, nr) = (dims.n_bands(), dims.n_placements(), dims.n_reasons());
    let mut notes = Notes::kept();
    notes.push(|| Note {
        key: "explicit".into(),
        text: format!(
            "stock at {} and monthly rates stated in the scenario file (not calibrated from the bundled data)",
            ex.stock_date
        ),
        source: loaded.path().to_string(),
    });
    let start_year = f.scenario.start_year;
    if !(1990..=2100).contains(&start_year) {
        return Err(
            loaded.key_error("scenario.start_year", format!("a year between 1990 and 2100, found {start_year}"))
        );
    }
    if opts.start_year.is_some_and(|y| y != start_year) {
        return Err(loaded.key_error(
            "scenario.start_year",
            format!("--start-year to be {start_year}, the year of the scenario's stated stock"),
        ));
    }
    let end_year = opts.end_year.unwrap_or(f.scenario.end_year);
    if end_year <= start_year || end_year.saturating_sub(start_year) > 30 {
        return Err(loaded.key_error(
            "scenario.end_year",
            format!("an end year 1 to 30 years after {start_year}, found {end_year}"),
        ));
    }

    // Stock, split evenly over the single years of each band.
    let by_band =
        table(loaded, "explicit.initial_stock", &dims, &ex.initial_stock, (0.0, f64::MAX), "a number of children")?;
    let mut stock = vec![0.0; AGES * np];
    for (b, band) in dims.age_bands.iter().enumerate() {
        let width = (band.to_years - band.from_years) as f64;
        for a in band.from_years..band.to_years {
            for p in 0..np {
                stock[a * np + p] = by_band[b * np + p] / width;
            }
        }
    }
    let bands: Vec<&str> = dims.age_bands.iter().map(|b| b.id.as_str()).collect();
    let mut entries = vec![0.0; nb];
    for (band, v) in &ex.entries_per_year {
        let k = format!("explicit.entries_per_year.{band}");
        let b = index(loaded, &k, "an age band", band, &bands)?;
        if !v.is_finite() || *v < 0.0 {
            return Err(loaded.key_error(&k, format!("a non-negative number of entries a year, found {v}")));
        }
        entries[b] = *v;
    }
    let entry_mix = table(loaded, "explicit.entry_mix", &dims, &ex.entry_mix, (0.0, 1.0), "a share")?;
    for (b, band) in dims.age_bands.iter().enumerate() {
        let s: f64 = entry_mix[b * np..(b + 1) * np].iter().sum();
        if (s - 1.0).abs() > 1e-6 {
            return Err(loaded.key_error(
                &format!("explicit.entry_mix.{}", band.id),
                format!("shares summing to 1, they sum to {s}"),
            ));
        }
    }
    let mut exits = vec![0.0; nb * np * nr];
    let reasons: Vec<&str> = dims.exit_reasons.iter().map(String::as_str).collect();
    for (reason, t) in &ex.monthly_exit_probability {
        let key = format!("explicit.monthly_exit_probability.{reason}");
        let r = index(loaded, &key, "an exit reason", reason, &reasons)?;
        let v = table(loaded, &key, &dims, t, (0.0, 1.0), "a probability")?;
        for bp in 0..nb * np {
            exits[bp * nr + r] = v[bp];
        }
    }
    let mut moves = vec![0.0; nb * np * np];
    let places: Vec<&str> = dims.placements.iter().map(String::as_str).collect();
    for (from, t) in &ex.monthly_move_probability {
        let key = format!("explicit.monthly_move_probability.{from}");
        let p = index(loaded, &key, "a placement", from, &places)?;
        let v = table(loaded, &key, &dims, t, (0.0, 1.0), "a probability")?;
        for b in 0..nb {
            for q in 0..np {
                moves[(b * np + p) * np + q] = v[b * np + q];
            }
        }
    }
    // Costs.
    let mut weekly = vec![0.0; np];
    let mut growth = vec![0.0; np];
    for (p, def) in f.dimensions.placements.iter().enumerate() {
        let key = format!("dimensions.placements.{}.weekly_cost_gbp", def.id);
        let w = def
            .weekly_cost_gbp
            .as_ref()
            .ok_or_else(|| loaded.key_error(&key, "a weekly cost for every placement of an explicit scenario"))?;
        weekly[p] = values.get(Key(&[&key]), w)?;
        growth[p] = values.get(Key(&["dimensions.placements.", &def.id, ".price_growth"]), &def.price_growth)?;
        notes.push(|| Note {
            key,
            text: format!("weekly cost of {} £{:.0}, growing {:.1}% a year", def.id, weekly[p], growth[p] * 100.0),
            source: w.source().unwrap_or("assumption (no source stated)").to_string(),
        });
    }
    let other_growth = values.get(Key(&["costs.other_cla_cost_growth"]), &f.costs.other_cla_cost_growth)?;
    let leaver_growth = values.get(Key(&["costs.leaving_care_cost_growth"]), &f.costs.leaving_care_cost_growth)?;
    let inflation = values.get(Key(&["deflator.annual_inflation"]), &f.deflator.annual_inflation)?;
    if !(1990..=2100).contains(&f.deflator.base_year) {
        return Err(loaded
            .key_error("deflator.base_year", format!("a year between 1990 and 2100, found {}", f.deflator.base_year)));
    }
    let years: Vec<YearParams> = (start_year + 1..=end_year)
        .map(|y| {
            let k = y - start_year;
            YearParams {
                year: y,
                population_by_age: [0.0; AGES],
                entry_rate_per_10k: vec![0.0; nb],
                entry_count_per_year: Some(entries.clone()),
                entry_age_weights: [1.0; AGES],
                entry_mix: entry_mix.clone(),
                monthly_exit_probability: exits.clone(),
                monthly_move_probability: moves.clone(),
                reconciliation_per_year: vec![0.0; nb],
                transfers: Vec::new(),
                capacities: Vec::new(),
                weekly_cost_gbp: (0..np).map(|p| weekly[p] * (1.0 + growth[p]).powi(k)).collect(),
                other_cla_weekly_cost_gbp: ex.other_cla_weekly_cost_gbp * (1.0 + other_growth).powi(k),
                care_leaver_annual_cost_gbp: ex.care_leaver_annual_cost_gbp * (1.0 + leaver_growth).powi(k),
                other_lines_gbp: Vec::new(),
                funding_gbp: 0.0,
                workforce: None,
                deflator: (1.0 + inflation).powi(y - f.deflator.base_year),
            }
        })
        .collect();
    let start_children: f64 = stock.iter().sum();
    let splits = crate::policy::Splits::new(values, f, dims, &mut notes)?;
    let years = years.into_iter().map(|y| splits.year(y)).collect();
    let (stock, growth) = (splits.stock(stock), splits.price_growth(growth));
    let policy = crate::policy::apply(
        crate::policy::PolicyInput {
            values,
            seeds,
            area_code: &f.scenario.area,
            splits,
            initial_stock: stock,
            years,
            price_growth: growth,
            last_cost_year: start_year,
            start_children,
            // A custom area's amounts are its own: there is no England to share.
            national_share: 1.0,
        },
        f,
        &mut notes,
    )?;
    let model = Model {
        dims: policy.dims,
        start_year,
        initial: InitialState {
            stock: policy.initial_stock,
            care_leavers: [ex.care_leavers.max(0.0) / LEAVER_AGES as f64; LEAVER_AGES],
        },
        years: policy.years,
    };
    model.validate().map_err(|error| ScenarioError::Core { file: loaded.path().to_string(), error })?;
    Ok(Built {
        name: f.scenario.name.clone(),
        title: f.scenario.title.clone(),
        area: f.scenario.area.clone(),
        area_name: f.scenario.title.clone(),
        price_base_year: f.deflator.base_year,
        placement_labels: policy.placement_labels,
        placement_parent: policy.parent_of,
        model,
        calibration: None,
        replay: None,
        projection_rates: None,
        outturn: Default::default(),
        published_margins: Default::default(),
        filled: Default::default(),
        notes: notes.into_vec(),
        reuse: None,
        prepared: None,
    })
}
