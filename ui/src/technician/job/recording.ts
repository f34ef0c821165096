/**
 * What the technician may record on a job in each status, so the screen can disable what the
 * core would refuse. The core enforces the same table (`lifecycle::check_recording`); this is
 * only for showing controls, never for deciding.
 */
import type { JobStatus } from '../../lib/types/JobStatus';
import type { JobView } from '../../lib/types/JobView';

export type Fact = 'note' | 'work' | 'feedback' | 'article_use' | 'fix_share';

const ALLOWED: Record<Fact, readonly JobStatus[]> = {
  note: ['new', 'scheduled', 'en_route', 'on_site', 'in_progress', 'on_hold', 'completed'],
  work: ['scheduled', 'en_route', 'on_site', 'in_progress', 'on_hold'],
  feedback: ['on_site', 'in_progress', 'on_hold', 'completed'],
  // `kb_field::ARTICLE_USE_STATUSES` and `FIX_SHARE_STATUSES`.
  article_use: ['on_site', 'in_progress', 'on_hold', 'completed'],
  fix_share: ['completed', 'closed'],
};

/** Whether this device's technician (`technicianId`) may record `fact` on the job now. */
export function canRecord(view: JobView, technicianId: string | null, fact: Fact): boolean {
  const mine = technicianId !== null && view.detail.assignee_id === technicianId;
  return mine && ALLOWED[fact].includes(view.detail.status);
}

/** Runs one change to the job and puts the job as it is now on screen; false when refused. */
export type Run = (change: () => Promise<JobView>, confirmation?: string) => Promise<boolean>;
