/** Hands the console's `DispatchApi` to every component without importing a transport. */
import { getContext, setContext } from 'svelte';

import type { DispatchApi } from './headoffice';

const KEY = Symbol('fieldwork-dispatch-api');

export function provideDispatchApi(api: DispatchApi): void {
  setContext(KEY, api);
}

export function useDispatchApi(): DispatchApi {
  const api = getContext<DispatchApi | undefined>(KEY);
  if (!api)
    throw new Error('useDispatchApi() outside the console: provideDispatchApi() was not called');
  return api;
}
