import { describe, expect, it } from 'vitest';

import type { KpiValue } from '../lib/api/headoffice';
import { defaultPeriod, knowledgeShares, percent, periodInstants, share, verdict } from './kpi';

const v = (numerator: number, denominator: number, target: number | null, higher = true) =>
  ({
    measure: 'response',
    numerator,
    denominator,
    target,
    higher_is_better: higher,
  }) satisfies KpiValue;

describe('KPI arithmetic', () => {
  it('a share needs something counted', () => {
    expect(share(v(3, 4, null))).toBe(0.75);
    expect(share(v(0, 0, null))).toBeNull();
    expect(percent(null)).toBe('–');
    expect(percent(0.9512)).toBe('95.1 %');
  });

  it('meets a target from above or below', () => {
    expect(verdict(v(95, 100, 0.95))).toBe('met');
    expect(verdict(v(94, 100, 0.95))).toBe('missed');
    expect(verdict(v(1, 100, 0.01, false))).toBe('met');
    expect(verdict(v(2, 100, 0.01, false))).toBe('missed');
    expect(verdict(v(2, 100, null))).toBe('none');
    expect(verdict(v(0, 0, 0.95))).toBe('none');
  });

  it('the default period is the last 30 days including today', () => {
    expect(defaultPeriod(new Date(2026, 10, 28, 15))).toEqual({
      from: '2026-10-30',
      to: '2026-11-28',
    });
    const p = periodInstants('2026-11-01', '2026-11-01');
    expect(new Date(p.to).getTime() - new Date(p.from).getTime()).toBe(24 * 3600 * 1000);
  });
});

describe('first-time fix with and without a knowledge article', () => {
  it('gives each side its share and job count', () => {
    expect(
      knowledgeShares({
        with_article: { completed: 4, first_time: 3 },
        without_article: { completed: 10, first_time: 6 },
      }),
    ).toEqual({ with: { completed: 4, share: 0.75 }, without: { completed: 10, share: 0.6 } });
  });

  it('has no share on a side without completed jobs, and nothing when neither has any', () => {
    expect(
      knowledgeShares({
        with_article: { completed: 0, first_time: 0 },
        without_article: { completed: 2, first_time: 2 },
      }),
    ).toEqual({ with: { completed: 0, share: null }, without: { completed: 2, share: 1 } });
    expect(
      knowledgeShares({
        with_article: { completed: 0, first_time: 0 },
        without_article: { completed: 0, first_time: 0 },
      }),
    ).toBeNull();
  });
});
