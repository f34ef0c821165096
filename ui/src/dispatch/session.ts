/** Why the sign-in screen is shown: the session ended, the account was disabled, signed out. */
export type SignInNotice = 'expired' | 'disabled' | 'signedOut' | null;

/** The notice for a session head office ended with `code`. */
export function noticeFor(code: string): SignInNotice {
  return code === 'user_disabled' ? 'disabled' : 'expired';
}
