//! The commands: each takes a validated configuration, calls the library
//! crates and hands results to the output observers.
//!
//! No modelling happens here; errors get context (`anyhow`) for the user.

use crate::cli::{Config, PlotConfig, ReportConfig, RunConfig};
use crate::output;
use anyhow::{Context, Result};
use carecast_scenario::{RunOptions, SHIPPED, Seeds, build, load};

/// Runs a validated configuration.
pub fn run(config: &Config) -> Result<()> {
    match config {
        Config::Run(c) => run_scenario(c),
        Config::Plot(c) => plot(c),
        Config::Report(c) => report(c),
        Config::Validate { files } => validate(files),
        Config::Explain { scenario } => crate::explain::run(scenario),
        Config::Check { scenario, out, la } => {
            let rows = crate::check::run_checks(scenario, la.as_deref())?;
            crate::check::report(&rows, out)
        }
        Config::Compare(c) => crate::compare::run(c),
        Config::Calibrate(c) => crate::calibrate903::run(c),
        Config::CalibrateLa(c) => crate::calibrate_la::run(c),
        Config::Sensitivity(c) => crate::sensitivity::run(c),
        Config::Backtest(c) => crate::backtest::run(c),
        Config::Scenarios => {
            for s in SHIPPED {
                let title = load(s.name).map(|l| l.file.scenario.title.clone()).unwrap_or_default();
                outln!("{:<28} {title}", s.name);
            }
            Ok(())
        }
    }
}

fn run_scenario(c: &RunConfig) -> Result<()> {
    let seeds = Seeds::bundled().context("reading the bundled seed data")?;
    let loaded = load(&c.scenario).with_context(|| format!("loading scenario `{}`", c.scenario))?;
    if c.all_las {
        return crate::all_las::run_all(c, &seeds, &loaded);
    }
    let opts = RunOptions { start_year: c.start_year, end_year: c.end_year, area: c.la.clone() };
    let built = build(&loaded, &seeds, &opts).with_context(|| format!("resolving scenario `{}`", c.scenario))?;
    let projection = built.run().context("running the model")?;
    let out = c.out.clone().unwrap_or_else(|| std::path::Path::new("out").join(&built.name));
    let mut quantiles = None;
    let bands = match &c.montecarlo {
        Some(spec) => {
            let central_rows = carecast_core::rows::rows(&built.name, &built.model.dims, &projection);
            let inputs = crate::montecarlo::Inputs {
                loaded: &loaded,
                seeds: &seeds,
                opts: &opts,
                central: &built,
                central_rows: &central_rows,
            };
            let bands = crate::montecarlo::run(spec, inputs, c.quiet)?;
            quantiles = Some(crate::montecarlo::quantile_map(&central_rows, &bands));
            Some(crate::montecarlo::table(&central_rows, &bands))
        }
        None => None,
    };
    output::write_run(&out, &built, &projection, &c.command_line)
        .with_context(|| format!("writing outputs to {}", out.display()))?;
    if let Some(table) = &bands {
        crate::montecarlo::write(&out, table).with_context(|| format!("writing outputs to {}", out.display()))?;
    }
    if c.charts {
        crate::charts::write_charts(
            &out.join("charts"),
            &[(&built, &projection)],
            quantiles.as_ref(),
            carecast_plot::Formats::BOTH,
            carecast_plot::DEFAULT_SIZE_PX,
        )
        .with_context(|| format!("writing charts to {}", out.join("charts").display()))?;
    }
    output::print_summary(&built, &projection);
    if !c.quiet {
        errln!("wrote {}", out.display());
    }
    Ok(())
}

/// Several scenarios loaded, resolved and run with the same options, in the
/// order given (parallel vectors).
struct Runs {
    seeds: Seeds,
    opts: RunOptions,
    loaded: Vec<carecast_scenario::Loaded>,
    built: Vec<carecast_scenario::Built>,
    projections: Vec<carecast_core::Projection>,
}

impl Runs {
    /// The resolved scenarios and their projections, for the charts and the report.
    fn refs(&self) -> Vec<(&carecast_scenario::Built, &carecast_core::Projection)> {
        self.built.iter().zip(&self.projections).collect()
    }
}

/// Loads, resolves and runs several scenarios with the same options; names must differ.
fn run_many(scenarios: &[String], opts: RunOptions) -> Result<Runs> {
    let seeds = Seeds::bundled().context("reading the bundled seed data")?;
    let mut runs = Runs { seeds, opts, loaded: Vec::new(), built: Vec::new(), projections: Vec::new() };
    for s in scenarios {
        let loaded = load(s).with_context(|| format!("loading scenario `{s}`"))?;
        let built = build(&loaded, &runs.seeds, &runs.opts).with_context(|| format!("resolving scenario `{s}`"))?;
        if let Some(i) = runs.built.iter().position(|b| b.name == built.name) {
            if runs.loaded[i].chain.first().map(|f| &f.text) == loaded.chain.first().map(|f| &f.text) {
                anyhow::bail!("scenario `{}` is given more than once", built.name);
            }
            anyhow::bail!(
                "`{}` and `{s}` are different files both named `{}`; give each scenario a distinct [scenario] name",
                runs.loaded[i].path(),
                built.name
            );
        }
        let projection = built.run().with_context(|| format!("running scenario `{s}`"))?;
        runs.loaded.push(loaded);
        runs.built.push(built);
        runs.projections.push(projection);
    }
    if let Some(why) = crate::compare::different_areas(&runs.built) {
        anyhow::bail!("{why}");
    }
    Ok(runs)
}

fn plot(c: &PlotConfig) -> Result<()> {
    let opts = RunOptions { start_year: c.start_year, end_year: c.end_year, area: c.la.clone() };
    let runs = run_many(&c.scenarios, opts)?;
    let refs = runs.refs();
    if let (Some(why), false) = (crate::compare::different_years(&runs.built), c.quiet) {
        errln!("note: no difference charts: {why}; pass --start-year and --end-year to put them on common years");
    }
    let files = crate::charts::write_charts(&c.out, &refs, None, c.formats, c.size_px)
        .with_context(|| format!("writing charts to {}", c.out.display()))?;
    if !c.quiet {
        errln!("wrote {} chart files to {}", files.len(), c.out.display());
    }
    Ok(())
}

fn report(c: &ReportConfig) -> Result<()> {
    let opts = RunOptions { start_year: c.start_year, end_year: c.end_year, area: c.la.clone() };
    let runs = run_many(&c.scenarios, opts)?;
    let central_rows: Vec<Vec<carecast_core::Row>> = runs
        .built
        .iter()
        .zip(&runs.projections)
        .map(|(b, p)| carecast_core::rows::rows(&b.name, &b.model.dims, p))
        .collect();
    // The options against the base, as `compare` gives them (paired draws
    // under --draws, which give every scenario's ranges too).
    let options = if runs.built.len() < 2 {
        None
    } else if let Some(why) = crate::compare::different_years(&runs.built) {
        if !c.quiet {
            errln!("note: the options are not compared against the base: {why}");
        }
        Some(crate::report::Options::NotCompared(why))
    } else {
        let x = crate::compare::Scenarios {
            seeds: &runs.seeds,
            opts: &runs.opts,
            loaded: &runs.loaded,
            built: &runs.built,
            central_rows: &central_rows,
        };
        let comparison = crate::compare::Comparison::new(&x, c.montecarlo.as_ref(), true, c.quiet)
            .context("comparing the options against the base")?;
        // What each option's NPV cost against the base depends on.
        let sensitivities = c.scenarios[1..]
            .iter()
            .map(|option| {
                let config = crate::sensitivity::SensitivityConfig {
                    scenario: option.clone(),
                    against: Some(c.scenarios[0].clone()),
                    measure: None,
                    year: None,
                    start_year: c.start_year,
                    end_year: c.end_year,
                    la: c.la.clone(),
                    out: std::path::PathBuf::new(),
                    quiet: true,
                };
                crate::sensitivity::analyse(&config).map_err(|e| format!("`{option}`: {e:#}"))
            })
            .collect();
        Some(crate::report::Options::Compared(Box::new(comparison), sensitivities))
    };
    // With --draws, each scenario's percentiles: from the comparison's paired
    // draws when the options are compared (one set of draws for every range in
    // the report), else as `run --draws` gives them (the same seeds and
    // streams, so the same numbers).
    let paired = match &options {
        Some(crate::report::Options::Compared(comparison, _)) => comparison.scenario_ranges(),
        _ => None,
    };
    let bands = match (&c.montecarlo, paired) {
        (Some(spec), Some(paired)) => Some(crate::report::Ranges { spec: *spec, bands: paired.to_vec(), paired: true }),
        (Some(spec), None) => {
            let mut all = Vec::with_capacity(runs.built.len());
            for ((loaded, built), central_rows) in runs.loaded.iter().zip(&runs.built).zip(&central_rows) {
                let inputs = crate::montecarlo::Inputs {
                    loaded,
                    seeds: &runs.seeds,
                    opts: &runs.opts,
                    central: built,
                    central_rows,
                };
                let b = crate::montecarlo::run(spec, inputs, c.quiet)
                    .with_context(|| format!("Monte Carlo draws of `{}`", built.name))?;
                all.push(b);
            }
            Some(crate::report::Ranges { spec: *spec, bands: all, paired: false })
        }
        (None, _) => None,
    };
    // How the base's method did before, for its area.
    let base = &runs.built[0];
    let seed = c.montecarlo.map_or(0, |m| m.seed);
    let track_record = crate::backtest::track_record(&c.scenarios[0], &runs.loaded[0], &runs.seeds, &base.area, seed)
        .map_err(|e| format!("{e:#}"));
    if let (Err(why), false) = (&track_record, c.quiet) {
        errln!("note: the method could not be back-tested for the report: {why}");
    }
    let generated = crate::report::today_iso();
    let refs = runs.refs();
    crate::report::write_report(
        &c.out,
        &refs,
        bands.as_ref(),
        options.as_ref(),
        &track_record,
        &c.command_line,
        &generated,
    )
    .with_context(|| format!("writing the report to {}", c.out.display()))?;
    if !c.quiet {
        errln!("wrote {}", c.out.join("report.html").display());
    }
    Ok(())
}

fn validate(files: &[String]) -> Result<()> {
    let seeds = Seeds::bundled().context("reading the bundled seed data")?;
    let mut failed = 0;
    for f in files {
        let result = load(f).and_then(|l| build(&l, &seeds, &RunOptions::default()).map(|_| ()));
        match result {
            Ok(()) => outln!("{f}: ok"),
            Err(e) => {
                failed += 1;
                outln!("{e}");
            }
        }
    }
    if failed > 0 {
        anyhow::bail!("{failed} of {} scenario files have errors", files.len());
    }
    Ok(())
}
