//! The embedded fonts and the small amount of text handling the report needs: choosing a font
//! per character (Noto Sans for Latin, Droid Sans Fallback for Chinese and everything else),
//! measuring, and line breaking. The fonts are compiled into the binary so a report looks the
//! same on any laptop, with no font installed; krilla embeds only the glyphs used (a subset).
//!
//! Glyphs are placed one per character with the font's advance widths (no kerning, no
//! ligatures), which keeps measuring and drawing identical and fast. Complex scripts that need
//! shaping (Arabic, Devanagari) come out legible letter by letter rather than joined; the
//! report's languages are English and Chinese.

use std::ops::Range;
use std::sync::OnceLock;

use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};

use crate::error::ReportError;

pub(crate) static NOTO_REGULAR: &[u8] = include_bytes!("../fonts/NotoSans-Regular.ttf");
pub(crate) static NOTO_BOLD: &[u8] = include_bytes!("../fonts/NotoSans-Bold.ttf");
pub(crate) static DROID_FALLBACK: &[u8] = include_bytes!("../fonts/DroidSansFallbackFull.ttf");

/// Which embedded font a glyph comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Regular,
    Bold,
    Cjk,
}

/// Regular or bold text. Chinese has no bold face here; it is emboldened with a thin outline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

struct FaceMetrics {
    font: FontRef<'static>,
    glyphs: GlyphMetrics<'static>,
    upem: f32,
}

impl std::fmt::Debug for FaceMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaceMetrics").field("upem", &self.upem).finish_non_exhaustive()
    }
}

impl FaceMetrics {
    fn load(data: &'static [u8]) -> Result<FaceMetrics, ReportError> {
        let font = FontRef::new(data).map_err(|e| ReportError::Font(e.to_string()))?;
        let upem =
            f32::from(font.head().map_err(|e| ReportError::Font(e.to_string()))?.units_per_em());
        let glyphs = font.glyph_metrics(Size::unscaled(), LocationRef::default());
        Ok(FaceMetrics { font, glyphs, upem: upem.max(1.0) })
    }

    /// Glyph id and advance in em, if the font has the character.
    fn glyph(&self, c: char) -> Option<(u32, f32)> {
        let gid = self.font.charmap().map(c)?;
        let adv = self.glyphs.advance_width(gid).unwrap_or(0.0) / self.upem;
        Some((gid.to_u32(), adv))
    }

    fn notdef(&self) -> (u32, f32) {
        let adv = self.glyphs.advance_width(skrifa::GlyphId::new(0)).unwrap_or(self.upem / 2.0);
        (0, adv / self.upem)
    }
}

/// The three embedded faces, parsed once per process.
#[derive(Debug)]
pub(crate) struct Fonts {
    regular: FaceMetrics,
    bold: FaceMetrics,
    cjk: FaceMetrics,
}

// skrifa's font references are plain borrowed bytes of 'static data: safe to share.
static FONTS: OnceLock<Result<Fonts, String>> = OnceLock::new();

pub(crate) fn fonts() -> Result<&'static Fonts, ReportError> {
    FONTS
        .get_or_init(|| {
            Ok(Fonts {
                regular: FaceMetrics::load(NOTO_REGULAR).map_err(|e| e.to_string())?,
                bold: FaceMetrics::load(NOTO_BOLD).map_err(|e| e.to_string())?,
                cjk: FaceMetrics::load(DROID_FALLBACK).map_err(|e| e.to_string())?,
            })
        })
        .as_ref()
        .map_err(|e| ReportError::Font(e.clone()))
}

/// One placed character.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Glyph {
    pub ch: char,
    pub face: Face,
    pub gid: u32,
    /// Advance in em.
    pub advance: f32,
}

/// A run of glyphs in one face, with the text they stand for (for copy and search in the PDF).
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub face: Face,
    pub text: String,
    /// Glyph id, byte range in `text`, advance in em.
    pub glyphs: Vec<(u32, Range<usize>, f32)>,
}

/// One line of text, ready to draw.
#[derive(Debug, Clone, Default)]
pub(crate) struct Line {
    pub runs: Vec<Run>,
    /// Width in em.
    pub width: f32,
}

impl Fonts {
    pub(crate) fn glyph(&self, c: char, weight: Weight) -> Glyph {
        let latin = match weight {
            Weight::Regular => (&self.regular, Face::Regular),
            Weight::Bold => (&self.bold, Face::Bold),
        };
        if let Some((gid, advance)) = latin.0.glyph(c) {
            return Glyph { ch: c, face: latin.1, gid, advance };
        }
        if let Some((gid, advance)) = self.cjk.glyph(c) {
            return Glyph { ch: c, face: Face::Cjk, gid, advance };
        }
        // No font has it (emoji, rare scripts): an empty box, but the text stays searchable.
        let (gid, advance) = self.cjk.notdef();
        Glyph { ch: c, face: Face::Cjk, gid, advance }
    }

    /// Width of `text` on one line, in em.
    pub(crate) fn width(&self, text: &str, weight: Weight) -> f32 {
        clean(text).chars().map(|c| self.glyph(c, weight).advance).sum()
    }

    /// `text` as one line (no wrapping).
    pub(crate) fn line(&self, text: &str, weight: Weight) -> Line {
        let glyphs: Vec<Glyph> = clean(text).chars().map(|c| self.glyph(c, weight)).collect();
        to_line(&glyphs)
    }

    /// `text` as one line, cut with an ellipsis to fit `max_em`.
    pub(crate) fn line_fitted(&self, text: &str, weight: Weight, max_em: f32) -> Line {
        let glyphs: Vec<Glyph> = clean(text).chars().map(|c| self.glyph(c, weight)).collect();
        let total: f32 = glyphs.iter().map(|g| g.advance).sum();
        if total <= max_em {
            return to_line(&glyphs);
        }
        let ellipsis = self.glyph('…', weight);
        let mut width = ellipsis.advance;
        let mut kept = Vec::new();
        for g in glyphs {
            if width + g.advance > max_em {
                break;
            }
            width += g.advance;
            kept.push(g);
        }
        kept.push(ellipsis);
        to_line(&kept)
    }

    /// Breaks `text` into lines no wider than `max_em`: at spaces between words, between any
    /// two Chinese characters (but not before closing punctuation), and inside a word only when
    /// the word alone is wider than the line. Newlines in the text are kept.
    pub(crate) fn wrap(&self, text: &str, weight: Weight, max_em: f32) -> Vec<Line> {
        let mut lines = Vec::new();
        for para in clean_multiline(text).split('\n') {
            let glyphs: Vec<Glyph> = para.chars().map(|c| self.glyph(c, weight)).collect();
            wrap_glyphs(&glyphs, max_em, &mut lines);
        }
        lines
    }
}

fn wrap_glyphs(glyphs: &[Glyph], max_em: f32, out: &mut Vec<Line>) {
    if glyphs.is_empty() {
        out.push(Line::default());
        return;
    }
    let mut start = 0;
    while start < glyphs.len() {
        // Skip spaces at the start of a wrapped line.
        if start > 0 && out.last().is_some() {
            while start < glyphs.len() && glyphs[start].ch == ' ' {
                start += 1;
            }
            if start >= glyphs.len() {
                break;
            }
        }
        let mut width = 0.0;
        let mut end = start;
        let mut last_break: Option<usize> = None;
        while end < glyphs.len() {
            let g = glyphs[end];
            if end > start && may_break_before(glyphs[end - 1].ch, g.ch) {
                last_break = Some(end);
            }
            if width + g.advance > max_em && end > start {
                break;
            }
            width += g.advance;
            end += 1;
        }
        let cut = if end >= glyphs.len() { end } else { last_break.unwrap_or(end) };
        let mut line_end = cut;
        while line_end > start + 1 && glyphs[line_end - 1].ch == ' ' {
            line_end -= 1;
        }
        out.push(to_line(&glyphs[start..line_end]));
        start = cut.max(start + 1);
    }
}

/// Characters that behave like ideographs for line breaking.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Punctuation that must not start a line (Chinese line-breaking rules, simplified).
fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '！'
            | '？'
            | '）'
            | '」'
            | '』'
            | '》'
            | '〉'
            | '】'
            | '”'
            | '’'
            | ','
            | '.'
            | ';'
            | ':'
            | '!'
            | '?'
            | ')'
            | ']'
            | '}'
            | '…'
    )
}

fn may_break_before(prev: char, c: char) -> bool {
    if no_line_start(c) {
        return false;
    }
    prev == ' ' || prev == '-' || prev == '/' || is_wide(c) || is_wide(prev)
}

fn to_line(glyphs: &[Glyph]) -> Line {
    let mut runs: Vec<Run> = Vec::new();
    let mut width = 0.0;
    for g in glyphs {
        width += g.advance;
        let run = match runs.last_mut() {
            Some(r) if r.face == g.face => r,
            _ => {
                runs.push(Run { face: g.face, text: String::new(), glyphs: Vec::new() });
                match runs.last_mut() {
                    Some(r) => r,
                    None => continue,
                }
            }
        };
        let from = run.text.len();
        run.text.push(g.ch);
        run.glyphs.push((g.gid, from..run.text.len(), g.advance));
    }
    Line { runs, width }
}

/// Text for one line: control characters dropped, tabs and newlines as spaces.
pub(crate) fn clean(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// Text for a paragraph: newlines kept (CRLF and CR as LF), other control characters dropped.
fn clean_multiline(text: &str) -> String {
    text.replace("\r\n", "\n")
        .chars()
        .filter_map(|c| match c {
            '\r' => Some('\n'),
            '\t' => Some(' '),
            '\n' => Some('\n'),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_comes_from_the_fallback_and_latin_from_noto() {
        let f = fonts().unwrap();
        assert_eq!(f.glyph('A', Weight::Regular).face, Face::Regular);
        assert_eq!(f.glyph('A', Weight::Bold).face, Face::Bold);
        let g = f.glyph('漏', Weight::Regular);
        assert_eq!(g.face, Face::Cjk);
        assert_ne!(g.gid, 0);
        assert_ne!(f.glyph('服', Weight::Bold).gid, 0);
    }

    #[test]
    fn lines_break_between_words_and_between_chinese_characters() {
        let f = fonts().unwrap();
        let lines = f.wrap("the water heater leaks at the inlet valve", Weight::Regular, 8.0);
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(l.width <= 8.0);
            let t: String = l.runs.iter().map(|r| r.text.as_str()).collect();
            assert!(!t.starts_with(' ') && !t.ends_with(' '), "{t:?}");
        }
        let zh = f.wrap("热水器进水阀漏水，需要更换阀门。", Weight::Regular, 5.0);
        assert!(zh.len() >= 3);
        for l in &zh {
            let t: String = l.runs.iter().map(|r| r.text.as_str()).collect();
            assert!(!t.starts_with('，') && !t.starts_with('。'), "{t:?}");
        }
    }

    #[test]
    fn a_word_longer_than_the_line_is_cut_and_every_character_survives() {
        let f = fonts().unwrap();
        let word = "x".repeat(300);
        let lines = f.wrap(&word, Weight::Regular, 10.0);
        let total: usize = lines.iter().flat_map(|l| &l.runs).map(|r| r.text.len()).sum();
        assert_eq!(total, 300);
        assert!(lines.len() > 5);
    }

    #[test]
    fn fitted_lines_end_with_an_ellipsis() {
        let f = fonts().unwrap();
        let l = f.line_fitted("a very long description of a part", Weight::Regular, 5.0);
        assert!(l.width <= 5.0);
        let t: String = l.runs.iter().map(|r| r.text.as_str()).collect();
        assert!(t.ends_with('…'));
    }
}
