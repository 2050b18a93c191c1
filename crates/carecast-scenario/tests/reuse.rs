//! Monte Carlo resolution shortcuts against the slow, independent route: a
//! drawn value set with `with_value` (an override, with the calibration reused
//! from the central build) must give exactly the model that re-writing the
//! value into the TOML, re-parsing it and resolving from scratch gives.
//!
//! Not here: the sampling of values (binary's Monte Carlo module).

use carecast_scenario::loader::{ranged_params, with_value, with_value_rewritten};
use carecast_scenario::{RunOptions, SHIPPED, Seeds, build, build_reusing, load};

#[test]
fn overrides_with_reuse_equal_rewritten_scenarios_for_every_shipped_scenario() {
    let seeds = Seeds::bundled().expect("seeds");
    let opts = RunOptions::default();
    for shipped in SHIPPED {
        let loaded = load(shipped.name).expect("load");
        let central = build(&loaded, &seeds, &opts).expect("build");
        // Reusing with nothing changed gives the same resolution.
        let again = build_reusing(&loaded, &seeds, &opts, &central).expect("build_reusing");
        assert_eq!(again.model, central.model, "{}: reuse changed the model", shipped.name);
        assert_eq!(again.notes, central.notes, "{}: reuse changed the notes", shipped.name);
        assert_eq!(again.published_margins, central.published_margins, "{}", shipped.name);

        // Every ranged parameter moved a little (small enough to keep shares summing to 1).
        let params = ranged_params(&loaded);
        assert!(!params.is_empty(), "{} states no ranged assumptions", shipped.name);
        let mut fast = loaded.clone();
        let mut slow = loaded.clone();
        for p in &params {
            let step = 1e-8 * (p.high - p.low);
            let v = if p.value + step <= p.high { p.value + step } else { p.value - step };
            fast = with_value(&fast, &p.key, v).expect("with_value");
            slow = with_value_rewritten(&slow, &p.key, v).expect("with_value_rewritten");
        }
        let fast_built = build_reusing(&fast, &seeds, &opts, &central).expect("fast build");
        let slow_built = build(&slow, &seeds, &opts).expect("slow build");
        assert_eq!(
            fast_built.model, slow_built.model,
            "{}: an override is not read where the file's value is",
            shipped.name
        );
        assert_ne!(fast_built.model, central.model, "{}: the moved values changed nothing", shipped.name);
    }
}

#[test]
fn a_different_area_is_not_reused() {
    let seeds = Seeds::bundled().expect("seeds");
    let loaded = load("baseline").expect("load");
    let england = build(&loaded, &seeds, &RunOptions::default()).expect("build");
    let opts = RunOptions { area: Some("Blackpool".into()), ..RunOptions::default() };
    let reused = build_reusing(&loaded, &seeds, &opts, &england).expect("build_reusing");
    let fresh = build(&loaded, &seeds, &opts).expect("build");
    assert_eq!(reused.model, fresh.model);
    assert_eq!(reused.filled.len(), fresh.filled.len());
}
