//! The one integration-test binary: runs the `carecast` executable as a user
//! would, on the bundled data, and checks outputs against published figures.
//! Test modules live in `tests/cli/`.

#[path = "cli/backtest_tests.rs"]
mod backtest_tests;
#[path = "cli/calibrate903_tests.rs"]
mod calibrate903_tests;
#[path = "cli/calibrate_la_tests.rs"]
mod calibrate_la_tests;
#[path = "cli/common.rs"]
mod common;
#[path = "cli/compare_tests.rs"]
mod compare_tests;
#[path = "cli/council_tests.rs"]
mod council_tests;
#[path = "cli/montecarlo_tests.rs"]
mod montecarlo_tests;
#[path = "cli/published_tests.rs"]
mod published_tests;
#[path = "cli/report_tests.rs"]
mod report_tests;
#[path = "cli/run_tests.rs"]
mod run_tests;
#[path = "cli/scenario_tests.rs"]
mod scenario_tests;
#[path = "cli/sensitivity_tests.rs"]
mod sensitivity_tests;
#[path = "cli/validate_tests.rs"]
mod validate_tests;
