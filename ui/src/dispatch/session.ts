/** Why the sign-in screen is shown: the session ended, the account was disabled, signed out. */
export type SignInNotice = 'expired' | 'disabled' | 'signedOut' | null;

/** The notice for a session head office ended with `code`. */
export function noticeFor(code: string): SignInNotice {
  return code === 'user_disabled' ? 'disabled' : 'expired';
}

/**
 * Where a sign-in lands: at the place in the address bar when the same user signs in again
 * (their session ended while they worked), at the home page when someone else does, or after
 * a sign-out (one user's last page is not the next user's start).
 */
export function landsHome(
  previousUserId: string | null,
  signedOut: boolean,
  userId: string,
): boolean {
  return signedOut || (previousUserId !== null && previousUserId !== userId);
}
