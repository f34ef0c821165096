import { describe, expect, it } from 'vitest';

import { digitsOf, samePhone } from './phone';

describe('phone numbers', () => {
  it('compare by digits however they were written', () => {
    expect(digitsOf('+86 (138) 0013-8000')).toBe('8613800138000');
    expect(samePhone('138 0013 8000', '13800138000')).toBe(true);
    expect(samePhone('+86 138 0013 8000', '13800138000')).toBe(true);
    expect(samePhone('13800138000', '13800138001')).toBe(false);
    // Too short to mean anything, or only a tail in common.
    expect(samePhone('12345', '12345')).toBe(false);
    expect(samePhone('0013 8000', '13800138000')).toBe(false);
  });
});
