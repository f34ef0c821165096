import { describe, expect, it } from 'vitest';

import { ApiError } from './errors';
import {
  KB_PHOTO_MAX_BYTES,
  type UploadTransport,
  createDispatchApi,
  fetchUpload,
} from './headoffice';
import { HttpClient } from './http';

const SESSION = {
  user_id: 'u1',
  user_name: 'admin',
  role: 'admin',
  csrf_token: 'csrf-123',
  expires_at: '2026-11-28T20:00:00Z',
};

const PHOTO = {
  sha256: 'a'.repeat(64),
  thumb_sha256: 'b'.repeat(64),
  width: 2560,
  height: 1920,
  bytes: 812_345,
};

type Request = Parameters<UploadTransport>[0];

/** An upload transport that records its requests and answers from a script. */
function fakeUpload(answer: (r: Request) => [number, unknown]) {
  const seen: Request[] = [];
  const upload: UploadTransport = (r) => {
    seen.push(r);
    const [status, body] = answer(r);
    r.onProgress?.(r.body.size, r.body.size);
    return Promise.resolve({
      status,
      text: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body),
    });
  };
  return { upload, seen };
}

/** A signed-in client whose uploads go to `upload`. */
async function signedIn(upload: UploadTransport) {
  const fetcher: typeof fetch = () =>
    Promise.resolve(new Response(JSON.stringify(SESSION), { status: 200 }));
  const api = createDispatchApi(new HttpClient({ fetch: fetcher }), upload);
  await api.signIn('admin', 'secret');
  return api;
}

describe('knowledge photos', () => {
  it('uploads the file’s bytes with the session’s CSRF token and answers the photo', async () => {
    const { upload, seen } = fakeUpload(() => [201, PHOTO]);
    const api = await signedIn(upload);
    const file = new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], 'filter.jpg', {
      type: 'image/jpeg',
    });
    const progress: number[] = [];
    const photo = await api.kbPhotoUpload(file, (sent) => progress.push(sent));
    expect(photo).toEqual(PHOTO);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('/api/v1/kb/photos');
    expect(seen[0]?.headers['Content-Type']).toBe('application/octet-stream');
    expect(seen[0]?.headers['X-CSRF-Token']).toBe('csrf-123');
    expect(seen[0]?.body).toBe(file);
    expect(progress).toEqual([4]);
  });

  it('turns head office’s refusal into its error code', async () => {
    const { upload } = fakeUpload(() => [
      400,
      { code: 'not_an_image', message: 'the picture: not a picture this app can read' },
    ]);
    const api = await signedIn(upload);
    const error = await api.kbPhotoUpload(new Blob(['hello'])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('not_an_image');
    expect((error as ApiError).message).toMatch(/not a picture/);
  });

  it('refuses a file over the limit without sending it', async () => {
    const { upload, seen } = fakeUpload(() => [201, PHOTO]);
    const api = await signedIn(upload);
    const big = { size: KB_PHOTO_MAX_BYTES + 1 } as Blob;
    const error = await api.kbPhotoUpload(big).catch((e: unknown) => e);
    expect((error as ApiError).code).toBe('image_too_large');
    expect((error as ApiError).message).toMatch(/limit is 40 MB/);
    expect(seen).toHaveLength(0);
  });

  it('says the session is lost when an upload is answered with an ended session', async () => {
    const { upload } = fakeUpload(() => [401, { code: 'session_expired', message: 'expired' }]);
    const api = await signedIn(upload);
    const lost: string[] = [];
    api.onSessionLost((code) => lost.push(code));
    await api.kbPhotoUpload(new Blob(['x'])).catch(() => {});
    expect(lost).toEqual(['session_expired']);
    // Signed out now: the next upload goes without a token.
    const error = await api.kbPhotoUpload(new Blob(['x'])).catch((e: unknown) => e);
    expect((error as ApiError).code).toBe('session_expired');
  });

  it('names a picture and its thumbnail by SHA-256', () => {
    const api = createDispatchApi(new HttpClient({ base: 'https://ho.example' }));
    expect(api.kbPhotoUrl('ab12', false)).toBe('https://ho.example/api/v1/kb/photos/ab12');
    expect(api.kbPhotoUrl('ab12', true)).toBe(
      'https://ho.example/api/v1/kb/photos/ab12?thumb=true',
    );
  });

  it('uploads through fetch where there is no XMLHttpRequest', async () => {
    const seen: RequestInit[] = [];
    const transport = fetchUpload((_url, init) => {
      seen.push(init ?? {});
      return Promise.resolve(new Response(JSON.stringify(PHOTO), { status: 201 }));
    });
    const body = new Blob(['abc']);
    const sent: number[] = [];
    const answer = await transport({
      url: '/api/v1/kb/photos',
      headers: { 'Content-Type': 'application/octet-stream' },
      body,
      onProgress: (n) => sent.push(n),
    });
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.text)).toEqual(PHOTO);
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.body).toBe(body);
    expect(seen[0]?.credentials).toBe('same-origin');
    expect(sent).toEqual([3]);
  });

  it('says head office could not be reached when fetch fails', async () => {
    const transport = fetchUpload(() => Promise.reject(new TypeError('Failed to fetch')));
    const error = await transport({ url: '/x', headers: {}, body: new Blob(['a']) }).catch(
      (e: unknown) => e,
    );
    expect((error as ApiError).code).toBe('network');
  });
});
