/**
 * Photos as the console's screens show them in a `PhotoStrip`: a job's photos (Review, a
 * shared fix) and a knowledge article's.
 */
import type { PhotoRef } from '../lib/api/headoffice';
import { photoKindLabel, t } from '../lib/i18n';

/** A photo as the strip shows it. */
export interface StripPhoto {
  /** Unique among the photos (a photo id, a SHA-256). */
  key: string;
  /** The thumbnail's URL. */
  thumb: string;
  /** What the picture shows, for screen readers. */
  alt: string;
  /** What the thumbnail's button does, for screen readers ("Open the photo: Fault"). */
  openLabel: string;
  /** A line in bold under the thumbnail. */
  label?: string | null;
  caption?: string | null;
}

/** A job's photo: named by its kind, with its caption; `thumb` is where its thumbnail is. */
export function jobStripPhoto(photo: PhotoRef, thumb: string): StripPhoto {
  const kind = photoKindLabel(photo.kind);
  return {
    key: photo.id,
    thumb,
    alt: photo.caption ?? kind,
    openLabel: t('photos.open', { kind }),
    label: kind,
    caption: photo.caption,
  };
}
