import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { ArticleSummary } from '../../lib/types/ArticleSummary';
import { EMPTY_QUERY, isNarrowed, type KbQuery, KbSearch, sameQuery } from './kbSearch.svelte';

function summary(id: string): ArticleSummary {
  return {
    id,
    version: 1,
    category: 'water_heater',
    brands: [],
    models: [],
    fault_codes: ['E4'],
    titles: [{ language: 'en', title: id }],
    updated_at: '2026-11-01T00:00:00Z',
  };
}

/** A search backend whose answers the test releases one by one. */
function backend() {
  const asked: KbQuery[] = [];
  const waiting: ((found: ArticleSummary[]) => void)[] = [];
  const failures: ((e: unknown) => void)[] = [];
  const run = (q: KbQuery) => {
    asked.push(q);
    return new Promise<ArticleSummary[]>((resolve, reject) => {
      waiting.push(resolve);
      failures.push(reject);
    });
  };
  return {
    asked,
    run,
    answer: async (found: ArticleSummary[]) => {
      failures.shift();
      waiting.shift()?.(found);
      await vi.advanceTimersByTimeAsync(0);
    },
    fail: async (e: unknown) => {
      waiting.shift();
      failures.shift()?.(e);
      await vi.advanceTimersByTimeAsync(0);
    },
  };
}

const q = (text: string, more: Partial<KbQuery> = {}): KbQuery => ({
  ...EMPTY_QUERY,
  text,
  ...more,
});

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('searching the knowledge base as you type', () => {
  it('waits for a pause in typing and then asks only the last text', async () => {
    const b = backend();
    const search = new KbSearch(b.run, 150);
    search.ask(q('E'));
    await vi.advanceTimersByTimeAsync(100);
    search.ask(q('E2'));
    await vi.advanceTimersByTimeAsync(100);
    search.ask(q('E21 '));
    expect(search.pending).toBe(true);
    expect(b.asked).toEqual([]);
    await vi.advanceTimersByTimeAsync(150);
    expect(b.asked).toEqual([q('E21')]);
    await b.answer([summary('kb-washer')]);
    expect(search.pending).toBe(false);
    expect(search.results?.map((a) => a.id)).toEqual(['kb-washer']);
    expect(search.answers(q('E21'))).toBe(true);
    expect(search.answers(q('E2'))).toBe(false);
  });

  it('keeps one search in flight and drops answers to texts typed over', async () => {
    const b = backend();
    const search = new KbSearch(b.run, 150);
    search.ask(q('热'), true);
    expect(b.asked).toEqual([q('热')]);
    search.ask(q('热水'));
    await vi.advanceTimersByTimeAsync(150);
    search.ask(q('热水器'));
    await vi.advanceTimersByTimeAsync(150);
    // Still one in flight: the newer texts wait, and only the newest will be asked.
    expect(b.asked).toEqual([q('热')]);
    await b.answer([summary('stale')]);
    expect(search.results).toBeNull();
    expect(b.asked).toEqual([q('热'), q('热水器')]);
    expect(search.pending).toBe(true);
    await b.answer([summary('kb-heater')]);
    expect(search.results?.map((a) => a.id)).toEqual(['kb-heater']);
    expect(search.answered).toEqual(q('热水器'));
    expect(search.pending).toBe(false);
  });

  it('asks again for a filter, not for the same words with other spaces', async () => {
    const b = backend();
    const search = new KbSearch(b.run, 150);
    search.ask(q('E4'), true);
    await b.answer([]);
    search.ask(q(' E4 '));
    await vi.advanceTimersByTimeAsync(200);
    expect(b.asked).toHaveLength(1);
    search.ask(q('E4', { category: 'water_heater' }));
    await vi.advanceTimersByTimeAsync(200);
    expect(b.asked).toEqual([q('E4'), q('E4', { category: 'water_heater' })]);
    // `now` asks again even for the same question (after a sync).
    await b.answer([]);
    search.ask(q('E4', { category: 'water_heater' }), true);
    expect(b.asked).toHaveLength(3);
  });

  it('keeps the error as data and clears it with the next answer', async () => {
    const b = backend();
    const search = new KbSearch(b.run, 150);
    search.ask(q('E4'), true);
    await b.fail({ code: 'database', message: 'disk I/O error' });
    expect(search.error?.code).toBe('database');
    expect(search.pending).toBe(false);
    search.ask(q('E4'), true);
    await b.answer([summary('kb-heater')]);
    expect(search.error).toBeNull();
  });

  it('forgets a search still waiting for its pause when disposed', async () => {
    const b = backend();
    const search = new KbSearch(b.run, 150);
    search.ask(q('E4'));
    search.dispose();
    await vi.advanceTimersByTimeAsync(500);
    expect(b.asked).toEqual([]);
  });

  it('tells a narrowed question and equal questions apart', () => {
    expect(isNarrowed(EMPTY_QUERY)).toBe(false);
    expect(isNarrowed(q('  '))).toBe(false);
    expect(isNarrowed(q('', { brand: 'Haier' }))).toBe(true);
    expect(sameQuery(q('E4 '), q(' E4'))).toBe(true);
    expect(sameQuery(q('E4'), q('E4', { category: 'oven' }))).toBe(false);
  });
});
