/**
 * This file renders the OpenAPI 3.1 document of the backend from its routes and their zod
 * schemas, so that the documentation is exactly what requests are validated against.
 */
import { z } from 'zod';
import { MAX_PATH_PARAMETER, type Route } from './http';
import { errorBody } from './schemas';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

function queryParameters(schema: z.ZodType | undefined): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema) as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: object.required?.includes(name) ?? false,
    schema: property,
  }));
}

/** Returns the OpenAPI document of the routes. */
export function openApiDocument(routes: Route[]): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const error = { content: { 'application/json': { schema: jsonSchema(errorBody) } } };
  for (const route of routes) {
    const declared: Record<string, JsonSchema> = route.params
      ? ((jsonSchema(route.params).properties as Record<string, JsonSchema> | undefined) ?? {})
      : {};
    const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: declared[match[1] ?? ''] ?? {
        type: 'string',
        minLength: 1,
        maxLength: MAX_PATH_PARAMETER,
      },
    }));
    const operation: JsonSchema = {
      summary: route.summary,
      parameters: [...pathParameters, ...queryParameters(route.query)],
      responses: {
        '200': { description: 'Success', content: { 'application/json': {} } },
        '400': { description: 'Invalid request', ...error },
        ...(route.auth
          ? {
              '401': { description: 'Missing or invalid ID token', ...error },
              '403': { description: 'Not allowed', ...error },
              '429': { description: 'Rate limited; see Retry-After', ...error },
            }
          : {}),
      },
      ...(route.auth ? { security: [{ googleIdToken: [] }] } : { security: [] }),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body) } },
            },
          }
        : {}),
    };
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Shared Contacts backend',
      version: '1',
      description:
        'Share registry, tenant policy, hash-chained audit log, anomaly alerts and the delegated-token broker. Errors are { "error": { "code", "message" } }.',
    },
    components: {
      securitySchemes: {
        googleIdToken: { type: 'http', scheme: 'bearer', bearerFormat: 'Google ID token (JWT)' },
      },
    },
    paths,
  };
}
