import { describe, expect, it } from 'vitest';

import type { KpiValue } from '../lib/api/headoffice';
import { defaultPeriod, percent, periodInstants, share, verdict } from './kpi';

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
