/**
 * This file defines the backend's text rules, each linear in the length of its input: what text
 * the databases store and give back verbatim (no NUL, no lone UTF-16 surrogate, no leading
 * U+FEFF), cutting text without splitting
 * a character, the canonical form the audit log stores and hashes, and e-mail and domain checks
 * written as single scans instead of regular expressions that could backtrack.
 */

/** The replacement character that stands for what PostgreSQL text cannot hold. */
export const REPLACEMENT = '\uFFFD';

/**
 * U+FEFF (byte-order mark / zero-width no-break space). PostgreSQL stores it, but PGlite decodes
 * every text value with a TextDecoder that drops a leading U+FEFF (its default `ignoreBOM: false`),
 * so a value that starts with one does not read back as written: it is refused or replaced too.
 */
const BOM = 0xfeff;

/** Quick screen: only strings holding NUL or a surrogate need the character-by-character scan. */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const NEEDS_SCAN = /[\u0000\uD800-\uDFFF]/;

/**
 * What is wrong with a string that the databases cannot store and give back verbatim, or null:
 * a NUL, a lone UTF-16 surrogate, or a leading U+FEFF.
 */
export function textProblem(value: string): string | null {
  if (value.charCodeAt(0) === BOM) return 'must not begin with U+FEFF (a byte-order mark)';
  if (!NEEDS_SCAN.test(value)) return null;
  for (let index = 0; index < value.length; index += 1) {
    const unit = value.charCodeAt(index);
    if (unit === 0) return 'must not contain the NUL character';
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index += 1;
      else return 'must not contain a lone UTF-16 surrogate';
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return 'must not contain a lone UTF-16 surrogate';
  }
  return null;
}

/**
 * The canonical form of a string in the audit log: each NUL, each lone surrogate and a leading
 * U+FEFF become U+FFFD, everything else is kept. It is what every supported database stores and
 * gives back, so hashing it hashes exactly what the row holds. Inputs from requests never reach
 * it with such characters (they are refused with 400); this covers text the server makes itself.
 */
export function canonicalText(value: string): string {
  if (textProblem(value) === null) return value;
  let out = value.charCodeAt(0) === BOM ? REPLACEMENT : '';
  for (let index = out === '' ? 0 : 1; index < value.length; index += 1) {
    const unit = value.charCodeAt(index);
    if (unit === 0) out += REPLACEMENT;
    else if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += value.slice(index, index + 2);
        index += 1;
      } else out += REPLACEMENT;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) out += REPLACEMENT;
    else out += value.charAt(index);
  }
  return out;
}

/**
 * Cuts a string to at most `maxUnits` UTF-16 code units without splitting a surrogate pair: a
 * character that does not fit whole is left out.
 */
export function truncateText(value: string, maxUnits: number): string {
  if (value.length <= maxUnits) return value;
  let end = Math.max(0, maxUnits);
  const last = value.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return value.slice(0, end);
}

const isAsciiLetterOrDigit = (code: number): boolean =>
  (code >= 0x30 && code <= 0x39) ||
  (code >= 0x41 && code <= 0x5a) ||
  (code >= 0x61 && code <= 0x7a);

/**
 * True for a domain name: 1–253 characters, labels of 1–63 letters, digits and inner hyphens,
 * at least two labels, the last of 2–63 letters. One pass over the characters.
 */
export function isDomainName(value: string): boolean {
  if (value.length < 1 || value.length > 253) return false;
  let labels = 0;
  let labelStart = 0;
  for (let index = 0; index <= value.length; index += 1) {
    if (index < value.length && value.charCodeAt(index) !== 0x2e) continue;
    const length = index - labelStart;
    if (length < 1 || length > 63) return false;
    const first = value.charCodeAt(labelStart);
    const last = value.charCodeAt(index - 1);
    if (!isAsciiLetterOrDigit(first) || !isAsciiLetterOrDigit(last)) return false;
    for (let inner = labelStart + 1; inner < index - 1; inner += 1) {
      const code = value.charCodeAt(inner);
      if (!isAsciiLetterOrDigit(code) && code !== 0x2d) return false;
    }
    labels += 1;
    labelStart = index + 1;
  }
  if (labels < 2) return false;
  const tld = value.slice(value.lastIndexOf('.') + 1);
  if (tld.length < 2) return false;
  for (let index = 0; index < tld.length; index += 1) {
    const code = tld.charCodeAt(index) | 0x20;
    if (code < 0x61 || code > 0x7a) return false;
  }
  return true;
}

const isSpaceOrAt = (code: number): boolean =>
  code === 0x40 ||
  code === 0x20 ||
  (code >= 0x09 && code <= 0x0d) ||
  code === 0xa0 ||
  code === 0x1680 ||
  (code >= 0x2000 && code <= 0x200a) ||
  code === 0x2028 ||
  code === 0x2029 ||
  code === 0x202f ||
  code === 0x205f ||
  code === 0x3000 ||
  code === 0xfeff;

/**
 * True for an e-mail address in the form the backend accepts: exactly one `@`, no white space, a
 * non-empty local part and a domain part holding a dot with text on both sides. The same
 * language as `^[^@\s]+@[^@\s]+\.[^@\s]+$`, decided in one pass.
 */
export function isEmailAddress(value: string): boolean {
  let at = -1;
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (!isSpaceOrAt(code)) continue;
    if (code !== 0x40 || at !== -1) return false;
    at = index;
  }
  if (at < 1) return false;
  const dot = value.indexOf('.', at + 2);
  return dot !== -1 && dot < value.length - 1;
}
