//! carecast-core: the children-in-care simulation core.
//!
//! Pure: no file I/O, no printing, no global state, no clock. The same model
//! and seed always give the same numbers, whichever vector instructions the
//! processor has (the simulator runs compiled for AVX2 where it can, through
//! `carecast_simd::dispatch`, with the same bits as the baseline). Inputs arrive as plain data
//! ([`model::Model`], [`calibrate::PublishedYear`]); results leave as plain data
//! ([`sim::Projection`], [`rows::Row`]) for observers outside the core to write.
//!
//! Not here: the scenario language (see `carecast-scenario`), reading seeds,
//! charts, or any output format.

pub mod calibrate;
pub mod effects;
pub mod error;
pub mod fit;
pub mod ipf;
pub mod model;
pub mod money;
pub mod noise;
pub mod path;
pub mod rows;
pub mod sim;

pub use error::CoreError;
pub use model::{
    AGES, AgeBand, Capacity, Dimensions, InitialState, LEAVER_AGES, Model, Transfer, Workforce, YearParams,
};
pub use rows::Row;
pub use sim::{Expected, FlowDraw, MonthFlows, Projection, QUARTERS, YearResult, simulate, simulate_with};
