/**
 * This file holds the hooks through which support access (DESIGN.md §1, §7) plugs into the
 * backend's rules: looking up an agent's open support session (from the database: open, not
 * expired, its tenant not having disabled support access).
 */
import type { Sql } from '../platform/db';
import { policies } from '../tenants/policy-store';

/** An open support session: an agent looking into one customer user, with a ticket. */
export interface SupportSession {
  id: string;
  agent: string;
  tenant: string;
  targetUser: string;
  /** True when the agent was granted a repair scope: write access to the user's contacts. */
  repair: boolean;
}

/** Finds open support sessions. */
export interface SupportSessions {
  /** The agent's open session with that id, or null when there is none (or it has ended). */
  openSession(agent: string, sessionId: string | undefined): Promise<SupportSession | null>;
}

/** No support sessions at all (a backend without support access, and some tests). */
export const noSupportSessions: SupportSessions = {
  async openSession() {
    return null;
  },
};

/**
 * Support sessions stored in `support_sessions`: a session is open while its status is `open`,
 * its end is in the future and its tenant's policy still allows support access.
 */
export class DatabaseSupportSessions implements SupportSessions {
  constructor(
    private readonly sql: Sql,
    private readonly clock: () => number,
  ) {}

  async openSession(agent: string, sessionId: string | undefined): Promise<SupportSession | null> {
    if (sessionId === undefined) return null;
    const [row] = await this.sql.query<{
      id: string;
      agent: string;
      tenant: string;
      target_user: string;
      repair: boolean;
    }>(
      `SELECT id, agent, tenant, target_user, repair FROM support_sessions
       WHERE id = $1 AND agent = $2 AND status = 'open' AND expires_at > $3`,
      [sessionId, agent, new Date(this.clock()).toISOString()],
    );
    if (!row) return null;
    if ((await policies.get(this.sql, row.tenant)).supportAccess === 'disabled') return null;
    return {
      id: row.id,
      agent: row.agent,
      tenant: row.tenant,
      targetUser: row.target_user,
      repair: row.repair,
    };
  }
}
