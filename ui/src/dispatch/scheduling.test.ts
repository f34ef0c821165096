import { describe, expect, it } from 'vitest';

import { ApiError } from '../lib/api/errors';
import type {
  Appointment,
  ScheduleAdvice,
  ScheduleAdviceQuery,
  ScheduleInput,
} from '../lib/api/headoffice';
import type { WorkOrder } from '../lib/types/WorkOrder';
import { fieldsWindow, isOverlap, missKey, scheduleConfirmed, windowFields } from './scheduling';

const clash: Appointment = {
  job_id: 'j0',
  number: 'WO-2026-000001',
  appointment_start: '2026-12-07T00:00:00Z',
  appointment_end: '2026-12-07T02:00:00Z',
};

/** A head office whose technician is busy unless the booking is confirmed. */
function fakeApi(busy: boolean) {
  const booked: ScheduleInput[] = [];
  const asked: ScheduleAdviceQuery[] = [];
  return {
    booked,
    asked,
    schedule(_id: string, input: ScheduleInput): Promise<WorkOrder> {
      if (busy && !input.allow_overlap) {
        return Promise.reject(new ApiError('schedule_overlap', 'already booked'));
      }
      booked.push(input);
      return Promise.resolve({ id: 'j1' } as WorkOrder);
    },
    scheduleAdvice(_id: string, q: ScheduleAdviceQuery): Promise<ScheduleAdvice> {
      asked.push(q);
      return Promise.resolve({
        length_minutes: 120,
        next_free: null,
        clashes: [clash],
        misses: [],
      });
    },
  };
}

const input: ScheduleInput = {
  assignee_id: 'tech-1',
  appointment_start: '2026-12-07T00:00:00.000Z',
  appointment_end: '2026-12-07T02:00:00.000Z',
};

describe('booking with a clash', () => {
  it('books straight away when the technician is free, without asking', async () => {
    const api = fakeApi(false);
    let askedUser = false;
    const wo = await scheduleConfirmed(api, 'j1', input, () => {
      askedUser = true;
      return Promise.resolve(true);
    });
    expect(wo?.id).toBe('j1');
    expect(askedUser).toBe(false);
    expect(api.booked).toEqual([input]);
  });

  it('shows the clashing appointments and double-books only when confirmed', async () => {
    const api = fakeApi(true);
    let shown: Appointment[] = [];
    const wo = await scheduleConfirmed(api, 'j1', input, (clashes) => {
      shown = clashes;
      return Promise.resolve(true);
    });
    expect(shown).toEqual([clash]);
    expect(api.asked[0]).toMatchObject({
      assignee_id: 'tech-1',
      start: input.appointment_start,
      end: input.appointment_end,
    });
    expect(wo?.id).toBe('j1');
    expect(api.booked).toEqual([{ ...input, allow_overlap: true }]);
  });

  it('books nothing when the dispatcher declines', async () => {
    const api = fakeApi(true);
    const wo = await scheduleConfirmed(api, 'j1', input, () => Promise.resolve(false));
    expect(wo).toBeNull();
    expect(api.booked).toEqual([]);
  });

  it('passes other refusals on', async () => {
    const api = {
      schedule: () => Promise.reject(new ApiError('not_found', 'no such job')),
      scheduleAdvice: () => Promise.reject(new Error('not asked')),
    };
    await expect(scheduleConfirmed(api, 'j1', input, () => Promise.resolve(true))).rejects.toThrow(
      'no such job',
    );
    expect(isOverlap(new ApiError('schedule_overlap', 'x'))).toBe(true);
    expect(isOverlap(new ApiError('invalid', 'x'))).toBe(false);
  });
});

describe('the dialog fields', () => {
  it('round-trip a local window and refuse an end before the start', () => {
    const start = new Date(2026, 11, 7, 8, 0);
    const end = new Date(2026, 11, 7, 10, 30);
    const f = windowFields(start, end);
    expect(f).toEqual({ day: '2026-12-07', from: '08:00', to: '10:30' });
    expect(fieldsWindow(f.day, f.from, f.to)).toEqual({ start, end });
    expect(fieldsWindow('2026-12-07', '10:00', '09:00')).toBeNull();
    expect(fieldsWindow('2026-12-07', '', '09:00')).toBeNull();
  });

  it('names each missed deadline', () => {
    expect(missKey({ deadline: 'arrival', due_at: '2026-12-07T00:47:00Z' })).toBe(
      'dispatch.schedule.missesArrival',
    );
    expect(missKey({ deadline: 'resolution', due_at: '2026-12-07T00:47:00Z' })).toBe(
      'dispatch.schedule.missesResolution',
    );
  });
});
