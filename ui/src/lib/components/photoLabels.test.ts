// The words the photo card and the photo viewer show (their CSS no longer changes the case:
// "1 Of 4" came from `text-transform: capitalize` on the viewer's heading).
import { afterEach, describe, expect, it } from 'vitest';
import { photoKindLabel } from '../i18n';
import { setLocale, t } from '../i18n/locale.svelte';

afterEach(() => setLocale('en'));

describe('photo kinds and the viewer position', () => {
  it('names kinds as labels in English, capitalised', () => {
    setLocale('en');
    expect(
      ['before', 'after', 'fault', 'nameplate', 'receipt', 'other'].map((k) =>
        photoKindLabel(k as Parameters<typeof photoKindLabel>[0]),
      ),
    ).toEqual(['Before', 'After', 'Fault', 'Nameplate', 'Receipt', 'Other']);
    expect(t('missing.photo', { kind: photoKindLabel('before') })).toBe('Add a photo: Before');
  });

  it('says where the viewer is: "1 of 4" / "第 1 张，共 4 张"', () => {
    setLocale('en');
    expect(t('photos.position', { n: 1, total: 4 })).toBe('1 of 4');
    setLocale('zh');
    expect(t('photos.position', { n: 1, total: 4 })).toBe('第 1 张，共 4 张');
    expect(photoKindLabel('before')).toBe('施工前');
  });
});
