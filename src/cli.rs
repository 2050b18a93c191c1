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
    },
    /// Write an HTML report, an Excel workbook, CSVs and charts for one or more scenarios.
    Report {
        /// Shipped scenario names or TOML paths (the first is the base).
        #[arg(required = true)]
        scenarios: Vec<String>,
        /// Output folder.
        #[arg(long, default_value = "out/report")]
        out: PathBuf,
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
    Check { scenario: String, out: PathBuf },
    /// `carecast compare`.
    Compare(crate::compare::CompareConfig),
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
    let command_line = std::env::args().collect::<Vec<_>>().join(" ");
    match validate(args, command_line) {
        Ok(c) => Ok(c),
        Err(msg) => {
            eprintln!("error: {msg}");
            Err(ExitCode::from(2))
        }
    }
}

fn validate(args: Args, command_line: String) -> Result<Config, String> {
    Ok(match args.command {
        Command::Run { scenario, out, start_year, end_year, charts } => {
            if let Some(y) = start_year
                && !(2015..=2100).contains(&y)
            {
                return Err(format!("--start-year {y}: expected a year such as 2020"));
            }
            if let (Some(s), Some(e)) = (start_year, end_year)
                && e <= s
            {
                return Err(format!("--end-year {e} must be after --start-year {s}"));
            }
            Config::Run(RunConfig {
                scenario: scenario.unwrap_or_else(|| "baseline".into()),
                out,
                start_year,
                end_year,
                quiet: args.quiet,
                command_line,
                charts,
            })
        }
        Command::Plot { scenarios, out, format, size } => {
            let formats = carecast_plot::Formats::parse(&format).map_err(|e| format!("--format {format}: {e}"))?;
            let size_px = carecast_plot::parse_size(&size).map_err(|e| format!("--size {size}: {e}"))?;
            Config::Plot(PlotConfig { scenarios, out, formats, size_px, quiet: args.quiet })
        }
        Command::Report { scenarios, out } => {
            Config::Report(ReportConfig { scenarios, out, quiet: args.quiet, command_line })
        }
        Command::Validate { files } => Config::Validate { files },
        Command::Explain { scenario } => Config::Explain { scenario },
        Command::Scenarios => Config::Scenarios,
        Command::Compare { base, options, out, start_year, end_year, rank_by } => {
            crate::compare::check_rank_by(&rank_by)?;
            if let Some(y) = start_year
                && !(2015..=2100).contains(&y)
            {
                return Err(format!("--start-year {y}: expected a year such as 2020"));
            }
            if let (Some(s), Some(e)) = (start_year, end_year)
                && e <= s
            {
                return Err(format!("--end-year {e} must be after --start-year {s}"));
            }
            Config::Compare(crate::compare::CompareConfig {
                base,
                options,
                out,
                start_year,
                end_year,
                rank_by,
                quiet: args.quiet,
            })
        }
        Command::Check { scenario, out } => Config::Check {
            scenario: scenario.unwrap_or_else(|| "baseline".into()),
            out: out.unwrap_or_else(|| PathBuf::from("out/check")),
        },
    })
}
