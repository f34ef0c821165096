//! Users, devices and browser sessions. A disabled user keeps their rows (and their jobs keep
//! their assignee): sign-in, sessions and device tokens are refused while `disabled_at` is set,
//! and re-enabling ends their old browser sessions but lets their laptops sync again, so work
//! still waiting on a laptop is not lost.

use super::{Writer, from_ms, master, ms};
use crate::db::{Db, Row};
use crate::error::{Error, Result};
use crate::store::types::*;
use fieldwork_domain::ErrorCode;
use fieldwork_domain::domain::Technician;

fn user_row(r: &Row) -> Result<(User, String)> {
    let role: String = r.get(2)?;
    Ok((
        User {
            id: r.get(0)?,
            name: r.get(1)?,
            role: UserRole::parse(&role).unwrap_or(UserRole::Technician),
            technician_id: r.get(3)?,
            created_at: from_ms(r.get(4)?),
            disabled_at: r.get::<Option<i64>>(6)?.map(from_ms),
            display_name: r.get(7)?,
        },
        r.get(5)?,
    ))
}

/// The users' columns `user_row` reads. The technician's name gets its own column name: on
/// PostgreSQL an unnamed sub-select is called `name` too, and `ORDER BY name` would be ambiguous.
const USER_COLUMNS: &str = "id, name, role, technician_id, created_at, password_hash, disabled_at,
    (SELECT t.name FROM technicians t WHERE t.id = users.technician_id) AS display_name";

pub(super) fn add_user(w: &mut Writer<'_>, new: NewUser) -> Result<User> {
    let name = new.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::invalid("a user name has 1 to 100 characters"));
    }
    let taken: bool = w.db.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE lower(name) = lower(?1))",
        &[&name],
        |r| r.get(0),
    )?;
    if taken {
        return Err(Error::AlreadyExists(format!("user {name:?}")));
    }
    let technician_id = match new.role {
        UserRole::Technician => {
            let tech = new.technician.unwrap_or_else(|| Technician {
                id: fieldwork_domain::ids::new_id(),
                name: name.clone(),
                phone: None,
                email: None,
                skills: Vec::new(),
                active: true,
            });
            master::put_technician(w, &tech)?;
            Some(tech.id)
        }
        UserRole::Dispatcher | UserRole::Admin => None,
    };
    let user = User {
        id: fieldwork_domain::ids::new_id(),
        name,
        role: new.role,
        technician_id,
        created_at: w.now,
        disabled_at: None,
        display_name: None,
    };
    w.db.execute(
        "INSERT INTO users (id, name, role, password_hash, technician_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[
            &user.id,
            &user.name,
            &user.role.as_str(),
            &new.password_hash,
            &user.technician_id,
            &ms(user.created_at),
        ],
    )?;
    user_by_id(w.db, &user.id)
}

pub(super) fn user_by_name(db: &dyn Db, name: &str) -> Result<Option<UserWithPassword>> {
    Ok(db
        .query_opt(
            &format!("SELECT {USER_COLUMNS} FROM users WHERE lower(name) = lower(?1)"),
            &[&name.trim()],
            user_row,
        )?
        .map(|(user, password_hash)| UserWithPassword { user, password_hash }))
}

pub(super) fn list_users(db: &dyn Db) -> Result<Vec<User>> {
    db.query_map(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY name"), &[], |r| {
        Ok(user_row(r)?.0)
    })
}

const DEVICE_SELECT: &str = "SELECT d.id, d.name, d.user_id, u.name, d.created_at,
    d.last_seen_at, d.revoked_at, d.last_applied_seq FROM devices d JOIN users u ON u.id = d.user_id";

fn device_row(r: &Row) -> Result<Device> {
    Ok(Device {
        id: r.get(0)?,
        name: r.get(1)?,
        user_id: r.get(2)?,
        user_name: r.get(3)?,
        created_at: from_ms(r.get(4)?),
        last_seen_at: r.get::<Option<i64>>(5)?.map(from_ms),
        revoked_at: r.get::<Option<i64>>(6)?.map(from_ms),
        last_applied_seq: r.get(7)?,
    })
}

pub(super) fn add_device(
    db: &dyn Db,
    user_id: &str,
    name: &str,
    token_hash: &str,
) -> Result<Device> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::invalid("a device name has 1 to 100 characters"));
    }
    let id = fieldwork_domain::ids::new_id();
    db.execute(
        "INSERT INTO devices (id, user_id, name, token_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        &[&id, &user_id, &name, &token_hash, &ms(chrono::Utc::now())],
    )?;
    db.query_row(&format!("{DEVICE_SELECT} WHERE d.id = ?1"), &[&id], device_row)
}

pub(super) fn device_by_token(db: &dyn Db, token_hash: &str) -> Result<Option<DeviceCaller>> {
    db.query_opt(
        "SELECT d.id, u.id, u.name, u.technician_id, t.name, d.revoked_at IS NOT NULL,
                    u.disabled_at IS NOT NULL
             FROM devices d JOIN users u ON u.id = d.user_id
             JOIN technicians t ON t.id = u.technician_id
             WHERE d.token_hash = ?1 AND u.role = 'technician'",
        &[&token_hash],
        |r| {
            Ok(DeviceCaller {
                device_id: r.get(0)?,
                user_id: r.get(1)?,
                user_name: r.get(2)?,
                technician_id: r.get(3)?,
                technician_name: r.get(4)?,
                revoked: r.get(5)?,
                user_disabled: r.get(6)?,
            })
        },
    )
}

pub(super) fn list_devices(db: &dyn Db) -> Result<Vec<Device>> {
    db.query_map(&format!("{DEVICE_SELECT} ORDER BY d.created_at"), &[], device_row)
}

pub(super) fn revoke_device(db: &dyn Db, id_or_name: &str) -> Result<Device> {
    let ids: Vec<String> =
        db.query_map("SELECT id FROM devices WHERE id = ?1 OR name = ?1", &[&id_or_name], |r| {
            r.get(0)
        })?;
    let id = match ids.as_slice() {
        [one] => one.clone(),
        [] => return Err(Error::NotFound),
        _ => {
            return Err(Error::invalid(format!(
                "{} devices are named {id_or_name:?}; revoke by id",
                ids.len()
            )));
        }
    };
    db.execute(
        "UPDATE devices SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1",
        &[&id, &ms(chrono::Utc::now())],
    )?;
    db.query_row(&format!("{DEVICE_SELECT} WHERE d.id = ?1"), &[&id], device_row)
}

pub(super) fn add_session(db: &dyn Db, s: &NewSession) -> Result<()> {
    let now = chrono::Utc::now();
    db.execute("DELETE FROM sessions WHERE expires_at < ?1", &[&ms(now)])?;
    db.execute(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        &[&s.token_hash, &s.user_id, &s.csrf_token, &ms(now), &ms(s.expires_at)],
    )?;
    Ok(())
}

pub(super) fn session(db: &dyn Db, token_hash: &str) -> Result<Option<SessionCaller>> {
    let row = db.query_opt(
        "SELECT u.id, u.name, u.role, s.csrf_token, s.expires_at, u.disabled_at IS NOT NULL
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?1",
        &[&token_hash],
        |r| {
            Ok((
                r.get::<String>(0)?,
                r.get::<String>(1)?,
                r.get::<String>(2)?,
                r.get::<String>(3)?,
                r.get::<i64>(4)?,
                r.get::<bool>(5)?,
            ))
        },
    )?;
    row.map(|(user_id, user_name, role, csrf_token, expires, user_disabled)| {
        Ok(SessionCaller {
            user_id,
            user_name,
            role: UserRole::parse(&role)?,
            csrf_token,
            expires_at: from_ms(expires),
            user_disabled,
        })
    })
    .transpose()
}

fn user_by_id(db: &dyn Db, id: &str) -> Result<User> {
    db.query_opt(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1"), &[&id], user_row)?
        .map(|(u, _)| u)
        .ok_or(Error::NotFound)
}

/// Disables (or re-enables) user `id` on behalf of admin `by_user_id`, who cannot disable
/// themself. Disabling twice keeps the first time. Re-enabling ends the user's browser sessions
/// (they sign in again); their laptops' tokens work again.
pub(super) fn set_user_disabled(
    w: &mut Writer<'_>,
    by_user_id: &str,
    id: &str,
    disabled: bool,
) -> Result<User> {
    let user = user_by_id(w.db, id)?;
    if disabled && user.id == by_user_id {
        return Err(Error::rule(
            ErrorCode::OwnAccount,
            "you cannot disable your own account; ask another admin",
        ));
    }
    if disabled {
        w.db.execute(
            "UPDATE users SET disabled_at = coalesce(disabled_at, ?2) WHERE id = ?1",
            &[&id, &ms(w.now)],
        )?;
    } else if user.disabled_at.is_some() {
        w.db.execute("UPDATE users SET disabled_at = NULL WHERE id = ?1", &[&id])?;
        w.db.execute("DELETE FROM sessions WHERE user_id = ?1", &[&id])?;
    }
    user_by_id(w.db, id)
}

/// Changes user `id`'s display name (technicians: the name on the board, the laptops and the
/// service report) and role, on behalf of admin `by_user_id`. Office roles (dispatcher, admin)
/// can be swapped; a technician's account stays a technician's (it owns a technician record,
/// jobs and laptops), and an office account does not become one. An admin cannot change their
/// own role, so head office always keeps an admin.
pub(super) fn update_user(
    w: &mut Writer<'_>,
    by_user_id: &str,
    id: &str,
    update: UserUpdate,
) -> Result<User> {
    let user = user_by_id(w.db, id)?;
    if let Some(role) = update.role
        && role != user.role
    {
        if user.id == by_user_id {
            return Err(Error::rule(
                ErrorCode::OwnAccount,
                "you cannot change your own role; ask another admin",
            ));
        }
        if role == UserRole::Technician || user.role == UserRole::Technician {
            return Err(Error::rule(
                ErrorCode::RoleChange,
                "a technician's account stays a technician's, and an office account does not \
                 become one; add a new user instead",
            ));
        }
        w.db.execute("UPDATE users SET role = ?2 WHERE id = ?1", &[&id, &role.as_str()])?;
    }
    if let Some(name) = update.display_name {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Error::invalid("a display name has 1 to 100 characters"));
        }
        let Some(technician_id) = &user.technician_id else {
            return Err(Error::invalid(
                "only technicians have a display name; an office user is shown by their user name",
            ));
        };
        let mut tech: Technician =
            w.db.body("SELECT body FROM technicians WHERE id = ?1", &[technician_id])?
                .ok_or(Error::NotFound)?;
        if tech.name != name {
            tech.name = name.to_owned();
            master::put_technician(w, &tech)?;
        }
    }
    user_by_id(w.db, id)
}

/// Sets user `id`'s password (already hashed) and ends their browser sessions, so whoever held
/// the old password is signed out. Their laptops' tokens stay valid: a laptop is revoked on its
/// own (Devices), so a technician who forgot their password keeps the work on their laptop.
pub(super) fn set_password(w: &mut Writer<'_>, id: &str, password_hash: &str) -> Result<User> {
    let user = user_by_id(w.db, id)?;
    w.db.execute("UPDATE users SET password_hash = ?2 WHERE id = ?1", &[&id, &password_hash])?;
    w.db.execute("DELETE FROM sessions WHERE user_id = ?1", &[&id])?;
    Ok(user)
}

/// Whether the user a technician record belongs to is disabled.
pub(super) fn technician_disabled(db: &dyn Db, technician_id: &str) -> Result<bool> {
    db.query_row(
        "SELECT EXISTS (SELECT 1 FROM users WHERE technician_id = ?1 AND disabled_at IS NOT NULL)",
        &[&technician_id],
        |r| r.get(0),
    )
}
