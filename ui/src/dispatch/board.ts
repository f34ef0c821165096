/**
 * The board's arithmetic, kept pure so it is tested without a browser: which jobs go in which
 * lane, where a job dropped on a lane is booked, and where the keyboard moves a card.
 */
import type { DispatchApi, JobListItem } from '../lib/api/headoffice';
import type { JobStatus } from '../lib/types/JobStatus';
import type { Technician } from '../lib/types/Technician';

/** `[from, to)` of a local calendar day (`YYYY-MM-DD`) as instants. */
export function dayBounds(day: string): { from: Date; to: Date } {
  const [y, m, d] = day.split('-').map(Number);
  const from = new Date(y ?? 1970, (m ?? 1) - 1, d ?? 1, 0, 0, 0, 0);
  const to = new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + 1, 0, 0, 0, 0);
  return { from, to };
}

/** The local day `n` days after `day`. */
export function shiftDay(day: string, n: number): string {
  const { from } = dayBounds(day);
  const d = new Date(from.getFullYear(), from.getMonth(), from.getDate() + n, 12);
  return localDayOf(d);
}

export function localDayOf(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Statuses a job can still be planned in; finished and cancelled jobs leave the board. */
export const PLANNABLE: readonly JobStatus[] = ['new', 'scheduled', 'en_route', 'on_hold'];
/** Statuses shown in a lane: planned and under way. */
export const ON_BOARD: readonly JobStatus[] = [
  'new',
  'scheduled',
  'en_route',
  'on_site',
  'in_progress',
  'on_hold',
  'completed',
];

export interface Lane {
  technician: Technician;
  jobs: JobListItem[];
}

export interface Board {
  queue: JobListItem[];
  lanes: Lane[];
}

const byStart = (a: JobListItem, b: JobListItem) =>
  (a.appointment_start ?? a.due_at).localeCompare(b.appointment_start ?? b.due_at);
const byDue = (a: JobListItem, b: JobListItem) => a.due_at.localeCompare(b.due_at);

/**
 * Unassigned jobs (most urgent deadline first) and one lane per active technician with their
 * jobs booked on `day`, in appointment order.
 */
export function buildBoard(
  technicians: Technician[],
  unassigned: JobListItem[],
  ofDay: JobListItem[],
  day: string,
): Board {
  const { from, to } = dayBounds(day);
  const inDay = (j: JobListItem) => {
    if (!j.appointment_start) return false;
    const t = new Date(j.appointment_start).getTime();
    return t >= from.getTime() && t < to.getTime();
  };
  const lanes = technicians
    .filter((t) => t.active)
    .map((technician) => ({
      technician,
      jobs: ofDay
        .filter((j) => j.assignee_id === technician.id && inDay(j) && ON_BOARD.includes(j.status))
        .sort(byStart),
    }));
  const queue = unassigned
    .filter((j) => j.assignee_id === null && PLANNABLE.includes(j.status))
    .sort(byDue);
  return { queue, lanes };
}

const HOUR = 3_600_000;
/** The first booking of a day starts at 08:00 local time. */
export const DAY_START_HOUR = 8;
/** A new booking lasts two hours unless the job already has a window. */
export const DEFAULT_WINDOW_MS = 2 * HOUR;

/**
 * How long to book a job of type `code`: the job type's default length (set by an admin, in
 * minutes) when it has one, else [`DEFAULT_WINDOW_MS`].
 */
export function bookingLength(
  code: string,
  minutesByCode: Readonly<Record<string, number | null | undefined>>,
): number {
  const minutes = minutesByCode[code];
  return typeof minutes === 'number' && minutes > 0 ? minutes * 60_000 : DEFAULT_WINDOW_MS;
}

/**
 * Where a job dropped on a technician's lane for `day` is booked: the same times of day when it
 * already has a window (so a reschedule to another technician keeps the appointment), else
 * right after the lane's last booking, else at 08:00, for `lengthMs`.
 */
export function slotFor(
  job: JobListItem,
  lane: JobListItem[],
  day: string,
  lengthMs = DEFAULT_WINDOW_MS,
): { start: Date; end: Date } {
  const { from } = dayBounds(day);
  if (job.appointment_start) {
    const s = new Date(job.appointment_start);
    const e = job.appointment_end
      ? new Date(job.appointment_end)
      : new Date(s.getTime() + lengthMs);
    const start = new Date(from);
    start.setHours(s.getHours(), s.getMinutes(), 0, 0);
    return {
      start,
      end: new Date(start.getTime() + Math.max(e.getTime() - s.getTime(), HOUR / 2)),
    };
  }
  const others = lane.filter((j) => j.id !== job.id && j.appointment_end);
  let start = new Date(from);
  start.setHours(DAY_START_HOUR, 0, 0, 0);
  for (const j of others) {
    const end = new Date(j.appointment_end ?? '');
    if (end.getTime() > start.getTime()) start = end;
  }
  return { start, end: new Date(start.getTime() + lengthMs) };
}

/**
 * The lane a card moves to with the arrow keys: index `-1` is the unassigned queue, `0…n-1`
 * the technicians' lanes. The queue is never a target (jobs are not unassigned here).
 */
export function neighbourLane(
  current: number,
  direction: -1 | 1,
  laneCount: number,
): number | null {
  const next = current + direction;
  if (next < 0 || next >= laneCount) return null;
  return next;
}

/** The Monday of the week holding `day`. */
export function weekStartOf(day: string): string {
  const { from } = dayBounds(day);
  const sinceMonday = (from.getDay() + 6) % 7;
  return shiftDay(day, -sinceMonday);
}

/** The seven days of the week starting `monday`. */
export function weekDays(monday: string): string[] {
  return Array.from({ length: 7 }, (_, i) => shiftDay(monday, i));
}

export interface WeekRow {
  technician: Technician;
  /** Seven cells, Monday first, each in appointment order. */
  days: JobListItem[][];
}

/** One row per active technician, one cell per day of the week starting `monday`. */
export function buildWeek(
  technicians: Technician[],
  jobs: JobListItem[],
  monday: string,
): WeekRow[] {
  const days = weekDays(monday);
  const bounds = days.map(dayBounds);
  const cellOf = (j: JobListItem): number => {
    if (!j.appointment_start) return -1;
    const t = new Date(j.appointment_start).getTime();
    return bounds.findIndex((b) => t >= b.from.getTime() && t < b.to.getTime());
  };
  return technicians
    .filter((t) => t.active)
    .map((technician) => {
      const cells: JobListItem[][] = days.map(() => []);
      for (const j of jobs) {
        if (j.assignee_id !== technician.id || !ON_BOARD.includes(j.status)) continue;
        const i = cellOf(j);
        if (i >= 0) cells[i]?.push(j);
      }
      for (const c of cells) c.sort(byStart);
      return { technician, days: cells };
    });
}

/**
 * Appointment length per job type code, in minutes, as admins set them; empty when head office
 * cannot say (the board and week view then book their standard two hours).
 */
export async function jobTypeLengths(api: DispatchApi): Promise<Record<string, number | null>> {
  try {
    const defaults = await api.jobTypeDefaults();
    return Object.fromEntries(defaults.map((d) => [d.code, d.default_duration_minutes]));
  } catch {
    return {};
  }
}
