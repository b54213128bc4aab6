/**
 * This file holds the hooks through which support access (DESIGN.md §1, §7) plugs into the
 * backend: looking up an agent's open support session. Until support sessions exist (issue 7)
 * no session is ever open, so support tokens are refused and support access raises an alert.
 */
import { forbidden } from './errors';

/** An open support session: an agent looking into one customer user, with a ticket. */
export interface SupportSession {
  id: string;
  agent: string;
  tenant: string;
  targetUser: string;
}

/** Finds open support sessions. */
export interface SupportSessions {
  /** The agent's open session with that id, or null when there is none (or it has ended). */
  openSession(agent: string, sessionId: string | undefined): Promise<SupportSession | null>;
}

/** No support sessions at all: the state before the support issue (7) lands. */
export const noSupportSessions: SupportSessions = {
  async openSession() {
    return null;
  },
};

/**
 * Checks that a support token may be issued: the agent has an open session for this target.
 * Throws a 403 HttpError otherwise.
 */
export async function requireOpenSupportSession(
  sessions: SupportSessions,
  agent: string,
  sessionId: string,
  targetUser: string,
): Promise<SupportSession> {
  const session = await sessions.openSession(agent, sessionId);
  if (!session || session.targetUser.toLowerCase() !== targetUser.toLowerCase())
    throw forbidden('no open support session for this user', 'no_support_session');
  return session;
}
