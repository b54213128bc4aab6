-- This migration creates the share registry, tenant policy, the append-only hash-chained audit
-- log and the alerts. Times are ISO-8601 UTC strings as the backend writes them.

CREATE TABLE tenant_policies (
  domain text PRIMARY KEY,
  policy jsonb NOT NULL,
  updated_at text NOT NULL,
  updated_by text NOT NULL
);

CREATE TABLE shares (
  id text PRIMARY KEY,
  domain text NOT NULL,
  owner text NOT NULL,
  label_resource_name text NOT NULL,
  label_name text NOT NULL,
  grants jsonb NOT NULL,
  hidden_fields jsonb NOT NULL,
  created_at text NOT NULL,
  updated_at text NOT NULL,
  revoked_at text
);
CREATE INDEX shares_domain_owner ON shares (domain, owner);

-- One row per tenant: the last sequence number and hash of its chain. Appends lock this row.
CREATE TABLE audit_heads (
  tenant text PRIMARY KEY,
  seq bigint NOT NULL,
  hash text NOT NULL
);

CREATE TABLE audit_events (
  tenant text NOT NULL,
  seq bigint NOT NULL,
  event_id text NOT NULL,
  type text NOT NULL,
  actor text NOT NULL,
  target text,
  share_id text,
  outcome text NOT NULL,
  detail text NOT NULL,
  occurred_at text NOT NULL,
  received_at text NOT NULL,
  origin text NOT NULL,
  content_digest text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (tenant, seq),
  UNIQUE (tenant, event_id)
);
CREATE INDEX audit_events_actor_time ON audit_events (actor, received_at);
CREATE INDEX audit_events_tenant_time ON audit_events (tenant, received_at);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_events_no_update_delete
  BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

CREATE TABLE alerts (
  id text PRIMARY KEY,
  tenant text NOT NULL,
  actor text NOT NULL,
  rule text NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'justified', 'resolved')),
  summary text NOT NULL,
  created_at text NOT NULL,
  justification text,
  justified_at text,
  resolved_by text,
  resolution text,
  resolved_at text
);
CREATE INDEX alerts_actor_status ON alerts (actor, status);
CREATE UNIQUE INDEX alerts_one_unresolved ON alerts (actor, rule) WHERE status <> 'resolved';
