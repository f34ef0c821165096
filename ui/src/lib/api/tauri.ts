/** The desktop transport: Tauri commands (`invoke`) and events (`listen`). */
import { invoke, isTauri } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';

import { ApiError } from './errors';
import type { Transport, Unsubscribe } from './transport';

const NO_BACKEND = 'the Fieldwork desktop app is not running behind this window';

export function tauriTransport(): Transport {
  return {
    call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
      // Opened in a plain browser (e.g. the Vite dev server alone) there is nothing to call.
      if (!isTauri()) return Promise.reject(new ApiError('no_backend', NO_BACKEND));
      return invoke<T>(command, args);
    },
    async subscribe<T>(event: string, handler: (payload: T) => void): Promise<Unsubscribe> {
      if (!isTauri()) return () => undefined;
      return listen<T>(event, (e) => handler(e.payload));
    },
  };
}
