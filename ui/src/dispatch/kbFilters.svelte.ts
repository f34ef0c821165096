/**
 * The knowledge base list's search, filters and order. They outlive the page, so coming back
 * from an article finds the list as it was left; the next user to sign in starts from none.
 */
export const kbFilters = $state({ q: '', category: '', status: '', sort: 'recent' });

/** Clears the search and the filters; the order stays as chosen. */
export function clearKbFilters(): void {
  kbFilters.q = '';
  kbFilters.category = '';
  kbFilters.status = '';
}

/** Everything back to the start (a new sign-in). */
export function resetKbFilters(): void {
  clearKbFilters();
  kbFilters.sort = 'recent';
}
