import { describe, expect, it } from 'vitest';
import type { Feedback } from '../../lib/types/Feedback';
import { clearDraft, draftOf, pendingFeedback, setDraft } from './feedbackDraft.svelte';

const stored = (rating: number, comment: string | null): Feedback => ({
  id: 'f1',
  job_id: 'j1',
  rating,
  comment,
  created_at: '2026-11-22T00:00:00Z',
});

describe('the rating on screen when the job is completed', () => {
  it('is saved first when chosen but not saved (stars and a comment, no Save pressed)', () => {
    expect(pendingFeedback(null, { rating: 5, comment: ' Quick and tidy ' })).toEqual({
      kind: 'save',
      rating: 5,
      comment: 'Quick and tidy',
    });
    expect(pendingFeedback(null, { rating: 4, comment: '' })).toEqual({
      kind: 'save',
      rating: 4,
      comment: null,
    });
  });

  it('is saved when it differs from the stored one', () => {
    expect(pendingFeedback(stored(3, null), { rating: 5, comment: '' }).kind).toBe('save');
    expect(pendingFeedback(stored(5, 'ok'), { rating: 5, comment: 'ok, thanks' }).kind).toBe(
      'save',
    );
  });

  it('needs nothing when nothing was entered or it is what is stored', () => {
    expect(pendingFeedback(null, { rating: null, comment: '  ' })).toEqual({ kind: 'none' });
    expect(pendingFeedback(stored(5, 'ok'), { rating: 5, comment: 'ok ' })).toEqual({
      kind: 'none',
    });
    expect(pendingFeedback(stored(4, null), { rating: 4, comment: '' })).toEqual({
      kind: 'none',
    });
  });

  it('stops completion when a comment has no rating (it cannot be saved)', () => {
    expect(pendingFeedback(null, { rating: null, comment: 'Very friendly' })).toEqual({
      kind: 'needs_rating',
    });
  });
});

describe('drafts are kept per job until saved', () => {
  it('keeps what was entered on one screen for the next, per job', () => {
    setDraft('j1', { rating: 5, comment: 'a' });
    expect(draftOf('j1')).toEqual({ rating: 5, comment: 'a' });
    expect(draftOf('j2')).toBeNull();
    clearDraft('j1');
    expect(draftOf('j1')).toBeNull();
  });
});
