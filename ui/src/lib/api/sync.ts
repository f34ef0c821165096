/**
 * Head-office sync as the desktop shell reports it. These mirror `fieldwork_sync::engine::
 * SyncStatus` and `fieldwork_core::store::remote::SyncIssue` (serde's JSON of them); they live
 * here rather than in ../types because those files are generated from fieldwork-core and the
 * sync status is not a core type.
 */

import type { ErrorInfo } from '../types/ErrorInfo';

/** Where a round is, for a progress text. */
export type SyncProgress =
  | { step: 'pushing'; sent: number; remaining: number }
  | { step: 'uploading'; done: number; total: number; bytes: number }
  | { step: 'pulling'; records: number; pages: number }
  | { step: 'downloading'; done: number; total: number };

export interface SyncStatus {
  signed_in: boolean;
  /** Head office's address. */
  head_office: string | null;
  user_name: string | null;
  /** Whether the last contact with head office succeeded; `null` before the first one. */
  online: boolean | null;
  syncing: boolean;
  pending_mutations: number;
  /** Photos and signatures still to send (a photo once, not each of its files). */
  pending_blobs: number;
  /** Photos still to send. */
  pending_photos: number;
  /** Signatures still to send. */
  pending_signatures: number;
  /** Photos still to fetch. */
  pending_downloads: number;
  /** RFC 3339. */
  last_sync_at: string | null;
  /** Why the last round failed, until one succeeds: a stable code and the technical detail. */
  last_error: ErrorInfo | null;
  /** RFC 3339: when the background sync tries next, while it waits between rounds. */
  next_attempt_at: string | null;
  rejected: number;
  conflicts: number;
  /** Set when head office revoked this laptop and its data was erased: why. */
  revoked: string | null;
  /** Head office no longer accepts this laptop's sign-in. */
  needs_sign_in: boolean;
  progress: SyncProgress | null;
}

/** Something head office refused (`rejection`) or flagged for a person (`conflict`). */
export interface SyncIssue {
  id: string;
  /** `rejection` or `conflict`. */
  kind: string;
  job_id: string | null;
  job_number: string | null;
  /** A rejection: `{code, reason, kind, …}`; a conflict: `{detail, field, …}`. */
  record: Record<string, unknown>;
  created_at: string;
}

/** Event carrying every status change. */
export const SYNC_STATUS_EVENT = 'sync://status';
