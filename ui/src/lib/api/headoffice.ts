/**
 * The dispatcher API of head office, as the console uses it (see
 * crates/fieldwork-sync/PROTOCOL.md "Dispatcher API" and `/api/v1/openapi.json`). Domain
 * records (work orders, customers, notes, …) are the generated types of the core; head office's
 * own request and response types are generated too (ts-rs, `ui/src/lib/types/headoffice/`,
 * from `crates/fieldwork-headoffice` and `fieldwork-sync`'s wire types): this file holds only
 * the client.
 */
import type { Article } from '../types/Article';
import type { ArticleContent } from '../types/ArticleContent';
import type { ArticleStatus } from '../types/ArticleStatus';
import type { ArticleText } from '../types/ArticleText';
import type { Customer } from '../types/Customer';
import type { Equipment } from '../types/Equipment';
import type { JobStatus } from '../types/JobStatus';
import type { JobType } from '../types/JobType';
import type { Language } from '../types/Language';
import type { Part } from '../types/Part';
import type { PhotoRef } from '../types/PhotoRef';
import type { ProposalStatus } from '../types/ProposalStatus';
import type { Site } from '../types/Site';
import type { Technician } from '../types/Technician';
import type { WorkOrder } from '../types/WorkOrder';
import type { Appointment } from '../types/headoffice/Appointment';
import type { ArticleAdmin } from '../types/headoffice/ArticleAdmin';
import type { ArticleEdit } from '../types/headoffice/ArticleEdit';
import type { ArticleListItem } from '../types/headoffice/ArticleListItem';
import type { ArticleQuery } from '../types/headoffice/ArticleQuery';
import type { ArticleSort } from '../types/headoffice/ArticleSort';
import type { ArticleTitle } from '../types/headoffice/ArticleTitle';
import type { ArticleUses } from '../types/headoffice/ArticleUses';
import type { ArticleVersionInfo } from '../types/headoffice/ArticleVersionInfo';
import type { ClockWarning } from '../types/headoffice/ClockWarning';
import type { Complaint } from '../types/headoffice/Complaint';
import type { ComplaintCategory } from '../types/headoffice/ComplaintCategory';
import type { ComplaintGrade } from '../types/headoffice/ComplaintGrade';
import type { ComplaintResolution } from '../types/headoffice/ComplaintResolution';
import type { ComplaintTime } from '../types/headoffice/ComplaintTime';
import type { CompletionTime } from '../types/headoffice/CompletionTime';
import type { ConflictRecord } from '../types/headoffice/ConflictRecord';
import type { CustomerInput } from '../types/headoffice/CustomerInput';
import type { DeadlinesPreview } from '../types/headoffice/DeadlinesPreview';
import type { DeadlinesQuery } from '../types/headoffice/DeadlinesQuery';
import type { Device } from '../types/headoffice/Device';
import type { EquipmentInput } from '../types/headoffice/EquipmentInput';
import type { FollowUp } from '../types/headoffice/FollowUp';
import type { FollowUpInput } from '../types/headoffice/FollowUpInput';
import type { JobInput } from '../types/headoffice/JobInput';
import type { JobListFilter as JobListQuery } from '../types/headoffice/JobListFilter';
import type { JobListItem } from '../types/headoffice/JobListItem';
import type { JobPatch } from '../types/headoffice/JobPatch';
import type { JobRecord } from '../types/headoffice/JobRecord';
import type { JobTypeAdmin } from '../types/headoffice/JobTypeAdmin';
import type { JobTypeDefaults } from '../types/headoffice/JobTypeDefaults';
import type { JobTypeInput } from '../types/headoffice/JobTypeInput';
import type { KbPhoto } from '../types/headoffice/KbPhoto';
import type { KnowledgeEffect } from '../types/headoffice/KnowledgeEffect';
import type { KpiJobsQuery } from '../types/headoffice/KpiJobsQuery';
import type { KpiQuery } from '../types/headoffice/KpiQuery';
import type { KpiReport } from '../types/headoffice/KpiReport';
import type { KpiValue } from '../types/headoffice/KpiValue';
import type { MajorComplaint } from '../types/headoffice/MajorComplaint';
import type { Measure } from '../types/headoffice/Measure';
import type { NewUserInput } from '../types/headoffice/NewUserInput';
import type { PartAdmin } from '../types/headoffice/PartAdmin';
import type { PartPatch } from '../types/headoffice/PartPatch';
import type { PartQuery } from '../types/headoffice/PartQuery';
import type { ProposalAccept } from '../types/headoffice/ProposalAccept';
import type { ProposalDetail } from '../types/headoffice/ProposalDetail';
import type { ProposalEquipment } from '../types/headoffice/ProposalEquipment';
import type { ProposalListItem } from '../types/headoffice/ProposalListItem';
import type { ProposalQuery } from '../types/headoffice/ProposalQuery';
import type { RatioPart } from '../types/headoffice/RatioPart';
import type { RejectedMutation } from '../types/headoffice/RejectedMutation';
import type { ScheduleAdvice } from '../types/headoffice/ScheduleAdvice';
import type { ScheduleAdviceQuery } from '../types/headoffice/ScheduleAdviceQuery';
import type { ScheduleInput } from '../types/headoffice/ScheduleInput';
import type { SessionInfo } from '../types/headoffice/SessionInfo';
import type { SiteInput } from '../types/headoffice/SiteInput';
import type { SlaSettings } from '../types/headoffice/SlaSettings';
import type { TechnicianKpis } from '../types/headoffice/TechnicianKpis';
import type { User } from '../types/headoffice/User';
import type { UserRole } from '../types/headoffice/UserRole';
import type { UserUpdateInput } from '../types/headoffice/UserUpdateInput';
import type { WithdrawnPart } from '../types/headoffice/WithdrawnPart';
import type { SlaPolicy } from '../types/SlaPolicy';
import { ApiError } from './errors';
import { HttpClient, errorFrom, query } from './http';

/** The largest picture file head office takes for an article. */
export const KB_PHOTO_MAX_BYTES = 40 * 1024 * 1024;

/** How an upload is going: bytes sent of the file's `total`. */
export type UploadProgress = (sent: number, total: number) => void;

/**
 * Sends a file's bytes as a request body and answers head office's status and body. The
 * browser's is `xhrUpload` (`fetch` cannot report an upload's progress); tests give their own.
 */
export type UploadTransport = (request: {
  url: string;
  headers: Record<string, string>;
  body: Blob;
  onProgress?: UploadProgress;
}) => Promise<{ status: number; text: string }>;

/** `XMLHttpRequest`, which reports how much of the body has gone. */
export const xhrUpload: UploadTransport = ({ url, headers, body, onProgress }) =>
  new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    if (onProgress) {
      xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : body.size);
    }
    xhr.onload = () => resolve({ status: xhr.status, text: xhr.responseText });
    xhr.onerror = () => reject(new ApiError('network', 'the upload did not reach head office'));
    xhr.onabort = () => reject(new ApiError('network', 'the upload was stopped'));
    xhr.send(body);
  });

/** `fetch` (no progress but the end): where there is no `XMLHttpRequest`. */
export function fetchUpload(fetcher: typeof fetch = (i, init) => globalThis.fetch(i, init)) {
  const upload: UploadTransport = async ({ url, headers, body, onProgress }) => {
    let response: Response;
    try {
      response = await fetcher(url, {
        method: 'POST',
        headers,
        body,
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (reason) {
      throw new ApiError('network', reason instanceof Error ? reason.message : String(reason));
    }
    onProgress?.(body.size, body.size);
    return { status: response.status, text: await response.text() };
  };
  return upload;
}

/** Codes that mean "sign in again" when they answer a request made inside a session. */
const SESSION_LOST: ReadonlySet<string> = new Set([
  'unauthorized',
  'session_expired',
  'user_disabled',
]);

/**
 * `GET /api/v1/jobs`'s filter as the console builds it: the statuses as a list (the query
 * string carries them comma-separated, `JobListQuery.status`).
 */
export type JobListFilter = Omit<JobListQuery, 'status'> & { status?: JobStatus[] };

export type {
  Appointment,
  Article,
  ArticleAdmin,
  ArticleContent,
  ArticleEdit,
  ArticleListItem,
  ArticleQuery,
  ArticleSort,
  ArticleStatus,
  ArticleText,
  ArticleTitle,
  ArticleUses,
  ArticleVersionInfo,
  ClockWarning,
  Complaint,
  ComplaintCategory,
  ComplaintGrade,
  ComplaintResolution,
  ComplaintTime,
  CompletionTime,
  ConflictRecord,
  CustomerInput,
  DeadlinesPreview,
  DeadlinesQuery,
  Device,
  EquipmentInput,
  FollowUp,
  FollowUpInput,
  JobInput,
  JobListItem,
  JobPatch,
  JobRecord,
  JobTypeAdmin,
  JobTypeDefaults,
  JobTypeInput,
  KbPhoto,
  KnowledgeEffect,
  KpiJobsQuery,
  KpiQuery,
  KpiReport,
  KpiValue,
  Language,
  MajorComplaint,
  Measure,
  NewUserInput,
  Part,
  PartAdmin,
  PartPatch,
  PartQuery,
  PhotoRef,
  ProposalAccept,
  ProposalDetail,
  ProposalEquipment,
  ProposalListItem,
  ProposalQuery,
  ProposalStatus,
  RatioPart,
  RejectedMutation,
  ScheduleAdvice,
  ScheduleAdviceQuery,
  ScheduleInput,
  SessionInfo,
  SiteInput,
  SlaPolicy,
  SlaSettings,
  TechnicianKpis,
  User,
  UserRole,
  UserUpdateInput,
  WithdrawnPart,
};

export interface DispatchApi {
  /** The session of this browser, or `null` when signed out. */
  session(): Promise<SessionInfo | null>;
  signIn(user: string, password: string): Promise<SessionInfo>;
  signOut(): Promise<void>;
  /**
   * Called once when head office says the session has ended, with its code (`session_expired`,
   * `unauthorized`, or `user_disabled` when an admin disabled the account).
   */
  onSessionLost(handler: ((code: string) => void) | null): void;
  /**
   * Calls `handler` whenever something changes at head office (a device synced, a dispatcher
   * saved), through server-sent events; returns the function that stops listening.
   */
  onChanged(handler: () => void): () => void;

  technicians(): Promise<Technician[]>;
  jobTypes(): Promise<JobType[]>;
  /** Each job type's default appointment length and whether it takes new jobs. */
  jobTypeDefaults(): Promise<JobTypeDefaults[]>;
  jobs(filter: JobListFilter): Promise<JobListItem[]>;
  job(id: string): Promise<JobRecord>;
  createJob(input: JobInput): Promise<WorkOrder>;
  updateJob(id: string, patch: JobPatch): Promise<WorkOrder>;
  schedule(id: string, input: ScheduleInput): Promise<WorkOrder>;
  /** A technician's next free slot for the job, and what a window would clash with or miss. */
  scheduleAdvice(id: string, q: ScheduleAdviceQuery): Promise<ScheduleAdvice>;
  cancel(id: string, reason: string): Promise<WorkOrder>;
  /**
   * Closes a completed job; with a complaint still open head office refuses it
   * (`open_complaint`) unless `confirmOpenComplaint` says the dispatcher confirmed.
   */
  close(id: string, reason: string | null, confirmOpenComplaint?: boolean): Promise<WorkOrder>;
  reopen(id: string, reason: string): Promise<WorkOrder>;
  deadlines(q: DeadlinesQuery): Promise<DeadlinesPreview>;

  customers(q: string, limit?: number): Promise<Customer[]>;
  createCustomer(input: CustomerInput): Promise<Customer>;
  sitesOf(customerId: string): Promise<Site[]>;
  createSite(input: SiteInput): Promise<Site>;
  equipmentAt(siteId: string): Promise<Equipment[]>;
  createEquipment(input: EquipmentInput): Promise<Equipment>;

  /** Admins only. */
  users(): Promise<User[]>;
  addUser(input: NewUserInput): Promise<User>;
  devices(): Promise<Device[]>;
  revokeDevice(id: string): Promise<Device>;
  setUserDisabled(id: string, disabled: boolean): Promise<User>;
  updateUser(id: string, input: UserUpdateInput): Promise<User>;
  /** Sets a new password; the user's open browser sessions end. */
  resetPassword(id: string, password: string): Promise<User>;
  adminJobTypes(): Promise<JobTypeAdmin[]>;
  createJobType(input: JobTypeInput): Promise<JobTypeAdmin>;
  updateJobType(id: string, input: JobTypeInput): Promise<JobTypeAdmin>;
  setJobTypeActive(id: string, active: boolean): Promise<JobTypeAdmin>;
  adminParts(q: PartQuery): Promise<PartAdmin[]>;
  addPart(input: Part): Promise<PartAdmin>;
  updatePart(partNo: string, patch: PartPatch): Promise<PartAdmin>;
  setPartActive(partNo: string, active: boolean): Promise<PartAdmin>;
  slaPolicy(): Promise<SlaSettings>;
  setSlaPolicy(policy: SlaPolicy): Promise<SlaSettings>;

  kpis(q: KpiQuery): Promise<KpiReport>;
  /** The jobs behind one number of the KPI page (a page of at most 1,000). */
  kpiJobs(q: KpiJobsQuery): Promise<JobListItem[]>;
  recordFollowUp(jobId: string, input: FollowUpInput): Promise<FollowUp>;
  /** Closes the complaint of a follow-up call with its documented outcome. */
  resolveComplaint(jobId: string, followUpId: string, outcome: string): Promise<FollowUp>;
  /** Major complaints supervisors must see. */
  majorComplaints(): Promise<MajorComplaint[]>;

  /** The parts catalogue's parts in use (to pick an article's part numbers from). */
  parts(): Promise<Part[]>;
  /** Knowledge articles (latest change first unless `sort` says otherwise): words, a category, a status. */
  kbArticles(q: ArticleQuery): Promise<ArticleListItem[]>;
  /** An article: its latest version, where it stands and its versions (newest first). */
  kbArticle(id: string): Promise<ArticleAdmin>;
  /** One version of an article as it was written. */
  kbArticleVersion(id: string, version: number): Promise<Article>;
  /** A new article: version 1, a draft. */
  createKbArticle(content: ArticleContent): Promise<ArticleAdmin>;
  /**
   * Saves the whole content as the next version (a draft); `stale_version` when someone saved
   * a version after `edit.base_version`.
   */
  editKbArticle(id: string, edit: ArticleEdit): Promise<ArticleAdmin>;
  /** Admins only: sends `version` to every laptop. */
  publishKbArticle(id: string, version: number): Promise<ArticleAdmin>;
  /** Admins only: takes the article back from every laptop. */
  withdrawKbArticle(id: string): Promise<ArticleAdmin>;
  /** Fixes shared from completed jobs, the longest waiting first (pending unless asked). */
  kbProposals(q: ProposalQuery): Promise<ProposalListItem[]>;
  /** A shared fix with its job's equipment, problem, fault codes and chosen photos. */
  kbProposal(id: string): Promise<ProposalDetail>;
  /** Admins only: declines a pending shared fix; the reason goes back to the technician. */
  declineKbProposal(id: string, reason: string): Promise<ProposalDetail>;
  /**
   * Admins only: takes a pending shared fix into a new article (no `article_id`) or the next
   * version of one (`article_id` and `base_version`); `already_decided` when someone decided
   * meanwhile, `stale_version` when the article changed since `base_version`.
   */
  acceptKbProposal(id: string, accept: ProposalAccept): Promise<ArticleAdmin>;
  /**
   * Uploads a picture for articles (dispatchers and admins): head office turns it upright,
   * strips its metadata and scales it. `not_an_image`, `unsupported_format` or
   * `image_too_large` when it cannot take it (a file over `KB_PHOTO_MAX_BYTES` is refused
   * before it is sent).
   */
  kbPhotoUpload(file: Blob, onProgress?: UploadProgress): Promise<KbPhoto>;
  /** Where an article's picture (or its thumbnail) is, for an `<img>`. */
  kbPhotoUrl(sha256: string, thumb: boolean): string;

  photoUrl(jobId: string, photoId: string, thumb: boolean): string;
  signatureUrl(jobId: string, signatureId: string): string;
  /**
   * The job's service report (PDF) in `lang`, times at `tzMinutes` east of UTC, with the file
   * name head office gives it (the job number).
   */
  serviceReport(
    jobId: string,
    lang: 'en' | 'zh',
    tzMinutes: number,
  ): Promise<{ blob: Blob; fileName: string | null }>;
}

const V1 = '/api/v1';

/** Head office answers at most this many list rows per request. */
export const PAGE_LIMIT = 1000;

/**
 * Every job matching `filter`, page by page (head office caps a page at 1,000 rows), up to
 * `max` rows.
 */
export async function allJobs(
  api: Pick<DispatchApi, 'jobs'>,
  filter: Omit<JobListFilter, 'limit' | 'offset'>,
  max = 20_000,
): Promise<JobListItem[]> {
  const out: JobListItem[] = [];
  for (let offset = 0; offset < max; offset += PAGE_LIMIT) {
    const page = await api.jobs({ ...filter, limit: PAGE_LIMIT, offset });
    out.push(...page);
    if (page.length < PAGE_LIMIT) break;
  }
  return out;
}
const enc = encodeURIComponent;

/** Bytes in megabytes, one decimal. */
const megabytes = (bytes: number) => (Math.round((bytes / (1024 * 1024)) * 10) / 10).toString();

/**
 * The console's client of head office. `upload` sends picture files (`xhrUpload` in a
 * browser, where it reports progress).
 */
export function createDispatchApi(
  http: HttpClient = new HttpClient(),
  upload: UploadTransport = typeof XMLHttpRequest === 'undefined' ? fetchUpload() : xhrUpload,
): DispatchApi {
  const job = (id: string) => `${V1}/jobs/${enc(id)}`;
  const kbArticle = (id: string) => `${V1}/kb/articles/${enc(id)}`;
  const kbProposal = (id: string) => `${V1}/kb/proposals/${enc(id)}`;
  // The session's CSRF token and session-lost handler, also kept here for uploads, which do
  // not go through `http`.
  let csrf: string | null = null;
  let lost: ((code: string) => void) | null = null;
  const setCsrf = (token: string | null) => {
    csrf = token;
    http.setCsrfToken(token);
  };
  return {
    async session() {
      try {
        const info = await http.get<SessionInfo>(`${V1}/auth/session`);
        setCsrf(info.csrf_token);
        return info;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'unauthorized' || code === 'session_expired') return null;
        throw e;
      }
    },
    async signIn(user, password) {
      const info = await http.post<SessionInfo>(`${V1}/auth/session`, { user, password });
      setCsrf(info.csrf_token);
      return info;
    },
    async signOut() {
      try {
        await http.delete<void>(`${V1}/auth/session`);
      } finally {
        setCsrf(null);
      }
    },
    onSessionLost(handler) {
      lost = handler
        ? (code) => {
            setCsrf(null);
            handler(code);
          }
        : null;
      http.onSessionLost(lost ? (error) => lost?.(error.code) : null);
    },
    onChanged(handler) {
      if (typeof EventSource === 'undefined') return () => {};
      const source = new EventSource(http.url(`${V1}/events`));
      source.addEventListener('changed', () => handler());
      return () => source.close();
    },
    technicians: () => http.get(`${V1}/technicians`),
    jobTypes: () => http.get(`${V1}/job-types`),
    jobTypeDefaults: () => http.get(`${V1}/job-types/defaults`),
    jobs: (f) =>
      http.get(
        `${V1}/jobs${query({
          status: f.status?.join(','),
          assignee: f.assignee,
          from: f.from,
          to: f.to,
          q: f.q,
          limit: f.limit,
          offset: f.offset,
        })}`,
      ),
    job: (id) => http.get(job(id)),
    createJob: (input) => http.post(`${V1}/jobs`, input),
    updateJob: (id, patch) => http.patch(job(id), patch),
    schedule: (id, input) => http.post(`${job(id)}/schedule`, input),
    scheduleAdvice: (id, q) =>
      http.get(
        `${job(id)}/schedule/advice${query({
          assignee_id: q.assignee_id,
          after: q.after,
          start: q.start,
          end: q.end,
          tz: q.tz,
        })}`,
      ),
    cancel: (id, reason) => http.post(`${job(id)}/cancel`, { reason }),
    close: (id, reason, confirmOpenComplaint = false) =>
      http.post(`${job(id)}/close`, { reason, confirm_open_complaint: confirmOpenComplaint }),
    reopen: (id, reason) => http.post(`${job(id)}/reopen`, { reason }),
    deadlines: (q) =>
      http.get(
        `${V1}/sla/deadlines${query({
          priority: q.priority,
          job_type: q.job_type,
          site_id: q.site_id,
          equipment_id: q.equipment_id,
          installed_on: q.installed_on,
          purchased_on: q.purchased_on,
          goodwill: q.goodwill ? true : undefined,
          reported_at: q.reported_at,
        })}`,
      ),
    customers: (q, limit = 20) => http.get(`${V1}/customers${query({ q, limit })}`),
    createCustomer: (input) => http.post(`${V1}/customers`, input),
    sitesOf: (customerId) => http.get(`${V1}/customers/${enc(customerId)}/sites`),
    createSite: (input) => http.post(`${V1}/sites`, input),
    equipmentAt: (siteId) => http.get(`${V1}/sites/${enc(siteId)}/equipment`),
    createEquipment: (input) => http.post(`${V1}/equipment`, input),
    users: () => http.get(`${V1}/admin/users`),
    addUser: (input) => http.post(`${V1}/admin/users`, input),
    devices: () => http.get(`${V1}/admin/devices`),
    revokeDevice: (id) => http.post(`${V1}/admin/devices/${enc(id)}/revoke`),
    setUserDisabled: (id, disabled) =>
      http.post(`${V1}/admin/users/${enc(id)}/${disabled ? 'disable' : 'enable'}`),
    updateUser: (id, input) => http.patch(`${V1}/admin/users/${enc(id)}`, input),
    resetPassword: (id, password) =>
      http.post(`${V1}/admin/users/${enc(id)}/password`, { password }),
    adminJobTypes: () => http.get(`${V1}/admin/job-types`),
    createJobType: (input) => http.post(`${V1}/admin/job-types`, input),
    updateJobType: (id, input) => http.put(`${V1}/admin/job-types/${enc(id)}`, input),
    setJobTypeActive: (id, active) =>
      http.post(`${V1}/admin/job-types/${enc(id)}/${active ? 'activate' : 'deactivate'}`),
    adminParts: (q) =>
      http.get(
        `${V1}/admin/parts${query({
          q: q.q || undefined,
          include_inactive: q.include_inactive,
          limit: q.limit,
          offset: q.offset,
        })}`,
      ),
    addPart: (input) => http.post(`${V1}/admin/parts`, input),
    updatePart: (partNo, patch) => http.patch(`${V1}/admin/parts/${enc(partNo)}`, patch),
    setPartActive: (partNo, active) =>
      http.post(`${V1}/admin/parts/${enc(partNo)}/${active ? 'activate' : 'deactivate'}`),
    slaPolicy: () => http.get(`${V1}/admin/sla-policy`),
    setSlaPolicy: (policy) => http.put(`${V1}/admin/sla-policy`, policy),
    kpis: (q) =>
      http.get(
        `${V1}/kpis${query({ from: q.from, to: q.to, technician: q.technician ?? undefined })}`,
      ),
    kpiJobs: (q) =>
      http.get(
        `${V1}/kpis/jobs${query({
          from: q.from,
          to: q.to,
          technician: q.technician ?? undefined,
          measure: q.measure,
          part: q.part,
          priority: q.priority ?? undefined,
          limit: q.limit,
          offset: q.offset,
        })}`,
      ),
    recordFollowUp: (jobId, input) => http.post(`${job(jobId)}/follow-ups`, input),
    resolveComplaint: (jobId, followUpId, outcome) =>
      http.post(`${job(jobId)}/follow-ups/${enc(followUpId)}/resolution`, { outcome }),
    majorComplaints: () => http.get(`${V1}/complaints/major`),
    parts: () => http.get(`${V1}/parts`),
    kbArticles: (q) =>
      http.get(
        `${V1}/kb/articles${query({
          q: q.q?.trim() || undefined,
          category: q.category ?? undefined,
          status: q.status ?? undefined,
          sort: q.sort ?? undefined,
          limit: q.limit ?? undefined,
          offset: q.offset ?? undefined,
        })}`,
      ),
    kbArticle: (id) => http.get(kbArticle(id)),
    kbArticleVersion: (id, version) =>
      http.get(`${kbArticle(id)}/versions/${enc(String(version))}`),
    createKbArticle: (content) => http.post(`${V1}/kb/articles`, content),
    editKbArticle: (id, edit) => http.put(kbArticle(id), edit),
    publishKbArticle: (id, version) => http.post(`${kbArticle(id)}/publish`, { version }),
    withdrawKbArticle: (id) => http.post(`${kbArticle(id)}/withdraw`),
    kbProposals: (q) =>
      http.get(
        `${V1}/kb/proposals${query({
          status: q.status ?? undefined,
          limit: q.limit ?? undefined,
          offset: q.offset ?? undefined,
        })}`,
      ),
    kbProposal: (id) => http.get(kbProposal(id)),
    declineKbProposal: (id, reason) => http.post(`${kbProposal(id)}/decline`, { reason }),
    acceptKbProposal: (id, accept) => http.post(`${kbProposal(id)}/accept`, accept),
    async kbPhotoUpload(file, onProgress) {
      if (file.size > KB_PHOTO_MAX_BYTES) {
        throw new ApiError(
          'image_too_large',
          `the file is ${megabytes(file.size)} MB; the limit is ${megabytes(KB_PHOTO_MAX_BYTES)} MB`,
        );
      }
      const headers: Record<string, string> = {
        Accept: 'application/json',
        'Content-Type': 'application/octet-stream',
      };
      if (csrf) headers['X-CSRF-Token'] = csrf;
      const sentWith = csrf;
      const answer = await upload({
        url: http.url(`${V1}/kb/photos`),
        headers,
        body: file,
        onProgress,
      });
      let parsed: unknown = null;
      try {
        parsed = answer.text === '' ? null : JSON.parse(answer.text);
      } catch {
        parsed = null;
      }
      if (answer.status < 200 || answer.status >= 300) {
        const error = errorFrom(answer.status, parsed, answer.text);
        if (sentWith !== null && SESSION_LOST.has(error.code)) lost?.(error.code);
        throw error;
      }
      return parsed as KbPhoto;
    },
    kbPhotoUrl: (sha256, thumb) =>
      http.url(`${V1}/kb/photos/${enc(sha256)}${thumb ? '?thumb=true' : ''}`),
    photoUrl: (jobId, photoId, thumb) =>
      http.url(`${job(jobId)}/photos/${enc(photoId)}${thumb ? '?thumb=true' : ''}`),
    signatureUrl: (jobId, signatureId) => http.url(`${job(jobId)}/signatures/${enc(signatureId)}`),
    serviceReport: (jobId, lang, tzMinutes) =>
      http.download(`${job(jobId)}/report.pdf${query({ lang, tz: Math.round(tzMinutes) })}`),
  };
}
