-- This migration creates restricted support access (DESIGN.md §6–§7): agents' second factors
-- (sealed secrets, see support/second-factor-store.ts), second-factor proofs, and support sessions.

CREATE TABLE support_agent_factor (
  agent_id TEXT PRIMARY KEY,
  totp_secret TEXT NOT NULL,
  backup_seed TEXT NOT NULL,
  backup_used_mask INTEGER NOT NULL DEFAULT 0 CHECK (backup_used_mask BETWEEN 0 AND 1023),
  enrolled_at TIMESTAMPTZ NOT NULL,
  confirmed_at TIMESTAMPTZ,
  totp_last_step INTEGER,
  failures INTEGER NOT NULL DEFAULT 0 CHECK (failures >= 0),
  last_failure_at TIMESTAMPTZ
);

-- A passed second-factor check: lets the agent open sessions until expires_at. A reset of the
-- factor revokes every proof of the agent.
CREATE TABLE support_auth (
  id text PRIMARY KEY,
  agent text NOT NULL,
  method text NOT NULL CHECK (method IN ('totp', 'backup-code')),
  created_at text NOT NULL,
  expires_at text NOT NULL,
  revoked_at text
);
CREATE INDEX support_auth_agent ON support_auth (agent, expires_at);

-- A support session: one agent, one tenant, one user, with ticket and justification. Status moves
-- pending → open | refused, open → closed; an open session past expires_at has expired.
CREATE TABLE support_sessions (
  id text PRIMARY KEY,
  agent text NOT NULL,
  tenant text NOT NULL,
  target_user text NOT NULL,
  ticket text NOT NULL,
  justification text NOT NULL,
  repair boolean NOT NULL,
  repair_justification text,
  minutes integer NOT NULL CHECK (minutes BETWEEN 1 AND 60),
  status text NOT NULL CHECK (status IN ('pending', 'open', 'refused', 'closed')),
  created_at text NOT NULL,
  decided_by text,
  decided_at text,
  decision_reason text,
  opened_at text,
  expires_at text,
  closed_at text,
  closed_by text
);
CREATE INDEX support_sessions_agent ON support_sessions (agent, created_at);
CREATE INDEX support_sessions_tenant ON support_sessions (tenant, created_at);
