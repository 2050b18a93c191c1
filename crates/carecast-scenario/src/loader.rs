//! Loading scenario files: shipped names or paths, `extends` chains merged
//! child-over-parent, and located errors (file:line:col, "did you mean").
//!
//! What it is: TOML text -> [`Loaded`] (the merged [`ScenarioFile`] plus the
//! sources it came from). What it is not: resolution into a model (`resolve.rs`).

use crate::error::{ScenarioError, did_you_mean};
use crate::schema::ScenarioFile;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A scenario shipped with carecast (compiled in).
#[derive(Debug, Clone, Copy)]
pub struct Shipped {
    /// Name, e.g. `baseline`.
    pub name: &'static str,
    /// TOML text.
    pub text: &'static str,
}

macro_rules! shipped {
    ($name:literal) => {
        Shipped { name: $name, text: include_str!(concat!("../../../scenarios/", $name, ".toml")) }
    };
}

/// Every shipped scenario.
pub const SHIPPED: &[Shipped] = &[
    shipped!("baseline"),
    shipped!("ccn-newton-2022-flows"),
    shipped!("ccn-newton-2022"),
    shipped!("macalister-do-nothing"),
    shipped!("stable-homes-200m"),
    shipped!("macalister-2-6bn"),
    shipped!("macalister-2-6bn-delayed"),
    shipped!("manifesto-2024-conservative"),
    shipped!("manifesto-2024-labour"),
    shipped!("manifesto-2024-libdem"),
];

/// One file of an `extends` chain.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path shown in messages (`scenarios/<name>.toml` for shipped ones).
    pub path: String,
    /// Text.
    pub text: String,
}

/// A loaded scenario: the merged file and its chain, child first.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The merged scenario (shared: [`with_value`] clones `Loaded` and
    /// changes only `overrides`, and a resolution prepared for this file is
    /// reused only for the same `Arc`; `Arc::make_mut` to edit it).
    pub file: Arc<ScenarioFile>,
    /// The chain of files, the requested one first, its root parent last.
    pub chain: Arc<Vec<SourceFile>>,
    /// The merged TOML table that `file` was deserialised from.
    pub merged: Arc<toml::Table>,
    /// Central values replaced by [`with_value`], by the key [`ranged_params`]
    /// names (a sensitivity run). Read wherever a ranged parameter is
    /// resolved, instead of re-writing and re-parsing the TOML. (A Monte Carlo
    /// draw passes its values to `build_draw` instead, read the same way.)
    pub overrides: std::collections::BTreeMap<String, f64>,
    /// Whose money each amount is, by the file of the chain that states it
    /// (that file's own `[scenario] amounts_for`): `funding.base_gbp_m`,
    /// `funding.grants.<id>` and `programmes.<id>`. A key not listed is England's.
    pub money_owners: Arc<std::collections::BTreeMap<String, crate::schema::AmountsFor>>,
}

/// Who owns each amount of money in a chain of parsed files (root last).
fn money_owners(tables: &[toml::Table]) -> std::collections::BTreeMap<String, crate::schema::AmountsFor> {
    use crate::schema::AmountsFor;
    let mut owners = std::collections::BTreeMap::new();
    for t in tables.iter().rev() {
        let owner = match t.get("scenario").and_then(|s| s.get("amounts_for")).and_then(toml::Value::as_str) {
            Some(a) if a.eq_ignore_ascii_case("area") => AmountsFor::Area,
            _ => AmountsFor::England,
        };
        let funding = t.get("funding");
        if funding.and_then(|f| f.get("base_gbp_m")).is_some() {
            owners.insert("funding.base_gbp_m".to_string(), owner);
        }
        let ids = |v: Option<&toml::Value>| -> Vec<String> {
            v.and_then(toml::Value::as_array)
                .map(|a| a.iter().filter_map(|e| e.get("id")?.as_str().map(str::to_string)).collect())
                .unwrap_or_default()
        };
        for id in ids(funding.and_then(|f| f.get("grants"))) {
            owners.insert(format!("funding.grants.{id}"), owner);
        }
        let programmes = t.get("programmes").and_then(toml::Value::as_array);
        for p in programmes.into_iter().flatten().filter(|p| p.get("spend_gbp_m").is_some()) {
            if let Some(id) = p.get("id").and_then(toml::Value::as_str) {
                owners.insert(format!("programmes.{id}"), owner);
            }
        }
    }
    owners
}

impl Loaded {
    /// The multiplier of the amount at `key` in a run whose area holds
    /// `national_share` of England's money: that share if the file stating
    /// the amount says it is England's (see [`Loaded::money_owners`]), else 1.
    pub fn amount_share(&self, key: &str, national_share: f64) -> f64 {
        match self.money_owners.get(key).copied().unwrap_or_default() {
            crate::schema::AmountsFor::England => national_share,
            crate::schema::AmountsFor::Area => 1.0,
        }
    }

    /// Path of the requested file.
    pub fn path(&self) -> &str {
        self.chain.first().map(|s| s.path.as_str()).unwrap_or("")
    }
    /// Text of the requested file.
    pub fn text(&self) -> &str {
        self.chain.first().map(|s| s.text.as_str()).unwrap_or("")
    }
    /// A key error located in the first file of the chain that mentions the key.
    pub fn key_error(&self, key: &str, expected: impl Into<String>) -> ScenarioError {
        chain_key_error(&self.chain, key, expected.into())
    }
}

/// A key error located in the first file of a chain that mentions the key.
fn chain_key_error(chain: &[SourceFile], key: &str, expected: String) -> ScenarioError {
    for src in chain {
        if crate::error::locate_key(&src.text, key).is_some() {
            return ScenarioError::key(&src.path, Some(&src.text), key, expected);
        }
    }
    let path = chain.first().map(|s| s.path.as_str()).unwrap_or("");
    ScenarioError::key(path, None, key, expected)
}

/// Finds a shipped scenario or reads a file. A name without `/` or `.toml`
/// is looked up among the shipped scenarios first.
fn read_source(spec: &str, relative_to: Option<&Path>) -> Result<SourceFile, ScenarioError> {
    let looks_like_path = spec.contains('/') || spec.contains('\\') || spec.ends_with(".toml");
    if !looks_like_path {
        if let Some(s) = SHIPPED.iter().find(|s| s.name == spec) {
            return Ok(SourceFile { path: format!("scenarios/{}.toml", s.name), text: s.text.to_string() });
        }
        let names: Vec<&str> = SHIPPED.iter().map(|s| s.name).collect();
        let hint =
            did_you_mean(spec, names.iter().copied()).map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
        if !Path::new(spec).exists() {
            return Err(ScenarioError::Io {
                file: spec.to_string(),
                reason: format!("no shipped scenario or file of that name (shipped: {}){hint}", names.join(", ")),
            });
        }
    }
    let mut path = PathBuf::from(spec);
    if path.is_relative()
        && let Some(base) = relative_to
        && base.join(&path).exists()
    {
        path = base.join(&path);
    }
    // A shipped parent named by path ("baseline.toml") resolves to the shipped copy
    // when no such file exists next to the child.
    if !path.exists() {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if let Some(s) = SHIPPED.iter().find(|s| s.name == stem) {
            return Ok(SourceFile { path: format!("scenarios/{}.toml", s.name), text: s.text.to_string() });
        }
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| ScenarioError::Io { file: path.display().to_string(), reason: e.to_string() })?;
    Ok(SourceFile { path: path.display().to_string(), text })
}

fn parse_table(src: &SourceFile) -> Result<toml::Table, ScenarioError> {
    src.text.parse::<toml::Table>().map_err(|e| toml_error(&src.path, &src.text, &e))
}

/// Converts a TOML error with a span into a located error.
fn toml_error(path: &str, text: &str, e: &toml::de::Error) -> ScenarioError {
    let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
    let msg = e.message().trim().to_string();
    ScenarioError::Parse { file: path.to_string(), line, column, message: suggest(&msg) }
}

/// Adds "did you mean" to serde's unknown-field messages.
fn suggest(msg: &str) -> String {
    // serde: "unknown field `foo`, expected one of `a`, `b`" or "expected `a` or `b`".
    if let Some(rest) = msg.strip_prefix("unknown field `")
        && let Some((field, tail)) = rest.split_once('`')
    {
        let candidates: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
        let hint = did_you_mean(field, candidates.iter().copied())
            .map(|c| format!("; did you mean `{c}`?"))
            .unwrap_or_default();
        return format!(
            "expected a known key, found unknown key `{field}` ({}){hint}",
            tail.trim_start_matches(", ").trim()
        );
    }
    // serde: "missing field `op`".
    if let Some(field) = msg.strip_prefix("missing field `").and_then(|r| r.strip_suffix('`')) {
        return format!("expected the key `{field}`, which is missing");
    }
    // serde: "invalid type: floating point `2027.5`, expected i32", in the
    // file's words rather than Rust's.
    if let Some(rest) = msg.strip_prefix("invalid type: ").or_else(|| msg.strip_prefix("invalid value: "))
        && let Some((found, wanted)) = rest.rsplit_once(", expected ")
    {
        let wanted = match wanted {
            "i8" | "i16" | "i32" | "i64" => "a whole number",
            "u8" | "u16" | "u32" | "u64" | "usize" => "a whole number, 0 or more",
            "f32" | "f64" => "a number",
            other => other,
        };
        return format!("expected {wanted}, found {found}");
    }
    // A ranged assumption that is neither a number nor a table.
    if msg.starts_with("data did not match any variant of untagged enum Param") {
        return "expected a number, or a table such as { value = 0.5, low = 0.4, high = 0.6, source = \"...\" }".into();
    }
    msg.to_string()
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

/// Merges `child` over `parent`: tables merge key by key (except a parameter
/// table with a `value`, which replaces the parent's whole); arrays of tables
/// that all carry an `id` merge element by element by id (a child element
/// with a parent's id is merged into it, new ids are appended); anything else
/// (numbers, strings, other arrays) is replaced whole.
fn merge(parent: &mut toml::Table, child: toml::Table) {
    for (k, v) in child {
        match (parent.get_mut(&k), v) {
            // A parameter (`{ value, low, high, source }`) is one thing: a child's replaces the parent's whole.
            (Some(toml::Value::Table(p)), toml::Value::Table(c)) if !c.contains_key("value") => merge(p, c),
            (Some(toml::Value::Array(p)), toml::Value::Array(c)) if all_have_ids(p) && all_have_ids(&c) => {
                for item in c {
                    let id = item.get("id").cloned();
                    match p.iter_mut().find(|e| e.get("id") == id.as_ref()) {
                        Some(toml::Value::Table(existing)) => {
                            if let toml::Value::Table(t) = item {
                                merge(existing, t);
                            }
                        }
                        _ => p.push(item),
                    }
                }
            }
            (_, v) => {
                parent.insert(k, v);
            }
        }
    }
}

fn all_have_ids(items: &[toml::Value]) -> bool {
    items.iter().all(|v| matches!(v, toml::Value::Table(t) if matches!(t.get("id"), Some(toml::Value::String(_)))))
}

/// Loads a scenario by shipped name or path, following `extends`.
pub fn load(spec: &str) -> Result<Loaded, ScenarioError> {
    let first = read_source(spec, None)?;
    load_source(first)
}

/// Loads a scenario from text (for tests and `validate`), following `extends`.
pub fn load_source(first: SourceFile) -> Result<Loaded, ScenarioError> {
    let mut chain = vec![first];
    let mut tables = vec![parse_table(&chain[0])?];
    while let (Some(current), Some(table)) = (chain.last(), tables.last()) {
        let parent_spec = match table.get("extends") {
            None => break,
            Some(toml::Value::String(s)) => s.clone(),
            Some(_) => {
                return Err(ScenarioError::key(
                    &current.path,
                    Some(&current.text),
                    "extends",
                    "a scenario name or path as a string",
                ));
            }
        };
        let base = Path::new(&current.path).parent().map(Path::to_path_buf);
        let parent = read_source(&parent_spec, base.as_deref()).map_err(|e| match e {
            ScenarioError::Io { reason, .. } => ScenarioError::key(
                &current.path,
                Some(&current.text),
                "extends",
                format!("an existing parent scenario, `{parent_spec}` cannot be loaded: {reason}"),
            ),
            other => other,
        })?;
        if chain.iter().any(|c| c.path == parent.path) {
            let cycle: Vec<&str> = chain.iter().map(|c| c.path.as_str()).chain([parent.path.as_str()]).collect();
            return Err(ScenarioError::key(
                &current.path,
                Some(&current.text),
                "extends",
                format!("a chain without cycles, found {}", cycle.join(" -> ")),
            ));
        }
        tables.push(parse_table(&parent)?);
        chain.push(parent);
        if chain.len() > 32 {
            return Err(ScenarioError::key(
                &chain[0].path,
                Some(&chain[0].text),
                "extends",
                "at most 32 levels of extends",
            ));
        }
    }
    let owners = Arc::new(money_owners(&tables));
    let mut merged = toml::Table::new();
    let file = if tables.len() == 1 {
        merged = tables.pop().unwrap_or_default();
        // Deserialise from the text itself so that errors carry exact spans.
        toml::from_str::<ScenarioFile>(&chain[0].text).map_err(|e| toml_error(&chain[0].path, &chain[0].text, &e))?
    } else {
        for t in tables.into_iter().rev() {
            merge(&mut merged, t);
        }
        let text = toml::to_string(&merged).map_err(|e| ScenarioError::key(&chain[0].path, None, "", e.to_string()))?;
        toml::from_str::<ScenarioFile>(&text).map_err(|e| {
            // Locate the problem in the chain: by the key serde names, or else
            // by the key on the line of the merged text the reader points at.
            let raw = e.message().trim();
            let msg = suggest(raw);
            // A key serde names (an unknown or a missing one); other messages name values.
            let named = ["unknown field `", "missing field `"]
                .iter()
                .find_map(|p| raw.strip_prefix(p))
                .and_then(|r| r.split('`').next())
                .filter(|k| !k.is_empty())
                .map(str::to_string);
            let at_line = e.span().and_then(|s| {
                let (line, _) = line_col(&text, s.start);
                let l = text.lines().nth(line.saturating_sub(1))?;
                let key = l.split('=').next()?.trim().trim_matches('"').to_string();
                (!key.is_empty() && !key.starts_with('[')).then_some(key)
            });
            // A missing key has no line of its own: point at the table it is
            // missing from, found by the `id` the merged table carries.
            if raw.starts_with("missing field `")
                && let Some(span) = e.span()
                && let Some(id) = text[span.start.min(text.len())..]
                    .lines()
                    .take(64)
                    .find_map(|l| l.trim().strip_prefix("id = ").map(|v| v.trim().trim_matches('"').to_string()))
            {
                for src in &chain {
                    let found = src.text.lines().enumerate().find(|(_, l)| {
                        let l = l.trim();
                        l.starts_with("id") && l.contains(&format!("\"{id}\""))
                    });
                    if let Some((i, l)) = found {
                        return ScenarioError::Parse {
                            file: src.path.clone(),
                            line: i + 1,
                            column: l.len() - l.trim_start().len() + 1,
                            message: format!("{msg} (in the table with id `{id}`)"),
                        };
                    }
                }
            }
            let key = named.or(at_line).unwrap_or_default();
            // The reader's own words, at the key's place in the chain.
            for src in &chain {
                if let Some((line, column)) = crate::error::locate_key(&src.text, &key) {
                    return ScenarioError::Parse {
                        file: src.path.clone(),
                        line,
                        column,
                        message: format!("{msg} (key `{key}`)"),
                    };
                }
            }
            ScenarioError::key(&chain[0].path, None, &key, msg.strip_prefix("expected ").unwrap_or(&msg))
        })?
    };
    let loaded = Loaded {
        file: Arc::new(file),
        chain: Arc::new(chain),
        merged: Arc::new(merged),
        overrides: Default::default(),
        money_owners: owners,
    };
    // The name names output folders and files: nothing that could leave them.
    let name = &loaded.file.scenario.name;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        return Err(loaded.key_error(
            "scenario.name",
            format!("a name of letters, digits, '_' and '-' only (it names output folders), found {name:?}"),
        ));
    }
    Ok(loaded)
}

/// An assumption stated with a range (`{ value, low, high, source }`) somewhere
/// in a merged scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct RangedParam {
    /// Dotted path in the merged table; array elements are named by their
    /// `id` (or their index when they have none), e.g.
    /// `dimensions.placements.childrens_home.price_growth` or
    /// `programmes.family_help.effects.0.effect_per_gbp_m`.
    pub key: String,
    /// Central value.
    pub value: f64,
    /// Plausible low value.
    pub low: f64,
    /// Plausible high value.
    pub high: f64,
    /// Stated source (empty if none).
    pub source: String,
    /// Stated distribution name (`None`: triangular).
    pub distribution: Option<String>,
    /// Explicit shape fields, as stated.
    pub shape: carecast_uncertainty::Shape,
    /// Stated truncation (`min`, `max`).
    pub min: Option<f64>,
    /// Stated truncation (`max`).
    pub max: Option<f64>,
}

impl RangedParam {
    /// An assumption with a range and nothing else stated: no source, the
    /// default (triangular) distribution, no truncation.
    pub fn new(key: &str, value: f64, low: f64, high: f64) -> Self {
        RangedParam {
            key: key.to_string(),
            value,
            low,
            high,
            source: String::new(),
            distribution: None,
            shape: Default::default(),
            min: None,
            max: None,
        }
    }
}

fn as_number(v: Option<&toml::Value>) -> Option<f64> {
    match v {
        Some(toml::Value::Float(f)) => Some(*f),
        Some(toml::Value::Integer(i)) => Some(*i as f64),
        _ => None,
    }
}

/// Name of an array element in a dotted key: its `id`, or its index.
fn element_name(index: usize, item: &toml::Value) -> String {
    match item.get("id") {
        Some(toml::Value::String(id)) => id.clone(),
        _ => index.to_string(),
    }
}

fn walk_ranged(prefix: &str, value: &toml::Value, out: &mut Vec<RangedParam>) {
    match value {
        toml::Value::Table(t) => {
            if let (Some(value), Some(low), Some(high)) =
                (as_number(t.get("value")), as_number(t.get("low")), as_number(t.get("high")))
            {
                let source = t.get("source").and_then(|s| s.as_str()).unwrap_or("").to_string();
                let shape = carecast_uncertainty::Shape {
                    sd: as_number(t.get("sd")),
                    sigma: as_number(t.get("sigma")),
                    alpha: as_number(t.get("alpha")),
                    beta: as_number(t.get("beta")),
                    shape: as_number(t.get("shape")),
                };
                out.push(RangedParam {
                    key: prefix.to_string(),
                    value,
                    low,
                    high,
                    source,
                    distribution: t.get("distribution").and_then(|s| s.as_str()).map(str::to_string),
                    shape,
                    min: as_number(t.get("min")),
                    max: as_number(t.get("max")),
                });
                return;
            }
            for (k, v) in t {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                walk_ranged(&key, v, out);
            }
        }
        toml::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk_ranged(&format!("{prefix}.{}", element_name(i, item)), item, out);
            }
        }
        _ => {}
    }
}

/// The split a ranged share belongs to (`<placement>.split.<part>.share` →
/// `<placement>`), if any: the shares of one split sum to 1, so a change to
/// one is offset by the others (in the Monte Carlo draws and in `sensitivity`).
pub fn share_group(key: &str) -> Option<&str> {
    let head = key.strip_suffix(".share")?;
    let (group, _) = head.rsplit_once(".split.")?;
    Some(group)
}

/// Every ranged assumption (a table with numeric `value`, `low` and `high`)
/// in the merged scenario, in the order of the merged table.
pub fn ranged_params(loaded: &Loaded) -> Vec<RangedParam> {
    let mut out = Vec::new();
    for (k, v) in loaded.merged.iter() {
        walk_ranged(k, v, &mut out);
    }
    for p in &mut out {
        if let Some(v) = loaded.overrides.get(&p.key) {
            p.value = *v;
        }
    }
    out
}

/// True if the dotted key names a table with a `value` (see [`find_table_mut`]).
fn has_value(table: &toml::Table, key: &str) -> bool {
    let mut segments = key.split('.');
    let Some(mut value) = segments.next().and_then(|first| table.get(first)) else { return false };
    for seg in segments {
        let next = match value {
            toml::Value::Table(t) => t.get(seg),
            toml::Value::Array(items) => items
                .iter()
                .find(|it| matches!(it.get("id"), Some(toml::Value::String(id)) if id == seg))
                .or_else(|| seg.parse::<usize>().ok().and_then(|i| items.get(i))),
            _ => None,
        };
        match next {
            Some(v) => value = v,
            None => return false,
        }
    }
    matches!(value, toml::Value::Table(t) if t.contains_key("value"))
}

/// Finds the table a dotted key names (array elements by id, then index).
fn find_table_mut<'a>(table: &'a mut toml::Table, segments: &[&str]) -> Option<&'a mut toml::Table> {
    let (first, rest) = segments.split_first()?;
    let mut value = table.get_mut(*first)?;
    for seg in rest {
        value = match value {
            toml::Value::Table(t) => t.get_mut(*seg)?,
            toml::Value::Array(items) => {
                let pos = items
                    .iter()
                    .position(|it| matches!(it.get("id"), Some(toml::Value::String(id)) if id == seg))
                    .or_else(|| seg.parse::<usize>().ok().filter(|i| *i < items.len()))?;
                &mut items[pos]
            }
            _ => return None,
        };
    }
    match value {
        toml::Value::Table(t) => Some(t),
        _ => None,
    }
}

/// A copy of `loaded` with the central `value` of the ranged parameter `key`
/// (as named by [`ranged_params`]) replaced: recorded in `overrides`, which
/// resolution reads in place of the file's value (no re-parsing; see
/// `build_reusing`). The key must name a parameter with a `value`.
pub fn with_value(loaded: &Loaded, key: &str, value: f64) -> Result<Loaded, ScenarioError> {
    let mut out = loaded.clone();
    set_value(&mut out, key, value)?;
    Ok(out)
}

/// [`with_value`] in place.
pub fn set_value(loaded: &mut Loaded, key: &str, value: f64) -> Result<(), ScenarioError> {
    if !loaded.overrides.contains_key(key) && !has_value(&loaded.merged, key) {
        return Err(loaded.key_error(key, "a parameter with a `value` (see `ranged_params`)"));
    }
    loaded.overrides.insert(key.to_string(), value);
    Ok(())
}

/// A copy of `loaded` with the value of `key` re-written in the merged TOML and
/// the typed scenario re-parsed from it: the slow, independent route to the
/// same result as [`with_value`], kept to test that every ranged parameter is
/// read through its override.
pub fn with_value_rewritten(loaded: &Loaded, key: &str, value: f64) -> Result<Loaded, ScenarioError> {
    let mut merged = (*loaded.merged).clone();
    let segments: Vec<&str> = key.split('.').collect();
    let table = find_table_mut(&mut merged, &segments)
        .filter(|t| t.contains_key("value"))
        .ok_or_else(|| loaded.key_error(key, "a parameter with a `value` (see `ranged_params`)"))?;
    table.insert("value".to_string(), toml::Value::Float(value));
    let path = loaded.path().to_string();
    let text = toml::to_string(&merged).map_err(|e| ScenarioError::key(&path, None, key, e.to_string()))?;
    let file = toml::from_str::<ScenarioFile>(&text)
        .map_err(|e| ScenarioError::key(&path, None, key, suggest(e.message().trim())))?;
    Ok(Loaded {
        file: Arc::new(file),
        chain: loaded.chain.clone(),
        merged: Arc::new(merged),
        overrides: loaded.overrides.clone(),
        money_owners: loaded.money_owners.clone(),
    })
}

#[cfg(test)]
mod ranged_tests {
    use super::{load, ranged_params, with_value, with_value_rewritten};

    #[test]
    fn ranged_params_name_array_elements_by_id() {
        let loaded = load("baseline").expect("baseline loads");
        let params = ranged_params(&loaded);
        let home = params
            .iter()
            .find(|p| p.key == "dimensions.placements.childrens_home.price_growth")
            .expect("children's home price growth is ranged");
        // Stated in scenarios/baseline.toml.
        assert_eq!((home.value, home.low, home.high), (0.06, 0.03, 0.12));
        assert!(home.source.starts_with("assumption"));
        assert!(params.iter().any(|p| p.key == "dimensions.placements.foster.split.foster_agency.share"));
        assert!(params.iter().any(|p| p.key == "workforce.cost_per_fte_gbp" && p.value == 60000.0));
        // Bare numbers (entry mix shares) are not ranged.
        assert!(!params.iter().any(|p| p.key.starts_with("calibration.")));
    }

    #[test]
    fn ranged_params_follow_extends_and_number_unnamed_elements() {
        let loaded = load("macalister-2-6bn").expect("loads");
        let params = ranged_params(&loaded);
        // Inherited from the baseline.
        assert!(params.iter().any(|p| p.key == "population.annual_growth"));
        assert!(params.iter().any(|p| p.key.starts_with("programmes.") && p.key.contains(".effects.0.")));
    }

    #[test]
    fn with_value_records_an_override_and_rejects_unknown_keys() {
        let loaded = load("baseline").expect("baseline loads");
        let changed = with_value(&loaded, "population.annual_growth", 0.004).expect("valid");
        assert_eq!(changed.overrides.get("population.annual_growth"), Some(&0.004));
        assert_eq!(changed.merged, loaded.merged);
        let p = ranged_params(&changed).into_iter().find(|p| p.key == "population.annual_growth").expect("ranged");
        assert_eq!(p.value, 0.004);
        assert!(with_value(&loaded, "population.no_such_thing", 1.0).is_err());
        assert!(with_value(&loaded, "levers.no_such_lever.value", 1.0).is_err());
    }

    #[test]
    fn with_value_rewritten_changes_that_value_and_nothing_else() {
        let loaded = load("baseline").expect("baseline loads");
        let changed = with_value_rewritten(&loaded, "population.annual_growth", 0.004).expect("valid");
        assert_eq!(changed.file.population.as_ref().expect("population").annual_growth.value(), 0.004);
        assert_eq!(loaded.file.population.as_ref().expect("population").annual_growth.value(), -0.003);
        let mut expected = (*loaded.merged).clone();
        expected["population"]["annual_growth"]
            .as_table_mut()
            .expect("table")
            .insert("value".into(), toml::Value::Float(0.004));
        assert_eq!(*changed.merged, expected);
        assert_ne!(changed.merged, loaded.merged);
        assert_eq!(changed.chain.len(), loaded.chain.len());
        let before = ranged_params(&loaded);
        let after = ranged_params(&changed);
        assert_eq!(before.len(), after.len());
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(b.key, a.key);
            if b.key == "population.annual_growth" {
                assert_eq!((a.value, a.low, a.high), (0.004, b.low, b.high));
            } else {
                assert_eq!(a, b);
            }
        }
        // An element named by id inside an array of tables.
        let homes =
            with_value_rewritten(&loaded, "dimensions.placements.childrens_home.price_growth", 0.1).expect("valid");
        let p = homes.file.dimensions.placements.iter().find(|p| p.id == "childrens_home").expect("homes");
        assert_eq!(p.price_growth.value(), 0.1);
        assert!(with_value_rewritten(&loaded, "population.no_such_key", 1.0).is_err());
    }
}
