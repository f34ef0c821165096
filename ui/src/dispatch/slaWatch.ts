/**
 * The SLA watch list: open jobs whose on-site deadline still applies, overdue first (the
 * latest at the top), then those due soon, then the rest by deadline.
 */
import type { JobListItem } from '../lib/api/headoffice';
import { SOON_MS } from '../lib/format/sla';

export type Urgency = 'overdue' | 'soon' | 'later';

export interface Watched {
  job: JobListItem;
  urgency: Urgency;
  /** Milliseconds past the deadline (negative while it is still ahead). */
  lateBy: number;
}

export function watchList(jobs: JobListItem[], now: Date): Watched[] {
  return jobs
    .filter((j) => j.status === 'new' || j.status === 'scheduled' || j.status === 'en_route')
    .map((job) => {
      const lateBy = now.getTime() - new Date(job.due_at).getTime();
      const urgency: Urgency = lateBy > 0 ? 'overdue' : -lateBy <= SOON_MS ? 'soon' : 'later';
      return { job, urgency, lateBy };
    })
    .sort((a, b) => b.lateBy - a.lateBy);
}
