/**
 * What the admin pages share in their scripts: a list that stays fresh ([`liveList`]) and the
 * state of a form that is checked here, then sent ([`formState`]). Both must be created while a
 * component initialises (the list loads on mount and follows head office's live updates).
 */
import { onMount } from 'svelte';

import { type ApiError, toApiError } from '../../lib/api/errors';
import { onChange } from '../../lib/stores/changes';
import { notify, showError } from '../../lib/stores/toasts.svelte';

/** A list an admin page shows: `null` until the first load, `error` when the last one failed. */
export interface LiveList<T> {
  readonly items: T[] | null;
  readonly error: ApiError | null;
  load(): Promise<void>;
  /**
   * Makes a change from a row (disable, revoke, deactivate): on success says `done` and loads
   * the list again; a failure is shown as a notification and the list stays as it was.
   */
  change(run: () => Promise<unknown>, done: string): Promise<void>;
}

/** A list fetched by `fetch` when the page opens and again whenever something changed. */
export function liveList<T>(fetch: () => Promise<T[]>): LiveList<T> {
  let items = $state<T[] | null>(null);
  let error = $state<ApiError | null>(null);

  async function load() {
    try {
      items = await fetch();
      error = null;
    } catch (e) {
      error = toApiError(e);
    }
  }

  async function change(run: () => Promise<unknown>, done: string) {
    try {
      await run();
      notify(done);
      await load();
    } catch (e) {
      showError(e);
    }
  }

  onMount(() => {
    void load();
    return onChange(() => void load());
  });

  return {
    get items() {
      return items;
    },
    get error() {
      return error;
    },
    load,
    change,
  };
}

/**
 * A form's feedback: `problem`, what the page's own checks found (a sentence); `error`, what
 * head office refused; `saving` while a request is out.
 */
export interface FormState {
  problem: string | null;
  readonly error: ApiError | null;
  readonly saving: boolean;
  /** Forgets the last problem and refusal (a new attempt, or a new record in the form). */
  clear(): void;
  /** Sends with `saving` set; a refusal becomes `error`. */
  send(run: () => Promise<void>): Promise<void>;
}

export function formState(): FormState {
  let problem = $state<string | null>(null);
  let error = $state<ApiError | null>(null);
  let saving = $state(false);

  return {
    get problem() {
      return problem;
    },
    set problem(p: string | null) {
      problem = p;
    },
    get error() {
      return error;
    },
    get saving() {
      return saving;
    },
    clear() {
      problem = null;
      error = null;
    },
    async send(run: () => Promise<void>) {
      saving = true;
      try {
        await run();
      } catch (e) {
        error = toApiError(e);
      } finally {
        saving = false;
      }
    },
  };
}
