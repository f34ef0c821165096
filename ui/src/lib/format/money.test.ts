import { describe, expect, it } from 'vitest';

import { formatMoney, formatQuantity, parseMoney, parseQuantity } from './money';

describe('money from cents', () => {
  it('shows two decimals', () => {
    expect(formatMoney(1250, 'en')).toBe('12.50');
    expect(formatMoney(150, 'en')).toBe('1.50');
    expect(formatMoney(5, 'en')).toBe('0.05');
    expect(formatMoney(0, 'en')).toBe('0.00');
    expect(formatMoney(-0, 'en')).toBe('0.00');
  });

  it('groups thousands the way the language does', () => {
    expect(formatMoney(123456789, 'en')).toBe('1,234,567.89');
    expect(formatMoney(123456789, 'zh-CN')).toBe('1,234,567.89');
  });

  it('never shows floating-point noise', () => {
    expect(formatMoney(1999, 'en')).toBe('19.99');
    expect(formatMoney(10, 'en')).toBe('0.10');
  });
});

describe('money typed by a person', () => {
  it('reads whole amounts, one or two decimals, and a decimal comma', () => {
    expect(parseMoney('12')).toBe(1200);
    expect(parseMoney('12.5')).toBe(1250);
    expect(parseMoney('12.50')).toBe(1250);
    expect(parseMoney('12,50')).toBe(1250);
    expect(parseMoney(' 0.07 ')).toBe(7);
    expect(parseMoney('1 234.50')).toBe(123450);
    expect(parseMoney('19.99')).toBe(1999);
  });

  it('refuses what is not an amount', () => {
    expect(parseMoney('')).toBeNull();
    expect(parseMoney('abc')).toBeNull();
    expect(parseMoney('-3')).toBeNull();
    expect(parseMoney('1.234')).toBeNull();
    expect(parseMoney('12.5.0')).toBeNull();
  });
});

describe('quantities', () => {
  it('reads positive numbers, fractional ones too', () => {
    expect(parseQuantity('2')).toBe(2);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(parseQuantity('1,5')).toBe(1.5);
    expect(parseQuantity('0')).toBeNull();
    expect(parseQuantity('-1')).toBeNull();
    expect(parseQuantity('two')).toBeNull();
  });

  it('shows them without trailing zeros', () => {
    expect(formatQuantity(1, 'en')).toBe('1');
    expect(formatQuantity(1.5, 'en')).toBe('1.5');
  });
});
