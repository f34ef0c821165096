/** Whether a key press belongs to a text field (so app shortcuts such as `/` stay out of it). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range'].includes(target.type);
  }
  return false;
}

/** Whether a modal dialog is open (it handles Esc itself). */
export function dialogOpen(): boolean {
  return document.querySelector('dialog[open]') !== null;
}
