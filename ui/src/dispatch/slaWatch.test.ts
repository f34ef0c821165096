import { describe, expect, it } from 'vitest';

import type { JobListItem } from '../lib/api/headoffice';
import { watchList } from './slaWatch';

const job = (id: string, due_at: string, status: JobListItem['status'] = 'scheduled') =>
  ({ id, due_at, status }) as JobListItem;

describe('the SLA watch list', () => {
  it('puts the latest overdue job first, then due soon, then the rest, and drops jobs on site', () => {
    const now = new Date('2026-11-28T10:00:00Z');
    const list = watchList(
      [
        job('later', '2026-11-29T10:00:00Z'),
        job('a bit late', '2026-11-28T09:30:00Z'),
        job('soon', '2026-11-28T11:00:00Z', 'new'),
        job('very late', '2026-11-27T10:00:00Z', 'en_route'),
        job('on site', '2026-11-27T10:00:00Z', 'on_site'),
        job('done', '2026-11-27T10:00:00Z', 'completed'),
      ],
      now,
    );
    expect(list.map((w) => [w.job.id, w.urgency])).toEqual([
      ['very late', 'overdue'],
      ['a bit late', 'overdue'],
      ['soon', 'soon'],
      ['later', 'later'],
    ]);
  });
});
