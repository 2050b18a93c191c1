//! Command-line arguments (clap) and their validation into a [`Config`].
//!
//! Everything a command needs is checked here before any work starts; the
//! commands themselves never look at raw arguments.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// carecast: children's-services funding forecasts (children in care, placements, cost).
#[derive(Debug, Parser)]
#[command(name = "carecast", version, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Command,
    /// No progress output on stderr.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Run for one council: name, ONS code (E10000016) or DfE number (886).
    #[arg(long, global = true, value_name = "NAME|CODE")]
    la: Option<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Project children in care and their cost for a scenario (default: baseline).
    Run {
        /// Shipped scenario name (e.g. `baseline`) or path to a TOML file.
        scenario: Option<String>,
        /// Output folder (default `out/<scenario name>`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Start from the published stock at 31 March of this year (2020-2025).
        #[arg(long)]
        start_year: Option<i32>,
        /// Project to 31 March of this year.
        #[arg(long)]
        end_year: Option<i32>,
        /// Also draw the charts (PNG and SVG) into `<out>/charts/`.
        #[arg(long)]
        charts: bool,
        /// Run every council (in parallel) and the England total; writes projection.csv with an `area` column.
        #[arg(long, conflicts_with = "la")]
        all_las: bool,
        #[command(flatten)]
        draws: DrawArgs,
    },
    /// Draw the charts for one or more scenarios (the first is the base).
    Plot {
        /// Shipped scenario names or TOML paths.
        #[arg(required = true)]
        scenarios: Vec<String>,
        /// Output folder.
        #[arg(long, default_value = "out/plot")]
        out: PathBuf,
        /// Image format: png, svg or both.
        #[arg(long, default_value = "both")]
        format: String,
        /// Image size in pixels, WIDTHxHEIGHT.
        #[arg(long, default_value = "1600x900")]
        size: String,
        /// Start every run from the published stock at 31 March of this year.
        #[arg(long)]
        start_year: Option<i32>,
        /// Project every run to 31 March of this year.
        #[arg(long)]
        end_year: Option<i32>,
    },
    /// Write an HTML report, an Excel workbook, CSVs and charts for one or more scenarios (with options: compared against the first, as `compare` does; the first's track record, as `backtest` gives it).
    Report {
        /// Shipped scenario names or TOML paths (the first is the base).
        #[arg(required = true)]
        scenarios: Vec<String>,
        /// Output folder.
        #[arg(long, default_value = "out/report")]
        out: PathBuf,
        /// Start every run from the published stock at 31 March of this year (so scenarios that start in different years can be compared).
        #[arg(long)]
        start_year: Option<i32>,
        /// Project every run to 31 March of this year.
        #[arg(long)]
        end_year: Option<i32>,
        #[command(flatten)]
        draws: DrawArgs,
    },
    /// Check scenario files and print every error as file:line:col: message.
    Validate {
        /// Scenario files or shipped names.
        #[arg(required = true)]
        files: Vec<String>,
    },
    /// Explain a scenario in plain English: what it assumes or changes against its parent, with sources.
    Explain {
        /// Shipped scenario name or path to a TOML file.
        scenario: String,
    },
    /// List the shipped scenarios.
    Scenarios,
    /// Compare options against a base: differences, NPV (Green Book 3.5%), child-years avoided, payback.
    Compare {
        /// Base scenario: shipped name or TOML path.
        base: String,
        /// Option scenarios: shipped names or TOML paths (distinct names).
        #[arg(required = true)]
        options: Vec<String>,
        /// Output folder for comparison.csv.
        #[arg(long, default_value = "out/compare")]
        out: PathBuf,
        /// Start every run from the published stock at 31 March of this year.
        #[arg(long)]
        start_year: Option<i32>,
        /// Project every run to 31 March of this year.
        #[arg(long)]
        end_year: Option<i32>,
        /// Whole-horizon measure to rank the options by.
        #[arg(long, default_value = "npv_cost_gbp")]
        rank_by: String,
        /// Also draw each option's difference from the base (children in care, CSC spend) into
        /// `<out>/charts/`, with the paired Monte Carlo ranges under --draws.
        #[arg(long)]
        charts: bool,
        #[command(flatten)]
        draws: DrawArgs,
    },
    /// Calibrate a scenario: from a council's own SSDA903 return (--episodes, --header, optional
    /// --uasc), or with --la from the bundled published data (--from/--to years).
    Calibrate {
        /// Episodes tables (CSV; one per return or stacked with a YEAR column).
        #[arg(long, value_name = "FILE", num_args = 1..)]
        episodes: Vec<PathBuf>,
        /// Header tables (CSV; dates of birth).
        #[arg(long, value_name = "FILE", num_args = 1..)]
        header: Vec<PathBuf>,
        /// With --la: the first published 31 March stock used (default 2020).
        #[arg(long = "from", value_name = "YEAR")]
        from_year: Option<i32>,
        /// With --la: the last published year used; the projection starts from its stock (default 2025).
        #[arg(long = "to", value_name = "YEAR")]
        to_year: Option<i32>,
        /// UASC tables (CSV), to flag unaccompanied asylum-seeking children.
        #[arg(long, value_name = "FILE", num_args = 1..)]
        uasc: Vec<PathBuf>,
        /// First day of the reference period, dd/mm/YYYY or YYYY-MM-DD (default: start of the data).
        #[arg(long, value_name = "DATE")]
        reference_from: Option<String>,
        /// Last day of the reference period and the stock date, dd/mm/YYYY or YYYY-MM-DD (default: end of the data).
        #[arg(long, value_name = "DATE")]
        reference_to: Option<String>,
        /// Leave out unaccompanied asylum-seeking children (needs --uasc).
        #[arg(long)]
        exclude_uasc: bool,
        /// Scenario name (default `ssda903`).
        #[arg(long)]
        name: Option<String>,
        /// Project to 31 March of this year (default: ten years after the stock date, or with --la after --to).
        #[arg(long)]
        end_year: Option<i32>,
        /// Scenario TOML to write; the issues go to `<name>.issues.csv` next to it.
        #[arg(long, value_name = "SCENARIO.toml", required = true)]
        out: PathBuf,
    },
    /// Backtest: calibrate with data to 31 March of a past year only, project, and compare children
    /// in care with the published outturn and two naive forecasts (last value, linear trend).
    Backtest {
        /// Scenario (default: baseline).
        scenario: Option<String>,
        /// Last year of training data (31 March); several as 2021,2022 (2016-2024).
        #[arg(long, value_name = "YEAR", value_delimiter = ',', num_args = 1.., required = true)]
        train_until: Vec<i32>,
        /// Years projected after each cut-off (1-10).
        #[arg(long, default_value_t = crate::output::BACKTESTED_YEARS)]
        horizon: i32,
        /// Output folder (default `out/backtest`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Backtest every council (in parallel).
        #[arg(long, conflicts_with = "la")]
        all_las: bool,
        /// Monte Carlo draws per area and cut-off for the p05-p95 bands (0: none). Each draws the rates
        /// of a fit on the training years (as `calibrate --la`), every ranged assumption and process noise.
        #[arg(long, value_name = "N", default_value_t = crate::backtest::TRACK_RECORD_DRAWS)]
        draws: u64,
        /// Monte Carlo: draw d uses seed S + d.
        #[arg(long, value_name = "S", default_value_t = 0)]
        seed: u64,
    },
    /// Sensitivity of a measure to each ranged assumption (low/high one at a time): CSV, tornado chart, top 10.
    /// With --against BASE: of the scenario's difference from the base (default: the NPV cost).
    Sensitivity {
        /// Shipped scenario name or path to a TOML file.
        scenario: String,
        /// A base scenario: measure the scenario's difference from it (each assumption of either set to its own low or high in both).
        #[arg(long, value_name = "BASE")]
        against: Option<String>,
        /// Measure whose `total` is compared (a tidy-row measure id; with --against also a whole-horizon measure of `compare`, such as npv_cost_gbp) [default: csc_spend_gbp_cash; with --against: npv_cost_gbp].
        #[arg(long)]
        measure: Option<String>,
        /// Year ending 31 March (default: the projection's end year).
        #[arg(long)]
        year: Option<i32>,
        /// Start every run from the published stock at 31 March of this year.
        #[arg(long)]
        start_year: Option<i32>,
        /// Project every run to 31 March of this year.
        #[arg(long)]
        end_year: Option<i32>,
        /// Output folder for sensitivity.csv and tornado.png/.svg.
        #[arg(long, default_value = "out/sensitivity")]
        out: PathBuf,
    },
    /// Check the calibration: replay of the published years and back-cast from the first.
    Check {
        /// Scenario (default: baseline).
        scenario: Option<String>,
        /// Output folder for check.csv (default `out/check`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// A validated configuration.
#[derive(Debug, Clone)]
pub enum Config {
    /// `carecast run`.
    Run(RunConfig),
    /// `carecast plot`.
    Plot(PlotConfig),
    /// `carecast report`.
    Report(ReportConfig),
    /// `carecast validate`.
    Validate { files: Vec<String> },
    /// `carecast explain`.
    Explain { scenario: String },
    /// `carecast scenarios`.
    Scenarios,
    /// `carecast check`.
    Check { scenario: String, out: PathBuf, la: Option<String> },
    /// `carecast compare`.
    Compare(crate::compare::CompareConfig),
    /// `carecast calibrate`.
    Calibrate(crate::calibrate903::CalibrateConfig),
    /// `carecast calibrate --la`.
    CalibrateLa(crate::calibrate_la::Config),
    /// `carecast sensitivity`.
    Sensitivity(crate::sensitivity::SensitivityConfig),
    /// `carecast backtest`.
    Backtest(crate::backtest::BacktestConfig),
}

/// `carecast run` settings.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Scenario name or path.
    pub scenario: String,
    /// Output folder, if given.
    pub out: Option<PathBuf>,
    /// Start year override.
    pub start_year: Option<i32>,
    /// End year override.
    pub end_year: Option<i32>,
    /// Suppress progress output.
    pub quiet: bool,
    /// The command line, for provenance in outputs.
    pub command_line: String,
    /// Also write charts into `<out>/charts/`.
    pub charts: bool,
    /// Council to run for, if not the scenario's area.
    pub la: Option<String>,
    /// Run every council.
    pub all_las: bool,
    /// Monte Carlo draws, if asked for.
    pub montecarlo: Option<crate::montecarlo::MonteCarloSpec>,
}

/// `carecast plot` settings.
#[derive(Debug, Clone)]
pub struct PlotConfig {
    /// Scenario names or paths; the first is the base.
    pub scenarios: Vec<String>,
    /// Output folder.
    pub out: PathBuf,
    /// Image formats.
    pub formats: carecast_plot::Formats,
    /// Image size in pixels.
    pub size_px: (u32, u32),
    /// Suppress progress output.
    pub quiet: bool,
    /// Council to run for.
    pub la: Option<String>,
    /// Start year override for every run.
    pub start_year: Option<i32>,
    /// End year override for every run.
    pub end_year: Option<i32>,
}

/// `carecast report` settings.
#[derive(Debug, Clone)]
pub struct ReportConfig {
    /// Scenario names or paths; the first is the base.
    pub scenarios: Vec<String>,
    /// Output folder.
    pub out: PathBuf,
    /// Suppress progress output.
    pub quiet: bool,
    /// The command line, for provenance in outputs.
    pub command_line: String,
    /// Council to run for.
    pub la: Option<String>,
    /// Start year override for every run.
    pub start_year: Option<i32>,
    /// End year override for every run.
    pub end_year: Option<i32>,
    /// Monte Carlo draws of every scenario, if asked for (ranges in the report).
    pub montecarlo: Option<crate::montecarlo::MonteCarloSpec>,
}

/// Parses and validates the command line; on `--help`, `--version` or a usage
/// error, prints clap's message and returns the exit code to use.
pub fn parse() -> Result<Config, ExitCode> {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return Err(if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS });
        }
    };
    let command_line = std::env::args().map(|a| shell_quoted(&a)).collect::<Vec<_>>().join(" ");
    match validate(args, command_line) {
        Ok(c) => Ok(c),
        Err(msg) => {
            errln!("error: {msg}");
            Err(ExitCode::from(2))
        }
    }
}

/// `--start-year` and `--end-year` as given: plausible, and in order.
fn check_years(start_year: Option<i32>, end_year: Option<i32>) -> Result<(), String> {
    if let Some(y) = start_year
        && !(2015..=2100).contains(&y)
    {
        return Err(format!("--start-year {y}: expected a year such as 2020"));
    }
    if let Some(y) = end_year
        && !(2016..=2130).contains(&y)
    {
        return Err(format!("--end-year {y}: expected a year such as 2035"));
    }
    if let (Some(s), Some(e)) = (start_year, end_year)
        && e <= s
    {
        return Err(format!("--end-year {e} must be after --start-year {s}"));
    }
    Ok(())
}

/// Monte Carlo flags, shared by `run` and `compare` (where draw d of every
/// scenario uses the same seed: common random numbers).
#[derive(Debug, clap::Args)]
struct DrawArgs {
    /// Monte Carlo: run N draws (run: p05..p95 columns; compare: p05..p95 columns on every line of comparison.csv, probabilities cheaper and cheapest; report: ranges, fans and p05..p95 columns, and the options' paired ranges and probabilities).
    #[arg(long, value_name = "N")]
    draws: Option<u64>,
    /// Monte Carlo: draw d uses seed S + d.
    #[arg(long, value_name = "S", default_value_t = 0, requires = "draws")]
    seed: u64,
    /// Monte Carlo: draw ranged assumptions from their stated distributions (triangular by default)
    /// and correlations. With neither this nor --process-noise, both are on.
    #[arg(long, requires = "draws")]
    parameter_uncertainty: bool,
    /// Monte Carlo: random flows: Poisson entries and multinomial exits and moves per age band and placement.
    #[arg(long, requires = "draws")]
    process_noise: bool,
    /// Monte Carlo: how the ranged assumptions are sampled: `random`, or `lhs` (Latin hypercube: each
    /// assumption's N independent uniforms fall one in each of N equal-probability strata; correlated
    /// assumptions only approximately).
    #[arg(long, value_name = "DESIGN", default_value = "random", requires = "draws")]
    sampling: String,
}

impl DrawArgs {
    /// The settings, if draws were asked for: with neither mode flag, both are on.
    fn spec(&self) -> Result<Option<crate::montecarlo::MonteCarloSpec>, String> {
        Ok(match self.draws {
            Some(0) => return Err("--draws must be at least 1".into()),
            Some(n) if n > crate::montecarlo::MAX_DRAWS => {
                return Err(format!("--draws {n}: expected at most {}", crate::montecarlo::MAX_DRAWS));
            }
            Some(draws) => {
                let both = !self.parameter_uncertainty && !self.process_noise;
                let sampling = match self.sampling.as_str() {
                    "random" => crate::montecarlo::Sampling::Random,
                    "lhs" => crate::montecarlo::Sampling::LatinHypercube,
                    other => return Err(format!("--sampling {other}: expected `random` or `lhs`")),
                };
                if sampling == crate::montecarlo::Sampling::LatinHypercube && !(self.parameter_uncertainty || both) {
                    return Err(
                        "--sampling lhs samples the ranged assumptions: it needs --parameter-uncertainty".into()
                    );
                }
                Some(crate::montecarlo::MonteCarloSpec {
                    draws,
                    seed: self.seed,
                    parameter_uncertainty: self.parameter_uncertainty || both,
                    process_noise: self.process_noise || both,
                    sampling,
                })
            }
            None => None,
        })
    }
}

/// An argument as a POSIX shell reads it back: as it is when it holds only
/// safe characters, else in single quotes (a quote inside written `'\''`), so
/// a recorded command line can be pasted and run again.
fn shell_quoted(arg: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./,:=+@%".contains(c);
    if !arg.is_empty() && arg.chars().all(safe) { arg.to_string() } else { format!("'{}'", arg.replace('\'', "'\\''")) }
}

fn validate(args: Args, command_line: String) -> Result<Config, String> {
    Ok(match args.command {
        Command::Run { all_las: true, charts: true, .. } => {
            return Err("--charts draws one area's charts; --all-las runs 153 councils: draw a council's with `carecast plot SCENARIO --la NAME`".into());
        }
        Command::Validate { .. } | Command::Explain { .. } | Command::Scenarios if args.la.is_some() => {
            return Err("--la sets the area of a run; validate, explain and scenarios read the files as written".into());
        }
        Command::Run { scenario, out, start_year, end_year, charts, all_las, draws } => {
            check_years(start_year, end_year)?;
            let montecarlo = draws.spec()?;
            Config::Run(RunConfig {
                scenario: scenario.unwrap_or_else(|| "baseline".into()),
                out,
                start_year,
                end_year,
                quiet: args.quiet,
                command_line,
                charts,
                la: args.la.clone(),
                all_las,
                montecarlo,
            })
        }
        Command::Plot { scenarios, out, format, size, start_year, end_year } => {
            let formats = carecast_plot::Formats::parse(&format).map_err(|e| format!("--format {format}: {e}"))?;
            let size_px = carecast_plot::parse_size(&size).map_err(|e| format!("--size {size}: {e}"))?;
            check_years(start_year, end_year)?;
            let (quiet, la) = (args.quiet, args.la.clone());
            Config::Plot(PlotConfig { scenarios, out, formats, size_px, quiet, la, start_year, end_year })
        }
        Command::Report { scenarios, out, start_year, end_year, draws } => {
            check_years(start_year, end_year)?;
            Config::Report(ReportConfig {
                scenarios,
                out,
                quiet: args.quiet,
                command_line,
                la: args.la.clone(),
                start_year,
                end_year,
                montecarlo: draws.spec()?,
            })
        }
        Command::Validate { files } => Config::Validate { files },
        Command::Explain { scenario } => Config::Explain { scenario },
        Command::Scenarios => Config::Scenarios,
        Command::Compare { base, options, out, start_year, end_year, rank_by, charts, draws } => {
            crate::compare::check_rank_by(&rank_by)?;
            check_years(start_year, end_year)?;
            let montecarlo = draws.spec()?;
            Config::Compare(crate::compare::CompareConfig {
                base,
                options,
                out,
                start_year,
                end_year,
                rank_by,
                charts,
                quiet: args.quiet,
                la: args.la.clone(),
                montecarlo,
            })
        }
        Command::Sensitivity { scenario, against, measure, year, start_year, end_year, out } => {
            if let Some(y) = year
                && !(2000..=2100).contains(&y)
            {
                return Err(format!("--year {y}: expected a year such as 2030"));
            }
            check_years(start_year, end_year)?;
            Config::Sensitivity(crate::sensitivity::SensitivityConfig {
                scenario,
                against,
                start_year,
                end_year,
                measure,
                year,
                la: args.la.clone(),
                out,
                quiet: args.quiet,
            })
        }
        Command::Calibrate {
            episodes,
            header,
            uasc,
            from_year,
            to_year,
            name,
            out,
            end_year,
            reference_from,
            reference_to,
            exclude_uasc,
        } if args.la.is_some() => {
            if !episodes.is_empty() || !header.is_empty() || !uasc.is_empty() {
                return Err(
                    "--la calibrates on the bundled published data: give either --la or --episodes/--header, not both"
                        .into(),
                );
            }
            if let Some(n) = &name
                && (n.is_empty() || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            {
                return Err(format!("--name {n:?}: use letters, digits, '_' and '-' only"));
            }
            if reference_from.is_some() || reference_to.is_some() || exclude_uasc {
                return Err("--reference-from, --reference-to and --exclude-uasc go with a council's own return (--episodes/--header); with --la use --from and --to (published years)".into());
            }
            if let Some(y) = end_year
                && !(2000..=2100).contains(&y)
            {
                return Err(format!("--end-year {y}: expected a year such as 2035"));
            }
            for (flag, y) in [("--from", from_year), ("--to", to_year)] {
                if let Some(y) = y
                    && !(2020..=2025).contains(&y)
                {
                    return Err(format!("{flag} {y}: expected a year with published breakdowns, 2020-2025"));
                }
            }
            if out.as_os_str().is_empty() || out.is_dir() || out.file_name().is_none() {
                return Err(format!("--out {}: expected a file path such as council.toml", out.display()));
            }
            Config::CalibrateLa(crate::calibrate_la::Config {
                la: args.la.clone().unwrap_or_default(),
                from: from_year,
                to: to_year,
                out,
                name,
                end_year,
            })
        }
        Command::Calibrate { from_year: Some(_), .. } | Command::Calibrate { to_year: Some(_), .. } => {
            return Err(
                "--from and --to go with --la (published data); for a return use --reference-from/--reference-to"
                    .into(),
            );
        }
        Command::Calibrate { ref episodes, ref header, .. } if episodes.is_empty() || header.is_empty() => {
            return Err("calibrate needs --episodes FILE... and --header FILE... (a council's SSDA903 return), or --la NAME (published data)".into());
        }
        Command::Calibrate {
            episodes,
            header,
            uasc,
            reference_from,
            reference_to,
            exclude_uasc,
            name,
            end_year,
            out,
            ..
        } => {
            let parse_date = |flag: &str, v: &Option<String>| -> Result<Option<carecast_ssda903::Date>, String> {
                match v {
                    None => Ok(None),
                    Some(s) => carecast_ssda903::Date::parse(s.as_bytes())
                        .map(Some)
                        .ok_or_else(|| format!("{flag} {s:?}: expected a date as dd/mm/YYYY or YYYY-MM-DD")),
                }
            };
            let from = parse_date("--reference-from", &reference_from)?;
            let to = parse_date("--reference-to", &reference_to)?;
            if let (Some(f), Some(t)) = (from, to)
                && t < f
            {
                return Err(format!("--reference-to {t} is before --reference-from {f}"));
            }
            if let Some(y) = end_year
                && !(2000..=2100).contains(&y)
            {
                return Err(format!("--end-year {y}: expected a year such as 2035"));
            }
            if let (Some(t), Some(e)) = (to, end_year)
                && e <= t.year() - i32::from(t < carecast_ssda903::Date::march_31(t.year()).unwrap_or(t))
            {
                return Err(format!("--end-year {e} must be after the year of the stock date {t}"));
            }
            if exclude_uasc && uasc.is_empty() {
                return Err("--exclude-uasc needs the UASC table(s): give --uasc FILE".into());
            }
            let name = name.unwrap_or_else(|| "ssda903".into());
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                return Err(format!("--name {name:?}: use letters, digits, '_' and '-' only"));
            }
            if out.as_os_str().is_empty() || out.is_dir() || out.file_name().is_none() {
                return Err(format!("--out {}: expected a file path such as council.toml", out.display()));
            }
            for (flag, files) in [("--episodes", &episodes), ("--header", &header), ("--uasc", &uasc)] {
                if let Some(f) = files.iter().find(|f| !f.is_file()) {
                    return Err(format!("{flag} {}: no such file", f.display()));
                }
            }
            Config::Calibrate(crate::calibrate903::CalibrateConfig {
                episodes,
                header,
                uasc,
                reference_from: from,
                reference_to: to,
                exclude_uasc,
                name,
                end_year,
                out,
                quiet: args.quiet,
            })
        }
        Command::Backtest { scenario, mut train_until, horizon, out, all_las, draws, seed } => {
            let last = crate::backtest::LAST_OUTTURN_YEAR;
            if let Some(y) = train_until.iter().find(|y| !(crate::backtest::FIRST_OUTTURN_YEAR + 1..last).contains(y)) {
                return Err(format!(
                    "--train-until {y}: expected a year from {} to {} (a later year has published outturn to compare with)",
                    crate::backtest::FIRST_OUTTURN_YEAR + 1,
                    last - 1
                ));
            }
            if !(1..=10).contains(&horizon) {
                return Err(format!("--horizon {horizon}: expected 1 to 10 years"));
            }
            train_until.sort_unstable();
            train_until.dedup();
            Config::Backtest(crate::backtest::BacktestConfig {
                scenario: scenario.unwrap_or_else(|| "baseline".into()),
                la: args.la.clone(),
                all_las,
                train_until,
                horizon,
                draws,
                seed,
                out: out.unwrap_or_else(crate::backtest::default_out),
                quiet: args.quiet,
            })
        }
        Command::Check { scenario, out } => Config::Check {
            la: args.la.clone(),
            scenario: scenario.unwrap_or_else(|| "baseline".into()),
            out: out.unwrap_or_else(|| PathBuf::from("out/check")),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::shell_quoted;

    /// A recorded command line reads back as the arguments given.
    #[test]
    fn arguments_are_quoted_for_the_shell() {
        assert_eq!(shell_quoted("--la"), "--la");
        assert_eq!(shell_quoted("Isles of Scilly"), "'Isles of Scilly'");
        assert_eq!(shell_quoted("King's Lynn"), "'King'\\''s Lynn'");
        assert_eq!(shell_quoted(""), "''");
        assert_eq!(shell_quoted("out/report"), "out/report");
    }
}
