import { describe, expect, it } from 'vitest';

import type { DispatchApi, JobListItem } from '../lib/api/headoffice';
import type { Technician } from '../lib/types/Technician';
import {
  bookingLength,
  buildBoard,
  dayBounds,
  jobTypeLengths,
  neighbourLane,
  shiftDay,
  slotFor,
} from './board';

function tech(id: string, active = true): Technician {
  return { id, name: id, phone: null, email: null, skills: [], active };
}

function job(id: string, over: Partial<JobListItem> = {}): JobListItem {
  return {
    id,
    number: `WO-2026-${id}`,
    status: 'new',
    priority: 'normal',
    job_type: 'repair',
    customer_name: 'Chen',
    site_address: '1 Road',
    assignee_id: null,
    assignee_name: null,
    appointment_start: null,
    appointment_end: null,
    due_at: '2026-11-30T00:00:00Z',
    ack_due_at: '2026-11-29T00:30:00Z',
    complete_due_at: null,
    awaiting_acknowledgement: false,
    booking_misses: [],
    reported_problem: 'broken',
    open_conflicts: 0,
    rejected_mutations: 0,
    ...over,
  };
}

// Tests run in Asia/Shanghai (UTC+8), so local days and UTC days differ.
describe('the board', () => {
  it('computes local day bounds and moves between days', () => {
    const { from, to } = dayBounds('2026-11-28');
    expect(from.toISOString()).toBe('2026-11-27T16:00:00.000Z');
    expect(to.toISOString()).toBe('2026-11-28T16:00:00.000Z');
    expect(shiftDay('2026-11-30', 1)).toBe('2026-12-01');
    expect(shiftDay('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('puts unassigned jobs in the queue by deadline and booked jobs in their lanes by time', () => {
    const board = buildBoard(
      [tech('a'), tech('b'), tech('gone', false)],
      [
        job('2', { due_at: '2026-11-29T00:00:00Z' }),
        job('1', { due_at: '2026-11-28T00:00:00Z' }),
        job('x', { status: 'cancelled' }),
      ],
      [
        job('late', {
          assignee_id: 'a',
          status: 'scheduled',
          appointment_start: '2026-11-28T06:00:00Z',
        }),
        job('early', {
          assignee_id: 'a',
          status: 'scheduled',
          appointment_start: '2026-11-28T01:00:00Z',
        }),
        // 23:30 local on the 27th: not this day.
        job('before', {
          assignee_id: 'b',
          status: 'scheduled',
          appointment_start: '2026-11-27T15:30:00Z',
        }),
        job('gone', {
          assignee_id: 'gone',
          status: 'scheduled',
          appointment_start: '2026-11-28T01:00:00Z',
        }),
        job('cancelled', {
          assignee_id: 'b',
          status: 'cancelled',
          appointment_start: '2026-11-28T02:00:00Z',
        }),
      ],
      '2026-11-28',
    );
    expect(board.queue.map((j) => j.id)).toEqual(['1', '2']);
    expect(board.lanes.map((l) => l.technician.id)).toEqual(['a', 'b']);
    expect(board.lanes[0]?.jobs.map((j) => j.id)).toEqual(['early', 'late']);
    expect(board.lanes[1]?.jobs).toEqual([]);
  });

  it('books a dropped job after the lane’s last booking, or at 08:00', () => {
    const empty = slotFor(job('n'), [], '2026-11-28');
    expect(empty.start.toISOString()).toBe('2026-11-28T00:00:00.000Z'); // 08:00 local
    expect(empty.end.toISOString()).toBe('2026-11-28T02:00:00.000Z');
    const lane = [
      job('b', {
        appointment_start: '2026-11-28T00:00:00Z',
        appointment_end: '2026-11-28T03:00:00Z',
      }),
    ];
    const next = slotFor(job('n'), lane, '2026-11-28');
    expect(next.start.toISOString()).toBe('2026-11-28T03:00:00.000Z');
  });

  it('keeps the time of day of a job that already has a window', () => {
    const booked = job('n', {
      appointment_start: '2026-11-27T06:30:00Z', // 14:30 local
      appointment_end: '2026-11-27T08:00:00Z',
    });
    const s = slotFor(booked, [], '2026-11-28');
    expect(s.start.toISOString()).toBe('2026-11-28T06:30:00.000Z');
    expect(s.end.toISOString()).toBe('2026-11-28T08:00:00.000Z');
  });

  it('books a job for its job type’s default length when an admin set one', () => {
    const lengths = { installation: 90, repair: null };
    expect(bookingLength('installation', lengths)).toBe(90 * 60_000);
    expect(bookingLength('repair', lengths)).toBe(2 * 3_600_000);
    expect(bookingLength('unknown', lengths)).toBe(2 * 3_600_000);
    const s = slotFor(job('n'), [], '2026-11-28', bookingLength('installation', lengths));
    expect(s.end.getTime() - s.start.getTime()).toBe(90 * 60_000);
  });

  it('moves a card between lanes with the arrow keys, not past the ends', () => {
    expect(neighbourLane(-1, 1, 3)).toBe(0);
    expect(neighbourLane(0, 1, 3)).toBe(1);
    expect(neighbourLane(2, 1, 3)).toBeNull();
    expect(neighbourLane(0, -1, 3)).toBeNull();
  });
});

describe('the week view', () => {
  it('starts weeks on Monday and puts each booking in its technician’s day', async () => {
    const { buildWeek, weekDays, weekStartOf } = await import('./board');
    expect(weekStartOf('2026-11-28')).toBe('2026-11-23'); // a Saturday
    expect(weekStartOf('2026-11-23')).toBe('2026-11-23');
    expect(weekStartOf('2026-11-29')).toBe('2026-11-23'); // Sunday ends the week
    expect(weekDays('2026-11-23')).toHaveLength(7);
    const rows = buildWeek(
      [tech('a'), tech('b')],
      [
        job('mon', {
          assignee_id: 'a',
          status: 'scheduled',
          appointment_start: '2026-11-23T01:00:00Z',
        }),
        job('sun-late', {
          assignee_id: 'a',
          status: 'scheduled',
          appointment_start: '2026-11-29T15:00:00Z',
        }),
        job('sun-early', {
          assignee_id: 'a',
          status: 'scheduled',
          appointment_start: '2026-11-29T01:00:00Z',
        }),
        // Monday 00:30 local of the next week.
        job('next', {
          assignee_id: 'b',
          status: 'scheduled',
          appointment_start: '2026-11-29T16:30:00Z',
        }),
      ],
      '2026-11-23',
    );
    expect(rows[0]?.days[0]?.map((j) => j.id)).toEqual(['mon']);
    expect(rows[0]?.days[6]?.map((j) => j.id)).toEqual(['sun-early', 'sun-late']);
    expect(rows[1]?.days.flat()).toEqual([]);
  });
});

describe('job type lengths for booking', () => {
  it('maps each type to its length, and is empty when head office cannot say', async () => {
    const ok = {
      jobTypeDefaults: () =>
        Promise.resolve([
          { code: 'installation', default_duration_minutes: 180 },
          { code: 'repair', default_duration_minutes: null },
        ]),
    } as unknown as DispatchApi;
    expect(await jobTypeLengths(ok)).toEqual({ installation: 180, repair: null });
    const down = {
      jobTypeDefaults: () => Promise.reject(new Error('offline')),
    } as unknown as DispatchApi;
    expect(await jobTypeLengths(down)).toEqual({});
  });
});
