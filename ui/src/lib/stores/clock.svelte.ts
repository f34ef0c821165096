/**
 * "Now" for countdowns, ticking every 30 s. This is a clock for the screen, not a poll of the
 * backend: data changes arrive as `store-changed` events.
 */
const TICK_MS = 30_000;

const state = $state({ ms: Date.now() });
let timer: ReturnType<typeof setInterval> | null = null;

export function now(): Date {
  // A fresh value per read, never kept in state or mutated, so it needs no reactive Date.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  return new Date(state.ms);
}

export function startClock(): () => void {
  if (timer === null) timer = setInterval(() => (state.ms = Date.now()), TICK_MS);
  return () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
}
