/** The Jobs screen's search and filters; kept while a job is open so Esc returns to them. */
import type { JobStatus } from '../../lib/types/JobStatus';
import type { Priority } from '../../lib/types/Priority';

export interface JobsFilter {
  text: string;
  status: JobStatus | '';
  jobType: string;
  priority: Priority | '';
  from: string;
  to: string;
  mineOnly: boolean;
}

export const EMPTY_FILTER: JobsFilter = {
  text: '',
  status: '',
  jobType: '',
  priority: '',
  from: '',
  to: '',
  mineOnly: false,
};

export const jobsFilter = $state<JobsFilter>({ ...EMPTY_FILTER });
