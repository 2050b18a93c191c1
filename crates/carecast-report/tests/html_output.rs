//! Integration tests for HTML report output.
//!
//! What it is: renders reports and checks the text for titles, SVGs, absence
//! of scripts and external references, escaping and number formatting.
//! What it is not: a browser rendering or print-layout test.

mod common;

use carecast_report::{Block, HtmlReport, ReportError, Section, sanitize_svg};
use common::placements;

const CLEAN_SVG: &str = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"50\" \
viewBox=\"0 0 100 50\"><defs><linearGradient id=\"g\"/></defs>\
<rect x=\"0\" y=\"0\" width=\"100\" height=\"50\" fill=\"url(#g)\"/>\
<text x=\"5\" y=\"20\">Children &amp; costs</text></svg>";

const HOSTILE_SVG: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n\
<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" onload=\"alert(1)\">\
<script type=\"text/javascript\">alert('<svg>')</script>\
<SCRIPT>evil()</SCRIPT><script src=\"x.js\"/>\
<circle cx=\"5\" cy=\"5\" r=\"4\" OnClick='steal()' fill=\"red\"/>\
<a href=\"https://example.com/\"><text>link</text></a>\
<image xlink:href=\"http://example.com/a.png\" width=\"1\" height=\"1\"/>\
<rect style=\"fill: url(https://example.com/p.svg#x)\" width=\"2\" height=\"2\"/>\
<use href=\"#keep\"/></svg>";

fn report() -> HtmlReport {
    let mut second = placements();
    second.title = "Second table: Q&A <draft>".to_string();
    HtmlReport {
        title: "Children in care forecast <Anyshire> & partners".to_string(),
        subtitle: "Scenario comparison".to_string(),
        sections: vec![
            Section {
                heading: "Headlines".to_string(),
                blocks: vec![
                    Block::Paragraph("Costs rise by <10% & stay \"high\"".to_string()),
                    Block::KeyValues(vec![("Total <2030>".to_string(), "£1.2bn & more".to_string())]),
                    Block::Bullets(vec!["a < b".to_string(), "c > d".to_string()]),
                    Block::Svg(CLEAN_SVG.to_string()),
                ],
            },
            Section {
                heading: "Tables".to_string(),
                blocks: vec![Block::Table(placements()), Block::Table(second), Block::Svg(HOSTILE_SVG.to_string())],
            },
        ],
        footer: vec!["Generated 2026-03-31 by carecast 0.1.0".to_string()],
    }
}

/// Every value of an attribute `name` in `html` (double- or single-quoted).
fn attribute_values<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let lower = html.to_ascii_lowercase();
    for quote in ['"', '\''] {
        let pat = format!("{name}={quote}");
        let mut from = 0;
        while let Some(p) = lower[from..].find(&pat) {
            let start = from + p + pat.len();
            // Only whole attribute names: preceded by whitespace or `:`.
            let before = lower[..from + p].chars().last();
            let end = start + html[start..].find(quote).unwrap();
            if matches!(before, Some(c) if c.is_whitespace() || c == ':') {
                out.push(&html[start..end]);
            }
            from = end;
        }
    }
    out
}

#[test]
fn html_contains_titles_and_svgs_and_nothing_executable() {
    let html = report().render();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("Children looked after &amp; cost &lt;2025&gt;"));
    assert!(html.contains("Second table: Q&amp;A &lt;draft&gt;"));
    assert!(html.contains(CLEAN_SVG), "clean SVG inlined byte for byte");

    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "no script elements");
    assert!(!lower.contains("<?xml"), "no XML prolog");
    assert!(!lower.contains("<!doctype svg"), "no SVG doctype");
    assert!(!lower.contains("onload") && !lower.contains("onclick"));
    assert!(!html.contains("alert(") && !html.contains("evil()") && !html.contains("steal()"));
    for attr in ["href", "src", "xlink:href"] {
        for v in attribute_values(&html, attr) {
            let v = v.trim().to_ascii_lowercase();
            assert!(
                !v.starts_with("http://") && !v.starts_with("https://") && !v.starts_with("//"),
                "external {attr}={v}"
            );
        }
    }
    assert!(!lower.contains("url(http"), "no external url() references");
    // Internal references survive.
    assert!(html.contains("<use href=\"#keep\"/>"));
    assert!(html.contains("fill=\"url(#g)\""));
    // Namespace declarations are not links and are kept.
    assert!(html.contains("xmlns=\"http://www.w3.org/2000/svg\""));
    // Remaining structure of the hostile SVG is kept.
    assert!(html.contains("<circle cx=\"5\" cy=\"5\" r=\"4\" fill=\"red\"/>"));
    assert!(html.contains("<text>link</text>"));
}

#[test]
fn html_escapes_text_everywhere() {
    let html = report().render();
    for (raw, escaped) in [
        (
            "Children in care forecast <Anyshire> & partners",
            "Children in care forecast &lt;Anyshire&gt; &amp; partners",
        ),
        ("Costs rise by <10% & stay \"high\"", "Costs rise by &lt;10% &amp; stay &quot;high&quot;"),
        ("Total <2030>", "Total &lt;2030&gt;"),
        ("£1.2bn & more", "£1.2bn &amp; more"),
        ("a < b", "a &lt; b"),
        ("c > d", "c &gt; d"),
        ("<high> & growing", "&lt;high&gt; &amp; growing"),
        ("Source: SSDA903 & CIN census", "Source: SSDA903 &amp; CIN census"),
    ] {
        assert!(!html.contains(raw), "unescaped {raw:?}");
        assert!(html.contains(escaped), "missing {escaped:?}");
    }
    assert!(html.contains("<title>Children in care forecast &lt;Anyshire&gt; &amp; partners</title>"));
}

#[test]
fn html_formats_and_right_aligns_numbers() {
    let html = report().render();
    // Count, whole pounds, £m, percent, 2-dp number, plain year.
    for cell in [
        "<td class=\"num\">81,770</td>",
        "<td class=\"num\">£8,955,421,269</td>",
        "<td class=\"num\">£8,955.4m</td>",
        "<td class=\"num\">-£1,234.5m</td>",
        "<td class=\"num\">30.0%</td>",
        "<td class=\"num\">-5.0%</td>",
        "<td class=\"num\">1.23</td>",
        "<td class=\"num\">2025</td>",
        "<td class=\"num\">123,456,789</td>",
        "<td class=\"num\">0</td>",
    ] {
        assert!(html.contains(cell), "missing {cell}");
    }
    // Infinite cost and NaN rate are empty cells.
    assert!(html.contains("<td class=\"num\"></td>"));
    assert!(html.contains("<th scope=\"col\" class=\"num\">children</th>"));
    assert!(html.contains("<th scope=\"col\">scenario</th>"));
}

#[test]
fn html_is_printable_and_self_contained() {
    let html = report().render();
    assert!(html.contains("@page { size: A4"));
    assert!(html.contains("@media print"));
    assert!(!html.contains("<link"), "no external stylesheets");
    assert!(!html.contains("@import") && !html.contains("@font-face"));
}

#[test]
fn svg_sanitiser_handles_malformed_input_without_panicking() {
    for input in [
        "",
        "<",
        "<<<>>>",
        "<svg",
        "<svg a=\"unterminated",
        "<script>never closed",
        "<!-- unterminated comment",
        "<?xml unterminated",
        "<!DOCTYPE x [ <!ENTITY a \"b\"> ]><svg/>",
        "<svg =bad onload=x>ok</svg>",
        "<svg:script>x()</svg:script><p/>",
        "£ü漢<svg 漢=\"字\"/>",
    ] {
        let out = sanitize_svg(input);
        let lower = out.to_ascii_lowercase();
        assert!(!lower.contains("<script") && !lower.contains("<svg:script"), "{input:?} -> {out:?}");
        assert!(!lower.contains("onload="), "{input:?} -> {out:?}");
    }
    assert_eq!(sanitize_svg("<!DOCTYPE x [ <!ENTITY a \"b\"> ]><svg/>"), "<svg/>");
    assert_eq!(sanitize_svg("<svg =bad onload=x>ok</svg>"), "<svg =bad>ok</svg>");
    assert_eq!(sanitize_svg("a < b <svg/>"), "a &lt; b <svg/>");
    assert_eq!(sanitize_svg("£ü漢<svg 漢=\"字\"/>"), "£ü漢<svg 漢=\"字\"/>");
}

#[test]
fn html_write_rejects_ragged_tables_and_writes_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.html");
    report().write(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), report().render());

    let mut bad = report();
    if let Block::Table(t) = &mut bad.sections[1].blocks[0] {
        t.rows[2].push(carecast_report::Cell::Empty);
    }
    // render() still works on a ragged table (pads / shows extra cells).
    assert!(bad.render().contains("&lt;high&gt;"));
    let err = bad.write(&path).unwrap_err();
    assert!(matches!(err, ReportError::Table { .. }), "{err:?}");
    assert!(err.to_string().contains("row 3"));
    // The earlier good file is untouched.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), report().render());
}
