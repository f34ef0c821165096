/** The desktop transport: Tauri commands (`invoke`) and events (`listen`). */
import { convertFileSrc, invoke, isTauri } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';

import { ApiError } from './errors';
import type { Transport, Unsubscribe } from './transport';

const NO_BACKEND = 'the Fieldwork desktop app is not running behind this window';

/** Measures kept on the performance timeline before the oldest are dropped. */
const MAX_MEASURES = 500;

/**
 * Each command's round trip as a performance measure `ipc:<command>` (read by the desktop
 * benchmark to tell time spent in the core from time spent drawing).
 */
function timed(command: string, started: number): void {
  if (performance.getEntriesByType('measure').length >= MAX_MEASURES) performance.clearMeasures();
  performance.measure(`ipc:${command}`, { start: started, end: performance.now() });
}

export function tauriTransport(): Transport {
  return {
    call<T>(command: string, args?: Record<string, unknown> | Uint8Array): Promise<T> {
      // Opened in a plain browser (e.g. the Vite dev server alone) there is nothing to call.
      if (!isTauri()) return Promise.reject(new ApiError('no_backend', NO_BACKEND));
      const started = performance.now();
      return invoke<T>(command, args).finally(() => timed(command, started));
    },
    mediaUrl(media) {
      // Served by the shell's `media` protocol from the content-addressed media folder.
      const path =
        'photo' in media
          ? `photo/${media.photo}/${media.variant}`
          : 'signature' in media
            ? `signature/${media.signature}`
            : `kbphoto/${media.article}/${media.picture}`;
      return isTauri() ? convertFileSrc(path, 'media') : '';
    },
    async subscribe<T>(event: string, handler: (payload: T) => void): Promise<Unsubscribe> {
      if (!isTauri()) return () => undefined;
      return listen<T>(event, (e) => handler(e.payload));
    },
  };
}
