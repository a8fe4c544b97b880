import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { quoteUnit, toMajorUnit } from '../../engine/domain/currency.ts';

describe('quote units', () => {
  it.each([
    ['GBp', 'GBP', 100, 'pence'],
    ['GBX', 'GBP', 100, 'pence'],
    ['GBx', 'GBP', 100, 'pence'],
    ['ZAc', 'ZAR', 100, 'cents'],
    ['ZAC', 'ZAR', 100, 'cents'],
    ['ILA', 'ILS', 100, 'agorot'],
    ['KWF', 'KWD', 1_000, 'fils'],
  ])('%s is quoted in a minor unit of %s, %d to one', (code, major, perMajor, minorName) => {
    expect(quoteUnit(code)).toEqual({ quoted: code, major, perMajor, minorName });
  });

  it('tells pence from pounds: the codes are case-sensitive', () => {
    expect(quoteUnit('GBP')).toEqual({ quoted: 'GBP', major: 'GBP', perMajor: 1, minorName: null });
    expect(toMajorUnit(2_150_000_000_000, 'GBp')).toBe(21_500_000_000);
    expect(toMajorUnit(21_500_000_000, 'GBP')).toBe(21_500_000_000);
  });

  it('leaves a major or unknown currency as it is, and knows nothing of a missing one', () => {
    for (const code of ['USD', 'EUR', 'NOK', 'TRY', 'CAD', 'JPY'])
      expect(quoteUnit(code)).toEqual({ quoted: code, major: code, perMajor: 1, minorName: null });
    for (const code of [null, undefined, '', '  '])
      expect(quoteUnit(code)).toEqual({ quoted: null, major: null, perMajor: 1, minorName: null });
    expect(quoteUnit(' ZAc ').major).toBe('ZAR');
    // Names an object has of its own are no currency rules.
    for (const code of ['constructor', 'toString', '__proto__']) expect(quoteUnit(code).perMajor).toBe(1);
  });

  it('a total in minor units, converted, is the same total counted in major units', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('GBp', 'ZAc', 'ILA', 'KWF', 'USD', 'EUR'),
        fc.integer({ min: 0, max: 10 ** 12 }),
        (code, major) => {
          const { perMajor } = quoteUnit(code);
          expect(toMajorUnit(major * perMajor, code)).toBe(major);
        },
      ),
    );
  });
});
