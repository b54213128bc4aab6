/**
 * Tests of the sync engine's ports over the backend, in process with stateful fakes: another
 * account read and written only through the share gateway with the user's ID token, audit events kept and
 * re-sent when the backend cannot take them, group expansion that never answers "nobody" for an
 * unknown group, and the state the homepage shows for each kind of sync result.
 */
import { ClockSleeper, ManualClock, MemoryKeyValueStore } from '../../../src/core/memory-adapters';
import type { AuditEvent, HttpClient, HttpRequest, HttpResponse } from '../../../src/core/ports';
import type { SyncResult } from '../../../src/core/sync-engine';
import { BackendClient } from '../../../src/addon/backend-client';
import {
  BackendAuditSink,
  PENDING_AUDIT_KEY,
  ShareMembersDirectory,
} from '../../../src/addon/sharing/sync-adapters';
import { RoutedContactsGateway } from '../../../src/google/people-gateway';
import { ShareGatewayCalls } from '../../../src/google/share-gateway-client';
import { GoogleTransport } from '../../../src/google/transport';
import { stateFromResult } from '../../../src/addon/sharing/sync-state';
import { describeSyncState } from '../../../src/addon/cards/sync-state-text';
import { syncResult } from '../../fixtures/addon-sync-result';

/** A backend that answers from a handler and keeps every request. */
class FakeBackend implements HttpClient {
  readonly requests: HttpRequest[] = [];
  constructor(public answer: (request: HttpRequest) => HttpResponse) {}
  fetch(request: HttpRequest): HttpResponse {
    this.requests.push(request);
    return this.answer(request);
  }
  fetchAll(requests: HttpRequest[]): HttpResponse[] {
    return requests.map((request) => this.fetch(request));
  }
}

const ok = (body: unknown): HttpResponse => ({
  status: 200,
  headers: {},
  body: JSON.stringify(body),
});
const client = (http: HttpClient) =>
  new BackendClient(http, 'https://backend.test/', () => 'id-token');

describe('ShareGatewayCalls', () => {
  const viaBackend = (http: HttpClient, clock = new ManualClock()) => {
    const transport = new GoogleTransport({
      http,
      clock,
      sleeper: new ClockSleeper(clock),
      random: () => 0.5,
    });
    return {
      transport,
      gateway: new RoutedContactsGateway(
        transport,
        (shareId, account) =>
          new ShareGatewayCalls(client(http).endpoint, shareId, account, () => clock.now()),
      ),
    };
  };

  it('reads another account through the backend with the user’s ID token, page by page', () => {
    const http = new FakeBackend((request) => {
      const body = JSON.parse(request.payload ?? '{}') as { pageToken?: string };
      return ok({
        contacts: [],
        nextPageToken: body.pageToken ? null : 'p2',
        nextSyncToken: body.pageToken ? 'sync-1' : null,
        totalPeople: 5,
        omitted: body.pageToken ? 3 : 2,
      });
    });
    const [outcome] = viaBackend(http).gateway.listContacts([
      {
        account: 'bob@a.example',
        access: { kind: 'gateway', shareId: 's/1' },
        syncToken: null,
        match: [{ emails: ['x@client.test'], phones: [] }],
      },
    ]);
    expect(outcome).toEqual({ ok: true, pages: expect.any(Array) });
    expect(http.requests.map((request) => request.url)).toEqual([
      'https://backend.test/v1/shares/s%2F1/gateway/list-contacts',
      'https://backend.test/v1/shares/s%2F1/gateway/list-contacts',
    ]);
    expect(http.requests[0]?.headers).toEqual({ authorization: 'Bearer id-token' });
    expect(JSON.parse(http.requests[0]?.payload ?? '')).toEqual({
      account: 'bob@a.example',
      match: [{ emails: ['x@client.test'], phones: [] }],
    });
    expect(JSON.parse(http.requests[1]?.payload ?? '')).toEqual({
      account: 'bob@a.example',
      pageToken: 'p2',
      match: [{ emails: ['x@client.test'], phones: [] }],
    });
  });

  it('passes a refusal on with its code, and never resends a create whose answer was lost', () => {
    let answer: HttpResponse | null = {
      status: 403,
      headers: {},
      body: JSON.stringify({
        error: { code: 'insufficient_level', message: 'your level "view" does not allow it' },
      }),
    };
    const http = new FakeBackend(() => {
      if (answer === null) throw new Error('the connection was lost');
      return answer;
    });
    const { gateway, transport } = viaBackend(http);
    const [refused] = gateway.listGroups([
      { account: 'bob@a.example', access: { kind: 'gateway', shareId: 's1' } },
    ]);
    expect(refused).toEqual({
      ok: false,
      failure: expect.objectContaining({ httpStatus: 403, reason: 'insufficient_level' }),
    });
    answer = null;
    const [failed] = gateway.write([
      {
        account: 'bob@a.example',
        access: { kind: 'gateway', shareId: 's1' },
        write: { kind: 'createContacts', contacts: [] },
      },
    ]);
    expect(failed?.ok).toBe(false);
    expect(http.requests).toHaveLength(2);
    expect(transport.retries).toBe(0);
  });
});

describe('BackendAuditSink', () => {
  const event = (id: string): AuditEvent => ({
    id,
    type: 'sync.done',
    shareId: 's1',
    outcome: 'success',
    occurredAt: '2026-01-01T00:00:00.000Z',
  });

  it('keeps events the backend could not take and sends them with the next batch', () => {
    let up = false;
    const http = new FakeBackend(() =>
      up
        ? ok({ accepted: 1 })
        : { status: 503, headers: {}, body: '{"error":{"code":"down","message":"down"}}' },
    );
    const store = new MemoryKeyValueStore();
    const sink = new BackendAuditSink(client(http), store);
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    sink.record([event('e1')]);
    expect(JSON.parse(store.get(PENDING_AUDIT_KEY) ?? '[]')).toEqual([event('e1')]);
    up = true;
    sink.record([event('e2')]);
    expect(
      JSON.parse(http.requests[1]?.payload ?? '').events.map((sent: AuditEvent) => sent.id),
    ).toEqual(['e1', 'e2']);
    expect(store.get(PENDING_AUDIT_KEY)).toBeNull();
    expect(errors).toHaveBeenCalledTimes(1);
    errors.mockRestore();
  });
});

describe('ShareMembersDirectory', () => {
  it('answers from the expansion and refuses to guess an unknown group or domain', () => {
    let reads = 0;
    const directory = new ShareMembersDirectory(() => {
      reads++;
      return {
        groups: [
          { email: 'sales@a.example', members: ['carol@a.example'], count: 1, complete: true },
        ],
        domains: [{ domain: 'a.example', users: ['x@a.example'], count: 1, complete: true }],
      };
    });
    expect(directory.membersOfGroup('Sales@A.example')).toEqual(['carol@a.example']);
    expect(directory.usersOfDomain('a.example')).toEqual(['x@a.example']);
    expect(() => directory.membersOfGroup('other@a.example')).toThrow(
      'the members of other@a.example are unknown',
    );
    expect(() => directory.usersOfDomain('b.example')).toThrow(
      'the users of b.example are unknown',
    );
    expect(reads).toBe(4);
    expect(directory.complete()).toBe(true);
  });

  it('says when an expansion names only the caller, so that nobody is taken for departed', () => {
    const directory = new ShareMembersDirectory(() => ({
      groups: [
        { email: 'board@a.example', members: ['me@a.example'], count: null, complete: false },
      ],
      domains: [],
    }));
    expect(directory.membersOfGroup('board@a.example')).toEqual(['me@a.example']);
    expect(directory.complete()).toBe(false);
  });
});

describe('stateFromResult', () => {
  const result = syncResult;

  it('turns each status into what the user sees and what to do', () => {
    expect(stateFromResult(result({ status: 'unchanged' }), 5)).toEqual({ phase: 'ok', at: 5 });
    expect(
      stateFromResult(
        result({
          reverts: [{}, {}] as SyncResult['reverts'],
          conflicts: [{}] as SyncResult['conflicts'],
        }),
        5,
      ),
    ).toEqual({
      phase: 'ok',
      at: 5,
      message:
        '2 edits by people who may only view the label were undone. 1 conflicting edit: the later one was kept.',
    });
    expect(stateFromResult(result({ status: 'continue' }), 5)).toEqual({
      phase: 'running',
      at: 5,
      message: 'More to copy; this continues automatically.',
    });
    expect(
      stateFromResult(result({ status: 'continue', problems: ['Writing failed.'] }), 5),
    ).toEqual({
      phase: 'running',
      at: 5,
      message: 'Part of it did not go through; it is retried automatically.',
      ownerNote:
        'A step of the sync did not work. Nothing was lost; it is retried at the next sync.',
    });
    expect(stateFromResult(result({ status: 'paused', pendingDeletions: 1200 }), 5)).toEqual({
      phase: 'paused',
      at: 5,
      message:
        'This sync would delete 1,200 contacts from the label, so it waits for the owner to confirm.',
    });
    const raw =
      "No access to nobody.here@acme.example's contacts: BackendError: the Directory API answered HTTP 400";
    const failed = stateFromResult(result({ status: 'failed', problems: [raw] }), 5);
    expect(failed).toEqual({
      phase: 'failed',
      at: 5,
      message: 'The sync did not finish. Nothing was lost; use Sync now to try again.',
      ownerNote:
        'nobody.here@acme.example’s copy could not be reached. It is retried at the next sync; if it keeps failing, check that nobody.here@acme.example still has an account, or remove them from the label.',
    });
    expect(JSON.stringify(failed)).not.toMatch(/BackendError|HTTP 400/);
    const done = stateFromResult(result({ status: 'done', problems: [raw] }), 5);
    expect(describeSyncState(done, 5, null, 'anonymous')).toBe('Up to date · synced just now.');
    expect(describeSyncState(done, 5, null, 'named')).toContain(
      'nobody.here@acme.example’s copy could not be reached.',
    );
    expect(stateFromResult(result({ status: 'continue' }), 5, true).phase).toBe('ending');
  });
});
