/** Requests to focus the job search (the `/` shortcut), counted so each press is seen. */
const state = $state({ requests: 0 });

export function requestSearchFocus(): void {
  state.requests += 1;
}

export function searchFocusRequests(): number {
  return state.requests;
}
