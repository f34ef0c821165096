/**
 * Phone numbers as people type them (`138 0013 8000`, `+86-138-0013-8000`): compared by their
 * digits, so a duplicate customer is noticed however the number was written.
 */
export function digitsOf(phone: string): string {
  return phone.replace(/\D/g, '');
}

/** Same number, allowing a country code written on one side only (`+86 138…` vs `138…`). */
export function samePhone(a: string, b: string): boolean {
  const x = digitsOf(a);
  const y = digitsOf(b);
  if (x.length < 6 || y.length < 6) return false;
  if (x === y) return true;
  const [short, long] = x.length < y.length ? [x, y] : [y, x];
  return long.endsWith(short) && long.length - short.length <= 3 && short.length >= 9;
}
