//! The crate's one error type: every way an input can be rejected, each saying
//! what was expected.
//!
//! What it is not: a carrier of file names or scenario keys. The caller knows
//! which parameter or output row it was handling and adds that context.

use crate::marginal::Family;

/// Why a marginal, a truncation, a copula, a draw or a quantile request was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum UncertaintyError {
    /// A distribution name that is not one of [`Family::ALL`].
    #[error("unknown distribution `{name}`: expected one of triangular, uniform, normal, lognormal, beta, gamma")]
    UnknownFamily {
        /// The name as given.
        name: String,
    },
    /// A NaN or infinite input where a finite number is needed.
    #[error("{family}: `{field}` must be a finite number, got {value}")]
    NotFinite {
        /// The distribution being built.
        family: Family,
        /// `low`, `central`, `high`, or an explicit parameter.
        field: &'static str,
        /// The value given.
        value: f64,
    },
    /// `low > high`.
    #[error("{family}: low ({low}) must not be above high ({high})")]
    LowAboveHigh {
        /// The distribution being built.
        family: Family,
        /// The low value.
        low: f64,
        /// The high value.
        high: f64,
    },
    /// The central value outside `[low, high]`.
    #[error("{family}: the central value ({central}) must lie in [low, high] = [{low}, {high}]")]
    CentralOutsideRange {
        /// The distribution being built.
        family: Family,
        /// The low value.
        low: f64,
        /// The central value.
        central: f64,
        /// The high value.
        high: f64,
    },
    /// A value that must be positive (or not negative) and is not.
    #[error("{family}: `{field}` must be {expected}, got {value}")]
    NotPositive {
        /// The distribution being built.
        family: Family,
        /// Which input.
        field: &'static str,
        /// What was expected, e.g. "> 0 (a lognormal is positive)".
        expected: &'static str,
        /// The value given.
        value: f64,
    },
    /// An explicit shape parameter the family does not take.
    #[error("{family}: the explicit parameter `{field}` does not apply; {family} takes {expected}")]
    ParameterNotApplicable {
        /// The distribution being built.
        family: Family,
        /// The parameter given.
        field: &'static str,
        /// What the family does take.
        expected: &'static str,
    },
    /// Explicit parameters that contradict each other (e.g. `alpha` without `beta`).
    #[error("{family}: {expected}")]
    ConflictingParameters {
        /// The distribution being built.
        family: Family,
        /// What is expected instead.
        expected: &'static str,
    },
    /// A truncation interval that is empty, NaN, or holds no probability.
    #[error("truncation to [{lo}, {hi}]: {expected}")]
    InvalidTruncation {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
        /// What is expected instead.
        expected: &'static str,
    },
    /// A correlation pair with a bad index or coefficient.
    #[error("correlation ({i}, {j}) = {rho}: {expected}")]
    InvalidPair {
        /// First variable.
        i: usize,
        /// Second variable.
        j: usize,
        /// The coefficient given.
        rho: f64,
        /// What is expected instead.
        expected: String,
    },
    /// The same pair (in either order) given twice.
    #[error("correlation between variables {i} and {j} is given more than once: give each pair once")]
    DuplicatePair {
        /// First variable.
        i: usize,
        /// Second variable.
        j: usize,
    },
    /// The correlation matrix has no Cholesky factor.
    #[error(
        "the correlations are not positive definite (no consistent joint distribution): \
         variable {variable} together with {pairs:?} (pairs (i, j, rho)) fails; smallest eigenvalue of the \
         whole matrix is {min_eigenvalue:.3e}; expected a positive definite matrix, weaken these correlations"
    )]
    NotPositiveDefinite {
        /// The first variable (in index order) at which the Cholesky factorisation fails.
        variable: usize,
        /// The pairs among variables `0..=variable` that involve `variable`.
        pairs: Vec<(usize, usize, f64)>,
        /// The smallest eigenvalue of the full correlation matrix.
        min_eigenvalue: f64,
    },
    /// A slice of the wrong length.
    #[error("{what}: expected {expected} values, got {got}")]
    LengthMismatch {
        /// What the slice holds.
        what: &'static str,
        /// The length expected.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A uniform outside `[0, 1]` or NaN.
    #[error("uniform {index} is {value}: expected a number in [0, 1)")]
    UniformOutOfRange {
        /// Position in the slice.
        index: usize,
        /// The value given.
        value: f64,
    },
    /// A NaN or infinite output value pushed into a quantile accumulator.
    #[error("cell {cell} of draw {draw} is {value}: expected a finite number")]
    NonFiniteValue {
        /// The cell (output row) index.
        cell: usize,
        /// The draw's position among the values pushed into this accumulator.
        draw: u64,
        /// The value given.
        value: f64,
    },
    /// A quantile probability outside `[0, 1]` or NaN.
    #[error("quantile probability {p} is outside [0, 1]")]
    ProbabilityOutOfRange {
        /// The probability given.
        p: f64,
    },
    /// A cell index beyond the accumulator's cells.
    #[error("cell {cell} does not exist: the accumulator has {cells} cells")]
    CellOutOfRange {
        /// The index given.
        cell: usize,
        /// The number of cells.
        cells: usize,
    },
    /// A quantile accumulator setting that cannot work.
    #[error("quantile accumulator: {expected}")]
    InvalidConfig {
        /// What is expected instead.
        expected: &'static str,
    },
    /// An operation that needs the pilot draws to be complete.
    #[error(
        "the pilot has {have} of {need} draws: push the first {need} draws (in draw order) into the \
         accumulator before forking it"
    )]
    PilotIncomplete {
        /// Draws in the pilot so far.
        have: usize,
        /// Draws the pilot needs.
        need: usize,
    },
    /// Two accumulators that cannot be merged.
    #[error("cannot merge these quantile accumulators: {expected}")]
    IncompatibleAccumulators {
        /// What is expected instead.
        expected: &'static str,
    },
    /// Quantiles asked of an accumulator with no draws.
    #[error("no draws: push at least one draw before asking for quantiles")]
    NoDraws,
    /// Too many draws for the accumulator's 32-bit bin counts.
    #[error("more than {max} draws: the accumulator counts draws in 32 bits")]
    TooManyDraws {
        /// The maximum number of draws.
        max: u64,
    },
}

/// The crate's result type.
pub type Result<T, E = UncertaintyError> = std::result::Result<T, E>;
