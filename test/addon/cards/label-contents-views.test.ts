/**
 * Tests of the cards of issue 16's points 3, 4 and 7 from plain data: an unshared label's card,
 * choosing existing contacts, pasting many, removing contacts, the confirmations before
 * destructive actions and the Undo after them, and people shown by name with their address.
 */
import { labelView, TWO_CONTACTS } from '../../fixtures/addon-label-view';
import { button, input, json, texts, widgets } from '../../fixtures/card-json';
import { createCardService } from '../../../src/emulator/gas/card-service';
import { buildConfirmCard, buildStoppedCard } from '../../../src/addon/cards/confirm-card';
import { buildContactCard } from '../../../src/addon/cards/contact-card';
import { buildLabelCard, type UndoOffer } from '../../../src/addon/cards/label-card';
import {
  buildFindContactsCard,
  buildOwnLabelCard,
  buildPasteCard,
  buildRemoveContactsCard,
} from '../../../src/addon/cards/label-contents-card';
import { buildMemberCard } from '../../../src/addon/cards/member-card';
import { buildShareDialog } from '../../../src/addon/cards/share-dialog-card';
import { grantableLevels } from '../../../src/addon/cards/share-form';
import { MSG } from '../../../src/addon/messages';

const page = TWO_CONTACTS;

beforeAll(() => {
  (globalThis as { CardService?: unknown }).CardService = createCardService();
});

describe('a label’s contents', () => {
  it('opens an unshared label with its contacts, the ways to fill it, and Share', () => {
    const card = json(
      buildOwnLabelCard({ resourceName: 'contactGroups/g1', name: 'Suppliers', contacts: page }),
    );
    expect(card.header).toEqual({ title: 'Suppliers', subtitle: 'Not shared · 2 contacts' });
    expect(texts(card)).toEqual(expect.arrayContaining(['Ann Lee', 'Bob Ray']));
    const ref = { labelResourceName: 'contactGroups/g1' };
    expect(button(card, 'Search')).toEqual({ action: 'openOwnLabel', ...ref });
    expect(button(card, 'Add existing contacts')).toEqual({ action: 'findContactsToAdd', ...ref });
    expect(button(card, 'Add many at once')).toEqual({ action: 'showPasteContacts', ...ref });
    expect(button(card, 'Remove contacts')).toEqual({ action: 'chooseContactsToRemove', ...ref });
    expect(button(card, 'Share this label')).toEqual({ action: 'showShareForm', ...ref });
  });

  it('gives the label card of a share the same buttons, only at “Add and remove contacts” and up', () => {
    const owner = json(buildLabelCard(labelView()));
    expect(button(owner, 'Add existing contacts')).toEqual({
      action: 'findContactsToAdd',
      shareId: 'share-1',
    });
    const viewer = json(buildLabelCard(labelView({ myLevel: 'view', grantable: [] })));
    expect(() => button(viewer, 'Add existing contacts')).toThrow();
    expect(() => button(viewer, 'Remove contacts')).toThrow();
  });

  it('offers the contacts found as boxes to tick, and says when none or more match', () => {
    const ref = { shareId: 'share-1' };
    const card = json(
      buildFindContactsCard({
        ref,
        labelName: 'Customers',
        query: 'lee',
        found: page.rows,
        more: true,
      }),
    );
    expect(card.header.title).toBe('Add contacts to “Customers”');
    const boxes = input(card, 'chosenContacts')?.selectionInput;
    expect(boxes?.type).toBe('CHECK_BOX');
    expect(boxes?.items).toEqual([
      expect.objectContaining({ text: 'Ann Lee · ann@x.example', value: 'people/c1' }),
      expect.objectContaining({ text: 'Bob Ray', value: 'people/c2' }),
    ]);
    expect(texts(card)).toContain('Showing the first 2; search to narrow the list.');
    expect(button(card, 'Add chosen')).toEqual({ action: 'addChosenContacts', ...ref });
    const none = json(
      buildFindContactsCard({ ref, labelName: 'Customers', query: 'zed', found: [], more: false }),
    );
    expect(texts(none)).toContain('None of your contacts outside this label matches “zed”.');
    expect(() => button(none, 'Add chosen')).toThrow();
  });

  it('keeps what was not taken in the paste box, with a reason for each line', () => {
    const card = json(
      buildPasteCard({
        ref: { shareId: 'share-1' },
        labelName: 'Customers',
        text: 'Name,E-mail\nBob,bob@',
        problems: [MSG.contents.notAddress(3, 'Bob,bob@')],
      }),
    );
    expect(card.sections[0]?.header).toBe('Not taken');
    expect(texts(card)).toEqual(
      expect.arrayContaining([
        '1 line could not be read and is left in the box: fix it and press “Add to label” again.',
        'Line 3: “Bob,bob@” is not an e-mail address.',
      ]),
    );
    expect(input(card, 'pastedContacts')?.textInput).toMatchObject({
      value: 'Name,E-mail\nBob,bob@',
      type: 'MULTIPLE_LINE',
    });
    expect(button(card, 'Add to label')).toEqual({
      action: 'addPastedContacts',
      shareId: 'share-1',
    });
  });

  it('says what removing contacts does to other people’s copies', () => {
    const card = json(
      buildRemoveContactsCard({
        ref: { shareId: 'share-1' },
        labelName: 'Customers',
        rows: page.rows,
        people: 48,
      }),
    );
    expect(texts(card)[0]).toBe(
      'The contacts you tick leave this label, and their copies are removed from 48 people’s contacts. They stay in your own Google Contacts.',
    );
    expect(input(card, 'removeContacts')?.selectionInput?.items.map((item) => item.value)).toEqual([
      'people/c1',
      'people/c2',
    ]);
    expect(button(card, 'Remove chosen')).toEqual({
      action: 'removeChosenContacts',
      shareId: 'share-1',
    });
  });
});

describe('confirmations and Undo', () => {
  it('asks before acting, with the numbers, and Cancel goes back', () => {
    const card = json(
      buildConfirmCard({
        title: MSG.confirm.stopTitle('Customers'),
        lines: [MSG.confirm.stopWhat(312, 48), MSG.confirm.stopUndo],
        confirm: { text: 'Stop sharing', action: 'stopSharing', parameters: { shareId: 's' } },
      }),
    );
    expect(card.header.title).toBe('Stop sharing “Customers”?');
    expect(texts(card)[0]).toBe(
      '312 contacts will be removed from 48 people’s contacts (and from their phones). Your own label and contacts stay.',
    );
    expect(button(card, 'Stop sharing')).toEqual({ action: 'stopSharing', shareId: 's' });
    expect(button(card, 'Cancel')).toEqual({ action: 'cancelConfirm' });
  });

  it('offers Undo after stopping a share, or says why it cannot', () => {
    const undo: UndoOffer = {
      text: 'Stopped',
      action: 'createShare',
      parameters: {
        labelResourceName: 'contactGroups/g1',
        recipients: 'user|bob@acme.example|edit',
      },
    };
    const card = json(buildStoppedCard('Customers', 'Stopped.', undo, null));
    expect(card.header.title).toBe('“Customers” is no longer shared');
    expect(button(card, 'Undo: share it again')).toEqual({
      action: 'createShare',
      ...undo.parameters,
    });
    const hidden = json(
      buildStoppedCard('Customers', 'Stopped.', null, MSG.confirm.stopNoUndoHidden),
    );
    expect(() => button(hidden, 'Undo: share it again')).toThrow();
    expect(texts(hidden)).toContain(MSG.confirm.stopNoUndoHidden);
  });

  it('puts an Undo at the top of the label card after a removal, and asks before leaving', () => {
    const card = json(
      buildLabelCard(
        labelView({
          undo: {
            text: 'Bob Lee (bob@acme.example) was removed from this label.',
            action: 'addMembers',
            parameters: { shareId: 'share-1', recipients: 'user|bob@acme.example|edit' },
          },
        }),
      ),
    );
    expect(card.sections[0]?.widgets[0]?.textParagraph?.text).toBe(
      'Bob Lee (bob@acme.example) was removed from this label.',
    );
    expect(button(card, 'Undo')).toEqual({
      action: 'addMembers',
      shareId: 'share-1',
      recipients: 'user|bob@acme.example|edit',
    });
    const member = json(
      buildLabelCard(labelView({ myLevel: 'edit', grantable: [], directGrant: true })),
    );
    expect(button(member, 'Leave this label')).toEqual({
      action: 'confirmLeave',
      shareId: 'share-1',
    });
  });
});

describe('people by name', () => {
  it('shows members and the owner by name with their address beside', () => {
    const names = { 'alice@acme.example': 'Alice Adams', 'bob@acme.example': 'Bob Lee' };
    const card = json(buildLabelCard(labelView({ names })));
    expect(card.header.subtitle).toBe(
      'Owner Alice Adams (alice@acme.example) · you: Owner · 2 contacts',
    );
    expect(texts(card)).toEqual(
      expect.arrayContaining([
        'Alice Adams (alice@acme.example)',
        'Bob Lee (bob@acme.example)',
        'sales@acme.example (group)',
      ]),
    );
    const unnamed = json(buildLabelCard(labelView()));
    expect(texts(unnamed)).toContain('bob@acme.example');
    const member = json(
      buildMemberCard({
        shareId: 'share-1',
        labelName: 'Customers',
        target: { kind: 'user', email: 'bob@acme.example' },
        level: 'edit',
        grantable: grantableLevels('owner'),
        names,
      }),
    );
    expect(member.header.title).toBe('Bob Lee (bob@acme.example)');
  });

  it('shows the share dialog’s recipients by name with their address', () => {
    const card = json(
      buildShareDialog({
        subject: { labelResourceName: 'contactGroups/g1' },
        labelName: 'Customers',
        contactCount: 3,
        recipients: [
          { target: { kind: 'user', email: 'bob@acme.example' }, level: 'edit' },
          { target: { kind: 'user', email: 'zoe@acme.example' }, level: 'view' },
        ],
        levels: grantableLevels('owner'),
        policy: null,
        names: { 'bob@acme.example': 'Bob Lee' },
      }),
    );
    expect(texts(card)).toEqual(
      expect.arrayContaining(['Bob Lee (bob@acme.example)', 'zoe@acme.example']),
    );
  });

  it('shows a contact’s every value, one row each with its type', () => {
    const card = json(
      buildContactCard({
        resourceName: 'people/c1',
        name: 'Ann Lee',
        fields: [
          { label: 'Name', values: ['Ann Lee'] },
          { label: 'E-mail · work', values: ['ann@x.example'] },
          { label: 'Phone · mobile', values: ['+1 555 0100'] },
          { label: 'Phone · work', values: ['+1 555 0101'] },
        ],
        shares: [],
        form: null,
      }),
    );
    expect(
      widgets(card)
        .filter((widget) => widget.decoratedText)
        .map((widget) => [widget.decoratedText?.topLabel, widget.decoratedText?.text]),
    ).toEqual([
      ['Name', 'Ann Lee'],
      ['E-mail · work', 'ann@x.example'],
      ['Phone · mobile', '+1 555 0100'],
      ['Phone · work', '+1 555 0101'],
    ]);
  });
});
