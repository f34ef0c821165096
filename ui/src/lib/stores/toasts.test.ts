import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  act,
  dismiss,
  MAX_TOASTS,
  notify,
  notifyWithAction,
  stacked,
  type Toast,
  toasts,
} from './toasts.svelte';

const toast = (id: number, title: string, withAction = false): Toast => ({
  id,
  kind: 'info',
  title,
  detail: null,
  action: withAction ? { label: 'Undo', run: () => {} } : null,
});

describe('toasts stack with a maximum', () => {
  it('keeps at most three, dropping the oldest', () => {
    let list: Toast[] = [];
    for (let i = 1; i <= 5; i++) list = stacked(list, toast(i, `t${i}`));
    expect(MAX_TOASTS).toBe(3);
    expect(list.map((t) => t.id)).toEqual([3, 4, 5]);
  });

  it('drops a plain confirmation before an Undo that is still running', () => {
    let list: Toast[] = [toast(1, 'Photo deleted', true)];
    for (let i = 2; i <= 5; i++) list = stacked(list, toast(i, `t${i}`));
    expect(list.map((t) => t.id)).toEqual([1, 4, 5]);
  });

  it('shows the same sentence once, but every Undo (one per deleted photo)', () => {
    let list = stacked([toast(1, 'Saved')], toast(2, 'Saved'));
    expect(list.map((t) => t.id)).toEqual([2]);
    list = stacked([toast(1, 'Photo deleted', true)], toast(2, 'Photo deleted', true));
    expect(list.map((t) => t.id)).toEqual([1, 2]);
  });
});

describe('a toast with a button', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    for (const t of toasts()) dismiss(t.id);
    vi.useRealTimers();
  });

  it('runs its action once when pressed, and closes', () => {
    const run = vi.fn();
    notifyWithAction('Photo deleted', { label: 'Undo', run }, 6_000);
    const [shown] = toasts();
    expect(shown?.action?.label).toBe('Undo');
    if (shown) act(shown);
    expect(run).toHaveBeenCalledTimes(1);
    expect(toasts()).toHaveLength(0);
  });

  it('stays for the time it offers, then goes without running', () => {
    const run = vi.fn();
    notifyWithAction('Photo deleted', { label: 'Undo', run }, 6_000);
    notify('Note added');
    vi.advanceTimersByTime(3_500);
    expect(toasts().map((t) => t.title)).toEqual(['Photo deleted']);
    vi.advanceTimersByTime(2_600);
    expect(toasts()).toHaveLength(0);
    expect(run).not.toHaveBeenCalled();
  });
});
