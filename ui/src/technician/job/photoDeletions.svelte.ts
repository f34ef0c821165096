/**
 * Deleting a photo, with time to undo it: the photo leaves the screen at once, but the deletion
 * is recorded only when the Undo toast has run out. Until then nothing is in the store, so
 * nothing of it can reach head office; Undo simply forgets it. Leaving the job (or the app),
 * and completing it, record what is pending at once.
 */
import { showError } from '../../lib/stores/toasts.svelte';

/** How long Undo is offered. */
export const UNDO_MS = 6_000;

interface Pending {
  jobId: string;
  commit: () => Promise<unknown>;
  timer: ReturnType<typeof setTimeout>;
}

export class PendingDeletions {
  #pending = $state<Record<string, Pending>>({});

  constructor(
    private readonly onError: (reason: unknown) => void,
    private readonly ms = UNDO_MS,
  ) {}

  /** Whether the photo is waiting to be deleted (and so is no longer shown). */
  has(photoId: string): boolean {
    return photoId in this.#pending;
  }

  /** How many deletions are waiting. */
  get size(): number {
    return Object.keys(this.#pending).length;
  }

  /** Deletes the photo with `commit` once the undo time has passed. */
  schedule(photoId: string, jobId: string, commit: () => Promise<unknown>): void {
    if (this.has(photoId)) return;
    const timer = setTimeout(() => void this.#commit(photoId), this.ms);
    this.#pending[photoId] = { jobId, commit, timer };
  }

  /** Keeps the photo: forgets its pending deletion. False when it was no longer pending. */
  undo(photoId: string): boolean {
    const p = this.#pending[photoId];
    if (!p) return false;
    clearTimeout(p.timer);
    delete this.#pending[photoId];
    return true;
  }

  /** Records every pending deletion now (all jobs, or all but `keepJobId`'s). */
  async flush(keepJobId: string | null = null): Promise<void> {
    const ids = Object.keys(this.#pending).filter((id) => this.#pending[id]?.jobId !== keepJobId);
    await Promise.all(ids.map((id) => this.#commit(id)));
  }

  async #commit(photoId: string): Promise<void> {
    const p = this.#pending[photoId];
    if (!p) return;
    clearTimeout(p.timer);
    delete this.#pending[photoId];
    try {
      await p.commit();
    } catch (e) {
      // Refused (e.g. the job was completed meanwhile): the photo is shown again.
      this.onError(e);
    }
  }
}

/** The technician app's pending photo deletions (one list for every screen). */
export const photoDeletions = new PendingDeletions(showError);
