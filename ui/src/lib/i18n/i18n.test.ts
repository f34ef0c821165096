import { describe, expect, it } from 'vitest';

import en, { type MessageKey } from './en';
import { currentLocale, setLocale, t } from './locale.svelte';
import { interpolate, preferredLocale, translate } from './translate';
import zh from './zh';

describe('interpolation', () => {
  it('fills named parameters', () => {
    expect(interpolate('due in {time}', { time: '3 h' })).toBe('due in 3 h');
    expect(interpolate('{a} and {b}', { a: 1, b: 'two' })).toBe('1 and two');
  });

  it('leaves an unknown parameter visible', () => {
    expect(interpolate('Hello {name}', {})).toBe('Hello {name}');
    expect(interpolate('Hello {name}', undefined)).toBe('Hello {name}');
  });

  it('fills messages from the catalogue', () => {
    expect(translate('en', 'sla.dueIn', { time: '3 h' })).toBe('due in 3 h');
    expect(translate('zh', 'sla.dueIn', { time: '3 小时' })).toBe('3 小时后到期');
    expect(translate('en', 'complete.title', { number: 'WO-2026-000123' })).toBe(
      'Complete job WO-2026-000123',
    );
  });
});

describe('plurals', () => {
  it('chooses by count in English', () => {
    expect(translate('en', 'sync.count.changes', { count: 1 })).toBe('1 change');
    expect(translate('en', 'sync.count.changes', { count: 3 })).toBe('3 changes');
    expect(translate('en', 'sync.count.changes', { count: 0 })).toBe('0 changes');
  });

  it('uses the one form Chinese has', () => {
    expect(translate('zh', 'sync.count.changes', { count: 1 })).toBe('1 项更改');
    expect(translate('zh', 'sync.count.changes', { count: 5 })).toBe('5 项更改');
  });
});

describe('fallback', () => {
  it('falls back to English, then to the key itself', () => {
    // Only reachable if a catalogue loses a key at run time; the type and the check script
    // prevent it at build time.
    expect(translate('zh', 'nope.missing' as MessageKey)).toBe('nope.missing');
  });

  it('picks the first start language from the system languages', () => {
    expect(preferredLocale(['zh-CN', 'en-US'])).toBe('zh');
    expect(preferredLocale(['zh-Hans-CN'])).toBe('zh');
    expect(preferredLocale(['de-DE', 'en-GB'])).toBe('en');
    expect(preferredLocale(['fr-FR'])).toBe('en');
    expect(preferredLocale([])).toBe('en');
  });
});

describe('catalogues', () => {
  it('have the same keys in both languages', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
  });

  it('have Chinese text for the labels a technician sees first', () => {
    const keys: MessageKey[] = ['nav.today', 'nav.jobs', 'nav.settings', 'checklist.title'];
    for (const key of keys) expect(zh[key]).toMatch(/[\u4e00-\u9fff]/);
    expect(translate('zh', 'status.in_progress')).toBe('处理中');
    expect(translate('zh', 'move.start_travel')).toBe('出发');
  });

  it('have no empty messages', () => {
    for (const catalogue of [en, zh]) {
      for (const [key, message] of Object.entries(catalogue)) {
        const texts = typeof message === 'string' ? [message] : Object.values(message);
        for (const text of texts) expect(text.trim(), key).not.toBe('');
      }
    }
  });
});

describe('switching language', () => {
  it('changes what t() returns at once, without a restart', () => {
    setLocale('en');
    expect(t('nav.today')).toBe('Today');
    setLocale('zh');
    expect(currentLocale()).toBe('zh');
    expect(t('nav.today')).toBe('今日');
    setLocale('en');
    expect(t('nav.today')).toBe('Today');
  });
});
