/**
 * This file runs a full sharing story through the real bundle (share with a person and a group,
 * recipients' syncs, an edit that reaches everyone, a view recipient's edit reverted, the share
 * stopped) and watches every request the add-on sends: no answer of our backend carries a Google
 * access token, and every call to Google is made with a token of the user whose execution sends
 * it — so no account but the signed-in user's is ever reached with a token the add-on held; and
 * no contact value that crossed the backend stays in its database.
 */
import { GOOGLE_API_HOSTS } from '../../src/emulator/gas/url-fetch-host';
import type { ObservedFetch } from '../../src/emulator/gas/runtime';
import { makeLabel, startE2eStack, type E2eStack } from '../e2e/stack';
import { ALICE, BOB, CAROL } from '../fixtures/acme-users';
import { putOpenPolicy } from '../fixtures/policy';
import { addMembers, firstShareId, shareLabel } from '../fixtures/share-steps';

describe('no Google token for another person’s account leaves the backend', () => {
  let stack: E2eStack;
  const seen: ObservedFetch[] = [];

  beforeAll(async () => {
    stack = await startE2eStack();
    stack.runtime.observeFetches((fetch) => seen.push(fetch));
    await putOpenPolicy(stack);
  });
  afterAll(async () => {
    await stack.close();
  });

  it('holds through a whole sharing story', async () => {
    const label = makeLabel(stack, ALICE, 'Story', 20, 'st');
    const shared = await shareLabel(stack, ALICE, label, BOB, 'edit');
    expect(shared.run.error).toBeUndefined();
    const shareId = await firstShareId(stack, ALICE);
    const added = await addMembers(stack, ALICE, shareId, 'group', 'sales@acme.example', 'view');
    expect(added.run.error).toBeUndefined();
    for (const user of [BOB, CAROL]) expect((await stack.trigger(user)).error).toBeUndefined();
    const edit = (user: string, value: string) => {
      const [contact] = stack
        .contactsOf(user)
        .filter((person) => person.emailAddresses?.[0]?.value === 'st3@customers.example');
      stack.people(user, (client) =>
        client.updateContact(
          contact?.resourceName ?? '',
          { etag: contact?.etag, organizations: [{ name: value }] },
          ['organizations'],
        ),
      );
    };
    edit(BOB, 'Edited by Bob');
    expect((await stack.act(BOB, { action: 'syncNow' })).run.error).toBeUndefined();
    edit(CAROL, 'Edited by Carol');
    expect((await stack.act(CAROL, { action: 'syncNow' })).run.error).toBeUndefined();
    const organisations = (user: string) =>
      stack
        .contactsOf(user)
        .find((person) => person.emailAddresses?.[0]?.value === 'st3@customers.example')
        ?.organizations?.[0]?.name;
    for (const user of [ALICE, BOB, CAROL]) expect(organisations(user)).toBe('Edited by Bob');
    const stopped = await stack.act(ALICE, { action: 'stopSharing', shareId });
    expect(stopped.run.error).toBeUndefined();
    expect(stack.contactsOf(CAROL)).toEqual([]);

    const owners = new Map(
      stack.emulator.issuedAccessTokens().map((issued) => [issued.token, issued.email]),
    );
    const google = seen.filter((fetch) => GOOGLE_API_HOSTS.has(new URL(fetch.url).hostname));
    const ours = seen.filter((fetch) => !GOOGLE_API_HOSTS.has(new URL(fetch.url).hostname));
    expect(google.length).toBeGreaterThan(20);
    expect(ours.some((fetch) => fetch.url.includes('/gateway/'))).toBe(true);
    const foreign = google.filter((fetch) => {
      const bearer = Object.entries(fetch.headers)
        .find(([name]) => name.toLowerCase() === 'authorization')?.[1]
        ?.replace(/^Bearer /i, '');
      return bearer === undefined || owners.get(bearer) !== fetch.user;
    });
    expect(foreign.map((fetch) => `${fetch.user} ${fetch.url}`)).toEqual([]);
    const tokens = [...owners.keys()];
    const leaking = ours.filter(
      (fetch) => /ya29\./.test(fetch.body) || tokens.some((token) => fetch.body.includes(token)),
    );
    expect(leaking.map((fetch) => fetch.url)).toEqual([]);

    // Contact data crossed the backend, and nothing of it stayed in its database.
    const db = stack.backend.backend.services.db;
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables
       WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
    );
    expect(tables.length).toBeGreaterThan(5);
    let dump = '';
    for (const { table_name: table } of tables)
      dump += JSON.stringify(await db.query(`SELECT * FROM "${table.replace(/"/g, '')}"`));
    for (const value of ['st3@customers.example', 'Edited by Bob', 'Edited by Carol', 'st3'])
      expect({ value, stored: dump.includes(value) }).toEqual({ value, stored: false });
  });
});
