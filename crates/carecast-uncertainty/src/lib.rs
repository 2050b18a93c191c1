//! carecast-uncertainty: the sampling mathematics of carecast's Monte Carlo.
//!
//! What it is: pure, deterministic functions of their inputs (no I/O, no
//! printing, no clock, no global state, no random generator of its own):
//!
//! - [`Marginal`]: one ranged parameter's distribution, built from a
//!   [`Family`] and the scenario's `(low, central, high)` plus optional explicit
//!   [`Shape`] fields, with its inverse CDF ([`Marginal::quantile`]), mean,
//!   variance, support and optional truncation to a physical domain.
//! - [`GaussianCopula`]: correlates the uniforms of several parameters through
//!   their normal scores; uncorrelated parameters pass through bit-identical.
//! - [`QuantileAccumulator`]: the 5th..95th percentiles of thousands of output
//!   cells over any number of draws, in memory independent of the number of
//!   draws, with output that does not depend on the number of threads.
//!
//! What it is not: the Monte Carlo driver. The binary draws the uniforms (one
//! per parameter per draw, keyed by the parameter's name so scenarios share
//! draws), resolves and simulates the scenario, and writes the results.
//!
//! # Use, in prose
//!
//! For each ranged parameter `{ value = c, low = L, high = H, distribution =
//! "beta" }` the caller parses the name with `"beta".parse::<Family>()` and
//! builds `Marginal::new(Family::Beta, L, c, H)` once (or
//! `Marginal::with_shape` if the file gives `alpha`/`beta`, `sd`, `sigma` or
//! `shape`; `.truncated(0.0, 1.0)` for a probability drawn from an unbounded
//! family). Correlations between parameters are built once as
//! `GaussianCopula::new(n, &[(i, j, rho)])`. For draw `d` the caller makes one
//! uniform per parameter, calls `copula.correlate_in_place(&mut uniforms)`, and
//! sets parameter `i` to `marginals[i].quantile(uniforms[i])`. The results of
//! the draw (one value per output row) go to `accumulator.push(&values)`:
//! draws `0..1000` in draw order first (the pilot), then the rest in parallel
//! into `accumulator.fork()`s that are `merge`d back. Finally
//! `accumulator.quantiles(&[0.05, 0.25, 0.5, 0.75, 0.95])` gives each row's
//! percentiles: exact (type 7) for up to 1,000 draws, within one bin width
//! ([`QuantileAccumulator::max_errors`]) beyond.
//!
//! # Conventions
//!
//! See [`Marginal`] for how each family reads `(low, central, high)`: triangular
//! (min, mode, max), uniform on [low, high], normal and gamma with low/high as
//! the normal 5th/95th percentiles (sd = (high − low)/(2 × 1.6449)), lognormal
//! with median `central` and σ = ln(high/low)/(2 × 1.6449), beta as PERT. The
//! copula's ρ is the correlation of normal scores; the rank correlation is
//! [`rank_correlation`]`(ρ)` = (6/π)·asin(ρ/2).

pub mod copula;
pub mod error;
mod inverse;
pub mod marginal;
pub mod quantiles;

pub use copula::{GaussianCopula, normal_score_correlation, rank_correlation};
pub use error::{Result, UncertaintyError};
pub use marginal::{Family, Marginal, Shape, Z95};
pub use quantiles::{QuantileAccumulator, QuantileConfig, type7, type7_unsorted};
