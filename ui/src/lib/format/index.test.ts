import { afterEach, describe, expect, it } from 'vitest';

import { setLocale } from '../i18n';
import { addressLine, appointment, minutes, money, slaText } from './index';

const NOW = new Date('2026-11-22T08:00:00Z');

afterEach(() => setLocale('en'));

describe('formatting in the chosen language', () => {
  it('words the SLA countdown in English and Chinese', () => {
    setLocale('en');
    expect(slaText('2026-11-22T11:00:00Z', NOW)).toBe('due in 3 h');
    expect(slaText('2026-11-22T06:00:00Z', NOW)).toBe('overdue 2 h');
    expect(slaText('2026-11-25T08:00:00Z', NOW)).toBe('due in 3 days');
    expect(slaText('2026-11-23T08:00:00Z', NOW)).toBe('due in 24 h');
    setLocale('zh');
    expect(slaText('2026-11-22T11:00:00Z', NOW)).toBe('3 小时后到期');
    expect(slaText('2026-11-22T07:15:00Z', NOW)).toBe('已超时 45 分钟');
    expect(slaText('2026-11-24T09:00:00Z', NOW)).toBe('2 天后到期');
  });

  it('says when a job has no appointment', () => {
    setLocale('en');
    expect(appointment(null, null)).toBe('Not booked');
    setLocale('zh');
    expect(appointment(null, null)).toBe('未预约');
  });

  it('shows durations in hours and minutes', () => {
    setLocale('en');
    expect(minutes(45)).toBe('45 min');
    expect(minutes(85)).toBe('1 h 25 min');
    setLocale('zh');
    expect(minutes(85)).toBe('1 小时 25 分钟');
  });

  it('names the city once', () => {
    expect(addressLine('118 Elm Grove, Flat 3', 'Oxford', 'OX1 2AB')).toBe(
      '118 Elm Grove, Flat 3, Oxford, OX1 2AB',
    );
    expect(addressLine('武汉市洪山区翠湖天地6号楼1401', '武汉', '430145')).toBe(
      '武汉市洪山区翠湖天地6号楼1401, 430145',
    );
    expect(addressLine('Ivy House', null)).toBe('Ivy House');
  });

  it('shows money from cents', () => {
    setLocale('zh');
    expect(money(1250)).toBe('12.50');
  });
});
