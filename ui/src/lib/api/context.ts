/** Hands the app's `Api` to every component without importing a transport. */
import { getContext, setContext } from 'svelte';

import type { Api } from './api';

const KEY = Symbol('fieldwork-api');

export function provideApi(api: Api): void {
  setContext(KEY, api);
}

export function useApi(): Api {
  const api = getContext<Api | undefined>(KEY);
  if (!api) throw new Error('useApi() outside the app: provideApi() was not called');
  return api;
}
