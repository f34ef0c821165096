/**
 * One line of the Sync page's list of rejected changes and conflicts, from the record head office
 * sent (kept as JSON by the shell): pure, so the reading of both record shapes is tested.
 */
import type { SyncIssue } from '../../lib/api/sync';
import type { MessageKey } from '../../lib/i18n';
import type { Translate } from './indicator';

const CHANGE_KINDS = [
  'job_created',
  'job_scheduled',
  'status_changed',
  'field_set',
  'checklist_answered',
  'note_added',
  'part_added',
  'time_entry_added',
  'feedback_given',
  'photo_added',
  'photo_deleted',
  'photo_caption_set',
  'signature_added',
  'article_used',
  'fix_shared',
] as const;

const CONFLICT_KINDS = ['field_overwritten', 'cancelled_vs_completed'] as const;

/** Refusal codes with a sentence of their own in the catalogue (crates/fieldwork-sync wire codes). */
const REJECTION_CODES = [
  'not_found',
  'invalid',
  'dispatcher_owned',
  'transition_not_allowed',
  'reason_required',
  'completion_blocked',
  'not_recordable',
  'unsupported_mutation',
  'duplicate_id',
] as const;

export interface IssueLine {
  id: string;
  kind: 'rejection' | 'conflict';
  jobId: string | null;
  jobNumber: string | null;
  /** What was refused or flagged: the kind of change, or of conflict. */
  what: string;
  /**
   * Why, in the user's language: the refusal's code as a sentence (head office's own words when
   * the code is new to this app); for a field conflict, which value was kept.
   */
  reason: string;
  /** Head office's own words (English), when `reason` is the catalogue's sentence for the code. */
  detail: string | null;
  /**
   * What was refused, as the technician wrote it (a note's text, a part, minutes, a rating):
   * a refused fact leaves the job, and this is where it can still be read.
   */
  content: string | null;
  at: string;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

function label<K extends string>(
  known: readonly K[],
  value: string | null,
  prefix: 'sync.change.' | 'sync.conflict.' | 'sync.reject.',
  t: Translate,
): string {
  if (value !== null && (known as readonly string[]).includes(value)) {
    return t(`${prefix}${value}` as MessageKey);
  }
  return value ?? '—';
}

const FIELD_LABELS: Partial<Record<string, MessageKey>> = {
  diagnosis: 'text.diagnosis',
  resolution: 'text.resolution',
  signature_absence_reason: 'missing.signatureReason',
};

const CHECKLIST = 'checklist:';
const PHOTO_CAPTION = 'photo_caption:';
const LONGEST_VALUE = 80;

/** A value as a person reads it: checklist answers arrive as JSON, long texts are shortened. */
function shown(field: string, value: unknown): string {
  let s = text(value);
  if (s === null) return '—';
  if (field.startsWith(CHECKLIST)) {
    try {
      const v: unknown = JSON.parse(s);
      s = v !== null && typeof v === 'object' ? Object.values(v).map(String).join(', ') : String(v);
    } catch {
      /* not JSON: shown as it is */
    }
  }
  return s.length > LONGEST_VALUE ? `${s.slice(0, LONGEST_VALUE - 1)}…` : s;
}

/** "Diagnosis: “…” was kept; “…” was replaced." from a field conflict's structured record. */
function fieldConflict(r: Record<string, unknown>, t: Translate): string | null {
  const field = text(r.field);
  if (r.kind !== 'field_overwritten' || field === null) return null;
  const key = FIELD_LABELS[field];
  const name = key
    ? t(key)
    : field.startsWith(CHECKLIST)
      ? t('sync.conflict.checklistItem', { item: field.slice(CHECKLIST.length) })
      : field.startsWith(PHOTO_CAPTION)
        ? t('sync.conflict.photoCaption')
        : field;
  return t('sync.conflict.kept', {
    field: name,
    kept: shown(field, r.winning_value),
    replaced: shown(field, r.losing_value),
  });
}

function rejectionReason(r: Record<string, unknown>, t: Translate): [string, string | null] {
  const code = text(r.code);
  const said = text(r.reason);
  if (code !== null && (REJECTION_CODES as readonly string[]).includes(code)) {
    return [label(REJECTION_CODES, code, 'sync.reject.', t), said];
  }
  return [said ?? code ?? '—', null];
}

function record(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

/** The refused change's content, from the copy this device kept (`change`), if any. */
function refusedContent(change: unknown, t: Translate): string | null {
  const c = record(change);
  const short = (s: string | null) => (s === null ? null : shown('', s));
  switch (c.type) {
    case 'note_added':
      return short(text(record(c.note).body));
    case 'part_added': {
      const p = record(c.part);
      const name = text(p.description) ?? text(p.part_no);
      const quantity = typeof p.quantity === 'number' ? p.quantity : 1;
      return name === null ? null : short(`${name} × ${quantity}`);
    }
    case 'time_entry_added': {
      const minutes = record(c.entry).minutes;
      return typeof minutes === 'number' ? t('sync.content.minutes', { minutes }) : null;
    }
    case 'feedback_given': {
      const f = record(c.feedback);
      const stars =
        typeof f.rating === 'number' ? '★'.repeat(Math.max(0, Math.min(5, f.rating))) : '';
      return short([stars, text(f.comment)].filter((x) => x).join(' ')) || null;
    }
    case 'field_set':
      return short(text(c.value));
    default:
      return null;
  }
}

/** A conflict's reason in the user's language, with head office's words as the detail. */
function conflictReason(r: Record<string, unknown>, t: Translate): [string, string | null] {
  const field = fieldConflict(r, t);
  if (field !== null) return [field, null];
  if (r.kind === 'cancelled_vs_completed') {
    return [t('sync.conflict.cancelledDetail'), text(r.detail)];
  }
  return [[text(r.detail), text(r.field)].filter((x) => x !== null).join(' · ') || '—', null];
}

export function issueLine(issue: SyncIssue, t: Translate): IssueLine {
  const r = issue.record;
  const rejection = issue.kind !== 'conflict';
  const [because, detail] = rejection ? rejectionReason(r, t) : conflictReason(r, t);
  return {
    id: issue.id,
    kind: rejection ? 'rejection' : 'conflict',
    jobId: issue.job_id,
    jobNumber: issue.job_number,
    what: rejection
      ? label(CHANGE_KINDS, text(r.kind), 'sync.change.', t)
      : label(CONFLICT_KINDS, text(r.kind), 'sync.conflict.', t),
    reason: because,
    detail,
    content: rejection ? refusedContent(r.change, t) : null,
    at: issue.created_at,
  };
}
