//! One area's published data as the resolver reads it: England as published;
//! a council with its suppressed cells filled by the stated method
//! ([`crate::fill`]) and every fill recorded.
//!
//! Methods, in brief: a suppressed breakdown cell is the council's total minus
//! its known cells, shared by the region's (then England's) pattern; a
//! successor council's years before it existed are apportioned from its
//! predecessor; a missing S251 weekly unit cost is England's for that year; a
//! missing S251 spend item is the council's nearest earlier year grown as
//! England's grew. Not here: any modelling.

use crate::fill::{FillMethod, FillNote, Filler, structural_zeros};
use crate::seeds::{Area, BreakdownKey, Cell, SEED_FILES, Seeds};
use std::cell::RefCell;
use std::collections::HashSet;
use std::sync::OnceLock;

const ENGLAND: &str = "E92000001";

/// The `z` (not applicable) cells of the bundled breakdowns, parsed once.
fn bundled_zeros() -> &'static HashSet<BreakdownKey> {
    static ZEROS: OnceLock<HashSet<BreakdownKey>> = OnceLock::new();
    ZEROS.get_or_init(|| {
        SEED_FILES
            .iter()
            .find(|f| f.path.ends_with("cla_breakdowns.csv"))
            .and_then(|f| structural_zeros(f.path, f.text).ok())
            .unwrap_or_default()
    })
}

/// Access to one area's data.
pub(crate) struct AreaData<'s> {
    seeds: &'s Seeds,
    code: String,
    /// Councils (and former councils) are filled; built on first use, so a
    /// resolution that needs no filled cell, such as a Monte Carlo draw
    /// reusing the published data, does not pay for it.
    filler: std::cell::OnceCell<Option<Filler<'s>>>,
    is_council: bool,
    fills: RefCell<Vec<FillNote>>,
}

impl<'s> AreaData<'s> {
    /// For an area: councils (and former councils) are filled, England and regions are not.
    pub fn new(seeds: &'s Seeds, area: &Area) -> Self {
        let is_council = matches!(area.level.as_str(), "la" | "former_la");
        AreaData {
            seeds,
            code: area.code.clone(),
            filler: std::cell::OnceCell::new(),
            is_council,
            fills: RefCell::new(Vec::new()),
        }
    }

    fn filler(&self) -> Option<&Filler<'s>> {
        self.filler
            .get_or_init(|| self.is_council.then(|| Filler::with_borrowed_zeros(self.seeds, bundled_zeros())))
            .as_ref()
    }

    fn record(&self, note: FillNote) {
        if note.method.is_filled() || matches!(note.method, FillMethod::Apportioned { .. }) {
            // A value read twice (or a group total behind several cells) is listed once.
            let mut fills = self.fills.borrow_mut();
            if !fills.contains(&note) {
                fills.push(note);
            }
        }
    }

    /// A breakdown cell (published, or filled for a council).
    pub fn breakdown(&self, year: i32, table: &str, dimension: &str, category: &str) -> Option<f64> {
        match self.filler() {
            None => self.seeds.breakdown(&self.code, year, table, dimension, category).and_then(Cell::number),
            Some(f) => {
                let (cell, report) = f.value(&self.code, year, table, dimension, category).ok()?;
                for n in report.filled {
                    self.record(n);
                }
                Some(cell.value)
            }
        }
    }

    /// Why [`AreaData::breakdown`] gives no value for a cell: the filler's
    /// reason for a council, else that the cell is suppressed or has no row.
    pub fn breakdown_gap(&self, year: i32, table: &str, dimension: &str, category: &str) -> String {
        match self.filler().map(|f| f.value(&self.code, year, table, dimension, category)) {
            Some(Err(e)) => e.to_string(),
            _ => match self.seeds.breakdown(&self.code, year, table, dimension, category) {
                Some(_) => "it is suppressed".into(),
                None => "there is no row for it".into(),
            },
        }
    }

    /// A headline figure: 0 stock, 1 starts, 2 ceased (apportioned for a successor council).
    pub fn headline(&self, year: i32, index: usize) -> Option<f64> {
        let own = self.seeds.headline.get(&(self.code.clone(), year)).and_then(|c| c[index].number());
        if own.is_some() {
            return own;
        }
        let f = self.filler()?;
        let table = ["stock", "starts", "ceased"][index.min(2)];
        let (cell, report) = f.headline(&self.code, year, table).ok()?;
        for n in report.filled {
            self.record(n);
        }
        Some(cell.value)
    }

    /// An S251 item for a year ending 31 March, filled for a council if missing.
    pub fn s251(&self, year: i32, item: &str) -> Option<f64> {
        let get =
            |area: &str, y: i32| self.seeds.s251.get(&(area.to_string(), y, item.to_string())).and_then(|c| c.number());
        if let Some(v) = get(&self.code, year) {
            return Some(v);
        }
        if !self.is_council {
            return None;
        }
        let note = |value: f64, how: &str| FillNote {
            area: self.code.clone(),
            year,
            table: "s251".into(),
            dimension: item.into(),
            category: how.into(),
            value,
            method: FillMethod::FilledByEnglandPattern,
        };
        if item.starts_with("weekly_cost_") {
            let v = get(ENGLAND, year)?;
            self.record(note(v, "England's unit cost for the year"));
            return Some(v);
        }
        let (earlier, v0) = (2015..year).rev().find_map(|y| get(&self.code, y).map(|v| (y, v)))?;
        let growth = get(ENGLAND, year)? / get(ENGLAND, earlier)?;
        let v = v0 * growth;
        self.record(note(v, &format!("the council's {earlier} value grown as England's")));
        Some(v)
    }

    /// Every value that was filled or apportioned so far, by year, table,
    /// dimension and category.
    pub fn fills(&self) -> Vec<FillNote> {
        // In a fixed order (not the order the resolver happened to read them),
        // so two versions' lists can be compared line by line.
        let mut fills = self.fills.borrow().clone();
        fills.sort_by(|a, b| {
            (a.year, &a.table, &a.dimension, &a.category).cmp(&(b.year, &b.table, &b.dimension, &b.category))
        });
        fills
    }
}
