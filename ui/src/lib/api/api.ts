/**
 * The one door from the UI to the backend. Screens depend on `Api` only; which transport
 * carries the calls is decided once, where the app starts.
 */
import type { AppInfo } from '../types/AppInfo';
import type { Article } from '../types/Article';
import type { ArticleOutcome } from '../types/ArticleOutcome';
import type { ArticleUse } from '../types/ArticleUse';
import type { ArticleSuggestion } from '../types/ArticleSuggestion';
import type { ArticleSummary } from '../types/ArticleSummary';
import type { JobField } from '../types/JobField';
import type { JobQuery } from '../types/JobQuery';
import type { JobStatus } from '../types/JobStatus';
import type { JobSummary } from '../types/JobSummary';
import type { JobView } from '../types/JobView';
import type { KbFilter } from '../types/KbFilter';
import type { NewPartInput } from '../types/NewPartInput';
import type { NewTimeEntryInput } from '../types/NewTimeEntryInput';
import type { Part } from '../types/Part';
import type { PastFix } from '../types/PastFix';
import type { PhotoKind } from '../types/PhotoKind';
import type { PhotoRef } from '../types/PhotoRef';
import type { ProposalReview } from '../types/ProposalReview';
import type { ShareFixInput } from '../types/ShareFixInput';
import { toApiError } from './errors';
import { SYNC_STATUS_EVENT, type SyncIssue, type SyncStatus } from './sync';
import type { Transport, Unsubscribe } from './transport';

/** Payload of the `store-changed` event: the job that changed, or `null` for "anything". */
export interface StoreChanged {
  job_id: string | null;
}

/** A job by id or by job number (`WO-2026-000123`). */
export type JobRef = string;

/** A picture to show: a photo (full size or thumbnail) or a signature. */
export type MediaRef =
  | { photo: string; variant: 'full' | 'thumb' }
  | { signature: string }
  /** A picture of a knowledge article held on the laptop (by its SHA-256). */
  | { article: string; picture: string };

/** A picture file as the user picked, dropped or pasted it. */
export interface PhotoUpload {
  name: string;
  bytes: Uint8Array;
}

/** A signature as drawn on the pad. */
export interface SignatureUpload {
  signerName: string;
  statement: string | null;
  png: Uint8Array;
  /** Strokes as JSON: a list of strokes, each a list of `[x, y, t]` points. */
  strokesJson: string;
}

/** Where a service report was saved. */
export interface SavedReport {
  path: string;
  bytes: number;
}

/**
 * Frames a binary upload for one command: a 4-byte little-endian length, that many bytes of
 * JSON metadata, then the file. Binary goes to the backend as it is (no base64, no number
 * arrays), and the metadata can hold any text.
 */
export function frameUpload(meta: unknown, bytes: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(meta));
  const out = new Uint8Array(4 + json.length + bytes.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  out.set(bytes, 4 + json.length);
  return out;
}

export interface Api {
  appInfo(): Promise<AppInfo>;
  queryJobs(query: JobQuery): Promise<JobSummary[]>;
  jobView(job: JobRef): Promise<JobView>;
  changeStatus(job: JobRef, to: JobStatus, reason: string | null): Promise<JobView>;
  setJobField(job: JobRef, field: JobField, value: string | null): Promise<JobView>;
  addNote(job: JobRef, body: string): Promise<JobView>;
  addPart(job: JobRef, part: NewPartInput): Promise<JobView>;
  /** Withdraws a part line recorded by mistake (possible until the job is completed). */
  withdrawPart(job: JobRef, partUsedId: string, reason: string | null): Promise<JobView>;
  /** Replaces a part line by one with `quantity` (possible until the job is completed). */
  correctPartQuantity(
    job: JobRef,
    partUsedId: string,
    quantity: number,
    reason: string | null,
  ): Promise<JobView>;
  /** `value` as a person types it (`yes`, `230`, a choice, text); the core parses it. */
  answerChecklist(job: JobRef, itemKey: string, value: string): Promise<JobView>;
  addTimeEntry(job: JobRef, entry: NewTimeEntryInput): Promise<JobView>;
  giveFeedback(job: JobRef, rating: number, comment: string | null): Promise<JobView>;
  findParts(query: string): Promise<Part[]>;
  /**
   * Knowledge articles matching every word of `query` (Chinese anywhere, fault codes and models
   * from a fragment) and the filter, by title; an empty query lists what the filter lets through.
   */
  kbSearch(query: string, filter: KbFilter, limit?: number): Promise<ArticleSummary[]>;
  /** One knowledge article, whole; rejects with `not_found` when the laptop does not hold it. */
  kbArticle(id: string): Promise<Article>;
  /** The articles that fit a job, best first, each with why. */
  kbSuggestions(job: JobRef): Promise<ArticleSuggestion[]>;
  /** The team's resolved jobs on the same model or fault code, without personal details. */
  kbSimilarFixes(job: JobRef): Promise<PastFix[]>;
  /** The articles marked as used on a job, latest first. */
  kbArticleUses(job: JobRef): Promise<ArticleUse[]>;
  /** Marks an article as used on a job (it fixed it, or it did not help); the job's marks. */
  kbMarkArticle(job: JobRef, article: string, outcome: ArticleOutcome): Promise<ArticleUse[]>;
  /** The fixes shared from a job, latest first, with head office's review. */
  kbSharedFixes(job: JobRef): Promise<ProposalReview[]>;
  /** Shares a completed job's fix with the team for review; the job's shared fixes. */
  kbShareFix(job: JobRef, fix: ShareFixInput): Promise<ProposalReview[]>;
  /** Imports one picture (processed off the UI thread); rejects with why it is not a photo. */
  importPhoto(
    job: JobRef,
    file: PhotoUpload,
    kind: PhotoKind,
    caption: string | null,
  ): Promise<PhotoRef>;
  /** A photo's full picture (JPEG bytes), to draw a marked-up copy on. */
  photoFile(photoId: string): Promise<ArrayBuffer>;
  /** Deletes a photo (possible until the job is completed). */
  deletePhoto(photoId: string): Promise<JobView>;
  /** Edits a photo's caption (`null` or blank clears it; possible until the job is completed). */
  setPhotoCaption(photoId: string, caption: string | null): Promise<JobView>;
  addSignature(job: JobRef, signature: SignatureUpload): Promise<JobView>;
  /** Writes the job's service report (PDF, in `lang`: `en` or `zh`) and says where. */
  saveReport(job: JobRef, lang: string): Promise<SavedReport>;
  /** Opens a saved report with the system's PDF viewer. */
  openReport(path: string): Promise<void>;
  /** A URL an <img> can show the picture from. */
  mediaUrl(media: MediaRef): string;
  /** Called after every change to the store, by this window or anyone else. */
  onStoreChanged(handler: (change: StoreChanged) => void): Promise<Unsubscribe>;
  /** Where sync with head office stands. */
  syncStatus(): Promise<SyncStatus>;
  /** Syncs at once; rejects with `not_signed_in` when there is no head office. */
  syncNow(): Promise<void>;
  /** Signs this laptop in to head office; rejects with `unauthorized`, `offline`, `bad_address`… */
  signIn(
    url: string,
    user: string,
    password: string,
    allowInsecureHttp: boolean,
  ): Promise<SyncStatus>;
  /** Stops syncing; jobs and unsent changes stay on this laptop. */
  signOut(): Promise<SyncStatus>;
  /** Rejected changes and conflicts, newest first. */
  syncIssues(): Promise<SyncIssue[]>;
  /** Called with every sync status change. */
  onSyncStatus(handler: (status: SyncStatus) => void): Promise<Unsubscribe>;
}

/** Event names and command names as the shell registers them. */
export const STORE_CHANGED_EVENT = 'store-changed';

/** An `Api` over a command transport; every rejection becomes an `ApiError`. */
export function createApi(transport: Transport): Api {
  const call = async <T>(
    command: string,
    args?: Record<string, unknown> | Uint8Array,
  ): Promise<T> => {
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
    // Tauri 2 maps `part_used_id` to `partUsedId`.
    withdrawPart: (job, partUsedId, reason) => call('withdraw_part', { job, partUsedId, reason }),
    correctPartQuantity: (job, partUsedId, quantity, reason) =>
      call('correct_part_quantity', { job, partUsedId, quantity, reason }),
    // Tauri 2 maps the Rust parameter `item_key` to the camelCase argument `itemKey`.
    answerChecklist: (job, itemKey, value) => call('answer_checklist', { job, itemKey, value }),
    addTimeEntry: (job, entry) => call('add_time_entry', { job, entry }),
    giveFeedback: (job, rating, comment) => call('give_feedback', { job, rating, comment }),
    findParts: (query) => call('find_parts', { query }),
    kbSearch: (query, filter, limit) =>
      call('kb_search', {
        query,
        category: filter.category,
        brand: filter.brand,
        limit: limit ?? null,
      }),
    kbArticle: (id) => call('kb_article', { id }),
    // Tauri 2 maps `job_id` to `jobId`.
    kbSuggestions: (job) => call('kb_suggestions', { jobId: job }),
    kbSimilarFixes: (job) => call('kb_similar_fixes', { jobId: job }),
    kbArticleUses: (job) => call('kb_article_uses', { jobId: job }),
    kbMarkArticle: (job, article, outcome) =>
      call('kb_mark_article', { jobId: job, articleId: article, outcome }),
    kbSharedFixes: (job) => call('kb_shared_fixes', { jobId: job }),
    kbShareFix: (job, fix) => call('kb_share_fix', { jobId: job, fix }),
    importPhoto: (job, file, kind, caption) =>
      call('import_photo', frameUpload({ job, file_name: file.name, kind, caption }, file.bytes)),
    photoFile: (photoId) => call('photo_file', { photoId }),
    deletePhoto: (photoId) => call('delete_photo', { photoId }),
    setPhotoCaption: (photoId, caption) => call('set_photo_caption', { photoId, caption }),
    addSignature: (job, s) =>
      call(
        'add_signature',
        frameUpload(
          { job, signer_name: s.signerName, statement: s.statement, strokes_json: s.strokesJson },
          s.png,
        ),
      ),
    saveReport: (job, lang) => call('save_report', { job, lang }),
    openReport: (path) => call('open_report', { path }),
    mediaUrl: (media) => transport.mediaUrl(media),
    onStoreChanged: (handler) => transport.subscribe<StoreChanged>(STORE_CHANGED_EVENT, handler),
    syncStatus: () => call('sync_status'),
    syncNow: () => call('sync_now'),
    // Tauri 2 maps `allow_insecure_http` to `allowInsecureHttp`.
    signIn: (url, user, password, allowInsecureHttp) =>
      call('sign_in', { url, user, password, allowInsecureHttp }),
    signOut: () => call('sign_out'),
    syncIssues: () => call('sync_issues'),
    onSyncStatus: (handler) => transport.subscribe<SyncStatus>(SYNC_STATUS_EVENT, handler),
  };
}
