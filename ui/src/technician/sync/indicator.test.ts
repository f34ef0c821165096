import { describe, expect, it } from 'vitest';

import type { SyncStatus } from '../../lib/api/sync';
import type { MessageKey, Params } from '../../lib/i18n';
import { translate } from '../../lib/i18n/translate';
import {
  attemptFinished,
  indicator,
  needsInsecureConsent,
  pendingText,
  progressText,
  secondsUntil,
  signInErrorKey,
  syncErrorKey,
  timeAgo,
} from './indicator';
import { issueLine } from './issues';

const en = (key: MessageKey, params?: Params) => translate('en', key, params);
const zh = (key: MessageKey, params?: Params) => translate('zh', key, params);

const NOW = new Date('2026-11-28T10:00:00Z');

function status(over: Partial<SyncStatus> = {}): SyncStatus {
  return {
    signed_in: true,
    head_office: 'https://ho.example.com',
    user_name: 'tech1',
    online: true,
    syncing: false,
    pending_mutations: 0,
    pending_blobs: 0,
    pending_photos: 0,
    pending_signatures: 0,
    pending_downloads: 0,
    last_sync_at: '2026-11-28T09:58:00Z',
    last_error: null,
    next_attempt_at: null,
    rejected: 0,
    conflicts: 0,
    revoked: null,
    needs_sign_in: false,
    progress: null,
    ...over,
  };
}

describe('the sync indicator', () => {
  it('says when it last synced, and that a click syncs now', () => {
    const shown = indicator(status(), NOW, en);
    expect(shown).toMatchObject({ kind: 'synced', text: 'Synced 2 min ago', opensSignIn: false });
    expect(shown.label).toBe('Sync: Synced 2 min ago. Select to sync now.');
  });

  it('counts changes and photos waiting, in both languages', () => {
    const s = status({ pending_mutations: 3, pending_blobs: 1, pending_photos: 1 });
    expect(indicator(s, NOW, en).text).toBe('3 changes and 1 photo to send');
    expect(indicator(s, NOW, zh).text).toBe('3 项更改、1 张照片待发送');
    expect(indicator(status({ pending_mutations: 1 }), NOW, en).kind).toBe('pending');
    expect(pendingText(status(), en)).toBeNull();
  });

  it('counts a photo once, whatever its files, and signatures on their own', () => {
    const s = status({ pending_blobs: 3, pending_photos: 1, pending_signatures: 2 });
    expect(pendingText(s, en)).toBe('1 photo and 2 signatures');
    const all = status({ pending_mutations: 2, pending_photos: 1, pending_signatures: 1 });
    expect(pendingText(all, en)).toBe('2 changes, 1 photo and 1 signature');
    expect(pendingText(all, zh)).toBe('2 项更改、1 张照片、1 个签名');
  });

  it('shows offline with what waits, ahead of an old error', () => {
    const s = status({
      online: false,
      pending_mutations: 2,
      last_error: { code: 'offline', message: 'not reachable' },
    });
    expect(indicator(s, NOW, en)).toMatchObject({
      kind: 'offline',
      text: 'Offline · 2 changes waiting',
    });
    expect(indicator(status({ online: false }), NOW, en).text).toBe('Offline');
  });

  it('shows the step of a sync under way', () => {
    const pulling = status({
      syncing: true,
      progress: { step: 'pulling', records: 120, pages: 1 },
    });
    expect(indicator(pulling, NOW, en)).toMatchObject({
      kind: 'syncing',
      text: 'Receiving updates… (120)',
    });
    expect(progressText(status({ syncing: true }), en)).toBe('Syncing…');
    const up = status({ progress: { step: 'uploading', done: 2, total: 5, bytes: 10 } });
    expect(progressText(up, en)).toBe('Sending photos 2/5');
  });

  it('shows a problem when head office answered with an error', () => {
    const s = status({
      last_error: { code: 'server_error', message: 'head office refused the request: boom' },
    });
    expect(indicator(s, NOW, en).kind).toBe('error');
  });

  it('sends a laptop without head office, a revoked one or an expired sign-in to sign in', () => {
    const local = indicator(status({ signed_in: false, pending_mutations: 4 }), NOW, en);
    expect(local).toMatchObject({ kind: 'local', opensSignIn: true });
    expect(local.text).toBe('Not connected · 4 changes waiting');
    const revoked = status({ signed_in: false, revoked: 'Head office revoked this device (lost)' });
    expect(indicator(revoked, NOW, en)).toMatchObject({ kind: 'revoked', opensSignIn: true });
    expect(indicator(status({ needs_sign_in: true }), NOW, en)).toMatchObject({
      kind: 'sign_in',
      opensSignIn: true,
    });
  });

  it('says "not synced yet" before the first sync', () => {
    expect(indicator(status({ last_sync_at: null, online: null }), NOW, en).text).toBe(
      'Not synced yet',
    );
  });
});

describe('time ago', () => {
  it('rounds down to minutes, hours and days', () => {
    expect(timeAgo('2026-11-28T09:59:40Z', NOW, en)).toBe('just now');
    expect(timeAgo('2026-11-28T09:15:00Z', NOW, en)).toBe('45 min ago');
    expect(timeAgo('2026-11-28T07:00:00Z', NOW, en)).toBe('3 h ago');
    expect(timeAgo('2026-11-26T09:00:00Z', NOW, en)).toBe('2 days ago');
    expect(timeAgo('2026-11-27T09:00:00Z', NOW, zh)).toBe('1 天前');
    // A clock behind head office's: never "in 3 minutes".
    expect(timeAgo('2026-11-28T10:03:00Z', NOW, en)).toBe('just now');
  });
});

describe('sign-in form rules', () => {
  it('asks for consent only for plain http to another computer', () => {
    expect(needsInsecureConsent('http://192.168.1.20:8080')).toBe(true);
    expect(needsInsecureConsent('HTTP://ho.lan')).toBe(true);
    expect(needsInsecureConsent('http://127.0.0.1:8080')).toBe(false);
    expect(needsInsecureConsent('http://localhost:8080')).toBe(false);
    expect(needsInsecureConsent('http://[::1]:8080')).toBe(false);
    expect(needsInsecureConsent('https://ho.example.com')).toBe(false);
    expect(needsInsecureConsent('ho.example.com')).toBe(false);
    expect(needsInsecureConsent('http://')).toBe(false);
  });

  it('has a sentence for each error a technician can act on', () => {
    expect(signInErrorKey('unauthorized')).toBe('signIn.error.unauthorized');
    expect(signInErrorKey('offline')).toBe('signIn.error.offline');
    expect(signInErrorKey('certificate')).toBe('signIn.error.certificate');
    expect(signInErrorKey('bad_address')).toBeNull();
    expect(en('signIn.error.unauthorized')).toMatch(/user name and password/);
  });
});

describe('rejected changes and conflicts', () => {
  it('reads a rejection: the change and head office’s reason', () => {
    const line = issueLine(
      {
        id: 'm1',
        kind: 'rejection',
        job_id: 'j1',
        job_number: 'WO-2026-000001',
        record: { kind: 'status_changed', code: 'transition_not_allowed', reason: 'job is closed' },
        created_at: '2026-11-28T09:00:00Z',
      },
      en,
    );
    expect(line).toMatchObject({
      kind: 'rejection',
      jobNumber: 'WO-2026-000001',
      what: 'Status change',
      reason: 'This status change is not possible from the job’s status at head office.',
      detail: 'job is closed',
    });
    // A code this app does not know yet: head office's own words.
    const newer = issueLine(
      {
        id: 'm2',
        kind: 'rejection',
        job_id: null,
        job_number: null,
        record: { kind: 'note_added', code: 'quota_exceeded', reason: 'too many notes' },
        created_at: '',
      },
      en,
    );
    expect(newer).toMatchObject({ reason: 'too many notes', detail: null });
  });

  it('shows what a refused change held, from the copy the laptop kept', () => {
    const refused = (change: unknown) =>
      issueLine(
        {
          id: 'r',
          kind: 'rejection',
          job_id: 'j',
          job_number: 'WO-1',
          record: { kind: 'x', code: 'not_recordable', reason: 'cancelled', change },
          created_at: '',
        },
        en,
      ).content;
    expect(refused({ type: 'note_added', note: { body: 'Customer wants a callback' } })).toBe(
      'Customer wants a callback',
    );
    expect(
      refused({
        type: 'part_added',
        part: { part_no: 'P-1', description: 'Drain pump', quantity: 2 },
      }),
    ).toBe('Drain pump × 2');
    expect(refused({ type: 'time_entry_added', entry: { minutes: 45 } })).toBe('45 min');
    expect(refused({ type: 'feedback_given', feedback: { rating: 4, comment: 'Tidy' } })).toBe(
      '★★★★ Tidy',
    );
    expect(refused({ type: 'status_changed', to: 'en_route' })).toBeNull();
    expect(refused(undefined)).toBeNull();
  });

  it('reads a conflict, and copes with kinds it does not know', () => {
    const line = issueLine(
      {
        id: 'c1',
        kind: 'conflict',
        job_id: 'j2',
        job_number: null,
        record: { kind: 'cancelled_vs_completed', detail: 'cancelled by dispatch', field: null },
        created_at: '2026-11-28T09:00:00Z',
      },
      en,
    );
    expect(line.what).toBe('Cancelled at head office while you completed it');
    expect(line.reason).toMatch(/stays cancelled until a dispatcher decides/);
    expect(line.detail).toBe('cancelled by dispatch');
    const odd = issueLine(
      { id: 'x', kind: 'rejection', job_id: null, job_number: null, record: {}, created_at: '' },
      en,
    );
    expect(odd).toMatchObject({ what: '—', reason: '—' });
  });

  it('says which value of a field conflict was kept and which replaced, not the device ids', () => {
    const conflict = (record: Record<string, unknown>) =>
      issueLine(
        { id: 'c', kind: 'conflict', job_id: 'j', job_number: 'WO-1', record, created_at: '' },
        en,
      );
    const line = conflict({
      kind: 'field_overwritten',
      field: 'diagnosis',
      winning_value: 'Drain pump blocked by a coin',
      losing_value: 'Drain pump blocked',
      detail: 'diagnosis was set by 01a2-node-a and by 01a2-node-b at about the same time',
    });
    expect(line.what).toBe('Changed in two places');
    expect(line.reason).toBe(
      'Diagnosis: “Drain pump blocked by a coin” was kept; “Drain pump blocked” was replaced.',
    );
    expect(line.reason).not.toContain('node');

    const checklist = conflict({
      kind: 'field_overwritten',
      field: 'checklist:voltage',
      winning_value: '{"number":230}',
      losing_value: null,
    });
    expect(checklist.reason).toBe('Checklist item voltage: “230” was kept; “—” was replaced.');

    const long = conflict({
      kind: 'field_overwritten',
      field: 'resolution',
      winning_value: 'x'.repeat(200),
      losing_value: 'y',
    });
    expect(long.reason).toContain(`“${'x'.repeat(79)}…”`);
  });
});

describe('why a sync failed, in a sentence', () => {
  const raw =
    'head office is not reachable: error sending request for url (http://127.0.0.1:8080/api/v1/sync/push): client error (Connect): tcp connect error: Connection refused (os error 111)';

  it('explains an unreachable head office without the transport’s words, in en and zh', () => {
    const key = syncErrorKey('offline');
    expect(en(key)).toMatch(/^Head office cannot be reached/);
    expect(zh(key)).toMatch(/^无法连接总部/);
    for (const sentence of [en(key), zh(key)]) {
      expect(sentence).not.toMatch(/os error|Connection refused|error sending request/);
      expect(raw).not.toContain(sentence);
    }
  });

  it('has its own sentence for each code a technician meets, and one for the rest', () => {
    const codes = ['offline', 'timeout', 'certificate', 'server_error', 'rate_limited'];
    const sentences = codes.map((c) => en(syncErrorKey(c)));
    expect(new Set(sentences).size).toBe(codes.length);
    expect(en(syncErrorKey('timeout'))).toContain('did not answer in time');
    expect(zh(syncErrorKey('certificate'))).toContain('证书');
    expect(en(syncErrorKey('server_error'))).toContain('problem on its side');
    expect(syncErrorKey('something_new')).toBe('sync.error.other');
    for (const c of [...codes, 'unauthorized', 'protocol', 'refused', 'x']) {
      expect(zh(syncErrorKey(c))).not.toBe(en(syncErrorKey(c)));
    }
  });

  it('counts down to the next try in whole seconds, never below zero', () => {
    expect(secondsUntil('2026-11-28T10:00:12.200Z', NOW)).toBe(13);
    expect(secondsUntil('2026-11-28T09:59:59Z', NOW)).toBe(0);
    expect(secondsUntil(null, NOW)).toBeNull();
    expect(en('sync.nextTry', { count: 13 })).toBe('Next try in 13 s');
    expect(zh('sync.nextTry', { count: 13 })).toBe('13 秒后重试');
  });

  it('knows when the round "Sync now" asked for is over', () => {
    const before = status({ online: false, next_attempt_at: '2026-11-28T10:00:12Z' });
    expect(attemptFinished(before, { ...before, syncing: true, next_attempt_at: null })).toBe(
      false,
    );
    expect(attemptFinished(before, before)).toBe(false);
    const failedAgain = { ...before, next_attempt_at: '2026-11-28T10:00:03Z' };
    expect(attemptFinished(before, failedAgain)).toBe(true);
    const synced = { ...before, online: true, last_sync_at: '2026-11-28T10:00:01Z' };
    expect(attemptFinished(before, synced)).toBe(true);
  });
});
