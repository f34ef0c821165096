/** The console's current place, following `location.hash`. */
import { type DispatchRoute, href, parseRoute } from './routes';

const state = $state<{ route: DispatchRoute }>({
  route: parseRoute(typeof location === 'undefined' ? '' : location.hash),
});

export function route(): DispatchRoute {
  return state.route;
}

function sync(): void {
  const r = parseRoute(location.hash);
  // The admin page always names its tab (`#/admin` → `#/admin/users`), so reloads and copied
  // links keep it.
  if (r.name === 'admin' && location.hash !== href(r)) {
    history.replaceState(history.state, '', href(r));
  }
  state.route = r;
}

export function startRouter(): () => void {
  sync();
  window.addEventListener('hashchange', sync);
  return () => window.removeEventListener('hashchange', sync);
}

export function go(to: DispatchRoute): void {
  const target = href(to);
  if (location.hash === target) sync();
  else location.hash = target;
}

/** Goes to `to` in place of the current history entry (moving through tabs with the keys). */
export function replace(to: DispatchRoute): void {
  const target = href(to);
  if (location.hash !== target) history.replaceState(history.state, '', target);
  sync();
}
