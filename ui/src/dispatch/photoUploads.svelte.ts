/**
 * The article editor's picture uploads: files chosen or dropped together go to head office a
 * few at a time, each with its own state (waiting, uploading with its progress, processing at
 * head office, failed with the reason). A file that fails stays listed with its error (to try
 * again or dismiss) and never stops the others. Uploaded pictures are handed over in the order
 * the files were given, whatever order head office finishes them in.
 */
import { type ApiError, toApiError } from '../lib/api/errors';
import type { KbPhoto, UploadProgress } from '../lib/api/headoffice';

export type UploadState = 'waiting' | 'uploading' | 'processing' | 'done' | 'failed';

export interface UploadItem {
  key: number;
  name: string;
  size: number;
  state: UploadState;
  /** Bytes sent so far. */
  sent: number;
  error: ApiError | null;
  /** What head office made of it, once `done`. */
  photo: KbPhoto | null;
}

/** Files uploaded at once: head office processes pictures in parallel, but a laptop's uplink is one. */
export const IN_FLIGHT = 2;

/** Failures worth trying again as they are: the way to head office, not the file. */
const PASSING = new Set([
  'network',
  'timeout',
  'offline',
  'rate_limited',
  'internal',
  'server_error',
]);

/** Whether sending the same file again may work (a picture head office refused will not). */
export function retryable(error: Pick<ApiError, 'code'> | null): boolean {
  return error !== null && PASSING.has(error.code);
}

/** How far an upload is, 0 to 100. */
export function percent(item: Pick<UploadItem, 'sent' | 'size'>): number {
  if (item.size <= 0) return 100;
  return Math.min(100, Math.max(0, Math.floor((item.sent / item.size) * 100)));
}

export class PhotoUploads {
  /** Files not yet handed over: waiting, on their way, or failed. */
  items = $state<UploadItem[]>([]);
  #next = 0;
  #running = 0;
  // The files themselves are never shown: nothing needs to react to this map.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #files = new Map<number, Blob>();
  #queue: number[] = [];

  /**
   * `send` uploads one file; `added` receives each uploaded picture, in the order the files
   * were given.
   */
  constructor(
    private readonly send: (file: Blob, onProgress: UploadProgress) => Promise<KbPhoto>,
    private readonly added: (photo: KbPhoto) => void,
    private readonly inFlight = IN_FLIGHT,
  ) {}

  /** Whether files are still waiting or on their way (saving the article would miss them). */
  get busy(): boolean {
    return this.items.some(
      (i) => i.state === 'waiting' || i.state === 'uploading' || i.state === 'processing',
    );
  }

  get failed(): number {
    return this.items.filter((i) => i.state === 'failed').length;
  }

  /** Starts uploading `files` after those already given. */
  add(files: readonly File[]): void {
    for (const file of files) {
      const key = ++this.#next;
      this.items.push({
        key,
        name: file.name || 'picture',
        size: file.size,
        state: 'waiting',
        sent: 0,
        error: null,
        photo: null,
      });
      this.#files.set(key, file);
      this.#queue.push(key);
    }
    this.#pump();
  }

  /** Sends a failed file again, after the ones waiting (when its failure was `retryable`). */
  retry(key: number): void {
    const item = this.#item(key);
    if (!item || item.state !== 'failed' || !retryable(item.error) || !this.#files.has(key)) {
      return;
    }
    // Its place in the order is the end now: it goes after anything given since.
    this.items = [...this.items.filter((i) => i.key !== key), item];
    const live = this.#item(key);
    if (!live) return;
    live.state = 'waiting';
    live.error = null;
    live.sent = 0;
    this.#queue.push(key);
    this.#pump();
  }

  /** Forgets a failed file. */
  dismiss(key: number): void {
    const item = this.#item(key);
    if (!item || item.state !== 'failed') return;
    this.items = this.items.filter((i) => i.key !== key);
    this.#files.delete(key);
    this.#handOver();
  }

  /** The live (reactive) item, so changes reach the screen. */
  #item(key: number): UploadItem | undefined {
    return this.items.find((i) => i.key === key);
  }

  #pump(): void {
    while (this.#running < this.inFlight && this.#queue.length > 0) {
      const key = this.#queue.shift();
      if (key === undefined) break;
      this.#running += 1;
      void this.#run(key).finally(() => {
        this.#running -= 1;
        this.#pump();
      });
    }
  }

  async #run(key: number): Promise<void> {
    const file = this.#files.get(key);
    const item = this.#item(key);
    if (!file || !item) return;
    item.state = 'uploading';
    try {
      const photo = await this.send(file, (sent) => {
        const live = this.#item(key);
        if (!live) return;
        live.sent = Math.min(sent, live.size);
        // All sent: head office is turning it upright and scaling it.
        if (live.sent >= live.size) live.state = 'processing';
      });
      const live = this.#item(key);
      if (!live) return;
      live.state = 'done';
      live.photo = photo;
      live.sent = live.size;
      this.#files.delete(key);
    } catch (e) {
      const live = this.#item(key);
      if (!live) return;
      live.state = 'failed';
      live.error = toApiError(e);
    }
    this.#handOver();
  }

  /**
   * Hands over the uploaded pictures that no earlier file is still waiting for; failed files
   * stay listed and hold nothing up.
   */
  #handOver(): void {
    const out: KbPhoto[] = [];
    const keep: UploadItem[] = [];
    let blocked = false;
    for (const item of this.items) {
      if (item.state === 'done' && !blocked && item.photo) out.push(item.photo);
      else {
        keep.push(item);
        if (item.state !== 'failed') blocked = true;
      }
    }
    if (out.length === 0) return;
    this.items = keep;
    for (const photo of out) this.added(photo);
  }
}
