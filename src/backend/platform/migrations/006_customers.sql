-- This migration makes the tenant a Workspace customer (Directory customerId) with all of its
-- domains. `customers.tenant` is the key every tenant column holds (the customer's first domain
-- seen, kept for ever); `customer_domains` maps every primary, secondary and alias domain learnt
-- from the Directory API (domains.list, users.get) to its customer; `customer_admins` are the
-- admins seen, any of whom the backend may act as to read the customer's directory. Rows keyed by
-- another domain of the customer before this change are carried over when that domain is learnt
-- (tenancy.ts): shares, alerts, support sessions and policy are re-keyed, and the domain's audit
-- chain, append-only and hashed with its old key, becomes an alias of the customer's.

CREATE TABLE customers (
  customer_id text PRIMARY KEY,
  tenant text NOT NULL UNIQUE,
  created_at text NOT NULL,
  domains_checked_at text
);

CREATE TABLE customer_domains (
  domain text PRIMARY KEY,
  customer_id text NOT NULL REFERENCES customers (customer_id),
  kind text NOT NULL CHECK (kind IN ('primary', 'secondary', 'alias', 'seen')),
  checked_at text NOT NULL
);
CREATE INDEX customer_domains_customer ON customer_domains (customer_id);

CREATE TABLE customer_admins (
  customer_id text NOT NULL REFERENCES customers (customer_id),
  email text NOT NULL,
  seen_at text NOT NULL,
  failed_at text,
  PRIMARY KEY (customer_id, email)
);

-- An audit chain kept under a domain that has since joined a customer: read and verified with it.
CREATE TABLE audit_aliases (
  chain text PRIMARY KEY,
  tenant text NOT NULL,
  joined_at text NOT NULL
);
CREATE INDEX audit_aliases_tenant ON audit_aliases (tenant);
