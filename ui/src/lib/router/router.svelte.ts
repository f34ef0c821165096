/** The current route, following `location.hash`. */
import { href, parentOf, parseRoute, type Route } from './routes';

const state = $state<{ route: Route; list: Route }>({
  route: parseRoute(typeof location === 'undefined' ? '' : location.hash),
  list: { name: 'today' },
});

export function route(): Route {
  return state.route;
}

function sync(): void {
  state.route = parseRoute(location.hash);
  if (state.route.name === 'today' || state.route.name === 'jobs') state.list = state.route;
}

export function startRouter(): () => void {
  sync();
  window.addEventListener('hashchange', sync);
  return () => window.removeEventListener('hashchange', sync);
}

export function go(to: Route): void {
  const target = href(to);
  if (location.hash === target) sync();
  else location.hash = target;
}

/** Esc: up one level (Complete → Job → the list it came from → Today). */
export function back(): boolean {
  const parent = parentOf(state.route, state.list);
  if (!parent) return false;
  go(parent);
  return true;
}
