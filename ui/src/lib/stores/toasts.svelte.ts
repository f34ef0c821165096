/** Short messages at the edge of the screen: confirmations and human error sentences. */
import { ApiError, describeError, toApiError } from '../api/errors';
import { errorSentence } from '../i18n/labels';

/** A button on a toast (Undo): pressing it runs `run` and closes the toast. */
export interface ToastAction {
  label: string;
  run: () => void;
}

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  title: string;
  detail: string | null;
  action: ToastAction | null;
}

const INFO_MS = 3_000;
const ERROR_MS = 10_000;
/** At most this many toasts at once, so they never pile up over the screen. */
export const MAX_TOASTS = 3;

const state = $state<{ items: Toast[] }>({ items: [] });
let nextId = 1;

export function toasts(): readonly Toast[] {
  return state.items;
}

export function dismiss(id: number): void {
  state.items = state.items.filter((t) => t.id !== id);
}

/**
 * The toasts after `next` arrives: the same sentence twice in a row (a retried action) is shown
 * once, and beyond `max` the oldest go first, those without a button before any with one (an
 * Undo stays reachable for as long as it promised).
 */
export function stacked(items: readonly Toast[], next: Toast, max = MAX_TOASTS): Toast[] {
  const list = [...items.filter((t) => t.title !== next.title || t.action !== null), next];
  while (list.length > max) {
    const plain = list.findIndex((t) => t.action === null);
    list.splice(plain === -1 ? 0 : plain, 1);
  }
  return list;
}

function push(
  kind: Toast['kind'],
  title: string,
  detail: string | null,
  action: ToastAction | null,
  ms: number,
): number {
  const id = nextId++;
  state.items = stacked(state.items, { id, kind, title, detail, action });
  setTimeout(() => dismiss(id), ms);
  return id;
}

export function notify(title: string): void {
  push('info', title, null, null, INFO_MS);
}

/** A confirmation with a button (Undo) for `ms`; returns the toast's id. */
export function notifyWithAction(title: string, action: ToastAction, ms: number): number {
  return push('info', title, null, action, ms);
}

/** Presses a toast's button: runs its action and closes it. */
export function act(toast: Toast): void {
  dismiss(toast.id);
  toast.action?.run();
}

/** Shows an error as a sentence for people; logs the technical detail for support. */
export function showError(reason: unknown): void {
  const error = reason instanceof ApiError ? reason : toApiError(reason);
  if (error.code === 'unexpected') console.error(reason);
  const { title, detail } = describeError(error, errorSentence);
  push('error', title, detail, null, ERROR_MS);
}
