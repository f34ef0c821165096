//! The device's side of sync, as far as the store is concerned: the link to head office (who
//! this device is there), the pull cursor, applying pulled pages, the media transfer queues, what
//! head office refused, and wiping a revoked device.
//!
//! The protocol itself (HTTP, paging, retries) lives in `fieldwork-sync`; this module knows only
//! records. A pulled page is applied with [`Store::remote_apply`]: one immediate transaction that
//! upserts the page's records and stores the new cursor, so a crash leaves either the whole page
//! and its cursor or neither.
//!
//! Local changes still waiting in the outbox win over pulled state until they are pushed: a
//! pulled job keeps its local status while a status change is pending, and its local diagnosis,
//! resolution, checklist answer or photo caption while a change to it is pending. Head office
//! decides once the change arrives, and the next pull brings its decision.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use super::sqltime::Ms;
use super::{Actor, ErrorInfo, Store, kb, meta_get, meta_set, queries, records, search};
use crate::domain::{
    ChecklistAnswer, Customer, Equipment, Feedback, JobType, Note, Part, PartUsed, PartWithdrawal,
    PhotoRef, SignatureRef, Site, StatusChange, Technician, TimeEntry, WorkOrder,
};
use crate::error::{CoreError, Result};
use crate::hlc::Hlc;
use crate::kb::{Article, PastFix};
use crate::kb_field::{ArticleUse, ProposalReview};
use crate::media::blobs;

const LINK_KEY: &str = "head_office";
const CURSOR_KEY: &str = "sync_cursor";
const LAST_SYNC_KEY: &str = "sync_last_at";
const LAST_ERROR_KEY: &str = "sync_last_error";
const REVOKED_KEY: &str = "sync_revoked";

/// Who this device is at head office. The token is a secret: it is never logged or shown, and
/// `Debug` leaves it out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadOfficeLink {
    /// Base address, e.g. `https://ho.example.com` (no trailing `/api/v1`).
    pub url: String,
    pub device_id: String,
    pub token: String,
    pub user_name: String,
    pub technician_id: String,
    pub technician_name: String,
    /// The technician allowed plain `http://` to a host other than loopback.
    #[serde(default)]
    pub allow_insecure_http: bool,
}

impl std::fmt::Debug for HeadOfficeLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeadOfficeLink")
            .field("url", &self.url)
            .field("device_id", &self.device_id)
            .field("token", &"<secret>")
            .field("user_name", &self.user_name)
            .field("technician_id", &self.technician_id)
            .finish_non_exhaustive()
    }
}

/// Where sync stands, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncState {
    /// Head office's change-feed version this device has applied up to.
    pub cursor: i64,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// Why the last round failed (`None` once one succeeded): a stable code and head office's or
    /// the network's own words.
    pub last_error: Option<ErrorInfo>,
    /// Set when head office revoked this device (its data was wiped): why, for the technician.
    pub revoked: Option<String>,
    pub pending_mutations: i64,
    /// Photos recorded here whose files head office does not hold yet (a photo, not its
    /// variants: its thumbnail travels with it).
    pub pending_photos: i64,
    /// Signatures recorded here whose pictures head office does not hold yet.
    pub pending_signatures: i64,
    /// Photos and signatures still to send: `pending_photos + pending_signatures`.
    pub pending_uploads: i64,
    pub pending_downloads: i64,
    pub rejected: i64,
    pub conflicts: i64,
}

/// Something head office refused or flagged, kept to show the technician.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncIssue {
    pub id: String,
    /// `rejection` or `conflict`.
    pub kind: String,
    pub job_id: Option<String>,
    /// The job's number, when the job is on this device.
    pub job_number: Option<String>,
    /// The record as head office sent it.
    pub record: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// Which way a media file must travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transfer {
    Up,
    Down,
}

impl Transfer {
    fn as_str(self) -> &'static str {
        match self {
            Transfer::Up => "up",
            Transfer::Down => "down",
        }
    }
}

impl Store {
    /// The head-office link, once a technician has signed this device in.
    pub fn head_office_link(&self) -> Result<Option<HeadOfficeLink>> {
        meta_get(self.conn(), LINK_KEY)?.map(|s| Ok(serde_json::from_str(&s)?)).transpose()
    }

    /// Binds this store to a head-office sign-in: the device id head office gave becomes the
    /// outbox's device id (also for changes made before signing in, which have not been sent)
    /// and the store acts as the signed-in technician. Refused when the store holds work of
    /// another technician that has not reached head office yet.
    pub fn link_head_office(&mut self, link: &HeadOfficeLink) -> Result<()> {
        let current = meta_get(self.conn(), "technician_id")?;
        if current.as_deref().is_some_and(|t| t != link.technician_id)
            && self.pending_mutation_count()? > 0
        {
            return Err(CoreError::invalid(
                "sign-in",
                "this laptop holds changes of another technician that have not been sent; \
                 sign in as that technician and sync first",
            ));
        }
        let json = serde_json::to_string(link)?;
        self.write(|tx| {
            meta_set(tx, "device_id", &link.device_id)?;
            tx.execute("UPDATE outbox SET device_id = ?1", [&link.device_id])?;
            tx.execute(
                "INSERT INTO technicians (id, name) VALUES (?1, ?2) ON CONFLICT(id) DO NOTHING",
                params![link.technician_id, link.technician_name],
            )?;
            meta_set(tx, "technician_id", &link.technician_id)?;
            meta_set(tx, LINK_KEY, &json)?;
            tx.execute("DELETE FROM meta WHERE key = ?1", [REVOKED_KEY])?;
            Ok(())
        })?;
        self.device_id = link.device_id.clone();
        self.actor = Actor::technician(&link.technician_id, &link.technician_name);
        Ok(())
    }

    /// Forgets the head-office token (signing out). Work and unsent changes stay.
    pub fn unlink_head_office(&mut self) -> Result<()> {
        self.conn().execute("DELETE FROM meta WHERE key = ?1", [LINK_KEY])?;
        Ok(())
    }

    /// Where sync stands.
    pub fn sync_state(&self) -> Result<SyncState> {
        let conn = self.conn();
        let count = |sql: &str| -> Result<i64> { Ok(conn.query_row(sql, [], |r| r.get(0))?) };
        // A photo or signature waits until head office holds all its files: not pushed yet, or
        // pushed with a file (the picture or its thumbnail) still queued. Counted once each.
        let pending_photos = count(
            "SELECT (SELECT count(*) FROM outbox WHERE kind = 'photo_added')
                  + (SELECT count(DISTINCT p.id) FROM photos p JOIN blob_transfers b
                     ON b.direction = 'up' AND b.sha256 IN (p.sha256, p.thumb_sha256))",
        )?;
        let pending_signatures = count(
            "SELECT (SELECT count(*) FROM outbox WHERE kind = 'signature_added')
                  + (SELECT count(DISTINCT s.id) FROM signatures s JOIN blob_transfers b
                     ON b.direction = 'up' AND b.sha256 = s.png_sha256)",
        )?;
        Ok(SyncState {
            cursor: meta_get(conn, CURSOR_KEY)?.and_then(|s| s.parse().ok()).unwrap_or(0),
            last_sync_at: meta_get(conn, LAST_SYNC_KEY)?
                .and_then(|s| s.parse::<i64>().ok())
                .and_then(DateTime::from_timestamp_millis),
            last_error: meta_get(conn, LAST_ERROR_KEY)?.map(|s| {
                // Written as JSON; an older store kept the message alone.
                serde_json::from_str(&s)
                    .unwrap_or(ErrorInfo { code: String::from("unknown"), message: s })
            }),
            revoked: meta_get(conn, REVOKED_KEY)?,
            pending_mutations: self.pending_mutation_count()?,
            pending_photos,
            pending_signatures,
            pending_uploads: pending_photos + pending_signatures,
            pending_downloads: count(
                "SELECT count(*) FROM blob_transfers WHERE direction = 'down'",
            )?,
            rejected: count("SELECT count(*) FROM sync_issues WHERE kind = 'rejection'")?,
            conflicts: count("SELECT count(*) FROM sync_issues WHERE kind = 'conflict'")?,
        })
    }

    /// Records the end of a sync round: `error` is `None` when it succeeded.
    pub fn record_sync_result(&self, at: DateTime<Utc>, error: Option<&ErrorInfo>) -> Result<()> {
        let conn = self.conn();
        match error {
            None => {
                meta_set(conn, LAST_SYNC_KEY, &at.timestamp_millis().to_string())?;
                conn.execute("DELETE FROM meta WHERE key = ?1", [LAST_ERROR_KEY])?;
            }
            Some(e) => meta_set(conn, LAST_ERROR_KEY, &serde_json::to_string(e)?)?,
        }
        Ok(())
    }

    /// Moves this device's clock past head office's (every sync answer carries it), so later
    /// local changes order after everything this device has seen, whatever its wall clock says.
    pub fn receive_hlc(&mut self, remote: &Hlc) -> Result<()> {
        let now = self.now().timestamp_millis();
        let device_id = self.device_id.clone();
        self.write(|tx| {
            let last = match meta_get(tx, "hlc")? {
                Some(s) => {
                    s.parse::<Hlc>().map_err(|e| CoreError::invalid("hlc", e.to_string()))?
                }
                None => Hlc::zero(&device_id),
            };
            let next = Hlc { node: device_id.clone(), ..last }.receive(remote, now);
            meta_set(tx, "hlc", &next.to_string())
        })
    }

    /// Rejections and conflicts head office reported, newest first.
    pub fn sync_issues(&self, limit: usize) -> Result<Vec<SyncIssue>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT i.id, i.kind, i.job_id, wo.number, i.record, i.created_at
             FROM sync_issues i LEFT JOIN work_orders wo ON wo.id = i.job_id
             ORDER BY i.created_at DESC, i.id LIMIT ?1",
        )?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
                super::sqltime::at(r, 5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, job_id, job_number, record, created_at) = row?;
            out.push(SyncIssue {
                id,
                kind,
                job_id,
                job_number,
                record: serde_json::from_str(&record)?,
                created_at,
            });
        }
        Ok(out)
    }

    /// Keeps a rejection or conflict reported in a push answer (the pull brings it again,
    /// under the same id, which changes nothing).
    pub fn record_sync_issue(
        &self,
        id: &str,
        kind: &str,
        job_id: Option<&str>,
        record: &serde_json::Value,
    ) -> Result<()> {
        insert_issue(self.conn(), id, kind, job_id, record, self.now())
    }

    /// Head office refused a fact this device recorded (a note, a part, a time entry,
    /// feedback): it is not on the job at head office, so it leaves the job here too and the
    /// device shows head office's job (pulls only upsert, so nothing else would remove it). The
    /// refusal stays listed with its reason (`sync_issues`) and head office keeps the full
    /// mutation. Returns whether a row was removed.
    pub fn withdraw_refused_fact(&mut self, mutation: &super::outbox::Mutation) -> Result<bool> {
        use super::outbox::Mutation;
        let (table, id) = match mutation {
            Mutation::NoteAdded { note } => ("notes", note.id.as_str()),
            Mutation::PartAdded { part } => ("parts_used", part.id.as_str()),
            Mutation::TimeEntryAdded { entry } => ("time_entries", entry.id.as_str()),
            Mutation::FeedbackGiven { feedback } => ("feedback", feedback.id.as_str()),
            // A refused withdrawal: the part line counts again, as it does at head office.
            Mutation::PartWithdrawn { withdrawal } => {
                let id = withdrawal.part_used_id.as_str();
                return self.write(|tx| {
                    let seq: Option<i64> = tx
                        .query_row(
                            "DELETE FROM part_withdrawals WHERE part_used_id = ?1 RETURNING job_seq",
                            [id],
                            |r| r.get(0),
                        )
                        .optional()?;
                    let Some(seq) = seq else { return Ok(false) };
                    search::reindex_job(tx, seq)?;
                    Ok(true)
                });
            }
            _ => return Ok(false),
        };
        self.write(|tx| {
            let seq: Option<i64> = tx
                .query_row(&format!("SELECT job_seq FROM {table} WHERE id = ?1"), [id], |r| {
                    r.get(0)
                })
                .optional()?;
            let Some(seq) = seq else { return Ok(false) };
            tx.execute(&format!("DELETE FROM {table} WHERE id = ?1"), [id])?;
            search::reindex_job(tx, seq)?;
            Ok(true)
        })
    }

    /// Starts applying a pulled page; nothing is kept unless [`RemoteApply::commit`] is called.
    /// `stamp` (head office's clock for the page) stamps the records it brings.
    pub fn remote_apply(&mut self, stamp: &Hlc) -> Result<RemoteApply<'_>> {
        let media_dir = self.media_dir().ok();
        let now = self.now();
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // A page lists records in head-office order, which may name a customer after the job
        // that refers to it; the references are checked when the page commits.
        tx.pragma_update(None, "defer_foreign_keys", "ON")?;
        Ok(RemoteApply { tx, media_dir, stamp: stamp.to_string(), now, skipped: 0 })
    }

    /// Drops jobs taken away from this device whose pending changes have been pushed since.
    pub fn apply_pending_removals(&mut self) -> Result<usize> {
        self.write(|tx| {
            let ids: Vec<String> = tx
                .prepare("SELECT job_id FROM pending_removals")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut removed = 0;
            for id in ids {
                if remove_job(tx, &id)? {
                    removed += 1;
                }
            }
            Ok(removed)
        })
    }

    /// Media files waiting to travel `direction`, oldest first.
    pub fn blob_transfers(&self, direction: Transfer, limit: usize) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT sha256 FROM blob_transfers WHERE direction = ?1 ORDER BY queued_at, sha256
             LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            params![direction.as_str(), i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| r.get(0),
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Head office holds these files now (or no longer wants them): stop sending them.
    pub fn blobs_uploaded(&self, hashes: &[String]) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare_cached("DELETE FROM blob_transfers WHERE sha256 = ?1 AND direction = 'up'")?;
        for h in hashes {
            stmt.execute([h])?;
        }
        Ok(())
    }

    /// The bytes of a local media file to upload, checked against their name.
    pub fn blob_bytes(&self, sha256: &str) -> Result<Vec<u8>> {
        blobs::read_blob(&self.media_dir()?, sha256)
    }

    /// Stores a downloaded media file after checking it hashes to its name; a file that does not
    /// is refused and stays queued.
    pub fn store_downloaded_blob(&self, sha256: &str, bytes: &[u8]) -> Result<()> {
        if crate::media::sha256_hex(bytes) != sha256 {
            return Err(CoreError::invalid(
                "media file",
                format!("the download of {sha256} does not match its hash"),
            ));
        }
        blobs::put_blob(&self.media_dir()?, sha256, bytes)?;
        self.forget_download(sha256)
    }

    /// Stops trying to fetch a file (head office does not have it, or it is here already).
    pub fn forget_download(&self, sha256: &str) -> Result<()> {
        self.conn().execute(
            "DELETE FROM blob_transfers WHERE sha256 = ?1 AND direction = 'down'",
            [sha256],
        )?;
        Ok(())
    }

    /// Erases every job, record, change and media file on this device: head office revoked it
    /// (a lost or stolen laptop). Keeps only why, to tell whoever opens the app next.
    pub fn wipe_local_data(&mut self, reason: &str) -> Result<()> {
        const TABLES: &[&str] = &[
            "sync_issues",
            "pending_removals",
            "blob_transfers",
            "outbox",
            "photo_deletions",
            "part_withdrawals",
            "photos",
            "signatures",
            "feedback",
            "parts_used",
            "time_entries",
            "notes",
            "checklist_answers",
            "status_changes",
            "job_search_trigram",
            "job_search_words",
            "kb_search_trigram",
            "kb_search_words",
            "kb_rank_terms",
            "kb_articles",
            "past_fixes",
            "kb_article_uses",
            "kb_proposals",
            "work_orders",
            "equipment",
            "sites",
            "customers",
            "checklist_items",
            "job_types",
            "parts_catalogue",
            "technicians",
        ];
        // Freed pages are overwritten with zeros, in the file and in the write-ahead log.
        self.conn().execute_batch("PRAGMA secure_delete = ON")?;
        self.write(|tx| {
            for table in TABLES {
                tx.execute_batch(&format!("DELETE FROM {table}"))?;
            }
            // Deleting rows of a contentless FTS5 table only marks them deleted: the words stay
            // in the index's segments. 'delete-all' empties the index itself.
            for index in [
                "job_search_trigram",
                "job_search_words",
                "kb_search_trigram",
                "kb_search_words",
                "kb_rank_terms",
            ] {
                tx.execute_batch(&format!("INSERT INTO {index}({index}) VALUES ('delete-all')"))?;
            }
            tx.execute("DELETE FROM meta WHERE key <> 'device_id'", [])?;
            meta_set(tx, REVOKED_KEY, reason)?;
            Ok(())
        })?;
        // Rewrite the file without the freed pages, and empty the journal that still holds them
        // (another connection reading at this moment holds the checkpoint back: try again).
        self.conn().execute_batch("VACUUM")?;
        for attempt in 0..50 {
            let busy: i64 =
                self.conn().query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
            if busy == 0 {
                break;
            }
            if attempt == 49 {
                tracing::warn!("the write-ahead log could not be emptied after the wipe");
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        if let Ok(media) = self.media_dir()
            && media.is_dir()
        {
            std::fs::remove_dir_all(&media)?;
            std::fs::create_dir_all(&media)?;
        }
        // Job reports saved in the data folder (the desktop's place when there is no Documents
        // folder) name customers too.
        if let Some(reports) = self.path().parent().map(|d| d.join("reports"))
            && reports.is_dir()
        {
            std::fs::remove_dir_all(&reports)?;
        }
        self.actor = Actor::dispatcher("local");
        Ok(())
    }
}

fn insert_issue(
    conn: &rusqlite::Connection,
    id: &str,
    kind: &str,
    job_id: Option<&str>,
    record: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    conn.prepare_cached(
        // Head office's copy (from a pull) replaces the one kept from the push answer, except
        // for the refused change itself (`change`), which only this device has in full.
        "INSERT INTO sync_issues (id, kind, job_id, record, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET record = CASE
             WHEN json_type(sync_issues.record, '$.change') IS NOT NULL
              AND json_type(excluded.record, '$.change') IS NULL
             THEN json_set(excluded.record, '$.change', json_extract(sync_issues.record, '$.change'))
             ELSE excluded.record END",
    )?
    .execute(params![id, kind, job_id, record.to_string(), Ms(now)])?;
    Ok(())
}

/// Removes a job and everything recorded on it, unless changes to it still wait in the outbox;
/// then it is queued in `pending_removals` and `false` returned.
fn remove_job(tx: &Transaction<'_>, job_id: &str) -> Result<bool> {
    let pending: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE job_id = ?1)")?
        .query_row([job_id], |r| r.get(0))?;
    if pending {
        tx.prepare_cached("INSERT OR IGNORE INTO pending_removals (job_id) VALUES (?1)")?
            .execute([job_id])?;
        return Ok(false);
    }
    tx.prepare_cached("DELETE FROM pending_removals WHERE job_id = ?1")?.execute([job_id])?;
    let seq: Option<i64> = tx
        .prepare_cached("SELECT seq FROM work_orders WHERE id = ?1")?
        .query_row([job_id], |r| r.get(0))
        .optional()?;
    let Some(seq) = seq else { return Ok(true) };
    for table in [
        "photo_deletions",
        "part_withdrawals",
        "photos",
        "signatures",
        "feedback",
        "parts_used",
        "time_entries",
        "notes",
        "checklist_answers",
        "status_changes",
        "kb_article_uses",
    ] {
        tx.prepare_cached(&format!("DELETE FROM {table} WHERE job_seq = ?1"))?.execute([seq])?;
    }
    tx.prepare_cached("DELETE FROM job_search_trigram WHERE rowid = ?1")?.execute([seq])?;
    tx.prepare_cached("DELETE FROM job_search_words WHERE rowid = ?1")?.execute([seq])?;
    tx.prepare_cached("UPDATE work_orders SET return_of = NULL WHERE return_of = ?1")?
        .execute([job_id])?;
    tx.prepare_cached("DELETE FROM work_orders WHERE seq = ?1")?.execute([seq])?;
    Ok(true)
}

/// One pulled page being applied (see [`Store::remote_apply`]).
#[derive(Debug)]
pub struct RemoteApply<'a> {
    tx: Transaction<'a>,
    media_dir: Option<PathBuf>,
    stamp: String,
    now: DateTime<Utc>,
    /// Facts whose job is not on this device (out of scope already): not applied.
    skipped: usize,
}

impl RemoteApply<'_> {
    pub fn technician(&self, t: &Technician) -> Result<()> {
        records::technician(&self.tx, t)
    }

    pub fn customer(&self, c: &Customer) -> Result<()> {
        records::customer(&self.tx, c)
    }

    pub fn site(&self, s: &Site) -> Result<()> {
        records::site(&self.tx, s)
    }

    pub fn equipment(&self, e: &Equipment) -> Result<()> {
        records::equipment(&self.tx, e)
    }

    pub fn job_type(&self, jt: &JobType) -> Result<()> {
        records::job_type(&self.tx, jt)
    }

    pub fn catalogue_part(&self, p: &Part) -> Result<()> {
        records::catalogue_part(&self.tx, p)
    }

    /// Head office's state of a job. Status and shared fields with a local change still in the
    /// outbox keep their local value (see the module documentation).
    pub fn job(&self, o: &WorkOrder) -> Result<()> {
        // A return visit of a job this laptop does not hold (another technician's visit): the
        // job is kept, its link cannot be (the store's foreign key points at held jobs only).
        let linked;
        let o = match &o.return_of {
            Some(first) if !self.holds_job(first)? => {
                linked = WorkOrder { return_of: None, ..o.clone() };
                &linked
            }
            _ => o,
        };
        let exists: Option<i64> = self
            .tx
            .prepare_cached("SELECT seq FROM work_orders WHERE id = ?1")?
            .query_row([&o.id], |r| r.get(0))
            .optional()?;
        let seq = match exists {
            None => queries::insert_work_order(&self.tx, o)?,
            Some(seq) => {
                self.tx
                    .prepare_cached(
                        "UPDATE work_orders SET number = ?2, job_type_id = ?3, priority = ?4,
                         status = CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE job_id = ?1
                             AND kind = 'status_changed') THEN status ELSE ?5 END,
                         customer_id = ?6, site_id = ?7, equipment_id = ?8,
                         reported_problem = ?9, reported_at = ?10, appointment_start = ?11,
                         appointment_end = ?12, assignee_id = ?13, owner_dispatcher = ?14,
                         ack_due_at = ?15, due_at = ?16, complete_due_at = ?17,
                         warranty_status = ?18, chargeable = ?19,
                         diagnosis = CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE job_id = ?1
                             AND kind = 'field_set' AND json_extract(payload, '$.field') = 'diagnosis')
                             THEN diagnosis ELSE ?20 END,
                         resolution = CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE job_id = ?1
                             AND kind = 'field_set' AND json_extract(payload, '$.field') = 'resolution')
                             THEN resolution ELSE ?21 END,
                         signature_absence_reason = CASE WHEN EXISTS (SELECT 1 FROM outbox
                             WHERE job_id = ?1 AND kind = 'field_set'
                             AND json_extract(payload, '$.field') = 'signature_absence_reason')
                             THEN signature_absence_reason ELSE ?22 END,
                         return_of = ?23, created_at = ?24, updated_at = max(updated_at, ?25)
                         WHERE id = ?1",
                    )?
                    .execute(params![
                        o.id,
                        o.number,
                        o.job_type_id,
                        o.priority.as_str(),
                        o.status.as_str(),
                        o.customer_id,
                        o.site_id,
                        o.equipment_id,
                        o.reported_problem,
                        Ms(o.reported_at),
                        o.appointment_start.map(Ms),
                        o.appointment_end.map(Ms),
                        o.assignee_id,
                        o.owner_dispatcher,
                        Ms(o.ack_due_at),
                        Ms(o.due_at),
                        o.complete_due_at.map(Ms),
                        o.warranty_status.as_str(),
                        o.chargeable,
                        o.diagnosis,
                        o.resolution,
                        o.signature_absence_reason,
                        o.return_of,
                        Ms(o.created_at),
                        Ms(o.updated_at),
                    ])?;
                seq
            }
        };
        self.tx
            .prepare_cached("DELETE FROM pending_removals WHERE job_id = ?1")?
            .execute([&o.id])?;
        search::reindex_job(&self.tx, seq)
    }

    /// A published knowledge article, new or changed: kept unless this device holds a newer
    /// version of it, and reindexed; its pictures not here yet are queued for download.
    /// Returns whether it was written.
    pub fn kb_article(&self, a: &Article) -> Result<bool> {
        let written = kb::put_article(&self.tx, a)?;
        if written {
            for sha in &a.content.photos {
                self.want(sha)?;
            }
        }
        Ok(written)
    }

    /// A knowledge article withdrawn: dropped with its search rows, and the downloads of its
    /// pictures no other article here names are called off (the files themselves go with
    /// `fieldwork check --sweep`). Returns whether it was here.
    pub fn kb_article_removed(&self, article_id: &str) -> Result<bool> {
        let photos = super::kb_photos::article_photos(&self.tx, article_id)?;
        let removed = kb::remove_article(&self.tx, article_id)?;
        for sha in photos {
            if !super::kb_photos::photo_named(&self.tx, &sha)? {
                self.tx
                    .prepare_cached(
                        "DELETE FROM blob_transfers WHERE sha256 = ?1 AND direction = 'down'
                         AND NOT EXISTS (SELECT 1 FROM photos WHERE sha256 = ?1)",
                    )?
                    .execute([&sha])?;
            }
        }
        Ok(removed)
    }

    /// A past fix of the team, new or changed.
    pub fn past_fix(&self, fix: &PastFix) -> Result<()> {
        kb::put_past_fix(&self.tx, fix)
    }

    /// A knowledge article marked as used on one of this device's jobs (the latest mark wins).
    pub fn article_use(&mut self, usage: &ArticleUse) -> Result<()> {
        if let Some(seq) = self.job_seq(&usage.job_id)? {
            super::kb_field::put_use(&self.tx, seq, usage)?;
        }
        Ok(())
    }

    /// A fix this technician shared, as head office's review has it now.
    pub fn kb_proposal(&self, review: &ProposalReview) -> Result<()> {
        super::kb_field::put_proposal(&self.tx, review)
    }

    /// A past fix that no longer stands (its job was reopened).
    pub fn past_fix_removed(&self, id: &str) -> Result<()> {
        self.tx.prepare_cached("DELETE FROM past_fixes WHERE id = ?1")?.execute([id])?;
        Ok(())
    }

    /// The job left this device's scope. Returns `false` when it stays for now because changes
    /// to it are still to be pushed (it is dropped after they are: [`Store::apply_pending_removals`]).
    pub fn remove_job(&self, job_id: &str) -> Result<bool> {
        remove_job(&self.tx, job_id)
    }

    fn holds_job(&self, job_id: &str) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM work_orders WHERE id = ?1)")?
            .query_row([job_id], |r| r.get(0))?)
    }

    fn job_seq(&mut self, job_id: &str) -> Result<Option<i64>> {
        let seq = self
            .tx
            .prepare_cached("SELECT seq FROM work_orders WHERE id = ?1")?
            .query_row([job_id], |r| r.get(0))
            .optional()?;
        if seq.is_none() {
            self.skipped += 1;
        }
        Ok(seq)
    }

    pub fn note(&mut self, n: &Note) -> Result<()> {
        if let Some(seq) = self.job_seq(&n.job_id)? {
            records::note(&self.tx, seq, n, &self.stamp)?;
        }
        Ok(())
    }

    pub fn part_used(&mut self, p: &PartUsed) -> Result<()> {
        if let Some(seq) = self.job_seq(&p.job_id)? {
            records::part_used(&self.tx, seq, p, &self.stamp)?;
        }
        Ok(())
    }

    pub fn time_entry(&mut self, t: &TimeEntry) -> Result<()> {
        if let Some(seq) = self.job_seq(&t.job_id)? {
            records::time_entry(&self.tx, seq, t, &self.stamp)?;
        }
        Ok(())
    }

    pub fn feedback(&mut self, f: &Feedback) -> Result<()> {
        if let Some(seq) = self.job_seq(&f.job_id)? {
            records::feedback(&self.tx, seq, f, &self.stamp)?;
        }
        Ok(())
    }

    pub fn status_change(&mut self, c: &StatusChange) -> Result<()> {
        if let Some(seq) = self.job_seq(&c.job_id)? {
            records::status_change(&self.tx, seq, c, &self.stamp)?;
        }
        Ok(())
    }

    /// A photo; its files are queued for download when this device does not have them. A photo
    /// already here takes head office's caption (the one that won), unless a caption edit made
    /// here is still to be pushed.
    pub fn photo(&mut self, p: &PhotoRef) -> Result<()> {
        if let Some(seq) = self.job_seq(&p.job_id)? {
            records::photo(&self.tx, seq, p, &self.stamp)?;
            self.tx
                .prepare_cached(
                    "UPDATE photos SET caption = ?1 WHERE job_seq = ?2 AND id = ?3
                     AND caption IS NOT ?1 AND NOT EXISTS (SELECT 1 FROM outbox
                         WHERE job_id = ?4 AND kind = 'photo_caption_set'
                         AND json_extract(payload, '$.photo_id') = ?3)",
                )?
                .execute(params![p.caption, seq, p.id, p.job_id])?;
            self.want(&p.sha256)?;
            self.want(&p.thumb_sha256)?;
        }
        Ok(())
    }

    pub fn photo_deleted(&mut self, job_id: &str, photo_id: &str, at: DateTime<Utc>) -> Result<()> {
        if let Some(seq) = self.job_seq(job_id)? {
            records::photo_deleted(&self.tx, seq, photo_id, "head office", at, &self.stamp)?;
        }
        Ok(())
    }

    /// A part line withdrawn (or corrected) before completion: the line no longer counts.
    pub fn part_withdrawn(&mut self, w: &PartWithdrawal) -> Result<()> {
        if let Some(seq) = self.job_seq(&w.job_id)? {
            records::part_withdrawn(&self.tx, seq, w, "head office", &self.stamp)?;
        }
        Ok(())
    }

    /// A signature as head office holds it (with the signed-facts hash of its signing).
    pub fn signature(&mut self, s: &SignatureRef) -> Result<()> {
        if let Some(seq) = self.job_seq(&s.job_id)? {
            records::signature(&self.tx, seq, s, &s.summary_sha256, &self.stamp)?;
            if let Some(png) = &s.png_sha256 {
                self.want(png)?;
            }
        }
        Ok(())
    }

    /// Head office's answer to a checklist item; a local answer still to be pushed stays.
    pub fn checklist_answer(&mut self, job_id: &str, a: &ChecklistAnswer) -> Result<()> {
        let Some(value) = &a.value else { return Ok(()) };
        let Some(seq) = self.job_seq(job_id)? else { return Ok(()) };
        let pending: bool = self
            .tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM outbox WHERE job_id = ?1
                 AND kind = 'checklist_answered' AND json_extract(payload, '$.item_key') = ?2)",
            )?
            .query_row(params![job_id, a.item_key], |r| r.get(0))?;
        if !pending {
            let at = a.answered_at.unwrap_or(self.now);
            records::checklist_answer(&self.tx, seq, &a.item_key, value, at, &self.stamp)?;
        }
        Ok(())
    }

    /// A rejection or conflict concerning this device's work.
    pub fn issue(
        &self,
        id: &str,
        kind: &str,
        job_id: Option<&str>,
        record: &serde_json::Value,
    ) -> Result<()> {
        insert_issue(&self.tx, id, kind, job_id, record, self.now)
    }

    /// Facts skipped so far because their job is not on this device.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    fn want(&self, sha256: &str) -> Result<()> {
        let here = match &self.media_dir {
            Some(dir) => blobs::blob_path(dir, sha256)?.is_file(),
            None => true,
        };
        if !here {
            self.tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO blob_transfers (sha256, direction, queued_at)
                     VALUES (?1, 'down', ?2)",
                )?
                .execute(params![sha256, Ms(self.now)])?;
        }
        Ok(())
    }

    /// Stores the page's cursor and commits the page with it.
    pub fn commit(self, cursor: i64) -> Result<()> {
        let current: i64 =
            meta_get(&self.tx, CURSOR_KEY)?.and_then(|s| s.parse().ok()).unwrap_or(0);
        // Cursors only move forward, whatever a confused answer says.
        meta_set(&self.tx, CURSOR_KEY, &current.max(cursor).to_string())?;
        self.tx.commit()?;
        Ok(())
    }
}
