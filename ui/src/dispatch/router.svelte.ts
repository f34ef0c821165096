/** The console's current place, following `location.hash`. */
import { type DispatchRoute, href, parseRoute } from './routes';

const state = $state<{ route: DispatchRoute }>({
  route: parseRoute(typeof location === 'undefined' ? '' : location.hash),
});

export function route(): DispatchRoute {
  return state.route;
}

function sync(): void {
  state.route = parseRoute(location.hash);
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
