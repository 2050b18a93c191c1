//! The one report style: colour-blind-safe palette, embedded font, text sizes
//! scaled to the image size, text measuring/wrapping, and the PNG text
//! rasteriser (ab_glyph with proper side bearings and kerning).
//!
//! This file holds no chart logic and draws no shapes other than text.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use plotters::style::{FontStyle, register_font};

use crate::PlotError;

/// An RGB colour.
pub type Rgb = (u8, u8, u8);

/// The Okabe-Ito colour-blind-safe palette, in the order series use it:
/// blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow,
/// black; then grey and wine (Paul Tol's), so that a chart of up to ten series
/// (nine placements once fostering is split) repeats no colour.
const OKABE_ITO: [Rgb; 10] = [
    (0, 114, 178),
    (230, 159, 0),
    (0, 158, 115),
    (213, 94, 0),
    (204, 121, 167),
    (86, 180, 233),
    (240, 228, 66),
    (0, 0, 0),
    (153, 153, 153),
    (136, 34, 85),
];

/// The series palette (Okabe-Ito), for reuse by HTML/Excel report writers.
/// Series `i` uses `palette()[i % palette().len()]`.
pub fn palette() -> &'static [Rgb] {
    &OKABE_ITO
}

/// The palette colour for series index `i` (wrapping).
pub(crate) fn series_colour(i: usize) -> Rgb {
    OKABE_ITO[i % OKABE_ITO.len()]
}

pub(crate) const TEXT: Rgb = (33, 33, 33);
pub(crate) const MUTED_TEXT: Rgb = (90, 90, 90);
pub(crate) const GRID: Rgb = (222, 222, 222);
pub(crate) const AXIS: Rgb = (110, 110, 110);
pub(crate) const BACKGROUND: Rgb = (255, 255, 255);
/// Waterfall increase (cost up), decrease, and totals; tornado low/high.
pub(crate) const INCREASE: Rgb = OKABE_ITO[3];
pub(crate) const DECREASE: Rgb = OKABE_ITO[2];
pub(crate) const TOTAL: Rgb = OKABE_ITO[0];
pub(crate) const LOW_CASE: Rgb = OKABE_ITO[5];
pub(crate) const HIGH_CASE: Rgb = OKABE_ITO[1];

/// Mixes `c` towards white; `amount` 0 keeps `c`, 1 gives white.
pub(crate) fn tint(c: Rgb, amount: f64) -> Rgb {
    let a = amount.clamp(0.0, 1.0);
    let mix = |v: u8| (f64::from(v) + (255.0 - f64::from(v)) * a).round() as u8;
    (mix(c.0), mix(c.1), mix(c.2))
}

/// The family name the font is registered under. Registering it as
/// "sans-serif" makes SVG output name a family every viewer has.
pub(crate) const FONT_FAMILY: &str = "sans-serif";

static FONTS: OnceLock<Result<(), String>> = OnceLock::new();

/// Registers the embedded Noto Sans (regular and bold) with plotters, once.
pub(crate) fn ensure_fonts() -> Result<(), PlotError> {
    FONTS
        .get_or_init(|| {
            register_font(FONT_FAMILY, FontStyle::Normal, ttf_noto_sans::REGULAR)
                .map_err(|_| "regular face is not a valid font".to_string())?;
            register_font(FONT_FAMILY, FontStyle::Bold, ttf_noto_sans::BOLD)
                .map_err(|_| "bold face is not a valid font".to_string())
        })
        .clone()
        .map_err(PlotError::Font)
}

/// Text and spacing sizes in pixels for one image size. Sizes are plotters
/// font sizes (SVG `font-size` is this divided by 1.24).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Theme {
    pub scale: f64,
    pub title: f64,
    pub subtitle: f64,
    pub axis_title: f64,
    pub tick: f64,
    pub legend: f64,
    pub source: f64,
    pub label: f64,
    pub pad: f64,
}

impl Theme {
    /// Sizes for a `width` x `height` image; 1600x900 is the reference.
    pub(crate) fn new(width: u32, height: u32) -> Self {
        let scale = (f64::from(width) / 1600.0).min(f64::from(height) / 900.0);
        Self {
            scale,
            title: 48.0 * scale,
            subtitle: 34.0 * scale,
            axis_title: 32.0 * scale,
            tick: 30.0 * scale,
            legend: 30.0 * scale,
            source: 26.0 * scale,
            label: 27.0 * scale,
            pad: 36.0 * scale,
        }
    }

    /// Pixels scaled from the 1600x900 reference.
    pub(crate) fn px(&self, reference_px: f64) -> f64 {
        reference_px * self.scale
    }

    /// Vertical distance between successive lines of text of this size.
    pub(crate) fn line_height(size: f64) -> f64 {
        size * 1.0
    }
}

/// The embedded Noto Sans faces, parsed once.
struct Faces {
    regular: FontRef<'static>,
    bold: FontRef<'static>,
}

static FACES: OnceLock<Option<Faces>> = OnceLock::new();

fn face(bold: bool) -> Option<&'static FontRef<'static>> {
    let faces = FACES
        .get_or_init(|| {
            Some(Faces {
                regular: FontRef::try_from_slice(ttf_noto_sans::REGULAR).ok()?,
                bold: FontRef::try_from_slice(ttf_noto_sans::BOLD).ok()?,
            })
        })
        .as_ref()?;
    Some(if bold { &faces.bold } else { &faces.regular })
}

/// Pixels per em for a text size; the same rule plotters' SVG backend uses
/// (`font-size = size / 1.24`), so PNG, SVG and layout agree.
pub(crate) fn em_px(size: f64) -> f64 {
    size / 1.24
}

/// Top of a text line to its baseline, as SVG's `dy="0.76em"` for top anchors.
pub(crate) fn baseline_offset(size: f64) -> f64 {
    0.76 * em_px(size)
}

fn px_scale(font: &FontRef<'static>, size: f64) -> PxScale {
    let units_per_em = font.units_per_em().unwrap_or(1000.0);
    PxScale::from(em_px(size) as f32 * font.height_unscaled() / units_per_em)
}

/// Width in pixels of `text` at font `size`.
pub(crate) fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let Some(font) = face(bold) else {
        // Fallback estimate if the font cannot be parsed: ~0.55 em per glyph.
        return text.chars().count() as f64 * em_px(size) * 0.55;
    };
    let scaled = font.as_scaled(px_scale(font, size));
    let mut width = 0.0f32;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            width += scaled.kern(p, id);
        }
        width += scaled.h_advance(id);
        prev = Some(id);
    }
    f64::from(width)
}

/// Horizontal placement of text relative to its x.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Centre,
    Right,
}

/// Text to rasterise into an RGB buffer; `y` is the top of the text line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextRun<'a> {
    pub text: &'a str,
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub bold: bool,
    pub colour: Rgb,
    pub align: Align,
}

/// Draws anti-aliased text into an 8-bit RGB buffer of `width` x `height`.
/// Pixels outside the buffer are skipped.
pub(crate) fn draw_text_rgb(buf: &mut [u8], width: u32, height: u32, run: TextRun<'_>) {
    let Some(font) = face(run.bold) else {
        return;
    };
    let scale = px_scale(font, run.size);
    let scaled = font.as_scaled(scale);
    let w = text_width(run.text, run.size, run.bold);
    let mut caret = match run.align {
        Align::Left => run.x,
        Align::Centre => run.x - w / 2.0,
        Align::Right => run.x - w,
    } as f32;
    let baseline = (run.y + baseline_offset(run.size)) as f32;
    let (w_px, h_px) = (i64::from(width), i64::from(height));
    let mut prev = None;
    for c in run.text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            caret += scaled.kern(p, id);
        }
        prev = Some(id);
        let glyph = id.with_scale_and_position(scale, point(caret, baseline));
        caret += scaled.h_advance(id);
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outline.px_bounds();
        let (bx, by) = (bounds.min.x as i64, bounds.min.y as i64);
        outline.draw(|gx, gy, coverage| {
            let (px, py) = (bx + i64::from(gx), by + i64::from(gy));
            if px < 0 || py < 0 || px >= w_px || py >= h_px {
                return;
            }
            let a = coverage.clamp(0.0, 1.0);
            let idx = ((py * w_px + px) * 3) as usize;
            if let Some(pixel) = buf.get_mut(idx..idx + 3) {
                for (channel, target) in pixel.iter_mut().zip([run.colour.0, run.colour.1, run.colour.2]) {
                    let blended = f32::from(*channel) * (1.0 - a) + f32::from(target) * a;
                    *channel = blended.round() as u8;
                }
            }
        });
    }
}

/// Greedy word wrap to `max_width` pixels, at most `max_lines` lines; the last
/// line ends with an ellipsis if text was cut. Words longer than a line are
/// kept whole (they may overflow rather than be broken mid-word).
pub(crate) fn wrap(text: &str, size: f64, bold: bool, max_width: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut truncated = false;
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() { word.to_string() } else { format!("{current} {word}") };
        if current.is_empty() || text_width(&candidate, size, bold) <= max_width {
            current = candidate;
        } else {
            lines.push(std::mem::replace(&mut current, word.to_string()));
            if lines.len() >= max_lines.max(1) {
                truncated = true;
                current.clear();
                break;
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if truncated && let Some(last) = lines.last_mut() {
        while !last.is_empty() && text_width(&format!("{last}…"), size, bold) > max_width {
            last.pop();
        }
        last.push('…');
    }
    lines
}
