//! The bundled seed data (DfE, ONS, MHCLG; OGL v3.0), compiled into the binary,
//! parsed into lookup tables.
//!
//! What it is: one CSV reader with file:line:column errors and the typed tables
//! the resolver needs. What it is not: any modelling; suppressed cells stay
//! `Cell::Suppressed` here and are filled (and flagged) by the resolver.

use crate::error::ScenarioError;
use std::collections::HashMap;

/// A seed file: its path relative to the repository and its text.
#[derive(Debug, Clone, Copy)]
pub struct SeedFile {
    /// Path shown in messages, e.g. `seeds/cla_headline.csv`.
    pub path: &'static str,
    /// Contents.
    pub text: &'static str,
}

macro_rules! seed {
    ($name:literal) => {
        SeedFile { path: concat!("seeds/", $name), text: include_str!(concat!("../../../seeds/", $name)) }
    };
}

/// Every bundled seed file.
pub const SEED_FILES: [SeedFile; 9] = [
    seed!("areas.csv"),
    seed!("cla_headline.csv"),
    seed!("cla_breakdowns.csv"),
    seed!("population_0_17.csv"),
    seed!("population_single_year.csv"),
    seed!("s251_finance.csv"),
    seed!("care_leavers.csv"),
    seed!("ro3.csv"),
    seed!("workforce.csv"),
];

/// The published figures (TOML) bundled with the seeds.
pub const PUBLISHED_FIGURES: SeedFile = seed!("published-figures.toml");

/// A cell of published data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// A number.
    Number(f64),
    /// Suppressed or not available (DfE `c`, `x`, `z`, `k`, `low`, or blank).
    Suppressed,
}

impl Cell {
    /// The number, if not suppressed.
    pub fn number(self) -> Option<f64> {
        match self {
            Cell::Number(v) => Some(v),
            Cell::Suppressed => None,
        }
    }
}

/// A parsed CSV: header and rows, with line numbers for messages.
#[derive(Debug)]
pub struct CsvTable {
    path: String,
    columns: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

impl CsvTable {
    /// Parses RFC 4180 CSV with a header (a leading byte-order mark is
    /// ignored). Errors name the file, line and column.
    pub fn parse(path: &str, text: &str, required: &[&str]) -> Result<Self, ScenarioError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(text.as_bytes());
        let columns: Vec<String> = rdr
            .headers()
            .map_err(|e| ScenarioError::data(path, 1, 1, format!("a CSV header row ({e})")))?
            .iter()
            .map(|c| c.trim().to_string())
            .collect();
        if columns.iter().all(|c| c.is_empty()) {
            return Err(ScenarioError::data(path, 1, 1, "a header row, the file is empty"));
        }
        for r in required {
            if !columns.iter().any(|c| c == r) {
                return Err(ScenarioError::data(
                    path,
                    1,
                    1,
                    format!("a column `{r}` (columns are: {})", columns.join(", ")),
                ));
            }
        }
        let mut rows = Vec::new();
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                ScenarioError::data(path, line, 1, format!("{} fields as in the header ({e})", columns.len()))
            })?;
            let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
            rows.push((line, rec.iter().map(|f| f.trim().to_string()).collect()));
        }
        Ok(CsvTable { path: path.to_string(), columns, rows })
    }

    /// Index of a column.
    pub fn col(&self, name: &str) -> usize {
        self.columns.iter().position(|c| c == name).unwrap_or(usize::MAX)
    }

    /// Rows with their line numbers.
    pub fn rows(&self) -> impl Iterator<Item = (usize, &[String])> {
        self.rows.iter().map(|(l, r)| (*l, r.as_slice()))
    }

    /// A field as text.
    pub fn text<'r>(&self, row: &'r [String], col: usize) -> &'r str {
        row.get(col).map(String::as_str).unwrap_or("")
    }

    /// A field as a cell: a number, or suppressed for blank and DfE codes.
    pub fn cell(&self, line: usize, row: &[String], col: usize) -> Result<Cell, ScenarioError> {
        let raw = self.text(row, col);
        match raw {
            "" | "c" | "x" | "z" | "k" | "low" | "u" | "-" | "[x]" | "[z]" | "[n]" => Ok(Cell::Suppressed),
            _ => raw.replace(',', "").parse::<f64>().map(Cell::Number).map_err(|_| {
                ScenarioError::data(
                    &self.path,
                    line,
                    col + 1,
                    format!("a number or a suppression code in column `{}`, found `{raw}`", self.columns[col]),
                )
            }),
        }
    }

    /// A field as an integer year.
    pub fn year(&self, line: usize, row: &[String], col: usize) -> Result<i32, ScenarioError> {
        let raw = self.text(row, col);
        raw.parse::<i32>().map_err(|_| {
            ScenarioError::data(
                &self.path,
                line,
                col + 1,
                format!("a year in column `{}`, found `{raw}`", self.columns[col]),
            )
        })
    }
}

/// One area (England, a region, a council).
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// ONS code.
    pub code: String,
    /// DfE three-digit number.
    pub dfe_number: String,
    /// Name.
    pub name: String,
    /// `national`, `region`, `la`, `former_la`, `la_group`.
    pub level: String,
    /// Region code.
    pub region_code: String,
    /// Notes from areas.csv (local government reorganisation and the like).
    pub note: String,
}

/// Key of a breakdown cell: (area, year, table, dimension, category).
pub type BreakdownKey = (String, i32, String, String, String);

/// All seed tables, parsed.
#[derive(Debug, Default)]
pub struct Seeds {
    /// Areas by code.
    pub areas: Vec<Area>,
    /// (area, year) -> (stock, starts, ceased).
    pub headline: HashMap<(String, i32), [Cell; 3]>,
    /// Breakdowns.
    pub breakdowns: HashMap<BreakdownKey, Cell>,
    /// (area, mid_year) -> population 0-17.
    pub population: HashMap<(String, i32), f64>,
    /// (area, mid_year) -> population by single year 0..=17.
    pub population_single_year: HashMap<(String, i32), [f64; 18]>,
    /// (area, year ending March, item) -> value.
    pub s251: HashMap<(String, i32, String), Cell>,
    /// (area, year) -> care leavers aged 19-21 (DfE "former relevant").
    pub care_leavers: HashMap<(String, i32), Cell>,
    /// (area, year ending March, service line) -> total expenditure £.
    pub ro3: HashMap<(String, i32, String), Cell>,
    /// (area, 30 September snapshot year) -> (FTE social workers, agency rate %, caseload).
    pub workforce: HashMap<(String, i32), [Cell; 3]>,
    /// The breakdowns file's path and text when it is a bundled seed, for
    /// locating a cell in messages ([`Seeds::breakdown_line`]).
    breakdown_source: Option<(&'static str, &'static str)>,
}

/// One year's headline rate levels of an area: the year ending 31 March
/// `year`'s starts per child aged 0-17 (mid-year before) and ceased per child
/// in care on average over the year (the mean of the stocks at the two 31
/// Marches), each with its count; `None` where a figure is suppressed,
/// missing or not positive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeadlineRates {
    /// Year ending 31 March.
    pub year: i32,
    /// (starts / population aged 0-17, starts).
    pub entry: Option<(f64, f64)>,
    /// (ceased / mean stock, ceased).
    pub exit: Option<(f64, f64)>,
}

impl HeadlineRates {
    /// The levels from the counts (each `None` if not published).
    pub fn from_counts(
        year: i32,
        starts: Option<f64>,
        ceased: Option<f64>,
        stocks: (Option<f64>, Option<f64>),
        population_0_17: Option<f64>,
    ) -> Self {
        let positive = |v: Option<f64>| v.filter(|v| *v > 0.0);
        let exposure = positive(stocks.0.zip(stocks.1).map(|(a, b)| 0.5 * (a + b)));
        HeadlineRates {
            year,
            entry: positive(starts).zip(positive(population_0_17)).map(|(s, p)| (s / p, s)),
            exit: positive(ceased).zip(exposure).map(|(c, e)| (c / e, c)),
        }
    }
}

impl Seeds {
    /// Parses the bundled seeds.
    pub fn bundled() -> Result<Seeds, ScenarioError> {
        let mut s = Seeds::default();
        for f in SEED_FILES {
            s.load(f.path, f.text)?;
            if f.path.ends_with("cla_breakdowns.csv") {
                s.breakdown_source = Some((f.path, f.text));
            }
        }
        Ok(s)
    }

    /// Parses one seed file into the tables, by its file name.
    pub fn load(&mut self, path: &str, text: &str) -> Result<(), ScenarioError> {
        let name = path.rsplit('/').next().unwrap_or(path);
        match name {
            "areas.csv" => {
                let t = CsvTable::parse(path, text, &["area_code", "dfe_number", "name", "level", "region_code"])?;
                let (c, d, n, l, r) =
                    (t.col("area_code"), t.col("dfe_number"), t.col("name"), t.col("level"), t.col("region_code"));
                let note = t.col("note");
                for (_, row) in t.rows() {
                    self.areas.push(Area {
                        code: t.text(row, c).into(),
                        dfe_number: t.text(row, d).into(),
                        name: t.text(row, n).into(),
                        level: t.text(row, l).into(),
                        region_code: t.text(row, r).into(),
                        note: t.text(row, note).into(),
                    });
                }
            }
            "cla_headline.csv" => {
                let t = CsvTable::parse(path, text, &["area_code", "year", "cla_at_31_march", "starts", "ceased"])?;
                let (a, y) = (t.col("area_code"), t.col("year"));
                let cols = [t.col("cla_at_31_march"), t.col("starts"), t.col("ceased")];
                for (line, row) in t.rows() {
                    let cells = [t.cell(line, row, cols[0])?, t.cell(line, row, cols[1])?, t.cell(line, row, cols[2])?];
                    self.headline.insert((t.text(row, a).into(), t.year(line, row, y)?), cells);
                }
            }
            "cla_breakdowns.csv" => {
                let t = CsvTable::parse(path, text, &["area_code", "year", "table", "dimension", "category", "value"])?;
                let (a, y, tb, d, c, v) = (
                    t.col("area_code"),
                    t.col("year"),
                    t.col("table"),
                    t.col("dimension"),
                    t.col("category"),
                    t.col("value"),
                );
                for (line, row) in t.rows() {
                    let key = (
                        t.text(row, a).to_string(),
                        t.year(line, row, y)?,
                        t.text(row, tb).to_string(),
                        t.text(row, d).to_string(),
                        t.text(row, c).to_string(),
                    );
                    self.breakdowns.insert(key, t.cell(line, row, v)?);
                }
            }
            "population_0_17.csv" => {
                let t = CsvTable::parse(path, text, &["area_code", "mid_year", "population"])?;
                let (a, y, p) = (t.col("area_code"), t.col("mid_year"), t.col("population"));
                for (line, row) in t.rows() {
                    if let Some(v) = t.cell(line, row, p)?.number() {
                        self.population.insert((t.text(row, a).into(), t.year(line, row, y)?), v);
                    }
                }
            }
            "population_single_year.csv" => {
                let t = CsvTable::parse(path, text, &["area_code", "mid_year", "age", "population"])?;
                let (a, y, ag, p) = (t.col("area_code"), t.col("mid_year"), t.col("age"), t.col("population"));
                for (line, row) in t.rows() {
                    let age = t.year(line, row, ag)?;
                    if !(0..18).contains(&age) {
                        return Err(ScenarioError::data(path, line, ag + 1, format!("an age 0..=17, found {age}")));
                    }
                    let v = t.cell(line, row, p)?.number().unwrap_or(0.0);
                    let e = self
                        .population_single_year
                        .entry((t.text(row, a).into(), t.year(line, row, y)?))
                        .or_insert([0.0; 18]);
                    e[age as usize] = v;
                }
            }
            "s251_finance.csv" => {
                let t = CsvTable::parse(path, text, &["area_code", "year", "item", "value"])?;
                let (a, y, i, v) = (t.col("area_code"), t.col("year"), t.col("item"), t.col("value"));
                for (line, row) in t.rows() {
                    self.s251.insert(
                        (t.text(row, a).into(), t.year(line, row, y)?, t.text(row, i).into()),
                        t.cell(line, row, v)?,
                    );
                }
            }
            "care_leavers.csv" => {
                let t = CsvTable::parse(path, text, &["area_code", "year", "care_leavers"])?;
                let (a, y, v) = (t.col("area_code"), t.col("year"), t.col("care_leavers"));
                for (line, row) in t.rows() {
                    self.care_leavers.insert((t.text(row, a).into(), t.year(line, row, y)?), t.cell(line, row, v)?);
                }
            }
            "ro3.csv" => {
                let t = CsvTable::parse(path, text, &["area_code", "year", "service_line", "total_expenditure_gbp"])?;
                let (a, y, s, v) =
                    (t.col("area_code"), t.col("year"), t.col("service_line"), t.col("total_expenditure_gbp"));
                for (line, row) in t.rows() {
                    self.ro3.insert(
                        (t.text(row, a).into(), t.year(line, row, y)?, t.text(row, s).into()),
                        t.cell(line, row, v)?,
                    );
                }
            }
            "workforce.csv" => {
                let t = CsvTable::parse(
                    path,
                    text,
                    &["area_code", "year", "fte_social_workers", "agency_rate_pct", "average_caseload"],
                )?;
                let (a, y) = (t.col("area_code"), t.col("year"));
                let cols = [t.col("fte_social_workers"), t.col("agency_rate_pct"), t.col("average_caseload")];
                for (line, row) in t.rows() {
                    let cells = [t.cell(line, row, cols[0])?, t.cell(line, row, cols[1])?, t.cell(line, row, cols[2])?];
                    self.workforce.insert((t.text(row, a).into(), t.year(line, row, y)?), cells);
                }
            }
            _ => return Err(ScenarioError::data(path, 1, 1, "a known seed file name")),
        }
        Ok(())
    }

    /// A breakdown cell.
    pub fn breakdown(&self, area: &str, year: i32, table: &str, dimension: &str, category: &str) -> Option<Cell> {
        self.breakdowns
            .get(&(area.to_string(), year, table.to_string(), dimension.to_string(), category.to_string()))
            .copied()
    }
    /// `code`'s headline rate levels in the year ending 31 March `year`
    /// (`cla_headline.csv` and `population_0_17.csv`, unfilled).
    pub fn headline_rates(&self, code: &str, year: i32) -> HeadlineRates {
        let key = |y: i32| (code.to_string(), y);
        let cell = |y: i32, i: usize| self.headline.get(&key(y)).and_then(|c| c[i].number());
        HeadlineRates::from_counts(
            year,
            cell(year, 1),
            cell(year, 2),
            (cell(year - 1, 0), cell(year, 0)),
            self.population.get(&key(year - 1)).copied(),
        )
    }

    /// Where a breakdown cell is: the bundled file's path, its 1-based line
    /// and the `value` column (6); `None` for seeds not loaded by
    /// [`Seeds::bundled`] or a cell with no row. Scans the text, so it is for
    /// error messages only.
    pub fn breakdown_line(
        &self,
        area: &str,
        year: i32,
        table: &str,
        dimension: &str,
        category: &str,
    ) -> Option<(&'static str, usize, usize)> {
        let (path, text) = self.breakdown_source?;
        let prefix = format!("{area},{year},{table},{dimension},{category},");
        let index = text.lines().position(|l| l.starts_with(&prefix))?;
        Some((path, index + 1, 6))
    }

    /// Finds an area by ONS code, DfE number or name (case-insensitive).
    pub fn find_area(&self, query: &str) -> Option<&Area> {
        let q = query.trim().to_lowercase();
        if let Some(a) =
            self.areas.iter().find(|a| a.code.to_lowercase() == q || a.dfe_number == q || a.name.to_lowercase() == q)
        {
            return Some(a);
        }
        // The name as people write it ("Bristol", "Durham", "St Helens",
        // "Southend"): the published name's words without "City of", "County
        // of" and punctuation, matched whole, else as the only council whose
        // name starts with the words given (a region only by its whole name;
        // no guess from a word inside a name: "Berkshire" is not West Berkshire).
        let words = plain_name(&q);
        if words.is_empty() {
            return None;
        }
        let unique = |councils_only: bool, matches: &dyn Fn(&[String]) -> bool| -> Option<&Area> {
            let mut found = self
                .areas
                .iter()
                .filter(|a| !councils_only || a.level == "la")
                .filter(|a| matches(&plain_name(&a.name.to_lowercase())));
            let first = found.next()?;
            found.next().is_none().then_some(first)
        };
        unique(false, &|n| n == words.as_slice())
            .or_else(|| unique(true, &|n| n.starts_with(&words)))
            // A former code that a current council's note says it replaced.
            .or_else(|| {
                let code = query.trim().to_uppercase();
                let is_code = code.len() == 9 && code.starts_with('E') && code[1..].bytes().all(|b| b.is_ascii_digit());
                is_code.then(|| unique_by_note(&self.areas, &code)).flatten()
            })
    }

    /// Names of areas closest to a query (for "did you mean").
    pub fn nearest_areas(&self, query: &str, n: usize) -> Vec<String> {
        let words = plain_name(&query.to_lowercase());
        let q = words.join(" ");
        // Names holding every word given first, then by edit distance.
        let mut scored: Vec<(bool, usize, &str)> = self
            .areas
            .iter()
            .map(|a| {
                let name = plain_name(&a.name.to_lowercase());
                let holds = !words.is_empty() && words.iter().all(|w| name.iter().any(|n| n.starts_with(w.as_str())));
                (!holds, crate::error::edit_distance(&q, &name.join(" ")), a.name.as_str())
            })
            .collect();
        scored.sort();
        scored.into_iter().take(n).map(|(_, _, s)| s.to_string()).collect()
    }
}

/// A lower-case area name's words without punctuation and without the words
/// that only say what kind of place it is ("city of", "county of", "county",
/// a last "city").
fn plain_name(lower: &str) -> Vec<String> {
    let spaced: String =
        lower.replace('&', " and ").chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        match (words[i], words.get(i + 1)) {
            ("city" | "county", Some(&"of")) => i += 2,
            ("county", _) | ("city", None) => i += 1,
            (w, _) => {
                out.push(w.to_string());
                i += 1;
            }
        }
    }
    out
}

/// The current council whose note says it replaced `code`, if exactly one does.
fn unique_by_note<'a>(areas: &'a [Area], code: &str) -> Option<&'a Area> {
    let mut found = areas.iter().filter(|a| a.level == "la" && a.note.contains(code));
    let first = found.next()?;
    found.next().is_none().then_some(first)
}
