//! Writes the laid-out pages as PDF with krilla: text as real text (searchable, copyable, with
//! the embedded fonts subset to the glyphs used), photos as JPEG (DCT) streams, the signature
//! as an image with its transparency, and the footer with "Page n of m" on every page.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId, KrillaGlyph};

use crate::error::ReportError;
use crate::fonts::{DROID_FALLBACK, Face, Fonts, Line, NOTO_BOLD, NOTO_REGULAR, Weight};
use crate::layout::{CONTENT_W, MARGIN_X, MUTED, Op, PAGE_H, PAGE_W, RULE, Rgb, Style};

struct PdfFonts {
    regular: Font,
    bold: Font,
    cjk: Font,
}

impl PdfFonts {
    fn load() -> Result<PdfFonts, ReportError> {
        let load = |data: &'static [u8], name: &str| {
            Font::new(data.into(), 0)
                .ok_or_else(|| ReportError::Font(format!("{name} is not a font")))
        };
        Ok(PdfFonts {
            regular: load(NOTO_REGULAR, "Noto Sans")?,
            bold: load(NOTO_BOLD, "Noto Sans Bold")?,
            cjk: load(DROID_FALLBACK, "Droid Sans Fallback")?,
        })
    }

    fn get(&self, face: Face) -> &Font {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
            Face::Cjk => &self.cjk,
        }
    }
}

/// Pictures referenced by the page operations.
pub(crate) struct Pictures {
    pub photos: Vec<Option<Image>>,
    pub signature: Option<Image>,
}

fn color(c: Rgb) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

fn fill(c: Rgb) -> Fill {
    Fill { paint: color(c).into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero }
}

fn rect_path(x: f32, y: f32, w: f32, h: f32) -> Option<krilla::geom::Path> {
    let mut pb = PathBuilder::new();
    pb.move_to(x, y);
    pb.line_to(x + w, y);
    pb.line_to(x + w, y + h);
    pb.line_to(x, y + h);
    pb.close();
    pb.finish()
}

fn draw_line(
    s: &mut Surface<'_>,
    fonts: &PdfFonts,
    (x, baseline): (f32, f32),
    style: Style,
    line: &Line,
) {
    let Style { size, weight, color: c } = style;
    let mut x = x;
    for run in &line.runs {
        let glyphs: Vec<KrillaGlyph> = run
            .glyphs
            .iter()
            .map(|(gid, range, adv)| KrillaGlyph {
                glyph_id: GlyphId::new(*gid),
                text_range: range.clone(),
                x_advance: *adv,
                x_offset: 0.0,
                y_offset: 0.0,
                y_advance: 0.0,
                location: None,
            })
            .collect();
        s.set_fill(Some(fill(c)));
        // Chinese has no bold face: a hairline outline in the text colour thickens it.
        let fake_bold = weight == Weight::Bold && run.face == Face::Cjk;
        if fake_bold {
            s.set_stroke(Some(Stroke {
                paint: color(c).into(),
                width: size * 0.035,
                ..Stroke::default()
            }));
        }
        s.draw_glyphs(
            Point::from_xy(x, baseline),
            &glyphs,
            fonts.get(run.face).clone(),
            &run.text,
            size,
            false,
        );
        if fake_bold {
            s.set_stroke(None);
        }
        x += run.glyphs.iter().map(|g| g.2).sum::<f32>() * size;
    }
}

fn draw_op(s: &mut Surface<'_>, fonts: &PdfFonts, pictures: &Pictures, op: &Op) {
    match op {
        Op::Text { x, baseline, size, weight, color: c, line } => {
            draw_line(s, fonts, (*x, *baseline), Style::new(*size, *weight, *c), line);
        }
        Op::FillRect { x, y, w, h, color: c } => {
            if let Some(path) = rect_path(*x, *y, *w, *h) {
                s.set_stroke(None);
                s.set_fill(Some(fill(*c)));
                s.draw_path(&path);
            }
        }
        Op::StrokeRect { x, y, w, h, color: c, width } => {
            if let Some(path) = rect_path(*x, *y, *w, *h) {
                s.set_fill(None);
                s.set_stroke(Some(Stroke {
                    paint: color(*c).into(),
                    width: *width,
                    ..Stroke::default()
                }));
                s.draw_path(&path);
                s.set_stroke(None);
            }
        }
        Op::Rule { x1, y1, x2, y2, color: c, width } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y1);
            pb.line_to(*x2, *y2);
            if let Some(path) = pb.finish() {
                s.set_fill(None);
                s.set_stroke(Some(Stroke {
                    paint: color(*c).into(),
                    width: *width,
                    ..Stroke::default()
                }));
                s.draw_path(&path);
                s.set_stroke(None);
            }
        }
        Op::Polygon { points, fill: f, stroke } => {
            let mut pb = PathBuilder::new();
            for (i, (x, y)) in points.iter().enumerate() {
                if i == 0 { pb.move_to(*x, *y) } else { pb.line_to(*x, *y) }
            }
            pb.close();
            if let Some(path) = pb.finish() {
                s.set_fill(f.map(fill));
                s.set_stroke(stroke.map(|c| Stroke {
                    paint: color(c).into(),
                    width: 0.7,
                    ..Stroke::default()
                }));
                s.draw_path(&path);
                s.set_stroke(None);
            }
        }
        Op::Photo { x, y, w, h, index } => {
            if let (Some(Some(img)), Some(size)) =
                (pictures.photos.get(*index), Size::from_wh(*w, *h))
            {
                s.push_transform(&Transform::from_translate(*x, *y));
                s.draw_image(img.clone(), size);
                s.pop();
            }
        }
        Op::Signature { x, y, w, h } => {
            if let (Some(img), Some(size)) = (&pictures.signature, Size::from_wh(*w, *h)) {
                s.push_transform(&Transform::from_translate(*x, *y));
                s.draw_image(img.clone(), size);
                s.pop();
            }
        }
    }
}

/// What the document says about itself.
pub(crate) struct DocInfo {
    pub title: String,
    pub language: &'static str,
    pub footer_left: String,
    pub page_label: fn(usize, usize) -> String,
}

pub(crate) fn write(
    metrics: &Fonts,
    pages: &[Vec<Op>],
    pictures: &Pictures,
    info: &DocInfo,
) -> Result<Vec<u8>, ReportError> {
    let fonts = PdfFonts::load()?;
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| ReportError::Pdf(String::from("bad page size")))?;
    let mut doc = Document::new();
    let total = pages.len();
    let footer = Style::new(7.5, Weight::Regular, MUTED);
    for (n, ops) in pages.iter().enumerate() {
        let mut page = doc.start_page_with(settings.clone());
        let mut s = page.surface();
        for op in ops {
            draw_op(&mut s, &fonts, pictures, op);
        }
        // Footer: a rule, the job and report on the left, the page count on the right.
        let fy = PAGE_H - 40.0;
        draw_op(
            &mut s,
            &fonts,
            pictures,
            &Op::Rule {
                x1: MARGIN_X,
                y1: fy,
                x2: MARGIN_X + CONTENT_W,
                y2: fy,
                color: RULE,
                width: 0.6,
            },
        );
        let page_text = (info.page_label)(n + 1, total);
        let right = metrics.line(&page_text, footer.weight);
        let right_w = right.width * footer.size;
        let left = metrics.line_fitted(
            &info.footer_left,
            footer.weight,
            (CONTENT_W - right_w - 20.0) / footer.size,
        );
        let base = fy + 4.0 + footer.ascent();
        draw_line(&mut s, &fonts, (MARGIN_X, base), footer, &left);
        draw_line(&mut s, &fonts, (MARGIN_X + CONTENT_W - right_w, base), footer, &right);
        s.finish();
        page.finish();
    }
    doc.set_metadata(
        Metadata::new()
            .title(info.title.clone())
            .language(info.language.to_owned())
            .creator(String::from("Fieldwork")),
    );
    doc.finish().map_err(|e| ReportError::Pdf(format!("{e:?}")))
}
