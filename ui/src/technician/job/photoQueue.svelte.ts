/**
 * A batch of photos on their way into the job: each file is read and sent to the backend, which
 * processes it off the UI thread. A few are in flight at once (the backend bounds its own
 * parallelism too), every file has a visible state, and a bad file never stops the others.
 */
import { toApiError, type ApiError } from '../../lib/api';

export type ItemState = 'waiting' | 'processing' | 'done' | 'failed';

export interface QueueItem {
  key: number;
  name: string;
  size: number;
  state: ItemState;
  error: ApiError | null;
}

/** A file as the queue needs it: a name, a size and its bytes on demand. */
export interface PhotoSource {
  name: string;
  size: number;
  bytes(): Promise<Uint8Array>;
}

export function fromFile(file: File): PhotoSource {
  return {
    name: file.name || 'photo',
    size: file.size,
    bytes: async () => new Uint8Array(await file.arrayBuffer()),
  };
}

/** Files in flight at once: enough to keep two cores busy, few enough to keep memory low. */
export const IN_FLIGHT = 2;

/** `S` may carry what was chosen for the batch (kind, caption) to `send` with each file. */
export class PhotoQueue<S extends PhotoSource = PhotoSource> {
  items = $state<QueueItem[]>([]);
  #next = 0;
  #running = 0;
  #pending: { item: QueueItem; source: S }[] = [];

  constructor(
    private readonly send: (name: string, bytes: Uint8Array, source: S) => Promise<unknown>,
  ) {}

  get done(): number {
    return this.items.filter((i) => i.state === 'done').length;
  }

  get failed(): number {
    return this.items.filter((i) => i.state === 'failed').length;
  }

  get finished(): number {
    return this.items.filter((i) => i.state === 'done' || i.state === 'failed').length;
  }

  get busy(): boolean {
    return this.items.some((i) => i.state === 'waiting' || i.state === 'processing');
  }

  add(sources: S[]): void {
    // A finished batch is cleared when the next one starts, except for its failures.
    if (!this.busy) this.items = this.items.filter((i) => i.state === 'failed');
    for (const source of sources) {
      const item: QueueItem = {
        key: ++this.#next,
        name: source.name,
        size: source.size,
        state: 'waiting',
        error: null,
      };
      this.items.push(item);
      // Work on the reactive proxy, so state changes reach the screen.
      const live = this.items.at(-1) ?? item;
      this.#pending.push({ item: live, source });
    }
    this.#pump();
  }

  dismiss(key: number): void {
    this.items = this.items.filter((i) => i.key !== key);
  }

  clearFinished(): void {
    this.items = this.items.filter((i) => i.state === 'waiting' || i.state === 'processing');
  }

  #pump(): void {
    while (this.#running < IN_FLIGHT && this.#pending.length > 0) {
      const next = this.#pending.shift();
      if (!next) break;
      this.#running += 1;
      void this.#run(next.item, next.source).finally(() => {
        this.#running -= 1;
        this.#pump();
      });
    }
  }

  async #run(item: QueueItem, source: S): Promise<void> {
    item.state = 'processing';
    try {
      await this.send(source.name, await source.bytes(), source);
      item.state = 'done';
    } catch (e) {
      item.error = toApiError(e);
      item.state = 'failed';
    }
  }
}
