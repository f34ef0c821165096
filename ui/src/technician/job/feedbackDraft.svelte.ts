/**
 * The customer's rating while it is being entered, kept per job outside any one screen: stars
 * clicked on the Job screen are still there on Complete, and Complete saves them before it
 * completes the job, so nothing the customer chose is dropped.
 */
import type { Feedback } from '../../lib/types/Feedback';

export interface FeedbackDraft {
  rating: number | null;
  comment: string;
}

/** What completing the job has to do about the rating on screen first. */
export type PendingFeedback =
  /** Nothing entered, or exactly what is stored. */
  | { kind: 'none' }
  /** A rating (and comment) that differs from the stored one: save it first. */
  | { kind: 'save'; rating: number; comment: string | null }
  /** A comment without any rating: it cannot be saved, so completing must wait. */
  | { kind: 'needs_rating' };

/** Compares what is on screen with what is stored. */
export function pendingFeedback(stored: Feedback | null, draft: FeedbackDraft): PendingFeedback {
  const comment = draft.comment.trim();
  if (draft.rating === null) return comment === '' ? { kind: 'none' } : { kind: 'needs_rating' };
  const same =
    stored !== null && stored.rating === draft.rating && (stored.comment ?? '').trim() === comment;
  return same
    ? { kind: 'none' }
    : { kind: 'save', rating: draft.rating, comment: comment === '' ? null : comment };
}

const drafts = $state<Record<string, FeedbackDraft>>({});

/** The rating being entered on `jobId`, if someone has started changing it. */
export function draftOf(jobId: string): FeedbackDraft | null {
  return drafts[jobId] ?? null;
}

export function setDraft(jobId: string, draft: FeedbackDraft): void {
  drafts[jobId] = { ...draft };
}

/** Forgets the draft once it is saved (the stored rating is shown again). */
export function clearDraft(jobId: string): void {
  delete drafts[jobId];
}
