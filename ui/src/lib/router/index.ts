export { back, go, route, startRouter } from './router.svelte';
export { href, parseRoute, type Route } from './routes';
