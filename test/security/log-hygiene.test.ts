/**
 * This file tests that logs carry no secrets and no contact data: the backend's log entries during
 * a realistic flow (policy, shares, contacts read and written through the share gateway, a refused
 * audit event holding a phone number, support enrolment, codes right, wrong and backup, a session,
 * the session user's labels and contacts read by the backend, alerts),
 * and the add-on's Apps Script logs while it shares, syncs and is refused a crafted action.
 */
import { startSupportHarness, type SupportHarness } from '../backend/support/support-harness';
import { auditEvent } from '../backend/harness';
import { labelWith, peopleAs } from '../fixtures/emulator-people';
import { makeLabel, phoneFor, startE2eStack, type E2eStack } from '../e2e/stack';
import { ALICE, BOB } from '../fixtures/acme-users';
import { putOpenPolicy } from '../fixtures/policy';
import { shareLabel } from '../fixtures/share-steps';
import { AGENT } from '../fixtures/staff';
import { serveForSuite } from '../fixtures/suite-server';

/** Shapes of credentials, whatever their value: ID tokens, access tokens, keys, OTP URIs. */
const SECRET_SHAPES = [
  /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\./,
  /\bya29\.[A-Za-z0-9_.-]{10,}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bBearer\s+[A-Za-z0-9._~+/-]{10,}/i,
  /otpauth:\/\//i,
];

/** The values among `values` that occur in `text`, and the secret shapes that match it. */
function leaks(text: string, values: string[]): string[] {
  const found = values.filter((value) => value.length >= 4 && text.includes(value));
  for (const shape of SECRET_SHAPES) if (shape.test(text)) found.push(`shape ${shape.source}`);
  return found;
}

describe('backend logs during a sharing and support flow', () => {
  let h: SupportHarness;
  serveForSuite(async () => (h = await startSupportHarness('pglite')));

  it('hold no token, OTP secret, code, key or contact value', async () => {
    const sensitive: string[] = [];
    const token = (email: string) => {
      const minted = h.token(email);
      sensitive.push(minted, minted.split('.')[2] ?? minted);
      return minted;
    };
    await h.setPolicy('acme.example', {});
    const contactValues = ['+1 555 867 5309', 'Zoë Quintana-Ólafsdóttir', 'zoe.q@customer.example'];
    sensitive.push(...contactValues);
    const people = peopleAs(h.emulator);
    const label = labelWith(people, ALICE, 'Key accounts', [
      {
        names: [{ givenName: contactValues[1] }],
        phoneNumbers: [{ value: contactValues[0] }],
        emailAddresses: [{ value: contactValues[2] }],
      },
    ]);
    const created = await h.request('POST', '/v1/shares', {
      token: token(ALICE),
      body: {
        labelResourceName: label,
        labelName: 'Key accounts',
        grants: [{ target: { kind: 'user', email: BOB }, level: 'edit' }],
      },
    });
    expect(created.status).toBe(201);
    // Contact data crosses the backend on its way between accounts: it must not stay in its logs.
    const read = await h.request('POST', `/v1/shares/${created.body.id}/gateway/list-contacts`, {
      token: token(BOB),
      body: { account: ALICE },
    });
    expect(read.text).toContain(contactValues[2]);
    const [master] = read.body.contacts as { resourceName: string; etag: string }[];
    const written = await h.request('POST', `/v1/shares/${created.body.id}/gateway/write`, {
      token: token(BOB),
      body: {
        account: ALICE,
        write: {
          kind: 'updateContacts',
          updates: [
            {
              resourceName: master?.resourceName,
              etag: master?.etag,
              fields: { organizations: [{ name: 'Quintana Holdings' }] },
              mask: ['organizations'],
            },
          ],
        },
      },
    });
    expect(written.status).toBe(200);
    sensitive.push('Quintana Holdings');
    const refused = await h.request('POST', '/v1/events', {
      token: token(BOB),
      body: {
        events: [
          auditEvent({
            detail: {
              phoneNumbers: contactValues[0],
              displayName: contactValues[1],
              emailAddresses: contactValues[2],
            },
          }),
        ],
      },
    });
    expect(refused.status).toBe(400);

    const enrolment = await h.enrol(AGENT);
    sensitive.push(
      enrolment.body.otpauthUri,
      enrolment.body.secretGroups.replace(/\s+/g, ''),
      ...enrolment.body.secretGroups.split(/\s+/).filter((group: string) => group.length === 4),
      ...enrolment.backupCodes,
    );
    const first = h.code(enrolment.secret);
    sensitive.push(first);
    expect((await h.verify(AGENT, first)).status).toBe(200);
    expect((await h.verify(AGENT, first)).status).toBe(403);
    h.now += 30_000;
    expect((await h.verify(AGENT, '000000')).status).toBe(403);
    const opened = await h.openSession(AGENT, {
      tenant: 'acme.example',
      targetUser: ALICE,
      ticket: 'T-4711',
      justification: 'Label stopped syncing',
    });
    expect(opened.status).toBe(201);
    const labels = await h.supportRead(AGENT, opened.body.id);
    expect(labels.status).toBe(200);
    const contacts = await h.request(
      'GET',
      `/v1/support/sessions/${opened.body.id}/shares/${created.body.id}/contacts`,
      { token: h.token(AGENT) },
    );
    expect(contacts.text).toContain(contactValues[2]);
    expect((await h.verify(AGENT, enrolment.backupCodes[0] ?? '')).status).toBe(200);
    sensitive.push(h.config.otpEncryptionKeys?.split(':')[1] ?? '');

    // Every Google token the backend held for someone's account (the emulator minted them all).
    sensitive.push(...h.emulator.issuedAccessTokens().map((issued) => issued.token));
    const text = h.logger.entries.map((entry) => JSON.stringify(entry)).join('\n');
    expect(h.logger.entries.length).toBeGreaterThanOrEqual(10);
    expect(h.logger.entries.some((entry) => entry.message === 'alert raised')).toBe(true);
    expect(leaks(text, sensitive)).toEqual([]);
  });
});

describe('add-on logs while sharing and syncing', () => {
  let stack: E2eStack;
  beforeAll(async () => {
    stack = await startE2eStack();
    await putOpenPolicy(stack);
  });
  afterAll(() => stack.close());

  it('hold no token and no contact value', async () => {
    const label = makeLabel(stack, ALICE, 'Key accounts', 5, 'k');
    const runs = [
      await stack.home(ALICE),
      await shareLabel(stack, ALICE, label, BOB, 'edit'),
      await stack.home(BOB),
      await stack.act(BOB, { action: 'openLabel', shareId: 'share-of-another-domain' }),
      await stack.act(BOB, { action: 'noSuchAction' }),
    ].map((step) => step.run);
    runs.push(await stack.trigger(BOB));
    expect(runs.every((run) => run.error === undefined)).toBe(true);
    expect(stack.contactsOf(BOB).length).toBeGreaterThanOrEqual(5);
    const contactValues: string[] = [];
    for (let index = 0; index < 5; index++)
      contactValues.push(`k${index}@customers.example`, phoneFor('k', index));
    const logs = runs.flatMap((run) => run.logs.map((entry) => entry.message));
    expect(logs.length).toBeGreaterThan(0);
    expect(leaks(logs.join('\n'), contactValues)).toEqual([]);
  });
});
