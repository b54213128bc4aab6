-- This migration lets the backend find, by index, who synced a share with their own token (the
-- actors of its sync.* events): the accounts a share reached, which its ending must clean.

CREATE INDEX audit_events_share_syncs ON audit_events (tenant, share_id, actor)
  WHERE type LIKE 'sync.%';
