/** The formatting functions bound to the current language (re-render when it changes). */
import { intlLocale, t } from '../i18n';
import * as dt from './datetime';
import { formatMoney, formatQuantity } from './money';
import { countdown, type Countdown, describeCountdown, type DurationUnit } from './sla';

export { addDays, fromLocalInput, localDay, toLocalInput, weekBounds } from './datetime';
export { parseMoney, parseQuantity } from './money';
export { countdown, type Countdown, slaApplies } from './sla';

export const time = (iso: string): string => dt.formatTime(iso, intlLocale());
export const day = (iso: string): string => dt.formatDay(iso, intlLocale());
export const dateTime = (iso: string): string => dt.formatDateTime(iso, intlLocale());
export const calendarDate = (d: string): string => dt.formatCalendarDate(d, intlLocale());
export const longDay = (d: string): string => dt.formatLongDay(d, intlLocale());
export const dayRange = (from: string, to: string): string =>
  dt.formatDayRange(from, to, intlLocale());
export const money = (cents: number): string => formatMoney(cents, intlLocale());
export const quantity = (q: number): string => formatQuantity(q, intlLocale());

export function appointment(start: string | null, end: string | null, withDay = false): string {
  return start ? dt.formatWindow(start, end, intlLocale(), { withDay }) : t('list.unscheduled');
}

/** "Today 08:00–10:30", "Tomorrow 08:00", "Mon 23 Nov 08:00–10:30". */
export function appointmentNear(start: string | null, end: string | null, now: Date): string {
  if (!start) return t('list.unscheduled');
  const rel = dt.relativeDay(start, now);
  const range = dt.formatWindow(start, end, intlLocale());
  return rel
    ? `${t(`day.${rel}`)} ${range}`
    : dt.formatWindow(start, end, intlLocale(), { withDay: true });
}

export function duration(amount: number, unit: DurationUnit): string {
  return t(`duration.${unit}`, { count: amount });
}

/** Minutes as `1 h 25 min`. */
export function minutes(total: number): string {
  const h = Math.floor(total / 60);
  const m = Math.round(total % 60);
  return h === 0 ? duration(m, 'minutes') : t('duration.total', { hours: h, minutes: m });
}

export function describeSla(c: Countdown): string {
  return describeCountdown(c, {
    dueIn: (time) => t('sla.dueIn', { time }),
    overdue: (time) => t('sla.overdue', { time }),
    dueNow: () => t('sla.dueNow'),
    duration,
  });
}

export function slaText(dueAt: string, now: Date): string {
  const c = countdown(dueAt, now);
  return c ? describeSla(c) : '';
}

/** Address and city on one line, without repeating a city the address already names. */
export function addressLine(
  address: string,
  city: string | null,
  postalCode: string | null = null,
): string {
  const parts = [address];
  if (city && !address.includes(city)) parts.push(city);
  if (postalCode) parts.push(postalCode);
  return parts.filter((p) => p.trim() !== '').join(', ');
}
