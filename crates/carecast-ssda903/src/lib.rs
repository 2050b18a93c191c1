//! carecast-ssda903: read a council's SSDA903 (children looked after) return
//! tables, clean them the way a population model needs, and aggregate them to
//! the stock, exposure, entries, exits and moves that calibrate the carecast
//! engine, with rates and 95% intervals.
//!
//! This is not a validator for DfE submission, not a forecast, and it prints
//! nothing: reading files is its only side effect. Aggregate output types hold
//! no child identifiers, dates of birth or postcodes.
//!
//! ```
//! use carecast_ssda903::{load, AggregateOptions, CleanOptions, ReturnTables, TableSource};
//! let episodes = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n\
//!                 A1,01/04/2020,S,C2,N1,U4,PR1,01/10/2020,E4A,,,,\n";
//! let header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA1,1,15/06/2012,WBRI,,,\n";
//! let tables = ReturnTables::new()
//!     .with_episodes(TableSource::from_bytes("episodes.csv", episodes))
//!     .with_header(TableSource::from_bytes("header.csv", header));
//! let data = load(&tables, &CleanOptions::default()).unwrap();
//! let agg = data.aggregate(&AggregateOptions::default()).unwrap();
//! let days: u64 = agg.exposure.iter().map(|c| c.exposure_days).sum();
//! assert_eq!(days, 183);
//! ```

pub mod aggregate;
pub mod clean;
pub mod codes;
pub mod date;
pub mod error;
pub mod read;
pub mod testing;

pub use aggregate::{
    AgeBand, AggregateOptions, Aggregates, DailyStock, EntryCell, EntryRate, ExitCell, ExitRate, ExposureCell,
    Interval95, MoveCell, MoveRate, OutsideBands, PlacementScheme, StockCell, StockSnapshot, UascFilter,
    default_age_bands,
};
pub use clean::{CareHistories, CleanOptions, CleaningSummary, load};
pub use codes::{PlacementGroup, ReasonGroup, placement_group_of, reason_group_of};
pub use date::Date;
pub use error::{Issue, IssueAction, IssueCount, IssueReason, Ssda903Error};
pub use read::{LaCount, ReturnTables, TableSource};
pub use testing::{KnownRates, generate_synthetic_return};
