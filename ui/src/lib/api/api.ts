/**
 * The one door from the UI to the backend. Screens depend on `Api` only; which transport
 * carries the calls is decided once, where the app starts.
 */
import type { AppInfo } from '../types/AppInfo';
import type { JobField } from '../types/JobField';
import type { JobQuery } from '../types/JobQuery';
import type { JobStatus } from '../types/JobStatus';
import type { JobSummary } from '../types/JobSummary';
import type { JobView } from '../types/JobView';
import type { NewPartInput } from '../types/NewPartInput';
import type { NewTimeEntryInput } from '../types/NewTimeEntryInput';
import type { Part } from '../types/Part';
import { toApiError } from './errors';
import type { Transport, Unsubscribe } from './transport';

/** Payload of the `store-changed` event: the job that changed, or `null` for "anything". */
export interface StoreChanged {
  job_id: string | null;
}

/** A job by id or by job number (`WO-2026-000123`). */
export type JobRef = string;

export interface Api {
  appInfo(): Promise<AppInfo>;
  queryJobs(query: JobQuery): Promise<JobSummary[]>;
  jobView(job: JobRef): Promise<JobView>;
  changeStatus(job: JobRef, to: JobStatus, reason: string | null): Promise<JobView>;
  setJobField(job: JobRef, field: JobField, value: string | null): Promise<JobView>;
  addNote(job: JobRef, body: string): Promise<JobView>;
  addPart(job: JobRef, part: NewPartInput): Promise<JobView>;
  /** `value` as a person types it (`yes`, `230`, a choice, text); the core parses it. */
  answerChecklist(job: JobRef, itemKey: string, value: string): Promise<JobView>;
  addTimeEntry(job: JobRef, entry: NewTimeEntryInput): Promise<JobView>;
  giveFeedback(job: JobRef, rating: number, comment: string | null): Promise<JobView>;
  findParts(query: string): Promise<Part[]>;
  /** Called after every change to the store, by this window or anyone else. */
  onStoreChanged(handler: (change: StoreChanged) => void): Promise<Unsubscribe>;
}

/** Event names and command names as the shell registers them. */
export const STORE_CHANGED_EVENT = 'store-changed';

/** An `Api` over a command transport; every rejection becomes an `ApiError`. */
export function createApi(transport: Transport): Api {
  const call = async <T>(command: string, args?: Record<string, unknown>): Promise<T> => {
    try {
      return await transport.call<T>(command, args);
    } catch (reason) {
      throw toApiError(reason);
    }
  };
  return {
    appInfo: () => call('app_info'),
    queryJobs: (query) => call('query_jobs', { query }),
    jobView: (job) => call('job_view', { job }),
    changeStatus: (job, to, reason) => call('change_status', { job, to, reason }),
    setJobField: (job, field, value) => call('set_job_field', { job, field, value }),
    addNote: (job, body) => call('add_note', { job, body }),
    addPart: (job, part) => call('add_part', { job, part }),
    // Tauri 2 maps the Rust parameter `item_key` to the camelCase argument `itemKey`.
    answerChecklist: (job, itemKey, value) => call('answer_checklist', { job, itemKey, value }),
    addTimeEntry: (job, entry) => call('add_time_entry', { job, entry }),
    giveFeedback: (job, rating, comment) => call('give_feedback', { job, rating, comment }),
    findParts: (query) => call('find_parts', { query }),
    onStoreChanged: (handler) => transport.subscribe<StoreChanged>(STORE_CHANGED_EVENT, handler),
  };
}
