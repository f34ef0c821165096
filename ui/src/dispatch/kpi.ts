/** The KPI page's arithmetic: shares, whether a number meets its target, the default period. */
import type { KnowledgeEffect, KpiValue } from '../lib/api/headoffice';
import { addDays, localDay } from '../lib/format/datetime';

/** The share `numerator / denominator`, or null when nothing is counted. */
export function share(v: Pick<KpiValue, 'numerator' | 'denominator'>): number | null {
  return v.denominator > 0 ? v.numerator / v.denominator : null;
}

/** `met`, `missed`, or `none` (no target, or nothing counted). */
export function verdict(v: KpiValue): 'met' | 'missed' | 'none' {
  const s = share(v);
  if (s === null || v.target === null) return 'none';
  return (v.higher_is_better ? s >= v.target : s <= v.target) ? 'met' : 'missed';
}

export function percent(s: number | null, digits = 1): string {
  return s === null ? '–' : `${(s * 100).toFixed(digits)} %`;
}

/** The last 30 days, today included, as local calendar days. */
export function defaultPeriod(today: Date): { from: string; to: string } {
  return { from: localDay(addDays(today, -29)), to: localDay(today) };
}

/** A local calendar day range as the instants head office filters on ([from 00:00, to+1 00:00)). */
export function periodInstants(from: string, to: string): { from: string; to: string } {
  const midnight = (day: string, plus: number) => {
    const [y, m, d] = day.split('-').map(Number);
    return new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + plus);
  };
  return { from: midnight(from, 0).toISOString(), to: midnight(to, 1).toISOString() };
}

/** One side of the knowledge card: completed jobs and the share fixed the first time. */
export interface FixShare {
  completed: number;
  /** `null` when no job was completed. */
  share: number | null;
}

/**
 * First-time fix of the completed jobs with a knowledge article used against those without;
 * `null` when no job was completed on either side (the card says so instead).
 */
export function knowledgeShares(k: KnowledgeEffect): { with: FixShare; without: FixShare } | null {
  if (k.with_article.completed === 0 && k.without_article.completed === 0) return null;
  const side = (r: KnowledgeEffect['with_article']): FixShare => ({
    completed: r.completed,
    share: share({ numerator: r.first_time, denominator: r.completed }),
  });
  return { with: side(k.with_article), without: side(k.without_article) };
}
