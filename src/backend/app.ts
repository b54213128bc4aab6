/**
 * This file assembles the backend: `createBackend(options)` opens the database, wires the
 * services and returns a request handler; `startBackendServer` serves it over HTTP on
 * 127.0.0.1 (tests, local runs); `lazyHandler` is what functions-framework registers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GoogleAuth } from 'google-auth-library';
import { IdTokenVerifier, type Caller } from './platform/auth';
import { configFromEnv, type BackendConfig } from './platform/config';
import { DatabaseUnavailableError, openDatabase } from './platform/db';
import { HttpError, badRequest, notFound } from './platform/errors';
import { DelegatedTokenMinter } from './platform/delegated-token-minter';
import { GoogleDirectory, type Directory, type DirectoryAdmins } from './platform/directory';
import { IamSigner, LocalKeySigner, type Signer } from './platform/signer';
import {
  checkJsonHeaders,
  decodePathParameters,
  matchRoute,
  parseJsonBody,
  parseQuery,
  readBody,
  sendFile,
  sendJson,
  validate,
  type Reply,
} from './platform/http';
import { jsonLogger, traceField, type Logger, type Severity } from './platform/logger';
import { answerClientErrorsAsJson, restoreRequest } from './platform/framework-takeover';
import { SharedRateLimiter } from './platform/rate-limit';
import { truncateText } from './platform/text';
import { AlertNotifier, DEFAULT_DELIVERY } from './rules/notifier';
import { CloudStorageAnchorStore } from './audit/anchor-store';
import { AuditAnchoring } from './audit/anchoring';
import {
  IamBlobSigner,
  LocalBlobSigner,
  PublishedKeys,
  type BlobSigner,
} from './audit/blob-signer';
import { openApiDocument } from './platform/openapi';
import { buildRoutes } from './routes';
import { RuleEngine } from './rules/rules';
import { emptyQuery } from './platform/schemas';
import { BackendServices } from './services';
import { DatabaseSupportSessions, type SupportSessions } from './support/support-store';
import type { Tenancy } from './tenants/tenancy';

/** How to build a backend; everything but `config` has a production default. */
export interface BackendOptions {
  config: BackendConfig;
  logger?: Logger;
  /** Replaces the signer chosen by `config.signer`. */
  signer?: Signer;
  /**
   * The function's own access token for IAM signJwt and signBlob and for Cloud Storage
   * (application default credentials otherwise).
   */
  ownAccessToken?: () => Promise<string>;
  /** Replaces the anchor signer chosen by `config.signer` (IAM signBlob, or a key made at start). */
  anchorSigner?: BlobSigner;
  supportSessions?: SupportSessions;
  clock?: () => number;
}

/** A running backend. */
export interface Backend {
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
  readonly services: BackendServices;
  readonly signer: Signer;
  /** Signs the audit anchors, when anchoring is configured (its key must be published). */
  readonly anchorSigner?: BlobSigner;
  close(): Promise<void>;
}

function defaultOwnAccessToken(): () => Promise<string> {
  const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
  return async () => {
    const token = await auth.getAccessToken();
    if (!token) throw new Error('no application default credentials for IAM signJwt');
    return token;
  };
}

function clientOrigin(request: IncomingMessage): string {
  const forwarded = request.headers['x-forwarded-for'];
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  return truncateText(hops[hops.length - 1] ?? request.socket.remoteAddress ?? 'unknown', 100);
}

function severityOf(status: number): Severity {
  if (status >= 500) return 'ERROR';
  if (status >= 400) return 'WARNING';
  return 'INFO';
}

/** Builds the backend: opens and migrates the database and wires every service. */
export async function createBackend(options: BackendOptions): Promise<Backend> {
  const { config } = options;
  const logger = options.logger ?? jsonLogger();
  const clock = options.clock ?? Date.now;
  const db = await openDatabase(config, (error) =>
    logger.log('WARNING', 'idle database connection failed', { error: error.message }),
  );
  const ownAccessToken = options.ownAccessToken ?? defaultOwnAccessToken();
  const signer =
    options.signer ??
    (config.signer === 'iam'
      ? new IamSigner(config.serviceAccountEmail, config.iamCredentialsUrl, ownAccessToken)
      : new LocalKeySigner(config.serviceAccountEmail));
  const minter = new DelegatedTokenMinter(
    signer,
    config.googleTokenUrl,
    config.tokenRefreshMarginSeconds,
    clock,
  );
  // The Directory reads run as any current admin of the customer, whom the tenancy names.
  const late: { tenancy?: Tenancy } = {};
  const admins: DirectoryAdmins = {
    candidates: (domain) => late.tenancy?.candidates(domain) ?? Promise.resolve([]),
    unusable: async (domain, admin) => late.tenancy?.unusable(domain, admin),
  };
  const directory: Directory = new GoogleDirectory(
    minter,
    config.adminDirectoryUrl,
    config.groupsSettingsUrl,
    config.adminCacheSeconds,
    admins,
    clock,
  );
  const sessions = options.supportSessions ?? new DatabaseSupportSessions(db, clock);
  // Delivery timing (backoff, leases) runs on real time, shared by every instance.
  const notifier = new AlertNotifier(db, config.alertWebhookUrl, logger, Date.now, {
    ...DEFAULT_DELIVERY,
    ...config.alertDelivery,
  });
  const services = new BackendServices(
    config,
    db,
    new RuleEngine(config.rules, sessions),
    directory,
    minter,
    signer,
    notifier,
    sessions,
    logger,
    clock,
  );
  late.tenancy = services.tenancy;
  let anchorSigner: BlobSigner | undefined;
  if (config.anchorBucket) {
    anchorSigner =
      options.anchorSigner ??
      (config.signer === 'iam'
        ? new IamBlobSigner(config.serviceAccountEmail, config.iamCredentialsUrl, ownAccessToken)
        : new LocalBlobSigner(config.serviceAccountEmail));
    services.anchoring = new AuditAnchoring(
      db,
      new CloudStorageAnchorStore(config.storageUrl, config.anchorBucket, ownAccessToken),
      anchorSigner,
      new PublishedKeys(anchorSigner.serviceAccountEmail, config.serviceAccountKeysUrl),
      config.anchorIntervalSeconds * 1000,
      clock,
    );
  }
  const routes = buildRoutes(services, () => document);
  const document = openApiDocument(routes);
  const verifier = new IdTokenVerifier(config);
  const limiter = new SharedRateLimiter(db, config.rateLimitPerMinute, clock);

  async function dispatch(
    request: IncomingMessage,
    origin: string,
    timing: { upstreamMs: number },
  ): Promise<{ status: number; body: unknown; file?: Reply['file']; caller: Caller | null }> {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://backend.invalid');
    } catch {
      throw badRequest('the request URL is malformed', 'invalid_path');
    }
    const method = (request.method ?? 'GET').toUpperCase();
    const { route, params: rawParams, allowed } = matchRoute(routes, method, url.pathname);
    if (!route) {
      if (allowed.length > 0)
        throw new HttpError(
          405,
          'method_not_allowed',
          `use ${allowed.join(' or ')} on ${url.pathname}`,
          {
            allow: allowed.join(', '),
          },
        );
      throw notFound(`no endpoint ${truncateText(url.pathname, 200)}; see /openapi.json`);
    }
    let caller: Caller | null = null;
    if (route.auth) {
      try {
        caller = await verifier.authenticate(request.headers.authorization);
      } catch (error) {
        await limiter.take(`ip:${origin}`);
        throw error;
      }
      await limiter.take(`user:${caller.email}`);
      // A caller whose refused requests used up their budget is not served for a while.
      if (!services.refusals.available(`refusal:${caller.email}`))
        throw new HttpError(
          429,
          'too_many_refusals',
          'too many of your requests were refused; wait a minute before trying again',
          { 'retry-after': '60' },
        );
      const resolution = await services.tenancy.resolve(caller.email, caller.hostedDomain);
      caller.tenant = resolution.tenant;
      caller.customerId = resolution.customerId;
      if (resolution.problem) caller.tenantProblem = resolution.problem;
    } else await limiter.take(`ip:${origin}`);
    const decoded = decodePathParameters(rawParams);
    const params = route.params
      ? (validate(route.params, decoded, 'path') as Record<string, string>)
      : decoded;
    const query = validate(route.query ?? emptyQuery, parseQuery(url.search), 'query');
    let body: unknown;
    let bodyBytes = 0;
    if (route.body) {
      checkJsonHeaders(request.headers['content-type'], request.headers['content-encoding']);
      const raw = await readBody(request, route.maxBodyBytes ?? config.maxBodyBytes);
      bodyBytes = raw.length;
      body = validate(route.body, parseJsonBody(request.headers['content-type'], raw), 'body');
    }
    const traceHeader = request.headers['x-cloud-trace-context'];
    const trace = Array.isArray(traceHeader) ? traceHeader[0] : traceHeader;
    const reply = await route.handle({
      caller,
      body,
      query,
      params,
      origin,
      bodyBytes,
      timing,
      ...(trace ? { trace: trace.slice(0, 200) } : {}),
    });
    return { status: reply.status ?? 200, body: reply.body, file: reply.file, caller };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const origin = clientOrigin(request);
    let status: number;
    let caller: Caller | null = null;
    let failure: string | undefined;
    const timing = { upstreamMs: 0 };
    try {
      const result = await dispatch(request, origin, timing);
      status = result.status;
      caller = result.caller;
      // Server-Timing (W3C) tells the caller how much of the answer's time was Google's.
      if (result.file) sendFile(response, result.file);
      else
        sendJson(
          response,
          status,
          result.body,
          timing.upstreamMs > 0
            ? { 'server-timing': `google;dur=${timing.upstreamMs.toFixed(1)}` }
            : {},
        );
    } catch (error) {
      let httpError: HttpError;
      if (error instanceof HttpError) httpError = error;
      else if (error instanceof DatabaseUnavailableError)
        httpError = new HttpError(
          503,
          'unavailable',
          'the database is unavailable; retry shortly',
          { 'retry-after': '1' },
        );
      else {
        failure = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        httpError = new HttpError(
          500,
          'internal',
          'an internal error occurred; it has been logged',
        );
      }
      status = httpError.status;
      if (!response.headersSent)
        sendJson(
          response,
          status,
          { error: { code: httpError.code, message: httpError.message } },
          httpError.headers,
        );
      else response.destroy();
    }
    const latency = Number(process.hrtime.bigint() - started) / 1e9;
    logger.log(severityOf(status), failure ?? 'request', {
      httpRequest: {
        requestMethod: request.method,
        requestUrl: (request.url ?? '/').split('?')[0],
        status,
        latency: `${latency.toFixed(4)}s`,
        remoteIp: origin,
      },
      ...(timing.upstreamMs > 0
        ? { upstreamLatency: `${(timing.upstreamMs / 1000).toFixed(4)}s` }
        : {}),
      tenant: caller?.tenant ?? undefined,
      ...traceField(
        Array.isArray(request.headers['x-cloud-trace-context'])
          ? request.headers['x-cloud-trace-context'][0]
          : request.headers['x-cloud-trace-context'],
        config.projectId,
      ),
    });
  }

  return {
    handle,
    services,
    signer,
    anchorSigner,
    async close() {
      await notifier.drain();
      notifier.close();
      await db.close();
    },
  };
}

/** A backend served over HTTP. */
export interface BackendServer {
  url: string;
  server: Server;
  backend: Backend;
  close(): Promise<void>;
}

/** Starts the backend on 127.0.0.1 (port 0: any free port) and returns its URL. */
export async function startBackendServer(
  options: BackendOptions & { port?: number },
): Promise<BackendServer> {
  const backend = await createBackend(options);
  const server = createServer((request, response) => void backend.handle(request, response));
  answerClientErrorsAsJson(server);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    backend,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await backend.close();
    },
  };
}

/**
 * The handler functions-framework registers: builds the backend from environment variables on
 * the first request (retrying on the next request if that fails) and answers every request.
 */
export function lazyHandler(
  env: NodeJS.ProcessEnv = process.env,
): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  let backend: Promise<Backend> | undefined;
  const logger = jsonLogger();
  return async (request, response) => {
    restoreRequest(request);
    // A configuration error is a failed start too (answered 503 below), never a thrown handler.
    backend ??= Promise.resolve()
      .then(() => createBackend({ config: configFromEnv(env), logger }))
      .catch((error: unknown) => {
        backend = undefined;
        throw error;
      });
    let ready: Backend;
    try {
      ready = await backend;
    } catch (error) {
      logger.log('ERROR', 'the backend could not start', {
        error: error instanceof Error ? error.message : String(error),
      });
      sendJson(
        response,
        503,
        {
          error: {
            code: 'unavailable',
            message: 'the service is starting or misconfigured; retry shortly',
          },
        },
        { 'retry-after': '5' },
      );
      return;
    }
    await ready.handle(request, response);
  };
}
