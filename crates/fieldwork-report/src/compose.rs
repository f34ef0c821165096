//! The report's content, section by section, laid out onto [`Pages`]. Order follows how a
//! customer reads a service visit: who and what, the problem and what was done, the evidence
//! (checklist, parts, time, photos), and the sign-off.

use chrono::{DateTime, FixedOffset, Utc};
use fieldwork_domain::money::format_cents;

use crate::fonts::Weight;
use crate::input::{ReportInput, SignatureBlock};
use crate::labels::{self, Labels};
use crate::layout::{
    ACCENT, Align, CONTENT_W, Col, INK, MARGIN_X, MUTED, Op, Pages, RULE, Rgb, Style, WARN,
    WARN_SHADE,
};

const BODY: Style = Style::new(9.5, Weight::Regular, INK);
const LABEL: Style = Style::new(7.5, Weight::Regular, MUTED);
const CELL: Style = Style::new(8.5, Weight::Regular, INK);
const CELL_BOLD: Style = Style::new(8.5, Weight::Bold, INK);

/// Longest free text printed per field. The core's limits are far below this; it only bounds
/// the work a hostile caller can cause.
const MAX_FIELD_CHARS: usize = 20_000;

pub(crate) struct Context<'a> {
    pub input: &'a ReportInput,
    pub l: &'static Labels,
    pub tz: FixedOffset,
    /// Width/height of each photo, or `None` when it could not be read.
    pub photo_sizes: &'a [Option<(u32, u32)>],
    /// Width/height of the signature image, when there is a readable one.
    pub signature_size: Option<(u32, u32)>,
}

fn bounded(text: &str) -> String {
    match text.char_indices().nth(MAX_FIELD_CHARS) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

pub(crate) fn when(t: DateTime<Utc>, tz: FixedOffset) -> String {
    t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

fn span(start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>, tz: FixedOffset) -> String {
    match (start, end) {
        (Some(s), Some(e)) => {
            let (ls, le) = (s.with_timezone(&tz), e.with_timezone(&tz));
            if ls.date_naive() == le.date_naive() {
                format!("{} – {}", ls.format("%Y-%m-%d %H:%M"), le.format("%H:%M"))
            } else {
                format!("{} – {}", ls.format("%Y-%m-%d %H:%M"), le.format("%Y-%m-%d %H:%M"))
            }
        }
        (Some(s), None) => when(s, tz),
        (None, Some(e)) => when(e, tz),
        (None, None) => String::from("—"),
    }
}

fn quantity(q: f64) -> String {
    if !q.is_finite() {
        return String::from("—");
    }
    let s = format!("{q:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn money(cents: i64, currency: &str) -> String {
    let c = currency.trim();
    if c.is_empty() { format_cents(cents) } else { format!("{} {c}", format_cents(cents)) }
}

fn hours(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.unsigned_abs();
    format!("{sign}{}:{:02}", m / 60, m % 60)
}

fn offset_label(tz: FixedOffset) -> String {
    let secs = tz.local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", m / 60, m % 60)
}

/// A label over a value, in a cell `width` wide at `x`; returns the height used.
fn field(p: &mut Pages, x: f32, top: f32, width: f32, label: &str, value: &str) -> f32 {
    let l = p.fonts.line_fitted(label, LABEL.weight, width / LABEL.size);
    p.line_at(x, top, LABEL, l);
    let mut y = top + LABEL.line_height();
    let value = if value.trim().is_empty() { "—" } else { value };
    let lines = p.fonts.wrap(&bounded(value), BODY.weight, width / BODY.size);
    // A field in a grid is short; very long values belong in a paragraph.
    let shown = lines.len().min(6);
    for (i, line) in lines.into_iter().take(shown).enumerate() {
        let line = if i + 1 == shown && shown == 6 {
            let t: String = line.runs.iter().map(|r| r.text.as_str()).collect();
            p.fonts.line_fitted(&format!("{t}…"), BODY.weight, width / BODY.size)
        } else {
            line
        };
        p.line_at(x, y, BODY, line);
        y += BODY.line_height();
    }
    y - top
}

/// Columns of the field grid: every row of fields lines up on them.
const GRID: usize = 4;

/// A row of label/value fields on the four-column grid, each spanning some columns, kept
/// together on one page.
fn field_row(p: &mut Pages, fields: &[(&str, String, usize)]) {
    let gap = 12.0;
    let col = (CONTENT_W - gap * (GRID as f32 - 1.0)) / GRID as f32;
    let width = |span: usize| {
        let span = span.clamp(1, GRID) as f32;
        col * span + gap * (span - 1.0)
    };
    // Measure first so the row moves to the next page whole.
    let height = fields
        .iter()
        .map(|(_, v, span)| {
            let lines = p.fonts.wrap(v, BODY.weight, width(*span) / BODY.size).len().clamp(1, 6);
            LABEL.line_height() + lines as f32 * BODY.line_height()
        })
        .fold(0.0, f32::max);
    p.keep(height);
    let top = p.y;
    let mut used: f32 = 0.0;
    let mut at = 0;
    for (label, value, span) in fields {
        if at >= GRID {
            break;
        }
        let x = MARGIN_X + at as f32 * (col + gap);
        let span = (*span).clamp(1, GRID - at);
        used = used.max(field(p, x, top, width(span), label, value));
        at += span;
    }
    p.y = top + used + 4.0;
}

fn header(p: &mut Pages, c: &Context<'_>) {
    let input = c.input;
    let title = Style::new(15.0, Weight::Bold, ACCENT);
    let company = Style::new(14.0, Weight::Bold, INK);
    let small = Style::new(8.0, Weight::Regular, MUTED);
    let top = p.y;
    // Right: the title and the job number; left: the company, in what room is left.
    let title_w = p.fonts.width(c.l.title, Weight::Bold) * title.size;
    let number = format!("{} {}", c.l.job_number, input.job_number);
    let number_style = Style::new(10.5, Weight::Bold, INK);
    let number_w = p.fonts.width(&number, Weight::Bold) * number_style.size;
    let right_w = title_w.max(number_w).min(CONTENT_W * 0.5);
    let left_w = CONTENT_W - right_w - 16.0;
    let name = if input.company.name.trim().is_empty() { "—" } else { &input.company.name };
    let line = p.fonts.line_fitted(name, company.weight, left_w / company.size);
    p.line_at(MARGIN_X, top, company, line);
    let mut left_y = top + company.line_height();
    for l in p
        .fonts
        .wrap(&bounded(&input.company.address_line), small.weight, left_w / small.size)
        .into_iter()
        .take(3)
    {
        p.line_at(MARGIN_X, left_y, small, l);
        left_y += small.line_height();
    }
    let right = MARGIN_X + CONTENT_W;
    let t = p.fonts.line_fitted(c.l.title, title.weight, right_w / title.size);
    p.line_at(right - t.width * title.size, top, title, t);
    let n = p.fonts.line_fitted(&number, number_style.weight, right_w / number_style.size);
    let ny = top + title.line_height();
    p.line_at(right - n.width * number_style.size, ny, number_style, n);
    let right_y = ny + number_style.line_height();
    p.y = left_y.max(right_y) + 4.0;
    let y = p.y;
    p.push(Op::Rule { x1: MARGIN_X, y1: y, x2: right, y2: y, color: ACCENT, width: 1.2 });
    p.y += 8.0;
}

fn summary(p: &mut Pages, c: &Context<'_>) {
    let (i, l, lang) = (c.input, c.l, c.input.lang);
    field_row(
        p,
        &[
            (l.job_type, i.job_type.clone(), 1),
            (l.priority, labels::priority(lang, i.priority).to_owned(), 1),
            (l.status, labels::status(lang, i.status).to_owned(), 1),
            (l.technician, i.technician.clone().unwrap_or_default(), 1),
        ],
    );
    field_row(
        p,
        &[
            (l.reported, when(i.reported_at, c.tz), 1),
            (l.appointment, span(i.appointment_start, i.appointment_end, c.tz), 1),
            (l.completed, i.completed_at.map(|t| when(t, c.tz)).unwrap_or_default(), 1),
        ],
    );
}

fn parties(p: &mut Pages, c: &Context<'_>) {
    let (i, l) = (c.input, c.l);
    p.heading(&format!("{} · {}", l.customer, l.site), 40.0);
    let site_contact = match (i.site.name.trim(), i.site.phone.trim()) {
        ("", "") => String::new(),
        (n, "") => n.to_owned(),
        ("", ph) => ph.to_owned(),
        (n, ph) => format!("{n}, {ph}"),
    };
    field_row(
        p,
        &[(l.customer, i.customer.name.clone(), 2), (l.phone, i.customer.phone.clone(), 2)],
    );
    // In the usual case the customer's address is the site's: print it once.
    let address = i.customer.address.trim();
    if !address.is_empty() && address != i.site.address.trim() {
        field_row(p, &[(l.address, address.to_owned(), 4)]);
    }
    field_row(p, &[(l.site, i.site.address.clone(), 2), (l.contact, site_contact, 2)]);
}

fn equipment(p: &mut Pages, c: &Context<'_>) {
    let (i, l) = (c.input, c.l);
    p.heading(l.equipment, 30.0);
    let warranty = labels::warranty(i.lang, i.warranty).to_owned();
    match &i.equipment {
        Some(e) => field_row(
            p,
            &[
                (l.brand, e.brand.clone(), 1),
                (l.model, e.model.clone(), 1),
                (l.serial, e.serial.clone(), 1),
                (l.warranty, warranty, 1),
            ],
        ),
        None => {
            field_row(p, &[(l.equipment, l.no_equipment.to_owned(), 3), (l.warranty, warranty, 1)])
        }
    }
}

fn prose(p: &mut Pages, heading: &str, text: Option<&str>, empty: &str) {
    p.heading(heading, BODY.line_height() * 2.0);
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => p.paragraph(MARGIN_X, CONTENT_W, &bounded(t), BODY),
        None => p.paragraph(MARGIN_X, CONTENT_W, empty, Style { color: MUTED, ..BODY }),
    }
}

fn checklist(p: &mut Pages, c: &Context<'_>) {
    let (i, l) = (c.input, c.l);
    if i.checklist.is_empty() {
        return;
    }
    p.heading(l.checklist, 40.0);
    let cols = [
        Col { width: CONTENT_W * 0.55, align: Align::Left },
        Col { width: CONTENT_W * 0.45, align: Align::Left },
    ];
    let rows: Vec<Vec<String>> =
        i.checklist.iter().map(|c| vec![bounded(&c.label), bounded(&c.value)]).collect();
    p.table(&cols, &[l.item, l.result], &rows, CELL, 0.0);
}

fn parts(p: &mut Pages, c: &Context<'_>) {
    let (i, l) = (c.input, c.l);
    // The heading stays with the table's header, first row and totals.
    p.heading(l.parts, 40.0 + totals_height(2));
    if i.parts.is_empty() {
        p.paragraph(MARGIN_X, CONTENT_W, l.none, Style { color: MUTED, ..BODY });
        return;
    }
    let w = CONTENT_W;
    let cols = [
        Col { width: w * 0.15, align: Align::Left },
        Col { width: w * 0.35, align: Align::Left },
        Col { width: w * 0.08, align: Align::Right },
        Col { width: w * 0.15, align: Align::Right },
        Col { width: w * 0.10, align: Align::Left },
        Col { width: w * 0.17, align: Align::Right },
    ];
    let cur = &i.currency;
    let rows: Vec<Vec<String>> = i
        .parts
        .iter()
        .map(|pl| {
            vec![
                bounded(&pl.part_no),
                bounded(&pl.description),
                quantity(pl.quantity),
                money(pl.unit_price_cents, cur),
                String::from(if pl.chargeable { l.yes } else { l.no }),
                money(pl.line_total_cents, cur),
            ]
        })
        .collect();
    let tail = totals_height(2);
    p.table(
        &cols,
        &[l.part_no, l.description, l.qty, l.unit_price, l.chargeable, l.line_total],
        &rows,
        CELL,
        tail,
    );
    let chargeable: i64 = i
        .parts
        .iter()
        .filter(|pl| pl.chargeable)
        .map(|pl| pl.line_total_cents)
        .fold(0, i64::saturating_add);
    let total: i64 = i.parts.iter().map(|pl| pl.line_total_cents).fold(0, i64::saturating_add);
    totals(
        p,
        &[
            (l.parts_total, money(total, cur), false),
            (l.chargeable_subtotal, money(chargeable, cur), true),
        ],
    );
}

/// Height of `n` total lines under a table.
fn totals_height(n: usize) -> f32 {
    (CELL.line_height() + 2.0) * n as f32 + 3.0
}

/// Right-aligned total lines under a table.
fn totals(p: &mut Pages, lines: &[(&str, String, bool)]) {
    let lh = CELL.line_height() + 2.0;
    p.keep(totals_height(lines.len()));
    p.y += 3.0;
    let right = MARGIN_X + CONTENT_W - 3.0;
    for (label, value, strong) in lines {
        let style = if *strong { CELL_BOLD } else { CELL };
        let top = p.y;
        let vw = p.fonts.width(value, style.weight) * style.size;
        p.line_right(right, top, style, value);
        p.line_right(right - vw.max(70.0) - 14.0, top, Style { color: MUTED, ..style }, label);
        p.y += lh;
    }
}

fn time(p: &mut Pages, c: &Context<'_>) {
    let (i, l) = (c.input, c.l);
    if i.time_entries.is_empty() {
        return;
    }
    p.heading(l.time, 40.0 + totals_height(3));
    let w = CONTENT_W;
    let cols = [
        Col { width: w * 0.22, align: Align::Left },
        Col { width: w * 0.30, align: Align::Left },
        Col { width: w * 0.30, align: Align::Left },
        Col { width: w * 0.18, align: Align::Right },
    ];
    let rows: Vec<Vec<String>> = i
        .time_entries
        .iter()
        .map(|t| {
            vec![
                labels::time_kind(i.lang, t.kind).to_owned(),
                when(t.started_at, c.tz),
                when(t.ended_at, c.tz),
                t.minutes.to_string(),
            ]
        })
        .collect();
    let kinds = fieldwork_domain::domain::TimeEntryKind::ALL
        .iter()
        .filter(|k| i.time_entries.iter().any(|t| t.kind == **k && t.minutes != 0))
        .count();
    p.table(&cols, &[l.kind, l.start, l.end, l.minutes], &rows, CELL, totals_height(kinds + 1));
    let total = i.time_entries.iter().map(|t| t.minutes).fold(0, i64::saturating_add);
    let mut lines = Vec::new();
    for kind in fieldwork_domain::domain::TimeEntryKind::ALL {
        let m: i64 = i
            .time_entries
            .iter()
            .filter(|t| t.kind == *kind)
            .map(|t| t.minutes)
            .fold(0, i64::saturating_add);
        if m != 0 {
            lines.push((labels::time_kind(i.lang, *kind), format!("{} h", hours(m)), false));
        }
    }
    lines.push((l.total_time, format!("{} h ({total} {})", hours(total), l.minutes), true));
    totals(p, &lines);
}

fn photos(p: &mut Pages, c: &Context<'_>) {
    let (i, l) = (c.input, c.l);
    if i.photos.is_empty() {
        return;
    }
    let gap = 14.0;
    let cell_w = (CONTENT_W - gap) / 2.0;
    let box_h = cell_w * 0.75;
    let cap = Style::new(8.0, Weight::Regular, INK);
    let first_row = box_h + 4.0 + cap.line_height() * 2.0;
    p.heading(l.photos, first_row);
    for (row, pair) in i.photos.chunks(2).enumerate() {
        let captions: Vec<Vec<crate::fonts::Line>> = pair
            .iter()
            .map(|ph| {
                let kind = labels::photo_kind(i.lang, ph.kind);
                let text = match ph.caption.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    Some(cap) => format!("{kind} · {}", bounded(cap)),
                    None => kind.to_owned(),
                };
                let mut lines = p.fonts.wrap(&text, cap.weight, cell_w / cap.size);
                if lines.len() > 3 {
                    lines.truncate(3);
                    if let Some(last) = lines.last_mut() {
                        let t: String = last.runs.iter().map(|r| r.text.as_str()).collect();
                        *last =
                            p.fonts.line_fitted(&format!("{t}…"), cap.weight, cell_w / cap.size);
                    }
                }
                lines
            })
            .collect();
        let cap_lines = captions.iter().map(Vec::len).max().unwrap_or(1);
        let row_h = box_h + 4.0 + cap_lines as f32 * cap.line_height();
        p.keep(row_h);
        let top = p.y;
        for (k, lines) in captions.into_iter().enumerate() {
            let index = row * 2 + k;
            let x = MARGIN_X + k as f32 * (cell_w + gap);
            match c.photo_sizes.get(index).copied().flatten() {
                Some((w, h)) => {
                    let (dw, dh) = fit(w, h, cell_w, box_h);
                    let (dx, dy) = (x + (cell_w - dw) / 2.0, top + (box_h - dh) / 2.0);
                    p.push(Op::FillRect {
                        x,
                        y: top,
                        w: cell_w,
                        h: box_h,
                        color: crate::layout::SHADE,
                    });
                    p.push(Op::Photo { x: dx, y: dy, w: dw, h: dh, index });
                }
                None => {
                    p.push(Op::StrokeRect {
                        x,
                        y: top,
                        w: cell_w,
                        h: box_h,
                        color: RULE,
                        width: 0.8,
                    });
                    let msg =
                        p.fonts.line_fitted(l.photo_unreadable, Weight::Regular, cell_w / 8.5);
                    let mx = x + (cell_w - msg.width * 8.5) / 2.0;
                    p.line_at(
                        mx,
                        top + box_h / 2.0 - 6.0,
                        Style::new(8.5, Weight::Regular, MUTED),
                        msg,
                    );
                }
            }
            let mut y = top + box_h + 4.0;
            for line in lines {
                p.line_at(x, y, cap, line);
                y += cap.line_height();
            }
        }
        p.y = top + row_h + gap * 0.6;
    }
}

/// The largest `w`×`h` picture size that fits in `bw`×`bh`, keeping the aspect ratio.
fn fit(w: u32, h: u32, bw: f32, bh: f32) -> (f32, f32) {
    let (w, h) = (w.max(1) as f32, h.max(1) as f32);
    let s = (bw / w).min(bh / h);
    (w * s, h * s)
}

fn signature(p: &mut Pages, c: &Context<'_>) {
    let (i, l) = (c.input, c.l);
    let box_w = 210.0;
    let box_h = 84.0;
    p.heading(l.signature, box_h);
    match &i.signature {
        SignatureBlock::Signed(sig) => {
            p.keep(box_h + 6.0);
            let top = p.y;
            p.push(Op::StrokeRect {
                x: MARGIN_X,
                y: top,
                w: box_w,
                h: box_h,
                color: RULE,
                width: 0.8,
            });
            match c.signature_size {
                Some((w, h)) => {
                    let (dw, dh) = fit(w, h, box_w - 8.0, box_h - 8.0);
                    let (dx, dy) = (MARGIN_X + (box_w - dw) / 2.0, top + (box_h - dh) / 2.0);
                    p.push(Op::Signature { x: dx, y: dy, w: dw, h: dh });
                }
                None => {
                    let text = if sig.png.is_empty() {
                        l.signature_no_picture
                    } else {
                        l.signature_unreadable
                    };
                    let msg = p.fonts.line_fitted(text, Weight::Regular, (box_w - 8.0) / 8.0);
                    p.line_at(
                        MARGIN_X + 4.0,
                        top + box_h / 2.0 - 5.0,
                        Style::new(8.0, Weight::Regular, MUTED),
                        msg,
                    );
                }
            }
            // Beside the box: who signed, when, and what they signed.
            let x = MARGIN_X + box_w + 16.0;
            let w = CONTENT_W - box_w - 16.0;
            let mut y = top;
            y += field(p, x, y, w, l.signed_by, &sig.signer_name) + 3.0;
            y += field(p, x, y, w, l.signed_at, &when(sig.signed_at, c.tz)) + 3.0;
            p.y = y.max(top + box_h) + 6.0;
            if !sig.statement.trim().is_empty() {
                p.paragraph(
                    MARGIN_X,
                    CONTENT_W,
                    &format!("“{}”", bounded(sig.statement.trim())),
                    Style { color: MUTED, ..BODY },
                );
            }
            if sig.changed_after_signing {
                warning(p, l.changed_after_signing);
            }
        }
        SignatureBlock::Absent { reason } => {
            p.paragraph(MARGIN_X, CONTENT_W, l.not_signed, Style::new(10.0, Weight::Bold, INK));
            let reason = reason.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(bounded);
            p.paragraph(MARGIN_X, CONTENT_W, reason.as_deref().unwrap_or(l.no_reason), BODY);
        }
    }
}

fn warning(p: &mut Pages, text: &str) {
    let style = Style::new(9.0, Weight::Bold, WARN);
    let pad = 6.0;
    let lines = p.fonts.wrap(text, style.weight, (CONTENT_W - 2.0 * pad) / style.size);
    let h = lines.len() as f32 * style.line_height() + 2.0 * pad;
    p.y += 4.0;
    p.keep(h);
    let top = p.y;
    p.push(Op::FillRect { x: MARGIN_X, y: top, w: CONTENT_W, h, color: WARN_SHADE });
    p.push(Op::StrokeRect { x: MARGIN_X, y: top, w: CONTENT_W, h, color: WARN, width: 0.8 });
    let mut y = top + pad;
    for line in lines {
        p.line_at(MARGIN_X + pad, y, style, line);
        y += style.line_height();
    }
    p.y = top + h + 4.0;
}

fn rating(p: &mut Pages, c: &Context<'_>) {
    let (i, l) = (c.input, c.l);
    p.heading(l.rating, 30.0);
    match &i.rating {
        Some(r) => {
            // Stars are drawn, not typed: no embedded font has a reliable star glyph.
            let n = usize::from(r.stars.clamp(1, 5));
            let size = 13.0;
            p.keep(size + 6.0);
            let top = p.y;
            for k in 0..5 {
                let cx = MARGIN_X + size / 2.0 + k as f32 * (size + 3.0);
                let (fill, stroke) =
                    if k < n { (Some(GOLD), Some(GOLD)) } else { (None, Some(RULE)) };
                p.push(Op::Polygon {
                    points: star(cx, top + size / 2.0, size / 2.0),
                    fill,
                    stroke,
                });
            }
            let score = Style::new(10.0, Weight::Bold, INK);
            let line = p.fonts.line(&format!("{n}/5"), score.weight);
            p.line_at(
                MARGIN_X + 5.0 * (size + 3.0) + 6.0,
                top + (size - score.line_height()) / 2.0,
                score,
                line,
            );
            p.y = top + size + 6.0;
            if let Some(comment) = r.comment.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                p.paragraph(MARGIN_X, CONTENT_W, &bounded(comment), BODY);
            }
        }
        None => p.paragraph(MARGIN_X, CONTENT_W, l.no_rating, Style { color: MUTED, ..BODY }),
    }
}

const GOLD: Rgb = Rgb(0xd9, 0x9a, 0x06);

/// The ten corners of a five-pointed star of outer radius `r` centred on (`cx`, `cy`), point up.
fn star(cx: f32, cy: f32, r: f32) -> Vec<(f32, f32)> {
    (0..10)
        .map(|i| {
            let radius = if i % 2 == 0 { r } else { r * 0.42 };
            let angle = -std::f32::consts::FRAC_PI_2 + i as f32 * std::f32::consts::PI / 5.0;
            (cx + radius * angle.cos(), cy + radius * angle.sin())
        })
        .collect()
}

/// Lays the whole report out.
pub(crate) fn compose(p: &mut Pages, c: &Context<'_>) {
    header(p, c);
    summary(p, c);
    parties(p, c);
    equipment(p, c);
    let l = c.l;
    let i = c.input;
    prose(p, l.problem, Some(i.reported_problem.as_str()), l.not_recorded);
    prose(p, l.diagnosis, i.diagnosis.as_deref(), l.not_recorded);
    prose(p, l.resolution, i.resolution.as_deref(), l.not_recorded);
    checklist(p, c);
    parts(p, c);
    time(p, c);
    photos(p, c);
    signature(p, c);
    rating(p, c);
}

/// The footer line's left part: job number, title, when made and in which time zone.
pub(crate) fn footer_text(c: &Context<'_>) -> String {
    format!(
        "{} · {} · {} {} ({})",
        c.input.job_number,
        c.l.title,
        c.l.generated,
        when(c.input.generated_at, c.tz),
        offset_label(c.tz)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_print_without_needless_decimals() {
        assert_eq!(quantity(2.0), "2");
        assert_eq!(quantity(1.5), "1.5");
        assert_eq!(quantity(0.125), "0.125");
        assert_eq!(quantity(f64::NAN), "—");
    }

    #[test]
    fn minutes_print_as_hours_and_minutes() {
        assert_eq!(hours(95), "1:35");
        assert_eq!(hours(0), "0:00");
        assert_eq!(hours(-5), "-0:05");
    }

    #[test]
    fn offsets_print_as_utc_plus_minus() {
        assert_eq!(offset_label(FixedOffset::east_opt(8 * 3600).unwrap()), "UTC+08:00");
        assert_eq!(offset_label(FixedOffset::west_opt(5 * 3600 + 1800).unwrap()), "UTC-05:30");
    }
}
