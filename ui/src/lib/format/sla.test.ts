import { describe, expect, it } from 'vitest';

import { countdown, describeCountdown, type DurationUnit, slaApplies } from './sla';

const NOW = new Date('2026-11-22T08:00:00Z');
const at = (iso: string) => countdown(iso, NOW);

const words = {
  dueIn: (time: string) => `due in ${time}`,
  overdue: (time: string) => `overdue ${time}`,
  dueNow: () => 'due now',
  duration: (n: number, unit: DurationUnit) =>
    `${n} ${{ minutes: 'min', hours: 'h', days: n === 1 ? 'day' : 'days' }[unit]}`,
};
const say = (iso: string) => {
  const c = at(iso);
  return c ? describeCountdown(c, words) : null;
};

describe('SLA countdown', () => {
  it('counts minutes under an hour', () => {
    expect(say('2026-11-22T08:45:00Z')).toBe('due in 45 min');
    expect(say('2026-11-22T07:50:00Z')).toBe('overdue 10 min');
  });

  it('counts whole hours under two days, rounding down', () => {
    expect(say('2026-11-22T11:00:00Z')).toBe('due in 3 h');
    expect(say('2026-11-22T11:59:00Z')).toBe('due in 3 h');
    expect(say('2026-11-22T06:00:00Z')).toBe('overdue 2 h');
    expect(say('2026-11-24T07:00:00Z')).toBe('due in 47 h');
  });

  it('counts days from two days on', () => {
    expect(say('2026-11-24T08:00:00Z')).toBe('due in 2 days');
    expect(say('2026-11-19T07:00:00Z')).toBe('overdue 3 days');
  });

  it('says "due now" within a minute either side', () => {
    expect(say('2026-11-22T08:00:30Z')).toBe('due now');
    expect(say('2026-11-22T07:59:31Z')).toBe('due now');
    expect(say('2026-11-22T08:01:00Z')).toBe('due in 1 min');
  });

  it('marks a deadline within two hours as soon, and only upcoming ones', () => {
    expect(at('2026-11-22T09:30:00Z')).toMatchObject({ state: 'due', soon: true });
    expect(at('2026-11-22T10:00:00Z')).toMatchObject({ state: 'due', soon: true });
    expect(at('2026-11-22T10:01:00Z')).toMatchObject({ state: 'due', soon: false });
    expect(at('2026-11-22T07:00:00Z')).toMatchObject({ state: 'overdue', soon: false });
  });

  it('ignores a deadline it cannot read', () => {
    expect(at('not a date')).toBeNull();
  });

  it('applies only until the technician is on site', () => {
    expect(slaApplies('scheduled')).toBe(true);
    expect(slaApplies('en_route')).toBe(true);
    expect(slaApplies('on_site')).toBe(false);
    expect(slaApplies('completed')).toBe(false);
    expect(slaApplies('cancelled')).toBe(false);
  });
});
