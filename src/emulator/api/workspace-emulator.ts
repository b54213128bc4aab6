/**
 * This file defines the WorkspaceEmulator: one synchronous handler for Google's People v1,
 * Admin SDK Directory v1, OAuth token endpoint, IAM Credentials signJwt and signBlob, service
 * account keys, the Cloud Storage JSON API (cloud-storage.ts) and certificate URLs,
 * routed by path (any host on loopback, the real host otherwise), with bearer-token
 * authorisation, the traffic model, and typed control methods for tests.
 */
import {
  TRACE_HEADER,
  type EmulatorRequest,
  type EmulatorResponse,
  type VirtualClock,
  type WorkspaceEmulatorFacade,
} from './contract';
import { directoryRoutes } from './directory-api';
import {
  EmulatorTimeoutError,
  GoogleApiError,
  OAuthError,
  insufficientScopes,
  unauthenticated,
} from './google-errors';
import { GmailMessageStore, readMessageWithGrant, type GmailMessageRecord } from './gmail-messages';
import { authRoutes } from './auth-routes';
import { IdTokenIssuer } from './id-token-issuer';
import { OAuthState, type AccessGrant } from './oauth';
import { peopleRoutes } from './people-api';
import { PEOPLE_LIMITS, type PeopleSettings } from './people-shared';
import { applyTrafficProfile, type TrafficProfileName } from './traffic-profile';
import { contactNumber, contactResourceName } from './people-person';
import type { Route } from './route-context';
import { matchRoute, respond } from './route-matching';
import { EmulatorClock, WallFollowingClock } from './virtual-clocks';
import { controlRoutes } from './control-api';
import { CloudStorageState, type Bucket, type BucketSpec } from './cloud-storage';
import {
  TrafficModel,
  faultError,
  type CallFilter,
  type FaultRule,
  type TrafficSettingsPatch,
} from './traffic-model';
import {
  WorkspaceStore,
  type Customer,
  type DirectoryGroup,
  type DirectoryUser,
  type GroupMember,
} from './workspace-store';
import { seedWorkspace, type SeedSpec, type SeedSummary } from '../seed/workspace-seed';

/** Options of a new emulator. */
export interface WorkspaceEmulatorOptions {
  /** Start of the virtual clock in ms since the epoch (default 2026-01-01T00:00:00Z). */
  startTime?: number;
  /**
   * A wall clock to follow instead (`npm start`: Date.now): the emulator's time is then never
   * behind it, so that tokens signed with real time by our backend hold; modelled time still
   * passes on the clock (it runs ahead of the wall clock until the wall clock catches up).
   */
  wallClock?: () => number;
  /** A Workspace to generate at once. */
  seed?: SeedSpec;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The People settings of a fresh emulator: writes visible at once, nothing restricted. */
function defaultPeopleSettings(): PeopleSettings {
  return {
    syncVisibilityDelayMs: 0,
    syncVisibilityJitterMs: 0,
    maxContactsPerAccount: PEOPLE_LIMITS.contactsPerAccount,
    searchCacheStalenessMs: 0,
    directorySharing: new Map(),
  };
}

/** The in-memory Workspace and its APIs. */
export class WorkspaceEmulator implements WorkspaceEmulatorFacade {
  readonly clock: VirtualClock;
  readonly idTokens = new IdTokenIssuer();
  readonly traffic = new TrafficModel();
  readonly peopleSettings: PeopleSettings = defaultPeopleSettings();
  private store = new WorkspaceStore();
  private readonly gmail = new GmailMessageStore();
  /** Modelled time of the calls made under each trace, until taken. */
  private readonly traceLatency = new Map<string, number>();
  private readonly oauth: OAuthState;
  /** Cloud Storage buckets of the emulated project (audit anchors). */
  readonly storage: CloudStorageState;
  private routes: Route[] = [];
  private readonly control: Route[];

  constructor(options: WorkspaceEmulatorOptions = {}) {
    this.clock = options.wallClock
      ? new WallFollowingClock(options.wallClock)
      : new EmulatorClock(options.startTime ?? Date.UTC(2026, 0, 1));
    this.oauth = new OAuthState(this.clock);
    this.storage = new CloudStorageState(this.clock);
    this.control = controlRoutes(this);
    this.buildRoutes();
    if (options.seed) this.seed(options.seed);
  }

  /** A propagation delay for one write: the fixed part plus a random share of the jitter. */
  private propagationDelay(): number {
    const { syncVisibilityDelayMs, syncVisibilityJitterMs } = this.peopleSettings;
    return syncVisibilityDelayMs + Math.floor(this.traffic.random() * syncVisibilityJitterMs);
  }

  /** Answers one request. Throws EmulatorTimeoutError only when a scheduled fault says so. */
  handle(request: EmulatorRequest): EmulatorResponse {
    return this.handleParallel([request])[0] as EmulatorResponse;
  }

  /**
   * Answers requests sent at the same time (UrlFetchApp.fetchAll): each is handled as by
   * `handle`, and one user's overlapping mutations meet the concurrency model.
   * A timed-out request throws, as UrlFetchApp.fetchAll does.
   */
  handleParallel(requests: EmulatorRequest[]): EmulatorResponse[] {
    const mutationsSeen = new Map<string, number>();
    return requests.map((request) => {
      const response = this.dispatch(request, mutationsSeen);
      const trace = Object.entries(request.headers).find(
        ([name]) => name.toLowerCase() === TRACE_HEADER,
      )?.[1];
      if (trace !== undefined)
        this.traceLatency.set(trace, (this.traceLatency.get(trace) ?? 0) + response.latencyMs);
      return response;
    });
  }

  /** The modelled time of the calls made under a trace (see contract.ts), taken once. */
  takeTraceLatency(trace: string): number {
    const total = this.traceLatency.get(trace) ?? 0;
    this.traceLatency.delete(trace);
    return total;
  }

  /** Mints an access token for a user (or service account) and scopes; short scopes ("contacts") are expanded. */
  mintAccessToken(email: string, scopes: string[], lifetimeSeconds?: number): string {
    return this.oauth.mint(email, scopes, lifetimeSeconds);
  }

  /** Every access token minted so far and whose it is (tests look for them where none may be). */
  issuedAccessTokens(): { token: string; email: string }[] {
    return this.oauth.issued();
  }

  /** The principal an access token was minted for, or undefined for an unknown or expired token. */
  principalOf(accessToken: string): string | undefined {
    const grant = this.oauth.lookup(accessToken);
    return typeof grant === 'object' ? grant.email : undefined;
  }

  /** Puts a message into a user's mailbox, for GmailApp to read. */
  putGmailMessage(owner: string, message: GmailMessageRecord): void {
    this.gmail.put(owner, message);
  }

  /** Reads a message with a per-message access token; throws GmailAccessError when refused. */
  readGmailMessage(accessToken: string, messageId: string): GmailMessageRecord {
    return readMessageWithGrant(this.gmail, this.oauth.lookup(accessToken), messageId);
  }

  /** Forgets the whole Workspace, tokens, accounts, grants, counters, faults and settings. */
  reset(): void {
    this.store = new WorkspaceStore();
    this.gmail.clear();
    this.oauth.reset();
    this.storage.reset();
    this.traffic.reset();
    Object.assign(this.peopleSettings, defaultPeopleSettings());
    this.buildRoutes();
  }

  /** Generates a Workspace (deterministic for a given spec) into the current one. */
  seed(spec: SeedSpec): SeedSummary {
    return seedWorkspace(this.store, spec, this.clock.now());
  }

  /** Adds a customer with its primary and secondary domains. */
  addCustomer(
    primaryDomain: string,
    secondaryDomains: string[] = [],
    aliasDomains: string[] = [],
  ): Customer {
    return this.store.addCustomer(primaryDomain, secondaryDomains, aliasDomains);
  }

  /** Adds a user to the customer that owns the address's domain. */
  addUser(
    email: string,
    details: Partial<
      Pick<DirectoryUser, 'givenName' | 'familyName' | 'isAdmin' | 'phone' | 'title' | 'department'>
    > = {},
  ): DirectoryUser {
    return this.store.addUser(email, details);
  }

  /** Gives or takes a user's admin role. */
  setAdmin(email: string, isAdmin: boolean): void {
    const user = this.store.userByAddress(email);
    if (!user) throw new Error(`No user ${email}.`);
    user.isAdmin = isAdmin;
  }

  /** True when an address is a user's (their primary address, or an alias of it). */
  hasUser(email: string): boolean {
    return this.store.userByAddress(email) !== undefined;
  }

  /** The customer owning an address's domain, if any. */
  customerOf(email: string): Customer | undefined {
    return this.store.customerOf(email);
  }

  /** Adds a Google Group. */
  addGroup(email: string, name: string, description = ''): DirectoryGroup {
    return this.store.addGroup(email, name, description);
  }

  /** Sets who may view a group's member list (Groups Settings API `whoCanViewMembership`). */
  setGroupMembershipVisibility(
    groupEmail: string,
    whoCanViewMembership: DirectoryGroup['whoCanViewMembership'],
  ): void {
    const group = this.store.groups.get(groupEmail.toLowerCase());
    if (!group) throw new Error(`No group ${groupEmail}.`);
    group.whoCanViewMembership = whoCanViewMembership;
  }

  /** Removes a user from a group. */
  removeGroupMember(groupEmail: string, memberEmail: string): void {
    this.store.groups.get(groupEmail.toLowerCase())?.members.delete(memberEmail.toLowerCase());
  }

  /** Adds a user or a group to a group. */
  addGroupMember(
    groupEmail: string,
    memberEmail: string,
    role: GroupMember['role'] = 'MEMBER',
  ): void {
    this.store.addGroupMember(groupEmail, memberEmail, role);
  }

  /** Creates a service account whose key the emulator holds (for IAM signJwt); returns its OAuth client id. */
  createServiceAccount(email: string): string {
    return this.oauth.createServiceAccount(email);
  }

  /** Registers the public key of a service account that signs its assertions itself; returns its client id. */
  registerServiceAccountKey(email: string, publicKeyPem: string, keyId?: string): string {
    return this.oauth.registerServiceAccountKey(email, publicKeyPem, keyId);
  }

  /** Lets a principal (user or service account) call signJwt as a service account. */
  grantTokenCreator(serviceAccountEmail: string, principal: string): void {
    this.oauth.grantTokenCreator(serviceAccountEmail, principal);
  }

  /** Creates a Cloud Storage bucket, optionally with a (locked) retention policy and roles. */
  createBucket(spec: BucketSpec): Bucket {
    return this.storage.createBucket(spec);
  }

  /**
   * Grants domain-wide delegation of scopes to a client id for the users of every domain of the
   * customer owning `domain` (the Admin console setting is the organisation's).
   */
  grantDomainWideDelegation(domain: string, clientId: string, scopes: readonly string[]): void {
    this.oauth.grantDomainWideDelegation(domain, clientId, [...scopes]);
  }

  /** Withdraws a domain-wide-delegation grant. */
  revokeDomainWideDelegation(domain: string, clientId: string): void {
    this.oauth.revokeDomainWideDelegation(domain, clientId);
  }

  /** The current domain-wide-delegation grants. */
  delegationGrants(): { domain: string; clientId: string; scopes: string[] }[] {
    return this.oauth.delegationGrants();
  }

  /** Counts the calls answered so far that match the filter (operation id, user, HTTP status). */
  callCount(filter?: CallFilter): number {
    return this.traffic.callCount(filter);
  }

  /** Changes the quota, latency and concurrency model. */
  configureTraffic(patch: TrafficSettingsPatch): void {
    this.traffic.configure(patch);
  }

  /** Schedules a fault (429/500/503/timeout) on matching calls. */
  injectFault(rule: FaultRule): void {
    this.traffic.injectFault(rule);
  }

  /**
   * Sets how long writes take to show in sync listings (FACTS.md: sync is not read-after-write):
   * at least `milliseconds`, plus a random part of up to `jitterMs` drawn for each write, so that
   * writes can reach sync results out of order.
   */
  setSyncVisibilityDelay(milliseconds: number, jitterMs = 0): void {
    this.peopleSettings.syncVisibilityDelayMs = milliseconds;
    this.peopleSettings.syncVisibilityJitterMs = jitterMs;
  }

  /** Sets how long the searchContacts cache serves what it holds before a warm-up refreshes it. */
  setSearchCacheStaleness(milliseconds: number): void {
    this.peopleSettings.searchCacheStalenessMs = milliseconds;
  }

  /**
   * Sets a customer's External Directory Sharing, by one of its domains: `none` (directory calls
   * answer no domain data), `forbidden` (they answer 403) or `shared` (the default).
   */
  setDirectorySharing(domain: string, sharing: 'shared' | 'none' | 'forbidden'): void {
    const customer = this.store.customerOf(`x@${domain}`);
    if (!customer) throw new Error(`No customer owns the domain ${domain}.`);
    this.peopleSettings.directorySharing.set(customer.id, sharing);
  }

  /**
   * Switches on the production-like traffic profile (traffic-profile.ts): quotas, latency,
   * propagation delay with reordering, a stale search cache and occasional 429/500/503 answers.
   * `off` puts the defaults back.
   */
  useTrafficProfile(name: TrafficProfileName): void {
    applyTrafficProfile(this, name);
  }

  /** Sets how many live contacts an account may hold (default 25,000, FACTS.md). */
  setMaxContactsPerAccount(count: number): void {
    this.peopleSettings.maxContactsPerAccount = count;
  }

  /** The Workspace's users, customers and groups (read-only view for tests and the control API). */
  get workspace(): Pick<WorkspaceStore, 'customers' | 'users' | 'groups'> {
    return this.store;
  }

  /**
   * Links a contact to a profile as Google may do on its own: the contact gets a new resource
   * name, and sync listings show the old one in `metadata.previousResourceNames`. Returns the new name.
   */
  linkContactToProfile(email: string, resourceName: string): string {
    const book = this.store.book(email);
    const n = contactNumber(resourceName);
    const record = n === undefined ? undefined : book?.contacts.get(n);
    if (!book || !record || record.deleted)
      throw new Error(`No contact ${resourceName} for ${email}.`);
    this.store.renumberContact(book, record, resourceName, this.clock.now());
    return contactResourceName(record.n);
  }

  /** The number of live contacts of a user, or undefined for an unknown user. */
  contactCount(email: string): number | undefined {
    return this.store.book(email)?.liveCount;
  }

  private buildRoutes(): void {
    this.store.propagationDelay = () => this.propagationDelay();
    this.routes = [
      ...peopleRoutes(this.store, this.clock, this.peopleSettings),
      ...directoryRoutes(this.store),
      ...authRoutes(this.oauth, this.idTokens, this.store),
      ...this.storage.routes(),
    ];
  }

  private dispatch(request: EmulatorRequest, mutationsSeen: Map<string, number>): EmulatorResponse {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return respond(
        new GoogleApiError(400, `Invalid URL: ${request.url}`, 'INVALID_ARGUMENT').toBody(),
        400,
        0,
      );
    }
    const loopback = LOOPBACK_HOSTS.has(url.hostname);
    const method = request.method.toUpperCase();
    const path = url.pathname;
    const candidates = loopback && path.startsWith('/__emulator/') ? this.control : this.routes;
    const found = matchRoute(candidates, loopback ? undefined : url.hostname, method, path);
    if (found instanceof GoogleApiError) return respond(found.toBody(), found.code, 0);
    const { route, params } = found;
    const service = route.host;
    let caller: AccessGrant = { email: '', scopes: new Set(), expiresAt: Infinity };
    let token = '';
    let extraLatency = 0;
    try {
      if (route.scopes !== null) [caller, token] = this.authorise(request, url, route);
      const concurrency = this.traffic.settings.concurrentMutations;
      if (route.mutation && concurrency.mode !== 'off') {
        // Overlapping: earlier mutations of this fetchAll, and those of other executions (other
        // tokens of the user) still in flight on the virtual clock.
        const earlier =
          (mutationsSeen.get(caller.email) ?? 0) +
          this.traffic.overlappingMutations(caller.email, token, this.clock.now());
        mutationsSeen.set(caller.email, (mutationsSeen.get(caller.email) ?? 0) + 1);
        if (earlier > 0 && concurrency.mode === 'fail')
          throw new GoogleApiError(
            409,
            'The operation was aborted: another mutation for the same user was in progress. Send mutations for one user sequentially.',
            'ABORTED',
          );
        extraLatency = earlier * concurrency.extraLatencyMs;
      }
      const fault = this.traffic.takeFault(route.operation, caller.email);
      if (fault === 'timeout') {
        this.traffic.count(route.operation, caller.email, 0);
        throw new EmulatorTimeoutError(request.url, this.traffic.settings.timeoutMs);
      }
      if (fault !== undefined) throw faultError(fault, service);
      const kinds = typeof route.quota === 'function' ? route.quota(url) : [route.quota].flat();
      this.traffic.chargeQuota(kinds, caller.email, this.clock.now(), service);
      const result = route.run({
        method,
        url,
        params,
        body: request.body,
        caller,
        now: this.clock.now(),
      });
      const status = result.status ?? 200;
      this.traffic.count(route.operation, caller.email, status);
      const latency = this.latencyOf(result.items ?? 1) + extraLatency;
      if (route.mutation)
        this.traffic.recordMutation(caller.email, token, this.clock.now(), latency);
      return respond(result.body, status, latency);
    } catch (error) {
      if (error instanceof EmulatorTimeoutError) throw error;
      const latency = this.latencyOf(0) + extraLatency;
      if (error instanceof OAuthError) {
        this.traffic.count(route.operation, caller.email, error.httpStatus);
        return respond(
          { error: error.error, error_description: error.description },
          error.httpStatus,
          latency,
        );
      }
      const googleError =
        error instanceof GoogleApiError
          ? error
          : new GoogleApiError(
              500,
              `Internal error encountered in the emulator: ${error instanceof Error ? error.message : String(error)}`,
              'INTERNAL',
            );
      this.traffic.count(route.operation, caller.email, googleError.code);
      return respond(googleError.toBody(), googleError.code, latency, googleError.headers);
    }
  }

  /** Checks the bearer token; returns what it grants and the token itself. */
  private authorise(request: EmulatorRequest, url: URL, route: Route): [AccessGrant, string] {
    const header = Object.entries(request.headers).find(
      ([name]) => name.toLowerCase() === 'authorization',
    )?.[1];
    const token = header?.startsWith('Bearer ')
      ? header.slice(7).trim()
      : url.searchParams.get('access_token');
    if (!token) throw unauthenticated('missing');
    const grant = this.oauth.lookup(token);
    if (grant === undefined) throw unauthenticated('invalid');
    if (grant === 'expired') throw unauthenticated('expired');
    const scopes = route.scopes ?? [];
    if (!scopes.some((scope) => grant.scopes.has(scope)))
      throw insufficientScopes(route.host, route.rpc);
    return [grant, token];
  }

  private latencyOf(items: number): number {
    const { fixedMs, perItemMs } = this.traffic.settings.latency;
    return fixedMs + perItemMs * items;
  }
}
