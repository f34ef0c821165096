/**
 * Whether the job screen's knowledge panel is open. Kept for the session, so opening an article
 * from it and coming back finds it as it was, and the next job shows it the same way.
 */
export const kbPanel = $state({ open: false });
