/**
 * The knowledge list's search as you type: each change waits a short pause (typing a fault code
 * or a Chinese phrase is several keystrokes, and an IME sends several more), then one search is
 * in flight at a time and only the newest question asked meanwhile follows it. The list always
 * says which question it answers, so a stale list is never taken for the answer to what is typed.
 *
 * The question (`kbQuery`) outlives the screen: coming back from an article finds the list as it
 * was left.
 */
import { type ApiError, toApiError } from '../../lib/api';
import { latestOnly } from '../../lib/stores/latestOnly';
import type { ArticleSummary } from '../../lib/types/ArticleSummary';
import type { EquipmentCategory } from '../../lib/types/EquipmentCategory';

/** What the technician asked: words, and `''` for any category or brand. */
export interface KbQuery {
  text: string;
  category: EquipmentCategory | '';
  brand: string;
}

export const EMPTY_QUERY: KbQuery = { text: '', category: '', brand: '' };

/** The Knowledge screen's question, kept while an article is open. */
export const kbQuery = $state<KbQuery>({ ...EMPTY_QUERY });

/** The pause after a keystroke before searching. */
export const DEBOUNCE_MS = 150;

/** Whether two questions ask the same (ignoring spaces around the words). */
export function sameQuery(a: KbQuery, b: KbQuery): boolean {
  return a.text.trim() === b.text.trim() && a.category === b.category && a.brand === b.brand;
}

/** Whether a question narrows anything (words or a filter). */
export function isNarrowed(q: KbQuery): boolean {
  return q.text.trim() !== '' || q.category !== '' || q.brand !== '';
}

export class KbSearch {
  /** The articles found for `answered`; `null` before the first answer. */
  results = $state<ArticleSummary[] | null>(null);
  /** The question `results` answer. */
  answered = $state<KbQuery | null>(null);
  /** A search is waiting for the pause to end or in flight. */
  pending = $state(false);
  error = $state<ApiError | null>(null);

  #timer: ReturnType<typeof setTimeout> | null = null;
  #inFlight = false;
  #asked: KbQuery | null = null;
  readonly #searches;

  constructor(
    run: (q: KbQuery) => Promise<ArticleSummary[]>,
    private readonly delay = DEBOUNCE_MS,
  ) {
    this.#searches = latestOnly<KbQuery, ArticleSummary[]>(run, {
      busy: (busy) => {
        this.#inFlight = busy;
        this.#settle();
      },
      result: (q, found) => {
        this.results = found;
        this.answered = q;
        this.error = null;
      },
      failure: (e) => (this.error = toApiError(e)),
    });
  }

  /**
   * Searches for `q` after the pause (`now`: at once, e.g. on arrival or after a sync). Asking
   * the question already answered or waited for again does nothing unless `now`.
   */
  ask(q: KbQuery, now = false): void {
    const question = { ...q, text: q.text.trim() };
    if (!now && this.#asked && sameQuery(this.#asked, question)) return;
    this.#asked = question;
    this.#clearTimer();
    this.pending = true;
    if (now || this.delay <= 0) {
      this.#searches.ask(question);
    } else {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#searches.ask(question);
      }, this.delay);
    }
  }

  /** Whether what is listed answers `q` (and nothing newer is on its way). */
  answers(q: KbQuery): boolean {
    return !this.pending && this.answered !== null && sameQuery(this.answered, q);
  }

  /** Stops a search waiting for its pause (the screen is closing). */
  dispose(): void {
    this.#clearTimer();
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #settle(): void {
    this.pending = this.#inFlight || this.#timer !== null;
  }
}
