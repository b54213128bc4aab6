-- This migration lets the share gateway know that a participant's own sync called it for a share:
-- that sync may make a copy group in their account with their own token, which the gateway must
-- look for even when nothing in it is linked to the share yet.

ALTER TABLE share_accounts ADD COLUMN own_sync_at text;
