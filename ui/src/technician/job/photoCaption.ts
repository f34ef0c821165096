/**
 * Editing a photo's caption after import: what a draft means once the technician saves it.
 * Pure, so the rules are tested; the core applies the same ones (blank clears, trimmed).
 */

/** Longest caption (the core's PHOTO_CAPTION_MAX_CHARS). */
export const CAPTION_MAX_CHARS = 500;

export type CaptionEdit =
  /** Nothing to record: the draft says what the caption already says. */
  | { kind: 'unchanged' }
  /** Record this caption (`null` removes it). */
  | { kind: 'save'; caption: string | null }
  /** Too long to save; nothing is recorded. */
  | { kind: 'tooLong'; chars: number };

/** What saving `draft` over the photo's `current` caption does. */
export function captionEdit(current: string | null, draft: string): CaptionEdit {
  const next = draft.trim() === '' ? null : draft.trim();
  const before = current === null || current.trim() === '' ? null : current.trim();
  if (next === before) return { kind: 'unchanged' };
  const chars = next === null ? 0 : [...next].length;
  if (chars > CAPTION_MAX_CHARS) return { kind: 'tooLong', chars };
  return { kind: 'save', caption: next };
}
