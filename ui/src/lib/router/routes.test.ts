import { describe, expect, it } from 'vitest';

import { href, parentOf, parseRoute, type Route } from './routes';

describe('hash routes', () => {
  it('reads every place', () => {
    expect(parseRoute('#/today')).toEqual({ name: 'today' });
    expect(parseRoute('#/jobs')).toEqual({ name: 'jobs' });
    expect(parseRoute('#/settings')).toEqual({ name: 'settings' });
    expect(parseRoute('#/sync')).toEqual({ name: 'sync' });
    expect(parseRoute('#/sign-in')).toEqual({ name: 'signIn' });
    expect(parseRoute(href({ name: 'signIn' }))).toEqual({ name: 'signIn' });
    expect(parseRoute('#/job/01a1ffba')).toEqual({ name: 'job', id: '01a1ffba' });
    expect(parseRoute('#/job/01a1ffba/complete')).toEqual({ name: 'complete', id: '01a1ffba' });
    expect(parseRoute('#/knowledge')).toEqual({ name: 'knowledge' });
    expect(parseRoute('#/knowledge/kb-1')).toEqual({ name: 'article', id: 'kb-1', job: null });
    expect(parseRoute('#/job/01a1ffba/article/kb-1')).toEqual({
      name: 'article',
      id: 'kb-1',
      job: '01a1ffba',
    });
    expect(parseRoute('#/job/01a1ffba/article')).toEqual({ name: 'job', id: '01a1ffba' });
  });

  it('goes to Today from anything it does not know', () => {
    expect(parseRoute('')).toEqual({ name: 'today' });
    expect(parseRoute('#/')).toEqual({ name: 'today' });
    expect(parseRoute('#/nowhere')).toEqual({ name: 'today' });
    expect(parseRoute('#/job/')).toEqual({ name: 'today' });
  });

  it('round-trips ids that need escaping', () => {
    const route: Route = { name: 'job', id: 'WO 2026/1' };
    expect(parseRoute(href(route))).toEqual(route);
    expect(parseRoute('#/job/%E0%A4%A')).toEqual({ name: 'job', id: '%E0%A4%A' });
    const fromJob: Route = { name: 'article', id: 'kb/1 2', job: 'WO 2026/1' };
    expect(parseRoute(href(fromJob))).toEqual(fromJob);
    const fromList: Route = { name: 'article', id: 'kb/1 2', job: null };
    expect(parseRoute(href(fromList))).toEqual(fromList);
  });

  it('goes back up one level with Esc', () => {
    const jobs: Route = { name: 'jobs' };
    expect(parentOf({ name: 'complete', id: 'a' }, jobs)).toEqual({ name: 'job', id: 'a' });
    expect(parentOf({ name: 'job', id: 'a' }, jobs)).toEqual(jobs);
    expect(parentOf({ name: 'settings' }, jobs)).toEqual({ name: 'today' });
    expect(parentOf({ name: 'today' }, jobs)).toBeNull();
    expect(parentOf({ name: 'signIn' }, jobs)).toEqual({ name: 'sync' });
    expect(parentOf({ name: 'sync' }, jobs)).toEqual({ name: 'today' });
    expect(parentOf({ name: 'knowledge' }, jobs)).toEqual({ name: 'today' });
    // An article goes back to where it was opened from: its job, or the knowledge list.
    expect(parentOf({ name: 'article', id: 'kb', job: 'a' }, jobs)).toEqual({
      name: 'job',
      id: 'a',
    });
    expect(parentOf({ name: 'article', id: 'kb', job: null }, jobs)).toEqual({
      name: 'knowledge',
    });
  });
});
