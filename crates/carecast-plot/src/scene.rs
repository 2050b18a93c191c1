//! A backend-neutral scene (paths, rectangles, polygons, circles, text in image
//! pixels) and its drawing to SVG or PNG through plotters. PNG text is
//! rasterised by `style::draw_text_rgb` (plotters' ab_glyph text drops glyph
//! side bearings, which spoils letter spacing); SVG text is `<text>` elements.
//!
//! This file decides nothing about layout or style: it draws what it is given.

use plotters::backend::{BitMapBackend, DrawingBackend, SVGBackend};
use plotters::coord::Shift;
use plotters::drawing::{DrawingArea, IntoDrawingArea};
use plotters::element::{Circle, DashedPathElement, PathElement, Polygon, Rectangle, Text};
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{Color, FontDesc, FontFamily, FontStyle, RGBColor};

pub(crate) use crate::style::Align;
use crate::style::{BACKGROUND, FONT_FAMILY, Rgb, TextRun, draw_text_rgb};
use crate::{Layout, PlotError};

/// One thing to draw, in image pixels. Text `y` is the top of the text line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    Path {
        points: Vec<(f64, f64)>,
        colour: Rgb,
        width: f64,
        /// (dash length, gap length) in pixels.
        dash: Option<(f64, f64)>,
    },
    Rect {
        x0: f64,
        y0: f64,
        x1: f64,
        y1: f64,
        fill: Rgb,
    },
    Polygon {
        points: Vec<(f64, f64)>,
        fill: Rgb,
    },
    Circle {
        x: f64,
        y: f64,
        radius: f64,
        fill: Rgb,
    },
    Text {
        text: String,
        x: f64,
        y: f64,
        size: f64,
        bold: bool,
        colour: Rgb,
        align: Align,
    },
}

/// Everything needed to draw one chart.
#[derive(Debug, Clone)]
pub(crate) struct Scene {
    pub width: u32,
    pub height: u32,
    pub shapes: Vec<Shape>,
    pub layout: Layout,
}

fn px(v: f64) -> i32 {
    // `as` saturates and maps NaN to 0, so this never panics.
    v.round() as i32
}

fn pt((x, y): (f64, f64)) -> (i32, i32) {
    (px(x), px(y))
}

fn colour((r, g, b): Rgb) -> RGBColor {
    RGBColor(r, g, b)
}

fn draw_err(e: impl std::fmt::Display) -> PlotError {
    PlotError::Drawing(e.to_string())
}

fn draw_shapes<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, shapes: &[Shape]) -> Result<(), PlotError> {
    for shape in shapes {
        match shape {
            Shape::Path { points, colour: c, width, dash } => {
                let pts: Vec<(i32, i32)> = points.iter().copied().map(pt).collect();
                if pts.len() < 2 {
                    continue;
                }
                let style = colour(*c).stroke_width(px(*width).max(1) as u32);
                match dash {
                    Some((on, off)) => root
                        .draw(&DashedPathElement::new(pts, px(*on).max(1), px(*off).max(1), style))
                        .map_err(draw_err)?,
                    None => root.draw(&PathElement::new(pts, style)).map_err(draw_err)?,
                }
            }
            Shape::Rect { x0, y0, x1, y1, fill } => {
                let (l, r) = (x0.min(*x1), x0.max(*x1));
                let (t, b) = (y0.min(*y1), y0.max(*y1));
                root.draw(&Rectangle::new([(px(l), px(t)), (px(r), px(b))], colour(*fill).filled()))
                    .map_err(draw_err)?;
            }
            Shape::Polygon { points, fill } => {
                let pts: Vec<(i32, i32)> = points.iter().copied().map(pt).collect();
                if pts.len() < 3 {
                    continue;
                }
                root.draw(&Polygon::new(pts, colour(*fill).filled())).map_err(draw_err)?;
            }
            Shape::Circle { x, y, radius, fill } => {
                root.draw(&Circle::new((px(*x), px(*y)), px(*radius).max(1), colour(*fill).filled()))
                    .map_err(draw_err)?;
            }
            Shape::Text { text, x, y, size, bold, colour: c, align } => {
                if text.is_empty() {
                    continue;
                }
                let h = match align {
                    Align::Left => HPos::Left,
                    Align::Centre => HPos::Center,
                    Align::Right => HPos::Right,
                };
                let face = if *bold { FontStyle::Bold } else { FontStyle::Normal };
                let style = FontDesc::new(FontFamily::Name(FONT_FAMILY), *size, face)
                    .color(&colour(*c))
                    .pos(Pos::new(h, VPos::Top));
                root.draw(&Text::new(text.clone(), (px(*x), px(*y)), style)).map_err(draw_err)?;
            }
        }
    }
    root.present().map_err(draw_err)
}

/// Draws the scene as an SVG document.
pub(crate) fn to_svg(scene: &Scene) -> Result<String, PlotError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (scene.width, scene.height)).into_drawing_area();
        root.fill(&colour(BACKGROUND)).map_err(draw_err)?;
        draw_shapes(&root, &scene.shapes)?;
    }
    Ok(out)
}

/// Draws the scene into an RGB buffer and encodes it as PNG.
pub(crate) fn to_png(scene: &Scene) -> Result<Vec<u8>, PlotError> {
    let (w, h) = (scene.width, scene.height);
    let len = (w as usize)
        .checked_mul(h as usize)
        .and_then(|n| n.checked_mul(3))
        .ok_or_else(|| PlotError::Drawing("image too large".to_string()))?;
    // Starts white (the background); shapes are drawn in order, runs of
    // non-text shapes through plotters and text through our rasteriser.
    let mut buf = vec![255u8; len];
    let mut rest: &[Shape] = &scene.shapes;
    while !rest.is_empty() {
        let n = rest.iter().position(|s| matches!(s, Shape::Text { .. })).unwrap_or(rest.len());
        let (graphics, tail) = rest.split_at(n);
        if !graphics.is_empty() {
            let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
            draw_shapes(&root, graphics)?;
        }
        let n_text = tail.iter().position(|s| !matches!(s, Shape::Text { .. })).unwrap_or(tail.len());
        let (texts, after) = tail.split_at(n_text);
        for shape in texts {
            if let Shape::Text { text, x, y, size, bold, colour: c, align } = shape {
                let run = TextRun { text, x: *x, y: *y, size: *size, bold: *bold, colour: *c, align: *align };
                draw_text_rgb(&mut buf, w, h, run);
            }
        }
        rest = after;
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| PlotError::PngEncode(e.to_string()))?;
        writer.write_image_data(&buf).map_err(|e| PlotError::PngEncode(e.to_string()))?;
        writer.finish().map_err(|e| PlotError::PngEncode(e.to_string()))?;
    }
    Ok(out)
}
