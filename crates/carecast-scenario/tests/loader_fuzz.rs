//! Fuzzing the loader and resolver: random text and mutated copies of the
//! shipped scenarios never panic, and every error names the scenario file it
//! comes from (`fuzz.toml`, or `scenarios/...` for a shipped parent).

use carecast_scenario::loader::SourceFile;
use carecast_scenario::{RunOptions, SHIPPED, Seeds, build, load_source};
use proptest::prelude::*;
use proptest::sample::Index;
use std::sync::OnceLock;

/// The bundled seeds, read once for all cases.
fn seeds() -> &'static Seeds {
    static SEEDS: OnceLock<Seeds> = OnceLock::new();
    SEEDS.get_or_init(|| Seeds::bundled().expect("bundled seeds"))
}

/// Loads and resolves `text` as `fuzz.toml`: an error must be located in a
/// scenario file. A panic fails the case (proptest catches it).
fn check(text: String) -> Result<(), TestCaseError> {
    let result = load_source(SourceFile { path: "fuzz.toml".into(), text: text.clone() })
        .and_then(|loaded| build(&loaded, seeds(), &RunOptions::default()));
    if let Err(e) = result {
        let msg = e.to_string();
        prop_assert!(
            msg.contains("fuzz.toml") || msg.contains("scenarios/"),
            "error does not name the scenario file: {msg}\n--- input ---\n{text}"
        );
    }
    Ok(())
}

/// Replacement numbers: out-of-range, negative, huge, integer limits, non-finite.
const NUMBERS: &[&str] = &[
    "-1",
    "0",
    "1.5",
    "-0.5",
    "1e9",
    "1000000000",
    "-1000000000",
    "2147483647",
    "-2147483648",
    "9223372036854775807",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    "-inf",
    "2040",
    "2010",
    "3",
];

/// Byte spans of the numbers in a text (a digit run, with a leading `-` and
/// any `.`, `e`, `+`/`-` after an `e`, or `_`).
fn number_spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts_number =
            b[i].is_ascii_digit() && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_'));
        if starts_number {
            let start = if i > 0 && b[i - 1] == b'-' { i - 1 } else { i };
            let mut j = i;
            while j < b.len()
                && (b[j].is_ascii_digit()
                    || b[j] == b'.'
                    || b[j] == b'_'
                    || b[j] == b'e'
                    || b[j] == b'E'
                    || ((b[j] == b'+' || b[j] == b'-') && matches!(b[j - 1], b'e' | b'E')))
            {
                j += 1;
            }
            spans.push((start, j));
            i = j;
        } else {
            i += 1;
        }
    }
    spans
}

/// One shipped scenario's text.
fn shipped(i: &Index) -> &'static str {
    SHIPPED[i.index(SHIPPED.len())].text
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// 64 cases a strategy, from a fixed seed so that a run is repeatable; set
/// `PROPTEST_RNG_SEED` (or `PROPTEST_CASES`) to explore further.
fn config() -> ProptestConfig {
    let default = ProptestConfig::default();
    let rng_seed = if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
        default.rng_seed
    } else {
        proptest::test_runner::RngSeed::Fixed(0xCA2E_CA57)
    };
    let cases = if std::env::var_os("PROPTEST_CASES").is_some() { default.cases } else { 64 };
    ProptestConfig { cases, rng_seed, failure_persistence: None, ..default }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        check(String::from_utf8_lossy(&bytes).into_owned())?;
    }

    #[test]
    fn random_strings_never_panic(text in any::<String>()) {
        check(text)?;
    }

    #[test]
    fn toml_like_text_never_panics(text in "(\\[{0,2}[a-z_.]{1,12}\\]{0,2}\n|[a-z_]{1,12} = (\"[a-z0-9 ]{0,8}\"|-?[0-9.e]{1,6}|\\{ ?[a-z]{1,5} = [0-9.]{1,4} ?\\}|\\[[0-9, ]{0,8}\\]|true)\n){0,12}") {
        check(text)?;
    }

    #[test]
    fn deleting_a_line_never_panics(s in any::<Index>(), line in any::<Index>()) {
        let mut l = lines(shipped(&s));
        l.remove(line.index(l.len()));
        check(l.join("\n"))?;
    }

    #[test]
    fn duplicating_a_line_never_panics(s in any::<Index>(), line in any::<Index>()) {
        let mut l = lines(shipped(&s));
        let k = line.index(l.len());
        l.insert(k, l[k]);
        check(l.join("\n"))?;
    }

    #[test]
    fn replacing_a_number_never_panics(s in any::<Index>(), which in any::<Index>(), by in any::<Index>()) {
        let text = shipped(&s);
        let spans = number_spans(text);
        let (a, b) = spans[which.index(spans.len())];
        let replacement = NUMBERS[by.index(NUMBERS.len())];
        check(format!("{}{replacement}{}", &text[..a], &text[b..]))?;
    }

    #[test]
    fn swapping_two_characters_never_panics(s in any::<Index>(), i in any::<Index>(), j in any::<Index>()) {
        let mut chars: Vec<char> = shipped(&s).chars().collect();
        let (i, j) = (i.index(chars.len()), j.index(chars.len()));
        chars.swap(i, j);
        check(chars.into_iter().collect())?;
    }
}

#[test]
fn shipped_scenarios_resolve_under_the_fuzz_path() {
    for s in SHIPPED {
        let loaded = load_source(SourceFile { path: "fuzz.toml".into(), text: s.text.to_string() })
            .unwrap_or_else(|e| panic!("{}: {e}", s.name));
        build(&loaded, seeds(), &RunOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", s.name));
    }
}

#[test]
fn number_spans_find_numbers_not_identifiers() {
    let spans = number_spans("a1 = -0.5\nb = 1e-3\nid = \"10_15\"\nx = 2035");
    let found: Vec<&str> = spans.iter().map(|&(a, b)| &"a1 = -0.5\nb = 1e-3\nid = \"10_15\"\nx = 2035"[a..b]).collect();
    assert_eq!(found, ["-0.5", "1e-3", "10_15", "2035"]);
}
