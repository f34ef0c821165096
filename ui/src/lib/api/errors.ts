/**
 * Errors from the backend arrive as `{code, message}`; everything else that can go wrong on the
 * way (no backend, a bug in a transport) is folded into the same shape so screens handle one
 * type.
 */

/**
 * Codes the core and the shell send today (see crates/fieldwork-cli/README.md), and those head
 * office's dispatcher API adds (crates/fieldwork-sync `wire::codes`).
 */
export const KNOWN_ERROR_CODES = [
  'not_found',
  'transition_not_allowed',
  'reason_required',
  'completion_blocked',
  'invalid',
  'too_long',
  'forbidden',
  'database_too_new',
  'not_a_database',
  'data_dir_unusable',
  'not_initialised',
  'unsupported_format',
  'not_an_image',
  'image_too_large',
  'disk_full',
  'database',
  'io',
  'unauthorized',
  'session_expired',
  'csrf_failed',
  'already_exists',
  'rate_limited',
  'payload_too_large',
  'internal',
  'user_disabled',
  'own_account',
  'job_type_inactive',
] as const;

/** Codes the UI itself produces (`network`: head office could not be reached). */
export const CLIENT_ERROR_CODES = ['no_backend', 'network', 'unexpected'] as const;

export type KnownErrorCode =
  (typeof KNOWN_ERROR_CODES)[number] | (typeof CLIENT_ERROR_CODES)[number];

export class ApiError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }

  /** Whether the code is one the UI has a sentence for. */
  get known(): boolean {
    return isKnownErrorCode(this.code);
  }
}

export function isKnownErrorCode(code: string): code is KnownErrorCode {
  return (
    (KNOWN_ERROR_CODES as readonly string[]).includes(code) ||
    (CLIENT_ERROR_CODES as readonly string[]).includes(code)
  );
}

function isCodeMessage(value: unknown): value is { code: string; message: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

/** Turns whatever a transport rejected with into an `ApiError`. */
export function toApiError(reason: unknown): ApiError {
  if (reason instanceof ApiError) return reason;
  if (isCodeMessage(reason)) return new ApiError(reason.code, reason.message);
  if (typeof reason === 'string') {
    // Tauri rejects with the serialised error; a JSON string is still `{code, message}`.
    try {
      const parsed: unknown = JSON.parse(reason);
      if (isCodeMessage(parsed)) return new ApiError(parsed.code, parsed.message);
    } catch {
      // Not JSON: a plain sentence from the shell.
    }
    return new ApiError('unexpected', reason);
  }
  if (reason instanceof Error) return new ApiError('unexpected', reason.message);
  return new ApiError('unexpected', 'unknown error');
}

/**
 * Codes whose backend message names the specific problem (which field, what limit, what is
 * missing) and is written for people; for the others the message is technical detail that a
 * technician cannot act on, so only the sentence for the code is shown.
 */
const DETAIL_WORTH_SHOWING: ReadonlySet<string> = new Set([
  'not_found',
  'transition_not_allowed',
  'reason_required',
  'completion_blocked',
  'invalid',
  'too_long',
  'forbidden',
  'database_too_new',
  'data_dir_unusable',
  'not_initialised',
  // Which file and why (the format it is, its size): the user needs to know which one failed.
  'unsupported_format',
  'not_an_image',
  'image_too_large',
  'already_exists',
  'job_type_inactive',
]);

export interface ErrorSentence {
  /** A sentence in the user's language, by code. */
  title: string;
  /** The backend's own sentence when it adds something useful; `null` otherwise. */
  detail: string | null;
}

/**
 * What to show for an error: a sentence for the code in the user's language and, when it helps,
 * the backend's specific sentence. An unknown code shows the backend's message (it is written
 * for people), never a stack or an object dump.
 */
export function describeError(
  error: ApiError,
  sentenceFor: (code: KnownErrorCode) => string,
): ErrorSentence {
  const detail = capitalise(error.message.trim());
  if (isKnownErrorCode(error.code)) {
    const title = sentenceFor(error.code);
    const showDetail = detail !== '' && DETAIL_WORTH_SHOWING.has(error.code) && detail !== title;
    return { title, detail: showDetail ? detail : null };
  }
  return detail !== ''
    ? { title: detail, detail: null }
    : { title: sentenceFor('unexpected'), detail: null };
}

function capitalise(s: string): string {
  return s.length === 0 ? s : s.charAt(0).toUpperCase() + s.slice(1);
}
