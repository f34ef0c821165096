/**
 * How the API reaches a backend. The desktop app talks to the Tauri shell (commands and
 * events); the dispatcher console will talk HTTP to head office. Both carry the same named
 * commands with the same JSON arguments and results, so `createApi` works over either.
 */

import type { MediaRef } from './api';

/** Stops listening. */
export type Unsubscribe = () => void;

export interface Transport {
  /**
   * Runs a named command. Resolves with its JSON result; rejects with whatever the backend
   * sent (normally `{code, message}`), which the API turns into an `ApiError`.
   */
  call<T>(command: string, args?: Record<string, unknown> | Uint8Array): Promise<T>;
  /**
   * A URL for a stored picture (`photo/<id>/full|thumb`, `signature/<id>`,
   * `kbphoto/<article>/<sha256>`).
   */
  mediaUrl(media: MediaRef): string;
  /** Listens to a named backend event until the returned function is called. */
  subscribe<T>(event: string, handler: (payload: T) => void): Promise<Unsubscribe>;
}
