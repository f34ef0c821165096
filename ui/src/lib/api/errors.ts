/**
 * Errors from the backend arrive as `{code, message}`; everything else that can go wrong on the
 * way (no backend, a bug in a transport) is folded into the same shape so screens handle one
 * type.
 */

import type { ErrorCode } from '../types/ErrorCode';

/** Codes the UI itself produces (`network`: head office could not be reached). */
export const CLIENT_ERROR_CODES = ['no_backend', 'network', 'unexpected'] as const;

/** Every code the UI has a sentence for: the backends' (`ErrorCode`, generated) and its own. */
export type KnownErrorCode = ErrorCode | (typeof CLIENT_ERROR_CODES)[number];

/**
 * For every code, whether the backend's message is worth showing under the code's sentence:
 * `true` where it names the specific problem (which field, what limit, what is missing) and is
 * written for people; `false` where it is technical detail nobody can act on. A `Record` over
 * the generated `ErrorCode`, so a code added in Rust without a decision here (and a sentence
 * `error.<code>` in the catalogues) does not compile.
 */
const SHOW_DETAIL: Record<KnownErrorCode, boolean> = {
  not_found: true,
  transition_not_allowed: true,
  reason_required: true,
  completion_blocked: true,
  invalid: true,
  too_long: true,
  forbidden: true,
  database_too_new: true,
  not_a_database: false,
  data_dir_unusable: true,
  not_initialised: true,
  // Which file and why (the format it is, its size): the user needs to know which one failed.
  unsupported_format: true,
  not_an_image: true,
  image_too_large: true,
  disk_full: false,
  database: false,
  io: false,
  report_font: false,
  report_pdf: false,
  output_unusable: true,
  offline: false,
  timeout: false,
  server_error: false,
  refused: true,
  bad_address: true,
  protocol: false,
  certificate: true,
  not_signed_in: false,
  unauthorized: false,
  device_revoked: false,
  session_expired: false,
  csrf_failed: false,
  user_disabled: false,
  dispatcher_owned: true,
  not_recordable: true,
  unsupported_mutation: true,
  offset_mismatch: false,
  hash_mismatch: false,
  duplicate_id: true,
  already_exists: true,
  payload_too_large: false,
  rate_limited: false,
  internal: false,
  schedule_overlap: true,
  job_type_inactive: true,
  own_account: false,
  role_change: true,
  open_complaint: true,
  stale_version: false,
  already_decided: true,
  no_backend: false,
  network: false,
  unexpected: false,
};

/** Every code the backends send (the generated `ErrorCode`) and the UI's own. */
export const KNOWN_ERROR_CODES = Object.keys(SHOW_DETAIL) as readonly KnownErrorCode[];

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
  return Object.prototype.hasOwnProperty.call(SHOW_DETAIL, code);
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
    const showDetail = detail !== '' && SHOW_DETAIL[error.code] && detail !== title;
    return { title, detail: showDetail ? detail : null };
  }
  return detail !== ''
    ? { title: detail, detail: null }
    : { title: sentenceFor('unexpected'), detail: null };
}

function capitalise(s: string): string {
  return s.length === 0 ? s : s.charAt(0).toUpperCase() + s.slice(1);
}
