/**
 * This file tries issue 16's new card actions (a label's contents: add chosen, paste, remove;
 * confirmations before destructive actions) as crafted card actions on the real bundle, with the
 * backend on PGlite and the API emulator: as a view participant, as someone outside the share, as
 * a user of another customer, and naming a group that is not the caller's own label. Each is
 * refused with a notification, changes nothing in anyone's contacts, and leaves an audit event
 * in the caller's own chain.
 */
import { makeLabel, startE2eStack, type E2eStack } from '../e2e/stack';
import { ADMIN, ALICE, BOB, DAVE, ZED } from '../fixtures/acme-users';
import { contactsInLabel } from '../fixtures/label-contacts';
import { putOpenPolicy } from '../fixtures/policy';
import { firstShareId, shareLabel } from '../fixtures/share-steps';

const GLOBEX_ADMIN = 'admin@globex.example';
interface AuditEvent {
  type: string;
  actor: string;
  shareId?: string | null;
  detail: Record<string, unknown>;
}

describe("crafted card actions on a label's contents", () => {
  let stack: E2eStack;
  let shareId: string;
  let label: string;

  /** The resource names of the contacts in a user's group of that name. */
  const membersOf = (user: string, name: string): string[] =>
    contactsInLabel(stack, user, name).map((person) => person.resourceName ?? '');
  const events = async (reader: string, tenant: string, type: string): Promise<AuditEvent[]> => {
    const answer = await stack.api(
      reader,
      'GET',
      `/v1/events?tenant=${tenant}&type=${type}&pageSize=500`,
    );
    expect(answer.status).toBe(200);
    return answer.body.events as AuditEvent[];
  };
  /** Everyone's contacts, to show that a refused action changed nothing. */
  const everything = () =>
    JSON.stringify(
      [ALICE, BOB, DAVE, ZED].map((user) =>
        stack.contactsOf(user).map((person) => [person.resourceName, person.memberships]),
      ),
    );

  beforeAll(async () => {
    stack = await startE2eStack();
    expect((await putOpenPolicy(stack)).status).toBe(200);
    label = makeLabel(stack, ALICE, 'Team', 3, 'tm');
    const created = await shareLabel(stack, ALICE, label, BOB, 'view');
    expect(created.run.error).toBeUndefined();
    shareId = await firstShareId(stack, ALICE);
    expect(membersOf(BOB, 'Team')).toHaveLength(3);
  });
  afterAll(async () => {
    await stack.close();
  });

  it('refuses a view participant who removes, pastes into or stops the label, and audits each', async () => {
    const before = everything();
    const copies = membersOf(BOB, 'Team');
    const removed = await stack.act(
      BOB,
      { action: 'removeChosenContacts', shareId },
      { removeContacts: copies },
    );
    const pasted = await stack.act(
      BOB,
      { action: 'addPastedContacts', shareId },
      { pastedContacts: ['planted@evil.example'] },
    );
    const stopped = await stack.act(BOB, { action: 'confirmStopSharing', shareId });
    for (const step of [removed, pasted, stopped]) {
      expect(step.run.error).toBeUndefined();
      expect(step.notification).toMatch(/^You may not do that on “Team”: your level is “View”\./);
      expect(step.card).toBeUndefined();
    }
    expect(everything()).toBe(before);
    const denied = (await events(ADMIN, 'acme.example', 'sharing.action_denied')).filter(
      (event) => event.actor === BOB && event.shareId === shareId,
    );
    expect(denied.map((event) => [event.detail.action, event.detail.reason]).sort()).toEqual([
      ['addPastedContacts', 'insufficient_level'],
      ['confirmStopSharing', 'insufficient_level'],
      ['removeChosenContacts', 'insufficient_level'],
    ]);
  });

  it('refuses someone outside the share, and the backend audits the share they named', async () => {
    const before = everything();
    const step = await stack.act(
      DAVE,
      { action: 'addPastedContacts', shareId },
      { pastedContacts: ['planted@evil.example'] },
    );
    expect(step.run.error).toBeUndefined();
    expect(step.notification).toMatch(/not shared with you/);
    expect(everything()).toBe(before);
    const denied = (await events(ADMIN, 'acme.example', 'share.denied')).filter(
      (event) => event.actor === DAVE && event.shareId === shareId,
    );
    expect(denied.length).toBeGreaterThan(0);
  });

  it("refuses a user of another customer, audited in that customer's chain and not in acme's", async () => {
    const before = everything();
    const step = await stack.act(
      ZED,
      { action: 'removeChosenContacts', shareId },
      { removeContacts: membersOf(ALICE, 'Team') },
    );
    expect(step.run.error).toBeUndefined();
    expect(step.notification).toMatch(/not shared with you/);
    expect(everything()).toBe(before);
    const inGlobex = (await events(GLOBEX_ADMIN, 'globex.example', 'share.denied')).filter(
      (event) => event.actor === ZED,
    );
    expect(inGlobex.length).toBeGreaterThan(0);
    const inAcme = (await events(ADMIN, 'acme.example', 'share.denied')).filter(
      (event) => event.actor === ZED,
    );
    expect(inAcme).toEqual([]);
  });

  it("refuses a group that is not the caller's own label (another's label, one's own copy), audited", async () => {
    const before = everything();
    // alice's label, named by bob: not a group of his account.
    const foreign = await stack.act(
      BOB,
      { action: 'removeChosenContacts', labelResourceName: label },
      { removeContacts: membersOf(ALICE, 'Team') },
    );
    expect(foreign.notification).toBe(
      'This label is not one of yours any more. Reopen Shared Contacts to see your labels.',
    );
    // bob's own copy of the share, named as if it were his label.
    const copy = stack.groupsOf(BOB).get('Team') as string;
    const ofCopy = await stack.act(
      BOB,
      { action: 'addPastedContacts', labelResourceName: copy },
      { pastedContacts: ['planted@evil.example'] },
    );
    expect(ofCopy.notification).toBe(
      'This is a copy of a label someone shares with you: open it under “Shared with me”.',
    );
    expect(everything()).toBe(before);
    const denied = (await events(ADMIN, 'acme.example', 'sharing.action_denied')).filter(
      (event) => event.actor === BOB && !event.shareId,
    );
    expect(denied.map((event) => [event.detail.action, event.detail.reason]).sort()).toEqual([
      ['addPastedContacts', 'copy_label'],
      ['removeChosenContacts', 'not_own_label'],
    ]);
  });
});
