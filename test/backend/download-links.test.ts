/**
 * Tests of the admin card's signed download links: a link made by one instance holds on another
 * that shares the key (set, or derived from the OTP key ring), and nowhere else; a changed field,
 * an expired link or one claiming a longer life than links have is refused.
 */
import { randomBytes } from 'node:crypto';
import { DownloadLinks, downloadLinkKey } from '../../src/backend/admin/download-links';

const NOW = Date.UTC(2026, 10, 30, 12);
const ring = `k1:${randomBytes(32).toString('base64')}`;
const grant = { tenant: 'acme.example', admin: 'admin@acme.example', expiresAt: NOW + 300_000 };

/** The query of a link as the route receives it. */
function parsed(query: string) {
  const params = new URLSearchParams(query);
  return {
    tenant: params.get('tenant') ?? '',
    admin: params.get('admin') ?? '',
    ...(params.get('since') ? { since: params.get('since') ?? '' } : {}),
    expires: Number(params.get('expires')),
    signature: params.get('signature') ?? '',
  };
}

describe('download links', () => {
  it('hold on every instance that shares the key, set or derived from the OTP key ring', () => {
    for (const config of [
      { downloadLinkKey: 'a configured secret' },
      { otpEncryptionKeys: ring },
    ]) {
      const one = new DownloadLinks(downloadLinkKey(config), 300);
      const other = new DownloadLinks(downloadLinkKey(config), 300);
      expect(other.check(parsed(one.sign(grant)), NOW)).toEqual(grant);
    }
  });

  it('do not hold with another key, nor with a key made at start', () => {
    const link = parsed(
      new DownloadLinks(downloadLinkKey({ otpEncryptionKeys: ring }), 300).sign(grant),
    );
    const otherRing = `k1:${randomBytes(32).toString('base64')}`;
    expect(
      new DownloadLinks(downloadLinkKey({ otpEncryptionKeys: otherRing }), 300).check(link, NOW),
    ).toBe('invalid');
    expect(new DownloadLinks(downloadLinkKey({}), 300).check(link, NOW)).toBe('invalid');
  });

  it('refuse a changed field, an expired link, and a life longer than links have', () => {
    const links = new DownloadLinks(downloadLinkKey({ downloadLinkKey: 'k' }), 300);
    const link = parsed(links.sign(grant));
    expect(links.check({ ...link, tenant: 'globex.example' }, NOW)).toBe('invalid');
    expect(links.check({ ...link, admin: 'eve@acme.example' }, NOW)).toBe('invalid');
    expect(links.check({ ...link, expires: link.expires + 1 }, NOW)).toBe('invalid');
    expect(links.check(link, NOW + 300_000)).toBe('expired');
    const long = parsed(links.sign({ ...grant, expiresAt: NOW + 3_600_000 }));
    expect(links.check(long, NOW)).toBe('expired');
  });
});
