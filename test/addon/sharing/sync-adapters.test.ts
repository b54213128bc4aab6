/**
 * Tests of the sync engine's ports over the backend, in process with stateful fakes: broker
 * tokens reused until shortly before expiry (within and across executions), audit events kept and
 * re-sent when the backend cannot take them, group expansion that never answers "nobody" for an
 * unknown group, and the state the homepage shows for each kind of sync result.
 */
import { ManualClock, MemoryKeyValueStore } from '../../../src/core/memory-adapters';
import type { AuditEvent, HttpClient, HttpRequest, HttpResponse } from '../../../src/core/ports';
import type { SyncResult } from '../../../src/core/sync-engine';
import { BackendClient, BackendError } from '../../../src/addon/backend-client';
import {
  BackendAuditSink,
  BrokerTokenProvider,
  PENDING_AUDIT_KEY,
  ShareMembersDirectory,
  type ExpiringCache,
} from '../../../src/addon/sharing/sync-adapters';
import { stateFromResult } from '../../../src/addon/sharing/sync-state';

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

class MapCache implements ExpiringCache {
  readonly entries = new Map<string, { value: string; seconds: number }>();
  get(key: string): string | null {
    return this.entries.get(key)?.value ?? null;
  }
  put(key: string, value: string, seconds: number): void {
    this.entries.set(key, { value, seconds });
  }
}

const ok = (body: unknown): HttpResponse => ({
  status: 200,
  headers: {},
  body: JSON.stringify(body),
});
const client = (http: HttpClient) =>
  new BackendClient(http, 'https://backend.test/', () => 'id-token');

describe('BrokerTokenProvider', () => {
  it('asks the broker once per target and share, and again shortly before expiry', () => {
    const clock = new ManualClock();
    let issued = 0;
    const http = new FakeBackend(() =>
      ok({
        accessToken: `token-${++issued}`,
        expiresAt: new Date(clock.now() + 3_600_000).toISOString(),
      }),
    );
    const cache = new MapCache();
    const tokens = new BrokerTokenProvider(client(http), () => 'own', cache, clock);
    const purpose = { kind: 'sync' as const, shareId: 's1' };
    expect(tokens.delegatedToken('bob@a.example', ['scope'], purpose)).toBe('token-1');
    expect(tokens.delegatedToken('BOB@a.example', ['scope'], purpose)).toBe('token-1');
    expect(tokens.delegatedToken('bob@a.example', ['scope'], { kind: 'sync', shareId: 's2' })).toBe(
      'token-2',
    );
    expect(JSON.parse(http.requests[0]?.payload ?? '')).toEqual({
      targetUser: 'bob@a.example',
      scopes: ['scope'],
      purpose,
    });
    expect(http.requests[0]?.headers).toEqual({ Authorization: 'Bearer id-token' });
    // A later execution finds the token in the user's cache, kept until 5 minutes before expiry.
    expect([...cache.entries.values()][0]?.seconds).toBe(3300);
    const later = new BrokerTokenProvider(client(http), () => 'own', cache, clock);
    clock.advance(54 * 60_000);
    expect(later.delegatedToken('bob@a.example', ['scope'], purpose)).toBe('token-1');
    clock.advance(2 * 60_000);
    expect(later.delegatedToken('bob@a.example', ['scope'], purpose)).toBe('token-3');
    expect(later.ownToken()).toBe('own');
  });

  it('passes the broker refusal on as a BackendError', () => {
    const http = new FakeBackend(() => ({
      status: 403,
      headers: {},
      body: JSON.stringify({
        error: {
          code: 'target_not_participant',
          message: 'the target user takes no part in this share',
        },
      }),
    }));
    const tokens = new BrokerTokenProvider(
      client(http),
      () => 'own',
      new MapCache(),
      new ManualClock(),
    );
    expect(() =>
      tokens.delegatedToken('eve@a.example', ['scope'], { kind: 'sync', shareId: 's1' }),
    ).toThrow(
      new BackendError(
        403,
        'target_not_participant',
        'the target user takes no part in this share',
      ),
    );
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
        groups: [{ email: 'sales@a.example', members: ['carol@a.example'] }],
        domains: [{ domain: 'a.example', users: ['x@a.example'] }],
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
  });
});

describe('stateFromResult', () => {
  const result = (overrides: Partial<SyncResult>): SyncResult => ({
    shareId: 's1',
    status: 'done',
    slice: 1,
    created: 0,
    updated: 0,
    deleted: 0,
    merged: 0,
    conflicts: [],
    reverts: [],
    pendingDeletions: 0,
    problems: [],
    ...overrides,
  });

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
      stateFromResult(result({ status: 'continue', problems: ['Writing failed.'] }), 5).message,
    ).toBe('Writing failed. It is retried automatically.');
    expect(stateFromResult(result({ status: 'paused', pendingDeletions: 1200 }), 5)).toEqual({
      phase: 'paused',
      at: 5,
      message:
        'This sync would delete 1,200 contacts from the label, so it waits for the owner to confirm.',
    });
    expect(stateFromResult(result({ status: 'failed', problems: ['No access.'] }), 5)).toEqual({
      phase: 'failed',
      at: 5,
      message: 'No access. Nothing was lost; use Sync now to try again.',
    });
    expect(stateFromResult(result({ status: 'continue' }), 5, true).phase).toBe('ending');
  });
});
