/**
 * This file defines the Utilities and Blob fakes: base64, digests, HMAC and RSA-SHA256
 * signatures over Apps Script's signed byte arrays, blobs, formatDate with Java's
 * SimpleDateFormat patterns, formatString, getUuid. `sleep` advances the virtual clock through
 * the host, so it is passed in.
 */
import { createHash, createHmac, createSign, randomUUID } from 'node:crypto';
import { format } from 'node:util';
import type { Provides } from './card-objects';
import { scriptException } from './script-errors';

type Bytes = number[];

/** Apps Script's documented maximum for Utilities.sleep. */
export const MAX_SLEEP_MS = 300_000;

/** Converts bytes to Apps Script's byte[]: signed integers from -128 to 127. */
export function toSignedBytes(buffer: Uint8Array): Bytes {
  return Array.from(new Int8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength));
}

function toBuffer(data: unknown, charset: unknown, method: string): Buffer {
  if (typeof data === 'string') return Buffer.from(data, charset === 'US_ASCII' ? 'ascii' : 'utf8');
  if (
    Array.isArray(data) &&
    data.every((byte) => Number.isInteger(byte) && byte >= -128 && byte <= 255)
  ) {
    return Buffer.from(Uint8Array.from(data as number[], (byte) => byte & 0xff));
  }
  if (data instanceof BlobFake) return data.buffer();
  throw scriptException(
    `The parameters (${typeof data}) don't match the method signature for Utilities.${method}.`,
  );
}

/** Apps Script's Blob: bytes with a content type and a name. */
export class BlobFake implements Provides<
  GoogleAppsScript.Base.Blob,
  | 'getBytes'
  | 'getDataAsString'
  | 'getContentType'
  | 'setContentType'
  | 'getName'
  | 'setName'
  | 'copyBlob'
  | 'setBytes'
  | 'setDataFromString'
  | 'isGoogleType'
> {
  constructor(
    private bytes: Buffer,
    private contentType: string | null = null,
    private name: string | null = null,
  ) {}
  buffer(): Buffer {
    return Buffer.from(this.bytes);
  }
  getBytes(): Bytes {
    return toSignedBytes(this.bytes);
  }
  setBytes(data: unknown): this {
    this.bytes = toBuffer(data, null, 'setBytes');
    return this;
  }
  getDataAsString(charset?: unknown): string {
    return this.bytes.toString(charset === 'US_ASCII' ? 'ascii' : 'utf8');
  }
  setDataFromString(text: unknown): this {
    this.bytes = Buffer.from(String(text), 'utf8');
    return this;
  }
  getContentType(): string | null {
    return this.contentType;
  }
  setContentType(contentType: unknown): this {
    this.contentType = String(contentType);
    return this;
  }
  getName(): string | null {
    return this.name;
  }
  setName(name: unknown): this {
    this.name = String(name);
    return this;
  }
  copyBlob(): BlobFake {
    return new BlobFake(Buffer.from(this.bytes), this.contentType, this.name);
  }
  isGoogleType(): boolean {
    return false;
  }
  toString(): string {
    return 'Blob';
  }
}

const DIGESTS = {
  MD5: 'md5',
  SHA_1: 'sha1',
  SHA_256: 'sha256',
  SHA_384: 'sha384',
  SHA_512: 'sha512',
} as const;
const MACS = {
  HMAC_MD5: 'md5',
  HMAC_SHA_1: 'sha1',
  HMAC_SHA_256: 'sha256',
  HMAC_SHA_384: 'sha384',
  HMAC_SHA_512: 'sha512',
} as const;
const RSAS = { RSA_SHA_1: 'RSA-SHA1', RSA_SHA_256: 'RSA-SHA256' } as const;

function keysAsEnum<T extends object>(values: T): { [K in keyof T]: K } {
  return Object.freeze(Object.fromEntries(Object.keys(values).map((key) => [key, key]))) as {
    [K in keyof T]: K;
  };
}

function lookup<T extends object>(table: T, value: unknown, what: string): T[keyof T] {
  if (typeof value !== 'string' || !(value in table))
    throw scriptException(`Invalid argument: ${what}`);
  return table[value as keyof T];
}

/** Creates the Utilities global; `sleep` is given the milliseconds to spend on the virtual clock. */
export function createUtilities(sleep: (milliseconds: number) => void) {
  const utilities = {
    DigestAlgorithm: keysAsEnum({ ...DIGESTS, MD2: '' }),
    MacAlgorithm: keysAsEnum(MACS),
    RsaAlgorithm: keysAsEnum(RSAS),
    Charset: Object.freeze({ US_ASCII: 'US_ASCII', UTF_8: 'UTF_8' }),
    base64Encode: (data: unknown, charset?: unknown) =>
      toBuffer(data, charset, 'base64Encode').toString('base64'),
    base64EncodeWebSafe: (data: unknown, charset?: unknown) =>
      toBuffer(data, charset, 'base64EncodeWebSafe')
        .toString('base64')
        .replace(/\+/g, '-')
        .replace(/\//g, '_'),
    base64Decode: (encoded: unknown) => decodeBase64(encoded, 'base64Decode'),
    base64DecodeWebSafe: (encoded: unknown) => decodeBase64(encoded, 'base64DecodeWebSafe'),
    computeDigest: (algorithm: unknown, value: unknown, charset?: unknown) => {
      if (algorithm === 'MD2')
        throw scriptException('MD2 digests are not available in this emulator.');
      const name = lookup(DIGESTS, algorithm, 'algorithm');
      return toSignedBytes(
        createHash(name)
          .update(toBuffer(value, charset, 'computeDigest'))
          .digest(),
      );
    },
    computeHmacSignature: (algorithm: unknown, value: unknown, key: unknown, charset?: unknown) =>
      toSignedBytes(
        createHmac(
          lookup(MACS, algorithm, 'algorithm'),
          toBuffer(key, charset, 'computeHmacSignature'),
        )
          .update(toBuffer(value, charset, 'computeHmacSignature'))
          .digest(),
      ),
    computeHmacSha256Signature: (value: unknown, key: unknown, charset?: unknown) =>
      utilities.computeHmacSignature('HMAC_SHA_256', value, key, charset),
    computeRsaSignature: (algorithm: unknown, value: unknown, key: unknown, charset?: unknown) => {
      if (typeof key !== 'string') throw scriptException('Invalid argument: key');
      try {
        return toSignedBytes(
          createSign(lookup(RSAS, algorithm, 'algorithm'))
            .update(toBuffer(value, charset, 'computeRsaSignature'))
            .sign(key),
        );
      } catch (error) {
        if (error instanceof Error && error.name === 'Exception') throw error;
        throw scriptException('Invalid argument: key');
      }
    },
    computeRsaSha256Signature: (value: unknown, key: unknown, charset?: unknown) =>
      utilities.computeRsaSignature('RSA_SHA_256', value, key, charset),
    newBlob: (data: unknown, contentType?: unknown, name?: unknown) =>
      new BlobFake(
        toBuffer(data, null, 'newBlob'),
        contentType === undefined ? null : String(contentType),
        name === undefined ? null : String(name),
      ),
    formatDate: (date: unknown, timeZone: unknown, pattern: unknown) => {
      if (!(date instanceof Object) || typeof (date as Date).getTime !== 'function') {
        throw scriptException('Invalid argument: date');
      }
      return formatDate(new Date((date as Date).getTime()), String(timeZone), String(pattern));
    },
    formatString: (template: unknown, ...args: unknown[]) => format(String(template), ...args),
    getUuid: () => randomUUID(),
    sleep: (milliseconds: unknown) => {
      if (typeof milliseconds !== 'number' || milliseconds < 0)
        throw scriptException('Invalid argument: milliseconds');
      if (milliseconds > MAX_SLEEP_MS) throw scriptException('Argument too large: milliseconds');
      sleep(milliseconds);
    },
    jsonParse: (text: unknown) => JSON.parse(String(text)) as unknown,
    jsonStringify: (value: unknown) => JSON.stringify(value),
  };
  return Object.freeze(utilities);
}

function decodeBase64(encoded: unknown, method: string): Bytes {
  if (typeof encoded !== 'string' || !/^[A-Za-z0-9+/_=\-\s]*$/.test(encoded)) {
    throw scriptException(`Could not decode string. (Utilities.${method})`);
  }
  return toSignedBytes(Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
}

/** Formats a date with a Java SimpleDateFormat pattern in a time zone, as Utilities.formatDate does. */
export function formatDate(date: Date, timeZone: string, pattern: string): string {
  let parts: Record<string, string>;
  try {
    parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        weekday: 'long',
        hourCycle: 'h23',
        timeZoneName: 'longOffset',
      })
        .formatToParts(date)
        .map((part) => [part.type, part.value]),
    );
  } catch {
    throw scriptException(`Invalid argument: timeZone`);
  }
  const offset = /GMT([+-]\d\d):?(\d\d)?/.exec(parts.timeZoneName ?? '');
  const offsetText = offset ? `${offset[1]}${offset[2] ?? '00'}` : '+0000';
  const month = Number(parts.month);
  const hour = Number(parts.hour);
  const monthName = new Intl.DateTimeFormat('en-US', { timeZone, month: 'long' }).format(date);
  const fields: Record<string, (width: number) => string> = {
    y: (w) => (w === 2 ? String(parts.year).slice(-2) : String(parts.year).padStart(w, '0')),
    M: (w) =>
      w >= 4 ? monthName : w === 3 ? monthName.slice(0, 3) : String(month).padStart(w, '0'),
    d: (w) => String(parts.day).padStart(w, '0'),
    H: (w) => String(hour).padStart(w, '0'),
    h: (w) => String(hour % 12 === 0 ? 12 : hour % 12).padStart(w, '0'),
    m: (w) => String(parts.minute).padStart(w, '0'),
    s: (w) => String(parts.second).padStart(w, '0'),
    S: (w) => String(date.getUTCMilliseconds()).padStart(3, '0').slice(0, Math.max(w, 3)),
    E: (w) => (w >= 4 ? String(parts.weekday) : String(parts.weekday).slice(0, 3)),
    a: () => (hour < 12 ? 'AM' : 'PM'),
    Z: () => offsetText,
    X: (w) =>
      offsetText === '+0000'
        ? 'Z'
        : w >= 3
          ? `${offsetText.slice(0, 3)}:${offsetText.slice(3)}`
          : offsetText,
    z: () =>
      offsetText === '+0000' ? 'UTC' : `GMT${offsetText.slice(0, 3)}:${offsetText.slice(3)}`,
  };
  return pattern.replace(
    /'([^']*)'|([A-Za-z])\2*/g,
    (token: string, quoted: string | undefined, letter: string | undefined) => {
      if (quoted !== undefined) return quoted === '' ? "'" : quoted;
      const field = letter ? fields[letter] : undefined;
      if (!field) throw scriptException(`Illegal pattern character '${letter ?? ''}'`);
      return field(token.length);
    },
  );
}
