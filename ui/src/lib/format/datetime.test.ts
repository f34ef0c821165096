import { describe, expect, it } from 'vitest';

import {
  addDays,
  formatCalendarDate,
  formatDateTime,
  formatDay,
  formatDayRange,
  formatLongDay,
  formatTime,
  formatWindow,
  fromLocalInput,
  localDay,
  relativeDay,
  toLocalInput,
  weekBounds,
} from './datetime';

// The test run sets TZ=Asia/Shanghai (UTC+8, no daylight saving) in vite.config.ts.
describe('local time zone of the test run', () => {
  it('is UTC+8', () => {
    expect(new Date('2026-11-22T00:00:00Z').getTimezoneOffset()).toBe(-480);
  });
});

describe('formatting instants in local time', () => {
  const instant = '2026-11-22T00:30:00Z';

  it('shows the local clock time, 24-hour', () => {
    expect(formatTime(instant, 'en')).toBe('08:30');
    expect(formatTime('2026-11-22T14:05:00Z', 'en')).toBe('22:05');
    expect(formatTime(instant, 'en', { timeZone: 'Europe/London' })).toBe('00:30');
    expect(formatTime('2026-07-01T00:30:00Z', 'en', { timeZone: 'Europe/London' })).toBe('01:30');
  });

  it('shows the local day, which may differ from the UTC day', () => {
    // 23:30 UTC on the 21st is already the 22nd in Shanghai.
    expect(formatDay('2026-11-21T23:30:00Z', 'en')).toContain('22');
    expect(formatDay('2026-11-21T23:30:00Z', 'en', { timeZone: 'UTC' })).toContain('21');
  });

  it('speaks the language asked for', () => {
    expect(formatDay(instant, 'en')).toMatch(/Sun/);
    expect(formatDay(instant, 'zh-CN')).toMatch(/11月22日/);
    expect(formatDay(instant, 'zh-CN')).toMatch(/周日|星期日/);
    expect(formatDateTime(instant, 'zh-CN')).toMatch(/2026年11月22日/);
    expect(formatDateTime(instant, 'zh-CN')).toContain('08:30');
    expect(formatDateTime(instant, 'en')).toMatch(/Nov/);
  });

  it('formats an appointment window, with the day when asked', () => {
    expect(formatWindow('2026-11-22T00:00:00Z', '2026-11-22T02:30:00Z', 'en')).toBe('08:00–10:30');
    expect(formatWindow('2026-11-22T00:00:00Z', null, 'en')).toBe('08:00');
    expect(formatWindow(null, null, 'en')).toBe('');
    expect(
      formatWindow('2026-11-22T00:00:00Z', '2026-11-22T02:30:00Z', 'en', { withDay: true }),
    ).toMatch(/^Sun.*22.* 08:00–10:30$/);
  });

  it('returns nothing for an unreadable instant rather than "Invalid Date"', () => {
    expect(formatTime('garbage', 'en')).toBe('');
    expect(formatDateTime('', 'en')).toBe('');
  });

  it('shows calendar dates without shifting them across time zones', () => {
    expect(formatCalendarDate('2027-01-18', 'en')).toMatch(/18/);
    expect(formatCalendarDate('2027-01-18', 'zh-CN')).toBe('2027年1月18日');
    expect(formatCalendarDate('soon', 'en')).toBe('soon');
  });
});

describe('local days', () => {
  it('names the local calendar day, not the UTC one', () => {
    expect(localDay(new Date('2026-11-21T17:00:00Z'))).toBe('2026-11-22');
    expect(localDay(new Date('2026-11-21T15:59:00Z'))).toBe('2026-11-21');
  });

  it('adds days across month and year ends', () => {
    expect(localDay(addDays(new Date(2026, 11, 31, 9), 1))).toBe('2027-01-01');
    expect(localDay(addDays(new Date(2026, 2, 1, 9), -1))).toBe('2026-02-28');
  });

  it('finds Monday to Sunday of the week', () => {
    const sunday = new Date(2026, 10, 22, 9);
    const { from, to } = weekBounds(sunday);
    expect(localDay(from)).toBe('2026-11-16');
    expect(localDay(to)).toBe('2026-11-22');
    const monday = weekBounds(new Date(2026, 10, 23, 9));
    expect(localDay(monday.from)).toBe('2026-11-23');
  });

  it('says today, tomorrow and yesterday by the local day', () => {
    const now = new Date('2026-11-22T02:00:00Z'); // 10:00 in Shanghai
    expect(relativeDay('2026-11-22T15:00:00Z', now)).toBe('today'); // 23:00 local
    expect(relativeDay('2026-11-22T16:30:00Z', now)).toBe('tomorrow'); // 00:30 on the 23rd
    expect(relativeDay('2026-11-21T15:00:00Z', now)).toBe('yesterday'); // 23:00 on the 21st
    expect(relativeDay('2026-11-25T02:00:00Z', now)).toBeNull();
  });
});

describe('datetime-local inputs', () => {
  it('round-trips an instant through the local input value', () => {
    expect(toLocalInput('2026-11-22T01:15:00Z')).toBe('2026-11-22T09:15');
    expect(fromLocalInput('2026-11-22T09:15')).toBe('2026-11-22T01:15:00.000Z');
    expect(fromLocalInput(toLocalInput('2026-11-22T23:59:00Z'))).toBe('2026-11-22T23:59:00.000Z');
  });

  it('refuses what is not a local date-time', () => {
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('22/11/2026 09:15')).toBeNull();
    expect(toLocalInput('nope')).toBe('');
  });
});

describe('calendar days as headings and periods (Today, Tomorrow, the week, KPI periods)', () => {
  it('names a day in full, in either language, whatever the time zone', () => {
    expect(formatLongDay('2026-11-22', 'en')).toBe('Sunday, November 22');
    expect(formatLongDay('2026-11-22', 'zh-CN')).toBe('11月22日星期日');
    expect(formatLongDay('tomorrow', 'en')).toBe('tomorrow');
  });

  it('shows a period with the same day format as everywhere else', () => {
    expect(formatDayRange('2026-11-16', '2026-11-22', 'en')).toBe(
      `${formatCalendarDate('2026-11-16', 'en')} – ${formatCalendarDate('2026-11-22', 'en')}`,
    );
    expect(formatDayRange('2026-11-16', '2026-11-22', 'en')).toBe('Nov 16, 2026 – Nov 22, 2026');
    expect(formatDayRange('2026-11-16', '2026-11-22', 'zh-CN')).toBe(
      '2026年11月16日 – 2026年11月22日',
    );
  });
});
