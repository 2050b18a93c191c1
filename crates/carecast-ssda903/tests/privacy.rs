//! Privacy: the aggregate output (Debug and JSON) holds no CHILD id, date of
//! birth or postcode from the input.
//!
//! This is not a test of the issue list, which is for the analyst and does
//! carry submitted values.

use carecast_ssda903::{AggregateOptions, CleanOptions, ReturnTables, TableSource, load};
use std::collections::BTreeSet;

fn tokens(s: &str) -> BTreeSet<String> {
    s.split(|c: char| !c.is_ascii_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_string).collect()
}

fn check(episodes: &[u8], header: &[u8]) {
    let tables = ReturnTables::new()
        .with_episodes(TableSource::from_bytes("episodes.csv", episodes))
        .with_header(TableSource::from_bytes("header.csv", header));
    let h = load(&tables, &CleanOptions::default()).unwrap();
    let a = h.aggregate(&AggregateOptions::default()).unwrap();
    let debug = format!("{a:?} {h:?}");
    let json = serde_json::to_string(&a).unwrap();
    let mut rdr = csv::Reader::from_reader(episodes);
    let mut ids = BTreeSet::new();
    let mut postcodes = BTreeSet::new();
    for r in rdr.records() {
        let r = r.unwrap();
        ids.insert(r[0].to_string());
        for pc in [&r[10], &r[11]] {
            if !pc.is_empty() {
                postcodes.insert(pc.to_string());
            }
        }
    }
    let mut rdr = csv::Reader::from_reader(header);
    let dobs: BTreeSet<String> = rdr.records().map(|r| r.unwrap()[2].to_string()).collect();
    assert!(ids.len() > 10);
    for out in [&debug, &json] {
        let toks = tokens(out);
        for id in &ids {
            assert!(!toks.contains(id), "CHILD id {id} in output");
        }
        for dob in &dobs {
            assert!(!out.contains(dob.as_str()), "DOB {dob} in output");
        }
        for pc in &postcodes {
            assert!(!out.contains(pc.as_str()), "postcode {pc} in output");
        }
    }
}

#[test]
fn aggregates_hold_no_identifiers_sf_sample() {
    check(
        include_bytes!("fixtures/sf-regional-samples-v1/episodes.csv"),
        include_bytes!("fixtures/sf-regional-samples-v1/header.csv"),
    );
}

#[test]
fn aggregates_hold_no_identifiers_d2i_sample() {
    check(
        include_bytes!("fixtures/d2i-cs-demand-model-samples/2018-episodes.csv"),
        include_bytes!("fixtures/d2i-cs-demand-model-samples/2018-header.csv"),
    );
}
