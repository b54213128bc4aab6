/**
 * This file fuzzes the backend on PGlite and PostgreSQL: it reads GET /openapi.json at test time,
 * so every route added later is covered, and fast-check sends each operation requests built from
 * its own schemas (bodies and queries shaped like real ones, filled with hostile values) or from a
 * corpus of hostile input (malformed, null, huge and deeply nested bodies, odd charsets and
 * encodings, NUL bytes, lone surrogates, a leading byte-order mark, percent-encoded and overlong
 * ids, prototype keys), as users, admins, vendor staff, the scheduler, accounts without `hd`
 * and no one. Every answer must be JSON, never a 5xx, errors `{ "error": { code, message } }`
 * with no stack trace or path; afterwards every audit chain still verifies, against its anchor.
 * FUZZ_RUNS sets the number of requests per database (300 by default; the issue's run was 8,000).
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { DATABASES } from './harness';
import { startEmulatedHarness, type EmulatedHarness } from './emulated';
import { answerProblems, hostileCases, rawRequest, type RawRequest } from './hostile';
import { AGENT, MANAGER, SCHEDULER } from '../fixtures/staff';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  maxItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  format?: string;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
};

interface Operation {
  parameters?: { name: string; in: string; schema: JsonSchema }[];
  requestBody?: { content: { 'application/json': { schema: JsonSchema } } };
}

/** Strings that broke, or could break, a backend. */
const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  'x\uDC00y',
  '\uFEFFbom',
  '😀',
  `${'a'.repeat(199)}😀`,
  'a'.repeat(5000),
  `${'a'.repeat(3000)}@${'b.'.repeat(2000)} `,
  '<script>alert(1)</script>',
  "'; DROP TABLE audit_events; --",
  '%00',
  '%E0%A4%A',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'toString',
  '\u202Eevil',
  'e\u0301',
  'alice@acme.example',
  'bob@acme.example',
  'acme.example',
  'contactGroups/x',
  'https://www.googleapis.com/auth/contacts',
  '2026-01-01T00:00:00Z',
  'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
];

/** Strings a real request carries, so that requests also get past validation. */
const PLAUSIBLE_STRINGS = [
  'alice@acme.example',
  'bob@acme.example',
  'carol@acme.example',
  'team@acme.example',
  'acme.example',
  'globex.example',
  'contactGroups/x',
  'Team',
  'https://www.googleapis.com/auth/contacts',
  'https://www.googleapis.com/auth/contacts.readonly',
  '2026-01-01T00:00:00.000Z',
  '123456',
  'T-1',
  'because the user asked',
  'contact.updated',
];

const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
/** Mostly plausible, often hostile. */
const anyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...PLAUSIBLE_STRINGS) },
  { weight: 2, arbitrary: hostileString },
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -1, 1e308, -0, 5, 60, 3650, 2 ** 53),
  fc.double({ noNaN: true }),
);

/** Values shaped by a JSON schema, most fields hostile, sometimes with extra or prototype keys. */
function fromSchema(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return fc.jsonValue({ maxDepth: 2 });
  const choices: fc.Arbitrary<unknown>[] = [];
  if (schema.const !== undefined) choices.push(fc.constant(schema.const));
  if (schema.enum) choices.push(fc.constantFrom(...schema.enum));
  for (const option of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])])
    choices.push(fromSchema(option, depth + 1));
  const types = [schema.type ?? []].flat();
  if (types.includes('object') || schema.properties) {
    const properties = Object.fromEntries(
      Object.entries(schema.properties ?? {}).map(([key, value]) => [
        key,
        fromSchema(value, depth + 1),
      ]),
    );
    const required = schema.required ?? [];
    choices.push(
      fc
        .tuple(
          fc.record(properties, { requiredKeys: required.filter((key) => key in properties) }),
          fc.oneof(
            { weight: 5, arbitrary: fc.constant(undefined) },
            {
              weight: 1,
              arbitrary: fc.dictionary(
                fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra', 'x'),
                fc.jsonValue({ maxDepth: 1 }),
                { minKeys: 1, maxKeys: 2 },
              ),
            },
          ),
        )
        .map(([value, extra]) => {
          if (!extra) return value;
          const merged: Record<string, unknown> = { ...(value as Record<string, unknown>) };
          for (const [key, item] of Object.entries(extra))
            Object.defineProperty(merged, key, { value: item, enumerable: true, writable: true });
          return merged;
        }),
    );
  }
  if (types.includes('array'))
    choices.push(
      fc.array(fromSchema(schema.items, depth + 1), {
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      }),
    );
  if (types.includes('string')) {
    if (schema.format === 'date-time')
      choices.push(fc.date({ noInvalidDate: true }).map((date) => date.toISOString()));
    choices.push(anyString);
  }
  if (types.includes('integer') || types.includes('number')) choices.push(hostileNumber);
  if (types.includes('boolean')) choices.push(fc.boolean());
  if (choices.length === 0) return fc.jsonValue({ maxDepth: 2 });
  // Now and then a value of the wrong type altogether.
  return fc.oneof(
    { weight: 8, arbitrary: fc.oneof(...choices) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
}

const HOSTILE_IDS = [
  'a%00b',
  '%ED%A0%80',
  '%E0%A4%A',
  '%C0%AF',
  '%EF%BB%BFid',
  '..',
  '%2e%2e',
  'a%2Fb',
  '__proto__',
  'constructor',
  encodeURIComponent(`${'a'.repeat(199)}😀`),
  'a'.repeat(400),
  encodeURIComponent('alice@acme.example'),
  'acme.example',
  encodeURIComponent("x' OR '1'='1"),
];

describe.each(DATABASES)('fuzzing every operation of /openapi.json on %s', (kind) => {
  let h: EmulatedHarness;
  let paths: Record<string, Record<string, Operation>>;
  const ids: string[] = [];
  beforeAll(async () => {
    h = await startEmulatedHarness(
      kind,
      { otpEncryptionKeys: `fuzz:${randomBytes(32).toString('base64')}` },
      {},
      undefined,
      { anchoring: true },
    );
    paths = (await rawRequest(h.url, { method: 'GET', path: '/openapi.json' })).body.paths;
    // Real ids too, so that requests also reach past the lookups.
    const share = await h.request('POST', '/v1/shares', {
      token: h.token('alice@acme.example'),
      body: {
        labelResourceName: 'contactGroups/fuzz',
        labelName: 'Fuzz',
        grants: [{ target: { kind: 'user', email: 'bob@acme.example' }, level: 'edit' }],
      },
    });
    ids.push(share.body.id);
    await h.request('POST', '/v1/audit/anchors', {
      token: h.token(MANAGER, { hostedDomain: 'vendor.example' }),
      body: {},
    });
  }, 120_000);
  afterAll(async () => {
    await h.close();
  });

  it('answers every request with JSON and never a 5xx, and every chain verifies afterwards', async () => {
    const operations = Object.entries(paths).flatMap(([template, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        template,
        method: method.toUpperCase(),
        operation,
      })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(30);
    const callers = (): (string | undefined)[] => [
      h.token('alice@acme.example'),
      h.token('bob@acme.example'),
      h.token('admin@acme.example'),
      h.token('zed@globex.example'),
      h.token('nohd@gmail.example', { hostedDomain: undefined }),
      h.token(MANAGER, { hostedDomain: 'vendor.example' }),
      h.token(AGENT, { hostedDomain: 'vendor.example' }),
      h.token(SCHEDULER, { hostedDomain: undefined }),
      'not-a-token',
      undefined,
    ];
    const tokens = callers();
    const corpus = hostileCases('TOKEN').filter((c) => c.request.body !== undefined);

    const request = fc.constantFrom(...operations).chain(({ template, method, operation }) => {
      const pathParameters = [...template.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const idArbitrary = fc.oneof(
        fc.constantFrom(...HOSTILE_IDS),
        fc.constantFrom(...(ids.length > 0 ? ids : ['none'])),
        hostileString.map((value) => encodeURIComponent(value.replace(/[\uD800-\uDFFF]/g, 'x'))),
      );
      const queryParameters = (operation.parameters ?? []).filter((p) => p.in === 'query');
      const query = fc.record(
        Object.fromEntries(
          queryParameters.map((parameter) => [parameter.name, fromSchema(parameter.schema)]),
        ),
        { requiredKeys: [] },
      );
      const schemaBody = fromSchema(operation.requestBody?.content['application/json'].schema).map(
        (value) => ({ body: JSON.stringify(value) ?? 'null', headers: {} }),
      );
      const corpusBody = fc.constantFrom(...corpus).map((c) => ({
        body: c.request.body as string | Buffer,
        headers: Object.fromEntries(
          Object.entries(c.request.headers ?? {}).filter(([name]) => name !== 'authorization'),
        ),
      }));
      return fc.record({
        method: fc.constant(method),
        template: fc.constant(template),
        params: fc.tuple(...pathParameters.map(() => idArbitrary)),
        query,
        rawQuery: fc.option(fc.constantFrom('a=%E0%A4%A', 'x=%00', '__proto__=1', 'q=1&q=2'), {
          freq: 8,
        }),
        body: fc.oneof({ weight: 4, arbitrary: schemaBody }, { weight: 1, arbitrary: corpusBody }),
        caller: fc.nat(tokens.length - 1),
      });
    });

    let sent = 0;
    await fc.assert(
      fc.asyncProperty(request, async (spec) => {
        let path = spec.template;
        for (const value of spec.params) path = path.replace(/\{\w+\}/, value);
        const search = Object.entries(spec.query)
          .filter(([, value]) => value !== undefined)
          .map(
            ([name, value]) =>
              `${encodeURIComponent(name)}=${encodeURIComponent(
                (typeof value === 'string' ? value : JSON.stringify(value)).replace(
                  /[\uD800-\uDFFF]/g,
                  'x',
                ),
              )}`,
          );
        if (spec.rawQuery) search.push(spec.rawQuery);
        const token = tokens[spec.caller];
        const hasBody = spec.method !== 'GET' && spec.method !== 'DELETE';
        const raw: RawRequest = {
          method: spec.method,
          path: `${path}${search.length > 0 ? `?${search.join('&')}` : ''}`,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(hasBody ? { 'content-type': 'application/json', ...spec.body.headers } : {}),
          },
          ...(hasBody ? { body: spec.body.body } : {}),
        };
        const response = await rawRequest(h.url, raw);
        sent += 1;
        const problems = answerProblems(response);
        if (problems.length > 0)
          throw new Error(`${raw.method} ${raw.path.slice(0, 300)}: ${problems.join('; ')}`);
      }),
      { numRuns: RUNS },
    );
    expect(sent).toBe(RUNS);

    const manager = h.token(MANAGER, { hostedDomain: 'vendor.example' });
    const tenants = await h.server.backend.services.db.query<{ tenant: string }>(
      'SELECT tenant FROM audit_heads',
    );
    expect(tenants.length).toBeGreaterThan(0);
    for (const { tenant } of tenants) {
      const verified = await h.request(
        'GET',
        `/v1/audit/verify?tenant=${encodeURIComponent(tenant)}`,
        {
          token: manager,
        },
      );
      expect({ tenant, ok: verified.body.ok, anchor: verified.body.anchor?.status }).toEqual({
        tenant,
        ok: true,
        anchor: expect.stringMatching(/^(verified|not_in_anchor)$/),
      });
    }
  }, 600_000);
});
