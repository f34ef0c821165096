/**
 * The laptop camera, the parts that need no camera: what a failed start means to the person,
 * and the name a captured picture gets (it is imported like a picked file, so it needs one).
 */

/** Why the camera could not start, as the person needs to know it. */
export type CameraProblem = 'none' | 'denied' | 'busy' | 'other';

/**
 * Classifies a `getUserMedia` failure by its DOMException name. WebKitGTK answers "no camera at
 * all" with OverconstrainedError (even for constraints that are only ideals), so that one means
 * "none" too.
 */
export function cameraProblem(error: unknown): CameraProblem {
  const name = error instanceof Error || error instanceof DOMException ? error.name : '';
  switch (name) {
    case 'NotFoundError':
    case 'OverconstrainedError':
    case 'DevicesNotFoundError':
      return 'none';
    case 'NotAllowedError':
    case 'SecurityError':
    case 'PermissionDeniedError':
      return 'denied';
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return 'busy';
    default:
      return 'other';
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `camera-2026-03-14-093005.jpg`, in local time: sortable, and says where it came from. */
export function capturedName(at: Date): string {
  const day = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  const time = `${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
  return `camera-${day}-${time}.jpg`;
}

/** Whether this web view can use a camera at all (the button is hidden otherwise). */
export function cameraSupported(nav: Navigator | undefined = globalThis.navigator): boolean {
  return typeof nav?.mediaDevices?.getUserMedia === 'function';
}
