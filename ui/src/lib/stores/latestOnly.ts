/**
 * Asks a slow question as often as the answer changes without queueing: one request in flight,
 * and when it settles only the newest input asked meanwhile is sent. Results of inputs that
 * were overtaken are never shown. Used for search-as-you-type.
 */
export interface LatestOnlyHandlers<I, O> {
  /** Whether a request is in flight. */
  busy?: (busy: boolean) => void;
  /** The answer to the newest input asked so far. */
  result: (input: I, output: O) => void;
  failure: (reason: unknown) => void;
}

export interface LatestOnly<I> {
  ask(input: I): void;
}

export function latestOnly<I, O>(
  run: (input: I) => Promise<O>,
  handlers: LatestOnlyHandlers<I, O>,
): LatestOnly<I> {
  let inFlight = false;
  let pending: { input: I } | null = null;

  async function send(input: I): Promise<void> {
    inFlight = true;
    handlers.busy?.(true);
    try {
      const output = await run(input);
      if (pending === null) handlers.result(input, output);
    } catch (reason) {
      if (pending === null) handlers.failure(reason);
    } finally {
      inFlight = false;
      const next = pending;
      pending = null;
      if (next) void send(next.input);
      else handlers.busy?.(false);
    }
  }

  return {
    ask(input: I) {
      if (inFlight) pending = { input };
      else void send(input);
    },
  };
}
