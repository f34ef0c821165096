import { describe, expect, it } from 'vitest';

import type { FollowUp } from '../lib/api/headoffice';
import { emptyFollowUp, followUpInput, openComplaints } from './followUp';

describe('follow-up call form', () => {
  it('starts with nothing chosen: not reached, not 5', () => {
    const d = emptyFollowUp();
    expect(d.reached).toBeNull();
    expect(d.satisfaction).toBe('');
    expect(d.complaint).toBe(false);
  });

  it('asks whether the customer was reached before anything is recorded', () => {
    expect(followUpInput(emptyFollowUp())).toEqual({
      input: null,
      missing: 'dispatch.followUp.needReached',
    });
  });

  it('asks for the satisfaction of a call that reached the customer', () => {
    const d = { ...emptyFollowUp(), reached: 'yes' as const };
    expect(followUpInput(d).missing).toBe('dispatch.followUp.needSatisfaction');
    expect(followUpInput({ ...d, satisfaction: '0' }).missing).toBe(
      'dispatch.followUp.needSatisfaction',
    );
  });

  it('records what was chosen, a complaint included', () => {
    const d = {
      ...emptyFollowUp(),
      reached: 'yes' as const,
      satisfaction: '2',
      comment: '  Tiles cracked ',
      complaint: true,
      category: 'damage' as const,
      grade: 'major' as const,
    };
    expect(followUpInput(d)).toEqual({
      input: {
        reached: true,
        satisfaction: 2,
        comment: 'Tiles cracked',
        complaint: { category: 'damage', grade: 'major' },
      },
      missing: null,
    });
  });

  it('records a call that did not reach the customer without a satisfaction', () => {
    const d = { ...emptyFollowUp(), reached: 'no' as const, satisfaction: '4' };
    expect(followUpInput(d).input).toEqual({
      reached: false,
      satisfaction: null,
      comment: null,
      complaint: null,
    });
  });
});

describe('open complaints', () => {
  const call = (complaint: FollowUp['complaint']): FollowUp => ({
    id: 'f',
    job_id: 'j',
    reached: true,
    satisfaction: 2,
    comment: null,
    complaint,
    by: 'd',
    at: '',
  });
  it('counts complaints not closed with their outcome', () => {
    expect(openComplaints([])).toBe(0);
    expect(
      openComplaints([
        call(null),
        call({ category: 'damage', grade: 'major' }),
        call({
          category: 'delay',
          grade: 'general',
          resolution: { outcome: 'apologised', by: 'd', at: '' },
        }),
      ]),
    ).toBe(1);
  });
});
