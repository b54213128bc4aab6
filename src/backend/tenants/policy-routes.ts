/** This file defines the routes that read and replace an organisation's policy. */
import type { TenantPolicy } from '../../core/tenant-policy';
import { EVENT } from '../audit/event-types';
import { badRequest, forbidden } from '../platform/errors';
import { route, type Route } from '../platform/http';
import { domainParams } from '../platform/schemas';
import type { BackendServices } from '../services';
import { policies } from './policy-store';
import * as schema from './policy-schemas';

/** Returns the policy routes. */
export function policyRoutes(services: BackendServices): Route[] {
  const { db } = services;
  return [
    route({
      method: 'GET',
      path: '/v1/tenants/{domain}/policy',
      summary:
        'Reads the policy of an organisation, named by any of its domains, with the domains it covers (its users; vendor staff).',
      auth: true,
      params: domainParams,
      handle: async (context) => {
        const who = context.caller;
        const tenant = await services.tenancy.tenantNamedBy(context.params.domain ?? '', who);
        if (who.tenant !== tenant && !who.isSecurityManager && !who.isSupportAgent)
          return services.refuse(
            who,
            context.origin,
            { type: EVENT.policyDenied, outcome: 'denied', detail: { action: 'read' } },
            forbidden("you may read only your own organisation's policy", 'not_your_tenant'),
          );
        return {
          body: {
            domain: tenant,
            domains: await services.tenancy.domainsOf(tenant),
            policy: await policies.get(db, tenant),
          },
        };
      },
    }),
    route({
      method: 'PUT',
      path: '/v1/tenants/{domain}/policy',
      summary:
        'Replaces the policy of an organisation, named by any of its domains; it covers all of them (its admins); audited.',
      auth: true,
      params: domainParams,
      body: schema.policySchema,
      handle: async (context) => {
        const who = context.caller;
        const domain = await services.tenancy.tenantNamedBy(context.params.domain ?? '', who);
        if (!(await services.isAdminOf(who, domain)))
          return services.refuse(
            who,
            context.origin,
            { type: EVENT.policyDenied, outcome: 'denied', detail: { action: 'change' } },
            forbidden("only your organisation's admins may change its policy", 'not_admin'),
          );
        if (context.body.externalSharing || context.body.allowedExternalDomains.length > 0)
          throw badRequest(
            'labels can be shared only inside your own organisation; externalSharing must be false and allowedExternalDomains empty',
            'external_sharing_unavailable',
          );
        const policy = {
          ...context.body,
          allowedExternalDomains: context.body.allowedExternalDomains.map((d) => d.toLowerCase()),
        };
        await services.audited(async (tx, record) => {
          const before = await policies.get(tx, domain);
          await policies.put(tx, domain, policy, who.email, services.nowIso());
          const changed = (Object.keys(policy) as (keyof TenantPolicy)[]).filter(
            (key) => JSON.stringify(before[key]) !== JSON.stringify(policy[key]),
          );
          await record(domain, who.email, context.origin, [
            {
              type: EVENT.policyChanged,
              outcome: 'success',
              detail: {
                changed: changed.join(','),
                externalSharing: policy.externalSharing,
                allowedExternalDomains: policy.allowedExternalDomains.join(','),
                whoMayShare: policy.whoMayShare,
                maxLevel: policy.maxLevel,
                supportAccess: policy.supportAccess,
              },
            },
          ]);
        });
        return { body: { domain, domains: await services.tenancy.domainsOf(domain), policy } };
      },
    }),
  ];
}
