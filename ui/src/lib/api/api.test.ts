import { describe, expect, it } from 'vitest';

import { createApi } from './api';
import en from '../i18n/en';
import zh from '../i18n/zh';
import {
  ApiError,
  describeError,
  isKnownErrorCode,
  KNOWN_ERROR_CODES,
  type KnownErrorCode,
  toApiError,
} from './errors';
import type { Transport } from './transport';

/** A transport that records calls and answers from a script. */
function fakeTransport(answer: (command: string, args?: Record<string, unknown>) => unknown) {
  const calls: { command: string; args: Record<string, unknown> | undefined }[] = [];
  const listeners = new Map<string, (payload: unknown) => void>();
  const transport: Transport = {
    call<T>(command: string, args?: Record<string, unknown> | Uint8Array): Promise<T> {
      if (args instanceof Uint8Array) throw new Error('binary uploads are tested apart');
      calls.push({ command, args });
      try {
        return Promise.resolve(answer(command, args) as T);
      } catch (e) {
        // Tauri rejects with whatever the command returned as its error: a plain object.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        return Promise.reject(e);
      }
    },
    mediaUrl: () => 'media://test',
    subscribe<T>(event: string, handler: (payload: T) => void) {
      listeners.set(event, handler as (payload: unknown) => void);
      return Promise.resolve(() => listeners.delete(event));
    },
  };
  return { transport, calls, listeners };
}

const sentence = (code: KnownErrorCode) => `sentence for ${code}`;

describe('the api over a transport', () => {
  it('sends the commands and argument names the shell expects', async () => {
    const { transport, calls } = fakeTransport(() => ({}));
    const api = createApi(transport);
    await api.answerChecklist('WO-1', 'ground', 'yes');
    await api.changeStatus('WO-1', 'on_hold', 'waiting for a part');
    await api.setJobField('WO-1', 'resolution', null);
    await api.addPart('WO-1', {
      part_no: 'P-1',
      quantity: 2,
      description: null,
      unit_price_cents: null,
      chargeable: null,
    });
    await api.withdrawPart('WO-1', 'pu-1', null);
    await api.correctPartQuantity('WO-1', 'pu-2', 2, 'one was spare');
    await api.setPhotoCaption('ph-1', 'inlet valve');
    await api.appInfo();
    expect(calls).toEqual([
      { command: 'answer_checklist', args: { job: 'WO-1', itemKey: 'ground', value: 'yes' } },
      {
        command: 'change_status',
        args: { job: 'WO-1', to: 'on_hold', reason: 'waiting for a part' },
      },
      { command: 'set_job_field', args: { job: 'WO-1', field: 'resolution', value: null } },
      {
        command: 'add_part',
        args: {
          job: 'WO-1',
          part: {
            part_no: 'P-1',
            quantity: 2,
            description: null,
            unit_price_cents: null,
            chargeable: null,
          },
        },
      },
      { command: 'withdraw_part', args: { job: 'WO-1', partUsedId: 'pu-1', reason: null } },
      {
        command: 'correct_part_quantity',
        args: { job: 'WO-1', partUsedId: 'pu-2', quantity: 2, reason: 'one was spare' },
      },
      // Tauri 2 maps `photo_id` to `photoId`.
      { command: 'set_photo_caption', args: { photoId: 'ph-1', caption: 'inlet valve' } },
      { command: 'app_info', args: undefined },
    ]);
  });

  it('turns a backend {code, message} into an ApiError', async () => {
    const { transport } = fakeTransport(() => {
      // What a Tauri command's `Err(CommandError)` arrives as.
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { code: 'completion_blocked', message: 'the job cannot be completed yet: …' };
    });
    const error = await createApi(transport)
      .changeStatus('WO-1', 'completed', null)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'completion_blocked', known: true });
  });

  it('turns anything else into an "unexpected" ApiError, never a raw object', async () => {
    const { transport } = fakeTransport(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'invoke')");
    });
    const error = await createApi(transport)
      .jobView('WO-1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('unexpected');
  });

  it('sends the sync commands with the argument names the shell expects', async () => {
    const { transport, calls, listeners } = fakeTransport(() => ({}));
    const api = createApi(transport);
    await api.signIn('http://127.0.0.1:8080', 'tech1', 'secret', false);
    await api.syncNow();
    await api.syncStatus();
    await api.syncIssues();
    await api.signOut();
    expect(calls).toEqual([
      {
        command: 'sign_in',
        args: {
          url: 'http://127.0.0.1:8080',
          user: 'tech1',
          password: 'secret',
          allowInsecureHttp: false,
        },
      },
      { command: 'sync_now', args: undefined },
      { command: 'sync_status', args: undefined },
      { command: 'sync_issues', args: undefined },
      { command: 'sign_out', args: undefined },
    ]);
    const seen: unknown[] = [];
    await api.onSyncStatus((s) => seen.push(s.signed_in));
    listeners.get('sync://status')?.({ signed_in: true });
    expect(seen).toEqual([true]);
  });

  it('sends the knowledge base commands with the argument names the shell expects', async () => {
    const { transport, calls } = fakeTransport(() => []);
    const api = createApi(transport);
    await api.kbSearch('E4', { category: 'water_heater', brand: null });
    await api.kbSearch('不脱水', { category: null, brand: 'Haier' }, 20);
    await api.kbArticle('kb-1');
    await api.kbSuggestions('WO-1');
    await api.kbSimilarFixes('WO-1');
    await api.kbArticleUses('WO-1');
    await api.kbMarkArticle('WO-1', 'kb-1', 'did_not_help');
    await api.kbSharedFixes('WO-1');
    const fix = {
      language: 'en' as const,
      title: 'E4: inlet filter',
      diagnosis: 'Filter blocked',
      resolution: 'Cleaned it',
      comment: null,
      photo_ids: ['p1'],
    };
    await api.kbShareFix('WO-1', fix);
    expect(calls).toEqual([
      {
        command: 'kb_search',
        args: { query: 'E4', category: 'water_heater', brand: null, limit: null },
      },
      {
        command: 'kb_search',
        args: { query: '不脱水', category: null, brand: 'Haier', limit: 20 },
      },
      { command: 'kb_article', args: { id: 'kb-1' } },
      // Tauri 2 maps `job_id` to `jobId`.
      { command: 'kb_suggestions', args: { jobId: 'WO-1' } },
      { command: 'kb_similar_fixes', args: { jobId: 'WO-1' } },
      { command: 'kb_article_uses', args: { jobId: 'WO-1' } },
      {
        command: 'kb_mark_article',
        args: { jobId: 'WO-1', articleId: 'kb-1', outcome: 'did_not_help' },
      },
      { command: 'kb_shared_fixes', args: { jobId: 'WO-1' } },
      { command: 'kb_share_fix', args: { jobId: 'WO-1', fix } },
    ]);
  });

  it('delivers store-changed events until unsubscribed', async () => {
    const { transport, listeners } = fakeTransport(() => ({}));
    const seen: unknown[] = [];
    const stop = await createApi(transport).onStoreChanged((c) => seen.push(c));
    listeners.get('store-changed')?.({ job_id: 'abc' });
    stop();
    expect(seen).toEqual([{ job_id: 'abc' }]);
    expect(listeners.has('store-changed')).toBe(false);
  });
});

describe('error mapping', () => {
  it('reads {code, message} objects and JSON strings', () => {
    expect(toApiError({ code: 'not_found', message: 'job X was not found' })).toMatchObject({
      code: 'not_found',
      message: 'job X was not found',
    });
    expect(toApiError('{"code":"disk_full","message":"the disk is full"}').code).toBe('disk_full');
    expect(toApiError('plain words')).toMatchObject({ code: 'unexpected', message: 'plain words' });
    expect(toApiError(42).code).toBe('unexpected');
    const original = new ApiError('invalid', 'x');
    expect(toApiError(original)).toBe(original);
  });

  it('shows the sentence for the code with the backend detail when it is specific', () => {
    const e = new ApiError('invalid', 'quantity: must be a number greater than zero');
    expect(describeError(e, sentence)).toEqual({
      title: 'sentence for invalid',
      detail: 'Quantity: must be a number greater than zero',
    });
  });

  it('hides technical detail such as database errors', () => {
    const e = new ApiError('database', 'database error: SQLITE_BUSY at src/store.rs:42');
    expect(describeError(e, sentence)).toEqual({ title: 'sentence for database', detail: null });
  });

  it('knows every code, the ones added to the generated ErrorCode included, in both languages', () => {
    for (const code of ['device_revoked', 'not_recordable', 'hash_mismatch', 'network']) {
      expect(isKnownErrorCode(code), code).toBe(true);
    }
    expect(isKnownErrorCode('toString')).toBe(false);
    for (const code of KNOWN_ERROR_CODES) {
      const key = `error.${code}` as const;
      expect(en[key], `en ${key}`).toBeTruthy();
      expect(zh[key], `zh ${key}`).toBeTruthy();
      expect(zh[key]).not.toBe(en[key]);
    }
  });

  it('falls back to the backend sentence for a code it does not know', () => {
    const e = new ApiError('quota_exceeded', 'you have used all your uploads today');
    expect(describeError(e, sentence)).toEqual({
      title: 'You have used all your uploads today',
      detail: null,
    });
    expect(describeError(new ApiError('weird', ''), sentence).title).toBe(
      'sentence for unexpected',
    );
  });
});
