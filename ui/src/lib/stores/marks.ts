/** Performance marks for the scripted start-up measurement; each name is marked once. */
const marked = new Set<string>();

export function markOnce(name: string): void {
  if (marked.has(name)) return;
  marked.add(name);
  performance.mark(name);
}
