//! carecast-scenario: scenario files (TOML) and the bundled seed data (CSV),
//! loaded, validated and resolved into a `carecast_core::Model`.
//!
//! This crate reads files and knows units, ids and sources; it does not
//! simulate (core) and does not write outputs (the binary and its observers).

mod area_data;
pub mod error;
mod explicit;
pub mod fill;
pub mod loader;
mod policy;
pub mod resolve;
pub mod schema;
pub mod seeds;
pub mod uncertainty;
mod values;

pub use error::ScenarioError;
pub use loader::{Loaded, SHIPPED, load, load_source};
pub use resolve::{Built, Note, Outturn, RunOptions, build, build_draw, build_reusing};
pub use seeds::{HeadlineRates, Seeds};
pub use uncertainty::{DrawPlan, draw_plan};
pub use values::Drawn;
