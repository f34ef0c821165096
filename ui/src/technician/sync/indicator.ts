/**
 * What the header's sync indicator says, from the shell's `SyncStatus`: pure, so every state is
 * tested without a window. The order of the checks is the order of what matters most to a
 * technician: a revoked laptop, then no head office at all, then a sign-in to redo, then a sync
 * under way, then no connection, then a problem, then work waiting, then all sent.
 */
import type { SyncStatus } from '../../lib/api/sync';
import type { MessageKey, Params } from '../../lib/i18n';

export type IndicatorKind =
  | 'revoked'
  | 'local'
  | 'sign_in'
  | 'syncing'
  | 'offline'
  | 'error'
  | 'pending'
  | 'synced'
  | 'never';

/** Looks a message up (the app's `t`, or `translate` bound to a locale in tests). */
export type Translate = (key: MessageKey, params?: Params) => string;

export interface Indicator {
  kind: IndicatorKind;
  /** The short text in the header. */
  text: string;
  /** The accessible name and tooltip: the state in full and what a click does. */
  label: string;
  /** Whether a click opens the sign-in screen (rather than syncing now). */
  opensSignIn: boolean;
}

/**
 * "3 changes and 2 photos", or `null` when nothing waits to be sent. A photo counts once (its
 * thumbnail travels with it); signatures are counted on their own.
 */
export function pendingText(s: SyncStatus, t: Translate): string | null {
  const parts: string[] = [];
  if (s.pending_mutations > 0) {
    parts.push(t('sync.count.changes', { count: s.pending_mutations }));
  }
  if (s.pending_photos > 0) parts.push(t('sync.count.photos', { count: s.pending_photos }));
  if (s.pending_signatures > 0) {
    parts.push(t('sync.count.signatures', { count: s.pending_signatures }));
  }
  const [a, b, c] = parts;
  if (a === undefined) return null;
  if (b === undefined) return a;
  return c === undefined ? t('sync.count.and', { a, b }) : t('sync.count.three', { a, b, c });
}

/** The sentence that explains why a sync failed, by the error's code. */
export function syncErrorKey(code: string): MessageKey {
  switch (code) {
    case 'offline':
      return 'sync.error.offline';
    case 'timeout':
      return 'sync.error.timeout';
    case 'certificate':
      return 'sync.error.certificate';
    case 'server_error':
      return 'sync.error.serverError';
    case 'rate_limited':
      return 'sync.error.rateLimited';
    case 'unauthorized':
      return 'sync.error.unauthorized';
    case 'device_revoked':
      return 'sync.error.revoked';
    case 'protocol':
      return 'sync.error.protocol';
    case 'hash_mismatch':
    case 'refused':
      return 'sync.error.refused';
    default:
      return 'sync.error.other';
  }
}

/** Whole seconds until the background sync tries again (never below 0), or `null`. */
export function secondsUntil(iso: string | null, now: Date): number | null {
  if (iso === null) return null;
  const ms = new Date(iso).getTime() - now.getTime();
  if (!Number.isFinite(ms)) return null;
  return Math.max(0, Math.ceil(ms / 1000));
}

/** What "Sync now" has led to so far. */
export type SyncNowState = 'idle' | 'trying' | 'synced' | 'failed';

/**
 * Whether the round "Sync now" asked for is over: the status is no longer syncing and the
 * engine has set a new next attempt (it does so after every round), or a new last sync.
 */
export function attemptFinished(before: SyncStatus, after: SyncStatus): boolean {
  if (after.syncing) return false;
  return (
    after.next_attempt_at !== before.next_attempt_at || after.last_sync_at !== before.last_sync_at
  );
}

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function timeAgo(iso: string, now: Date, t: Translate): string {
  const minutes = Math.floor((now.getTime() - new Date(iso).getTime()) / 60_000);
  if (!Number.isFinite(minutes) || minutes < 1) return t('sync.ago.now');
  if (minutes < 60) return t('sync.ago.minutes', { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('sync.ago.hours', { count: hours });
  return t('sync.ago.days', { count: Math.floor(hours / 24) });
}

/** What the round under way is doing. */
export function progressText(s: SyncStatus, t: Translate): string {
  const p = s.progress;
  if (!p) return t('sync.progress.start');
  switch (p.step) {
    case 'pushing':
      return t('sync.progress.pushing', { count: p.remaining });
    case 'uploading':
      return t('sync.progress.uploading', { done: p.done, total: p.total });
    case 'pulling':
      return t('sync.progress.pulling', { count: p.records });
    case 'downloading':
      return t('sync.progress.downloading', { done: p.done, total: p.total });
  }
}

export function indicator(s: SyncStatus | null, now: Date, t: Translate): Indicator {
  const make = (kind: IndicatorKind, text: string, action: MessageKey): Indicator => ({
    kind,
    text,
    label: t('sync.indicator.label', { state: text, action: t(action) }),
    opensSignIn: action === 'sync.action.signIn',
  });
  if (s === null) return make('never', t('sync.state.loading'), 'sync.action.signIn');
  if (!s.signed_in && s.revoked) {
    return make('revoked', t('sync.state.revoked'), 'sync.action.signIn');
  }
  const pending = pendingText(s, t);
  if (!s.signed_in) {
    const text = pending ? t('sync.state.localPending', { pending }) : t('sync.state.local');
    return make('local', text, 'sync.action.signIn');
  }
  if (s.needs_sign_in) return make('sign_in', t('sync.state.signInAgain'), 'sync.action.signIn');
  if (s.syncing) return make('syncing', progressText(s, t), 'sync.action.now');
  if (s.online === false) {
    const text = pending ? t('sync.state.offlinePending', { pending }) : t('sync.state.offline');
    return make('offline', text, 'sync.action.now');
  }
  if (s.last_error) return make('error', t('sync.state.error'), 'sync.action.now');
  if (pending) return make('pending', t('sync.state.pending', { pending }), 'sync.action.now');
  if (s.last_sync_at) {
    const text = t('sync.state.synced', { ago: timeAgo(s.last_sync_at, now, t) });
    return make('synced', text, 'sync.action.now');
  }
  return make('never', t('sync.state.never'), 'sync.action.now');
}

/**
 * Whether an address is plain `http://` to another computer, which the technician must allow
 * explicitly (loopback — this laptop itself — is always allowed). An address without a scheme
 * is `https://`.
 */
export function needsInsecureConsent(address: string): boolean {
  const raw = address.trim();
  if (!/^http:\/\//i.test(raw)) return false;
  let host: string;
  try {
    host = new URL(raw).hostname.toLowerCase();
  } catch {
    return false;
  }
  host = host.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return false;
  return !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Which sentence explains a failed sign-in: one for each code a technician can act on. */
export function signInErrorKey(code: string): MessageKey | null {
  switch (code) {
    case 'unauthorized':
      return 'signIn.error.unauthorized';
    case 'offline':
      return 'signIn.error.offline';
    case 'rate_limited':
      return 'signIn.error.rateLimited';
    case 'protocol':
      return 'signIn.error.protocol';
    case 'certificate':
      return 'signIn.error.certificate';
    default:
      // bad_address, invalid (another technician's unsent work), refused…: the message says
      // exactly what is wrong.
      return null;
  }
}
