/**
 * The follow-up call form's rules. The form starts empty: whether the customer was reached
 * and the satisfaction they gave are chosen by the dispatcher, never assumed (a form that
 * starts at "reached, 5" records a 5 whenever nobody changes it, and skews the satisfaction
 * KPI).
 */
import type {
  ComplaintCategory,
  ComplaintGrade,
  FollowUp,
  FollowUpInput,
} from '../lib/api/headoffice';

/** What the dispatcher has entered so far. */
export interface FollowUpDraft {
  /** `null` until the dispatcher says. */
  reached: 'yes' | 'no' | null;
  /** `''` until chosen. */
  satisfaction: string;
  comment: string;
  complaint: boolean;
  category: ComplaintCategory;
  grade: ComplaintGrade;
}

export function emptyFollowUp(): FollowUpDraft {
  return {
    reached: null,
    satisfaction: '',
    comment: '',
    complaint: false,
    category: 'product_quality',
    grade: 'general',
  };
}

/** What is still missing, as the key of the sentence that asks for it. */
export type FollowUpMissing =
  'dispatch.followUp.needReached' | 'dispatch.followUp.needSatisfaction';

/** The call to record, or what is missing. */
export function followUpInput(
  d: FollowUpDraft,
): { input: FollowUpInput; missing: null } | { input: null; missing: FollowUpMissing } {
  if (d.reached === null) return { input: null, missing: 'dispatch.followUp.needReached' };
  const reached = d.reached === 'yes';
  const satisfaction = Number(d.satisfaction);
  if (reached && !(Number.isInteger(satisfaction) && satisfaction >= 1 && satisfaction <= 5)) {
    return { input: null, missing: 'dispatch.followUp.needSatisfaction' };
  }
  const comment = d.comment.trim();
  return {
    input: {
      reached,
      satisfaction: reached ? satisfaction : null,
      comment: comment === '' ? null : comment,
      complaint: d.complaint ? { category: d.category, grade: d.grade } : null,
    },
    missing: null,
  };
}

/** The complaints of a job's follow-up calls not yet closed with their outcome. */
export function openComplaints(calls: readonly FollowUp[]): number {
  return calls.filter((f) => f.complaint && !f.complaint.resolution).length;
}
