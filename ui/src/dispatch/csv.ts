/**
 * CSV export of job lists, generated in the browser: RFC 4180 quoting, CRLF line ends and a
 * UTF-8 byte-order mark so Excel opens Chinese names correctly. Cells that a spreadsheet would
 * run as a formula (`=`, `+`, `-`, `@`, tab or CR first) get a leading apostrophe, so customer
 * text cannot become a formula in the dispatcher's spreadsheet.
 */
import type { JobListItem } from '../lib/api/headoffice';

export const BOM = '\uFEFF';

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: (string | number | null | undefined)[][]): string {
  return BOM + [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The columns of a job list export. */
export const JOB_COLUMNS = [
  'number',
  'status',
  'priority',
  'job_type',
  'customer',
  'address',
  'assignee',
  'appointment_start',
  'appointment_end',
  'due_at',
  'reported_problem',
] as const;

export function jobsCsv(jobs: JobListItem[]): string {
  return toCsv(
    [...JOB_COLUMNS],
    jobs.map((j) => [
      j.number,
      j.status,
      j.priority,
      j.job_type,
      j.customer_name,
      j.site_address,
      j.assignee_name,
      j.appointment_start,
      j.appointment_end,
      j.due_at,
      j.reported_problem,
    ]),
  );
}

/** Offers `text` as a file download. */
export function download(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
