/**
 * Photos as the console's screens show them in a `PhotoStrip`: a job's photos (Review, a
 * shared fix) and a knowledge article's.
 */
import type { DispatchApi, PhotoRef } from '../lib/api/headoffice';
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

/** A knowledge article's picture, by its SHA-256 and place (1, 2, …) in the article. */
export function articleStripPhoto(sha256: string, n: number, thumb: string): StripPhoto {
  return {
    key: sha256,
    thumb,
    alt: t('dispatch.kb.photos.alt', { n }),
    openLabel: t('dispatch.kb.photos.open', { n }),
  };
}

/** Where an article's picture (or its thumbnail) is, by its SHA-256. */
export type PhotoSrc = (sha256: string, thumb: boolean) => string;

/**
 * Where an article's pictures are: head office's knowledge photos, except the photos of a
 * shared fix being taken in (`fixPhotos`), which are still its job's until the article is saved.
 */
export function articlePhotoSrc(
  api: Pick<DispatchApi, 'kbPhotoUrl' | 'photoUrl'>,
  fixPhotos: readonly PhotoRef[] = [],
): PhotoSrc {
  const ofFix = new Map(fixPhotos.map((p) => [p.sha256.toLowerCase(), p]));
  return (sha256, thumb) => {
    const p = ofFix.get(sha256.toLowerCase());
    return p ? api.photoUrl(p.job_id, p.id, thumb) : api.kbPhotoUrl(sha256, thumb);
  };
}

/** `photos` with `sha256` added at the end (lower case); unchanged when it is there already. */
export function withPhoto(photos: readonly string[], sha256: string): string[] {
  const sha = sha256.toLowerCase();
  return photos.includes(sha) ? [...photos] : [...photos, sha];
}
