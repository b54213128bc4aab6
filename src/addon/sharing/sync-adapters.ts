/**
 * This file defines the sync engine's ports over the backend: the share directory and the group
 * expansion from the registry, delegated tokens from the broker (/v1/delegated-tokens, kept in
 * the user's cache until shortly before they expire), and the audit sink (/v1/events).
 */
import type {
  AuditEvent,
  AuditSink,
  Clock,
  KeyValueStore,
  TokenProvider,
  TokenPurpose,
} from '../../core/ports';
import type { Share } from '../../core/sharing-model';
import type { GroupDirectory, ShareDirectory } from '../../core/sync-ports';
import type { BackendClient } from '../backend-client';
import type { ShareMembers, ShareRegistry } from './share-registry';

/** The registry as the engine's ShareDirectory. */
export class RegistryShareDirectory implements ShareDirectory {
  constructor(private readonly registry: ShareRegistry) {}

  getShare(shareId: string): Share | null {
    const share = this.registry.get(shareId);
    if (!share) return null;
    const { myLevel: _myLevel, ...plain } = share;
    return plain;
  }
}

/**
 * The members of one share's groups and domains, as the backend expands them (users may not list
 * group members themselves). An address the expansion does not hold is an error, never "nobody".
 */
export class ShareMembersDirectory implements GroupDirectory {
  constructor(private readonly members: () => ShareMembers) {}

  membersOfGroup(groupEmail: string): string[] {
    const group = this.members().groups.find((entry) => entry.email === groupEmail.toLowerCase());
    if (!group) throw new Error(`the members of ${groupEmail} are unknown`);
    return group.members;
  }

  usersOfDomain(domain: string): string[] {
    const entry = this.members().domains.find((item) => item.domain === domain.toLowerCase());
    if (!entry) throw new Error(`the users of ${domain} are unknown`);
    return entry.users;
  }
}

/** A small cache of strings with a lifetime (the user's CacheService cache in Apps Script). */
export interface ExpiringCache {
  get(key: string): string | null;
  put(key: string, value: string, seconds: number): void;
}

/** Tokens are reused until this long before they expire. */
const TOKEN_MARGIN_MS = 5 * 60_000;
/** CacheService keeps values at most 6 hours. */
const MAX_CACHE_SECONDS = 21_600;

/** Own tokens from ScriptApp; others' from the backend broker, which checks and audits each. */
export class BrokerTokenProvider implements TokenProvider {
  private readonly held = new Map<string, { token: string; until: number }>();

  constructor(
    private readonly backend: BackendClient,
    private readonly ownOAuthToken: () => string,
    private readonly cache: ExpiringCache,
    private readonly clock: Clock,
  ) {}

  ownToken(): string {
    return this.ownOAuthToken();
  }

  delegatedToken(targetUser: string, scopes: string[], purpose: TokenPurpose): string {
    const about = purpose.kind === 'sync' ? purpose.shareId : purpose.sessionId;
    const key = `dt:${purpose.kind}:${about}:${targetUser.toLowerCase()}:${[...scopes].sort().join(' ')}`;
    const now = this.clock.now();
    const held = this.held.get(key) ?? this.fromCache(key);
    if (held && held.until > now) return held.token;
    const answer = this.backend.request<{ accessToken: string; expiresAt: string }>(
      'post',
      '/v1/delegated-tokens',
      { targetUser, scopes, purpose },
    );
    const until = Date.parse(answer.expiresAt) - TOKEN_MARGIN_MS;
    const entry = { token: answer.accessToken, until };
    this.held.set(key, entry);
    const seconds = Math.min(MAX_CACHE_SECONDS, Math.floor((until - now) / 1000));
    if (seconds > 0) this.cache.put(key, JSON.stringify(entry), seconds);
    return answer.accessToken;
  }

  private fromCache(key: string): { token: string; until: number } | null {
    const text = this.cache.get(key);
    return text ? (JSON.parse(text) as { token: string; until: number }) : null;
  }
}

/** Where audit events wait when the backend could not take them; sent with the next batch. */
export const PENDING_AUDIT_KEY = 'audit:pending';
/** At most this many events wait (a property value holds 9 KB). */
const MAX_PENDING = 20;

/**
 * Sends audit events to /v1/events. A failed send keeps the events in the user's properties and
 * retries them with the next batch (the backend ignores duplicates by id); a sync is never undone
 * because its audit could not be delivered.
 */
export class BackendAuditSink implements AuditSink {
  constructor(
    private readonly backend: BackendClient,
    private readonly store: KeyValueStore,
  ) {}

  record(events: AuditEvent[]): void {
    const pendingText = this.store.get(PENDING_AUDIT_KEY);
    const pending = pendingText ? (JSON.parse(pendingText) as AuditEvent[]) : [];
    const batch = [...pending, ...events];
    try {
      this.backend.request('post', '/v1/events', { events: batch });
      if (pending.length > 0) this.store.delete(PENDING_AUDIT_KEY);
    } catch (error) {
      console.error('audit events could not be sent; they wait for the next batch', error);
      const keep = batch.slice(-MAX_PENDING);
      if (keep.length < batch.length)
        console.error(
          `${batch.length - keep.length} audit events were dropped after repeated failures`,
        );
      this.store.set(PENDING_AUDIT_KEY, JSON.stringify(keep));
    }
  }
}
