/**
 * This file defines the emulator's control API under /__emulator/ (loopback only, never on a
 * Google host): reset, seed, users and groups, tokens, service accounts, delegation grants,
 * call counters, the traffic model and its profiles, directory sharing, faults, Cloud Storage
 * buckets and the virtual clock. The README lists it.
 */
import { invalidArgument } from './google-errors';
import { jsonBody, type Route, type RouteContext, type RouteResult } from './route-context';
import type { FaultRule, TrafficSettingsPatch } from './traffic-model';
import { TRAFFIC_PROFILES, type TrafficProfileName } from './traffic-profile';
import type { SeedSpec } from '../seed/workspace-seed';
import type { WorkspaceEmulator } from './workspace-emulator';

/** Builds the control routes of an emulator. */
export function controlRoutes(emulator: WorkspaceEmulator): Route[] {
  const route = (
    method: string,
    path: string,
    run: (context: RouteContext, body: Record<string, unknown>) => unknown,
  ): Route => ({
    method,
    host: 'emulator',
    pattern: new RegExp(`^/__emulator/${path}$`),
    operation: `emulator.${path.replace(/\(.*?\)/g, 'x').replace(/\//g, '.')}`,
    rpc: 'emulator',
    scopes: null,
    quota: 'none',
    mutation: false,
    run: (context): RouteResult => {
      try {
        return {
          body:
            run(context, method === 'GET' || method === 'DELETE' ? {} : jsonBody(context)) ?? {},
        };
      } catch (error) {
        if (error instanceof Error && error.name === 'Error') throw invalidArgument(error.message);
        throw error;
      }
    },
  });

  const text = (body: Record<string, unknown>, name: string): string => {
    const value = body[name];
    if (typeof value !== 'string' || value === '')
      throw invalidArgument(`"${name}" is required and must be a string.`);
    return value;
  };
  const strings = (body: Record<string, unknown>, name: string): string[] => {
    const value = body[name];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
      throw invalidArgument(`"${name}" must be a list of strings.`);
    return value as string[];
  };

  const model = () => ({
    ...emulator.traffic.settings,
    ...emulator.peopleSettings,
    directorySharing: Object.fromEntries(emulator.peopleSettings.directorySharing),
  });

  return [
    route('POST', 'reset', () => {
      emulator.reset();
      return {};
    }),
    route('POST', 'seed', (_context, body) => emulator.seed(body as SeedSpec)),
    route('POST', 'customers', (_context, body) =>
      emulator.addCustomer(
        text(body, 'primaryDomain'),
        body.secondaryDomains === undefined ? [] : strings(body, 'secondaryDomains'),
        body.aliasDomains === undefined ? [] : strings(body, 'aliasDomains'),
      ),
    ),
    route('POST', 'users', (_context, body) =>
      emulator.addUser(text(body, 'email'), {
        ...(typeof body.givenName === 'string' ? { givenName: body.givenName } : {}),
        ...(typeof body.familyName === 'string' ? { familyName: body.familyName } : {}),
        isAdmin: body.isAdmin === true,
      }),
    ),
    route('POST', 'groups', (_context, body) => {
      const group = emulator.addGroup(
        text(body, 'email'),
        text(body, 'name'),
        typeof body.description === 'string' ? body.description : '',
      );
      return { id: group.id, email: group.email, name: group.name };
    }),
    route('POST', 'groups/([^/]+)/members', (context, body) => {
      const role = body.role === 'OWNER' || body.role === 'MANAGER' ? body.role : 'MEMBER';
      emulator.addGroupMember(context.params[0] ?? '', text(body, 'email'), role);
      return {};
    }),
    route('POST', 'tokens', (_context, body) => {
      const lifetime = typeof body.lifetimeSeconds === 'number' ? body.lifetimeSeconds : 3599;
      return {
        access_token: emulator.mintAccessToken(
          text(body, 'email'),
          strings(body, 'scopes'),
          lifetime,
        ),
        expires_in: lifetime,
        token_type: 'Bearer',
      };
    }),
    route('POST', 'id-tokens', (_context, body) => ({
      id_token: emulator.idTokens.mint({
        email: text(body, 'email'),
        audience: text(body, 'audience'),
        ...(typeof body.hostedDomain === 'string' ? { hostedDomain: body.hostedDomain } : {}),
        issuedAt: Math.floor(emulator.clock.now() / 1000),
      }),
    })),
    route('POST', 'service-accounts', (_context, body) => ({
      clientId: emulator.createServiceAccount(text(body, 'email')),
    })),
    route('POST', 'service-accounts/([^/]+)/keys', (context, body) => ({
      clientId: emulator.registerServiceAccountKey(
        context.params[0] ?? '',
        text(body, 'publicKeyPem'),
        typeof body.keyId === 'string' ? body.keyId : undefined,
      ),
    })),
    route('POST', 'service-accounts/([^/]+)/token-creators', (context, body) => {
      emulator.grantTokenCreator(context.params[0] ?? '', text(body, 'principal'));
      return {};
    }),
    route('POST', 'buckets', (_context, body) => {
      const list = (name: string) => (body[name] === undefined ? [] : strings(body, name));
      const bucket = emulator.createBucket({
        name: text(body, 'name'),
        ...(typeof body.retentionSeconds === 'number'
          ? { retentionSeconds: body.retentionSeconds }
          : {}),
        locked: body.locked === true,
        admins: list('admins'),
        writers: list('writers'),
        readers: list('readers'),
      });
      return { name: bucket.name };
    }),
    route('GET', 'delegation', () => ({ grants: emulator.delegationGrants() })),
    route('POST', 'delegation', (_context, body) => {
      emulator.grantDomainWideDelegation(
        text(body, 'domain'),
        text(body, 'clientId'),
        strings(body, 'scopes'),
      );
      return {};
    }),
    route('DELETE', 'delegation', (context) => {
      const domain = context.url.searchParams.get('domain');
      const clientId = context.url.searchParams.get('clientId');
      if (!domain || !clientId)
        throw invalidArgument('"domain" and "clientId" query parameters are required.');
      emulator.revokeDomainWideDelegation(domain, clientId);
      return {};
    }),
    route('GET', 'calls', (context) => {
      const filter = {
        ...(context.url.searchParams.get('operation')
          ? { operation: context.url.searchParams.get('operation') ?? '' }
          : {}),
        ...(context.url.searchParams.get('user')
          ? { user: context.url.searchParams.get('user') ?? '' }
          : {}),
        ...(context.url.searchParams.get('status')
          ? { status: Number(context.url.searchParams.get('status')) }
          : {}),
      };
      return {
        count: emulator.callCount(filter),
        byOperation: emulator.traffic.callsByOperation(),
      };
    }),
    route('GET', 'model', () => model()),
    route('POST', 'model', (_context, body) => {
      emulator.configureTraffic(body as TrafficSettingsPatch);
      if (typeof body.maxContactsPerAccount === 'number')
        emulator.setMaxContactsPerAccount(body.maxContactsPerAccount);
      if (
        typeof body.syncVisibilityDelayMs === 'number' ||
        typeof body.syncVisibilityJitterMs === 'number'
      )
        emulator.setSyncVisibilityDelay(
          typeof body.syncVisibilityDelayMs === 'number'
            ? body.syncVisibilityDelayMs
            : emulator.peopleSettings.syncVisibilityDelayMs,
          typeof body.syncVisibilityJitterMs === 'number'
            ? body.syncVisibilityJitterMs
            : emulator.peopleSettings.syncVisibilityJitterMs,
        );
      if (typeof body.searchCacheStalenessMs === 'number')
        emulator.setSearchCacheStaleness(body.searchCacheStalenessMs);
      return model();
    }),
    route('POST', 'profile', (_context, body) => {
      const name = body.name;
      if (typeof name !== 'string' || !(TRAFFIC_PROFILES as readonly string[]).includes(name))
        throw invalidArgument(`"name" must be one of ${TRAFFIC_PROFILES.join(', ')}.`);
      emulator.useTrafficProfile(name as TrafficProfileName);
      return model();
    }),
    route('POST', 'directory-sharing', (_context, body) => {
      const sharing = body.sharing;
      if (sharing !== 'shared' && sharing !== 'none' && sharing !== 'forbidden')
        throw invalidArgument('"sharing" must be "shared", "none" or "forbidden".');
      emulator.setDirectorySharing(text(body, 'domain'), sharing);
      return {};
    }),
    route('POST', 'faults', (_context, body) => {
      const status = body.status;
      if (status !== 429 && status !== 500 && status !== 503 && status !== 'timeout')
        throw invalidArgument('"status" must be 429, 500, 503 or "timeout".');
      emulator.injectFault(body as unknown as FaultRule);
      return {};
    }),
    route('DELETE', 'faults', () => {
      emulator.traffic.clearFaults();
      return {};
    }),
    route('GET', 'clock', () => ({
      now: emulator.clock.now(),
      iso: new Date(emulator.clock.now()).toISOString(),
    })),
    route('POST', 'clock', (_context, body) => {
      if (typeof body.advanceMs !== 'number' || body.advanceMs < 0)
        throw invalidArgument('"advanceMs" must be a non-negative number.');
      emulator.clock.advance(body.advanceMs);
      return { now: emulator.clock.now() };
    }),
    route('GET', 'workspace', () => ({
      customers: [...emulator.workspace.customers.values()],
      users: [...emulator.workspace.users.values()].map((user) => ({
        email: user.primaryEmail,
        isAdmin: user.isAdmin,
        contacts: emulator.contactCount(user.primaryEmail),
      })),
      groups: [...emulator.workspace.groups.values()].map((group) => ({
        email: group.email,
        members: [...group.members.keys()],
      })),
    })),
  ];
}
