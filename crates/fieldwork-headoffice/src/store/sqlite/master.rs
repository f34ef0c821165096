//! Master data: customers, sites, equipment, technicians and the catalogues. Each table has one
//! write function that stores the record and appends its change-feed row.

use fieldwork_core::domain::{Customer, Equipment, JobType, Part, Site, Technician};
use rusqlite::{Transaction, params};

use super::{Writer, bodies, body};
use crate::error::{Error, Result};
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
    w.tx.prepare_cached(
        "INSERT INTO customers (id, name, phone, body) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone,
         body = excluded.body",
    )?
    .execute(params![c.id, c.name, c.phone, serde_json::to_string(c)?])?;
    w.feed("customer", &c.id, None, None)
}

pub(super) fn create_customer(w: &mut Writer<'_>, input: CustomerInput) -> Result<Customer> {
    let c = Customer {
        id: fieldwork_core::ids::new_id(),
        name: required("name", &input.name)?,
        phone: required("phone", &input.phone)?,
        alt_phone: optional("alt_phone", input.alt_phone)?,
        email: optional("email", input.email)?,
        created_at: w.now,
    };
    save_customer(w, &c)?;
    Ok(c)
}

pub(super) fn customer(tx: &Transaction<'_>, id: &str) -> Result<Customer> {
    body(tx, "SELECT body FROM customers WHERE id = ?1", [id])?.ok_or(Error::NotFound)
}

pub(super) fn update_customer(w: &mut Writer<'_>, id: &str, p: CustomerPatch) -> Result<Customer> {
    let mut c = customer(w.tx, id)?;
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

pub(super) fn list_customers(
    tx: &Transaction<'_>,
    q: Option<&str>,
    page: Page,
) -> Result<Vec<Customer>> {
    let pattern = format!("%{}%", q.unwrap_or("").trim().to_lowercase());
    bodies(
        tx,
        "SELECT body FROM customers WHERE lower(name) LIKE ?1 OR phone LIKE ?1
         ORDER BY name, id LIMIT ?2 OFFSET ?3",
        params![pattern, page.limit as i64, page.offset as i64],
    )
}

pub(super) fn save_site(w: &mut Writer<'_>, s: &Site) -> Result<()> {
    w.tx.prepare_cached(
        "INSERT INTO sites (id, customer_id, address, body) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET address = excluded.address, body = excluded.body",
    )?
    .execute(params![s.id, s.customer_id, s.address, serde_json::to_string(s)?])?;
    w.feed("site", &s.id, None, None)
}

pub(super) fn site(tx: &Transaction<'_>, id: &str) -> Result<Site> {
    body(tx, "SELECT body FROM sites WHERE id = ?1", [id])?.ok_or(Error::NotFound)
}

pub(super) fn create_site(w: &mut Writer<'_>, input: SiteInput) -> Result<Site> {
    customer(w.tx, &input.customer_id)?;
    let s = Site {
        id: fieldwork_core::ids::new_id(),
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
    let mut s = site(w.tx, id)?;
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
    w.tx.prepare_cached(
        "INSERT INTO equipment (id, site_id, serial, body) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (id) DO UPDATE SET serial = excluded.serial, body = excluded.body",
    )?
    .execute(params![e.id, e.site_id, e.serial, serde_json::to_string(e)?])?;
    w.feed("equipment", &e.id, None, None)
}

pub(super) fn equipment(tx: &Transaction<'_>, id: &str) -> Result<Equipment> {
    body(tx, "SELECT body FROM equipment WHERE id = ?1", [id])?.ok_or(Error::NotFound)
}

pub(super) fn create_equipment(w: &mut Writer<'_>, input: EquipmentInput) -> Result<Equipment> {
    site(w.tx, &input.site_id)?;
    let e = Equipment {
        id: fieldwork_core::ids::new_id(),
        site_id: input.site_id,
        category: input.category,
        brand: required("brand", &input.brand)?,
        model: required("model", &input.model)?,
        serial: required("serial", &input.serial)?,
        purchased_on: input.purchased_on,
        installed_on: input.installed_on,
        warranty_end: input.warranty_end.or_else(|| {
            fieldwork_core::sla::default_warranty_end(input.purchased_on, input.installed_on)
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
    let mut e = equipment(w.tx, id)?;
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
    w.tx.prepare_cached(
        "INSERT INTO technicians (id, name, body) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, body = excluded.body",
    )?
    .execute(params![t.id, t.name, serde_json::to_string(t)?])?;
    w.feed("technician", &t.id, None, None)
}

pub(super) fn put_job_type(w: &mut Writer<'_>, t: &JobType) -> Result<()> {
    w.tx.prepare_cached(
        "INSERT INTO job_types (id, code, body) VALUES (?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET code = excluded.code, body = excluded.body",
    )?
    .execute(params![t.id, t.code, serde_json::to_string(t)?])?;
    w.feed("job_type", &t.id, None, None)
}

pub(super) fn put_part(w: &mut Writer<'_>, p: &Part) -> Result<()> {
    w.tx.prepare_cached(
        "INSERT INTO parts (part_no, body) VALUES (?1, ?2)
         ON CONFLICT (part_no) DO UPDATE SET body = excluded.body",
    )?
    .execute(params![p.part_no, serde_json::to_string(p)?])?;
    w.feed("part", &p.part_no, None, None)
}
