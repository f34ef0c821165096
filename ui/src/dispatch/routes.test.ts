import { describe, expect, it } from 'vitest';

import { type DispatchRoute, href, parseRoute } from './routes';

describe('console routes', () => {
  it('reads every place and round-trips it', () => {
    const places: DispatchRoute[] = [
      { name: 'board', day: null },
      { name: 'board', day: '2026-11-28' },
      { name: 'week', day: null },
      { name: 'week', day: '2026-11-23' },
      { name: 'new' },
      { name: 'job', id: '0193a' },
      { name: 'edit', id: 'WO 2026/1' },
      { name: 'return', id: '0193a' },
      { name: 'sla' },
      { name: 'admin', tab: 'users' },
      { name: 'admin', tab: 'devices' },
      { name: 'admin', tab: 'jobTypes' },
      { name: 'admin', tab: 'parts' },
      { name: 'admin', tab: 'sla' },
      { name: 'search', q: '138 0013/8000 Chen' },
      { name: 'search', q: '' },
      { name: 'kb' },
      { name: 'kbNew' },
      { name: 'kbArticle', id: '0193a-b', version: null },
      { name: 'kbArticle', id: '0193a-b', version: 2 },
      { name: 'kbEdit', id: 'a/1' },
      { name: 'kbShared' },
      { name: 'kbProposal', id: 'p/1' },
      { name: 'kbProposalNew', id: 'p/1' },
      { name: 'kbProposalMerge', id: 'p/1', article: 'a/2' },
      { name: 'kpis', from: null, to: null, technician: null },
      { name: 'kpis', from: '2026-10-30', to: '2026-11-28', technician: null },
      { name: 'kpis', from: '2026-10-30', to: '2026-11-28', technician: 'tech/1' },
      {
        name: 'kpiJobs',
        measure: 'first_time_fix',
        part: 'numerator',
        from: '2026-10-30',
        to: '2026-11-28',
        technician: null,
      },
      {
        name: 'kpiJobs',
        measure: 'complaints',
        part: 'denominator',
        from: '2026-10-30',
        to: '2026-11-28',
        technician: 't 1',
      },
    ];
    for (const p of places) expect(parseRoute(href(p))).toEqual(p);
  });

  it('gives every admin tab its own readable URL', () => {
    expect(href({ name: 'admin', tab: 'users' })).toBe('#/admin/users');
    expect(href({ name: 'admin', tab: 'devices' })).toBe('#/admin/devices');
    expect(href({ name: 'admin', tab: 'jobTypes' })).toBe('#/admin/job-types');
    expect(href({ name: 'admin', tab: 'parts' })).toBe('#/admin/parts');
    expect(href({ name: 'admin', tab: 'sla' })).toBe('#/admin/sla');
    expect(parseRoute('#/admin/job-types/')).toEqual({ name: 'admin', tab: 'jobTypes' });
  });

  it('opens the first admin tab for the bare admin page or a tab it does not know', () => {
    for (const h of ['#/admin', '#/admin/', '/admin', '#/admin/nowhere', '#/admin/jobTypes']) {
      expect(parseRoute(h)).toEqual({ name: 'admin', tab: 'users' });
    }
  });

  it('gives the knowledge base readable URLs; a version that is not a number is the latest', () => {
    expect(href({ name: 'kbArticle', id: 'x', version: 3 })).toBe('#/kb/x/v/3');
    expect(parseRoute('#/kb/x/v/0')).toEqual({ name: 'kbArticle', id: 'x', version: null });
    expect(parseRoute('#/kb/x/v/two')).toEqual({ name: 'kbArticle', id: 'x', version: null });
    expect(parseRoute('#/kb/')).toEqual({ name: 'kb' });
    expect(parseRoute('#/kb/new')).toEqual({ name: 'kbNew' });
  });

  it('goes to the board from anything it does not know', () => {
    for (const h of ['', '#/', '#/nowhere', '#/job/', '#/board/yesterday', '#/board/<script>']) {
      expect(parseRoute(h)).toEqual({ name: 'board', day: null });
    }
  });
});
