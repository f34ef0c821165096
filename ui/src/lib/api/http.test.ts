import { describe, expect, it } from 'vitest';

import { ApiError } from './errors';
import { createDispatchApi } from './headoffice';
import { HttpClient, query } from './http';

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  credentials: RequestCredentials | undefined;
}

/** A `fetch` that records requests and answers from a script. */
function fakeFetch(answer: (url: string, method: string) => [number, unknown]) {
  const seen: Seen[] = [];
  const fetcher: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = init?.method ?? 'GET';
    seen.push({
      url,
      method,
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body as string | undefined,
      credentials: init?.credentials,
    });
    const [status, body] = answer(url, method);
    const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
    return Promise.resolve(new Response(status === 204 ? null : text, { status }));
  };
  return { fetcher, seen };
}

const SESSION = {
  user_id: 'u1',
  user_name: 'dispatcher',
  role: 'dispatcher',
  csrf_token: 'csrf-123',
  expires_at: '2026-11-28T20:00:00Z',
};

describe('the head-office HTTP client', () => {
  it('sends the cookie on the same origin and the CSRF token only on mutating requests', async () => {
    const { fetcher, seen } = fakeFetch((url) =>
      url.endsWith('/auth/session') ? [200, SESSION] : [200, []],
    );
    const api = createDispatchApi(new HttpClient({ fetch: fetcher }));
    await api.signIn('dispatcher', 'secret');
    await api.jobs({ status: ['new', 'scheduled'], assignee: 'none' });
    await api.cancel('job 1', 'customer called');
    expect(seen.map((s) => s.credentials)).toEqual(['same-origin', 'same-origin', 'same-origin']);
    expect(seen[1]?.url).toBe('/api/v1/jobs?status=new%2Cscheduled&assignee=none');
    expect(seen[1]?.headers['X-CSRF-Token']).toBeUndefined();
    expect(seen[2]?.url).toBe('/api/v1/jobs/job%201/cancel');
    expect(seen[2]?.headers['X-CSRF-Token']).toBe('csrf-123');
    expect(JSON.parse(seen[2]?.body ?? '{}')).toEqual({ reason: 'customer called' });
  });

  it('turns {code, message} bodies into typed errors', async () => {
    const { fetcher } = fakeFetch(() => [
      409,
      { code: 'transition_not_allowed', message: 'cannot close a new job' },
    ]);
    const api = createDispatchApi(new HttpClient({ fetch: fetcher }));
    const error = await api.close('j', null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('transition_not_allowed');
    expect((error as ApiError).message).toBe('cannot close a new job');
  });

  it('names an error by its status when the body is not {code, message}', async () => {
    for (const [status, code] of [
      [502, 'internal'],
      [429, 'rate_limited'],
      [404, 'not_found'],
    ] as const) {
      const { fetcher } = fakeFetch(() => [status, '<html>proxy error</html>']);
      const error = await new HttpClient({ fetch: fetcher }).get('/x').catch((e: unknown) => e);
      expect((error as ApiError).code).toBe(code);
    }
  });

  it('reports an unreachable head office as a network error', async () => {
    const fetcher = (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch;
    const error = await new HttpClient({ fetch: fetcher }).get('/x').catch((e: unknown) => e);
    expect((error as ApiError).code).toBe('network');
  });

  it('says when a session has ended, and a signed-out browser simply has no session', async () => {
    let expired = false;
    const { fetcher } = fakeFetch((url) =>
      url.endsWith('/auth/session') && !expired
        ? [200, SESSION]
        : [401, { code: 'session_expired', message: 'the session has expired; sign in again' }],
    );
    const api = createDispatchApi(new HttpClient({ fetch: fetcher }));
    let lost = 0;
    api.onSessionLost(() => (lost += 1));
    expect(await api.session()).toEqual(SESSION);
    expired = true;
    await expect(api.technicians()).rejects.toMatchObject({ code: 'session_expired' });
    expect(lost).toBe(1);
    // Signed out now: asking for the session is not an error, and does not fire again.
    expect(await api.session()).toBeNull();
    expect(lost).toBe(1);
  });

  it('builds query strings from the values that are set', () => {
    expect(query({ a: 1, b: null, c: undefined, d: '', e: 'x y' })).toBe('?a=1&e=x%20y');
    expect(query({})).toBe('');
  });
});

describe('job lists longer than a page', () => {
  it('are fetched page by page until a short page', async () => {
    const { allJobs } = await import('./headoffice');
    const offsets: number[] = [];
    const rows = (n: number) => Array.from({ length: n }, () => ({}) as never);
    const got = await allJobs(
      {
        jobs: (f) => {
          offsets.push(f.offset ?? -1);
          return Promise.resolve(rows(f.offset === 2000 ? 5 : 1000));
        },
      },
      { status: ['new'] },
    );
    expect(offsets).toEqual([0, 1000, 2000]);
    expect(got).toHaveLength(2005);
  });
});
