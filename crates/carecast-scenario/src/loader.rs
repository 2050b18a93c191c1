//! Loading scenario files: shipped names or paths, `extends` chains merged
//! child-over-parent, and located errors (file:line:col, "did you mean").
//!
//! What it is: TOML text -> [`Loaded`] (the merged [`ScenarioFile`] plus the
//! sources it came from). What it is not: resolution into a model (`resolve.rs`).

use crate::error::{ScenarioError, did_you_mean};
use crate::schema::ScenarioFile;
use std::path::{Path, PathBuf};

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
    /// The merged scenario.
    pub file: ScenarioFile,
    /// The chain of files, the requested one first, its root parent last.
    pub chain: Vec<SourceFile>,
}

impl Loaded {
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
    ScenarioError::data(path, line, column, suggest(&msg))
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
        return format!("a known key, found unknown key `{field}` ({}){hint}", tail.trim_start_matches(", ").trim());
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

/// Merges `child` over `parent`: tables merge key by key; arrays of tables
/// that all carry an `id` merge element by element by id (a child element
/// with a parent's id is merged into it, new ids are appended); anything else
/// (numbers, strings, other arrays) is replaced whole.
fn merge(parent: &mut toml::Table, child: toml::Table) {
    for (k, v) in child {
        match (parent.get_mut(&k), v) {
            (Some(toml::Value::Table(p)), toml::Value::Table(c)) => merge(p, c),
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
    let file = if tables.len() == 1 {
        // Deserialise from the text itself so that errors carry exact spans.
        toml::from_str::<ScenarioFile>(&chain[0].text).map_err(|e| toml_error(&chain[0].path, &chain[0].text, &e))?
    } else {
        let mut merged = toml::Table::new();
        for t in tables.into_iter().rev() {
            merge(&mut merged, t);
        }
        let text = toml::to_string(&merged).map_err(|e| ScenarioError::key(&chain[0].path, None, "", e.to_string()))?;
        toml::from_str::<ScenarioFile>(&text).map_err(|e| {
            // Locate the problem in the chain by the key serde names, if any.
            let msg = suggest(e.message().trim());
            let key = msg.split('`').nth(1).unwrap_or("").to_string();
            if key.is_empty() {
                ScenarioError::key(&chain[0].path, None, "", msg)
            } else {
                chain_key_error(&chain, &key, msg)
            }
        })?
    };
    Ok(Loaded { file, chain })
}
