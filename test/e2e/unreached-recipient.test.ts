/**
 * A share that did not reach someone says so (issue 16, point 10): a label shared with two
 * colleagues reaches one (the backend still holds a delegated token for him, as in `npm start`
 * when its clock stood still) and not the other
 * (Google refuses a new delegated token: the grant was withdrawn). The owner is told who was not
 * reached, why and what to do; the state is not "up to date"; once the grant is back, the next
 * sync reaches her.
 */
import { makeLabel, startE2eStack, type E2eStack, type Step } from './stack';
import { ALICE, BOB, CAROL } from '../fixtures/acme-users';
import { buttonParameters, cardText } from '../fixtures/step-card';
import { contactsInGroup } from '../fixtures/label-contacts';
import { putOpenPolicy } from '../fixtures/policy';

interface Widget {
  decoratedText?: { topLabel?: string; text: string; bottomLabel?: string };
  textParagraph?: { text: string };
  buttonList?: {
    buttons: {
      text: string;
      onClick: { action: { parameters: { key: string; value: string }[] } };
    }[];
  };
}
interface Card {
  sections?: { header?: string; widgets: Widget[] }[];
  fixedFooter?: {
    primaryButton?: {
      text: string;
      onClick: { action: { parameters: { key: string; value: string }[] } };
    };
  };
}

/** Every text on a card. */
function texts(step: Step): string {
  return cardText(step.card as Card | undefined);
}

/** The text of the homepage row of a label. */
function rowOf(step: Step, label: string): string {
  for (const section of (step.card as Card | undefined)?.sections ?? [])
    for (const widget of section.widgets)
      if (widget.decoratedText?.text === label)
        return `${widget.decoratedText.topLabel ?? ''}\n${widget.decoratedText.bottomLabel ?? ''}`;
  throw new Error(`no row ${label}`);
}

function parametersOf(step: Step, buttonText: string): Record<string, string> {
  return buttonParameters(step.card as Card | undefined, buttonText);
}

describe('a share that did not reach someone', () => {
  let stack: E2eStack;
  let grant: { domain: string; clientId: string; scopes: string[] };

  /** Shares one of Alice's labels through the dialog with people at "view"; returns the answer. */
  async function share(labelResourceName: string, people: string[]): Promise<Step> {
    let dialog = await stack.act(ALICE, { action: 'showShareForm', labelResourceName });
    for (const person of people)
      dialog = await stack.act(
        ALICE,
        { action: 'addRecipient', ...parametersOf(dialog, 'Add') },
        { recipients: [person], targetKind: ['user'], level: ['view'] },
      );
    return stack.act(ALICE, parametersOf(dialog, 'Share'));
  }

  beforeAll(async () => {
    stack = await startE2eStack();
    await putOpenPolicy(stack);
    grant = stack.emulator
      .delegationGrants()
      .find((each) => each.domain === 'acme.example') as typeof grant;
    // A first share with Bob: the backend keeps a delegated token for his account.
    const earlier = makeLabel(stack, ALICE, 'Suppliers', 2, 's');
    expect((await share(earlier, [BOB])).notification).toContain('Synced: 2 copied');
  });
  afterAll(async () => {
    await stack.close();
  });

  it('tells the owner who was not reached, why and what to do, and is not up to date', async () => {
    stack.emulator.revokeDomainWideDelegation(grant.domain, grant.clientId);
    const customers = makeLabel(stack, ALICE, 'Customers', 5, 'c');
    const shared = await share(customers, [BOB, CAROL]);
    expect(shared.notification).toBe(
      'Shared “Customers”. Synced: 5 copied, 0 updated, 0 removed. Not reached: carol@acme.example; they have no copies yet. The label’s Sync section says why; each sync tries again.',
    );
    expect(stack.groupsOf(BOB).has('Customers')).toBe(true);
    expect(stack.groupsOf(CAROL).has('Customers')).toBe(false);
    const card = texts(shared);
    expect(card).toContain('Not everyone has their copies yet');
    expect(card).not.toContain('Up to date');
    expect(card).toContain(
      'carol@acme.example: Google refused our service access to their contacts (domain-wide delegation does not cover their account, or it is not active). Ask your domain’s admin to open Settings › Domain admin and check “Setting up”.',
    );
    expect(card).toContain(
      'Each sync tries them again; they get their copies as soon as they can be reached.',
    );
    expect(card).not.toMatch(/BackendError|HTTP \d{3}|unauthorized_client/);

    const home = await stack.home(ALICE);
    const row = rowOf(home, 'Customers');
    expect(row).toContain('Not everyone has their copies yet');
    expect(row).toContain('Not reached: carol@acme.example. Open the label to see why.');
    expect(row).not.toContain('Up to date');
    expect(texts(home)).toContain('1 label needs your attention');
  });

  it('reaches them at the next sync once they can be reached', async () => {
    stack.emulator.grantDomainWideDelegation(grant.domain, grant.clientId, grant.scopes);
    const home = await stack.home(ALICE);
    expect(rowOf(home, 'Customers')).toContain('Up to date');
    expect(rowOf(home, 'Customers')).not.toContain('Not reached');
    const copy = stack.groupsOf(CAROL).get('Customers');
    expect(copy).toBeDefined();
    const copied = contactsInGroup(stack.contactsOf(CAROL), copy);
    expect(copied).toHaveLength(5);
  });
});
