//! A small page model: the report is laid out top to bottom into a list of drawing operations
//! per page, breaking pages as it goes; only then is the PDF written, so every footer can say
//! "Page n of m". Text flows line by line across pages; table rows and photo rows move to the
//! next page whole when they fit on one.

use crate::fonts::{Fonts, Line, Weight};

/// A4 in PDF points.
pub(crate) const PAGE_W: f32 = 595.28;
pub(crate) const PAGE_H: f32 = 841.89;
pub(crate) const MARGIN_X: f32 = 48.0;
pub(crate) const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN_X;
const CONTENT_TOP: f32 = 44.0;
/// Below this the footer lives.
const CONTENT_BOTTOM: f32 = PAGE_H - 58.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub u8, pub u8, pub u8);

pub(crate) const INK: Rgb = Rgb(0x22, 0x26, 0x2e);
pub(crate) const MUTED: Rgb = Rgb(0x5f, 0x67, 0x73);
pub(crate) const ACCENT: Rgb = Rgb(0x1f, 0x4e, 0x79);
pub(crate) const RULE: Rgb = Rgb(0xc9, 0xcf, 0xd6);
pub(crate) const SHADE: Rgb = Rgb(0xf0, 0xf3, 0xf6);
pub(crate) const WARN: Rgb = Rgb(0xb0, 0x1c, 0x1c);
pub(crate) const WARN_SHADE: Rgb = Rgb(0xfd, 0xec, 0xec);

/// One drawing operation, in points from the page's top-left corner.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        color: Rgb,
        line: Line,
    },
    FillRect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
    },
    StrokeRect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Rgb,
        width: f32,
    },
    Rule {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        color: Rgb,
        width: f32,
    },
    /// Photo number `index`, drawn into the box.
    Photo {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        index: usize,
    },
    Signature {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
    /// A closed shape, filled and/or outlined.
    Polygon {
        points: Vec<(f32, f32)>,
        fill: Option<Rgb>,
        stroke: Option<Rgb>,
    },
}

/// How a piece of text looks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub size: f32,
    pub weight: Weight,
    pub color: Rgb,
}

impl Style {
    pub(crate) const fn new(size: f32, weight: Weight, color: Rgb) -> Style {
        Style { size, weight, color }
    }

    pub(crate) fn line_height(&self) -> f32 {
        self.size * 1.42
    }

    /// From the top of a line box to the baseline.
    pub(crate) fn ascent(&self) -> f32 {
        self.size * 1.05
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// A table column: width in points and alignment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Col {
    pub width: f32,
    pub align: Align,
}

/// The pages being laid out, and where the next thing goes.
#[derive(Debug)]
pub(crate) struct Pages {
    pub fonts: &'static Fonts,
    pub pages: Vec<Vec<Op>>,
    /// Top of the free space on the current page.
    pub y: f32,
}

impl Pages {
    pub(crate) fn new(fonts: &'static Fonts) -> Pages {
        Pages { fonts, pages: vec![Vec::new()], y: CONTENT_TOP }
    }

    pub(crate) fn space_left(&self) -> f32 {
        CONTENT_BOTTOM - self.y
    }

    pub(crate) fn body_height() -> f32 {
        CONTENT_BOTTOM - CONTENT_TOP
    }

    pub(crate) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = CONTENT_TOP;
    }

    fn at_page_top(&self) -> bool {
        self.y <= CONTENT_TOP + 0.5
    }

    /// Starts a new page unless `height` fits here (or we are already at a page's top).
    pub(crate) fn keep(&mut self, height: f32) {
        if height > self.space_left() && !self.at_page_top() {
            self.new_page();
        }
    }

    pub(crate) fn push(&mut self, op: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.push(op);
        }
    }

    /// Draws one line of text with its box top at `top`.
    pub(crate) fn line_at(&mut self, x: f32, top: f32, style: Style, line: Line) {
        self.push(Op::Text {
            x,
            baseline: top + style.ascent(),
            size: style.size,
            weight: style.weight,
            color: style.color,
            line,
        });
    }

    /// One line of text, right-aligned so it ends at `right`.
    pub(crate) fn line_right(&mut self, right: f32, top: f32, style: Style, text: &str) {
        let line = self.fonts.line(text, style.weight);
        let x = right - line.width * style.size;
        self.line_at(x, top, style, line);
    }

    /// Wraps `text` to `width` and flows it down the page, onto new pages as needed.
    pub(crate) fn paragraph(&mut self, x: f32, width: f32, text: &str, style: Style) {
        let lh = style.line_height();
        for line in self.fonts.wrap(text, style.weight, width / style.size) {
            self.keep(lh);
            let top = self.y;
            self.line_at(x, top, style, line);
            self.y += lh;
        }
    }

    /// A section heading with a rule under it, kept with at least `min_after` points of what
    /// follows.
    pub(crate) fn heading(&mut self, text: &str, min_after: f32) {
        let style = Style::new(11.5, Weight::Bold, ACCENT);
        self.y += 10.0;
        self.keep(style.line_height() + 6.0 + min_after);
        let top = self.y;
        let line = self.fonts.line_fitted(text, style.weight, CONTENT_W / style.size);
        self.line_at(MARGIN_X, top, style, line);
        self.y += style.line_height() + 1.0;
        let y = self.y;
        self.push(Op::Rule {
            x1: MARGIN_X,
            y1: y,
            x2: MARGIN_X + CONTENT_W,
            y2: y,
            color: RULE,
            width: 0.8,
        });
        self.y += 5.0;
    }

    /// A table with a shaded header row (repeated on each new page) and wrapped cells. A row
    /// that fits on a page is never split; a longer one continues on the next page. The last
    /// row keeps `tail` points free below it for what belongs to the table (its totals).
    pub(crate) fn table(
        &mut self,
        cols: &[Col],
        header: &[&str],
        rows: &[Vec<String>],
        body: Style,
        tail: f32,
    ) {
        let head = Style::new(8.0, Weight::Bold, MUTED);
        let pad = 3.0;
        let head_h = head.line_height() + 2.0 * pad;
        let lh = body.line_height();
        let draw_header = |p: &mut Pages| {
            let y = p.y;
            p.push(Op::FillRect { x: MARGIN_X, y, w: CONTENT_W, h: head_h, color: SHADE });
            let mut x = MARGIN_X;
            for (c, h) in cols.iter().zip(header) {
                let line = p.fonts.line_fitted(h, head.weight, (c.width - 2.0 * pad) / head.size);
                let lx = match c.align {
                    Align::Left => x + pad,
                    Align::Right => x + c.width - pad - line.width * head.size,
                };
                p.line_at(lx, y + pad, head, line);
                x += c.width;
            }
            p.y += head_h;
        };
        // The header goes with the first row (and, for a one-row table, with its tail).
        let first = rows.first().map_or(1, |row| {
            cols.iter()
                .zip(row)
                .map(|(c, t)| {
                    self.fonts
                        .wrap(t, body.weight, ((c.width - 2.0 * pad) / body.size).max(1.0))
                        .len()
                })
                .max()
                .unwrap_or(1)
        });
        let first_tail = if rows.len() == 1 { tail } else { 0.0 };
        self.keep((head_h + first as f32 * lh + 2.0 * pad + first_tail).min(Pages::body_height()));
        draw_header(self);
        for (r, row) in rows.iter().enumerate() {
            let tail = if r + 1 == rows.len() { tail } else { 0.0 };
            let cells: Vec<Vec<Line>> = cols
                .iter()
                .zip(row)
                .map(|(c, text)| {
                    let w = ((c.width - 2.0 * pad) / body.size).max(1.0);
                    self.fonts.wrap(text, body.weight, w)
                })
                .collect();
            let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let full = n as f32 * lh + 2.0 * pad;
            if full + tail > self.space_left() && full + tail <= Pages::body_height() - head_h {
                self.new_page();
                draw_header(self);
            }
            let mut from = 0;
            while from < n {
                let mut fit = (((self.space_left() - 2.0 * pad) / lh).floor().max(0.0) as usize)
                    .min(n - from);
                if fit == 0 {
                    if self.at_page_top() {
                        fit = 1;
                    } else {
                        self.new_page();
                        draw_header(self);
                        continue;
                    }
                }
                let top = self.y;
                let mut x = MARGIN_X;
                for (c, lines) in cols.iter().zip(&cells) {
                    for (i, line) in lines.iter().skip(from).take(fit).enumerate() {
                        let lx = match c.align {
                            Align::Left => x + pad,
                            Align::Right => x + c.width - pad - line.width * body.size,
                        };
                        self.line_at(lx, top + pad + i as f32 * lh, body, line.clone());
                    }
                    x += c.width;
                }
                self.y += fit as f32 * lh + 2.0 * pad;
                let y = self.y;
                self.push(Op::Rule {
                    x1: MARGIN_X,
                    y1: y,
                    x2: MARGIN_X + CONTENT_W,
                    y2: y,
                    color: RULE,
                    width: 0.4,
                });
                from += fit;
            }
        }
    }
}
