import { describe, expect, it } from 'vitest';
import { landsHome, noticeFor } from './session';

describe('why the console is back at sign-in', () => {
  it('says the account was disabled only for user_disabled', () => {
    expect(noticeFor('user_disabled')).toBe('disabled');
    expect(noticeFor('session_expired')).toBe('expired');
    expect(noticeFor('unauthorized')).toBe('expired');
  });
});

describe('where a sign-in lands', () => {
  it('lands on the home page after a sign-out, whoever signs in', () => {
    expect(landsHome('u-alice', true, 'u-bob')).toBe(true);
    expect(landsHome('u-alice', true, 'u-alice')).toBe(true);
    expect(landsHome(null, true, 'u-bob')).toBe(true);
  });
  it('keeps the page for the same user whose session ended, not for another user', () => {
    expect(landsHome('u-alice', false, 'u-alice')).toBe(false);
    expect(landsHome('u-alice', false, 'u-bob')).toBe(true);
    // A fresh page load: the link someone opened.
    expect(landsHome(null, false, 'u-bob')).toBe(false);
  });
});
