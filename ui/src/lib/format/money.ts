/**
 * Money is integer minor units (cents) everywhere; only the screen shows decimals. The store
 * does not record a currency yet, so amounts are shown as plain numbers (`12.50`), as the CLI
 * does.
 */

const formats = new Map<string, Intl.NumberFormat>();

export function formatMoney(cents: number, tag: string): string {
  let f = formats.get(tag);
  if (!f) {
    f = new Intl.NumberFormat(tag, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    formats.set(tag, f);
  }
  // `+ 0` turns -0 into 0 so a zero total never reads "-0.00".
  return f.format(Math.round(cents) / 100 + 0);
}

/**
 * Cents from what a person types: `12`, `12.5`, `12.50`, `12,50`, `1 234.50`. `null` when it
 * is not an amount (letters, more than two decimals, negative).
 */
export function parseMoney(text: string): number | null {
  const cleaned = text
    .trim()
    .replace(/[\s\u00a0]/g, '')
    .replace(',', '.');
  const m = /^(\d+)(?:\.(\d{0,2}))?$/.exec(cleaned);
  if (!m) return null;
  const whole = Number(m[1]);
  const fraction = Number((m[2] ?? '').padEnd(2, '0'));
  const cents = whole * 100 + fraction;
  return Number.isSafeInteger(cents) ? cents : null;
}

/** Quantities can be fractional (1.5 m of hose); shown without trailing zeros. */
export function formatQuantity(quantity: number, tag: string): string {
  return new Intl.NumberFormat(tag, { maximumFractionDigits: 3 }).format(quantity);
}

/** A positive quantity from what a person types (`2`, `1.5`, `1,5`), or `null`. */
export function parseQuantity(text: string): number | null {
  const cleaned = text.trim().replace(',', '.');
  if (!/^\d+(?:\.\d+)?$/.test(cleaned)) return null;
  const n = Number(cleaned);
  return Number.isFinite(n) && n > 0 ? n : null;
}
