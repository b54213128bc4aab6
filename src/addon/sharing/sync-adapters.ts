/**
 * This file defines the sync engine's ports over the backend: the share directory and the group
 * expansion from the registry, and the audit sink (/v1/events). Other people's accounts are
 * reached through the share gateway (src/google/share-gateway-client.ts), never with their tokens.
 */
import type { AuditEvent, AuditSink, KeyValueStore } from '../../core/ports';
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

  transferAdopted(shareId: string): void {
    this.registry.transferAdopted(shareId);
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

  complete(): boolean {
    const members = this.members();
    return [...members.groups, ...members.domains].every((entry) => entry.complete !== false);
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
