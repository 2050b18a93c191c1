//! Filling suppressed council cells of the DfE breakdowns, and carrying the
//! history of councils created by local government reorganisation back to
//! their predecessors.
//!
//! What it is: the one place where a suppressed (`c`, `x`, `k`, `low`, blank)
//! breakdown cell gets a number, and where a successor council gets values for
//! years before it existed. Every value that was not published is returned with
//! its [`FillMethod`] and listed in a [`FillReport`], so reports can flag it.
//!
//! What it is not: modelling, calibration or output. It never changes a
//! published number, never reads files (the structural-zero list is parsed
//! from text it is given, or from the bundled seeds), and holds no state beyond
//! an index of the seeds it was built on.
//!
//! # The filling rule (one group = one area, year, table and dimension)
//!
//! 1. The group's total is its published `total` cell. If that is suppressed
//!    and the dimension covers the whole population (`age`, `placement`,
//!    `reason`, `provider`, `legal_status`, `uasc`), the headline figure for
//!    the area and year (`cla_headline.csv` stock, starts or ceased) is used
//!    instead ([`FillMethod::TotalFromHeadline`]). If the headline is
//!    suppressed too, the published `total` of another whole-population
//!    breakdown of the table ([`FillMethod::TotalFromOtherBreakdown`]), else
//!    the flow identity, stock at 31 March = last year's stock + starts -
//!    ceased, solved for the missing term when the other three are published
//!    ([`FillMethod::FlowIdentity`]). Otherwise the group cannot be filled and
//!    [`FillError::TotalUnavailable`] says why.
//! 2. The remainder is the total minus the published categories. Structural
//!    zeros (`z`) count as 0, stay 0 and are not flagged as fills.
//! 3. One suppressed category takes the whole remainder
//!    ([`FillMethod::FilledFromTotal`]). Several share it in proportion to the
//!    same year/table/dimension cells of the council's region
//!    ([`FillMethod::FilledByRegionPattern`]); if any of those region cells is
//!    suppressed (or they are all 0), England's cells are used
//!    ([`FillMethod::FilledByEnglandPattern`]); if England's are suppressed too,
//!    the remainder is shared equally ([`FillMethod::FilledEqually`]) and a
//!    problem is reported. Either way the categories add up to the total.
//! 4. A negative remainder (published categories exceeding the total, which
//!    rounding can cause) sets every suppressed category to 0 and reports the
//!    inconsistency: that group does not add up to its total.
//!
//! # Reorganisation
//!
//! See [`REORGANISATIONS`] and [`predecessor`]: for years before a successor
//! council existed its values are its predecessors' values times its share,
//! flagged [`FillMethod::Apportioned`].

use crate::error::ScenarioError;
use crate::seeds::{BreakdownKey, Cell, CsvTable, SEED_FILES, Seeds};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::rc::Rc;
use thiserror::Error;

/// ONS code of England, whose pattern is the last resort.
pub const ENGLAND: &str = "E92000001";

/// Dimensions whose categories cover every child in the table, so that their
/// total equals the headline stock, starts or ceased.
pub const WHOLE_POPULATION_DIMENSIONS: [&str; 6] = ["age", "placement", "reason", "provider", "legal_status", "uasc"];

/// Name of the total category in every group.
pub const TOTAL: &str = "total";

/// How a value came about.
#[derive(Debug, Clone, PartialEq)]
pub enum FillMethod {
    /// Published by DfE as it stands.
    Published,
    /// Published as `z` (not applicable): 0, and not a fill.
    StructuralZero,
    /// The group's total, taken from the headline figure because the
    /// breakdown's own `total` is suppressed.
    TotalFromHeadline,
    /// The group's total, taken from another whole-population breakdown of
    /// the same table because its own `total` and the headline figure are
    /// suppressed.
    TotalFromOtherBreakdown {
        /// The breakdown whose published total was used.
        dimension: String,
    },
    /// The group's total from the flow identity (stock at 31 March = the
    /// previous year's stock + starts - ceased) with the other three terms
    /// published, because its own `total` and the headline figure are suppressed.
    FlowIdentity,
    /// The only suppressed category of its group: total minus the published
    /// categories.
    FilledFromTotal,
    /// One of several suppressed categories: the remainder shared by the
    /// region's pattern.
    FilledByRegionPattern {
        /// The region whose cells gave the shares.
        region: String,
    },
    /// As [`FillMethod::FilledByRegionPattern`], with England's pattern because
    /// the region's cells are suppressed too.
    FilledByEnglandPattern,
    /// The remainder shared equally, because neither the region nor England
    /// publishes the suppressed categories (reported as a problem).
    FilledEqually,
    /// A successor council's value for a year before it existed: the
    /// predecessors' combined value times `share`.
    Apportioned {
        /// The predecessor councils' codes.
        from_areas: Vec<String>,
        /// The successor's share (see [`predecessor`]).
        share: f64,
    },
}

impl FillMethod {
    /// Whether the value was not published as it stands (so must be flagged).
    pub fn is_filled(&self) -> bool {
        !matches!(self, FillMethod::Published | FillMethod::StructuralZero)
    }
}

impl fmt::Display for FillMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FillMethod::Published => write!(f, "published"),
            FillMethod::StructuralZero => write!(f, "not applicable (z), 0"),
            FillMethod::TotalFromHeadline => write!(f, "total taken from the headline figure"),
            FillMethod::TotalFromOtherBreakdown { dimension } => {
                write!(f, "total taken from the published total of the {dimension} breakdown")
            }
            FillMethod::FlowIdentity => {
                write!(f, "total from the flow identity: last year's stock + starts - ceased (published terms)")
            }
            FillMethod::FilledFromTotal => write!(f, "filled: total minus published categories"),
            FillMethod::FilledByRegionPattern { region } => {
                write!(f, "filled: remainder shared by the pattern of region {region}")
            }
            FillMethod::FilledByEnglandPattern => write!(f, "filled: remainder shared by England's pattern"),
            FillMethod::FilledEqually => write!(f, "filled: remainder shared equally (no published pattern)"),
            FillMethod::Apportioned { from_areas, share } => {
                write!(f, "apportioned: {:.4} of {}", share, from_areas.join(" + "))
            }
        }
    }
}

/// A value and how it came about.
#[derive(Debug, Clone, PartialEq)]
pub struct FilledCell {
    /// The number of children.
    pub value: f64,
    /// Published, filled or apportioned.
    pub method: FillMethod,
}

/// One value that was not published as it stands.
#[derive(Debug, Clone, PartialEq)]
pub struct FillNote {
    /// Area code.
    pub area: String,
    /// Year ending 31 March.
    pub year: i32,
    /// `stock`, `starts`, `ceased`.
    pub table: String,
    /// Dimension (`placement`, `age`, ...); `headline` for headline figures.
    pub dimension: String,
    /// Category (or `total`).
    pub category: String,
    /// The value given.
    pub value: f64,
    /// How it was obtained.
    pub method: FillMethod,
}

/// Every fill and every problem met while filling.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FillReport {
    /// Values that were not published as they stand.
    pub filled: Vec<FillNote>,
    /// Inconsistencies and fallbacks a reader should know about.
    pub problems: Vec<String>,
}

impl FillReport {
    /// Appends another report.
    pub fn extend(&mut self, other: FillReport) {
        self.filled.extend(other.filled);
        self.problems.extend(other.problems);
    }
}

/// All categories of one group (including `total`) and the report of how.
#[derive(Debug, Clone, PartialEq)]
pub struct FilledGroup {
    /// Category -> value. Categories other than `total` add up to `total`
    /// unless `report.problems` says otherwise.
    pub cells: BTreeMap<String, FilledCell>,
    /// The fills and problems.
    pub report: FillReport,
}

/// Why a value could not be given.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum FillError {
    /// No rows for the group and no predecessor to apportion from.
    #[error(
        "{area} {year} {table}/{dimension}: expected breakdown rows in seeds/cla_breakdowns.csv, found none (and no predecessor council for that year)"
    )]
    NoBreakdown {
        /// Area code.
        area: String,
        /// Year.
        year: i32,
        /// Table.
        table: String,
        /// Dimension.
        dimension: String,
    },
    /// The total is suppressed and cannot be replaced.
    #[error(
        "{area} {year} {table}/{dimension}: expected a published `total`, or for a whole-population dimension a published headline {table} figure, to fill suppressed categories from: {reason}"
    )]
    TotalUnavailable {
        /// Area code.
        area: String,
        /// Year.
        year: i32,
        /// Table.
        table: String,
        /// Dimension.
        dimension: String,
        /// What was missing.
        reason: String,
    },
    /// A successor council before it existed, whose predecessors publish no
    /// breakdown for the group.
    #[error(
        "{area} {year} {table}/{dimension}: the council did not exist yet; expected breakdown rows for its predecessor(s) {predecessors} to apportion, found none (only headline figures can be apportioned)"
    )]
    NoPredecessorBreakdown {
        /// Area code.
        area: String,
        /// Year.
        year: i32,
        /// Table.
        table: String,
        /// Dimension.
        dimension: String,
        /// Predecessor codes, joined with ` + `.
        predecessors: String,
    },
    /// The category is not in the group.
    #[error("{area} {year} {table}/{dimension}: expected one of the categories {available}, found `{category}`")]
    UnknownCategory {
        /// Area code.
        area: String,
        /// Year.
        year: i32,
        /// Table.
        table: String,
        /// Dimension.
        dimension: String,
        /// The category asked for.
        category: String,
        /// The categories present, comma separated.
        available: String,
    },
    /// A headline figure is neither published nor apportionable.
    #[error(
        "{area} {year} headline {table}: expected a published figure in seeds/cla_headline.csv or predecessors' figures to apportion: {reason}"
    )]
    HeadlineUnavailable {
        /// Area code.
        area: String,
        /// Year.
        year: i32,
        /// Table.
        table: String,
        /// What was missing.
        reason: String,
    },
    /// A table other than stock, starts, ceased.
    #[error("table `{table}`: expected `stock`, `starts` or `ceased`")]
    UnknownTable {
        /// The table asked for.
        table: String,
    },
    /// The breakdown text could not be read.
    #[error(transparent)]
    Seed(#[from] ScenarioError),
}

/// A local government reorganisation: predecessor councils whose combined area
/// is exactly that of the successor councils.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reorganisation {
    /// Councils abolished.
    pub predecessors: &'static [&'static str],
    /// Councils created.
    pub successors: &'static [&'static str],
    /// First year (ending 31 March) with CLA figures for the successors.
    pub first_year: i32,
    /// What happened.
    pub description: &'static str,
}

/// The reorganisations carried in the seeds (see `seeds/areas.csv` notes; the
/// `note` column is not parsed by [`Seeds`], so the list is kept here).
pub const REORGANISATIONS: [Reorganisation; 3] = [
    Reorganisation {
        predecessors: &["E10000021"],
        successors: &["E06000061", "E06000062"],
        first_year: 2022,
        description: "Northamptonshire (E10000021) abolished 1 April 2021: North Northamptonshire and West Northamptonshire",
    },
    Reorganisation {
        predecessors: &["E10000006"],
        successors: &["E06000063", "E06000064"],
        first_year: 2024,
        description: "Cumbria (E10000006) abolished 1 April 2023: Cumberland and Westmorland and Furness",
    },
    Reorganisation {
        predecessors: &["E10000009", "E06000028", "E06000029"],
        successors: &["E06000058", "E06000059"],
        first_year: 2020,
        description: "Dorset County (E10000009), Bournemouth (E06000028) and Poole (E06000029) replaced 1 April 2019 by \
                      Bournemouth, Christchurch and Poole and Dorset Council (Christchurch moved between them, so only \
                      the combined area is the same)",
    },
];

/// How a successor's values before it existed are derived.
#[derive(Debug, Clone, PartialEq)]
pub struct Apportionment {
    /// Predecessor councils, whose values are added.
    pub from_areas: Vec<String>,
    /// The successor's share of the predecessors' combined value.
    pub share: f64,
    /// The year the share was measured in.
    pub share_year: i32,
}

/// The predecessor(s) and share of a successor council, for a year before the
/// successor existed; `None` for any other area or year, or when no year has a
/// published stock for every successor.
///
/// Method: the share is the successor's children in care at 31 March
/// (`cla_headline.csv` stock) divided by the sum over all successors of the same
/// reorganisation, in the first year from [`Reorganisation::first_year`] in
/// which every successor's stock is published. The stock share is used for
/// every table (stock, starts, ceased) and every breakdown, because a stock is
/// larger and steadier than one year's flows. A successor's value before it
/// existed is then the predecessors' combined value times the share, so the
/// successors' apportioned values add up to the predecessors' (the shares of
/// one reorganisation add to 1).
pub fn predecessor(seeds: &Seeds, area: &str, year: i32) -> Option<Apportionment> {
    let reorg = REORGANISATIONS.iter().find(|r| r.successors.contains(&area))?;
    if year >= reorg.first_year {
        return None;
    }
    let stock = |code: &str, y: i32| seeds.headline.get(&(code.to_string(), y)).and_then(|c| c[0].number());
    let last_year = seeds.headline.keys().map(|(_, y)| *y).max().unwrap_or(reorg.first_year);
    for y in reorg.first_year..=last_year {
        let stocks: Option<Vec<f64>> = reorg.successors.iter().map(|s| stock(s, y)).collect();
        let Some(stocks) = stocks else { continue };
        let sum: f64 = stocks.iter().sum();
        if sum <= 0.0 {
            continue;
        }
        let own = stock(area, y)?;
        return Some(Apportionment {
            from_areas: reorg.predecessors.iter().map(|p| p.to_string()).collect(),
            share: own / sum,
            share_year: y,
        });
    }
    None
}

/// The breakdown cells published as `z` (structurally zero, not applicable) in
/// a `cla_breakdowns.csv` text. [`Seeds`] reads `z` as suppressed like `c`, so
/// the filler needs this list to tell them apart.
pub fn structural_zeros(path: &str, text: &str) -> Result<HashSet<BreakdownKey>, FillError> {
    let t = CsvTable::parse(path, text, &["area_code", "year", "table", "dimension", "category", "value"])?;
    let (a, y, tb, d, c, v) =
        (t.col("area_code"), t.col("year"), t.col("table"), t.col("dimension"), t.col("category"), t.col("value"));
    let mut out = HashSet::new();
    for (line, row) in t.rows() {
        if matches!(t.text(row, v), "z" | "[z]") {
            out.insert((
                t.text(row, a).to_string(),
                t.year(line, row, y)?,
                t.text(row, tb).to_string(),
                t.text(row, d).to_string(),
                t.text(row, c).to_string(),
            ));
        }
    }
    Ok(out)
}

/// Index of a headline table.
fn table_index(table: &str) -> Option<usize> {
    match table {
        "stock" => Some(0),
        "starts" => Some(1),
        "ceased" => Some(2),
        _ => None,
    }
}

/// The categories of one area's groups, by (year, table, dimension), sorted.
type AreaGroups = HashMap<(i32, String, String), Vec<String>>;

/// Fills groups of one set of seeds. It indexes the seeds' breakdown
/// categories one area at a time, on first use of the area (the council, its
/// region, England, a predecessor), so building one for a council costs
/// nothing until a cell is filled and then a scan per area used, not an index
/// of every council.
#[derive(Debug)]
pub struct Filler<'s> {
    seeds: &'s Seeds,
    zeros: Cow<'s, HashSet<BreakdownKey>>,
    categories: RefCell<HashMap<String, Rc<AreaGroups>>>,
}

impl<'s> Filler<'s> {
    /// A filler that knows no structural zeros: every non-number cell is
    /// treated as suppressed.
    pub fn new(seeds: &'s Seeds) -> Self {
        Filler::with_structural_zeros(seeds, HashSet::new())
    }

    /// A filler with the given structural-zero (`z`) cells.
    pub fn with_structural_zeros(seeds: &'s Seeds, zeros: HashSet<BreakdownKey>) -> Self {
        Filler { seeds, zeros: Cow::Owned(zeros), categories: RefCell::default() }
    }

    /// A filler with structural-zero cells kept elsewhere (not copied).
    pub fn with_borrowed_zeros(seeds: &'s Seeds, zeros: &'s HashSet<BreakdownKey>) -> Self {
        Filler { seeds, zeros: Cow::Borrowed(zeros), categories: RefCell::default() }
    }

    /// The categories of `area`'s groups, indexed on first use.
    fn area_groups(&self, area: &str) -> Rc<AreaGroups> {
        if let Some(groups) = self.categories.borrow().get(area) {
            return Rc::clone(groups);
        }
        let mut groups = AreaGroups::new();
        for (a, year, table, dimension, category) in self.seeds.breakdowns.keys() {
            if a == area {
                groups.entry((*year, table.clone(), dimension.clone())).or_default().push(category.clone());
            }
        }
        for cats in groups.values_mut() {
            cats.sort();
        }
        let groups = Rc::new(groups);
        self.categories.borrow_mut().insert(area.to_string(), Rc::clone(&groups));
        groups
    }

    /// A filler for the bundled seeds, with the `z` cells of the bundled
    /// `seeds/cla_breakdowns.csv`.
    pub fn bundled(seeds: &'s Seeds) -> Result<Self, FillError> {
        let zeros = match SEED_FILES.iter().find(|f| f.path.ends_with("cla_breakdowns.csv")) {
            Some(f) => structural_zeros(f.path, f.text)?,
            None => HashSet::new(),
        };
        Ok(Filler::with_structural_zeros(seeds, zeros))
    }

    /// The seeds filled from.
    pub fn seeds(&self) -> &'s Seeds {
        self.seeds
    }

    fn is_zero(&self, area: &str, year: i32, table: &str, dimension: &str, category: &str) -> bool {
        self.zeros.contains(&(area.to_string(), year, table.to_string(), dimension.to_string(), category.to_string()))
    }

    /// All categories of one (area, year, table, dimension), filled so that
    /// they add up to the total (see the module documentation). For a successor
    /// council before it existed, the predecessors' filled group times the
    /// share (see [`predecessor`]).
    pub fn group(&self, area: &str, year: i32, table: &str, dimension: &str) -> Result<FilledGroup, FillError> {
        let groups = self.area_groups(area);
        if let Some(cats) = groups.get(&(year, table.to_string(), dimension.to_string())) {
            return self.own_group(area, year, table, dimension, cats);
        }
        match predecessor(self.seeds, area, year) {
            Some(app) => self.apportioned_group(area, year, table, dimension, &app),
            None => Err(FillError::NoBreakdown {
                area: area.into(),
                year,
                table: table.into(),
                dimension: dimension.into(),
            }),
        }
    }

    /// One category's value, filling its group as needed. A published cell is
    /// returned as it stands even when the rest of its group cannot be filled.
    /// The report holds this category's note (if filled), the group total's
    /// note when that total came from another breakdown or the flow identity,
    /// and the group's problems.
    pub fn value(
        &self,
        area: &str,
        year: i32,
        table: &str,
        dimension: &str,
        category: &str,
    ) -> Result<(FilledCell, FillReport), FillError> {
        if self.is_zero(area, year, table, dimension, category) {
            return Ok((FilledCell { value: 0.0, method: FillMethod::StructuralZero }, FillReport::default()));
        }
        if let Some(Cell::Number(v)) = self.seeds.breakdown(area, year, table, dimension, category) {
            return Ok((FilledCell { value: v, method: FillMethod::Published }, FillReport::default()));
        }
        let group = match self.group(area, year, table, dimension) {
            Ok(g) => g,
            Err(FillError::NoPredecessorBreakdown { .. })
                if category == TOTAL && WHOLE_POPULATION_DIMENSIONS.contains(&dimension) =>
            {
                // The total of a whole-population dimension is the headline figure.
                let (cell, mut report) = self.headline(area, year, table)?;
                for n in &mut report.filled {
                    n.dimension = dimension.to_string();
                    n.category = TOTAL.to_string();
                }
                return Ok((cell, report));
            }
            Err(e) => return Err(e),
        };
        let Some(cell) = group.cells.get(category).cloned() else {
            return Err(FillError::UnknownCategory {
                area: area.into(),
                year,
                table: table.into(),
                dimension: dimension.into(),
                category: category.into(),
                available: group.cells.keys().cloned().collect::<Vec<_>>().join(", "),
            });
        };
        let report = FillReport {
            // The cell's own note, and the total's when it was not published
            // or taken from the headline (its origin is then part of the cell's).
            filled: group
                .report
                .filled
                .into_iter()
                .filter(|n| {
                    n.area == area
                        && (n.category == category
                            || (n.category == TOTAL
                                && matches!(
                                    n.method,
                                    FillMethod::TotalFromOtherBreakdown { .. } | FillMethod::FlowIdentity
                                )))
                })
                .collect(),
            problems: group.report.problems,
        };
        Ok((cell, report))
    }

    /// A headline figure (`stock`, `starts`, `ceased`): published, or for a
    /// successor council before it existed, apportioned from its predecessors.
    pub fn headline(&self, area: &str, year: i32, table: &str) -> Result<(FilledCell, FillReport), FillError> {
        let idx = table_index(table).ok_or_else(|| FillError::UnknownTable { table: table.into() })?;
        let unavailable =
            |reason: String| FillError::HeadlineUnavailable { area: area.into(), year, table: table.into(), reason };
        let own = self.seeds.headline.get(&(area.to_string(), year)).map(|c| c[idx]);
        if let Some(Cell::Number(v)) = own {
            return Ok((FilledCell { value: v, method: FillMethod::Published }, FillReport::default()));
        }
        let Some(app) = predecessor(self.seeds, area, year) else {
            let what = if own.is_some() { "it is suppressed" } else { "there is no row" };
            return Err(unavailable(format!("{what} and the council has no predecessor for that year")));
        };
        let mut sum = 0.0;
        for p in &app.from_areas {
            match self.seeds.headline.get(&(p.clone(), year)).map(|c| c[idx]) {
                Some(Cell::Number(v)) => sum += v,
                Some(Cell::Suppressed) => return Err(unavailable(format!("predecessor {p}'s figure is suppressed"))),
                None => return Err(unavailable(format!("predecessor {p} has no row"))),
            }
        }
        let method = FillMethod::Apportioned { from_areas: app.from_areas.clone(), share: app.share };
        let value = sum * app.share;
        let report = FillReport {
            filled: vec![FillNote {
                area: area.into(),
                year,
                table: table.into(),
                dimension: "headline".into(),
                category: TOTAL.into(),
                value,
                method: method.clone(),
            }],
            problems: Vec::new(),
        };
        Ok((FilledCell { value, method }, report))
    }

    fn own_group(
        &self,
        area: &str,
        year: i32,
        table: &str,
        dimension: &str,
        cats: &[String],
    ) -> Result<FilledGroup, FillError> {
        let here = format!("{area} {year} {table}/{dimension}");
        let note = |category: &str, value: f64, method: &FillMethod| FillNote {
            area: area.into(),
            year,
            table: table.into(),
            dimension: dimension.into(),
            category: category.into(),
            value,
            method: method.clone(),
        };
        let mut cells = BTreeMap::new();
        let mut report = FillReport::default();

        // 1. The total.
        let total = if self.is_zero(area, year, table, dimension, TOTAL) {
            cells.insert(TOTAL.to_string(), FilledCell { value: 0.0, method: FillMethod::StructuralZero });
            0.0
        } else if let Some(Cell::Number(v)) = self.seeds.breakdown(area, year, table, dimension, TOTAL) {
            cells.insert(TOTAL.to_string(), FilledCell { value: v, method: FillMethod::Published });
            v
        } else {
            let unavailable = |reason: String| FillError::TotalUnavailable {
                area: area.into(),
                year,
                table: table.into(),
                dimension: dimension.into(),
                reason,
            };
            if !WHOLE_POPULATION_DIMENSIONS.contains(&dimension) {
                return Err(unavailable(format!(
                    "the total is suppressed and `{dimension}` is not a whole-population dimension"
                )));
            }
            let idx = table_index(table).ok_or_else(|| {
                unavailable(format!("the total is suppressed and table `{table}` has no headline figure"))
            })?;
            let headline = self.seeds.headline.get(&(area.to_string(), year)).map(|c| c[idx]);
            let (v, method) = match headline {
                Some(Cell::Number(v)) => (v, FillMethod::TotalFromHeadline),
                _ => self.total_without_headline(area, year, table, dimension).ok_or_else(|| {
                    unavailable(format!(
                        "the total is suppressed, {}, no other whole-population breakdown of the table \
                         publishes its total, and the flow identity (stock = last year's stock + starts - ceased) \
                         lacks a published term",
                        if headline.is_some() { "so is the headline figure" } else { "there is no headline row" }
                    ))
                })?,
            };
            report.filled.push(note(TOTAL, v, &method));
            cells.insert(TOTAL.to_string(), FilledCell { value: v, method });
            v
        };

        // 2. Published, structural zero, or suppressed.
        let mut known = 0.0;
        let mut suppressed: Vec<&str> = Vec::new();
        for cat in cats.iter().filter(|c| c.as_str() != TOTAL) {
            if self.is_zero(area, year, table, dimension, cat) {
                cells.insert(cat.clone(), FilledCell { value: 0.0, method: FillMethod::StructuralZero });
            } else if let Some(Cell::Number(v)) = self.seeds.breakdown(area, year, table, dimension, cat) {
                known += v;
                cells.insert(cat.clone(), FilledCell { value: v, method: FillMethod::Published });
            } else {
                suppressed.push(cat);
            }
        }
        if suppressed.is_empty() {
            return Ok(FilledGroup { cells, report });
        }

        // 3. Share the remainder.
        let remainder = total - known;
        let values: Vec<f64>;
        let method: FillMethod;
        if remainder < 0.0 {
            report.problems.push(format!(
                "{here}: the published categories add up to {known} but the total is {total}; the suppressed \
                 categories ({}) are set to 0 and the group exceeds its total by {}",
                suppressed.join(", "),
                known - total
            ));
            values = vec![0.0; suppressed.len()];
            method = FillMethod::FilledFromTotal;
        } else if suppressed.len() == 1 || remainder == 0.0 {
            values = if suppressed.len() == 1 { vec![remainder] } else { vec![0.0; suppressed.len()] };
            method = FillMethod::FilledFromTotal;
        } else {
            let region = self
                .seeds
                .areas
                .iter()
                .find(|a| a.code == area)
                .map(|a| a.region_code.clone())
                .filter(|r| !r.is_empty() && r != area && r != ENGLAND);
            let by_region = region
                .as_deref()
                .and_then(|r| self.pattern(r, year, table, dimension, &suppressed).map(|w| (w, r.to_string())));
            let (weights, m) = if let Some((w, r)) = by_region {
                (w, FillMethod::FilledByRegionPattern { region: r })
            } else if let Some(w) =
                (area != ENGLAND).then(|| self.pattern(ENGLAND, year, table, dimension, &suppressed)).flatten()
            {
                (w, FillMethod::FilledByEnglandPattern)
            } else {
                report.problems.push(format!(
                    "{here}: neither the region nor England publishes the suppressed categories ({}); the \
                     remainder {remainder} is shared equally",
                    suppressed.join(", ")
                ));
                (vec![1.0; suppressed.len()], FillMethod::FilledEqually)
            };
            let sum: f64 = weights.iter().sum();
            values = weights.iter().map(|w| remainder * w / sum).collect();
            method = m;
        }
        for (cat, value) in suppressed.iter().zip(values) {
            report.filled.push(note(cat, value, &method));
            cells.insert(cat.to_string(), FilledCell { value, method: method.clone() });
        }
        Ok(FilledGroup { cells, report })
    }

    /// A table's published total for an area and year: the headline figure,
    /// else the `total` of a whole-population breakdown (with the dimension).
    fn published_total(&self, area: &str, year: i32, table: &str) -> Option<(f64, Option<&'static str>)> {
        let idx = table_index(table)?;
        if let Some(Cell::Number(v)) = self.seeds.headline.get(&(area.to_string(), year)).map(|c| c[idx]) {
            return Some((v, None));
        }
        WHOLE_POPULATION_DIMENSIONS.iter().find_map(|d| match self.seeds.breakdown(area, year, table, d, TOTAL) {
            Some(Cell::Number(v)) => Some((v, Some(*d))),
            _ => None,
        })
    }

    /// A suppressed group total whose headline figure is suppressed too: the
    /// published total of another whole-population breakdown of the same
    /// table, else the flow identity (stock at 31 March = the previous
    /// year's stock + the year's starts - the year's ceased), solved for the
    /// missing term from published totals only (never from filled ones).
    fn total_without_headline(&self, area: &str, year: i32, table: &str, dimension: &str) -> Option<(f64, FillMethod)> {
        if let Some((v, Some(d))) = self.published_total(area, year, table).filter(|(_, d)| *d != Some(dimension)) {
            return Some((v, FillMethod::TotalFromOtherBreakdown { dimension: d.to_string() }));
        }
        let get = |y: i32, t: &str| self.published_total(area, y, t).map(|(v, _)| v);
        let value = match table {
            "stock" => get(year - 1, "stock")? + get(year, "starts")? - get(year, "ceased")?,
            "starts" => get(year, "stock")? - get(year - 1, "stock")? + get(year, "ceased")?,
            "ceased" => get(year - 1, "stock")? + get(year, "starts")? - get(year, "stock")?,
            _ => return None,
        };
        (value >= 0.0).then_some((value, FillMethod::FlowIdentity))
    }

    /// An area's published cells for the categories, as weights: `None` if any
    /// is suppressed, absent or negative, or if they add up to 0.
    fn pattern(&self, area: &str, year: i32, table: &str, dimension: &str, cats: &[&str]) -> Option<Vec<f64>> {
        let mut weights = Vec::with_capacity(cats.len());
        for cat in cats {
            if self.is_zero(area, year, table, dimension, cat) {
                weights.push(0.0);
            } else {
                match self.seeds.breakdown(area, year, table, dimension, cat)? {
                    Cell::Number(v) if v >= 0.0 && v.is_finite() => weights.push(v),
                    _ => return None,
                }
            }
        }
        (weights.iter().sum::<f64>() > 0.0).then_some(weights)
    }

    fn apportioned_group(
        &self,
        area: &str,
        year: i32,
        table: &str,
        dimension: &str,
        app: &Apportionment,
    ) -> Result<FilledGroup, FillError> {
        let mut report = FillReport::default();
        let mut sums: BTreeMap<String, f64> = BTreeMap::new();
        let mut groups = Vec::new();
        for p in &app.from_areas {
            let area_groups = self.area_groups(p);
            let Some(cats) = area_groups.get(&(year, table.to_string(), dimension.to_string())) else {
                return Err(FillError::NoPredecessorBreakdown {
                    area: area.into(),
                    year,
                    table: table.into(),
                    dimension: dimension.into(),
                    predecessors: app.from_areas.join(" + "),
                });
            };
            groups.push((p, self.own_group(p, year, table, dimension, cats)?));
        }
        for (_, g) in &groups {
            for (cat, cell) in &g.cells {
                *sums.entry(cat.clone()).or_insert(0.0) += cell.value;
            }
        }
        for (p, g) in groups {
            for cat in sums.keys().filter(|c| !g.cells.contains_key(*c)) {
                report.problems.push(format!(
                    "{area} {year} {table}/{dimension}: predecessor {p} has no `{cat}` category; counted as 0"
                ));
            }
            report.extend(g.report);
        }
        let method = FillMethod::Apportioned { from_areas: app.from_areas.clone(), share: app.share };
        let mut cells = BTreeMap::new();
        for (cat, sum) in sums {
            let value = sum * app.share;
            report.filled.push(FillNote {
                area: area.into(),
                year,
                table: table.into(),
                dimension: dimension.into(),
                category: cat.clone(),
                value,
                method: method.clone(),
            });
            cells.insert(cat, FilledCell { value, method: method.clone() });
        }
        Ok(FilledGroup { cells, report })
    }
}
