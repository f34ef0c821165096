//! How large each field of a recorded fact may be: one definition, checked by the device store
//! before a change enters the outbox and by head office on every pushed mutation, so a device
//! that skips its own checks (or is not this app at all) cannot store a 15 MiB note at head
//! office and have every other device pull it.
//!
//! [`check_mutation`] goes over every string field of every [`Mutation`] kind; its match has no
//! catch-all, so a new kind does not compile until its fields have limits here.

use crate::error::{Result, RuleError};
use crate::mutation::{Mutation, Replaces};

pub use crate::domain::checklist::CHECKLIST_TEXT_MAX_CHARS;
pub use crate::domain::records::{
    FEEDBACK_COMMENT_MAX_CHARS, NOTE_MAX_CHARS, PART_DESCRIPTION_MAX_CHARS, PART_MAX_QUANTITY,
    PART_NO_MAX_CHARS, PART_WITHDRAWAL_REASON_MAX_CHARS, PHOTO_CAPTION_MAX_CHARS,
    SIGNATURE_STATEMENT_MAX_CHARS, SIGNER_NAME_MAX_CHARS,
};
pub use crate::lifecycle::REASON_MAX_CHARS;

/// Longest reported problem, diagnosis or resolution.
pub const JOB_TEXT_MAX_CHARS: usize = 10_000;
/// Largest signature strokes document, in bytes.
pub const STROKES_MAX_BYTES: usize = 1024 * 1024;

/// Longest id or reference: record ids, job numbers, checklist item keys, hashes.
/// The app's own are UUIDs (36 characters) and SHA-256 hex (64).
pub const ID_MAX_CHARS: usize = 100;
/// Longest person's name carried on a fact (a note's author, a job's owning dispatcher).
pub const PERSON_NAME_MAX_CHARS: usize = 200;

fn chars(field: &'static str, value: &str, limit: usize) -> Result<()> {
    // Bytes bound characters from above: a cheap first look at a huge value.
    if value.len() <= limit {
        return Ok(());
    }
    let n = value.chars().count();
    if n > limit {
        return Err(RuleError::TooLong { field, actual: n, limit });
    }
    Ok(())
}

fn maybe(field: &'static str, value: Option<&String>, limit: usize) -> Result<()> {
    value.map_or(Ok(()), |v| chars(field, v, limit))
}

fn id(field: &'static str, value: &str) -> Result<()> {
    chars(field, value, ID_MAX_CHARS)
}

fn checklist_value(field: &'static str, value: &crate::domain::ChecklistValue) -> Result<()> {
    use crate::domain::ChecklistValue;
    match value {
        ChecklistValue::Checkbox(_) | ChecklistValue::Number(_) => Ok(()),
        ChecklistValue::Choice(s) | ChecklistValue::Text(s) => {
            chars(field, s, CHECKLIST_TEXT_MAX_CHARS)
        }
    }
}

/// Whether every field of `m` is within its limit; the first one over it is named in a
/// `too_long` error. Also bounds a part line's quantity as the device does.
pub fn check_mutation(m: &Mutation) -> Result<()> {
    match m {
        Mutation::JobCreated { work_order: w } => {
            for (field, value) in [
                ("id", &w.id),
                ("number", &w.number),
                ("job type", &w.job_type_id),
                ("customer", &w.customer_id),
                ("site", &w.site_id),
            ] {
                id(field, value)?;
            }
            maybe("equipment", w.equipment_id.as_ref(), ID_MAX_CHARS)?;
            maybe("assignee", w.assignee_id.as_ref(), ID_MAX_CHARS)?;
            maybe("return of", w.return_of.as_ref(), ID_MAX_CHARS)?;
            chars("owner dispatcher", &w.owner_dispatcher, PERSON_NAME_MAX_CHARS)?;
            chars("reported problem", &w.reported_problem, JOB_TEXT_MAX_CHARS)?;
            maybe("diagnosis", w.diagnosis.as_ref(), JOB_TEXT_MAX_CHARS)?;
            maybe("resolution", w.resolution.as_ref(), JOB_TEXT_MAX_CHARS)?;
            maybe(
                "signature absence reason",
                w.signature_absence_reason.as_ref(),
                JOB_TEXT_MAX_CHARS,
            )
        }
        Mutation::JobScheduled { job_id, assignee_id, .. } => {
            id("job", job_id)?;
            id("assignee", assignee_id)
        }
        Mutation::StatusChanged { job_id, change_id, reason, .. } => {
            id("job", job_id)?;
            id("change id", change_id)?;
            maybe("reason", reason.as_ref(), REASON_MAX_CHARS)
        }
        Mutation::FieldSet { job_id, field, value, replaces } => {
            id("job", job_id)?;
            maybe(field.column(), value.as_ref(), JOB_TEXT_MAX_CHARS)?;
            let seen = replaces.as_ref().and_then(|Replaces { value }| value.as_ref());
            maybe(field.column(), seen, JOB_TEXT_MAX_CHARS)
        }
        Mutation::ChecklistAnswered { job_id, item_key, value, replaces, .. } => {
            id("job", job_id)?;
            id("checklist item", item_key)?;
            checklist_value("checklist answer", value)?;
            match replaces.as_ref().and_then(|r| r.value.as_ref()) {
                Some(seen) => checklist_value("checklist answer", seen),
                None => Ok(()),
            }
        }
        Mutation::NoteAdded { note } => {
            id("id", &note.id)?;
            id("job", &note.job_id)?;
            chars("author", &note.author, PERSON_NAME_MAX_CHARS)?;
            chars("note", &note.body, NOTE_MAX_CHARS)
        }
        Mutation::PartAdded { part } => {
            id("id", &part.id)?;
            id("job", &part.job_id)?;
            chars("part number", &part.part_no, PART_NO_MAX_CHARS)?;
            chars("description", &part.description, PART_DESCRIPTION_MAX_CHARS)?;
            if !part.quantity.is_finite() || part.quantity <= 0.0 {
                return Err(RuleError::invalid("quantity", "must be a number greater than zero"));
            }
            if part.quantity > PART_MAX_QUANTITY {
                return Err(RuleError::invalid(
                    "quantity",
                    format!("{} is more than the limit of {PART_MAX_QUANTITY}", part.quantity),
                ));
            }
            Ok(())
        }
        Mutation::PartWithdrawn { withdrawal: w } => {
            id("job", &w.job_id)?;
            id("part line", &w.part_used_id)?;
            maybe("replaced by", w.replaced_by.as_ref(), ID_MAX_CHARS)?;
            maybe("reason", w.reason.as_ref(), PART_WITHDRAWAL_REASON_MAX_CHARS)
        }
        Mutation::TimeEntryAdded { entry } => {
            id("id", &entry.id)?;
            id("job", &entry.job_id)?;
            maybe("supersedes", entry.supersedes.as_ref(), ID_MAX_CHARS)
        }
        Mutation::FeedbackGiven { feedback } => {
            id("id", &feedback.id)?;
            id("job", &feedback.job_id)?;
            maybe("comment", feedback.comment.as_ref(), FEEDBACK_COMMENT_MAX_CHARS)
        }
        Mutation::PhotoAdded { photo } => {
            id("id", &photo.id)?;
            id("job", &photo.job_id)?;
            id("sha256", &photo.sha256)?;
            id("thumb_sha256", &photo.thumb_sha256)?;
            maybe("caption", photo.caption.as_ref(), PHOTO_CAPTION_MAX_CHARS)
        }
        Mutation::PhotoDeleted { job_id, photo_id, .. } => {
            id("job", job_id)?;
            id("photo", photo_id)
        }
        Mutation::PhotoCaptionSet { job_id, photo_id, caption, replaces, .. } => {
            id("job", job_id)?;
            id("photo", photo_id)?;
            maybe("caption", caption.as_ref(), PHOTO_CAPTION_MAX_CHARS)?;
            let seen = replaces.as_ref().and_then(|Replaces { value }| value.as_ref());
            maybe("caption", seen, PHOTO_CAPTION_MAX_CHARS)
        }
        Mutation::SignatureAdded {
            job_id,
            signature_id,
            signer_name,
            statement,
            summary_sha256,
            png_sha256,
            strokes,
            ..
        } => {
            id("job", job_id)?;
            id("signature id", signature_id)?;
            id("summary_sha256", summary_sha256)?;
            id("png_sha256", png_sha256)?;
            chars("signer name", signer_name, SIGNER_NAME_MAX_CHARS)?;
            maybe("statement", statement.as_ref(), SIGNATURE_STATEMENT_MAX_CHARS)?;
            match strokes {
                Some(s) if s.len() > STROKES_MAX_BYTES => Err(RuleError::TooLong {
                    field: "strokes",
                    actual: s.len(),
                    limit: STROKES_MAX_BYTES,
                }),
                _ => Ok(()),
            }
        }
        Mutation::ArticleUsed { usage } => {
            id("job", &usage.job_id)?;
            id("article", &usage.article_id)
        }
        Mutation::FixShared { proposal } => {
            id("id", &proposal.id)?;
            id("job", &proposal.job_id)?;
            for photo in &proposal.photo_ids {
                id("photo", photo)?;
            }
            proposal.clone().normalised().map(|_| ())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Note;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    /// A valid mutation of every kind, as the device sends it, with every optional field set.
    fn samples() -> Vec<Value> {
        let h = "a".repeat(64);
        #[allow(non_snake_case)]
        let T = serde_json::to_value(chrono::Utc::now()).unwrap_or_default();
        vec![
            json!({"type": "job_created", "work_order": {"id": "j1", "number": "WO-1",
                "job_type_id": "repair", "priority": "normal", "status": "new",
                "customer_id": "c1", "site_id": "s1", "equipment_id": "e1",
                "reported_problem": "drips", "reported_at": T, "appointment_start": T,
                "appointment_end": T, "assignee_id": "t1", "owner_dispatcher": "Wang Fang",
                "ack_due_at": T, "due_at": T, "complete_due_at": T,
                "warranty_status": "in_warranty", "chargeable": false, "diagnosis": "seal",
                "resolution": "replaced", "signature_absence_reason": "away",
                "return_of": "j0", "created_at": T, "updated_at": T}}),
            json!({"type": "job_scheduled", "job_id": "j1", "assignee_id": "t1",
                "appointment_start": T, "appointment_end": T}),
            json!({"type": "status_changed", "job_id": "j1", "change_id": "c1",
                "from": "scheduled", "to": "en_route", "reason": "traffic", "at": T}),
            json!({"type": "field_set", "job_id": "j1", "field": "diagnosis", "value": "seal",
                "replaces": {"value": "old"}}),
            json!({"type": "checklist_answered", "job_id": "j1", "item_key": "notes",
                "value": {"kind": "text", "value": "fine"}, "at": T,
                "replaces": {"value": {"kind": "choice", "value": "ok"}}}),
            json!({"type": "note_added", "note": {"id": "n1", "job_id": "j1",
                "author": "Li Wei", "body": "checked", "created_at": T}}),
            json!({"type": "part_added", "part": {"id": "p1", "job_id": "j1", "part_no": "P-1",
                "description": "seal", "quantity": 1.0, "unit_price_cents": 100,
                "chargeable": false, "from_catalogue": false, "line_total_cents": 100,
                "created_at": T}}),
            json!({"type": "part_withdrawn", "withdrawal": {"job_id": "j1",
                "part_used_id": "p1", "reason": "wrong part", "replaced_by": "p2", "at": T}}),
            json!({"type": "time_entry_added", "entry": {"id": "t1", "job_id": "j1",
                "kind": "labour", "started_at": T, "ended_at": T, "minutes": 0,
                "source": "manual", "supersedes": "t0", "created_at": T}}),
            json!({"type": "feedback_given", "feedback": {"id": "f1", "job_id": "j1",
                "rating": 5, "comment": "good", "created_at": T}}),
            json!({"type": "photo_added", "photo": {"id": "ph1", "job_id": "j1",
                "kind": "fault", "caption": "leak", "sha256": h, "thumb_sha256": h,
                "width": 10, "height": 10, "bytes": 100, "taken_at": "2026-12-07T08:00:00", "created_at": T}}),
            json!({"type": "photo_deleted", "job_id": "j1", "photo_id": "ph1", "at": T}),
            json!({"type": "photo_caption_set", "job_id": "j1", "photo_id": "ph1",
                "caption": "leak at the inlet", "at": T, "replaces": {"value": "leak"}}),
            json!({"type": "signature_added", "job_id": "j1", "signature_id": "s1",
                "signer_name": "Zhang Wei", "statement": "done", "signed_at": T,
                "summary_sha256": h, "png_sha256": h, "strokes": "[]"}),
        ]
    }

    /// How a string field of a mutation is bounded: free text of at most so many characters
    /// (bytes for `strokes`), or a word or time that only decodes when it is one.
    #[derive(Debug, Clone, Copy)]
    enum Bound {
        Chars(usize),
        Bytes(usize),
        NotText,
    }

    /// Every string field of every sample (a JSON pointer) and its bound. A new field or kind
    /// in `Mutation` fails `every_string_field_of_every_kind_has_a_bound` until it is listed.
    fn bound(kind: &str, pointer: &str) -> Option<Bound> {
        let leaf = pointer.rsplit('/').next().unwrap_or_default();
        Some(match (kind, leaf) {
            (_, "type" | "priority" | "status" | "from" | "to" | "field" | "kind" | "source")
            | (_, "warranty_status") => Bound::NotText,
            (_, l) if l == "at" || l.ends_with("_at") || l.starts_with("appointment_") => {
                Bound::NotText
            }
            ("checklist_answered", "value") => Bound::Chars(CHECKLIST_TEXT_MAX_CHARS),
            ("field_set", "value") => Bound::Chars(JOB_TEXT_MAX_CHARS),
            ("photo_caption_set", "value") => Bound::Chars(PHOTO_CAPTION_MAX_CHARS),
            (_, "reported_problem" | "diagnosis" | "resolution" | "signature_absence_reason") => {
                Bound::Chars(JOB_TEXT_MAX_CHARS)
            }
            (_, "owner_dispatcher" | "author") => Bound::Chars(PERSON_NAME_MAX_CHARS),
            ("status_changed", "reason") => Bound::Chars(REASON_MAX_CHARS),
            ("part_withdrawn", "reason") => Bound::Chars(PART_WITHDRAWAL_REASON_MAX_CHARS),
            (_, "body") => Bound::Chars(NOTE_MAX_CHARS),
            (_, "description") => Bound::Chars(PART_DESCRIPTION_MAX_CHARS),
            (_, "comment") => Bound::Chars(FEEDBACK_COMMENT_MAX_CHARS),
            (_, "caption") => Bound::Chars(PHOTO_CAPTION_MAX_CHARS),
            (_, "signer_name") => Bound::Chars(SIGNER_NAME_MAX_CHARS),
            (_, "statement") => Bound::Chars(SIGNATURE_STATEMENT_MAX_CHARS),
            (_, "strokes") => Bound::Bytes(STROKES_MAX_BYTES),
            (_, "part_no") => Bound::Chars(PART_NO_MAX_CHARS),
            (
                _,
                "id" | "number" | "job_type_id" | "customer_id" | "site_id" | "equipment_id"
                | "assignee_id" | "return_of" | "job_id" | "change_id" | "item_key"
                | "part_used_id" | "replaced_by" | "supersedes" | "sha256" | "thumb_sha256"
                | "photo_id" | "signature_id" | "summary_sha256" | "png_sha256",
            ) => Bound::Chars(ID_MAX_CHARS),
            _ => return None,
        })
    }

    /// JSON pointers of the string leaves of `v` (the tag `type` included).
    fn string_leaves(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::String(_) => out.push(at),
            Value::Object(m) => {
                for (k, child) in m {
                    string_leaves(child, format!("{at}/{k}"), out);
                }
            }
            _ => {}
        }
    }

    fn all_fields() -> Vec<(Value, String, Bound)> {
        let mut out = Vec::new();
        for sample in samples() {
            let kind = sample["type"].as_str().unwrap_or_default().to_owned();
            let mut leaves = Vec::new();
            string_leaves(&sample, String::new(), &mut leaves);
            for p in leaves {
                let b = bound(&kind, &p).unwrap_or_else(|| panic!("{kind}: no bound for {p}"));
                out.push((sample.clone(), p, b));
            }
        }
        out
    }

    /// The sample with the field at `pointer` replaced by `text`, checked as head office does:
    /// decoded (a word or time that is not one fails here), then held to the limits.
    fn verdict(sample: &Value, pointer: &str, text: String) -> std::result::Result<(), String> {
        let mut v = sample.clone();
        if let Some(slot) = v.pointer_mut(pointer) {
            *slot = Value::String(text);
        }
        let m: Mutation = serde_json::from_value(v).map_err(|e| format!("decode: {e}"))?;
        check_mutation(&m).map_err(|e| e.code().to_string())
    }

    #[test]
    fn every_string_field_of_every_kind_has_a_bound() {
        for sample in samples() {
            let m: Mutation = serde_json::from_value(sample.clone())
                .unwrap_or_else(|e| panic!("{sample} does not decode: {e}"));
            assert!(check_mutation(&m).is_ok(), "{sample}");
        }
        // One sample per kind: a kind added to `Mutation` must be added to the samples.
        let kinds: Vec<String> =
            samples().iter().map(|s| s["type"].as_str().unwrap_or_default().to_owned()).collect();
        assert_eq!(kinds.len(), 14, "{kinds:?}");
        for (sample, pointer, b) in all_fields() {
            let huge = "x".repeat(STROKES_MAX_BYTES + 1);
            if pointer == "/type" {
                continue;
            }
            assert!(
                verdict(&sample, &pointer, huge).is_err(),
                "{pointer} of {sample} is unbounded"
            );
            if let Bound::Chars(limit) | Bound::Bytes(limit) = b {
                let at = verdict(&sample, &pointer, "x".repeat(limit));
                assert_eq!(at, Ok(()), "{pointer} at its limit");
                let over = verdict(&sample, &pointer, "x".repeat(limit + 1));
                assert_eq!(over, Err("too_long".to_owned()), "{pointer} over its limit");
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        /// Any text in any free-text field of any kind: accepted exactly when it is within the
        /// field's limit, counted in characters (Chinese, emoji and all), bytes for strokes.
        #[test]
        fn a_field_is_accepted_exactly_when_within_its_limit(
            field in any::<prop::sample::Index>(),
            over in -3i64..=3,
            far in prop::option::of(0usize..30_000),
            alphabet in prop::sample::select(vec!["x", "维", "😀", "é", " "]),
        ) {
            let fields: Vec<_> = all_fields()
                .into_iter()
                .filter(|(_, _, b)| !matches!(b, Bound::NotText))
                .collect();
            let (sample, pointer, b) = &fields[field.index(fields.len())];
            let (limit, unit) = match b {
                Bound::Chars(l) => (*l, alphabet),
                Bound::Bytes(l) => (*l, "x"),
                Bound::NotText => unreachable!(),
            };
            let n = far.unwrap_or_else(|| (limit as i64 + over).max(0) as usize);
            let result = verdict(sample, pointer, unit.repeat(n));
            prop_assert_eq!(result.is_ok(), n <= limit, "{} with {} × {:?}: {:?}", pointer, n, unit, result);
            if n > limit {
                prop_assert_eq!(result, Err("too_long".to_owned()));
            }
        }
    }

    fn note(author: &str, body: &str) -> Mutation {
        Mutation::NoteAdded {
            note: Note {
                id: "n1".into(),
                job_id: "j1".into(),
                author: author.into(),
                body: body.into(),
                created_at: chrono::Utc::now(),
            },
        }
    }

    #[test]
    fn a_field_over_its_limit_is_too_long_and_names_the_field() {
        assert!(check_mutation(&note("Li Wei", &"x".repeat(NOTE_MAX_CHARS))).is_ok());
        let e = check_mutation(&note("Li Wei", &"x".repeat(NOTE_MAX_CHARS + 1))).unwrap_err();
        assert_eq!(e.code(), "too_long");
        assert!(e.to_string().starts_with("note is too long"), "{e}");
        let e = check_mutation(&note(&"李".repeat(PERSON_NAME_MAX_CHARS + 1), "ok")).unwrap_err();
        assert!(e.to_string().starts_with("author is too long"), "{e}");
        // Characters, not bytes: 200 Chinese characters are 600 bytes and within the limit.
        assert!(check_mutation(&note(&"李".repeat(PERSON_NAME_MAX_CHARS), "ok")).is_ok());
    }
}
