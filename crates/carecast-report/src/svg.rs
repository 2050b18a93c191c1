//! Making caller-supplied SVG safe to inline in an HTML report.
//!
//! What it is: a small tag scanner that removes XML prologs (`<?xml …?>`),
//! DOCTYPEs and comments, `<script>` elements with their content, `on*=`
//! event-handler attributes, and `href`/`src`/`url(…)` references that
//! point outside the document (anything but `#fragment` or `data:image/`).
//! Everything else is passed through byte for byte. What it is not: a full
//! XML parser or a general HTML sanitiser; it is meant for charts this
//! project renders itself, as a defence against surprises, and it does not
//! inspect the contents of `<style>` elements.

/// Return `svg` with prologs, DOCTYPEs, comments, scripts, event handlers and
/// external references removed; all other text is unchanged.
pub fn sanitize_svg(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut i = 0;
    while let Some(off) = svg.get(i..).and_then(|s| s.find('<')) {
        let lt = i + off;
        out.push_str(&svg[i..lt]);
        let rest = &svg[lt..];
        if rest.starts_with("<?") {
            i = skip_past(svg, lt + 2, "?>");
        } else if rest.starts_with("<!--") {
            i = skip_past(svg, lt + 4, "-->");
        } else if rest.starts_with("<![CDATA[") {
            let end = skip_past(svg, lt, "]]>");
            out.push_str(&svg[lt..end]);
            i = end;
        } else if rest.starts_with("<!") {
            i = skip_doctype(svg, lt);
        } else if let Some(tag) = parse_tag(svg, lt) {
            let local = tag.name.rsplit(':').next().unwrap_or(tag.name);
            if local.eq_ignore_ascii_case("script") {
                i = if tag.is_end || tag.self_closing { tag.end } else { skip_script_body(svg, tag.end) };
            } else {
                let mut pos = lt;
                for (start, end) in &tag.removed {
                    out.push_str(&svg[pos..*start]);
                    pos = *end;
                }
                out.push_str(&svg[pos..tag.end]);
                i = tag.end;
            }
        } else {
            // A `<` that does not start a tag: make it inert text.
            out.push_str("&lt;");
            i = lt + 1;
        }
    }
    out.push_str(svg.get(i..).unwrap_or(""));
    out
}

/// Index just after the first `pat` at or after `from`, or the end.
fn skip_past(s: &str, from: usize, pat: &str) -> usize {
    match s.get(from..).and_then(|t| t.find(pat)) {
        Some(p) => from + p + pat.len(),
        None => s.len(),
    }
}

/// Skip `<!DOCTYPE …>` including an internal subset in `[…]`.
fn skip_doctype(s: &str, lt: usize) -> usize {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut j = lt + 2;
    while j < b.len() {
        match b[j] {
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'>' if depth == 0 => return j + 1,
            _ => {}
        }
        j += 1;
    }
    s.len()
}

/// Index just after the `</script …>` closing the element whose start tag
/// ends at `from`, or the end of input.
fn skip_script_body(s: &str, from: usize) -> usize {
    let lower = s.get(from..).unwrap_or("").to_ascii_lowercase();
    match lower.find("</script") {
        Some(p) => skip_past(s, from + p, ">"),
        None => s.len(),
    }
}

struct Tag<'a> {
    name: &'a str,
    is_end: bool,
    self_closing: bool,
    /// Index just after the closing `>`.
    end: usize,
    /// Byte spans (leading whitespace included) of attributes to drop.
    removed: Vec<(usize, usize)>,
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0c)
}

/// Parse the tag starting at `lt` (which is a `<`). `None` if it is not a
/// well-formed tag (no letter after `<`, or no closing `>`).
fn parse_tag(s: &str, lt: usize) -> Option<Tag<'_>> {
    let b = s.as_bytes();
    let mut j = lt + 1;
    let is_end = b.get(j) == Some(&b'/');
    if is_end {
        j += 1;
    }
    let name_start = j;
    if !b.get(j)?.is_ascii_alphabetic() {
        return None;
    }
    while j < b.len() && !is_space(b[j]) && b[j] != b'/' && b[j] != b'>' {
        j += 1;
    }
    let name = s.get(name_start..j)?;
    let mut removed = Vec::new();
    loop {
        let attr_start = j;
        while j < b.len() && is_space(b[j]) {
            j += 1;
        }
        match b.get(j)? {
            b'>' => {
                return Some(Tag { name, is_end, self_closing: false, end: j + 1, removed });
            }
            b'/' if b.get(j + 1) == Some(&b'>') => {
                return Some(Tag { name, is_end, self_closing: true, end: j + 2, removed });
            }
            b'/' => {
                j += 1;
                continue;
            }
            _ => {}
        }
        let an_start = j;
        while j < b.len() && !is_space(b[j]) && !matches!(b[j], b'=' | b'>' | b'/') {
            j += 1;
        }
        let attr_name = s.get(an_start..j)?;
        let mut k = j;
        while k < b.len() && is_space(b[k]) {
            k += 1;
        }
        let mut value = "";
        if b.get(k) == Some(&b'=') {
            k += 1;
            while k < b.len() && is_space(b[k]) {
                k += 1;
            }
            match b.get(k)? {
                q @ (b'"' | b'\'') => {
                    let close = s.get(k + 1..)?.find(char::from(*q))?;
                    value = s.get(k + 1..k + 1 + close)?;
                    k = k + 1 + close + 1;
                }
                _ => {
                    let v_start = k;
                    while k < b.len() && !is_space(b[k]) && b[k] != b'>' {
                        k += 1;
                    }
                    value = s.get(v_start..k)?;
                }
            }
            j = k;
        }
        if attr_name.is_empty() {
            // Stray `=` or similar: step over it.
            j = j.max(an_start + 1);
            continue;
        }
        if !attribute_allowed(attr_name, value) {
            removed.push((attr_start, j));
        }
    }
}

fn attribute_allowed(name: &str, value: &str) -> bool {
    let name = name.to_ascii_lowercase();
    if name.starts_with("on") {
        return false;
    }
    let local = name.rsplit(':').next().unwrap_or(&name);
    let v = value.trim().to_ascii_lowercase();
    if matches!(local, "href" | "src") && !is_internal_reference(&v) {
        return false;
    }
    // url(...) in presentation attributes or inline style.
    let mut rest = v.as_str();
    while let Some(p) = rest.find("url(") {
        rest = &rest[p + 4..];
        let target = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
        if !is_internal_reference(target) {
            return false;
        }
    }
    true
}

fn is_internal_reference(v: &str) -> bool {
    v.starts_with('#') || v.starts_with("data:image/")
}
