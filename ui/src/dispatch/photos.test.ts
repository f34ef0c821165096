import { describe, expect, it } from 'vitest';

import type { PhotoRef } from '../lib/api/headoffice';
import { articlePhotoSrc, articleStripPhoto, jobStripPhoto, withPhoto } from './photos';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

const fixPhoto: PhotoRef = {
  id: 'p1',
  job_id: 'j1',
  kind: 'fault',
  caption: 'Filter full of limescale',
  sha256: B.toUpperCase(),
  thumb_sha256: 'c'.repeat(64),
  width: 640,
  height: 480,
  bytes: 1000,
  taken_at: null,
  created_at: '2026-12-07T10:00:00Z',
};

const api = {
  kbPhotoUrl: (sha: string, thumb: boolean) => `/kb/${sha}${thumb ? '?thumb' : ''}`,
  photoUrl: (job: string, id: string, thumb: boolean) =>
    `/jobs/${job}/${id}${thumb ? '?thumb' : ''}`,
};

describe('where an article’s pictures are', () => {
  it('is head office’s knowledge photos', () => {
    const src = articlePhotoSrc(api);
    expect(src(A, true)).toBe(`/kb/${A}?thumb`);
    expect(src(A, false)).toBe(`/kb/${A}`);
  });

  it('is the job for a shared fix’s photo not yet taken in', () => {
    const src = articlePhotoSrc(api, [fixPhoto]);
    expect(src(B, true)).toBe('/jobs/j1/p1?thumb');
    expect(src(A, false)).toBe(`/kb/${A}`);
  });
});

describe('photos in a strip', () => {
  it('name an article’s picture by its place', () => {
    expect(articleStripPhoto(A, 2, '/t')).toEqual({
      key: A,
      thumb: '/t',
      alt: 'Photo 2 of the article',
      openLabel: 'Open photo 2 full size',
    });
  });

  it('name a job’s photo by its kind, with its caption', () => {
    expect(jobStripPhoto(fixPhoto, '/t')).toMatchObject({
      key: 'p1',
      alt: 'Filter full of limescale',
      label: 'Fault',
      caption: 'Filter full of limescale',
      openLabel: 'Open the photo: Fault',
    });
  });
});

describe('adding a picture to an article', () => {
  it('puts it last, in lower case, once', () => {
    expect(withPhoto([A], B.toUpperCase())).toEqual([A, B]);
    expect(withPhoto([A, B], B)).toEqual([A, B]);
  });
});
