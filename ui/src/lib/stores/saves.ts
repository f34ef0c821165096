/**
 * Saves in flight. Text fields save on blur; an action that depends on them (Complete) waits
 * for them first, so a click straight after typing never races the save.
 */
const inFlight = new Set<Promise<unknown>>();

export function track<T>(save: Promise<T>): Promise<T> {
  inFlight.add(save);
  const done = () => inFlight.delete(save);
  save.then(done, done);
  return save;
}

export async function settled(): Promise<void> {
  while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
}
