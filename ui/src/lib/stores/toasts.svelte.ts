/** Short messages at the edge of the screen: confirmations and human error sentences. */
import { ApiError, describeError, toApiError } from '../api/errors';
import { errorSentence } from '../i18n/labels';

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  title: string;
  detail: string | null;
}

const INFO_MS = 3_000;
const ERROR_MS = 10_000;

const state = $state<{ items: Toast[] }>({ items: [] });
let nextId = 1;

export function toasts(): readonly Toast[] {
  return state.items;
}

export function dismiss(id: number): void {
  state.items = state.items.filter((t) => t.id !== id);
}

function push(kind: Toast['kind'], title: string, detail: string | null): void {
  const id = nextId++;
  // The same sentence twice in a row (a retried action) is shown once.
  state.items = [
    ...state.items.filter((t) => t.title !== title),
    { id, kind, title, detail },
  ].slice(-4);
  setTimeout(() => dismiss(id), kind === 'error' ? ERROR_MS : INFO_MS);
}

export function notify(title: string): void {
  push('info', title, null);
}

/** Shows an error as a sentence for people; logs the technical detail for support. */
export function showError(reason: unknown): void {
  const error = reason instanceof ApiError ? reason : toApiError(reason);
  if (error.code === 'unexpected') console.error(reason);
  const { title, detail } = describeError(error, errorSentence);
  push('error', title, detail);
}
