//! Monte Carlo resolution shortcuts against the slow, independent route: a
//! drawn value set with `with_value` (an override, with the calibration reused
//! from the central build) or resolved by `build_draw` (on top of the central
//! build's preparation) must give exactly the model that re-writing the value
//! into the TOML, re-parsing it and resolving from scratch gives.
//!
//! Not here: the sampling of values (binary's Monte Carlo module).

use carecast_scenario::loader::{SourceFile, ranged_params, with_value, with_value_rewritten};
use carecast_scenario::{Drawn, RunOptions, SHIPPED, Seeds, build, build_draw, build_reusing, load, load_source};

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

/// The values of a draw that moves every ranged parameter a little (small
/// enough to keep shares summing to 1), and the scenario with them re-written
/// into its TOML.
fn moved(
    loaded: &carecast_scenario::Loaded,
) -> (Vec<carecast_scenario::loader::RangedParam>, Vec<f64>, carecast_scenario::Loaded) {
    let params = ranged_params(loaded);
    let mut values = Vec::new();
    let mut slow = loaded.clone();
    for p in &params {
        let step = 1e-8 * (p.high - p.low);
        let v = if p.value + step <= p.high { p.value + step } else { p.value - step };
        values.push(v);
        slow = with_value_rewritten(&slow, &p.key, v).expect("with_value_rewritten");
    }
    (params, values, slow)
}

#[test]
fn a_draw_resolves_to_the_model_of_the_rewritten_scenario_for_every_shipped_scenario() {
    let seeds = Seeds::bundled().expect("seeds");
    let opts = RunOptions::default();
    for shipped in SHIPPED {
        let loaded = load(shipped.name).expect("load");
        let central = build(&loaded, &seeds, &opts).expect("build");
        assert!(central.prepared.is_some(), "{}: a calibrated scenario is prepared", shipped.name);
        // The central values drawn give the central model.
        let params = ranged_params(&loaded);
        let centre: Vec<f64> = params.iter().map(|p| p.value).collect();
        let same = build_draw(&loaded, &seeds, &opts, &central, Drawn { params: &params, values: &centre })
            .expect("central draw");
        assert_eq!(same, central.model, "{}: the central values drawn changed the model", shipped.name);

        let (params, values, slow) = moved(&loaded);
        let drawn =
            build_draw(&loaded, &seeds, &opts, &central, Drawn { params: &params, values: &values }).expect("draw");
        let slow_built = build(&slow, &seeds, &opts).expect("slow build");
        assert_eq!(drawn, slow_built.model, "{}: a drawn value is not read where the file's value is", shipped.name);
        assert_ne!(drawn, central.model, "{}: the drawn values changed nothing", shipped.name);
    }
}

#[test]
fn a_draw_against_another_resolution_or_a_growth_that_changes_the_calibration_is_resolved_in_full() {
    let seeds = Seeds::bundled().expect("seeds");
    // Against a central run of another area: nothing prepared fits.
    let loaded = load("baseline").expect("load");
    let england = build(&loaded, &seeds, &RunOptions::default()).expect("build");
    let opts = RunOptions { area: Some("Blackpool".into()), ..RunOptions::default() };
    let (params, values, slow) = moved(&loaded);
    let drawn = build_draw(&loaded, &seeds, &opts, &england, Drawn { params: &params, values: &values }).expect("draw");
    assert_eq!(drawn, build(&slow, &seeds, &opts).expect("slow build").model);

    // A population base year before the last published year: the published
    // years are projected with the stated growth, so a drawn growth calibrates again.
    let text = "extends = \"baseline\"\n[population]\nbase_mid_year = 2022\n";
    let early = load_source(SourceFile { path: "early.toml".into(), text: text.into() }).expect("load");
    let opts = RunOptions::default();
    let central = build(&early, &seeds, &opts).expect("build");
    let (params, values, slow) = moved(&early);
    let drawn = build_draw(&early, &seeds, &opts, &central, Drawn { params: &params, values: &values }).expect("draw");
    let slow_built = build(&slow, &seeds, &opts).expect("slow build");
    assert_eq!(drawn, slow_built.model);
    assert_ne!(slow_built.calibration, central.calibration, "the growth changed the calibration");
}
