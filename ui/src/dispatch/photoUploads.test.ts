import { describe, expect, it } from 'vitest';

import { ApiError } from '../lib/api/errors';
import type { KbPhoto, UploadProgress } from '../lib/api/headoffice';
import { PhotoUploads, percent, retryable } from './photoUploads.svelte';

interface Call {
  file: Blob;
  onProgress: UploadProgress;
  resolve: (p: KbPhoto) => void;
  reject: (e: unknown) => void;
}

/** An upload function whose calls the test answers one by one. */
function fakeSend() {
  const calls: Call[] = [];
  const send = (file: Blob, onProgress: UploadProgress) =>
    new Promise<KbPhoto>((resolve, reject) => calls.push({ file, onProgress, resolve, reject }));
  return { calls, send };
}

const photo = (sha: string): KbPhoto => ({
  sha256: sha.padEnd(64, '0'),
  thumb_sha256: sha.padEnd(64, '1'),
  width: 640,
  height: 480,
  bytes: 1000,
});

const file = (name: string, size = 100) => new File([new Uint8Array(size)], name);

/** Lets the queue's promise callbacks run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('PhotoUploads', () => {
  it('sends two files at a time and hands the pictures over in the order given', async () => {
    const { calls, send } = fakeSend();
    const added: string[] = [];
    const q = new PhotoUploads(send, (p) => added.push(p.sha256.slice(0, 1)));
    q.add([file('a.jpg'), file('b.jpg'), file('c.jpg')]);
    expect(calls).toHaveLength(2);
    expect(q.items.map((i) => i.state)).toEqual(['uploading', 'uploading', 'waiting']);
    expect(q.busy).toBe(true);

    // The second finishes first: it waits for the first.
    calls[1]?.resolve(photo('b'));
    await settle();
    expect(added).toEqual([]);
    expect(calls).toHaveLength(3);
    calls[0]?.resolve(photo('a'));
    await settle();
    expect(added).toEqual(['a', 'b']);
    expect(q.items.map((i) => i.name)).toEqual(['c.jpg']);
    calls[2]?.resolve(photo('c'));
    await settle();
    expect(added).toEqual(['a', 'b', 'c']);
    expect(q.items).toEqual([]);
    expect(q.busy).toBe(false);
  });

  it('keeps a failed file with its reason, and the others go on', async () => {
    const { calls, send } = fakeSend();
    const added: string[] = [];
    const q = new PhotoUploads(send, (p) => added.push(p.sha256.slice(0, 1)), 1);
    q.add([file('notes.txt'), file('b.jpg')]);
    calls[0]?.reject(new ApiError('not_an_image', 'the picture: not a picture'));
    await settle();
    expect(q.items[0]).toMatchObject({ name: 'notes.txt', state: 'failed' });
    expect(q.items[0]?.error?.code).toBe('not_an_image');
    expect(q.failed).toBe(1);
    calls[1]?.resolve(photo('b'));
    await settle();
    // A failure does not hold back the pictures after it.
    expect(added).toEqual(['b']);
    expect(q.items.map((i) => i.name)).toEqual(['notes.txt']);
    expect(q.busy).toBe(false);
  });

  it('sends a failed file again on retry, and forgets it on dismiss', async () => {
    const { calls, send } = fakeSend();
    const added: string[] = [];
    const q = new PhotoUploads(send, (p) => added.push(p.sha256.slice(0, 1)));
    q.add([file('a.jpg'), file('b.jpg')]);
    calls[0]?.reject(new ApiError('network', 'offline'));
    calls[1]?.reject(new ApiError('not_an_image', 'no'));
    await settle();
    expect(q.failed).toBe(2);
    const [a, b] = q.items;
    // The same text file would be refused again.
    q.retry(b?.key ?? 0);
    expect(calls).toHaveLength(2);
    q.retry(a?.key ?? 0);
    expect(calls).toHaveLength(3);
    expect(calls[2]?.file).toBe(calls[0]?.file);
    expect(q.items.find((i) => i.key === a?.key)?.state).toBe('uploading');
    calls[2]?.resolve(photo('a'));
    await settle();
    expect(added).toEqual(['a']);
    q.dismiss(b?.key ?? 0);
    expect(q.items).toEqual([]);
  });

  it('follows the progress of an upload, then waits for head office to process it', () => {
    const { calls, send } = fakeSend();
    const q = new PhotoUploads(send, () => {});
    q.add([file('big.jpg', 1000)]);
    calls[0]?.onProgress(250, 1000);
    expect(q.items[0]).toMatchObject({ state: 'uploading', sent: 250 });
    expect(percent(q.items[0] ?? { sent: 0, size: 1 })).toBe(25);
    calls[0]?.onProgress(1000, 1000);
    expect(q.items[0]?.state).toBe('processing');
    expect(q.busy).toBe(true);
  });

  it('ignores retry and dismiss of files that did not fail', () => {
    const { calls, send } = fakeSend();
    const q = new PhotoUploads(send, () => {});
    q.add([file('a.jpg')]);
    const key = q.items[0]?.key ?? 0;
    q.retry(key);
    q.dismiss(key);
    expect(calls).toHaveLength(1);
    expect(q.items).toHaveLength(1);
  });
});

describe('retryable', () => {
  it('is a failure on the way, not a picture head office refused', () => {
    expect(retryable(new ApiError('network', 'x'))).toBe(true);
    expect(retryable(new ApiError('internal', 'x'))).toBe(true);
    expect(retryable(new ApiError('not_an_image', 'x'))).toBe(false);
    expect(retryable(new ApiError('payload_too_large', 'x'))).toBe(false);
    expect(retryable(null)).toBe(false);
  });
});

describe('percent', () => {
  it('is whole numbers from 0 to 100', () => {
    expect(percent({ sent: 0, size: 300 })).toBe(0);
    expect(percent({ sent: 100, size: 300 })).toBe(33);
    expect(percent({ sent: 400, size: 300 })).toBe(100);
    expect(percent({ sent: 0, size: 0 })).toBe(100);
  });
});
