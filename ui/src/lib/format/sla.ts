/**
 * The SLA countdown on job rows: how long until the on-site deadline (`due_at`), or how long
 * it has been overdue. Deciding the numbers is pure; wording is the catalogue's.
 */
import type { JobStatus } from '../types/JobStatus';

export type DurationUnit = 'minutes' | 'hours' | 'days';

export type Countdown =
  | { state: 'due_now' }
  | { state: 'due' | 'overdue'; amount: number; unit: DurationUnit; soon: boolean };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Below this an upcoming deadline is shown as "soon" (amber). */
export const SOON_MS = 2 * HOUR;

/**
 * Rounds down so "due in 3 h" never promises more time than there is: under an hour in
 * minutes, under two days in hours, then in days.
 */
export function countdown(dueAt: string, now: Date): Countdown | null {
  const due = new Date(dueAt).getTime();
  if (Number.isNaN(due)) return null;
  const diff = due - now.getTime();
  const abs = Math.abs(diff);
  if (abs < MINUTE) return { state: 'due_now' };
  const state = diff > 0 ? 'due' : 'overdue';
  const soon = state === 'due' && diff <= SOON_MS;
  const minutes = Math.floor(abs / MINUTE);
  if (minutes < 60) return { state, amount: minutes, unit: 'minutes', soon };
  const hours = Math.floor(abs / HOUR);
  if (hours < 48) return { state, amount: hours, unit: 'hours', soon };
  return { state, amount: Math.floor(hours / 24), unit: 'days', soon };
}

/**
 * The on-site deadline only matters until the technician arrives; after that (and for
 * finished or cancelled jobs) the countdown is not shown.
 */
export function slaApplies(status: JobStatus): boolean {
  return status === 'new' || status === 'scheduled' || status === 'en_route';
}

export interface CountdownWords {
  dueIn: (time: string) => string;
  overdue: (time: string) => string;
  dueNow: () => string;
  duration: (amount: number, unit: DurationUnit) => string;
}

/** "due in 3 h", "overdue 2 days", in whatever language `words` speaks. */
export function describeCountdown(c: Countdown, words: CountdownWords): string {
  if (c.state === 'due_now') return words.dueNow();
  const time = words.duration(c.amount, c.unit);
  return c.state === 'due' ? words.dueIn(time) : words.overdue(time);
}
