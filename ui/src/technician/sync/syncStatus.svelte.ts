/**
 * The sync status for every part of the window (header indicator, Sync page, banners): loaded
 * once, then kept current by the shell's `sync://status` events.
 */
import type { Api } from '../../lib/api/api';
import type { SyncStatus } from '../../lib/api/sync';
import { onChange } from '../../lib/stores/changes';
import { showError } from '../../lib/stores/toasts.svelte';

const state = $state<{ status: SyncStatus | null }>({ status: null });

export function syncStatus(): SyncStatus | null {
  return state.status;
}

export function setSyncStatus(status: SyncStatus): void {
  state.status = status;
}

async function load(api: Api): Promise<void> {
  try {
    state.status = await api.syncStatus();
  } catch (e) {
    showError(e);
  }
}

/** Loads now, follows the events, and reloads after store changes made elsewhere (the CLI). */
export function followSyncStatus(api: Api): () => void {
  let gone = false;
  let unlisten: (() => void) | null = null;
  api.onSyncStatus(setSyncStatus).then(
    (u) => (gone ? u() : (unlisten = u)),
    (e: unknown) => showError(e),
  );
  void load(api);
  const stopChanges = onChange(() => void load(api));
  return () => {
    gone = true;
    unlisten?.();
    stopChanges();
  };
}
