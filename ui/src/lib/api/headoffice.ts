/**
 * The dispatcher API of head office, as the console uses it (see
 * crates/fieldwork-sync/PROTOCOL.md "Dispatcher API" and `/api/v1/openapi.json`). Domain
 * records (work orders, customers, notes, …) are the generated types of the core; the shapes
 * below are head office's own list and review types, written to match
 * `crates/fieldwork-headoffice/src/store/types.rs` and `fieldwork-sync`'s wire types.
 */
import type { ChecklistAnswer } from '../types/ChecklistAnswer';
import type { Customer } from '../types/Customer';
import type { Equipment } from '../types/Equipment';
import type { EquipmentCategory } from '../types/EquipmentCategory';
import type { Feedback } from '../types/Feedback';
import type { JobStatus } from '../types/JobStatus';
import type { JobType } from '../types/JobType';
import type { MissedDeadline } from '../types/MissedDeadline';
import type { Part } from '../types/Part';
import type { Note } from '../types/Note';
import type { PartUsed } from '../types/PartUsed';
import type { PartWithdrawal } from '../types/PartWithdrawal';
import type { PhotoRef } from '../types/PhotoRef';
import type { Priority } from '../types/Priority';
import type { SignatureRef } from '../types/SignatureRef';
import type { Site } from '../types/Site';
import type { StatusChange } from '../types/StatusChange';
import type { Technician } from '../types/Technician';
import type { TimeEntry } from '../types/TimeEntry';
import type { WarrantyStatus } from '../types/WarrantyStatus';
import type { WorkOrder } from '../types/WorkOrder';
import { HttpClient, query } from './http';

export interface SessionInfo {
  user_id: string;
  user_name: string;
  /** `dispatcher` or `admin`. */
  role: string;
  csrf_token: string;
  expires_at: string;
}

/** One line of the job list (`GET /api/v1/jobs`). */
export interface JobListItem {
  id: string;
  number: string;
  status: JobStatus;
  priority: Priority;
  /** The job type's code. */
  job_type: string;
  customer_name: string;
  site_address: string;
  assignee_id: string | null;
  assignee_name: string | null;
  appointment_start: string | null;
  appointment_end: string | null;
  due_at: string;
  /** Acknowledge the request by then. */
  ack_due_at: string;
  /** Finish by then (in-warranty repairs). */
  complete_due_at: string | null;
  /** Still new: no dispatcher has acted on it yet (watched against `ack_due_at`). */
  awaiting_acknowledgement: boolean;
  /** The deadlines its appointment cannot meet; empty when booked in time or not booked. */
  booking_misses: MissedDeadline[];
  reported_problem: string;
  open_conflicts: number;
  rejected_mutations: number;
}

export interface ConflictRecord {
  id: string;
  job_id: string;
  kind: string;
  field: string | null;
  winning_value: string | null;
  losing_value: string | null;
  winning_hlc: string | null;
  losing_hlc: string | null;
  losing_node: string | null;
  detail: string;
  created_at: string;
  resolved: boolean;
}

export interface RejectedMutation {
  device_id: string;
  seq: number;
  mutation_id: string;
  kind: string;
  job_id: string | null;
  code: string;
  reason: string;
  received_at: string;
}

/** A job with everything synced (`GET /api/v1/jobs/{id}`). */
export interface JobRecord {
  work_order: WorkOrder;
  job_type: JobType;
  customer: Customer;
  site: Site;
  equipment: Equipment | null;
  assignee: Technician | null;
  checklist: ChecklistAnswer[];
  notes: Note[];
  parts: PartUsed[];
  /** Part lines withdrawn or corrected on a laptop before completion (absent from an older head office). */
  withdrawn_parts?: WithdrawnPart[];
  time_entries: TimeEntry[];
  feedback: Feedback[];
  photos: PhotoRef[];
  signatures: SignatureRef[];
  status_history: StatusChange[];
  conflicts: ConflictRecord[];
  rejected_mutations: RejectedMutation[];
  /** Follow-up calls, oldest first (absent from an older head office). */
  follow_ups?: FollowUp[];
  /** Status changes whose laptop clock looked wrong (absent from an older head office). */
  clock_warnings?: ClockWarning[];
}

/** A part line taken back on a laptop before completion; it is not on the job or its report. */
export interface WithdrawnPart {
  part: PartUsed;
  withdrawal: PartWithdrawal;
  /** Who withdrew it. */
  actor: string;
}

/**
 * A status change a laptop reported at an implausible time: the laptop's claim stays in the
 * history; SLA and KPIs use `trusted_at` (crates/fieldwork-headoffice/src/device_time.rs).
 */
export interface ClockWarning {
  change_id: string;
  to_status: JobStatus;
  claimed_at: string;
  received_at: string;
  trusted_at: string;
}

/** The KPIs of DOMAIN.md (see crates/fieldwork-headoffice/src/store/kpis.rs for definitions). */
export type Measure =
  | 'response'
  | 'resolution'
  | 'first_time_fix'
  | 'satisfaction'
  | 'complaints'
  | 'repeat_visits'
  | 'follow_up'
  | 'complaint_handling'
  | 'major_complaints';
export type RatioPart = 'numerator' | 'denominator';

export interface KpiValue {
  measure: Measure;
  numerator: number;
  denominator: number;
  /** The handbook's target as a share, when it has one. */
  target: number | null;
  higher_is_better: boolean;
}

export interface CompletionTime {
  /** A priority, or `all`. */
  priority: string;
  completed: number;
  mean_minutes: number | null;
}

/** How quickly the complaints of one grade (or `all`) were closed. */
export interface ComplaintTime {
  grade: string;
  complaints: number;
  resolved: number;
  open: number;
  mean_minutes: number | null;
}

export interface TechnicianKpis {
  technician_id: string;
  name: string;
  jobs: number;
  measures: KpiValue[];
  mean_minutes: number | null;
}

export interface KpiReport {
  from: string;
  to: string;
  technician: string | null;
  jobs: number;
  cancelled: number;
  measures: KpiValue[];
  completion_times: CompletionTime[];
  /** Complaint closing times per grade, then `all` (absent from an older head office). */
  complaint_times?: ComplaintTime[];
  technicians: TechnicianKpis[];
}

export interface KpiQuery {
  from: string;
  to: string;
  technician?: string | null;
}

export interface KpiJobsQuery extends KpiQuery {
  measure: Measure;
  part: RatioPart;
  priority?: string | null;
  limit?: number;
  offset?: number;
}

export type ComplaintCategory = 'product_quality' | 'service_attitude' | 'delay' | 'damage';
export type ComplaintGrade = 'general' | 'major';

export interface Complaint {
  category: ComplaintCategory;
  grade: ComplaintGrade;
  /** How it was closed; absent or null while open. */
  resolution?: ComplaintResolution | null;
}

/** The documented outcome that closes a complaint. */
export interface ComplaintResolution {
  outcome: string;
  /** The dispatcher who closed it. */
  by: string;
  at: string;
}

export interface FollowUpInput {
  reached: boolean;
  satisfaction: number | null;
  comment: string | null;
  complaint: Complaint | null;
}

export interface FollowUp extends FollowUpInput {
  id: string;
  job_id: string;
  /** The dispatcher who called. */
  by: string;
  at: string;
}

export interface MajorComplaint {
  follow_up: FollowUp;
  job_number: string;
  customer_name: string;
  job_status: JobStatus;
}

export interface JobListFilter {
  /** Statuses, joined with commas. */
  status?: JobStatus[];
  /** A technician id, or `none` for unassigned jobs. */
  assignee?: string;
  from?: string;
  to?: string;
  q?: string;
  limit?: number;
  offset?: number;
}

export interface CustomerInput {
  name: string;
  phone: string;
  alt_phone?: string | null;
  email?: string | null;
}

export interface SiteInput {
  customer_id: string;
  address: string;
  city: string;
  postal_code?: string | null;
  access_notes?: string | null;
  contact_name?: string | null;
  contact_phone?: string | null;
}

export interface EquipmentInput {
  site_id: string;
  category: EquipmentCategory;
  brand: string;
  model: string;
  serial: string;
  purchased_on?: string | null;
  installed_on?: string | null;
  warranty_end?: string | null;
}

export interface JobInput {
  job_type: string;
  priority: Priority;
  customer_id: string;
  site_id: string;
  equipment_id?: string | null;
  reported_problem: string;
  reported_at?: string | null;
  return_of?: string | null;
  goodwill?: boolean;
}

export interface JobPatch {
  priority?: Priority;
  reported_problem?: string;
  equipment_id?: string;
}

export interface ScheduleInput {
  assignee_id: string;
  appointment_start: string;
  appointment_end: string;
  /**
   * Book even when the window clashes with the technician's other appointments (the
   * dispatcher confirmed); without it head office refuses a clash with `schedule_overlap`.
   */
  allow_overlap?: boolean;
}

/** One of a technician's appointments that holds their time. */
export interface Appointment {
  job_id: string;
  number: string;
  appointment_start: string;
  appointment_end: string;
}

/** `GET /jobs/{id}/schedule/advice`: booking help for one technician. */
export interface ScheduleAdviceQuery {
  assignee_id: string;
  /** Look for a free slot from then on (now when absent or past). */
  after?: string;
  /** A window being considered: its clashes and missed deadlines are listed. */
  start?: string;
  end?: string;
  /** The planner's offset from UTC in minutes, east positive. */
  tz: number;
}

export interface ScheduleAdvice {
  /** The job type's appointment length. */
  length_minutes: number;
  /** The technician's first free slot of that length within working hours. */
  next_free: { start: string; end: string } | null;
  /** The technician's appointments the window considered clashes with. */
  clashes: Appointment[];
  /** The deadlines the window considered cannot meet. */
  misses: MissedDeadline[];
}

export interface DeadlinesQuery {
  priority: Priority;
  job_type: string;
  site_id?: string | null;
  equipment_id?: string | null;
  /** For equipment not recorded yet: its dates give the default warranty. */
  installed_on?: string | null;
  purchased_on?: string | null;
  goodwill?: boolean;
  reported_at?: string | null;
}

/** `GET /api/v1/sla/deadlines`: what a job created with these facts would get. */
export interface DeadlinesPreview {
  reported_at: string;
  ack_due_at: string;
  due_at: string;
  complete_due_at: string | null;
  warranty_status: WarrantyStatus;
  warranty_end: string | null;
}

/** A user of head office (`GET /api/v1/admin/users`). */
export interface User {
  id: string;
  name: string;
  role: 'technician' | 'dispatcher' | 'admin';
  technician_id: string | null;
  created_at: string;
  /** Set while an admin has disabled the user (no sign-in; sessions and laptops refused). */
  disabled_at: string | null;
  /** A technician's name on the board; none for office users (absent from an older head office). */
  display_name?: string | null;
}

/** What an admin changes about a user; absent fields stay as they are. */
export interface UserUpdateInput {
  /** Technicians only. */
  display_name?: string;
  /** Office users only: `dispatcher` or `admin`. */
  role?: User['role'];
}

/** A job type on the admin page (`crates/fieldwork-headoffice/src/store/admin.rs`). */
export interface JobTypeAdmin {
  /** The record technicians' laptops receive. */
  job_type: JobType;
  /** A deactivated type takes no new jobs; jobs that use it keep it. */
  active: boolean;
  /** The appointment length booked for a job of this type, in minutes. */
  default_duration_minutes: number | null;
}

/** A new job type, or the new state of one (`code` is only read when creating). */
export interface JobTypeInput {
  code?: string | null;
  name: string;
  name_zh: string;
  required_photo_kinds: JobType['required_photo_kinds'];
  checklist: JobType['checklist'];
  default_duration_minutes: number | null;
}

/** What the board needs of a job type (`GET /api/v1/job-types/defaults`). */
export interface JobTypeDefaults {
  code: string;
  active: boolean;
  /** Minutes to book; the board's own two hours when `null`. */
  default_duration_minutes: number | null;
}

/** A catalogue part on the admin page. */
export interface PartAdmin {
  part: Part;
  active: boolean;
}

export interface PartPatch {
  description?: string;
  description_zh?: string;
  unit_price_cents?: number;
}

export interface PartQuery {
  q?: string;
  include_inactive?: boolean;
  limit?: number;
  offset?: number;
}

/** The limits of head office's SLA policy, in minutes (`fieldwork_core::sla::SlaPolicy`). */
export interface SlaPolicy {
  acknowledge_minutes: number;
  arrive_urgent_minutes: number;
  arrive_high_minutes: number;
  arrive_normal_minutes: number;
  arrive_low_minutes: number;
  complete_in_warranty_repair_minutes: number;
}

export interface SlaSettings {
  policy: SlaPolicy;
  /** `null` while the handbook's defaults are in force. */
  updated_at: string | null;
  updated_by: string | null;
}

export interface NewUserInput {
  name: string;
  role: User['role'];
  password: string;
  /** For technicians: the name on the board. */
  display_name?: string | null;
}

/** A signed-in laptop (`GET /api/v1/admin/devices`). */
export interface Device {
  id: string;
  name: string;
  user_id: string;
  user_name: string;
  created_at: string;
  last_seen_at: string | null;
  revoked_at: string | null;
  last_applied_seq: number;
}

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

export function createDispatchApi(http: HttpClient = new HttpClient()): DispatchApi {
  const job = (id: string) => `${V1}/jobs/${enc(id)}`;
  return {
    async session() {
      try {
        const info = await http.get<SessionInfo>(`${V1}/auth/session`);
        http.setCsrfToken(info.csrf_token);
        return info;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'unauthorized' || code === 'session_expired') return null;
        throw e;
      }
    },
    async signIn(user, password) {
      const info = await http.post<SessionInfo>(`${V1}/auth/session`, { user, password });
      http.setCsrfToken(info.csrf_token);
      return info;
    },
    async signOut() {
      try {
        await http.delete<void>(`${V1}/auth/session`);
      } finally {
        http.setCsrfToken(null);
      }
    },
    onSessionLost(handler) {
      http.onSessionLost(
        handler
          ? (error) => {
              http.setCsrfToken(null);
              handler(error.code);
            }
          : null,
      );
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
    photoUrl: (jobId, photoId, thumb) =>
      http.url(`${job(jobId)}/photos/${enc(photoId)}${thumb ? '?thumb=true' : ''}`),
    signatureUrl: (jobId, signatureId) => http.url(`${job(jobId)}/signatures/${enc(signatureId)}`),
    serviceReport: (jobId, lang, tzMinutes) =>
      http.download(`${job(jobId)}/report.pdf${query({ lang, tz: Math.round(tzMinutes) })}`),
  };
}
