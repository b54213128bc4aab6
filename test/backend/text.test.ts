/**
 * This file tests the backend's linear text rules (src/backend/platform/text.ts) with fast-check:
 * the one-pass e-mail, domain and JWT checks accept exactly what the former regular expressions did,
 * cutting text never splits a character, and the canonical form is what UTF-8 storage keeps and gives back.
 */
import fc from 'fast-check';
import {
  REPLACEMENT,
  canonicalText,
  isDomainName,
  isEmailAddress,
  textProblem,
  truncateText,
} from '../../src/backend/platform/text';
import { looksLikeJwt } from '../../src/backend/audit/sensitive-content';

const FORMER_EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const FORMER_JWT = /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\./;
const FORMER_DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** Strings from an alphabet that makes the interesting cases likely. */
const emailish = fc.string({
  unit: fc.constantFrom('a', 'B', '7', '@', '.', '-', ' ', '\t', '\u00a0', '\u2028', 'é', '😀'),
  maxLength: 24,
});
const domainish = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', '9', '-', '.', '_', 'é'),
  maxLength: 40,
});
/** Text with lone surrogates and NULs mixed into arbitrary Unicode. */
const hostileText = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 6 }),
      fc.constantFrom('\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\u0000', '😀', '\uD83D', '\uFEFF'),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

describe('linear text rules', () => {
  it('accepts exactly the e-mail addresses the former pattern accepted', () => {
    fc.assert(
      fc.property(emailish, (value) => {
        expect(isEmailAddress(value)).toBe(FORMER_EMAIL.test(value));
      }),
      { numRuns: 5000 },
    );
    for (const value of ['a@b.c', 'a.b@c.d.e', '@b.c', 'a@.c', 'a@b.', 'a@@b.c', 'a b@c.d', 'a@b'])
      expect(isEmailAddress(value)).toBe(FORMER_EMAIL.test(value));
  });

  it('accepts exactly the domain names the former pattern accepted', () => {
    fc.assert(
      fc.property(domainish, (value) => {
        expect(isDomainName(value)).toBe(FORMER_DOMAIN.test(value));
      }),
      { numRuns: 5000 },
    );
    const label = 'a'.repeat(63);
    for (const value of [
      'acme.example',
      'a-b.example',
      '-a.example',
      'a-.example',
      'a..example',
      'example',
      'a.b1',
      `${label}.example`,
      `${label}a.example`,
      `${[label, label, label].join('.')}.abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghi`,
    ])
      expect(isDomainName(value)).toBe(FORMER_DOMAIN.test(value));
  });

  it('refuses and accepts 160 KB values as the former pattern did', () => {
    const huge = `${'a'.repeat(80_000)}@${'b.'.repeat(40_000)} `;
    expect(isEmailAddress(huge)).toBe(false);
    expect(isEmailAddress(huge.trim())).toBe(true);
    expect(isDomainName('a.'.repeat(80_000))).toBe(false);
  });

  it('finds signed JWTs in audit values exactly where the former pattern did, in one pass', () => {
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('e', 'y', 'J', 'a', 'Z', '9', '.', '-', '_', ' ', '%'),
          maxLength: 40,
        }),
        (value) => {
          expect(looksLikeJwt(value)).toBe(FORMER_JWT.test(value));
        },
      ),
      { numRuns: 20000 },
    );
    expect(looksLikeJwt('x eyJhbGciOi.eyJzdWIiOiIx.sig')).toBe(true);
    expect(looksLikeJwt('eyJ'.repeat(333_333))).toBe(false);
  });

  it('cuts text without splitting a character, keeping as much as fits', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.nat(40), (value, max) => {
        const cut = truncateText(value, max);
        expect(value.startsWith(cut)).toBe(true);
        expect(cut.length).toBeLessThanOrEqual(max);
        expect(textProblem(cut)).toBeNull();
        expect(cut.length).toBeGreaterThanOrEqual(Math.min(value.length, max) - 1);
      }),
      { numRuns: 2000 },
    );
    expect(truncateText(`${'a'.repeat(199)}😀`, 200)).toBe('a'.repeat(199));
  });

  it('makes any text storable: canonical text is what UTF-8 keeps, with NUL and a leading U+FEFF replaced', () => {
    fc.assert(
      fc.property(hostileText, (value) => {
        const canonical = canonicalText(value);
        expect(textProblem(canonical)).toBeNull();
        expect(canonicalText(canonical)).toBe(canonical);
        expect(Buffer.from(canonical, 'utf8').toString('utf8')).toBe(canonical);
        const utf8 = Buffer.from(value, 'utf8').toString('utf8').split('\u0000').join(REPLACEMENT);
        expect(canonical).toBe(utf8.startsWith('\uFEFF') ? `${REPLACEMENT}${utf8.slice(1)}` : utf8);
        if (textProblem(value) === null) expect(canonical).toBe(value);
      }),
      { numRuns: 3000 },
    );
  });
});
