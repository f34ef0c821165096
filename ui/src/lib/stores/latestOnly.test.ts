import { describe, expect, it } from 'vitest';
import { latestOnly } from './latestOnly';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('latestOnly', () => {
  it('sends the first input at once, then only the newest of those typed meanwhile', async () => {
    const calls: { input: string; d: ReturnType<typeof deferred<string>> }[] = [];
    const shown: string[] = [];
    const busy: boolean[] = [];
    const s = latestOnly<string, string>(
      (input) => {
        const d = deferred<string>();
        calls.push({ input, d });
        return d.promise;
      },
      { result: (i, o) => shown.push(`${i}=${o}`), failure: () => {}, busy: (b) => busy.push(b) },
    );
    s.ask('w');
    s.ask('wa');
    s.ask('was');
    expect(calls.map((c) => c.input)).toEqual(['w']);
    calls[0]?.d.resolve('1');
    await flush();
    // 'w' was overtaken: its answer is not shown; only 'was' is asked next.
    expect(shown).toEqual([]);
    expect(calls.map((c) => c.input)).toEqual(['w', 'was']);
    calls[1]?.d.resolve('2');
    await flush();
    expect(shown).toEqual(['was=2']);
    expect(busy).toEqual([true, true, false]);
  });

  it('reports a failure of the newest request and keeps working afterwards', async () => {
    const errors: unknown[] = [];
    const shown: string[] = [];
    let n = 0;
    const s = latestOnly<string, string>(
      (input) => {
        n += 1;
        if (input === 'bad') return Promise.reject(new Error('boom'));
        return Promise.resolve(input.toUpperCase());
      },
      { result: (_i, o) => shown.push(o), failure: (e) => errors.push(e) },
    );
    s.ask('bad');
    await flush();
    s.ask('ok');
    await flush();
    expect(errors).toHaveLength(1);
    expect(shown).toEqual(['OK']);
    expect(n).toBe(2);
  });
});
