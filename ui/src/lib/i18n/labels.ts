/** Names of domain values in the current language. */
import type { KnownErrorCode } from '../api/errors';
import type { EquipmentCategory } from '../types/EquipmentCategory';
import type { JobStatus } from '../types/JobStatus';
import type { Move } from '../types/Move';
import type { PhotoKind } from '../types/PhotoKind';
import type { Priority } from '../types/Priority';
import type { TimeEntryKind } from '../types/TimeEntryKind';
import type { WarrantyBadge } from '../types/WarrantyBadge';
import type { WarrantyStatus } from '../types/WarrantyStatus';
import type { MessageKey } from './en';
import { currentLocale, t } from './locale.svelte';

export const statusLabel = (s: JobStatus): string => t(`status.${s}`);
export const priorityLabel = (p: Priority): string => t(`priority.${p}`);
export const categoryLabel = (c: EquipmentCategory): string => t(`category.${c}`);
export const warrantyStatusLabel = (w: WarrantyStatus): string => t(`warranty.${w}`);
export const warrantyBadgeLabel = (b: WarrantyBadge): string => t(`warranty.badge.${b}`);
export const photoKindLabel = (k: PhotoKind): string => t(`photo.${k}`);
export const timeKindLabel = (k: TimeEntryKind): string => t(`time.kind.${k}`);
export const errorSentence = (code: KnownErrorCode): string => t(`error.${code}`);

export const JOB_TYPE_CODES = [
  'installation',
  'repair',
  'maintenance',
  'inspection',
  'return_visit',
] as const;
type JobTypeCode = (typeof JOB_TYPE_CODES)[number];

/** A job type's name by code; a code the catalogue does not know is shown as it is. */
export function jobTypeLabel(code: string): string {
  return (JOB_TYPE_CODES as readonly string[]).includes(code)
    ? t(`jobType.${code as JobTypeCode}`)
    : code;
}

const MOVE_ACTIONS = [
  'start_travel',
  'arrive',
  'start_work',
  'pause',
  'resume',
  'complete',
  'schedule',
  'cancel',
  'close',
  'reopen',
] as const;
type MoveAction = (typeof MOVE_ACTIONS)[number];

/** The button text for a move; an action the UI does not know yet is named by its target. */
export function moveLabel(move: Move): string {
  return (MOVE_ACTIONS as readonly string[]).includes(move.action)
    ? t(`move.${move.action as MoveAction}` satisfies MessageKey)
    : t('move.other', { status: statusLabel(move.to) });
}

/** The equipment categories, in the order the apps list them (the domain's `EquipmentCategory`). */
export const EQUIPMENT_CATEGORIES: readonly EquipmentCategory[] = [
  'air_conditioner',
  'water_heater',
  'washing_machine',
  'refrigerator',
  'dishwasher',
  'oven',
  'range_hood',
  'kitchen',
  'furniture',
  'smart_home',
];

/** A technician skill: named like an equipment category when it is one, else as stored. */
export function skillLabel(skill: string): string {
  return (EQUIPMENT_CATEGORIES as readonly string[]).includes(skill)
    ? categoryLabel(skill as EquipmentCategory)
    : skill;
}

/** Picks the Chinese or the English text of a bilingual record. */
export function localised(english: string, chinese: string | null | undefined): string {
  return currentLocale() === 'zh' && chinese ? chinese : english;
}
