/**
 * This file benchmarks the Workspace API emulator alone: the memory of a seeded domain of
 * 1,000 users × 2,000 contacts (goal ≤ 4 GB) and the time to page through one 25,000-contact
 * account with people.connections.list at pageSize 1,000 (goal ≤ 1 s), in process and over HTTP.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createWorkspaceEmulator, EmulatorHttpClient } from '../src/emulator/api';
import { startEmulatorServer } from '../src/emulator/api/server';

/** Returns a function that runs a full garbage collection. */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  return () => {
    gc();
    gc();
  };
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

/** Prints the emulator's figures. */
export async function run(): Promise<void> {
  const gc = collector();

  const big = createWorkspaceEmulator({
    seed: {
      seed: 2,
      customers: 1,
      usersPerCustomer: 1,
      contactsPerUser: 0,
      bigAccounts: 1,
      bigAccountSize: 25_000,
    },
  });
  const owner = [...big.workspace.users.keys()][0] as string;
  const token = big.mintAccessToken(owner, ['contacts.readonly']);
  big.configureTraffic({ latency: { fixedMs: 150, perItemMs: 0.5 } });
  const client = new EmulatorHttpClient(big);
  const fields = 'names,emailAddresses,phoneNumbers,organizations,memberships,metadata';
  for (const round of ['first (cold)', 'second (warm)']) {
    const start = performance.now();
    let pageToken = '';
    let pages = 0;
    let people = 0;
    const before = client.modelledMs;
    do {
      const response = client.fetch({
        url: `https://people.googleapis.com/v1/people/me/connections?personFields=${fields}&pageSize=1000&requestSyncToken=true${pageToken ? `&pageToken=${pageToken}` : ''}`,
        method: 'get',
        headers: { Authorization: `Bearer ${token}` },
      });
      const body = JSON.parse(response.body) as { connections?: unknown[]; nextPageToken?: string };
      people += body.connections?.length ?? 0;
      pageToken = body.nextPageToken ?? '';
      pages++;
    } while (pageToken);
    const elapsed = performance.now() - start;
    console.log(
      `paging a 25,000-contact account, ${round}: ${people} contacts in ${pages} pages of 1,000 in ${elapsed.toFixed(0)} ms wall (goal ≤ 1000 ms); modelled Google time ${((client.modelledMs - before) / 1000).toFixed(1)} s at 150 ms + 0.5 ms/contact per call`,
    );
  }

  big.configureTraffic({ latency: { fixedMs: 0, perItemMs: 0 } });
  const server = await startEmulatorServer(big, 0);
  try {
    const start = performance.now();
    let pageToken = '';
    let people = 0;
    do {
      const response = await fetch(
        `${server.baseUrl}/v1/people/me/connections?personFields=${fields}&pageSize=1000${pageToken ? `&pageToken=${pageToken}` : ''}`,
        { headers: { Authorization: `Bearer ${token}` } },
      );
      const body = (await response.json()) as { connections?: unknown[]; nextPageToken?: string };
      people += body.connections?.length ?? 0;
      pageToken = body.nextPageToken ?? '';
    } while (pageToken);
    console.log(
      `paging the same account over loopback HTTP: ${people} contacts in ${(performance.now() - start).toFixed(0)} ms wall`,
    );
  } finally {
    await server.close();
  }

  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const seedStart = performance.now();
  const domain = createWorkspaceEmulator({
    seed: {
      seed: 1,
      customers: 4,
      usersPerCustomer: 250,
      groupsPerCustomer: 20,
      contactsPerUser: 2000,
    },
  });
  const seedMs = performance.now() - seedStart;
  gc();
  const usage = process.memoryUsage();
  const users = domain.workspace.users.size;
  const contacts = [...domain.workspace.users.keys()].reduce(
    (sum, email) => sum + (domain.contactCount(email) ?? 0),
    0,
  );
  console.log(
    `seeded domain: ${users} users × ${contacts / users} contacts = ${contacts} contacts in ${(seedMs / 1000).toFixed(1)} s`,
  );
  console.log(
    `  heap used by the Workspace: ${megabytes(usage.heapUsed - heapBefore)} (${((usage.heapUsed - heapBefore) / contacts).toFixed(0)} B per contact); process RSS ${megabytes(usage.rss)} (goal ≤ 4096 MB)`,
  );
}
