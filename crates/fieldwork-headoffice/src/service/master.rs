//! Master data: customers, sites, equipment, technicians and the catalogues, and the SLA
//! policy. Each table has one write function that stores the record and appends its
//! change-feed row, so an admin's edit of a job type or part reaches every laptop at its next
//! pull like any other master data. What only head office keeps about a catalogue entry
//! (active, default duration) lives in columns beside the record, never in the record laptops
//! receive.

use std::collections::HashSet;

use fieldwork_domain::domain::Technician;
use fieldwork_domain::domain::records::PART_DESCRIPTION_MAX_CHARS;
use fieldwork_domain::domain::{ChecklistItemKind, Customer, Equipment, JobType, Part, Site};
use fieldwork_domain::sla::SlaPolicy;

use super::{Writer, from_ms, meta_get, meta_set, ms};
use crate::db::{Db, Row};
use crate::error::{Error, Result};
use crate::store::admin::*;
use crate::store::types::*;

/// Longest name, phone, address or similar line.
const LINE_MAX: usize = 500;

pub(crate) fn required(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(format!("{field} must not be empty")));
    }
    if v.chars().count() > LINE_MAX {
        return Err(Error::invalid(format!("{field} is longer than {LINE_MAX} characters")));
    }
    Ok(v.to_owned())
}

/// An optional line: blank clears it.
pub(crate) fn optional(field: &str, value: Option<String>) -> Result<Option<String>> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => required(field, v).map(Some),
    }
}

fn patch(field: &str, current: Option<String>, new: Option<String>) -> Result<Option<String>> {
    match new {
        None => Ok(current),
        Some(v) => optional(field, Some(v)),
    }
}

pub(super) fn save_customer(w: &mut Writer<'_>, c: &Customer) -> Result<()> {
    w.db.execute(
        "INSERT INTO customers (id, name, phone, body) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone,
         body = excluded.body",
        &[&c.id, &c.name, &c.phone, &serde_json::to_string(c)?],
    )?;
    w.feed("customer", &c.id, None, None)
}

pub(super) fn create_customer(w: &mut Writer<'_>, input: CustomerInput) -> Result<Customer> {
    let c = Customer {
        id: fieldwork_domain::ids::new_id(),
        name: required("name", &input.name)?,
        phone: required("phone", &input.phone)?,
        alt_phone: optional("alt_phone", input.alt_phone)?,
        email: optional("email", input.email)?,
        created_at: w.now,
    };
    save_customer(w, &c)?;
    Ok(c)
}

pub(super) fn customer(db: &dyn Db, id: &str) -> Result<Customer> {
    db.body("SELECT body FROM customers WHERE id = ?1", &[&id])?.ok_or(Error::NotFound)
}

pub(super) fn update_customer(w: &mut Writer<'_>, id: &str, p: CustomerPatch) -> Result<Customer> {
    let mut c = customer(w.db, id)?;
    if let Some(n) = p.name {
        c.name = required("name", &n)?;
    }
    if let Some(n) = p.phone {
        c.phone = required("phone", &n)?;
    }
    c.alt_phone = patch("alt_phone", c.alt_phone, p.alt_phone)?;
    c.email = patch("email", c.email, p.email)?;
    save_customer(w, &c)?;
    Ok(c)
}

pub(super) fn list_customers(db: &dyn Db, q: Option<&str>, page: Page) -> Result<Vec<Customer>> {
    let pattern = format!("%{}%", q.unwrap_or("").trim().to_lowercase());
    db.bodies(
        "SELECT body FROM customers WHERE lower(name) LIKE lower(?1) OR lower(phone) LIKE lower(?1)
         ORDER BY name, id LIMIT ?2 OFFSET ?3",
        &[&pattern, &(page.limit as i64), &(page.offset as i64)],
    )
}

pub(super) fn save_site(w: &mut Writer<'_>, s: &Site) -> Result<()> {
    w.db.execute(
        "INSERT INTO sites (id, customer_id, address, body) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET address = excluded.address, body = excluded.body",
        &[&s.id, &s.customer_id, &s.address, &serde_json::to_string(s)?],
    )?;
    w.feed("site", &s.id, None, None)
}

pub(super) fn site(db: &dyn Db, id: &str) -> Result<Site> {
    db.body("SELECT body FROM sites WHERE id = ?1", &[&id])?.ok_or(Error::NotFound)
}

pub(super) fn create_site(w: &mut Writer<'_>, input: SiteInput) -> Result<Site> {
    customer(w.db, &input.customer_id)?;
    let s = Site {
        id: fieldwork_domain::ids::new_id(),
        customer_id: input.customer_id,
        address: required("address", &input.address)?,
        city: required("city", &input.city)?,
        postal_code: optional("postal_code", input.postal_code)?,
        access_notes: optional("access_notes", input.access_notes)?,
        contact_name: optional("contact_name", input.contact_name)?,
        contact_phone: optional("contact_phone", input.contact_phone)?,
    };
    save_site(w, &s)?;
    Ok(s)
}

pub(super) fn update_site(w: &mut Writer<'_>, id: &str, p: SitePatch) -> Result<Site> {
    let mut s = site(w.db, id)?;
    if let Some(v) = p.address {
        s.address = required("address", &v)?;
    }
    if let Some(v) = p.city {
        s.city = required("city", &v)?;
    }
    s.postal_code = patch("postal_code", s.postal_code, p.postal_code)?;
    s.access_notes = patch("access_notes", s.access_notes, p.access_notes)?;
    s.contact_name = patch("contact_name", s.contact_name, p.contact_name)?;
    s.contact_phone = patch("contact_phone", s.contact_phone, p.contact_phone)?;
    save_site(w, &s)?;
    Ok(s)
}

pub(super) fn save_equipment(w: &mut Writer<'_>, e: &Equipment) -> Result<()> {
    w.db.execute(
        "INSERT INTO equipment (id, site_id, serial, body) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET serial = excluded.serial, body = excluded.body",
        &[&e.id, &e.site_id, &e.serial, &serde_json::to_string(e)?],
    )?;
    w.feed("equipment", &e.id, None, None)
}

pub(super) fn equipment(db: &dyn Db, id: &str) -> Result<Equipment> {
    db.body("SELECT body FROM equipment WHERE id = ?1", &[&id])?.ok_or(Error::NotFound)
}

pub(super) fn create_equipment(w: &mut Writer<'_>, input: EquipmentInput) -> Result<Equipment> {
    site(w.db, &input.site_id)?;
    let e = Equipment {
        id: fieldwork_domain::ids::new_id(),
        site_id: input.site_id,
        category: input.category,
        brand: required("brand", &input.brand)?,
        model: required("model", &input.model)?,
        serial: required("serial", &input.serial)?,
        purchased_on: input.purchased_on,
        installed_on: input.installed_on,
        warranty_end: input.warranty_end.or_else(|| {
            fieldwork_domain::sla::default_warranty_end(input.purchased_on, input.installed_on)
        }),
    };
    save_equipment(w, &e)?;
    Ok(e)
}

pub(super) fn update_equipment(
    w: &mut Writer<'_>,
    id: &str,
    p: EquipmentPatch,
) -> Result<Equipment> {
    let mut e = equipment(w.db, id)?;
    if let Some(v) = p.brand {
        e.brand = required("brand", &v)?;
    }
    if let Some(v) = p.model {
        e.model = required("model", &v)?;
    }
    if let Some(v) = p.serial {
        e.serial = required("serial", &v)?;
    }
    e.purchased_on = p.purchased_on.or(e.purchased_on);
    e.installed_on = p.installed_on.or(e.installed_on);
    e.warranty_end = p.warranty_end.or(e.warranty_end);
    save_equipment(w, &e)?;
    Ok(e)
}

pub(super) fn put_technician(w: &mut Writer<'_>, t: &Technician) -> Result<()> {
    w.db.execute(
        "INSERT INTO technicians (id, name, body) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, body = excluded.body",
        &[&t.id, &t.name, &serde_json::to_string(t)?],
    )?;
    w.feed("technician", &t.id, None, None)
}

pub(super) fn put_job_type(w: &mut Writer<'_>, t: &JobType) -> Result<()> {
    w.db.execute(
        "INSERT INTO job_types (id, code, body) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET code = excluded.code, body = excluded.body",
        &[&t.id, &t.code, &serde_json::to_string(t)?],
    )?;
    w.feed("job_type", &t.id, None, None)
}

pub(super) fn put_part(w: &mut Writer<'_>, p: &Part) -> Result<()> {
    w.db.execute(
        "INSERT INTO parts (part_no, body) VALUES (?1, ?2)
         ON CONFLICT (part_no) DO UPDATE SET body = excluded.body",
        &[&p.part_no, &serde_json::to_string(p)?],
    )?;
    w.feed("part", &p.part_no, None, None)
}

// --- admin: job types ---------------------------------------------------------------------

/// Longest job type or checklist label.
const LABEL_MAX: usize = 200;
/// Most checklist items on one job type.
const CHECKLIST_MAX: usize = 100;
/// Longest default appointment: a working week.
const DURATION_MAX_MINUTES: i64 = 5 * 24 * 60;

fn is_key(s: &str, min: usize, max: usize) -> bool {
    (min..=max).contains(&s.chars().count())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s.starts_with(|c: char| c.is_ascii_lowercase())
}

fn label(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(format!("{field} must not be empty")));
    }
    if v.chars().count() > LABEL_MAX {
        return Err(Error::invalid(format!("{field} is longer than {LABEL_MAX} characters")));
    }
    Ok(v.to_owned())
}

/// Checks and tidies an admin's job type: names, photo kinds without repeats, and a checklist
/// whose items have unique keys, labels in both languages, options exactly for choices and a
/// unit only for numbers.
fn checked_job_type(id: String, code: String, input: JobTypeInput) -> Result<JobType> {
    let mut kinds = Vec::new();
    for k in input.required_photo_kinds {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    if input.checklist.len() > CHECKLIST_MAX {
        return Err(Error::invalid(format!("a checklist has at most {CHECKLIST_MAX} items")));
    }
    let mut keys = HashSet::new();
    let mut checklist = Vec::new();
    for (i, mut item) in input.checklist.into_iter().enumerate() {
        let n = i + 1;
        item.key = item.key.trim().to_owned();
        if !is_key(&item.key, 1, 40) {
            return Err(Error::invalid(format!(
                "checklist item {n}: the key {:?} must be 1 to 40 lower-case letters, digits or _, \
                 starting with a letter",
                item.key
            )));
        }
        if !keys.insert(item.key.clone()) {
            return Err(Error::invalid(format!(
                "checklist item {n}: the key {:?} is used twice",
                item.key
            )));
        }
        item.label = label(&format!("checklist item {n}: the English label"), &item.label)?;
        item.label_zh = label(&format!("checklist item {n}: the Chinese label"), &item.label_zh)?;
        item.options =
            item.options.iter().map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect();
        match item.kind {
            ChecklistItemKind::Choice => {
                if item.options.len() < 2 {
                    return Err(Error::invalid(format!(
                        "checklist item {n} ({}): a choice needs at least two options",
                        item.key
                    )));
                }
                let distinct: HashSet<String> =
                    item.options.iter().map(|o| o.to_lowercase()).collect();
                if distinct.len() != item.options.len() {
                    return Err(Error::invalid(format!(
                        "checklist item {n} ({}): an option is listed twice",
                        item.key
                    )));
                }
                if let Some(o) = item.options.iter().find(|o| o.chars().count() > LABEL_MAX) {
                    return Err(Error::invalid(format!(
                        "checklist item {n} ({}): the option {:?}… is too long",
                        item.key,
                        o.chars().take(20).collect::<String>()
                    )));
                }
            }
            _ => item.options.clear(),
        }
        item.unit = match item.kind {
            ChecklistItemKind::Number => optional("unit", item.unit)?,
            _ => None,
        };
        if item.unit.as_deref().is_some_and(|u| u.chars().count() > 20) {
            return Err(Error::invalid(format!(
                "checklist item {n} ({}): a unit has at most 20 characters",
                item.key
            )));
        }
        // The products it is asked for, each once, in one order ([] = every product).
        item.categories.sort();
        item.categories.dedup();
        checklist.push(item);
    }
    Ok(JobType {
        id,
        code,
        name: label("the English name", &input.name)?,
        name_zh: label("the Chinese name", &input.name_zh)?,
        required_photo_kinds: kinds,
        checklist,
    })
}

fn checked_duration(minutes: Option<i64>) -> Result<Option<i64>> {
    match minutes {
        Some(m) if !(15..=DURATION_MAX_MINUTES).contains(&m) => Err(Error::invalid(format!(
            "a default duration is between 15 minutes and {} hours",
            DURATION_MAX_MINUTES / 60
        ))),
        m => Ok(m),
    }
}

fn job_type_admin(r: &Row) -> Result<(String, bool, Option<i64>)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

fn to_job_type_admin((body, active, minutes): (String, bool, Option<i64>)) -> Result<JobTypeAdmin> {
    Ok(JobTypeAdmin {
        job_type: serde_json::from_str(&body)?,
        active,
        default_duration_minutes: minutes,
    })
}

pub(super) fn admin_job_types(db: &dyn Db) -> Result<Vec<JobTypeAdmin>> {
    let rows = db.query_map(
        "SELECT body, active, default_duration_minutes FROM job_types ORDER BY active DESC, code",
        &[],
        job_type_admin,
    )?;
    rows.into_iter().map(to_job_type_admin).collect()
}

pub(super) fn admin_job_type(db: &dyn Db, id: &str) -> Result<JobTypeAdmin> {
    let row = db
        .query_opt(
            "SELECT body, active, default_duration_minutes FROM job_types WHERE id = ?1",
            &[&id],
            job_type_admin,
        )?
        .ok_or(Error::NotFound)?;
    to_job_type_admin(row)
}

/// Creates a job type; its code must be new.
pub(super) fn create_job_type(w: &mut Writer<'_>, input: JobTypeInput) -> Result<JobTypeAdmin> {
    let code = input.code.as_deref().map(str::trim).unwrap_or_default().to_owned();
    if !is_key(&code, 2, 40) {
        return Err(Error::invalid(format!(
            "the code {code:?} must be 2 to 40 lower-case letters, digits or _, starting with a \
             letter"
        )));
    }
    let taken: bool =
        w.db.query_row("SELECT EXISTS (SELECT 1 FROM job_types WHERE code = ?1)", &[&code], |r| {
            r.get(0)
        })?;
    if taken {
        return Err(Error::AlreadyExists(format!("job type {code:?}")));
    }
    let minutes = checked_duration(input.default_duration_minutes)?;
    let jt = checked_job_type(fieldwork_domain::ids::new_id(), code, input)?;
    put_job_type(w, &jt)?;
    w.db.execute(
        "UPDATE job_types SET default_duration_minutes = ?2 WHERE id = ?1",
        &[&jt.id, &minutes],
    )?;
    admin_job_type(w.db, &jt.id)
}

/// Replaces a job type's names, photo kinds and checklist (the code stays); the change reaches
/// laptops at their next pull.
pub(super) fn update_job_type(
    w: &mut Writer<'_>,
    id: &str,
    input: JobTypeInput,
) -> Result<JobTypeAdmin> {
    let current = admin_job_type(w.db, id)?;
    if let Some(code) = input.code.as_deref().map(str::trim)
        && code != current.job_type.code
    {
        return Err(Error::invalid(format!(
            "the code of a job type cannot change (it is {:?})",
            current.job_type.code
        )));
    }
    let minutes = checked_duration(input.default_duration_minutes)?;
    let jt = checked_job_type(current.job_type.id.clone(), current.job_type.code.clone(), input)?;
    if jt != current.job_type {
        put_job_type(w, &jt)?;
    }
    w.db.execute(
        "UPDATE job_types SET default_duration_minutes = ?2 WHERE id = ?1",
        &[&jt.id, &minutes],
    )?;
    admin_job_type(w.db, &jt.id)
}

/// Deactivates (or reactivates) a job type. It is never deleted: jobs and laptops refer to it.
pub(super) fn set_job_type_active(
    w: &mut Writer<'_>,
    id: &str,
    active: bool,
) -> Result<JobTypeAdmin> {
    admin_job_type(w.db, id)?;
    w.db.execute("UPDATE job_types SET active = ?2 WHERE id = ?1", &[&id, &active])?;
    admin_job_type(w.db, id)
}

/// Whether new jobs may use the job type with this id.
pub(crate) fn job_type_active(db: &dyn Db, id: &str) -> Result<bool> {
    Ok(db.value("SELECT active FROM job_types WHERE id = ?1", &[&id])?.unwrap_or(false))
}

// --- admin: parts catalogue ---------------------------------------------------------------

/// Highest unit price: ten million in the currency's main unit.
const PRICE_MAX_CENTS: i64 = 1_000_000_000;

fn price(cents: i64) -> Result<i64> {
    if !(0..=PRICE_MAX_CENTS).contains(&cents) {
        return Err(Error::invalid(format!(
            "a unit price is between 0 and {PRICE_MAX_CENTS} (in cents)"
        )));
    }
    Ok(cents)
}

fn description(field: &str, value: &str) -> Result<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(format!("{field} must not be empty")));
    }
    if v.chars().count() > PART_DESCRIPTION_MAX_CHARS {
        return Err(Error::invalid(format!(
            "{field} is longer than {PART_DESCRIPTION_MAX_CHARS} characters"
        )));
    }
    Ok(v.to_owned())
}

fn part_admin(r: &Row) -> Result<(String, bool)> {
    Ok((r.get(0)?, r.get(1)?))
}

pub(super) fn admin_part(db: &dyn Db, part_no: &str) -> Result<PartAdmin> {
    let (body, active) = db
        .query_opt("SELECT body, active FROM parts WHERE part_no = ?1", &[&part_no], part_admin)?
        .ok_or(Error::NotFound)?;
    Ok(PartAdmin { part: serde_json::from_str(&body)?, active })
}

pub(super) fn admin_parts(db: &dyn Db, q: &PartQuery) -> Result<Vec<PartAdmin>> {
    let page = Page::new(q.limit, q.offset);
    let text = q.q.as_deref().unwrap_or("").trim().to_lowercase();
    // LIKE's wildcards in what was typed match themselves.
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let rows = db.query_map(
        "SELECT body, active FROM parts
         WHERE (CAST(?1 AS TEXT) = '' OR lower(part_no) LIKE lower(?2) ESCAPE '\\'
                OR lower(json_extract(body, '$.description')) LIKE lower(?2) ESCAPE '\\'
                OR lower(json_extract(body, '$.description_zh')) LIKE lower(?2) ESCAPE '\\')
           AND (CAST(?3 AS BOOLEAN) OR active)
         ORDER BY part_no LIMIT ?4 OFFSET ?5",
        &[
            &text,
            &pattern,
            &q.include_inactive.unwrap_or(true),
            &(page.limit as i64),
            &(page.offset as i64),
        ],
        part_admin,
    )?;
    rows.into_iter()
        .map(|(body, active)| Ok(PartAdmin { part: serde_json::from_str(&body)?, active }))
        .collect()
}

/// Adds a part to the catalogue; its number must be new (whatever its case).
pub(super) fn add_part(w: &mut Writer<'_>, input: PartInput) -> Result<PartAdmin> {
    let part_no = input.part_no.trim().to_uppercase();
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let max = fieldwork_domain::domain::records::PART_NO_MAX_CHARS;
    if part_no.is_empty() || part_no.chars().count() > max || !part_no.chars().all(ok_char) {
        return Err(Error::invalid(format!(
            "the part number {:?} must be 1 to {max} letters, digits, -, _ or .",
            input.part_no.chars().take(70).collect::<String>()
        )));
    }
    let taken: bool = w.db.query_row(
        "SELECT EXISTS (SELECT 1 FROM parts WHERE upper(part_no) = ?1)",
        &[&part_no],
        |r| r.get(0),
    )?;
    if taken {
        return Err(Error::AlreadyExists(format!("part {part_no}")));
    }
    let part = Part {
        part_no,
        description: description("the English description", &input.description)?,
        description_zh: description("the Chinese description", &input.description_zh)?,
        unit_price_cents: price(input.unit_price_cents)?,
    };
    put_part(w, &part)?;
    admin_part(w.db, &part.part_no)
}

/// Changes a part's descriptions or price; the change reaches laptops at their next pull. Lines
/// already recorded on jobs keep the price they were recorded with.
pub(super) fn update_part(w: &mut Writer<'_>, part_no: &str, p: PartPatch) -> Result<PartAdmin> {
    let current = admin_part(w.db, part_no)?;
    let mut part = current.part.clone();
    if let Some(d) = p.description {
        part.description = description("the English description", &d)?;
    }
    if let Some(d) = p.description_zh {
        part.description_zh = description("the Chinese description", &d)?;
    }
    if let Some(c) = p.unit_price_cents {
        part.unit_price_cents = price(c)?;
    }
    if part != current.part {
        put_part(w, &part)?;
    }
    admin_part(w.db, &part.part_no)
}

/// Deactivates (or reactivates) a part. It stays in the catalogue: recorded lines refer to it.
pub(super) fn set_part_active(
    w: &mut Writer<'_>,
    part_no: &str,
    active: bool,
) -> Result<PartAdmin> {
    admin_part(w.db, part_no)?;
    w.db.execute("UPDATE parts SET active = ?2 WHERE part_no = ?1", &[&part_no, &active])?;
    admin_part(w.db, part_no)
}

// --- admin: SLA policy --------------------------------------------------------------------

const SLA_KEY: &str = "sla_policy";

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredSla {
    policy: SlaPolicy,
    updated_at_ms: i64,
    updated_by: String,
}

/// The policy in force, with who set it; the handbook's defaults until an admin changes it.
pub(crate) fn sla_settings(db: &dyn Db) -> Result<SlaSettings> {
    Ok(match meta_get(db, SLA_KEY)? {
        Some(text) => {
            let s: StoredSla = serde_json::from_str(&text)?;
            SlaSettings {
                policy: s.policy,
                updated_at: Some(from_ms(s.updated_at_ms)),
                updated_by: Some(s.updated_by),
            }
        }
        None => SlaSettings { policy: SlaPolicy::default(), updated_at: None, updated_by: None },
    })
}

/// The policy new deadlines are computed with.
pub(crate) fn sla_policy(db: &dyn Db) -> Result<SlaPolicy> {
    Ok(sla_settings(db)?.policy)
}

/// Puts a new policy in force (checked by the core's rules). Jobs keep the deadlines they have.
pub(super) fn set_sla_policy(
    w: &mut Writer<'_>,
    by: &Dispatcher,
    policy: SlaPolicy,
) -> Result<SlaSettings> {
    policy.validate().map_err(Error::from_rule)?;
    let stored = StoredSla { policy, updated_at_ms: ms(w.now), updated_by: by.name.clone() };
    meta_set(w.db, SLA_KEY, &serde_json::to_string(&stored)?)?;
    sla_settings(w.db)
}
