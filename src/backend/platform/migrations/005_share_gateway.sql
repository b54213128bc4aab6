-- This migration serves the share gateway (DESIGN.md §6): for each account the gateway acted in
-- for a share, the copy group the share keeps there (a resource name, never contact data), when it
-- last looked for it, and when the share first wrote there; and a pending transfer of a share's
-- ownership, offered by its owner and accepted by the new owner in their own sidebar.

CREATE TABLE share_accounts (
  share_id text NOT NULL,
  account text NOT NULL,
  copy_group text,
  group_checked_at text,
  reached_at text,
  PRIMARY KEY (share_id, account)
);

ALTER TABLE shares ADD COLUMN offered_to text;
ALTER TABLE shares ADD COLUMN former_owner text;
ALTER TABLE shares ADD COLUMN former_label text;
