import { describe, expect, it } from 'vitest';
import type { MessageKey, Params } from '../../lib/i18n';
import { translate } from '../../lib/i18n/translate';
import { issueLine } from '../sync/issues';
import { CAPTION_MAX_CHARS, captionEdit } from './photoCaption';

describe('editing a photo caption', () => {
  it('saves a new caption trimmed', () => {
    expect(captionEdit(null, '  inlet valve ')).toEqual({ kind: 'save', caption: 'inlet valve' });
    expect(captionEdit('leak', 'leak at the inlet')).toEqual({
      kind: 'save',
      caption: 'leak at the inlet',
    });
  });

  it('a blank draft removes the caption', () => {
    expect(captionEdit('leak', '   ')).toEqual({ kind: 'save', caption: null });
  });

  it('records nothing when the caption would not change', () => {
    expect(captionEdit('leak', ' leak ')).toEqual({ kind: 'unchanged' });
    expect(captionEdit(null, '')).toEqual({ kind: 'unchanged' });
  });

  it('counts characters, not UTF-16 units, against the limit', () => {
    expect(captionEdit(null, '维'.repeat(CAPTION_MAX_CHARS)).kind).toBe('save');
    expect(captionEdit(null, '😀'.repeat(CAPTION_MAX_CHARS)).kind).toBe('save');
    expect(captionEdit(null, 'x'.repeat(CAPTION_MAX_CHARS + 1))).toEqual({
      kind: 'tooLong',
      chars: CAPTION_MAX_CHARS + 1,
    });
  });
});

describe('a caption edit on the Sync page', () => {
  const en = (key: MessageKey, params?: Params) => translate('en', key, params);
  const zh = (key: MessageKey, params?: Params) => translate('zh', key, params);

  it('names a refused caption edit and a caption conflict in words', () => {
    const refused = issueLine(
      {
        id: 'm1',
        kind: 'rejection',
        job_id: 'j1',
        job_number: 'WO-1',
        record: { kind: 'photo_caption_set', code: 'not_recordable', reason: 'completed' },
        created_at: '',
      },
      en,
    );
    expect(refused.what).toBe('Photo caption edited');
    const clash = {
      id: 'c1',
      kind: 'conflict' as const,
      job_id: 'j1',
      job_number: 'WO-1',
      record: {
        kind: 'field_overwritten',
        field: 'photo_caption:ph-1',
        winning_value: 'inlet valve',
        losing_value: 'outlet',
      },
      created_at: '',
    };
    expect(issueLine(clash, en).reason).toBe(
      'Photo caption: “inlet valve” was kept; “outlet” was replaced.',
    );
    expect(issueLine(clash, zh).reason).toContain('照片说明');
  });
});
