/**
 * Fans the backend's `store-changed` event out to whatever is on screen. The app subscribes
 * once to the backend; screens subscribe here synchronously and unsubscribe when they go.
 */
import type { StoreChanged } from '../api/api';

type Listener = (change: StoreChanged) => void;

const listeners = new Set<Listener>();

export function onChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function emitChange(change: StoreChanged): void {
  for (const l of [...listeners]) l(change);
}
