import { describe, expect, it } from 'vitest';

import type { JobListItem } from '../lib/api/headoffice';
import { ackWatch, watchList } from './slaWatch';

const job = (
  id: string,
  due_at: string,
  status: JobListItem['status'] = 'scheduled',
  more: Partial<JobListItem> = {},
) => ({ id, due_at, status, booking_misses: [], ...more }) as JobListItem;

describe('the SLA watch list', () => {
  it('puts the latest overdue job first, then due soon, then the rest, and drops jobs on site', () => {
    const now = new Date('2026-11-28T10:00:00Z');
    const list = watchList(
      [
        job('later', '2026-11-29T10:00:00Z'),
        job('a bit late', '2026-11-28T09:30:00Z'),
        job('soon', '2026-11-28T11:00:00Z', 'new'),
        job('very late', '2026-11-27T10:00:00Z', 'en_route'),
        job('on site', '2026-11-27T10:00:00Z', 'on_site'),
        job('done', '2026-11-27T10:00:00Z', 'completed'),
      ],
      now,
    );
    expect(list.map((w) => [w.job.id, w.urgency])).toEqual([
      ['very late', 'overdue'],
      ['a bit late', 'overdue'],
      ['soon', 'soon'],
      ['later', 'later'],
    ]);
  });

  it('lists a job booked after its deadline as booked late, not under later', () => {
    // Urgent, due 08:47, booked 10:00–14:00; and one booked for tomorrow.
    const now = new Date('2026-11-28T05:00:00Z');
    const late = [{ deadline: 'arrival' as const, due_at: '2026-11-28T08:47:00Z' }];
    const list = watchList(
      [
        job('in time', '2026-11-28T20:00:00Z'),
        job('booked 10:00', '2026-11-28T08:47:00Z', 'scheduled', { booking_misses: late }),
        job('booked tomorrow', '2026-11-28T09:00:00Z', 'scheduled', { booking_misses: late }),
        job('soon', '2026-11-28T06:00:00Z'),
      ],
      now,
    );
    expect(list.map((w) => [w.job.id, w.urgency])).toEqual([
      ['booked 10:00', 'booked_late'],
      ['booked tomorrow', 'booked_late'],
      ['soon', 'soon'],
      ['in time', 'later'],
    ]);
    // Once the deadline has passed, it is overdue like any other.
    const after = watchList([list[0]!.job], new Date('2026-11-28T09:00:00Z'));
    expect(after[0]!.urgency).toBe('overdue');
  });
});

describe('the acknowledgement watch', () => {
  it('lists new jobs past or near their acknowledgement deadline, the longest overdue first', () => {
    const now = new Date('2026-11-28T10:00:00Z');
    const list = ackWatch(
      [
        job('breached', '2026-11-28T14:00:00Z', 'new', {
          awaiting_acknowledgement: true,
          ack_due_at: '2026-11-28T09:50:00Z',
        }),
        job('long breached', '2026-11-28T14:00:00Z', 'new', {
          awaiting_acknowledgement: true,
          ack_due_at: '2026-11-28T08:00:00Z',
        }),
        job('at risk', '2026-11-28T14:00:00Z', 'new', {
          awaiting_acknowledgement: true,
          ack_due_at: '2026-11-28T10:10:00Z',
        }),
        job('plenty of time', '2026-11-28T14:00:00Z', 'new', {
          awaiting_acknowledgement: true,
          ack_due_at: '2026-11-28T10:29:00Z',
        }),
        job('acknowledged', '2026-11-28T14:00:00Z', 'scheduled', {
          awaiting_acknowledgement: false,
          ack_due_at: '2026-11-28T08:00:00Z',
        }),
      ],
      now,
    );
    expect(list.map((w) => [w.job.id, w.state])).toEqual([
      ['long breached', 'breached'],
      ['breached', 'breached'],
      ['at risk', 'at_risk'],
    ]);
  });
});
