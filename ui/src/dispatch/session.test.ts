import { describe, expect, it } from 'vitest';
import { noticeFor } from './session';

describe('why the console is back at sign-in', () => {
  it('says the account was disabled only for user_disabled', () => {
    expect(noticeFor('user_disabled')).toBe('disabled');
    expect(noticeFor('session_expired')).toBe('expired');
    expect(noticeFor('unauthorized')).toBe('expired');
  });
});
