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
  });

  it('goes back up one level with Esc', () => {
    const jobs: Route = { name: 'jobs' };
    expect(parentOf({ name: 'complete', id: 'a' }, jobs)).toEqual({ name: 'job', id: 'a' });
    expect(parentOf({ name: 'job', id: 'a' }, jobs)).toEqual(jobs);
    expect(parentOf({ name: 'settings' }, jobs)).toEqual({ name: 'today' });
    expect(parentOf({ name: 'today' }, jobs)).toBeNull();
    expect(parentOf({ name: 'signIn' }, jobs)).toEqual({ name: 'sync' });
    expect(parentOf({ name: 'sync' }, jobs)).toEqual({ name: 'today' });
  });
});
