/**
 * Errors people understand, through the real bundle: a label shared with an address that has no
 * account (the backend takes any address of the organisation's domains; only Google knows it does
 * not exist) leaves a sync problem. The owner reads who was not reached and what to do, from
 * messages.ts; a member who cannot act on it reads nothing of it; nobody reads the raw API error.
 * A refusal of our service reaches the user as the text messages.ts has for its error code.
 */
import { MSG } from '../../src/addon/messages';
import { makeLabel, startE2eStack, type E2eStack, type Step } from './stack';
import { ALICE, BOB, CAROL } from '../fixtures/acme-users';
import { putOpenPolicy } from '../fixtures/policy';
import { firstShareId } from '../fixtures/share-steps';

const NOBODY = 'nobody.here@acme.example';

/** Everything a card and its notification show, as one text. */
function everything(step: Step): string {
  return `${step.notification ?? ''}\n${JSON.stringify(step.card ?? {})}`;
}

const RAW = /BackendError|HTTP \d{3}|Directory API|No access to|Error:/;

describe('errors people understand', () => {
  let stack: E2eStack;
  let shareId = '';

  beforeAll(async () => {
    stack = await startE2eStack();
    await putOpenPolicy(stack);
    const team = makeLabel(stack, ALICE, 'Team', 4, 't');
    const shared = await stack.act(ALICE, {
      action: 'createShare',
      labelResourceName: team,
      recipients: `user|${BOB}|edit;user|${CAROL}|manage;user|${NOBODY}|view`,
    });
    expect(shared.notification).toMatch(/^Shared “Team”\./);
    expect(shared.notification).not.toMatch(RAW);
    shareId = await firstShareId(stack, ALICE);
  });
  afterAll(async () => {
    await stack.close();
  });

  it('tells the owner who was not reached and what to do, in words', async () => {
    const label = await stack.act(ALICE, { action: 'openLabel', shareId });
    // Who, why and what to do, for the owner: one line per recipient not reached.
    expect(everything(label)).toContain(`${NOBODY}: `);
    expect(everything(label)).toContain(MSG.unreached.retry);
    expect(everything(label)).not.toMatch(RAW);
    const home = await stack.home(ALICE);
    expect(everything(home)).toContain(MSG.unreached.who(NOBODY));
    expect(everything(home)).not.toMatch(RAW);
  });

  it('keeps the problem from members who cannot act on it, and shows it to a manager', async () => {
    const bobEdit = await stack.act(BOB, { action: 'syncLabel', shareId });
    expect(everything(bobEdit)).not.toMatch(RAW);
    // bob sees the members (nobody.here among them), never why a copy failed.
    expect(everything(bobEdit)).not.toContain(`${NOBODY}: `);
    const bobHome = await stack.home(BOB);
    expect(everything(bobHome)).not.toContain(MSG.unreached.who(NOBODY));
    expect(everything(bobHome)).toContain(MSG.unreached.member);
    expect(everything(bobHome)).not.toMatch(RAW);
    const carol = await stack.act(CAROL, { action: 'syncLabel', shareId });
    expect(everything(carol)).not.toMatch(RAW);
    expect(everything(carol)).toContain(`${NOBODY}: `);
  });

  it("shows a refusal of our service as messages.ts words its code, never the service's text", async () => {
    const leave = await stack.act(ALICE, { action: 'leaveLabel', shareId });
    expect(leave.notification).toBe(MSG.errors.owner);
    const foreign = await stack.act(ALICE, {
      action: 'addMembers',
      shareId,
      recipients: 'user|zed@globex.example|view',
    });
    expect(foreign.notification).toBe(MSG.errors.outside_customer);
  });
});
