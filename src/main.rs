//! The `carecast` binary: parse the command line into a validated
//! configuration, run it, print the error chain and exit non-zero on failure.
//!
//! Thin by design: all modelling is in `carecast-core`, all file formats in
//! `carecast-scenario` (input) and `carecast-report` / `carecast-plot` (output).

/// `println!` that ignores a closed stdout (e.g. `carecast run | head`) instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `eprintln!` that ignores a closed stderr (e.g. `carecast ... 2>&1 | head`)
/// instead of panicking: progress messages and the error chain are best effort.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// mimalloc instead of the system allocator: a Monte Carlo draw builds and
/// drops a few hundred small vectors (the drawn model, its projection), and
/// glibc's malloc was about a tenth of a 153-council run's time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod all_las;
mod app;
mod backtest;
mod calibrate903;
mod calibrate_la;
mod charts;
mod check;
mod cli;
mod compare;
mod explain;
mod montecarlo;
mod output;
mod report;
mod sensitivity;

use std::process::ExitCode;

fn main() -> ExitCode {
    let config = match cli::parse() {
        Ok(c) => c,
        Err(code) => return code,
    };
    match app::run(&config) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            errln!("error: {err}");
            for cause in err.chain().skip(1) {
                errln!("  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}
