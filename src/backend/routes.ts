/**
 * This file lists every endpoint of the backend (DESIGN.md §6), feature by feature: each feature
 * folder exports its routes, and this list is what the router matches and /openapi.json renders.
 */
import { alertRoutes } from './rules/alert-routes';
import { anchorRoutes } from './audit/anchor-routes';
import { auditRoutes } from './audit/audit-routes';
import { gatewayRoutes } from './gateway/gateway-routes';
import { offboardingRoutes } from './admin/offboarding-routes';
import type { Route } from './platform/http';
import { platformRoutes } from './platform/platform-routes';
import { policyRoutes } from './tenants/policy-routes';
import { reachedAccountsRoutes } from './shares/reached-accounts-routes';
import type { BackendServices } from './services';
import { shareRoutes } from './shares/share-routes';
import { sidebarRoutes } from './shares/sidebar-routes';
import { supportRoutes } from './support/support-routes';
import { transferRoutes } from './shares/transfer-routes';

/** Returns the routes of the backend. `openapi` renders the document from the same routes. */
export function buildRoutes(services: BackendServices, openapi: () => unknown): Route[] {
  return [
    ...platformRoutes(services, openapi),
    ...auditRoutes(services),
    ...shareRoutes(services),
    ...policyRoutes(services),
    ...alertRoutes(services),
    ...supportRoutes(services),
    ...sidebarRoutes(services),
    ...offboardingRoutes(services),
    ...reachedAccountsRoutes(services),
    ...gatewayRoutes(services),
    ...transferRoutes(services),
    ...anchorRoutes(services),
  ];
}
