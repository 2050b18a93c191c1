//! Tests of `carecast_scenario::fill`: the filling rule on small hand-built
//! seeds (expected values worked out by hand in the comments), and invariants
//! on the bundled 2025 data and the Northamptonshire/Cumbria reorganisations.
//!
//! Not here: the resolver's use of filled values (tested with the resolver).

use carecast_scenario::Seeds;
use carecast_scenario::fill::{
    ENGLAND, FillError, FillMethod, Filler, REORGANISATIONS, TOTAL, predecessor, structural_zeros,
};
use carecast_scenario::seeds::{Area, BreakdownKey, Cell, SEED_FILES};
use std::collections::{BTreeMap, HashSet};

const LA: &str = "E06000901";
const REGION: &str = "E12000901";

fn area(code: &str, level: &str, region: &str) -> Area {
    Area {
        code: code.into(),
        dfe_number: "999".into(),
        name: format!("Test {code}"),
        level: level.into(),
        region_code: region.into(),
        note: String::new(),
    }
}

/// Seeds with England, one region and one council in it.
fn seeds() -> Seeds {
    let mut s = Seeds::default();
    s.areas.push(area(ENGLAND, "national", ""));
    s.areas.push(area(REGION, "region", ""));
    s.areas.push(area(LA, "la", REGION));
    s
}

fn key(a: &str, year: i32, table: &str, dim: &str, cat: &str) -> BreakdownKey {
    (a.into(), year, table.into(), dim.into(), cat.into())
}

/// Inserts stock/placement cells for 2025; `None` = suppressed.
fn put(s: &mut Seeds, a: &str, cells: &[(&str, Option<f64>)]) {
    for (cat, v) in cells {
        let cell = match v {
            Some(x) => Cell::Number(*x),
            None => Cell::Suppressed,
        };
        s.breakdowns.insert(key(a, 2025, "stock", "placement", cat), cell);
    }
}

fn group(s: &Seeds) -> BTreeMap<String, (f64, FillMethod)> {
    let g = Filler::new(s).group(LA, 2025, "stock", "placement").expect("group fills");
    g.cells.into_iter().map(|(k, c)| (k, (c.value, c.method))).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn one_suppressed_cell_is_total_minus_known() {
    let mut s = seeds();
    // 100 - 70 - 20 = 10.
    put(&mut s, LA, &[("total", Some(100.0)), ("foster", Some(70.0)), ("childrens_home", Some(20.0)), ("other", None)]);
    let f = Filler::new(&s);
    let g = f.group(LA, 2025, "stock", "placement").unwrap();
    assert_eq!(g.cells["other"].value, 10.0);
    assert_eq!(g.cells["other"].method, FillMethod::FilledFromTotal);
    assert_eq!(g.cells["foster"].method, FillMethod::Published);
    assert_eq!(g.cells["total"].method, FillMethod::Published);
    assert_eq!(g.report.filled.len(), 1);
    assert_eq!(g.report.filled[0].category, "other");
    assert_eq!(g.report.filled[0].value, 10.0);
    assert!(g.report.problems.is_empty());

    // The convenience accessor gives the same, and published cells as they stand.
    let (c, r) = f.value(LA, 2025, "stock", "placement", "other").unwrap();
    assert_eq!((c.value, c.method), (10.0, FillMethod::FilledFromTotal));
    assert_eq!(r.filled.len(), 1);
    let (c, r) = f.value(LA, 2025, "stock", "placement", "foster").unwrap();
    assert_eq!((c.value, c.method), (70.0, FillMethod::Published));
    assert!(r.filled.is_empty());
    assert!(matches!(f.value(LA, 2025, "stock", "placement", "no_such"), Err(FillError::UnknownCategory { .. })));
}

#[test]
fn two_suppressed_cells_share_by_region_pattern() {
    let mut s = seeds();
    // Remainder 100 - 80 = 20; region 30:10 -> 15 and 5.
    put(
        &mut s,
        LA,
        &[("total", Some(100.0)), ("foster", Some(80.0)), ("other_residential", None), ("residential_school", None)],
    );
    put(
        &mut s,
        REGION,
        &[("total", Some(1000.0)), ("other_residential", Some(30.0)), ("residential_school", Some(10.0))],
    );
    // England's pattern is the other way round (10:30 -> 5 and 15), so using it would fail the test.
    put(
        &mut s,
        ENGLAND,
        &[("total", Some(9000.0)), ("other_residential", Some(10.0)), ("residential_school", Some(30.0))],
    );
    let g = group(&s);
    let region = FillMethod::FilledByRegionPattern { region: REGION.into() };
    assert!(close(g["other_residential"].0, 15.0), "{:?}", g["other_residential"]);
    assert!(close(g["residential_school"].0, 5.0), "{:?}", g["residential_school"]);
    assert_eq!(g["other_residential"].1, region);
    assert_eq!(g["residential_school"].1, region);
}

#[test]
fn region_suppressed_falls_back_to_england_pattern() {
    let mut s = seeds();
    put(
        &mut s,
        LA,
        &[("total", Some(100.0)), ("foster", Some(80.0)), ("other_residential", None), ("residential_school", None)],
    );
    // One of the region's two cells is suppressed, so its pattern is unusable.
    put(&mut s, REGION, &[("total", Some(1000.0)), ("other_residential", None), ("residential_school", Some(10.0))]);
    // England 10:30 -> 20 * 1/4 = 5 and 20 * 3/4 = 15.
    put(
        &mut s,
        ENGLAND,
        &[("total", Some(9000.0)), ("other_residential", Some(10.0)), ("residential_school", Some(30.0))],
    );
    let g = group(&s);
    assert!(close(g["other_residential"].0, 5.0));
    assert!(close(g["residential_school"].0, 15.0));
    assert_eq!(g["other_residential"].1, FillMethod::FilledByEnglandPattern);

    // England suppressed too: equal shares (10 and 10), reported.
    put(&mut s, ENGLAND, &[("other_residential", None)]);
    let r = Filler::new(&s).group(LA, 2025, "stock", "placement").unwrap();
    assert!(close(r.cells["other_residential"].value, 10.0));
    assert!(close(r.cells["residential_school"].value, 10.0));
    assert_eq!(r.cells["residential_school"].method, FillMethod::FilledEqually);
    assert_eq!(r.report.problems.len(), 1);
}

#[test]
fn suppressed_total_uses_headline() {
    let mut s = seeds();
    // Headline stock 50; 50 - 40 = 10.
    put(&mut s, LA, &[("total", None), ("foster", Some(40.0)), ("other", None)]);
    s.headline.insert((LA.into(), 2025), [Cell::Number(50.0), Cell::Number(20.0), Cell::Number(18.0)]);
    let g = group(&s);
    assert_eq!(g["total"], (50.0, FillMethod::TotalFromHeadline));
    assert_eq!(g["other"], (10.0, FillMethod::FilledFromTotal));

    // Headline suppressed too: unfillable, and the error names the group.
    s.headline.insert((LA.into(), 2025), [Cell::Suppressed, Cell::Number(20.0), Cell::Number(18.0)]);
    let f = Filler::new(&s);
    let err = f.group(LA, 2025, "stock", "placement").unwrap_err();
    assert!(matches!(err, FillError::TotalUnavailable { .. }));
    let msg = err.to_string();
    for part in [LA, "2025", "stock", "placement", "expected"] {
        assert!(msg.contains(part), "`{part}` missing from: {msg}");
    }
    // A published cell is still available on its own.
    assert_eq!(f.value(LA, 2025, "stock", "placement", "foster").unwrap().0.value, 40.0);

    // Not a whole-population dimension: the headline is not its total.
    s.headline.insert((LA.into(), 2025), [Cell::Number(50.0), Cell::Number(20.0), Cell::Number(18.0)]);
    s.breakdowns.insert(key(LA, 2025, "stock", "distance", "total"), Cell::Suppressed);
    s.breakdowns.insert(key(LA, 2025, "stock", "distance", "over_20_miles"), Cell::Suppressed);
    assert!(matches!(Filler::new(&s).group(LA, 2025, "stock", "distance"), Err(FillError::TotalUnavailable { .. })));
}

#[test]
fn suppressed_total_and_headline_use_another_breakdown_then_the_flow_identity() {
    let mut s = seeds();
    // Own total and headline stock suppressed; foster 3 published, two cells suppressed.
    put(&mut s, LA, &[("total", None), ("foster", Some(3.0)), ("other", None), ("childrens_home", None)]);
    s.headline.insert((LA.into(), 2025), [Cell::Suppressed, Cell::Number(15.0), Cell::Number(18.0)]);
    // The region's pattern for the two: 1 : 3.
    put(&mut s, REGION, &[("other", Some(10.0)), ("childrens_home", Some(30.0))]);

    // 1. The age breakdown publishes its total, 11: 11 - 3 = 8 shared 2 and 6.
    s.breakdowns.insert(key(LA, 2025, "stock", "age", "total"), Cell::Number(11.0));
    let g = group(&s);
    assert_eq!(g["total"], (11.0, FillMethod::TotalFromOtherBreakdown { dimension: "age".into() }));
    assert!(close(g["other"].0, 2.0) && close(g["childrens_home"].0, 6.0), "{g:?}");

    // 2. Not there either: last year's stock 7 + starts 15 - ceased 18 = 4, so 1 to share: 0.25 and 0.75.
    s.breakdowns.insert(key(LA, 2025, "stock", "age", "total"), Cell::Suppressed);
    s.headline.insert((LA.into(), 2024), [Cell::Number(7.0), Cell::Number(9.0), Cell::Number(9.0)]);
    let g = group(&s);
    assert_eq!(g["total"], (4.0, FillMethod::FlowIdentity));
    assert!(close(g["other"].0, 0.25) && close(g["childrens_home"].0, 0.75), "{g:?}");
    // The total's origin travels with every cell filled from it.
    let (_, report) = Filler::new(&s).value(LA, 2025, "stock", "placement", "other").unwrap();
    assert!(report.filled.iter().any(|n| n.category == TOTAL && n.method == FillMethod::FlowIdentity));

    // 3. A term of the identity suppressed (last year's stock): unfillable, and the message says why.
    s.headline.insert((LA.into(), 2024), [Cell::Suppressed, Cell::Number(9.0), Cell::Number(9.0)]);
    let msg = Filler::new(&s).group(LA, 2025, "stock", "placement").unwrap_err().to_string();
    assert!(msg.contains("flow identity"), "{msg}");

    // 4. Starts solved from the identity: stock 2025 (published 10) - stock 2024 (7) + ceased (18) = 21.
    s.headline.insert((LA.into(), 2024), [Cell::Number(7.0), Cell::Number(9.0), Cell::Number(9.0)]);
    s.headline.insert((LA.into(), 2025), [Cell::Number(10.0), Cell::Suppressed, Cell::Number(18.0)]);
    for (cat, v) in [("total", None), ("under_1", Some(1.0)), ("1_4", None)] {
        let cell = v.map_or(Cell::Suppressed, Cell::Number);
        s.breakdowns.insert(key(LA, 2025, "starts", "age", cat), cell);
    }
    let g = Filler::new(&s).group(LA, 2025, "starts", "age").unwrap();
    assert_eq!(g.cells["total"].value, 21.0);
    assert_eq!(g.cells["1_4"].value, 20.0);
}

#[test]
fn negative_remainder_gives_zero_and_a_problem() {
    let mut s = seeds();
    // 95 + 10 = 105 > 100.
    put(
        &mut s,
        LA,
        &[
            ("total", Some(100.0)),
            ("foster", Some(95.0)),
            ("childrens_home", Some(10.0)),
            ("other", None),
            ("other_residential", None),
        ],
    );
    let g = Filler::new(&s).group(LA, 2025, "stock", "placement").unwrap();
    assert_eq!(g.cells["other"].value, 0.0);
    assert_eq!(g.cells["other_residential"].value, 0.0);
    assert!(g.cells["other"].method.is_filled());
    assert_eq!(g.report.problems.len(), 1);
    assert!(g.report.problems[0].contains(LA) && g.report.problems[0].contains("105"), "{:?}", g.report.problems);
}

#[test]
fn structural_zero_stays_zero_and_is_not_flagged() {
    let mut s = seeds();
    put(&mut s, LA, &[("total", Some(100.0)), ("foster", Some(90.0)), ("placed_for_adoption", None), ("other", None)]);
    let zeros: HashSet<BreakdownKey> = [key(LA, 2025, "stock", "placement", "placed_for_adoption")].into();
    let f = Filler::with_structural_zeros(&s, zeros);
    let g = f.group(LA, 2025, "stock", "placement").unwrap();
    // `z` is not a suppressed cell: `other` is the only one and takes all 10.
    assert_eq!(g.cells["placed_for_adoption"].value, 0.0);
    assert_eq!(g.cells["placed_for_adoption"].method, FillMethod::StructuralZero);
    assert!(!g.cells["placed_for_adoption"].method.is_filled());
    assert_eq!(g.cells["other"].value, 10.0);
    assert_eq!(g.report.filled.len(), 1);
    assert!(g.report.filled.iter().all(|n| n.category != "placed_for_adoption"));

    // The `z` list is read from breakdown text, distinguishing `z` from `c`.
    let text = "area_code,year,table,dimension,category,value\n\
                E06000901,2025,stock,placement,placed_for_adoption,z\n\
                E06000901,2025,stock,placement,other,c\n\
                E06000901,2025,stock,placement,foster,90\n";
    let z = structural_zeros("test.csv", text).unwrap();
    assert_eq!(z.len(), 1);
    assert!(z.contains(&key(LA, 2025, "stock", "placement", "placed_for_adoption")));
    assert!(matches!(structural_zeros("bad.csv", "area_code,year\nx,1\n"), Err(FillError::Seed(_))));
}

#[test]
fn apportioned_group_from_a_predecessor_with_breakdowns() {
    // Northamptonshire codes with made-up numbers. Successor stocks 2022: 30 and 70.
    let (pred, north, west) = ("E10000021", "E06000061", "E06000062");
    let mut s = seeds();
    s.areas.push(area(pred, "former_la", REGION));
    s.areas.push(area(north, "la", REGION));
    s.areas.push(area(west, "la", REGION));
    s.headline.insert((north.into(), 2022), [Cell::Number(30.0), Cell::Number(1.0), Cell::Number(1.0)]);
    s.headline.insert((west.into(), 2022), [Cell::Number(70.0), Cell::Number(1.0), Cell::Number(1.0)]);
    s.headline.insert((pred.into(), 2020), [Cell::Number(200.0), Cell::Suppressed, Cell::Number(1.0)]);
    for (cat, v) in [("total", Some(200.0)), ("foster", Some(150.0)), ("other", None)] {
        let cell = v.map(Cell::Number).unwrap_or(Cell::Suppressed);
        s.breakdowns.insert(key(pred, 2020, "stock", "placement", cat), cell);
    }
    let f = Filler::new(&s);
    let g = f.group(north, 2020, "stock", "placement").unwrap();
    // 0.3 * 200 = 60, 0.3 * 150 = 45, 0.3 * (200 - 150) = 15.
    assert!(close(g.cells["total"].value, 60.0));
    assert!(close(g.cells["foster"].value, 45.0));
    assert!(close(g.cells["other"].value, 15.0));
    assert!(
        g.cells.values().all(
            |c| matches!(&c.method, FillMethod::Apportioned { from_areas, .. } if from_areas == &[pred.to_string()])
        )
    );
    // The predecessor's own fill is reported as well as the three apportioned values.
    assert_eq!(g.report.filled.iter().filter(|n| n.area == north).count(), 3);
    assert_eq!(g.report.filled.iter().filter(|n| n.area == pred).count(), 1);
    // Headline: 0.7 * 200 = 140; starts suppressed for the predecessor -> error.
    assert!(close(f.headline(west, 2020, "stock").unwrap().0.value, 140.0));
    assert!(matches!(f.headline(west, 2020, "starts"), Err(FillError::HeadlineUnavailable { .. })));
    // From the successors' first year on, no apportionment.
    assert!(predecessor(&s, north, 2022).is_none());
    assert!(predecessor(&s, LA, 2020).is_none());
}

// ---- bundled data ----

fn bundled() -> Seeds {
    Seeds::bundled().expect("bundled seeds parse")
}

#[test]
fn bundled_2025_groups_add_up_and_are_non_negative() {
    let s = bundled();
    let f = Filler::bundled(&s).unwrap();
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut checked = 0;
    for la in s.areas.iter().filter(|a| a.level == "la") {
        for (table, dim) in [("stock", "placement"), ("stock", "age"), ("ceased", "reason")] {
            let published_total = s.breakdown(&la.code, 2025, table, dim, TOTAL).and_then(Cell::number);
            let g = match f.group(&la.code, 2025, table, dim) {
                Ok(g) => g,
                Err(e) => {
                    assert!(published_total.is_none(), "{e}");
                    continue;
                }
            };
            let sum: f64 = g.cells.iter().filter(|(k, _)| k.as_str() != TOTAL).map(|(_, c)| c.value).sum();
            if let Some(t) = published_total {
                assert!((sum - t).abs() < 1e-9, "{} {table}/{dim}: {sum} vs {t}", la.code);
                checked += 1;
            }
            for (cat, c) in &g.cells {
                assert!(c.value >= 0.0 && c.value.is_finite(), "{} {table}/{dim}/{cat}: {}", la.code, c.value);
                // Every cell that is not a number in the seeds is either `z` or flagged.
                let raw = s.breakdown(&la.code, 2025, table, dim, cat);
                if raw == Some(Cell::Suppressed) {
                    assert_ne!(c.method, FillMethod::Published);
                }
            }
            *counts.entry((table.into(), dim.into())).or_default() +=
                g.cells.iter().filter(|(k, c)| k.as_str() != TOTAL && c.method.is_filled()).count();
        }
    }
    // 153 councils; City of London's stock totals (and headline) are suppressed in 2025.
    assert_eq!(checked, 153 * 3 - 2);
    eprintln!("2025 filled cells by table/dimension: {counts:?}");
}

#[test]
fn bundled_city_of_london_2025_stock_by_the_flow_identity_closes_the_national_total() {
    // The City of London's 2025 stock is suppressed everywhere. The flow
    // identity gives it from its own published 2024 stock, 2025 starts and
    // ceased; a second, independent route is England's published stock minus
    // every other council's published stock. The two agree.
    let s = bundled();
    let stock = |code: &str| s.headline.get(&(code.to_string(), 2025)).and_then(|c| c[0].number());
    let city = "E09000001";
    assert_eq!(stock(city), None, "the seeds still suppress it");
    let others: f64 = s.areas.iter().filter(|a| a.level == "la" && a.code != city).filter_map(|a| stock(&a.code)).sum();
    let residual = stock(ENGLAND).unwrap() - others;
    let g = Filler::bundled(&s).unwrap().group(city, 2025, "stock", "age").unwrap();
    assert_eq!(g.cells[TOTAL].method, FillMethod::FlowIdentity);
    assert_eq!(g.cells[TOTAL].value, residual);
    assert_eq!(residual, 4.0);
}

#[test]
fn bundled_2025_other_residential_fill_count_is_87() {
    let s = bundled();
    let f = Filler::bundled(&s).unwrap();
    let mut filled = 0;
    for la in s.areas.iter().filter(|a| a.level == "la") {
        if let Ok((c, _)) = f.value(&la.code, 2025, "stock", "placement", "other_residential")
            && c.method.is_filled()
        {
            filled += 1;
        }
    }
    // seeds/PROVENANCE.md: "stock placement `other_residential` 87" councils with `c`.
    assert_eq!(filled, 87);
    // Independently, the raw CSV lines with `c` for that cell.
    let text = SEED_FILES.iter().find(|f| f.path.ends_with("cla_breakdowns.csv")).unwrap().text;
    let raw = text.lines().filter(|l| l.contains(",2025,stock,placement,other_residential,c")).count();
    assert_eq!(raw, 87);
}

#[test]
fn bundled_isles_of_scilly_is_structural_zero() {
    let s = bundled();
    let f = Filler::bundled(&s).unwrap();
    let g = f.group("E06000053", 2025, "stock", "placement").unwrap();
    assert!(g.cells.values().all(|c| c.value == 0.0));
    assert!(g.report.filled.is_empty());
    assert_eq!(g.cells["foster"].method, FillMethod::StructuralZero);
}

#[test]
fn bundled_north_northamptonshire_2020_is_apportioned() {
    let s = bundled();
    let f = Filler::bundled(&s).unwrap();
    let (north, west) = ("E06000061", "E06000062");
    let a = predecessor(&s, north, 2020).expect("a predecessor before 2022");
    let b = predecessor(&s, west, 2020).expect("a predecessor before 2022");
    assert_eq!(a.from_areas, vec!["E10000021".to_string()]);
    assert_eq!(a.share_year, 2022);
    // cla_headline.csv 2022 stock: North 525, West 658.
    assert!(close(a.share, 525.0 / 1183.0));
    assert!(close(a.share + b.share, 1.0));

    // Northamptonshire 2020 stock 1157.
    let (c, report) = f.headline(north, 2020, "stock").unwrap();
    assert!(close(c.value, 1157.0 * 525.0 / 1183.0), "{}", c.value);
    assert!(
        matches!(&c.method, FillMethod::Apportioned { from_areas, .. } if from_areas == &["E10000021".to_string()])
    );
    assert!(c.method.is_filled());
    assert_eq!(report.filled.len(), 1);
    let (w, _) = f.headline(west, 2020, "stock").unwrap();
    assert!(close(c.value + w.value, 1157.0));

    // The breakdown total follows the headline; categories cannot (no predecessor rows), and say so.
    let (t, _) = f.value(north, 2020, "stock", "placement", TOTAL).unwrap();
    assert!(close(t.value, c.value));
    assert!(matches!(t.method, FillMethod::Apportioned { .. }));
    assert!(matches!(f.group(north, 2020, "stock", "placement"), Err(FillError::NoPredecessorBreakdown { .. })));
    // 2022 onwards the council's own figures.
    assert!(predecessor(&s, north, 2022).is_none());
    assert_eq!(
        f.headline(north, 2022, "stock").unwrap().0,
        carecast_scenario::fill::FilledCell { value: 525.0, method: FillMethod::Published }
    );
}

#[test]
fn bundled_reorganisation_table_matches_areas_and_shares_add_to_one() {
    let s = bundled();
    for r in REORGANISATIONS {
        for p in r.predecessors {
            assert_eq!(s.find_area(p).map(|a| a.level.as_str()), Some("former_la"), "{p}");
        }
        let mut total = 0.0;
        for c in r.successors {
            assert_eq!(s.find_area(c).map(|a| a.level.as_str()), Some("la"), "{c}");
            total += predecessor(&s, c, r.first_year - 1).expect("a share").share;
        }
        assert!(close(total, 1.0), "{}", r.description);
    }
    // Cumbria: Cumberland 482 and Westmorland and Furness 247 children in care in 2024.
    let cumberland = predecessor(&s, "E06000063", 2023).unwrap();
    assert!(close(cumberland.share, 482.0 / 729.0));
}

#[test]
fn bundled_2025_every_non_number_cell_is_accounted_for() {
    // seeds/PROVENANCE.md, "Suppression, 2025, LA cells": non-integer cells per group.
    let provenance = [
        ("stock", "age", 28),
        ("stock", "placement", 304),
        ("stock", "provider", 346),
        ("stock", "legal_status", 208),
        ("stock", "uasc", 5),
        ("starts", "age", 25),
        ("starts", "legal_status", 455),
        ("starts", "uasc", 10),
        ("ceased", "age", 241),
        ("ceased", "reason", 882),
        ("ceased", "uasc", 8),
    ];
    let s = bundled();
    let f = Filler::bundled(&s).unwrap();
    let mut summary = Vec::new();
    for (table, dim, expected) in provenance {
        let (mut filled, mut zero, mut unfillable, mut problems) = (0, 0, 0, 0);
        for la in s.areas.iter().filter(|a| a.level == "la") {
            match f.group(&la.code, 2025, table, dim) {
                Ok(g) => {
                    filled += g.cells.values().filter(|c| c.method.is_filled()).count();
                    zero += g.cells.values().filter(|c| c.method == FillMethod::StructuralZero).count();
                    problems += g.report.problems.len();
                }
                Err(_) => {
                    unfillable += s
                        .breakdowns
                        .iter()
                        .filter(|((a, y, t, d, _), c)| {
                            a == &la.code && *y == 2025 && t == table && d == dim && **c == Cell::Suppressed
                        })
                        .count();
                }
            }
        }
        assert_eq!(filled + zero + unfillable, expected, "{table}/{dim}");
        summary.push(format!("{table}/{dim}: filled {filled}, z {zero}, unfillable {unfillable}, problems {problems}"));
    }
    eprintln!("{}", summary.join("\n"));
}

#[test]
fn bundled_breakdown_line_points_at_the_cell_row() {
    // The Isles of Scilly's 2021 exits aged 5-9 are `c`: the located line of
    // the file, read here on its own, is that row and its sixth field is `c`.
    let s = bundled();
    let (path, line, column) = s.breakdown_line("E06000053", 2021, "ceased", "age", "5_9").expect("located");
    assert_eq!((path, column), ("seeds/cla_breakdowns.csv", 6));
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(path))
        .expect("seed file");
    let row: Vec<&str> = text.lines().nth(line - 1).expect("line exists").split(',').collect();
    assert_eq!(row, ["E06000053", "2021", "ceased", "age", "5_9", "c"]);
    assert_eq!(s.breakdown_line("E06000053", 2021, "ceased", "age", "no_such_category"), None);
    // Seeds not loaded from the bundle cannot be located.
    assert_eq!(seeds().breakdown_line(LA, 2025, "stock", "placement", "total"), None);
}
