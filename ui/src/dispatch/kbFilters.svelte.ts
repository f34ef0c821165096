/**
 * The knowledge base list's search and filters. They outlive the page, so coming back from an
 * article finds the list as it was left; the next user to sign in starts from none.
 */
export const kbFilters = $state({ q: '', category: '', status: '' });

export function resetKbFilters(): void {
  kbFilters.q = '';
  kbFilters.category = '';
  kbFilters.status = '';
}
