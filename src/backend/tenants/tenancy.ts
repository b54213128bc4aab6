/**
 * This file defines the tenant model: a tenant is a Workspace customer (Directory `customerId`)
 * with all of its domains (DESIGN.md §6). It resolves a caller's tenant from Google's answers, not
 * from the ID token alone: the e-mail's domain is mapped to its customer by users.get in the
 * user's own name, and the token's `hd` must be a domain of that same customer. It learns the
 * customer's domains (domains.list as any current admin, users.get, users.list), keeps them
 * current, carries rows kept under a domain before over to the customer, and says whether an
 * address or domain is inside a customer. It also names the admins the Directory reads run as.
 */
import type { Database } from '../platform/db';
import { HttpError, forbidden } from '../platform/errors';
import { EVENT } from '../audit/event-types';
import { UpstreamError } from '../platform/google-fetch';
import { type CustomerDomain, type Directory, type DirectoryAdmins } from '../platform/directory';
import type { Logger } from '../platform/logger';
import type { ServerEvent } from '../services';
import { carryOver, customerStore, type CarriedOver } from './customer-store';

/**
 * The chain of refusals caused by callers outside any customer (no `hd`, or an identity Google's
 * answers do not confirm). `.invalid` is reserved (RFC 2606): no Workspace domain can be named so.
 */
export const OUTSIDE_CHAIN = 'outside.invalid';
/** The chain of refusals caused by the vendor's staff (support agents, security managers). */
export const VENDOR_CHAIN = 'vendor.invalid';

/** A caller's tenant, or why there is none. */
export interface TenantResolution {
  /** The tenant key (the customer's first domain seen), null when there is none. */
  tenant: string | null;
  /** The Workspace customer; null for a tenant whose customer Google did not name yet. */
  customerId: string | null;
  /** Why `tenant` is null: answered when a route needs the tenant. */
  problem?: HttpError;
}

const domainOf = (address: string): string =>
  address.slice(address.lastIndexOf('@') + 1).toLowerCase();

/** How long an unknown domain is not looked up again for the same customer. */
const UNKNOWN_DOMAIN_RETRY_MS = 60_000;
const CACHE_SIZE = 10_000;

/** Resolves tenants and answers "is this inside the customer?" for the routes. */
export class Tenancy implements DirectoryAdmins {
  private readonly resolved = new Map<string, { value: TenantResolution; until: number }>();
  private readonly adminsSeen = new Map<string, number>();
  private readonly domainLookups = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly directory: () => Directory,
    private readonly clock: () => number,
    private readonly settings: { cacheSeconds: number; refreshSeconds: number },
    private readonly record: (tenant: string, events: ServerEvent[]) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  private nowIso(): string {
    return new Date(this.clock()).toISOString();
  }

  private stale(at: string | null): boolean {
    return at === null || this.clock() - Date.parse(at) > this.settings.refreshSeconds * 1000;
  }

  /**
   * The tenant of a caller with a verified e-mail and `hd` claim. The e-mail's domain decides the
   * customer (users.get in the user's name; the mapping is kept and read again when stale);
   * `hd` must be a domain of the same customer, or the caller has no tenant. When Google will not
   * answer for the user (domain-wide delegation not granted yet) and the domain is unknown, the
   * tenant is the domain itself, as before customers were known, provided `hd` is that domain.
   */
  async resolve(email: string, hd: string | null): Promise<TenantResolution> {
    if (!hd)
      return {
        tenant: null,
        customerId: null,
        problem: forbidden(
          'a Google Workspace account is required (the ID token has no hd claim)',
          'no_tenant',
        ),
      };
    const key = `${email}|${hd}`;
    const hit = this.resolved.get(key);
    if (hit && hit.until > this.clock()) return hit.value;
    let value: TenantResolution;
    try {
      value = await this.resolveFresh(email.toLowerCase(), hd.toLowerCase());
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      this.logger.log('WARNING', 'the caller’s tenant could not be resolved', {
        reason: error.code,
      });
      // Google could not be asked: a misconfiguration (signing) is said as it is; anything else
      // is answered as a passing unavailability.
      const unavailable =
        error.code === 'upstream_unavailable' || error.code === 'directory_failed';
      return {
        tenant: null,
        customerId: null,
        problem: unavailable
          ? new HttpError(
              503,
              'tenant_unavailable',
              'your organisation could not be confirmed with Google just now; retry shortly',
              { 'retry-after': '5' },
            )
          : error,
      };
    }
    if (this.resolved.size >= CACHE_SIZE) this.resolved.clear();
    this.resolved.set(key, { value, until: this.clock() + this.settings.cacheSeconds * 1000 });
    return value;
  }

  private async resolveFresh(email: string, hd: string): Promise<TenantResolution> {
    const emailDomain = domainOf(email);
    let mapping = await customerStore.domain(this.db, emailDomain);
    if (!mapping || this.stale(mapping.checkedAt)) {
      const profile = await this.directory().profile(email);
      if (profile) {
        await this.learnDomain(emailDomain, profile.customerId, 'seen');
        mapping = await customerStore.domain(this.db, emailDomain);
        if (mapping && profile.isAdmin) await this.adminSeen(mapping.customerId, email);
      } else if (!mapping) {
        // Another instance may have learnt the domain meanwhile.
        mapping = await customerStore.domain(this.db, emailDomain);
      }
      if (!mapping) {
        if (hd === emailDomain && !(await customerStore.keyTaken(this.db, emailDomain)))
          return { tenant: emailDomain, customerId: null };
        // The key may have been taken by another instance after the read above: read again.
        mapping = await customerStore.domain(this.db, emailDomain);
      }
      if (!mapping) {
        return {
          tenant: null,
          customerId: null,
          problem: forbidden(
            `Google did not confirm that ${hd} is your organisation's domain; domain-wide delegation must be granted to the add-on`,
            'identity_unconfirmed',
          ),
        };
      }
    }
    if (!mapping) throw new Error(`the domain ${emailDomain} was not recorded`);
    if (hd !== emailDomain && !(await this.confirmHostedDomain(mapping.customerId, email, hd)))
      return {
        tenant: null,
        customerId: null,
        problem: forbidden(
          `the ID token's hosted domain ${hd} is not a domain of the organisation of ${email}`,
          'identity_mismatch',
        ),
      };
    return { tenant: mapping.tenant, customerId: mapping.customerId };
  }

  /** True when `hd` is a domain of the customer (known, or confirmed by users.list as the user). */
  private async confirmHostedDomain(
    customerId: string,
    email: string,
    hd: string,
  ): Promise<boolean> {
    const known = await customerStore.domain(this.db, hd);
    if (known && !this.stale(known.checkedAt)) return known.customerId === customerId;
    if (!(await this.directory().hasDomain(email, hd))) return false;
    await this.learnDomain(hd, customerId, 'seen');
    return true;
  }

  /**
   * Records that `domain` belongs to the customer. The first domain seen of a customer becomes
   * its tenant key; a domain joining a customer (new, or moved from another) carries its rows over
   * and is audited in the customer's chain.
   */
  private async learnDomain(
    domain: string,
    customerId: string,
    kind: CustomerDomain['kind'] | 'seen',
  ): Promise<void> {
    const at = this.nowIso();
    const joined = await this.db.transaction(async (tx) => {
      let customer = await customerStore.byId(tx, customerId);
      if (!customer) {
        const key = (await customerStore.keyTaken(tx, domain))
          ? `${customerId.toLowerCase()}.customer.invalid`
          : domain;
        customer = await customerStore.ensure(tx, customerId, key, at);
      }
      const before = await customerStore.putDomain(tx, domain, customerId, kind, at);
      if (before === customerId) return null;
      const moved: CarriedOver | null =
        domain === customer.tenant ? null : await carryOver(tx, domain, customer.tenant, at);
      return { tenant: customer.tenant, moved, from: before };
    });
    if (!joined) return;
    this.resolved.clear();
    // A customer's first domain (its key) joins nothing: only later domains are recorded.
    if (joined.moved === null && joined.from === null) return;
    await this.record(joined.tenant, [
      {
        type: EVENT.tenantDomainJoined,
        target: domain,
        outcome: 'success',
        detail: {
          kind,
          movedFromOtherCustomer: joined.from !== null,
          shares: joined.moved?.shares ?? 0,
          alerts: joined.moved?.alerts ?? 0,
          sessions: joined.moved?.sessions ?? 0,
          policy: joined.moved?.policy ?? 'none',
          chain: joined.moved?.chain ?? false,
        },
      },
    ]);
  }

  /** Notes an admin seen (their check succeeded): any of them may read the directory later. */
  async adminSeen(customerId: string | null, email: string): Promise<void> {
    if (!customerId) return;
    const key = `${customerId}|${email.toLowerCase()}`;
    const last = this.adminsSeen.get(key);
    if (last !== undefined && this.clock() - last < this.settings.cacheSeconds * 1000) return;
    await customerStore.recordAdmin(this.db, customerId, email.toLowerCase(), this.nowIso());
    if (this.adminsSeen.size >= CACHE_SIZE) this.adminsSeen.clear();
    this.adminsSeen.set(key, this.clock());
  }

  /**
   * The tenant a caller names by one of its domains (a path or query parameter): a learnt
   * domain's customer; a domain of the caller's own customer not learnt yet (looked for); else
   * the name itself, which matches no one's tenant but its own.
   */
  async tenantNamedBy(
    name: string,
    caller: { email: string; tenant: string | null },
  ): Promise<string> {
    const key = name.toLowerCase();
    const known = await this.tenantOfDomain(key);
    if (known !== key || caller.tenant === null || caller.tenant === key) return known;
    return (await this.hasDomain(caller.tenant, key, caller.email)) ? caller.tenant : key;
  }

  /** The tenant a domain belongs to (learnt), else the domain itself (a tenant key or unknown). */
  async tenantOfDomain(domain: string): Promise<string> {
    const key = domain.toLowerCase();
    if (await customerStore.byTenant(this.db, key)) return key;
    return (await customerStore.domain(this.db, key))?.tenant ?? key;
  }

  /**
   * The tenant of a user who is not the caller (a support session's user): from the domain's
   * known customer, else from users.get in the user's own name. Null when Google does not know
   * them or will not answer for them.
   */
  async tenantOfUser(email: string): Promise<string | null> {
    const domain = domainOf(email);
    const known = await customerStore.domain(this.db, domain);
    if (known && !this.stale(known.checkedAt)) return known.tenant;
    const profile = await this.directory().profile(email);
    if (!profile) return known?.tenant ?? null;
    await this.learnDomain(domain, profile.customerId, 'seen');
    return (await customerStore.domain(this.db, domain))?.tenant ?? null;
  }

  /** The domains learnt for a tenant (read again through domains.list when stale). */
  async domainsOf(tenant: string): Promise<string[]> {
    const customer = await customerStore.byTenant(this.db, tenant);
    if (!customer) return [tenant];
    if (this.stale(customer.domainsCheckedAt)) await this.refreshDomains(tenant);
    return (await customerStore.domainsOf(this.db, tenant)).map((row) => row.domain);
  }

  /**
   * Reads the customer's domains with domains.list as a current admin (`admin` first when given),
   * records them and forgets those no longer listed. False when no admin could list them.
   */
  async refreshDomains(tenant: string, admin?: string): Promise<boolean> {
    const customer = await customerStore.byTenant(this.db, tenant);
    if (!customer) return false;
    const candidates = [
      ...(admin ? [admin.toLowerCase()] : []),
      ...(await customerStore.adminCandidates(this.db, tenant)),
    ];
    for (const candidate of [...new Set(candidates)]) {
      const listed = (await this.directory().isAdmin(candidate))
        ? await this.directory().domainsOf(candidate)
        : null;
      if (!listed || listed.length === 0) {
        await this.unusable(tenant, candidate);
        continue;
      }
      for (const entry of listed)
        await this.learnDomain(entry.domain, customer.customerId, entry.kind);
      const dropped = await customerStore.dropDomainsExcept(
        this.db,
        customer.customerId,
        listed.map((entry) => entry.domain),
      );
      if (dropped.length > 0) {
        this.resolved.clear();
        await this.record(tenant, [
          {
            type: EVENT.tenantDomainsLeft,
            outcome: 'success',
            detail: { domains: dropped.join(',').slice(0, 2000) },
          },
        ]);
      }
      await customerStore.domainsChecked(this.db, customer.customerId, this.nowIso());
      return true;
    }
    return false;
  }

  /**
   * True when `domain` belongs to the tenant's customer. An unknown domain is looked for with
   * domains.list (at most once a minute per customer and domain) and, given a `viewer` of the
   * customer, with users.list in their name.
   */
  async hasDomain(tenant: string, domain: string, viewer?: string): Promise<boolean> {
    const key = domain.toLowerCase();
    if (key === tenant) return true;
    const known = await customerStore.domain(this.db, key);
    if (known) return known.tenant === tenant;
    const customer = await customerStore.byTenant(this.db, tenant);
    if (!customer) return false;
    const lookup = `${tenant}|${key}`;
    const last = this.domainLookups.get(lookup);
    if (last !== undefined && this.clock() - last < UNKNOWN_DOMAIN_RETRY_MS) return false;
    if (this.domainLookups.size >= CACHE_SIZE) this.domainLookups.clear();
    this.domainLookups.set(lookup, this.clock());
    await this.refreshDomains(tenant);
    const learnt = await customerStore.domain(this.db, key);
    if (learnt) return learnt.tenant === tenant;
    if (viewer && (await this.directory().hasDomain(viewer, key))) {
      await this.learnDomain(key, customer.customerId, 'seen');
      return true;
    }
    return false;
  }

  /**
   * True when the address is a user or group of the tenant's customer: its domain is one of the
   * customer's, or the viewer's directory shows the user (only users of one's own account show).
   */
  async hasAddress(tenant: string, address: string, viewer?: string): Promise<boolean> {
    if (await this.hasDomain(tenant, domainOf(address), viewer)) return true;
    if (!viewer || !(await this.directory().sees(viewer, address))) return false;
    const customer = await customerStore.byTenant(this.db, tenant);
    if (customer) await this.learnDomain(domainOf(address), customer.customerId, 'seen');
    return customer !== null;
  }

  /** True when the address's domain is known (without asking Google) to be the tenant's. */
  async knownIn(tenant: string, address: string): Promise<boolean> {
    const domain = domainOf(address);
    if (domain === tenant) return true;
    return (await customerStore.domain(this.db, domain))?.tenant === tenant;
  }

  /** The admins the Directory reads may run as, for the customer owning `domain`. */
  async candidates(domain: string): Promise<string[]> {
    return customerStore.adminCandidates(this.db, await this.tenantOfDomain(domain));
  }

  async unusable(domain: string, admin: string): Promise<void> {
    const customer = await customerStore.byTenant(this.db, await this.tenantOfDomain(domain));
    if (customer)
      await customerStore.adminFailed(this.db, customer.customerId, admin, this.nowIso());
  }

  /** For the admin card: how many admins are known and usable, and the domains. */
  async overview(tenant: string): Promise<{
    customerId: string | null;
    domains: string[];
    admins: { usable: number; known: number };
  }> {
    const customer = await customerStore.byTenant(this.db, tenant);
    // Each admin seen is checked now: one who left or lost the role is not counted usable.
    for (const admin of await customerStore.adminCandidates(this.db, tenant))
      if (!(await this.directory().isAdmin(admin))) await this.unusable(tenant, admin);
    return {
      customerId: customer?.customerId ?? null,
      domains: await this.domainsOf(tenant),
      admins: await customerStore.adminCounts(this.db, tenant),
    };
  }

  /** The audit chains read as the tenant's: its own and those of domains that joined it. */
  chainsOf(tenant: string): Promise<string[]> {
    return customerStore.chainsOf(this.db, tenant);
  }
}
