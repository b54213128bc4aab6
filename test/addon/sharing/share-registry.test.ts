/**
 * The add-on's registry client reads both of the caller's lists in one request and keeps them
 * for the execution until the caller changes a share; against a backend that does not know the
 * combined view it asks for each list.
 */
import type { HttpClient, HttpRequest, HttpResponse } from '../../../src/core/ports';
import { BackendClient } from '../../../src/addon/backend-client';
import { ShareRegistry } from '../../../src/addon/sharing/share-registry';

/** A backend that answers from a handler and keeps every request. */
class FakeBackend implements HttpClient {
  readonly requests: HttpRequest[] = [];
  constructor(private readonly answer: (request: HttpRequest) => HttpResponse) {}
  fetch(request: HttpRequest): HttpResponse {
    this.requests.push(request);
    return this.answer(request);
  }
  fetchAll(requests: HttpRequest[]): HttpResponse[] {
    return requests.map((request) => this.fetch(request));
  }
}

const json = (status: number, body: unknown): HttpResponse => ({
  status,
  headers: {},
  body: JSON.stringify(body),
});

const share = (id: string, owner: string) => ({
  id,
  owner,
  labelResourceName: `contactGroups/${id}`,
  labelName: `Label ${id}`,
  grants: [],
  hiddenFields: [],
});

const paths = (backend: FakeBackend) => backend.requests.map((request) => request.url.slice(20));

describe('the registry client', () => {
  it('reads both lists in one request, kept until the caller changes a share', () => {
    const backend = new FakeBackend((request) =>
      request.method === 'post'
        ? json(201, share('s3', 'ann@acme.example'))
        : json(200, {
            mine: [share('s1', 'ann@acme.example')],
            sharedWithMe: [{ ...share('s2', 'bob@acme.example'), myLevel: 'view' }],
          }),
    );
    const registry = new ShareRegistry(
      new BackendClient(backend, 'https://backend.test', () => 'token'),
    );
    expect(registry.mine().map((each) => [each.id, each.myLevel])).toEqual([['s1', 'owner']]);
    expect(registry.sharedWithMe().map((each) => [each.id, each.myLevel])).toEqual([
      ['s2', 'view'],
    ]);
    expect(registry.get('s2')?.labelName).toBe('Label s2');
    expect(paths(backend)).toEqual(['/v1/shares?view=participating']);
    registry.create({ labelResourceName: 'contactGroups/s3', labelName: 'Label s3', grants: [] });
    registry.mine();
    expect(paths(backend)).toEqual([
      '/v1/shares?view=participating',
      '/v1/shares',
      '/v1/shares?view=participating',
    ]);
  });

  it('asks for each list when the backend does not know the combined view', () => {
    const backend = new FakeBackend((request) =>
      request.url.endsWith('participating')
        ? json(400, { error: { code: 'invalid_query', message: 'view: invalid enum value' } })
        : request.url.endsWith('view=mine')
          ? json(200, { shares: [share('s1', 'ann@acme.example')] })
          : json(200, { shares: [] }),
    );
    const registry = new ShareRegistry(
      new BackendClient(backend, 'https://backend.test', () => 'token'),
    );
    expect(registry.mine().map((each) => each.id)).toEqual(['s1']);
    expect(registry.sharedWithMe()).toEqual([]);
    expect(paths(backend)).toEqual([
      '/v1/shares?view=participating',
      '/v1/shares?view=mine',
      '/v1/shares?view=sharedWithMe',
    ]);
  });
});
