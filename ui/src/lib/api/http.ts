/**
 * The HTTP transport of the dispatcher console: `fetch` to head office on the same origin, with
 * the session cookie (HttpOnly, so scripts never see it) and the session's CSRF token on every
 * mutating request. Every failure becomes an `ApiError` from the server's `{code, message}`
 * body, or `network` when head office could not be reached.
 */
import { ApiError } from './errors';

const MUTATING = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/** Called when head office says the session is gone (expired, signed out elsewhere). */
export type SessionLost = (error: ApiError) => void;

export interface HttpOptions {
  /** Where `/api/v1` lives; empty for the same origin. */
  base?: string;
  fetch?: typeof fetch;
}

/** Codes that mean "sign in again" when they answer a request made inside a session. */
const SESSION_CODES: ReadonlySet<string> = new Set([
  'unauthorized',
  'session_expired',
  'user_disabled',
]);

export class HttpClient {
  private readonly base: string;
  private readonly fetcher: typeof fetch;
  private csrf: string | null = null;
  private lost: SessionLost | null = null;

  constructor(options: HttpOptions = {}) {
    this.base = options.base ?? '';
    // `fetch` called as a method of another object throws "Illegal invocation".
    this.fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** The CSRF token of the current session (`null` when signed out). */
  setCsrfToken(token: string | null): void {
    this.csrf = token;
  }

  onSessionLost(handler: SessionLost | null): void {
    this.lost = handler;
  }

  /** A URL for an `<img>` (same origin, so the cookie goes with it). */
  url(path: string): string {
    return `${this.base}${path}`;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (MUTATING.has(method) && this.csrf) headers['X-CSRF-Token'] = this.csrf;
    let response: Response;
    try {
      response = await this.fetcher(this.url(path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (reason) {
      throw new ApiError('network', reason instanceof Error ? reason.message : String(reason));
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown = null;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!response.ok) {
      const error = errorFrom(response.status, parsed, text);
      // A request made with a session that head office no longer knows: sign in again.
      if (this.csrf !== null && SESSION_CODES.has(error.code)) this.lost?.(error);
      throw error;
    }
    return parsed as T;
  }

  /**
   * A file download (a PDF, an image) as a `Blob` with the name head office gives it in
   * `Content-Disposition`; failures are `ApiError`s like any request's.
   */
  async download(path: string): Promise<{ blob: Blob; fileName: string | null }> {
    let response: Response;
    try {
      response = await this.fetcher(this.url(path), {
        method: 'GET',
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (reason) {
      throw new ApiError('network', reason instanceof Error ? reason.message : String(reason));
    }
    if (!response.ok) {
      const text = await response.text();
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
      const error = errorFrom(response.status, parsed, text);
      if (this.csrf !== null && SESSION_CODES.has(error.code)) this.lost?.(error);
      throw error;
    }
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? null;
    return { blob: await response.blob(), fileName: name };
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }
}

/** The `ApiError` of a failed response: its `{code, message}` body, or one named by status. */
export function errorFrom(status: number, body: unknown, text: string): ApiError {
  if (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { code?: unknown }).code === 'string' &&
    typeof (body as { message?: unknown }).message === 'string'
  ) {
    const b = body as { code: string; message: string };
    return new ApiError(b.code, b.message);
  }
  const code =
    status === 401
      ? 'unauthorized'
      : status === 404
        ? 'not_found'
        : status === 429
          ? 'rate_limited'
          : status >= 500
            ? 'internal'
            : 'invalid';
  return new ApiError(code, text.slice(0, 300));
}

/** `?a=1&b=x` from the values that are set. */
export function query(
  params: Record<string, string | number | boolean | null | undefined>,
): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}
