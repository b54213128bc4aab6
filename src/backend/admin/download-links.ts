/**
 * This file defines the short-lived signed links of the admin card's downloads (the audit trail
 * as CSV): an HMAC-SHA256 over what the link may fetch, who asked and until when, so that the
 * browser can fetch the file without an ID token. The key comes from configuration
 * (DOWNLOAD_LINK_KEY), else is derived (HKDF) from the OTP key ring that every instance shares,
 * else is generated at start (one instance only); it is never stored in the repository.
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The key of the download links: DOWNLOAD_LINK_KEY; else one derived from the OTP key ring with
 * HKDF-SHA256 under its own label (so that every instance agrees and neither key gives the
 * other); else a key made at start.
 */
export function downloadLinkKey(config: {
  downloadLinkKey?: string;
  otpEncryptionKeys?: string;
}): Buffer {
  if (config.downloadLinkKey) return Buffer.from(config.downloadLinkKey, 'utf8');
  if (config.otpEncryptionKeys)
    return Buffer.from(
      hkdfSync('sha256', config.otpEncryptionKeys, '', 'shared-contacts download links', 32),
    );
  return randomBytes(32);
}

/** What a download link lets its bearer fetch, and until when (ms since the epoch). */
export interface DownloadGrant {
  tenant: string;
  admin: string;
  since?: string;
  expiresAt: number;
}

/** Signs and checks download links. */
export class DownloadLinks {
  constructor(
    private readonly key: Buffer,
    readonly lifetimeSeconds: number,
  ) {}

  private mac(grant: DownloadGrant): Buffer {
    const fields = [grant.tenant, grant.admin, grant.since ?? '', String(grant.expiresAt)];
    return createHmac('sha256', this.key).update(fields.join('\n')).digest();
  }

  /** The query string of a link granting `grant`. */
  sign(grant: DownloadGrant): string {
    const query = new URLSearchParams({
      tenant: grant.tenant,
      admin: grant.admin,
      ...(grant.since ? { since: grant.since } : {}),
      expires: String(grant.expiresAt),
      signature: this.mac(grant).toString('base64url'),
    });
    return query.toString();
  }

  /** The grant of a link's query, or why it does not hold: `invalid` or `expired`. */
  check(
    query: { tenant: string; admin: string; since?: string; expires: number; signature: string },
    now: number,
  ): DownloadGrant | 'invalid' | 'expired' {
    const grant: DownloadGrant = {
      tenant: query.tenant,
      admin: query.admin,
      ...(query.since ? { since: query.since } : {}),
      expiresAt: query.expires,
    };
    const given = Buffer.from(query.signature, 'base64url');
    const wanted = this.mac(grant);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return 'invalid';
    if (now >= grant.expiresAt || grant.expiresAt - now > this.lifetimeSeconds * 1000)
      return 'expired';
    return grant;
  }
}
