import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PendingDeletions } from './photoDeletions.svelte';

describe('deleting a photo with time to undo', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('hides the photo at once but records nothing until the undo time has passed', async () => {
    const commit = vi.fn(() => Promise.resolve());
    const d = new PendingDeletions(() => {}, 6_000);
    d.schedule('p1', 'job1', commit);
    expect(d.has('p1')).toBe(true);
    await vi.advanceTimersByTimeAsync(5_900);
    expect(commit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(200);
    expect(commit).toHaveBeenCalledTimes(1);
    expect(d.has('p1')).toBe(false);
  });

  it('Undo keeps the photo: nothing is ever recorded', async () => {
    const commit = vi.fn(() => Promise.resolve());
    const d = new PendingDeletions(() => {}, 6_000);
    d.schedule('p1', 'job1', commit);
    expect(d.undo('p1')).toBe(true);
    expect(d.has('p1')).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(commit).not.toHaveBeenCalled();
    expect(d.undo('p1')).toBe(false);
  });

  it('Undo after the deletion was recorded changes nothing', async () => {
    const commit = vi.fn(() => Promise.resolve());
    const d = new PendingDeletions(() => {}, 6_000);
    d.schedule('p1', 'job1', commit);
    await vi.advanceTimersByTimeAsync(6_000);
    expect(d.undo('p1')).toBe(false);
    expect(commit).toHaveBeenCalledTimes(1);
  });

  it('leaving a job records its deletions at once, once; another job’s wait on', async () => {
    const a = vi.fn(() => Promise.resolve());
    const b = vi.fn(() => Promise.resolve());
    const d = new PendingDeletions(() => {}, 6_000);
    d.schedule('p1', 'job1', a);
    d.schedule('p2', 'job2', b);
    d.schedule('p1', 'job1', a); // a second click on the same photo
    await d.flush('job2');
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).not.toHaveBeenCalled();
    expect(d.size).toBe(1);
    await d.flush();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
    expect(d.size).toBe(0);
  });

  it('a refused deletion is reported (and the photo shows again)', async () => {
    const onError = vi.fn();
    const d = new PendingDeletions(onError, 6_000);
    d.schedule('p1', 'job1', () => Promise.reject(new Error('completed')));
    await d.flush();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(d.has('p1')).toBe(false);
  });
});
