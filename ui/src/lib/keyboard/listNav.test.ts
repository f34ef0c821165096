import { describe, expect, it } from 'vitest';

import { isNavKey, keepIndex, nextIndex } from './listNav';

describe('arrow keys in a list', () => {
  it('moves down and up one row, stopping at the ends', () => {
    expect(nextIndex(0, 'ArrowDown', 3)).toBe(1);
    expect(nextIndex(2, 'ArrowDown', 3)).toBe(2);
    expect(nextIndex(1, 'ArrowUp', 3)).toBe(0);
    expect(nextIndex(0, 'ArrowUp', 3)).toBe(0);
  });

  it('starts at the first row when nothing is selected', () => {
    expect(nextIndex(-1, 'ArrowDown', 3)).toBe(0);
    expect(nextIndex(-1, 'ArrowUp', 3)).toBe(0);
  });

  it('jumps with Home, End and the page keys', () => {
    expect(nextIndex(5, 'Home', 30)).toBe(0);
    expect(nextIndex(5, 'End', 30)).toBe(29);
    expect(nextIndex(5, 'PageDown', 30)).toBe(15);
    expect(nextIndex(25, 'PageDown', 30)).toBe(29);
    expect(nextIndex(5, 'PageUp', 30)).toBe(0);
  });

  it('has nothing to select in an empty list', () => {
    expect(nextIndex(0, 'ArrowDown', 0)).toBe(-1);
    expect(keepIndex(3, 0)).toBe(-1);
  });

  it('keeps a selection inside a list that shrank', () => {
    expect(keepIndex(7, 3)).toBe(2);
    expect(keepIndex(1, 3)).toBe(1);
  });

  it('knows which keys are its own', () => {
    expect(isNavKey('ArrowDown')).toBe(true);
    expect(isNavKey('Enter')).toBe(false);
    expect(isNavKey('a')).toBe(false);
  });
});
