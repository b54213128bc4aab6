/**
 * Issue 16's points 3, 4 and 7 through the real bundle in the Apps Script runtime, with the API
 * emulator and the backend on PGlite: an unshared label opened from the homepage and filled with
 * existing contacts, pasted addresses and CSV (what was not taken stays in the box), contacts
 * removed and put back with Undo; a shared label whose changes reach its members; confirmations
 * that count what will go before removing a member, stopping a share or leaving, and the Undo
 * that follows; people shown by name, and a contact added from a message named by its sender.
 */
import { gmailMessageEvent, cardActionEvent } from '../../src/emulator/gas/events';
import { makeLabel, startE2eStack, type E2eStack, type Step } from './stack';
import { ALICE, BOB, CAROL } from '../fixtures/acme-users';
import { putOpenPolicy } from '../fixtures/policy';
import { firstShareId } from '../fixtures/share-steps';

const MESSAGE_SCOPE = 'https://www.googleapis.com/auth/gmail.addons.current.message.metadata';

interface Widget {
  decoratedText?: { topLabel?: string; text: string; bottomLabel?: string };
  textParagraph?: { text: string };
  textInput?: { name: string; value?: string };
  selectionInput?: { name: string; items: { text: string; value: string }[] };
  buttonList?: {
    buttons: {
      text: string;
      onClick: { action: { parameters: { key: string; value: string }[] } };
    }[];
  };
}
type Card = { header?: { title?: string; subtitle?: string }; sections?: { widgets: Widget[] }[] };

const widgetsOf = (step: Step) =>
  ((step.card as Card | undefined)?.sections ?? []).flatMap((section) => section.widgets);
const texts = (step: Step) =>
  widgetsOf(step)
    .flatMap((widget) => [
      widget.decoratedText?.topLabel ?? '',
      widget.decoratedText?.text ?? '',
      widget.decoratedText?.bottomLabel ?? '',
      widget.textParagraph?.text ?? '',
    ])
    .join('\n');
const parametersOf = (step: Step, text: string): Record<string, string> => {
  for (const widget of widgetsOf(step))
    for (const button of widget.buttonList?.buttons ?? [])
      if (button.text === text)
        return Object.fromEntries(button.onClick.action.parameters.map((p) => [p.key, p.value]));
  throw new Error(`no button ${text}`);
};
const boxes = (step: Step, name: string) =>
  widgetsOf(step).find((widget) => widget.selectionInput?.name === name)?.selectionInput?.items ??
  [];
/** The cards an action response navigates through, in order. */
const navigatedCards = (step: Step): Card[] =>
  (
    (
      step.run.result?.json as {
        renderActions?: { action?: { navigations?: { pushCard?: Card; updateCard?: Card }[] } };
      }
    )?.renderActions?.action?.navigations ?? []
  ).flatMap((navigation) => [navigation.updateCard, navigation.pushCard].filter(Boolean) as Card[]);

describe('contacts into and out of labels, confirmations and people by name', () => {
  let stack: E2eStack;
  let suppliers: string;
  let shareId = '';

  const memberCount = (user: string, group: string) =>
    stack.people(user, (client) => client.getContactGroup(group, 'name,memberCount')).memberCount ??
    0;
  const copyCount = (user: string, name: string) => {
    const group = stack.groupsOf(user).get(name);
    return group ? memberCount(user, group) : 0;
  };

  beforeAll(async () => {
    stack = await startE2eStack();
    await putOpenPolicy(stack);
    suppliers = makeLabel(stack, ALICE, 'Suppliers', 5, 's');
    makeLabel(stack, ALICE, 'Others', 30, 'o');
  });
  afterAll(async () => {
    await stack.close();
  });

  it('opens an unshared label from the homepage and adds existing contacts, picked several at once', async () => {
    const opened = await stack.act(ALICE, { action: 'openOwnLabel', labelResourceName: suppliers });
    expect(opened.card?.header).toEqual({
      title: 'Suppliers',
      subtitle: 'Not shared · 5 contacts',
    });
    const find = await stack.act(ALICE, parametersOf(opened, 'Add existing contacts'));
    const offered = boxes(find, 'chosenContacts');
    expect(offered).toHaveLength(30);
    expect(offered.some((item) => item.text.includes('s1@customers.example'))).toBe(false);
    const chosen = offered.slice(0, 3).map((item) => item.value);
    const added = await stack.act(ALICE, parametersOf(find, 'Add chosen'), {
      chosenContacts: chosen,
    });
    expect(added.notification).toBe('Added 3 contacts to “Suppliers”.');
    expect(memberCount(ALICE, suppliers)).toBe(8);
    const none = await stack.act(ALICE, parametersOf(find, 'Add chosen'), { chosenContacts: [] });
    expect(none.notification).toBe('Tick at least one contact first.');
  });

  it('adds many at once from pasted text, and keeps what it could not take in the box', async () => {
    const paste = await stack.act(ALICE, {
      action: 'showPasteContacts',
      labelResourceName: suppliers,
    });
    const pasted = await stack.act(ALICE, parametersOf(paste, 'Add to label'), {
      pastedContacts: [
        'Zed New <zed.new@new.example>, o20@customers.example\nbob@\nRita Roe, rita@new.example, +1 555 0199',
      ],
    });
    expect(pasted.notification).toBe(
      'Added to “Suppliers”: 2 new contacts, 1 existing contact. 1 line could not be read and is left in the box: fix it and press “Add to label” again.',
    );
    expect(texts(pasted)).toContain('Line 2: “bob@” is not an e-mail address.');
    expect(
      widgetsOf(pasted).find((widget) => widget.textInput?.name === 'pastedContacts')?.textInput
        ?.value,
    ).toBe('bob@');
    expect(memberCount(ALICE, suppliers)).toBe(11);
    const rita = stack
      .contactsOf(ALICE)
      .find((person) => person.emailAddresses?.[0]?.value === 'rita@new.example');
    expect(rita?.names?.[0]).toMatchObject({ givenName: 'Rita', familyName: 'Roe' });
    expect(rita?.phoneNumbers?.[0]?.value).toBe('+1 555 0199');

    const csv = await stack.act(ALICE, parametersOf(paste, 'Add to label'), {
      pastedContacts: ['Name,E-mail\nZed New,zed.new@new.example\nNo Mail,'],
    });
    expect(csv.notification).toMatch(/1 was in it already/);
    expect(
      widgetsOf(csv).find((widget) => widget.textInput?.name === 'pastedContacts')?.textInput
        ?.value,
    ).toBe('Name,E-mail\nNo Mail,');
    expect(memberCount(ALICE, suppliers)).toBe(11);
  });

  it('removes contacts from a label and puts them back with Undo', async () => {
    const choose = await stack.act(ALICE, {
      action: 'chooseContactsToRemove',
      labelResourceName: suppliers,
    });
    expect(texts(choose)).toContain(
      'The contacts you tick leave this label. They stay in your Google Contacts.',
    );
    const chosen = boxes(choose, 'removeContacts')
      .slice(0, 2)
      .map((item) => item.value);
    const before = stack.contactsOf(ALICE).length;
    const removed = await stack.act(ALICE, parametersOf(choose, 'Remove chosen'), {
      removeContacts: chosen,
    });
    expect(removed.notification).toBe('Removed 2 contacts from “Suppliers”.');
    expect(memberCount(ALICE, suppliers)).toBe(9);
    expect(stack.contactsOf(ALICE)).toHaveLength(before);
    expect(texts(removed)).toContain('2 contacts removed from this label.');
    const undone = await stack.act(ALICE, parametersOf(removed, 'Undo'));
    expect(undone.notification).toBe('Added 2 contacts to “Suppliers”.');
    expect(memberCount(ALICE, suppliers)).toBe(11);
  });

  it('changes a shared label for everyone: added and removed contacts reach its members', async () => {
    const shared = await stack.act(ALICE, {
      action: 'createShare',
      labelResourceName: suppliers,
      recipients: `user|${BOB}|contribute`,
    });
    expect(shared.notification).toMatch(/^Shared “Suppliers”/);
    shareId = await firstShareId(stack, ALICE);
    expect(copyCount(BOB, 'Suppliers')).toBe(11);
    // Opening the label by its resource name now opens the share's card.
    const opened = await stack.act(ALICE, { action: 'openOwnLabel', labelResourceName: suppliers });
    expect((opened.card as Card).header?.subtitle).toMatch(/you: Owner · 11 contacts/);
    const find = await stack.act(ALICE, parametersOf(opened, 'Add existing contacts'));
    const added = await stack.act(ALICE, parametersOf(find, 'Add chosen'), {
      chosenContacts: boxes(find, 'chosenContacts')
        .slice(0, 4)
        .map((item) => item.value),
    });
    expect(added.notification).toMatch(/^Added 4 contacts to “Suppliers”\. Synced: 4 copied/);
    expect(copyCount(BOB, 'Suppliers')).toBe(15);

    // Bob (Add and remove contacts) removes one from his copy: it leaves the owner's label, and
    // Undo is not offered, with the reason.
    const bobChoose = await stack.act(BOB, { action: 'chooseContactsToRemove', shareId });
    expect(texts(bobChoose)).toContain(
      'The contacts you tick leave this label, and their copies are removed from 1 person’s contacts. They stay in your own Google Contacts.',
    );
    const bobRemoved = await stack.act(BOB, parametersOf(bobChoose, 'Remove chosen'), {
      removeContacts: [boxes(bobChoose, 'removeContacts')[0]?.value ?? ''],
    });
    expect(bobRemoved.notification).toMatch(/^Removed 1 contact from “Suppliers”\..*ask the owner/);
    expect(() => parametersOf(bobRemoved, 'Undo')).toThrow();
    expect(memberCount(ALICE, suppliers)).toBe(14);

    // Bob puts one of his own contacts into his copy by pasting its address: it joins the label
    // (a new contact in Alice's label), and stays Bob's own contact whatever happens to the share.
    stack.people(BOB, (client) =>
      client.createContact({
        names: [{ givenName: 'Bob’s', familyName: 'Plumber' }],
        emailAddresses: [{ value: 'plumber@bob.example' }],
      }),
    );
    const pasted = await stack.act(
      BOB,
      { action: 'addPastedContacts', shareId },
      { pastedContacts: ['plumber@bob.example'] },
    );
    expect(pasted.notification).toMatch(
      /^Added to “Suppliers”: 0 new contacts, 1 existing contact\. Synced: /,
    );
    expect(memberCount(ALICE, suppliers)).toBe(15);
    expect(copyCount(BOB, 'Suppliers')).toBe(15);
  });

  it('confirms removing a member with what will happen, and Undo adds them back', async () => {
    const label = await stack.act(ALICE, { action: 'openLabel', shareId });
    expect(texts(label)).toMatch(/\S+ \(bob@acme\.example\)/);
    const member = await stack.act(ALICE, {
      action: 'openMember',
      shareId,
      targetKind: 'user',
      address: BOB,
    });
    expect(member.card?.header?.title).toMatch(/^\S.* \(bob@acme\.example\)$/);
    const confirm = await stack.act(ALICE, parametersOf(member, 'Remove from label'));
    expect(confirm.card?.header?.title).toMatch(/^Remove .*bob@acme\.example.*\?$/);
    expect(texts(confirm)).toMatch(
      /15 contacts will be removed from bob \(bob@acme\.example\)’s contacts \(and from their phone\)\./,
    );
    expect(copyCount(BOB, 'Suppliers')).toBe(15);
    const removed = await stack.act(ALICE, parametersOf(confirm, 'Remove'));
    expect(removed.notification).toMatch(/^Removed .*bob@acme\.example/);
    expect(copyCount(BOB, 'Suppliers')).toBe(0);
    const undone = await stack.act(ALICE, parametersOf(removed, 'Undo'));
    expect(undone.run.error).toBeUndefined();
    expect(copyCount(BOB, 'Suppliers')).toBe(15);
    const level = (await stack.api(ALICE, 'GET', '/v1/shares?view=mine')).body.shares[0].grants;
    expect(level).toEqual([{ target: { kind: 'user', email: BOB }, level: 'contribute' }]);
  });

  it('confirms leaving, saying it cannot be undone from here', async () => {
    const confirm = await stack.act(BOB, { action: 'confirmLeave', shareId });
    expect(confirm.card?.header?.title).toBe('Leave “Suppliers”?');
    expect(texts(confirm)).toContain(
      '15 contacts will be removed from your contacts (and from your phone) at the owner’s next sync.',
    );
    expect(texts(confirm)).toContain(
      'This cannot be undone from here: only the owner or someone who manages the label can share it with you again.',
    );
    expect(parametersOf(confirm, 'Leave label')).toEqual({ action: 'leaveLabel', shareId });
    expect(parametersOf(confirm, 'Cancel')).toEqual({ action: 'cancelConfirm' });
  });

  it('confirms stopping a share with the numbers, and Undo shares it again', async () => {
    await stack.act(ALICE, {
      action: 'addMembers',
      shareId,
      recipients: `group|sales@acme.example|view`,
    });
    expect(copyCount(CAROL, 'Suppliers')).toBe(15);
    const confirm = await stack.act(ALICE, { action: 'confirmStopSharing', shareId });
    expect(confirm.card?.header?.title).toBe('Stop sharing “Suppliers”?');
    expect(texts(confirm)).toContain(
      '15 contacts will be removed from 2 people’s contacts (and from their phones). Your own label and contacts stay.',
    );
    const stopped = await stack.act(ALICE, parametersOf(confirm, 'Stop sharing'));
    expect(stopped.notification).toBe('Stopped sharing “Suppliers”; the copies are gone.');
    expect(copyCount(BOB, 'Suppliers')).toBe(0);
    expect(copyCount(CAROL, 'Suppliers')).toBe(0);
    // Bob's own contact, which he put into the label, is still his.
    expect(
      stack
        .contactsOf(BOB)
        .filter((person) => person.emailAddresses?.[0]?.value === 'plumber@bob.example'),
    ).toHaveLength(1);
    const done = navigatedCards(stopped).pop() as Card;
    expect(done.header?.title).toBe('“Suppliers” is no longer shared');
    const undo = parametersOf({ ...stopped, card: done } as Step, 'Undo: share it again');
    const again = await stack.act(ALICE, undo);
    expect(again.notification).toMatch(/^Shared “Suppliers”/);
    expect(copyCount(BOB, 'Suppliers')).toBe(15);
    expect(copyCount(CAROL, 'Suppliers')).toBe(15);
    shareId = await firstShareId(stack, ALICE);
  });

  it('names a contact added from a message after its sender, and shows every value in order', async () => {
    const [known] = stack.people(ALICE, (client) =>
      client.batchCreateContacts([
        {
          emailAddresses: [{ value: 'nameless@buyer.example' }],
          phoneNumbers: [
            { value: '+1 555 0101', type: 'mobile' },
            { value: '+1 555 0102', type: 'work' },
          ],
          organizations: [{ name: 'Buyer Ltd' }],
          biographies: [{ value: 'Met at the fair' }],
        },
      ]),
    );
    stack.emulator.putGmailMessage(ALICE, {
      id: 'm-7',
      threadId: 'm-7',
      from: 'Nora Buyer <nameless@buyer.example>',
      to: [ALICE],
      cc: [],
      subject: 'Hello',
      date: Date.now(),
    });
    const surface = gmailMessageEvent({
      messageId: 'm-7',
      accessToken: stack.emulator.mintAccessToken(ALICE, [MESSAGE_SCOPE]),
    });
    const added = await stack.runtime.runFunction('onAction', {
      user: ALICE,
      event: cardActionEvent(surface, {
        parameters: {
          action: 'addPersonToLabel',
          email: 'nameless@buyer.example',
          name: 'Nora Buyer',
        },
        formInputs: { targetLabel: [shareId] },
      }),
    });
    expect(added.error).toBeUndefined();
    const person = stack
      .contactsOf(ALICE)
      .find((candidate) => candidate.resourceName === known?.resourceName);
    expect(person?.names?.[0]).toMatchObject({ givenName: 'Nora', familyName: 'Buyer' });

    const card = await stack.act(ALICE, {
      action: 'openContact',
      resourceName: known?.resourceName ?? '',
    });
    const rows = widgetsOf(card)
      .filter((widget) => widget.decoratedText?.topLabel)
      .map((widget) => `${widget.decoratedText?.topLabel}: ${widget.decoratedText?.text}`);
    expect(rows.slice(0, 6)).toEqual([
      'Name: Nora Buyer',
      'E-mail: nameless@buyer.example',
      'Phone · Mobile: +1 555 0101',
      'Phone · Work: +1 555 0102',
      'Organisation: Buyer Ltd',
      'Notes: Met at the fair',
    ]);
  });
});
