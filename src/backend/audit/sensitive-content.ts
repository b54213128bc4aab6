/**
 * This file defines what the audit log refuses to store: contact field values and anything that
 * looks like a secret (a token, a key, a password) in a client's event.
 */
import { badRequest } from '../platform/errors';
import type { AuditEventInput } from './audit-log';

const CONTACT_FIELD_KEYS = new Set(
  [
    'name names displayname givenname familyname middlename nickname nicknames phone phones',
    'phonenumber phonenumbers mobile emailaddress emailaddresses address addresses streetaddress',
    'postaladdress birthday birthdays biography biographies note notes organization organizations',
    'company jobtitle url urls website userdefined photo photos relation relations imclient',
    'imclients sipaddress sipaddresses occupation occupations externalid externalids fileas',
    'calendarurl calendarurls interest interests skill skills location locations residence',
  ]
    .join(' ')
    .split(' '),
);
const SECRET_KEYS = new Set(
  'token accesstoken idtoken refreshtoken otp totp hotp otpcode backupcode backupcodes recoverycode assertion authorization cookie bearer apikey'.split(
    ' ',
  ),
);
const SECRET_KEY_PARTS = ['secret', 'password', 'passwd', 'privatekey'];
/**
 * Value shapes of credentials. Each is linear in the value's length: it starts at a literal and
 * its repetition stops at a character the literal's next part does not contain. A JWT is found by
 * looksLikeJwt instead: as a pattern (`eyJ[A-Za-z0-9_-]{5,}\.eyJ…`) it rescans the rest of a run
 * from every `eyJ` in it, quadratic (2.2 s for a 1 MB batch of `eyJeyJ…`).
 */
const SECRET_VALUES = [
  /\bya29\.[A-Za-z0-9_-]{10,}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bBearer\s+[A-Za-z0-9._~+/-]{10,}/i,
  /\b1\/\/[0-9A-Za-z_-]{20,}/,
  /AIza[0-9A-Za-z_-]{35}/,
  /GOCSPX-[0-9A-Za-z_-]{20,}/,
  /otpauth:\/\//i,
];

const isBase64Url = (code: number): boolean =>
  (code >= 0x30 && code <= 0x39) ||
  (code >= 0x41 && code <= 0x5a) ||
  (code >= 0x61 && code <= 0x7a) ||
  code === 0x2d ||
  code === 0x5f;

/**
 * True when the value holds what `eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.` matches: a signed
 * JWT's header and payload. In one pass over the runs of base64url characters: a run holding
 * `eyJ` with five characters after it, then a dot, then a run starting with `eyJ` of at least
 * eight characters, then a dot.
 */
export function looksLikeJwt(value: string): boolean {
  let runStart = 0;
  let headerBefore = false;
  for (let index = 0; index <= value.length; index += 1) {
    if (index < value.length && isBase64Url(value.charCodeAt(index))) continue;
    const run = value.slice(runStart, index);
    const dot = value.charCodeAt(index) === 0x2e;
    if (headerBefore && dot && run.length >= 8 && run.startsWith('eyJ')) return true;
    const first = run.indexOf('eyJ');
    headerBefore = dot && first !== -1 && run.length - first >= 8;
    runStart = index + 1;
  }
  return false;
}

const looksSecret = (value: string): boolean =>
  looksLikeJwt(value) || SECRET_VALUES.some((pattern) => pattern.test(value));

/**
 * Rejects an event that carries contact field values (a detail key naming a contact field) or
 * secrets (a detail key naming a credential, or a value shaped like a token or key).
 */
export function rejectSensitive(event: AuditEventInput, index: number): void {
  for (const [key, value] of Object.entries(event.detail ?? {})) {
    const normalised = key.toLowerCase().replace(/[^a-z0-9]/g, '');
    if (CONTACT_FIELD_KEYS.has(normalised))
      throw badRequest(
        `events[${index}].detail.${key}: contact field values are not accepted in audit events`,
        'contact_data_rejected',
      );
    if (SECRET_KEYS.has(normalised) || SECRET_KEY_PARTS.some((part) => normalised.includes(part)))
      throw badRequest(
        `events[${index}].detail.${key}: secrets are not accepted in audit events`,
        'secret_rejected',
      );
    if (typeof value === 'string' && looksSecret(value))
      throw badRequest(
        `events[${index}].detail.${key}: the value looks like a token or key; secrets are not accepted`,
        'secret_rejected',
      );
  }
  for (const [field, value] of [
    ['target', event.target],
    ['shareId', event.shareId],
    ['id', event.id],
  ] as const)
    if (value && looksSecret(value))
      throw badRequest(
        `events[${index}].${field}: the value looks like a token or key`,
        'secret_rejected',
      );
}
