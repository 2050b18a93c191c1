//! Example: renders one sample of every chart kind to a directory (default
//! /tmp/plot-samples) as PNG and SVG, for eyeballing the report style.
//!
//! Not a test and not used by carecast itself; the data are illustrative.

use std::path::PathBuf;

use carecast_plot::*;

fn text(title: &str, y_title: &str, x_title: &str) -> ChartText {
    ChartText {
        title: title.to_string(),
        subtitle: "Scenario: base (central demand, 3% placement inflation); DfE 2025 data".to_string(),
        x_title: x_title.to_string(),
        y_title: y_title.to_string(),
        source_note: "Source: DfE children looked after in England, 2025 release; carecast projection".to_string(),
    }
}

fn charts() -> Vec<(&'static str, Chart)> {
    let history: Vec<(i32, f64)> = vec![
        (2015, 69_480.0),
        (2016, 70_410.0),
        (2017, 72_610.0),
        (2018, 75_370.0),
        (2019, 78_140.0),
        (2020, 80_000.0),
        (2021, 80_780.0),
        (2022, 82_080.0),
        (2023, 83_630.0),
        (2024, 83_840.0),
        (2025, 81_770.0),
    ];
    let proj: Vec<(i32, f64)> = (2025..=2035).map(|y| (y, 81_770.0 + f64::from(y - 2025) * 900.0)).collect();
    let band = |w: f64| -> Vec<(i32, f64, f64)> {
        proj.iter()
            .map(|&(y, v)| {
                let s = w * f64::from(y - 2025);
                (y, v - s, v + s)
            })
            .collect()
    };
    let mut all = history.clone();
    all.extend(proj.iter().skip(1));
    let lines = Chart::new(
        text(
            "Children looked after in England, history and projection",
            "Children looked after at 31 March (count)",
            "Year (at 31 March)",
        ),
        ValueFormat::Count,
        ChartKind::Lines {
            series: vec![Series::new("Children looked after", all, LineStyle::ProjectedFrom(2025))],
            bands: vec![Band::new("90% range (p05-p95)", band(1_100.0)), Band::new("50% range (p25-p75)", band(450.0))],
        },
    );
    let years: Vec<i32> = (2020..=2035).collect();
    let n = years.len();
    let ramp = |a: f64, b: f64| -> Vec<f64> { (0..n).map(|i| a + (b - a) * i as f64 / (n - 1) as f64).collect() };
    let stacked = Chart::new(
        text("Placement mix of children looked after", "Children looked after (count)", "Year (at 31 March)"),
        ValueFormat::Count,
        ChartKind::StackedArea {
            years,
            layers: vec![
                ("In-house fostering".to_string(), ramp(38_000.0, 36_000.0)),
                ("Independent fostering agency".to_string(), ramp(18_000.0, 22_000.0)),
                ("Residential children's homes".to_string(), ramp(9_000.0, 13_500.0)),
                ("Placed with parents".to_string(), ramp(7_000.0, 6_500.0)),
                ("Other".to_string(), ramp(8_000.0, 9_000.0)),
            ],
        },
    );
    let bars = Chart::new(
        text("Spend by placement type, 2030-31", "Annual spend (£)", "Placement type"),
        ValueFormat::MoneyGbp,
        ChartKind::GroupedBars {
            categories: vec![
                "In-house fostering".into(),
                "Independent fostering agency".into(),
                "Residential children's homes".into(),
                "Supported accommodation (16+)".into(),
                "Other".into(),
            ],
            groups: vec![
                ("Cash".into(), vec![1.32e9, 1.85e9, 4.21e9, 0.62e9, 0.41e9]),
                ("Real (2025-26 prices)".into(), vec![1.15e9, 1.61e9, 3.66e9, 0.54e9, 0.36e9]),
            ],
        },
    );
    let funding = Chart::new(
        text("Funding and spend on children looked after", "Annual amount (£, cash)", "Financial year ending"),
        ValueFormat::MoneyGbp,
        ChartKind::Lines {
            series: vec![
                Series::new(
                    "Spend",
                    (2020..=2035).map(|y| (y, 5.4e9 + f64::from(y - 2020) * 0.42e9)).collect(),
                    LineStyle::ProjectedFrom(2025),
                ),
                Series::new(
                    "Funding",
                    (2020..=2035).map(|y| (y, 5.6e9 + f64::from(y - 2020) * 0.25e9)).collect(),
                    LineStyle::ProjectedFrom(2025),
                ),
            ],
            bands: vec![],
        },
    );
    let diff = Chart::new(
        text("Spend compared with base, by option", "Difference from base (£, cash)", "Financial year ending"),
        ValueFormat::MoneyGbp,
        ChartKind::Lines {
            series: vec![
                Series::new(
                    "Option A: more in-house foster carers",
                    (2025..=2035).map(|y| (y, -18e6 * f64::from(y - 2025))).collect(),
                    LineStyle::Dashed,
                ),
                Series::new(
                    "Option B: edge-of-care service",
                    (2025..=2035).map(|y| (y, -9e6 * f64::from(y - 2025) + 20e6)).collect(),
                    LineStyle::Dashed,
                ),
                Series::new(
                    "Option C: regional residential",
                    (2025..=2035).map(|y| (y, 6e6 * f64::from(y - 2025))).collect(),
                    LineStyle::Dashed,
                ),
            ],
            bands: vec![],
        },
    );
    let waterfall = Chart::new(
        text("What drives cost growth, 2025-26 to 2030-31", "Annual spend (£, cash)", "Component"),
        ValueFormat::MoneyGbp,
        ChartKind::Waterfall {
            start: ("2025-26 spend".into(), 7.31e9),
            steps: vec![
                ("Volume (more children)".into(), 0.64e9),
                ("Placement mix".into(), 0.48e9),
                ("Price".into(), 1.12e9),
                ("Policy options".into(), -0.27e9),
            ],
            end_label: "2030-31 spend".into(),
        },
    );
    let tornado = Chart::new(
        text("Sensitivity of 2030-31 spend to key assumptions", "Assumption varied", "2030-31 spend (£, cash)"),
        ValueFormat::MoneyGbp,
        ChartKind::Tornado {
            base: 9.28e9,
            bars: vec![
                TornadoBar {
                    label: "Entry rate".into(),
                    low_value: 8.9e9,
                    high_value: 9.7e9,
                    low_label: "-10%".into(),
                    high_label: "+10%".into(),
                },
                TornadoBar {
                    label: "Residential price growth".into(),
                    low_value: 8.7e9,
                    high_value: 9.95e9,
                    low_label: "2%".into(),
                    high_label: "6%".into(),
                },
                TornadoBar {
                    label: "Placement duration".into(),
                    low_value: 9.1e9,
                    high_value: 9.45e9,
                    low_label: "-5%".into(),
                    high_label: "+5%".into(),
                },
                TornadoBar {
                    label: "Step-down to fostering".into(),
                    low_value: 9.5e9,
                    high_value: 9.05e9,
                    low_label: "10%".into(),
                    high_label: "30%".into(),
                },
            ],
        },
    );
    vec![
        ("1-children-in-care", lines),
        ("2-placement-mix", stacked),
        ("3-spend-by-placement", bars),
        ("4-funding-vs-spend", funding),
        ("5-difference-from-base", diff),
        ("6-cost-waterfall", waterfall),
        ("7-sensitivity-tornado", tornado),
    ]
}

fn main() -> Result<(), PlotError> {
    let dir = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/tmp/plot-samples"));
    let size = std::env::args().nth(2).map(|s| parse_size(&s)).transpose()?.unwrap_or(DEFAULT_SIZE_PX);
    std::fs::create_dir_all(&dir).map_err(|error| PlotError::Io { path: dir.clone(), error })?;
    for (name, chart) in charts() {
        chart.with_size(size).write(&dir.join(name), Formats::BOTH)?;
    }
    Ok(())
}
