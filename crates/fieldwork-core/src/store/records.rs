//! Writing records that already exist at head office: the demo seed, benchmarks and every pulled
//! sync page go through these functions, so a record is stored the same way whichever way it
//! arrives. None of them writes to the outbox.
//!
//! Master data and catalogues are upserts by id (head office sends full current state). Facts
//! (notes, parts, times, photos, signatures, status changes) are insert-only: the same id again
//! changes nothing, which makes a page applied twice harmless.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::sqltime::Ms;
use crate::domain::{
    ChecklistValue, Customer, Equipment, Feedback, JobType, Note, Part, PartUsed, PartWithdrawal,
    PhotoRef, SignatureRef, Site, StatusChange, Technician, TimeEntry,
};
use crate::error::Result;

pub(crate) fn technician(conn: &Connection, t: &Technician) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO technicians (id, name, phone, email, skills, active)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, phone = excluded.phone,
         email = excluded.email, skills = excluded.skills, active = excluded.active",
    )?
    .execute(params![
        t.id,
        t.name,
        t.phone,
        t.email,
        serde_json::to_string(&t.skills)?,
        t.active
    ])?;
    Ok(())
}

pub(crate) fn customer(conn: &Connection, c: &Customer) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO customers (id, name, phone, alt_phone, email, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, phone = excluded.phone,
         alt_phone = excluded.alt_phone, email = excluded.email",
    )?
    .execute(params![c.id, c.name, c.phone, c.alt_phone, c.email, Ms(c.created_at)])?;
    Ok(())
}

pub(crate) fn site(conn: &Connection, s: &Site) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sites (id, customer_id, address, city, postal_code, access_notes,
         contact_name, contact_phone) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(id) DO UPDATE SET customer_id = excluded.customer_id,
         address = excluded.address, city = excluded.city, postal_code = excluded.postal_code,
         access_notes = excluded.access_notes, contact_name = excluded.contact_name,
         contact_phone = excluded.contact_phone",
    )?
    .execute(params![
        s.id,
        s.customer_id,
        s.address,
        s.city,
        s.postal_code,
        s.access_notes,
        s.contact_name,
        s.contact_phone
    ])?;
    Ok(())
}

pub(crate) fn equipment(conn: &Connection, e: &Equipment) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO equipment (id, site_id, category, brand, model, serial, purchased_on,
         installed_on, warranty_end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(id) DO UPDATE SET site_id = excluded.site_id, category = excluded.category,
         brand = excluded.brand, model = excluded.model, serial = excluded.serial,
         purchased_on = excluded.purchased_on, installed_on = excluded.installed_on,
         warranty_end = excluded.warranty_end",
    )?
    .execute(params![
        e.id,
        e.site_id,
        e.category.as_str(),
        e.brand,
        e.model,
        e.serial,
        e.purchased_on,
        e.installed_on,
        e.warranty_end
    ])?;
    Ok(())
}

/// A job type with its checklist template (the template is replaced as a whole).
pub(crate) fn job_type(conn: &Connection, jt: &JobType) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO job_types (id, code, name, name_zh, required_photo_kinds)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET code = excluded.code, name = excluded.name,
         name_zh = excluded.name_zh, required_photo_kinds = excluded.required_photo_kinds",
    )?
    .execute(params![
        jt.id,
        jt.code,
        jt.name,
        jt.name_zh,
        serde_json::to_string(&jt.required_photo_kinds)?
    ])?;
    conn.prepare_cached("DELETE FROM checklist_items WHERE job_type_id = ?1")?.execute([&jt.id])?;
    for (position, item) in jt.checklist.iter().enumerate() {
        conn.prepare_cached(
            "INSERT INTO checklist_items (job_type_id, key, position, label, label_zh, kind,
             required, unit, options, categories) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            jt.id,
            item.key,
            i64::try_from(position).unwrap_or(i64::MAX),
            item.label,
            item.label_zh,
            item.kind.as_str(),
            item.required,
            item.unit,
            serde_json::to_string(&item.options)?,
            serde_json::to_string(&item.categories)?
        ])?;
    }
    Ok(())
}

pub(crate) fn catalogue_part(conn: &Connection, p: &Part) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO parts_catalogue (part_no, description, description_zh, unit_price_cents)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(part_no) DO UPDATE SET description = excluded.description,
         description_zh = excluded.description_zh, unit_price_cents = excluded.unit_price_cents",
    )?
    .execute(params![p.part_no, p.description, p.description_zh, p.unit_price_cents])?;
    Ok(())
}

pub(crate) fn status_change(
    conn: &Connection,
    job_seq: i64,
    s: &StatusChange,
    hlc: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO status_changes (id, job_seq, from_status, to_status, reason, actor, at, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        s.id,
        job_seq,
        s.from_status.map(|s| s.as_str()),
        s.to_status.as_str(),
        s.reason,
        s.actor,
        Ms(s.at),
        hlc
    ])?;
    Ok(())
}

pub(crate) fn note(conn: &Connection, job_seq: i64, n: &Note, hlc: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO notes (id, job_seq, author, body, created_at, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
    )?
    .execute(params![n.id, job_seq, n.author, n.body, Ms(n.created_at), hlc])?;
    Ok(())
}

pub(crate) fn part_used(conn: &Connection, job_seq: i64, p: &PartUsed, hlc: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO parts_used (id, job_seq, part_no, description, quantity, unit_price_cents,
         chargeable, from_catalogue, created_at, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        p.id,
        job_seq,
        p.part_no,
        p.description,
        p.quantity,
        p.unit_price_cents,
        p.chargeable,
        p.from_catalogue,
        Ms(p.created_at),
        hlc
    ])?;
    Ok(())
}

pub(crate) fn time_entry(conn: &Connection, job_seq: i64, t: &TimeEntry, hlc: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO time_entries (id, job_seq, kind, started_at, ended_at, source, supersedes,
         created_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        t.id,
        job_seq,
        t.kind.as_str(),
        Ms(t.started_at),
        Ms(t.ended_at),
        t.source.as_str(),
        t.supersedes,
        Ms(t.created_at),
        hlc
    ])?;
    Ok(())
}

pub(crate) fn feedback(conn: &Connection, job_seq: i64, f: &Feedback, hlc: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO feedback (id, job_seq, rating, comment, created_at, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
    )?
    .execute(params![f.id, job_seq, f.rating, f.comment, Ms(f.created_at), hlc])?;
    Ok(())
}

pub(crate) fn photo(conn: &Connection, job_seq: i64, p: &PhotoRef, hlc: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO photos (id, job_seq, kind, caption, sha256, created_at, hlc, width, height,
         bytes, thumb_sha256, taken_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        p.id,
        job_seq,
        p.kind.as_str(),
        p.caption,
        p.sha256,
        Ms(p.created_at),
        hlc,
        p.width,
        p.height,
        p.bytes,
        p.thumb_sha256,
        p.taken_at,
    ])?;
    Ok(())
}

pub(crate) fn photo_deleted(
    conn: &Connection,
    job_seq: i64,
    photo_id: &str,
    actor: &str,
    at: DateTime<Utc>,
    hlc: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO photo_deletions (photo_id, job_seq, actor, deleted_at, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
    )?
    .execute(params![photo_id, job_seq, actor, Ms(at), hlc])?;
    Ok(())
}

/// A part line's withdrawal (a tombstone; see [`PartWithdrawal`]).
pub(crate) fn part_withdrawn(
    conn: &Connection,
    job_seq: i64,
    w: &PartWithdrawal,
    actor: &str,
    hlc: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO part_withdrawals (part_used_id, job_seq, reason, replaced_by, actor,
         withdrawn_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        w.part_used_id,
        job_seq,
        w.reason,
        w.replaced_by,
        actor,
        Ms(w.at),
        hlc
    ])?;
    Ok(())
}

/// A signature exactly as given, with the signed-facts hash it was given with.
pub(crate) fn signature(
    conn: &Connection,
    job_seq: i64,
    s: &SignatureRef,
    summary_sha256: &str,
    hlc: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO signatures (id, job_seq, signer_name, signed_at, summary_sha256, hlc,
         statement, png_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
    )?
    .execute(params![
        s.id,
        job_seq,
        s.signer_name,
        Ms(s.signed_at),
        summary_sha256,
        hlc,
        s.statement,
        s.png_sha256
    ])?;
    Ok(())
}

/// A checklist answer, replacing an earlier answer to the same item.
pub(crate) fn checklist_answer(
    conn: &Connection,
    job_seq: i64,
    item_key: &str,
    value: &ChecklistValue,
    at: DateTime<Utc>,
    hlc: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO checklist_answers (job_seq, item_key, value, answered_at, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(job_seq, item_key) DO UPDATE SET value = excluded.value,
         answered_at = excluded.answered_at, hlc = excluded.hlc",
    )?
    .execute(params![job_seq, item_key, serde_json::to_string(value)?, Ms(at), hlc])?;
    Ok(())
}
