-- This migration lets several instances share what one kept in memory, and bounds the audit log
-- in time: rate-limit buckets (platform/rate-limit.ts), the outbox of alert notifications that
-- any instance delivers (alerts/outbox.ts), and the retention cut of each audit chain with the one
-- controlled way to delete events below it (audit/retention.ts; docs/security.md explains the
-- trust boundary).

-- One token bucket per caller. Unlogged: a crash may forget buckets (they refill within a minute);
-- every request writes here, so no WAL is spent on it.
CREATE UNLOGGED TABLE rate_limit_buckets (
  key text PRIMARY KEY,
  tokens double precision NOT NULL,
  updated_ms bigint NOT NULL,
  granted boolean NOT NULL
);

-- One notification per alert, written in the transaction that raises the alert. Instances claim
-- due rows with FOR UPDATE SKIP LOCKED for a lease, deliver, and mark them delivered or due again.
CREATE TABLE alert_outbox (
  alert_id text PRIMARY KEY REFERENCES alerts (id),
  payload text NOT NULL,
  created_at text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_ms bigint NOT NULL,
  claimed_by text,
  claimed_until_ms bigint,
  delivered_at text,
  failed_at text,
  last_error text
);
CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_ms)
  WHERE delivered_at IS NULL AND failed_at IS NULL;

-- The retention cut of a chain: the last purged event's sequence number and hash. Verification
-- starts after the latest cut, from its hash; the cut is also published in the signed anchor.
CREATE TABLE audit_cuts (
  tenant text NOT NULL,
  seq bigint NOT NULL,
  hash text NOT NULL,
  cut_at text NOT NULL,
  PRIMARY KEY (tenant, seq)
);

CREATE FUNCTION audit_cuts_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_cuts is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_cuts_no_update_delete
  BEFORE UPDATE OR DELETE ON audit_cuts
  FOR EACH ROW EXECUTE FUNCTION audit_cuts_append_only();

CREATE TRIGGER audit_cuts_no_truncate
  BEFORE TRUNCATE ON audit_cuts
  FOR EACH STATEMENT EXECUTE FUNCTION audit_cuts_append_only();

-- Events stay append-only. The one exception is a DELETE inside audit_purge(): it sets the
-- transaction-local settings audit.purge_tenant and audit.purge_through, and only rows of that
-- tenant at or below both that number and the tenant's recorded cut may go. UPDATE and TRUNCATE
-- are refused always.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE'
     AND current_setting('audit.purge_tenant', true) = OLD.tenant
     AND OLD.seq <= coalesce(nullif(current_setting('audit.purge_through', true), '')::bigint, 0)
     AND OLD.seq <= coalesce((SELECT max(c.seq) FROM audit_cuts c WHERE c.tenant = OLD.tenant), 0)
  THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- Purges a tenant's events up to and including p_seq, whose hash must be p_hash (the retention
-- cut): records the cut, then deletes under the settings the trigger checks. Returns the number of
-- events deleted. The cut only moves forward.
CREATE FUNCTION audit_purge(p_tenant text, p_seq bigint, p_hash text, p_at text)
RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  previous bigint;
  deleted bigint;
BEGIN
  SELECT coalesce(max(seq), 0) INTO previous FROM audit_cuts WHERE tenant = p_tenant;
  IF p_seq <= previous THEN
    RAISE EXCEPTION 'the retention cut of % is already at %', p_tenant, previous
      USING ERRCODE = 'check_violation';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM audit_events WHERE tenant = p_tenant AND seq = p_seq AND hash = p_hash) THEN
    RAISE EXCEPTION 'no event % of % with the given hash', p_seq, p_tenant
      USING ERRCODE = 'check_violation';
  END IF;
  INSERT INTO audit_cuts (tenant, seq, hash, cut_at) VALUES (p_tenant, p_seq, p_hash, p_at);
  PERFORM set_config('audit.purge_tenant', p_tenant, true);
  PERFORM set_config('audit.purge_through', p_seq::text, true);
  DELETE FROM audit_events WHERE tenant = p_tenant AND seq <= p_seq;
  GET DIAGNOSTICS deleted = ROW_COUNT;
  PERFORM set_config('audit.purge_tenant', '', true);
  PERFORM set_config('audit.purge_through', '', true);
  RETURN deleted;
END;
$$;
