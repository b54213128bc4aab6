-- This migration serves the broker's hot path: the chain head remembers the hash before its last
-- event (so one statement can append an event and return its links), the rules count an actor's
-- events of given types through one index, and a former participant's sync tokens are found by index.

ALTER TABLE audit_heads ADD COLUMN prev_hash text;

CREATE INDEX audit_events_actor_type_time ON audit_events (actor, type, received_at);

CREATE INDEX audit_events_issued_tokens ON audit_events (tenant, share_id, target)
  WHERE type = 'delegated_token.issued' AND outcome = 'success';
