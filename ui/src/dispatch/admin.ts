/**
 * The admin pages' pure logic: reading what an admin types into SLA limits and checklist
 * templates, and the same checks head office makes (crates/fieldwork-headoffice
 * `store/sqlite/master.rs`, `fieldwork_core::sla::SlaPolicy::validate`), so a mistake is
 * pointed at beside its field before anything is sent. Head office checks again.
 */
import type { SlaPolicy, User, UserUpdateInput } from '../lib/api/headoffice';
import type { ChecklistItem } from '../lib/types/ChecklistItem';

/** The admin page's sections, in tab order. */
export const ADMIN_TABS = ['users', 'devices', 'jobTypes', 'parts', 'sla'] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];

export function isAdminTab(s: string | null | undefined): s is AdminTab {
  return (ADMIN_TABS as readonly string[]).includes(s ?? '');
}

/** The tab the arrow, Home and End keys move to from `current`, or `null` for other keys. */
export function tabForKey(current: AdminTab, key: string): AdminTab | null {
  const i = ADMIN_TABS.indexOf(current);
  const n = ADMIN_TABS.length;
  switch (key) {
    case 'ArrowRight':
      return ADMIN_TABS[(i + 1) % n] ?? null;
    case 'ArrowLeft':
      return ADMIN_TABS[(i - 1 + n) % n] ?? null;
    case 'Home':
      return ADMIN_TABS[0];
    case 'End':
      return ADMIN_TABS[n - 1] ?? null;
    default:
      return null;
  }
}

/** Longest limit head office accepts: one year. */
export const MAX_LIMIT_MINUTES = 365 * 24 * 60;

/** Minutes shown as hours for the form: `240` → `4`, `90` → `1.5`, `20` → `0.33`. */
export function minutesToHours(minutes: number): string {
  return String(Math.round((minutes / 60) * 100) / 100);
}

/**
 * Whole minutes from hours typed by a person (`4`, `1.5`, `0,5`), or `null` when it is not a
 * positive number.
 */
export function hoursToMinutes(text: string): number | null {
  const cleaned = text.trim().replace(',', '.');
  if (!/^\d+(?:\.\d+)?$/.test(cleaned)) return null;
  const minutes = Math.round(Number(cleaned) * 60);
  return Number.isFinite(minutes) && minutes > 0 ? minutes : null;
}

export type PolicyProblem = 'range' | 'order';

/** What head office would refuse in a policy: a limit out of range, or urgency out of order. */
export function policyProblem(p: SlaPolicy): PolicyProblem | null {
  const limits = [
    p.acknowledge_minutes,
    p.arrive_urgent_minutes,
    p.arrive_high_minutes,
    p.arrive_normal_minutes,
    p.arrive_low_minutes,
    p.complete_in_warranty_repair_minutes,
  ];
  if (limits.some((m) => !Number.isInteger(m) || m <= 0 || m > MAX_LIMIT_MINUTES)) return 'range';
  const ordered =
    p.arrive_urgent_minutes <= p.arrive_high_minutes &&
    p.arrive_high_minutes <= p.arrive_normal_minutes &&
    p.arrive_normal_minutes <= p.arrive_low_minutes;
  return ordered ? null : 'order';
}

const KEY = /^[a-z][a-z0-9_]{0,39}$/;

/** Whether `key` is a checklist item key head office accepts. */
export function isItemKey(key: string): boolean {
  return KEY.test(key);
}

/** Whether `code` is a job type code head office accepts (2 to 40 characters). */
export function isJobTypeCode(code: string): boolean {
  return KEY.test(code) && code.length >= 2;
}

/**
 * A key for a new checklist item from its English label (`Power-on test` → `power_on_test`),
 * not one of `taken`.
 */
export function keyFromLabel(label: string, taken: readonly string[]): string {
  let base = label
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 32);
  if (!/^[a-z]/.test(base)) base = base === '' ? 'item' : `item_${base}`.slice(0, 32);
  let key = base;
  for (let n = 2; taken.includes(key); n += 1) key = `${base}_${n}`;
  return key;
}

/** Choice options from one line of text: separated by commas (`,` `，` `、`) or new lines. */
export function parseOptions(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[,，、\n]/)) {
    const o = raw.trim();
    if (o !== '' && !seen.has(o.toLowerCase())) {
      seen.add(o.toLowerCase());
      out.push(o);
    }
  }
  return out;
}

export type ItemProblem = 'key' | 'keyTwice' | 'label' | 'labelZh' | 'options';

/** The first problem of each checklist item that has one, by index. */
export function checklistProblems(items: readonly ChecklistItem[]): Map<number, ItemProblem> {
  const problems = new Map<number, ItemProblem>();
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const key = item.key.trim();
    let problem: ItemProblem | null = null;
    if (!isItemKey(key)) problem = 'key';
    else if (seen.has(key)) problem = 'keyTwice';
    else if (item.label.trim() === '') problem = 'label';
    else if (item.label_zh.trim() === '') problem = 'labelZh';
    else if (item.kind === 'choice' && item.options.length < 2) problem = 'options';
    seen.add(key);
    if (problem) problems.set(i, problem);
  });
  return problems;
}

/** `items` with the one at `index` moved by `delta` places (unchanged at either end). */
export function moveItem<T>(items: readonly T[], index: number, delta: number): T[] {
  const to = index + delta;
  if (index < 0 || index >= items.length || to < 0 || to >= items.length) return [...items];
  const out = [...items];
  out.splice(to, 0, ...out.splice(index, 1));
  return out;
}

/** What the user edit form would send, or the key of the sentence naming what is wrong. */
export function userUpdate(
  user: User,
  form: { displayName: string; role: User['role'] },
):
  | { input: UserUpdateInput; problem: null }
  | { input: null; problem: 'dispatch.admin.needName' | 'dispatch.admin.roleFixed' } {
  if (user.role === 'technician') {
    const name = form.displayName.trim();
    if (name === '') return { input: null, problem: 'dispatch.admin.needName' };
    return { input: { display_name: name }, problem: null };
  }
  // An office account stays an office account (head office refuses `role_change`).
  if (form.role === 'technician') return { input: null, problem: 'dispatch.admin.roleFixed' };
  return { input: { role: form.role }, problem: null };
}
