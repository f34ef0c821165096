import { describe, expect, it } from 'vitest';
import { cameraProblem, cameraSupported, capturedName } from './camera';

const failure = (name: string) => new DOMException('message', name);

describe('camera', () => {
  it('tells no camera, permission denied and camera busy apart', () => {
    expect(cameraProblem(failure('NotFoundError'))).toBe('none');
    // WebKitGTK's answer when there is no camera at all.
    expect(cameraProblem(failure('OverconstrainedError'))).toBe('none');
    expect(cameraProblem(failure('NotAllowedError'))).toBe('denied');
    expect(cameraProblem(failure('SecurityError'))).toBe('denied');
    expect(cameraProblem(failure('NotReadableError'))).toBe('busy');
    expect(cameraProblem(failure('AbortError'))).toBe('busy');
  });

  it('calls anything else another problem, without throwing', () => {
    expect(cameraProblem(new TypeError('bad'))).toBe('other');
    expect(cameraProblem('a string')).toBe('other');
    expect(cameraProblem(undefined)).toBe('other');
  });

  it('names a captured picture by its local date and time', () => {
    expect(capturedName(new Date(2026, 2, 4, 9, 3, 5))).toBe('camera-2026-03-04-090305.jpg');
  });

  it('offers the camera only where getUserMedia exists', () => {
    expect(cameraSupported(undefined)).toBe(false);
    expect(cameraSupported({} as Navigator)).toBe(false);
    expect(cameraSupported({ mediaDevices: {} } as Navigator)).toBe(false);
    const getUserMedia = () => Promise.reject(new Error('no'));
    expect(cameraSupported({ mediaDevices: { getUserMedia } } as unknown as Navigator)).toBe(true);
  });
});
