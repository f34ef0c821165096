/** The app's places as hash URLs (`#/today`, `#/job/ID/complete`); pure parse and format. */

export type Route =
  | { name: 'today' }
  | { name: 'jobs' }
  | { name: 'job'; id: string }
  | { name: 'complete'; id: string }
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
  const [first, id, sub] = parts;
  switch (first) {
    case 'jobs':
      return { name: 'jobs' };
    case 'settings':
      return { name: 'settings' };
    case 'sync':
      return { name: 'sync' };
    case 'sign-in':
      return { name: 'signIn' };
    case 'job':
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
  }
}

/** Where Esc goes from `route`; `list` is the list the job was opened from. */
export function parentOf(route: Route, list: Route): Route | null {
  switch (route.name) {
    case 'complete':
      return { name: 'job', id: route.id };
    case 'job':
      return list;
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
