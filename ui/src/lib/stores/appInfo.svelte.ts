/** Facts about this device's store (technician, pending changes), refreshed on every change. */
import type { Api } from '../api/api';
import type { AppInfo } from '../types/AppInfo';
import { onChange } from './changes';
import { showError } from './toasts.svelte';

const state = $state<{ info: AppInfo | null }>({ info: null });

export function appInfo(): AppInfo | null {
  return state.info;
}

async function load(api: Api): Promise<void> {
  try {
    state.info = await api.appInfo();
  } catch (e) {
    showError(e);
  }
}

/** Loads now and after every change to the store; returns the unsubscribe. */
export function followAppInfo(api: Api): () => void {
  void load(api);
  return onChange(() => void load(api));
}
