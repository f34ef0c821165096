import { describe, expect, it } from 'vitest';
import { ApiError } from '../../lib/api';
import { IN_FLIGHT, PhotoQueue, type PhotoSource } from './photoQueue.svelte';

const source = (name: string): PhotoSource => ({
  name,
  size: 10,
  bytes: () => Promise.resolve(new Uint8Array([1, 2, 3])),
});

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('PhotoQueue', () => {
  it('sends at most a few files at once and finishes every one', async () => {
    let inFlight = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const q = new PhotoQueue(() => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      return new Promise<void>((r) =>
        release.push(() => {
          inFlight -= 1;
          r();
        }),
      );
    });
    q.add(Array.from({ length: 7 }, (_, i) => source(`p${i}.jpg`)));
    await settle();
    expect(q.busy).toBe(true);
    while (q.busy) {
      release.shift()?.();
      await settle();
    }
    expect(most).toBe(IN_FLIGHT);
    expect(q.done).toBe(7);
    expect(q.items.every((i) => i.state === 'done')).toBe(true);
  });

  it('a bad file fails with its error and the others still import', async () => {
    const q = new PhotoQueue((name) =>
      name === 'bad.heic'
        ? Promise.reject(new ApiError('unsupported_format', 'bad.heic is HEIC'))
        : Promise.resolve(),
    );
    q.add([source('a.jpg'), source('bad.heic'), source('b.jpg')]);
    while (q.busy) await settle();
    expect(q.done).toBe(2);
    expect(q.failed).toBe(1);
    const bad = q.items.find((i) => i.name === 'bad.heic');
    expect(bad?.error).toBeInstanceOf(ApiError);
    expect(bad?.error?.code).toBe('unsupported_format');
  });

  it('a new batch clears the finished one but keeps its failures', async () => {
    const q = new PhotoQueue((name) =>
      name.startsWith('bad') ? Promise.reject(new Error('no')) : Promise.resolve(),
    );
    q.add([source('a.jpg'), source('bad.txt')]);
    while (q.busy) await settle();
    q.add([source('c.jpg')]);
    while (q.busy) await settle();
    expect(q.items.map((i) => i.name)).toEqual(['bad.txt', 'c.jpg']);
  });
});
