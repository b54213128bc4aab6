/**
 * This file lists the support endpoints (/v1/support/..., DESIGN.md §6–§7): an agent's second
 * factor, support sessions, what an agent does within one, and access transparency. Every step and
 * every refusal is an audit event that feeds the anomaly rules.
 */
import type { Route } from '../platform/http';
import type { BackendServices } from '../services';
import { browseRoutes } from './browse-routes';
import { factorRoutes } from './factor-routes';
import { sessionRoutes } from './session-routes';
import { supportContext } from './support-context';
import { transparencyRoutes } from './transparency-routes';

/** Returns the support routes, which share one support context. */
export function supportRoutes(services: BackendServices): Route[] {
  const support = supportContext(services);
  return [
    ...factorRoutes(services, support),
    ...sessionRoutes(services, support),
    ...browseRoutes(services, support),
    ...transparencyRoutes(services, support),
  ];
}
