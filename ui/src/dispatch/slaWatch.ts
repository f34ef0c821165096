/**
 * The SLA watch list: open jobs whose on-site deadline still applies, overdue first (the
 * latest at the top), then those booked after a deadline they cannot meet (head office judges
 * the booking with the core's rule, `booking_misses`), then those due soon, then the rest by
 * deadline. Beside it, the acknowledgement watch: new jobs no dispatcher has acted on whose
 * acknowledgement deadline has passed or is near.
 */
import type { JobListItem } from '../lib/api/headoffice';
import { SOON_MS } from '../lib/format/sla';

export type Urgency = 'overdue' | 'booked_late' | 'soon' | 'later';

export const URGENCIES: readonly Urgency[] = ['overdue', 'booked_late', 'soon', 'later'];

export interface Watched {
  job: JobListItem;
  urgency: Urgency;
  /** Milliseconds past the deadline (negative while it is still ahead). */
  lateBy: number;
}

/** Whether the job's appointment cannot meet one of its deadlines. */
export function bookedLate(job: Pick<JobListItem, 'booking_misses'>): boolean {
  return (job.booking_misses ?? []).length > 0;
}

export function watchList(jobs: JobListItem[], now: Date): Watched[] {
  const rank = (u: Urgency) => URGENCIES.indexOf(u);
  return jobs
    .filter((j) => j.status === 'new' || j.status === 'scheduled' || j.status === 'en_route')
    .map((job) => {
      const lateBy = now.getTime() - new Date(job.due_at).getTime();
      const urgency: Urgency =
        lateBy > 0
          ? 'overdue'
          : bookedLate(job)
            ? 'booked_late'
            : -lateBy <= SOON_MS
              ? 'soon'
              : 'later';
      return { job, urgency, lateBy };
    })
    .sort((a, b) => rank(a.urgency) - rank(b.urgency) || b.lateBy - a.lateBy);
}

/** An acknowledgement deadline this close is at risk (the handbook gives 30 minutes). */
export const ACK_AT_RISK_MS = 15 * 60_000;

export type AckState = 'breached' | 'at_risk';

export interface AckWatched {
  job: JobListItem;
  state: AckState;
  /** Milliseconds past the acknowledgement deadline (negative while it is still ahead). */
  lateBy: number;
}

/**
 * New jobs still waiting to be acknowledged whose deadline has passed (`breached`) or is at
 * most [`ACK_AT_RISK_MS`] away (`at_risk`), the longest overdue first.
 */
export function ackWatch(jobs: JobListItem[], now: Date): AckWatched[] {
  return jobs
    .filter((j) => j.awaiting_acknowledgement && j.ack_due_at)
    .map((job) => ({ job, lateBy: now.getTime() - new Date(job.ack_due_at).getTime() }))
    .filter((w) => w.lateBy > 0 || -w.lateBy <= ACK_AT_RISK_MS)
    .map(({ job, lateBy }): AckWatched => ({
      job,
      lateBy,
      state: lateBy > 0 ? 'breached' : 'at_risk',
    }))
    .sort((a, b) => b.lateBy - a.lateBy);
}
