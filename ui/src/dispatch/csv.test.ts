import { describe, expect, it } from 'vitest';

import type { JobListItem } from '../lib/api/headoffice';
import { BOM, csvCell, jobsCsv, toCsv } from './csv';

describe('CSV export', () => {
  it('quotes commas, quotes and line breaks, and doubles inner quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(' padded ')).toBe('" padded "');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
  });

  it('keeps spreadsheet formulas from running', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('+86 138')).toBe("'+86 138");
    expect(csvCell('@cmd')).toBe("'@cmd");
  });

  it('starts with a BOM, ends rows with CRLF, and keeps Chinese text', () => {
    const text = toCsv(['name', 'city'], [['王芳', '上海']]);
    expect(text.startsWith(BOM)).toBe(true);
    expect(text).toBe(`${BOM}name,city\r\n王芳,上海\r\n`);
  });

  it('writes one row per job with a header', () => {
    const job = {
      id: 'j1',
      number: 'WO-2026-000001',
      status: 'completed',
      priority: 'high',
      job_type: 'repair',
      customer_name: 'Chen, Jing',
      site_address: '88 Nanjing Road',
      assignee_id: 't1',
      assignee_name: 'Li Wei',
      appointment_start: null,
      appointment_end: null,
      due_at: '2026-11-28T10:00:00Z',
      ack_due_at: '2026-11-28T06:30:00Z',
      complete_due_at: null,
      awaiting_acknowledgement: false,
      booking_misses: [],
      reported_problem: 'Drips "a lot"',
      open_conflicts: 0,
      rejected_mutations: 0,
    } satisfies JobListItem;
    const lines = jobsCsv([job, { ...job, id: 'j2', number: 'WO-2026-000002' }])
      .slice(1)
      .split('\r\n');
    expect(lines[0]).toMatch(/^number,status,priority/);
    expect(lines[1]).toBe(
      'WO-2026-000001,completed,high,repair,"Chen, Jing",88 Nanjing Road,Li Wei,,,2026-11-28T10:00:00Z,"Drips ""a lot"""',
    );
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
  });
});
