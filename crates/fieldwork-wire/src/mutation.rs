//! Reading a pushed mutation. The device sends the core's `Mutation` as JSON; head office
//! decodes it here, one entry at a time, so an entry of a kind it does not know (a newer device,
//! a kind added to the core later) is rejected on its own with `unsupported_mutation` instead of
//! failing the batch.
//!
//! [`IncomingMutation`] is the domain's `fieldwork_domain::mutation::Mutation` itself; what this
//! module adds is decoding one entry at a time with the protocol's error codes.

use crate::wire::ErrorCode;

/// A pushed mutation, decoded: the device's own outbox type, so the two can never drift apart.
pub use fieldwork_domain::mutation::Mutation as IncomingMutation;

/// Kinds of mutation this protocol version understands (the values of `type`).
pub const KNOWN_KINDS: &[&str] = &[
    "job_created",
    "job_scheduled",
    "status_changed",
    "field_set",
    "checklist_answered",
    "note_added",
    "part_added",
    "part_withdrawn",
    "time_entry_added",
    "feedback_given",
    "photo_added",
    "photo_deleted",
    "photo_caption_set",
    "signature_added",
    "article_used",
    "fix_shared",
];

/// Why a pushed mutation could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("mutation type {0:?} is not supported by this head office")]
    Unsupported(String),
    #[error("mutation is malformed: {0}")]
    Malformed(String),
}

impl DecodeError {
    pub fn code(&self) -> ErrorCode {
        match self {
            DecodeError::Unsupported(_) => ErrorCode::UnsupportedMutation,
            DecodeError::Malformed(_) => ErrorCode::Invalid,
        }
    }
}

/// Decodes one pushed mutation.
pub fn decode(value: &serde_json::Value) -> Result<IncomingMutation, DecodeError> {
    let kind = value
        .get("type")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| DecodeError::Malformed("it has no \"type\" naming its kind".to_owned()))?;
    if !KNOWN_KINDS.contains(&kind) {
        return Err(DecodeError::Unsupported(kind.chars().take(60).collect()));
    }
    serde_json::from_value(value.clone()).map_err(|e| DecodeError::Malformed(e.to_string()))
}

/// The job id of a raw mutation, when it can be found without decoding it fully (for recording
/// a rejection of a malformed entry against its job).
pub fn raw_job_id(value: &serde_json::Value) -> Option<String> {
    let direct = value.get("job_id").and_then(serde_json::Value::as_str);
    let nested = [
        "work_order",
        "note",
        "part",
        "entry",
        "feedback",
        "photo",
        "withdrawal",
        "usage",
        "proposal",
    ]
    .iter()
    .find_map(|k| value.get(k).and_then(|v| v.get("job_id").or_else(|| v.get("id"))))
    .and_then(serde_json::Value::as_str);
    direct.or(nested).map(|s| s.chars().take(100).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use fieldwork_domain::domain::{ChecklistValue, JobStatus};
    use fieldwork_domain::mutation::{JobField, Mutation};

    #[test]
    fn every_core_mutation_decodes_to_the_same_kind_and_job() {
        let now = Utc::now();
        let samples = vec![
            Mutation::StatusChanged {
                job_id: "j".into(),
                change_id: "c".into(),
                from: JobStatus::Scheduled,
                to: JobStatus::EnRoute,
                reason: None,
                at: now,
            },
            Mutation::FieldSet {
                job_id: "j".into(),
                field: JobField::Diagnosis,
                value: Some("x".into()),
                replaces: None,
            },
            Mutation::ChecklistAnswered {
                job_id: "j".into(),
                item_key: "level".into(),
                value: ChecklistValue::Checkbox(true),
                at: now,
                replaces: None,
            },
            Mutation::JobScheduled {
                job_id: "j".into(),
                assignee_id: "t".into(),
                appointment_start: now,
                appointment_end: now,
            },
            Mutation::PhotoDeleted { job_id: "j".into(), photo_id: "p".into(), at: now },
            Mutation::PhotoCaptionSet {
                job_id: "j".into(),
                photo_id: "p".into(),
                caption: Some("inlet valve".into()),
                at: now,
                replaces: Some(fieldwork_domain::mutation::Replaces { value: None }),
            },
            Mutation::PartWithdrawn {
                withdrawal: fieldwork_domain::domain::PartWithdrawal {
                    job_id: "j".into(),
                    part_used_id: "pu".into(),
                    reason: Some("entered twice".into()),
                    replaced_by: None,
                    at: now,
                },
            },
            Mutation::SignatureAdded {
                job_id: "j".into(),
                signature_id: "s".into(),
                signer_name: "Zhang Wei".into(),
                statement: None,
                signed_at: now,
                summary_sha256: "a".repeat(64),
                png_sha256: "b".repeat(64),
                strokes: None,
            },
        ];
        for m in samples {
            let v = serde_json::to_value(&m).unwrap();
            let d = decode(&v).unwrap();
            assert_eq!(d.kind(), m.kind());
            assert_eq!(d.job_id(), m.job_id());
            assert_eq!(serde_json::to_value(&d).unwrap(), v, "same JSON both ways");
        }
    }

    #[test]
    fn an_unknown_kind_is_unsupported_not_malformed() {
        let v = serde_json::json!({"type": "teleported", "job_id": "j"});
        assert_eq!(decode(&v).unwrap_err().code(), "unsupported_mutation");
        let v = serde_json::json!({"type": "note_added", "note": {"id": 3}});
        assert_eq!(decode(&v).unwrap_err().code(), "invalid");
        assert_eq!(raw_job_id(&serde_json::json!({"note": {"job_id": "j9"}})).unwrap(), "j9");
    }
}
