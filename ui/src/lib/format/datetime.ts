/**
 * Dates and times in the user's local time zone and language. Instants arrive as RFC 3339 UTC
 * strings; days (`YYYY-MM-DD`) are local calendar days. `timeZone` exists for tests; the app
 * leaves it unset so the system zone applies.
 */

export interface Zone {
  timeZone?: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tag: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const id = `${tag}|${JSON.stringify(options)}`;
  let f = formatters.get(id);
  if (!f) {
    f = new Intl.DateTimeFormat(tag, options);
    formatters.set(id, f);
  }
  return f;
}

function parse(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** `08:30` (24-hour clock, which both languages' technicians read without ambiguity). */
export function formatTime(iso: string, tag: string, zone: Zone = {}): string {
  const d = parse(iso);
  if (!d) return '';
  return formatter(tag, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...zone }).format(
    d,
  );
}

/** `Mon 23 Nov` / `11月23日周一`. */
export function formatDay(iso: string, tag: string, zone: Zone = {}): string {
  const d = parse(iso);
  if (!d) return '';
  return formatter(tag, { weekday: 'short', day: 'numeric', month: 'short', ...zone }).format(d);
}

/** `23 Nov 2026, 08:30` / `2026年11月23日 08:30`. */
export function formatDateTime(iso: string, tag: string, zone: Zone = {}): string {
  const d = parse(iso);
  if (!d) return '';
  return formatter(tag, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...zone,
  }).format(d);
}

/** A `YYYY-MM-DD` calendar day as midnight UTC (formatted in UTC: no zone shifts it). */
function calendarDay(day: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
}

/** A calendar day such as a purchase date (`2026-01-14`), shown without any time-zone shift. */
export function formatCalendarDate(day: string, tag: string): string {
  const d = calendarDay(day);
  if (!d) return day;
  return formatter(tag, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  }).format(d);
}

/** A calendar day as a heading: `Sunday, November 22` / `11月22日星期日`. */
export function formatLongDay(day: string, tag: string): string {
  const d = calendarDay(day);
  if (!d) return day;
  return formatter(tag, { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }).format(
    d,
  );
}

/** Two calendar days as a period: `Nov 16, 2026 – Nov 22, 2026` / `2026年11月16日 – 2026年11月22日`. */
export function formatDayRange(from: string, to: string, tag: string): string {
  return `${formatCalendarDate(from, tag)} – ${formatCalendarDate(to, tag)}`;
}

/** `08:00–10:30`, with the day in front when asked (`Mon 23 Nov 08:00–10:30`). */
export function formatWindow(
  start: string | null,
  end: string | null,
  tag: string,
  options: Zone & { withDay?: boolean } = {},
): string {
  if (!start) return '';
  const { withDay = false, ...zone } = options;
  const from = formatTime(start, tag, zone);
  const to = end ? formatTime(end, tag, zone) : '';
  const range = to ? `${from}–${to}` : from;
  return withDay ? `${formatDay(start, tag, zone)} ${range}` : range;
}

/** The local calendar day of `date` as `YYYY-MM-DD` (what `JobQuery.from`/`to` expect). */
export function localDay(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, '0');
  const d = String(date.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

/** `date` moved by whole local days (daylight-saving safe: works on the calendar). */
export function addDays(date: Date, days: number): Date {
  const d = new Date(date.getFullYear(), date.getMonth(), date.getDate() + days, 12);
  return d;
}

/** Monday and Sunday of the local week containing `date`. */
export function weekBounds(date: Date): { from: Date; to: Date } {
  const offset = (date.getDay() + 6) % 7; // days since Monday
  const from = addDays(date, -offset);
  return { from, to: addDays(from, 6) };
}

/** `YYYY-MM-DDTHH:mm` in local time, the value of an `<input type="datetime-local">`. */
export function toLocalInput(iso: string): string {
  const d = parse(iso);
  if (!d) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${localDay(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The UTC instant (RFC 3339) of a `datetime-local` value, or `null` when it is not one. */
export function fromLocalInput(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (!m) return null;
  const d = new Date(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
  );
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Which of yesterday/today/tomorrow an instant falls on locally, if any. */
export function relativeDay(iso: string, now: Date): 'yesterday' | 'today' | 'tomorrow' | null {
  const d = parse(iso);
  if (!d) return null;
  const day = localDay(d);
  if (day === localDay(now)) return 'today';
  if (day === localDay(addDays(now, 1))) return 'tomorrow';
  if (day === localDay(addDays(now, -1))) return 'yesterday';
  return null;
}
