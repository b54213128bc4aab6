/**
 * This file defines the sidebar host: a local web server (127.0.0.1 only) serving a page that
 * looks and behaves like Gmail's add-on sidebar, and the small JSON API through which the page
 * runs the add-on's functions in the Apps Script runtime: open a surface (Gmail homepage, an open
 * message, compose, Calendar, Drive) as a chosen user, run a card action with its parameters and
 * form inputs, run a universal action. The page itself is plain HTML, CSS and JavaScript in
 * ./public.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { z } from 'zod';
import type { WorkspaceEmulatorFacade } from '../api/contract';
import {
  cardActionEvent,
  composeEvent,
  gmailMessageEvent,
  homepageEvent,
  type AddonEvent,
} from '../gas/events';
import type { AppsScriptRuntime, ExecutionResult } from '../gas/runtime';

/** A demo user as the page shows them: their name and what they are (e.g. `admin`). */
export interface DemoProfile {
  name?: string;
  marks: string[];
}

/** How to start the sidebar host. */
export interface SidebarHostOptions {
  runtime: AppsScriptRuntime;
  api: WorkspaceEmulatorFacade;
  /** The demo users one may act as; the first is the default. */
  users: string[];
  /** Senders offered for "an open message" (default: the users). */
  senders?: string[];
  /** Names and marks of the users and senders, by address (the picker and the message show them). */
  profiles?: Record<string, DemoProfile>;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /**
   * Where links the add-on opens really go: the add-on's configured backend origin → the local
   * backend's (the add-on's backend host name resolves only inside the runtime).
   */
  linkOrigins?: Record<string, string>;
}

/** A running sidebar host. */
export interface SidebarHost {
  /** e.g. http://127.0.0.1:8300/ */
  url: string;
  close(): Promise<void>;
}

const PUBLIC_DIR = path.join(__dirname, 'public');
const STATIC_FILES: Record<string, string> = {
  '/': 'index.html',
  '/sidebar.css': 'sidebar.css',
  '/sidebar.js': 'sidebar.js',
};
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};
const MAX_BODY_BYTES = 1024 * 1024;
const MESSAGE_SCOPE = 'https://www.googleapis.com/auth/gmail.addons.current.message.metadata';

const surfaceSchema = z.object({
  user: z.string().email(),
  host: z.enum(['homepage', 'message', 'compose', 'calendar', 'drive']),
  sender: z.string().email().optional(),
  senderName: z.string().max(100).optional(),
  recipients: z.array(z.string().email()).max(100).optional(),
  locale: z.string().max(20).optional(),
  timeZone: z.string().max(60).optional(),
});

const formValueSchema = z.union([
  z.array(z.string().max(100_000)).max(1000),
  z.object({ msSinceEpoch: z.number().finite() }),
]);

const runSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('open'), surface: surfaceSchema }),
  z.object({
    kind: z.literal('action'),
    surface: surfaceSchema,
    functionName: z.string().regex(/^[A-Za-z_$][\w$]*$/),
    parameters: z.record(z.string(), z.string()).default({}),
    formInputs: z.record(z.string(), formValueSchema).default({}),
  }),
  z.object({
    kind: z.literal('universal'),
    surface: surfaceSchema,
    index: z.number().int().min(0),
  }),
]);

type Surface = z.infer<typeof surfaceSchema>;

/** A request the page cannot make: answered with 400 and the reason. */
class BadRequest extends Error {}

/** Starts the sidebar host; see the file header. */
export async function startSidebarHost(options: SidebarHostOptions): Promise<SidebarHost> {
  const { runtime, api, users } = options;
  if (users.length === 0) throw new Error('The sidebar host needs at least one demo user.');
  const manifest = runtime.manifest;
  const common = manifest.addOns.common;
  const context = {
    addon: {
      name: common.name,
      logoUrl: (common as { logoUrl?: string }).logoUrl ?? '',
      primaryColor:
        (common as { layoutProperties?: { primaryColor?: string } }).layoutProperties
          ?.primaryColor ?? '#1a73e8',
      universalActions: (common.universalActions ?? []).map((action) => action.label),
    },
    users,
    senders: options.senders ?? users,
    profiles: options.profiles ?? {},
  };
  /** "Name <address>" when the address has a name, as a message header writes it. */
  const mailbox = (address: string, name = context.profiles[address]?.name): string =>
    name ? `${name.replace(/[<>"]/g, '')} <${address}>` : address;

  function surfaceEvent(surface: Surface): { functionName: string; event: AddonEvent } {
    if (!users.includes(surface.user)) throw new BadRequest(`${surface.user} is not a demo user.`);
    const basics = { locale: surface.locale, timeZone: surface.timeZone };
    const homepage = common.homepageTrigger?.runFunction;
    switch (surface.host) {
      case 'message': {
        const trigger = manifest.addOns.gmail?.contextualTriggers?.[0]?.onTriggerFunction;
        if (!trigger) throw new BadRequest('The manifest has no Gmail contextual trigger.');
        const sender = surface.sender ?? context.senders[0] ?? surface.user;
        const messageId = `msg-${Buffer.from(sender).toString('hex').slice(0, 16)}`;
        api.putGmailMessage(surface.user, {
          id: messageId,
          threadId: messageId,
          from: mailbox(sender, surface.senderName),
          to: [mailbox(surface.user)],
          cc: (surface.recipients ?? []).map((address) => mailbox(address)),
          subject: `A message from ${surface.senderName ?? context.profiles[sender]?.name ?? sender}`,
          date: api.clock.now(),
        });
        const accessToken = api.mintAccessToken(surface.user, [MESSAGE_SCOPE]);
        return {
          functionName: trigger,
          event: gmailMessageEvent({ messageId, accessToken }, basics),
        };
      }
      case 'compose': {
        const action = manifest.addOns.gmail?.composeTrigger?.selectActions[0]?.runFunction;
        if (!action) throw new BadRequest('The manifest has no Gmail compose trigger.');
        return {
          functionName: action,
          event: composeEvent({ toRecipients: surface.recipients ?? [] }, basics),
        };
      }
      default: {
        const hostApp =
          surface.host === 'calendar' ? 'CALENDAR' : surface.host === 'drive' ? 'DRIVE' : 'GMAIL';
        const hostSection = manifest.addOns[surface.host === 'homepage' ? 'gmail' : surface.host];
        const functionName =
          (hostSection as { homepageTrigger?: { runFunction: string } } | undefined)
            ?.homepageTrigger?.runFunction ?? homepage;
        if (!functionName) throw new BadRequest('The manifest has no homepage trigger.');
        return { functionName, event: homepageEvent(hostApp, basics) };
      }
    }
  }

  async function run(body: unknown): Promise<ExecutionResult & { functionName: string }> {
    const parsed = runSchema.safeParse(body);
    if (!parsed.success)
      throw new BadRequest(
        parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
      );
    const request = parsed.data;
    const surface = surfaceEvent(request.surface);
    let functionName = surface.functionName;
    let event: AddonEvent = surface.event;
    if (request.kind === 'action') {
      functionName = request.functionName;
      event = cardActionEvent(surface.event, {
        parameters: request.parameters,
        formInputs: request.formInputs,
      });
    } else if (request.kind === 'universal') {
      const action = common.universalActions?.[request.index];
      if (!action?.runFunction)
        throw new BadRequest(`No universal action number ${request.index}.`);
      functionName = action.runFunction;
    }
    const result = await runtime.runFunction(functionName, { user: request.surface.user, event });
    return { functionName, ...localLinks(result) };
  }

  /** Points an action's link (an OpenLink the add-on returns) at the local host it stands for. */
  function localLinks(result: ExecutionResult): ExecutionResult {
    const link = (
      result.result?.json as { renderActions?: { action?: { link?: { url?: string } } } }
    )?.renderActions?.action?.link;
    if (!link?.url) return result;
    for (const [from, to] of Object.entries(options.linkOrigins ?? {}))
      if (link.url.startsWith(`${from}/`)) link.url = `${to}${link.url.slice(from.length)}`;
    return result;
  }

  const server = http.createServer((request, response) => {
    void serve(request, response).catch((error: unknown) => {
      const status = error instanceof BadRequest ? 400 : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (status === 500) console.error('sidebar host:', error);
      sendJson(response, status, {
        error: status === 400 ? message : 'The sidebar host failed; see its console.',
      });
    });
  });

  async function serve(
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'GET' && url.pathname in STATIC_FILES) {
      const file = path.join(PUBLIC_DIR, STATIC_FILES[url.pathname] as string);
      response.writeHead(200, {
        'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        'content-security-policy': "default-src 'self'; img-src * data:; style-src 'self'",
      });
      response.end(fs.readFileSync(file));
      return;
    }
    if (request.method === 'GET' && url.pathname === '/api/context') {
      sendJson(response, 200, context);
      return;
    }
    if (request.method === 'POST' && url.pathname === '/api/run') {
      sendJson(response, 200, await run(await readJson(request)));
      return;
    }
    sendJson(response, 404, { error: `Nothing at ${request.method} ${url.pathname}` });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  response.end(JSON.stringify(body));
}

async function readJson(request: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BadRequest('The request is larger than 1 MB.');
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new BadRequest('The request body is not JSON.');
  }
}
