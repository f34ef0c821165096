/** Arrow-key movement in a list: pure, so the rules are tested without a DOM. */

export type NavKey = 'ArrowDown' | 'ArrowUp' | 'Home' | 'End' | 'PageDown' | 'PageUp';

const PAGE = 10;

export function isNavKey(key: string): key is NavKey {
  return ['ArrowDown', 'ArrowUp', 'Home', 'End', 'PageDown', 'PageUp'].includes(key);
}

/**
 * The row to select after `key`, from `current` (-1 when nothing is selected yet) in a list
 * of `length` rows; stops at the ends rather than wrapping, and -1 for an empty list.
 */
export function nextIndex(current: number, key: NavKey, length: number): number {
  if (length <= 0) return -1;
  const last = length - 1;
  const clamp = (i: number) => Math.min(Math.max(i, 0), last);
  switch (key) {
    case 'ArrowDown':
      return current < 0 ? 0 : clamp(current + 1);
    case 'ArrowUp':
      return current < 0 ? 0 : clamp(current - 1);
    case 'Home':
      return 0;
    case 'End':
      return last;
    case 'PageDown':
      return clamp(Math.max(current, 0) + PAGE);
    case 'PageUp':
      return clamp(Math.max(current, 0) - PAGE);
  }
}

/** Keeps a selection valid when the list changes under it (a refresh, a new search). */
export function keepIndex(current: number, length: number): number {
  if (length === 0) return -1;
  return Math.min(current, length - 1);
}
