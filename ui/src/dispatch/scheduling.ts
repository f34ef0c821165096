/**
 * Booking a technician from the console: head office refuses a window that clashes with the
 * technician's other appointments (`schedule_overlap`) unless the dispatcher confirms, and
 * advises the technician's next free slot (`GET /jobs/{id}/schedule/advice`; the rules are the
 * core's `schedule` and `sla` modules). This module holds what the screens share.
 */
import { toApiError } from '../lib/api/errors';
import type {
  Appointment,
  DispatchApi,
  ScheduleAdvice,
  ScheduleInput,
} from '../lib/api/headoffice';
import type { MessageKey } from '../lib/i18n/en';
import type { MissedDeadline } from '../lib/types/MissedDeadline';
import type { WorkOrder } from '../lib/types/WorkOrder';

export const SCHEDULE_OVERLAP = 'schedule_overlap';

/** Whether `e` is head office refusing a booking that clashes (not confirmed yet). */
export function isOverlap(e: unknown): boolean {
  return toApiError(e).code === SCHEDULE_OVERLAP;
}

/** This browser's offset from UTC at `at`, in minutes east (480 in China). */
export function tzMinutes(at: Date): number {
  return -at.getTimezoneOffset();
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The local day (`YYYY-MM-DD`) and times (`HH:MM`) of a window, for the dialog's fields. */
export function windowFields(start: Date, end: Date): { day: string; from: string; to: string } {
  return {
    day: `${start.getFullYear()}-${pad(start.getMonth() + 1)}-${pad(start.getDate())}`,
    from: `${pad(start.getHours())}:${pad(start.getMinutes())}`,
    to: `${pad(end.getHours())}:${pad(end.getMinutes())}`,
  };
}

/**
 * The window the fields describe, in local time; `null` when a field is incomplete or the end
 * is not after the start.
 */
export function fieldsWindow(
  day: string,
  from: string,
  to: string,
): { start: Date; end: Date } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const a = /^(\d{2}):(\d{2})$/.exec(from);
  const b = /^(\d{2}):(\d{2})$/.exec(to);
  if (!m || !a || !b) return null;
  const at = (n: RegExpExecArray) =>
    new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(n[1]), Number(n[2]));
  const start = at(a);
  const end = at(b);
  return end.getTime() > start.getTime() ? { start, end } : null;
}

/** The advice for booking `assigneeId` on `jobId` in `[start, end)`. */
export function adviceFor(
  api: Pick<DispatchApi, 'scheduleAdvice'>,
  jobId: string,
  assigneeId: string,
  window: { start: Date; end: Date } | null,
  after: Date | null,
): Promise<ScheduleAdvice> {
  return api.scheduleAdvice(jobId, {
    assignee_id: assigneeId,
    after: after?.toISOString(),
    start: window?.start.toISOString(),
    end: window?.end.toISOString(),
    tz: tzMinutes(window?.start ?? after ?? new Date()),
  });
}

/**
 * Books `input`; when head office reports a clash, asks `confirm` with the clashing
 * appointments and books anyway if the dispatcher agrees. Resolves to the work order, or
 * `null` when the dispatcher declined.
 */
export async function scheduleConfirmed(
  api: Pick<DispatchApi, 'schedule' | 'scheduleAdvice'>,
  jobId: string,
  input: ScheduleInput,
  confirm: (clashes: Appointment[]) => Promise<boolean>,
): Promise<WorkOrder | null> {
  try {
    return await api.schedule(jobId, input);
  } catch (e) {
    if (!isOverlap(e)) throw e;
    const start = new Date(input.appointment_start);
    const end = new Date(input.appointment_end);
    const advice = await adviceFor(api, jobId, input.assignee_id, { start, end }, null);
    if (!(await confirm(advice.clashes))) return null;
    return api.schedule(jobId, { ...input, allow_overlap: true });
  }
}

/** The catalogue key naming a missed deadline. */
export function missKey(m: MissedDeadline): MessageKey {
  return m.deadline === 'arrival'
    ? 'dispatch.schedule.missesArrival'
    : 'dispatch.schedule.missesResolution';
}
