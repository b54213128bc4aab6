/** This file defines the backend's public routes: the liveness check and the OpenAPI document. */
import type { BackendServices } from '../services';
import { route, type Route } from './http';

/** Returns the health and OpenAPI routes; `openapi` renders the document from every route. */
export function platformRoutes(services: BackendServices, openapi: () => unknown): Route[] {
  const { db } = services;
  return [
    route({
      method: 'GET',
      path: '/healthz',
      summary: 'Liveness and database check.',
      auth: false,
      handle: async () => {
        await db.query('SELECT 1');
        return { body: { status: 'ok' } };
      },
    }),
    route({
      method: 'GET',
      path: '/openapi.json',
      summary: 'This API as an OpenAPI 3.1 document.',
      auth: false,
      handle: async () => ({ body: openapi() }),
    }),
  ];
}
