/**
 * The app's places as hash URLs (`#/today`, `#/job/ID/complete`, `#/knowledge/ID`); pure parse
 * and format. An article opened from a job lives under it (`#/job/ID/article/ARTICLE`), so going
 * back from it returns to that job.
 */

export type Route =
  | { name: 'today' }
  | { name: 'jobs' }
  | { name: 'job'; id: string }
  | { name: 'complete'; id: string }
  | { name: 'knowledge' }
  /** `job`: the job it was opened from, `null` when from the knowledge list. */
  | { name: 'article'; id: string; job: string | null }
  | { name: 'settings' }
  | { name: 'sync' }
  | { name: 'signIn' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+/, '').replace(/\/+$/, '');
  const parts = path.split('/').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const [first, id, sub, subId] = parts;
  switch (first) {
    case 'jobs':
      return { name: 'jobs' };
    case 'knowledge':
      return id ? { name: 'article', id, job: null } : { name: 'knowledge' };
    case 'settings':
      return { name: 'settings' };
    case 'sync':
      return { name: 'sync' };
    case 'sign-in':
      return { name: 'signIn' };
    case 'job':
      if (id && sub === 'article' && subId) return { name: 'article', id: subId, job: id };
      if (id) return sub === 'complete' ? { name: 'complete', id } : { name: 'job', id };
      return { name: 'today' };
    default:
      return { name: 'today' };
  }
}

export function href(route: Route): string {
  switch (route.name) {
    case 'today':
      return '#/today';
    case 'jobs':
      return '#/jobs';
    case 'settings':
      return '#/settings';
    case 'sync':
      return '#/sync';
    case 'signIn':
      return '#/sign-in';
    case 'job':
      return `#/job/${encodeURIComponent(route.id)}`;
    case 'complete':
      return `#/job/${encodeURIComponent(route.id)}/complete`;
    case 'knowledge':
      return '#/knowledge';
    case 'article':
      return route.job === null
        ? `#/knowledge/${encodeURIComponent(route.id)}`
        : `#/job/${encodeURIComponent(route.job)}/article/${encodeURIComponent(route.id)}`;
  }
}

/** Where Esc goes from `route`; `list` is the list the job was opened from. */
export function parentOf(route: Route, list: Route): Route | null {
  switch (route.name) {
    case 'complete':
      return { name: 'job', id: route.id };
    case 'job':
      return list;
    case 'article':
      return route.job === null ? { name: 'knowledge' } : { name: 'job', id: route.job };
    case 'knowledge':
    case 'jobs':
    case 'settings':
    case 'sync':
      return { name: 'today' };
    case 'signIn':
      return { name: 'sync' };
    case 'today':
      return null;
  }
}
