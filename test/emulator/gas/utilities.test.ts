/**
 * Tests of the Utilities fake against known vectors: base64 over Apps Script's signed bytes,
 * digests, HMAC (RFC 4231 test case 2), RSA-SHA256 signatures checked with node:crypto, blobs,
 * formatDate patterns and the 5-minute cap of sleep.
 */
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { createUtilities } from '../../../src/emulator/gas/utilities';

const slept: number[] = [];
const U = createUtilities((ms) => slept.push(ms));
const unsigned = (bytes: number[]) => Buffer.from(bytes.map((b) => b & 0xff));

describe('Utilities', () => {
  it('encodes and decodes base64 with signed bytes', () => {
    expect(U.base64Encode('héllo')).toBe('aMOpbGxv');
    expect(U.base64Decode('aMOpbGxv')).toEqual([104, -61, -87, 108, 108, 111]);
    expect(U.base64EncodeWebSafe([-5, -1])).toBe('-_8=');
    expect(U.base64DecodeWebSafe('-_8=')).toEqual([-5, -1]);
    expect(() => U.base64Decode('not base64!')).toThrow('Could not decode string.');
  });

  it('computes digests and HMACs', () => {
    expect(unsigned(U.computeDigest(U.DigestAlgorithm.SHA_256, 'abc')).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(
      unsigned(U.computeHmacSha256Signature('what do ya want for nothing?', 'Jefe')).toString(
        'hex',
      ),
    ).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('signs with RSA-SHA256 so that the public key verifies it', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const signature = unsigned(U.computeRsaSha256Signature('payload', pem));
    expect(createVerify('RSA-SHA256').update('payload').verify(publicKey, signature)).toBe(true);
    expect(() => U.computeRsaSha256Signature('payload', 'not a key')).toThrow(
      'Invalid argument: key',
    );
  });

  it('makes blobs', () => {
    const blob = U.newBlob('data', 'text/plain', 'a.txt');
    expect([
      blob.getDataAsString(),
      blob.getContentType(),
      blob.getName(),
      blob.getBytes(),
    ]).toEqual(['data', 'text/plain', 'a.txt', [100, 97, 116, 97]]);
  });

  it('formats dates with SimpleDateFormat patterns in a time zone', () => {
    const date = new Date(Date.UTC(2025, 6, 4, 21, 5, 9, 7));
    expect(U.formatDate(date, 'Europe/Paris', "yyyy-MM-dd'T'HH:mm:ss.SSSZ")).toBe(
      '2025-07-04T23:05:09.007+0200',
    );
    expect(U.formatDate(date, 'America/New_York', 'EEE, d MMM yyyy h:mm a')).toBe(
      'Fri, 4 Jul 2025 5:05 PM',
    );
    expect(U.formatDate(date, 'Etc/UTC', 'yy/M/d X')).toBe('25/7/4 Z');
    expect(() => U.formatDate(date, 'Etc/UTC', 'yyyy q')).toThrow("Illegal pattern character 'q'");
  });

  it('sleeps on the virtual clock, 5 minutes at most', () => {
    U.sleep(1000);
    expect(slept).toEqual([1000]);
    expect(() => U.sleep(300_001)).toThrow('Argument too large: milliseconds');
  });

  it('makes version 4 UUIDs', () => {
    expect(U.getUuid()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
