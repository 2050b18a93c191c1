//! Self-contained HTML report output.
//!
//! What it is: [`HtmlReport`] — title, sections of paragraphs, tables,
//! inline SVG charts, key/value lists and bullets — rendered to one HTML file
//! with inline CSS (including A4 print rules), no scripts, no external
//! links, fonts or images, so it can be emailed, archived with committee
//! papers or printed to PDF. All text is HTML-escaped; SVG is inlined after
//! [`sanitize_svg`](crate::sanitize_svg). What it is not: a templating
//! engine or a chart renderer; charts arrive as finished SVG strings.

use std::fmt::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::atomic::write_atomic;
use crate::error::ReportError;
use crate::format::display_cell;
use crate::svg::sanitize_svg;
use crate::table::{ColumnKind, Table};

/// A report: heading, sections and a footer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HtmlReport {
    /// Document title (`<title>` and `<h1>`).
    pub title: String,
    /// Line under the title; omitted when empty.
    pub subtitle: String,
    /// Body sections in order.
    pub sections: Vec<Section>,
    /// Footer lines (provenance, version, generated date).
    pub footer: Vec<String>,
}

/// A headed section of a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Section heading (`<h2>`); omitted when empty.
    pub heading: String,
    /// Content in order.
    pub blocks: Vec<Block>,
}

/// One piece of section content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Block {
    /// A paragraph of plain text (escaped).
    Paragraph(String),
    /// A table with its title as caption and its notes beneath.
    Table(Table),
    /// An SVG chart, inlined after sanitising.
    Svg(String),
    /// Label/value pairs shown as a two-column list.
    KeyValues(Vec<(String, String)>),
    /// A bulleted list.
    Bullets(Vec<String>),
}

/// Escape `&`, `<`, `>`, `"` and `'` for HTML text and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
@page { size: A4; margin: 15mm 12mm; }
html { color-scheme: light; }
body { font-family: "Segoe UI", Arial, Helvetica, sans-serif; font-size: 11pt;
  line-height: 1.4; color: #1a1a1a; background: #fff; max-width: 190mm;
  margin: 0 auto; padding: 8mm; }
h1 { font-size: 20pt; margin: 0 0 1mm; }
.subtitle { color: #444; margin: 0 0 6mm; font-size: 12pt; }
h2 { font-size: 14pt; border-bottom: 1px solid #999; padding-bottom: 1mm;
  margin: 8mm 0 3mm; break-after: avoid; page-break-after: avoid; }
p { margin: 2mm 0; }
table { border-collapse: collapse; margin: 3mm 0; font-size: 9.5pt; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 1.5mm; }
th, td { padding: 0.8mm 2.5mm; border-bottom: 1px solid #ddd; text-align: left;
  vertical-align: top; }
thead th { border-bottom: 2px solid #333; }
thead { display: table-header-group; }
tbody tr:nth-child(even) { background: #f5f5f5; }
tr { break-inside: avoid; page-break-inside: avoid; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.notes { font-size: 8.5pt; color: #444; margin: 1mm 0 4mm; padding-left: 5mm; }
.chart { margin: 4mm 0; break-inside: avoid; page-break-inside: avoid; }
.chart svg { max-width: 100%; height: auto; }
table.kv th { font-weight: bold; padding-right: 6mm; }
table.kv th, table.kv td { border-bottom: none; }
footer { margin-top: 10mm; border-top: 1px solid #999; padding-top: 2mm;
  font-size: 8.5pt; color: #444; }
footer p { margin: 0.5mm 0; }
@media print {
  body { padding: 0; max-width: none; font-size: 10pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"#;

impl HtmlReport {
    /// Render the whole document. Never fails: a ragged table row is padded
    /// with empty cells (use [`HtmlReport::write`] to reject such tables).
    pub fn render(&self) -> String {
        let mut h = String::with_capacity(16 * 1024);
        h.push_str("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.push_str(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'unsafe-inline'; img-src data:\">\n",
        );
        h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        let _ = writeln!(h, "<title>{}</title>", escape_html(&self.title));
        let _ = writeln!(h, "<style>{CSS}</style>\n</head>\n<body>\n<header>");
        let _ = writeln!(h, "<h1>{}</h1>", escape_html(&self.title));
        if !self.subtitle.is_empty() {
            let _ = writeln!(h, "<p class=\"subtitle\">{}</p>", escape_html(&self.subtitle));
        }
        h.push_str("</header>\n<main>\n");
        for section in &self.sections {
            render_section(&mut h, section);
        }
        h.push_str("</main>\n");
        if !self.footer.is_empty() {
            h.push_str("<footer>\n");
            for line in &self.footer {
                let _ = writeln!(h, "<p>{}</p>", escape_html(line));
            }
            h.push_str("</footer>\n");
        }
        h.push_str("</body>\n</html>\n");
        h
    }

    /// Check every table's shape, render, and write to `path` atomically.
    pub fn write(&self, path: &Path) -> Result<(), ReportError> {
        for section in &self.sections {
            for block in &section.blocks {
                if let Block::Table(t) = block {
                    t.validate().map_err(|e| ReportError::table(path, e))?;
                }
            }
        }
        write_atomic(path, self.render().as_bytes())
    }
}

fn render_section(h: &mut String, section: &Section) {
    h.push_str("<section>\n");
    if !section.heading.is_empty() {
        let _ = writeln!(h, "<h2>{}</h2>", escape_html(&section.heading));
    }
    for block in &section.blocks {
        match block {
            Block::Paragraph(p) => {
                let _ = writeln!(h, "<p>{}</p>", escape_html(p));
            }
            Block::Table(t) => render_table(h, t),
            Block::Svg(svg) => {
                let _ = writeln!(h, "<figure class=\"chart\">\n{}\n</figure>", sanitize_svg(svg));
            }
            Block::KeyValues(kvs) => {
                h.push_str("<table class=\"kv\">\n<tbody>\n");
                for (k, v) in kvs {
                    let _ =
                        writeln!(h, "<tr><th scope=\"row\">{}</th><td>{}</td></tr>", escape_html(k), escape_html(v));
                }
                h.push_str("</tbody>\n</table>\n");
            }
            Block::Bullets(items) => {
                h.push_str("<ul>\n");
                for item in items {
                    let _ = writeln!(h, "<li>{}</li>", escape_html(item));
                }
                h.push_str("</ul>\n");
            }
        }
    }
    h.push_str("</section>\n");
}

fn render_table(h: &mut String, t: &Table) {
    h.push_str("<table class=\"data\">\n");
    if !t.title.is_empty() {
        let _ = writeln!(h, "<caption>{}</caption>", escape_html(&t.title));
    }
    h.push_str("<thead><tr>");
    for c in &t.columns {
        let _ = write!(h, "<th scope=\"col\"{}>{}</th>", class_attr(c.kind), escape_html(&c.name));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        h.push_str("<tr>");
        let width = row.len().max(t.columns.len());
        for i in 0..width {
            let kind = t.columns.get(i).map_or(ColumnKind::Text, |c| c.kind);
            let text = row.get(i).map_or(String::new(), |cell| display_cell(kind, cell));
            let _ = write!(h, "<td{}>{}</td>", class_attr(kind), escape_html(&text));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    if !t.notes.is_empty() {
        h.push_str("<ul class=\"notes\">\n");
        for note in &t.notes {
            let _ = writeln!(h, "<li>{}</li>", escape_html(note));
        }
        h.push_str("</ul>\n");
    }
}

fn class_attr(kind: ColumnKind) -> &'static str {
    if kind.is_numeric() { " class=\"num\"" } else { "" }
}
