/**
 * One job on screen: loads it, follows `store-changed` for it, and runs changes so the screen
 * always shows the job as the core returns it.
 */
import { type Api, type ApiError, toApiError } from '../../lib/api';
import { onChange } from '../../lib/stores/changes';
import { track } from '../../lib/stores/saves';
import { notify, showError } from '../../lib/stores/toasts.svelte';
import type { JobView } from '../../lib/types/JobView';
import type { Run } from './recording';

export class JobScreen {
  view = $state<JobView | null>(null);
  error = $state<ApiError | null>(null);
  #seq = 0;

  constructor(
    private readonly api: Api,
    private readonly id: string,
  ) {}

  load = async (): Promise<void> => {
    const mine = ++this.#seq;
    try {
      const view = await this.api.jobView(this.id);
      if (mine !== this.#seq) return;
      this.view = view;
      this.error = null;
    } catch (e) {
      if (mine === this.#seq) this.error = toApiError(e);
    }
  };

  /** Loads now and again whenever this job (or everything) changes; returns the unsubscribe. */
  follow(): () => void {
    void this.load();
    return onChange((change) => {
      const current = this.view?.detail.id;
      if (change.job_id === null || change.job_id === current || change.job_id === this.id) {
        void this.load();
      }
    });
  }

  run: Run = async (change, confirmation) => {
    try {
      const view = await track(change());
      this.#seq++; // a load started before this change must not overwrite its result
      this.view = view;
      this.error = null;
      if (confirmation) notify(confirmation);
      return true;
    } catch (e) {
      showError(e);
      return false;
    }
  };
}
