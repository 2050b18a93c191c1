//! Reading assumptions during resolution, and the notes resolution writes.
//!
//! A ranged assumption's value comes from a Monte Carlo draw ([`Drawn`]), else
//! from `Loaded::overrides` (`with_value`: a sensitivity run), else from the
//! scenario file, checked. Keys are given in parts (`["levers.", id, ".value"]`)
//! and joined only for an error or an override map, so a draw finds its values
//! without formatting a string per read.
//!
//! [`Notes`] collects `Built::notes`, or discards them unbuilt for a draw,
//! which never reads them.
//!
//! Not here: which assumptions are ranged ([`crate::loader::ranged_params`]) or
//! how values are drawn (`carecast-montecarlo`).

use crate::error::ScenarioError;
use crate::loader::{Loaded, RangedParam};
use crate::resolve::Note;
use crate::schema::Param;
use std::fmt;

/// The values of one Monte Carlo draw: `values[i]` replaces the central value
/// of `params[i]` (the scenario's ranged assumptions, as
/// [`crate::loader::ranged_params`] or [`crate::DrawPlan`] list them; extra
/// values are ignored).
#[derive(Debug, Clone, Copy)]
pub struct Drawn<'a> {
    /// The ranged assumptions drawn.
    pub params: &'a [RangedParam],
    /// Their drawn values, in the same order.
    pub values: &'a [f64],
}

impl Drawn<'_> {
    /// The drawn value of `key`, if it is drawn (the last one, as overrides set in turn would give).
    fn find(&self, key: Key<'_>) -> Option<f64> {
        let len = key.len();
        self.params
            .iter()
            .zip(self.values)
            .rev()
            .find(|(p, _)| p.key.len() == len && key.matches(&p.key))
            .map(|(_, v)| *v)
    }
}

/// A parameter's dotted key in parts, e.g. `["dimensions.placements.", id, ".price_growth"]`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Key<'k>(pub(crate) &'k [&'k str]);

impl Key<'_> {
    fn len(&self) -> usize {
        self.0.iter().map(|p| p.len()).sum()
    }

    /// Whether the parts joined are `key`.
    fn matches(&self, key: &str) -> bool {
        let mut rest = key;
        for part in self.0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        }
        rest.is_empty()
    }
}

impl fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|p| f.write_str(p))
    }
}

/// Where resolution reads assumptions: a draw's values, the overrides of
/// `loaded`, then the file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Values<'a> {
    /// The scenario (its overrides, and its files for locating errors).
    pub(crate) loaded: &'a Loaded,
    drawn: Option<Drawn<'a>>,
}

impl<'a> Values<'a> {
    /// The file's values, with `loaded`'s overrides.
    pub(crate) fn file(loaded: &'a Loaded) -> Self {
        Values { loaded, drawn: None }
    }

    /// A draw's values over those of [`Values::file`].
    pub(crate) fn drawn(loaded: &'a Loaded, drawn: Drawn<'a>) -> Self {
        Values { loaded, drawn: Some(drawn) }
    }

    /// Whether these are a draw's values.
    pub(crate) fn is_drawn(&self) -> bool {
        self.drawn.is_some()
    }

    /// The value of parameter `p` at `key`: drawn or overridden (checked to be
    /// finite; it may lie outside the stated range, as a normal draw can), or
    /// the file's central value, checked to be finite and within its stated
    /// range. Errors are located at `key` in the scenario's files.
    pub(crate) fn get(&self, key: Key<'_>, p: &Param) -> Result<f64, ScenarioError> {
        let set = match self.drawn.and_then(|d| d.find(key)) {
            Some(v) => Some(v),
            None if self.loaded.overrides.is_empty() => None,
            None => self.loaded.overrides.get(&key.to_string()).copied(),
        };
        if let Some(v) = set {
            if !v.is_finite() {
                return Err(self.loaded.key_error(&key.to_string(), format!("a finite number, found {v}")));
            }
            return Ok(v);
        }
        let v = p.value();
        if !v.is_finite() {
            return Err(self.loaded.key_error(&key.to_string(), format!("a finite number, found {v}")));
        }
        if let Some((lo, hi)) = p.range()
            && !(lo <= v && v <= hi)
        {
            return Err(self
                .loaded
                .key_error(&key.to_string(), format!("low <= value <= high, found {lo} <= {v} <= {hi}")));
        }
        Ok(v)
    }
}

/// The notes of a resolution, or none (a draw): a note is built only if kept.
#[derive(Debug, Default)]
pub(crate) struct Notes(Option<Vec<Note>>);

impl Notes {
    /// Notes that are kept.
    pub(crate) fn kept() -> Self {
        Notes(Some(Vec::new()))
    }

    /// Notes that are not built.
    pub(crate) fn discarded() -> Self {
        Notes(None)
    }

    /// Adds the note `note` builds, if notes are kept.
    pub(crate) fn push(&mut self, note: impl FnOnce() -> Note) {
        if let Some(v) = &mut self.0 {
            v.push(note());
        }
    }

    /// Adds copies of `notes`, if notes are kept.
    pub(crate) fn extend(&mut self, notes: &[Note]) {
        if let Some(v) = &mut self.0 {
            v.extend_from_slice(notes);
        }
    }

    /// The notes kept (none if discarded).
    pub(crate) fn into_vec(self) -> Vec<Note> {
        self.0.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::Key;

    #[test]
    fn a_key_matches_its_parts_joined_and_nothing_else() {
        let k = Key(&["dimensions.placements.", "foster", ".price_growth"]);
        assert!(k.matches("dimensions.placements.foster.price_growth"));
        assert!(!k.matches("dimensions.placements.foster.price_growth.x"));
        assert!(!k.matches("dimensions.placements.fosterx.price_growth"));
        assert!(!k.matches("dimensions.placements.foster"));
        assert_eq!(k.len(), "dimensions.placements.foster.price_growth".len());
        assert_eq!(k.to_string(), "dimensions.placements.foster.price_growth");
    }
}
