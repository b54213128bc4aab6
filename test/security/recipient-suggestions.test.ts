/**
 * Security tests of the recipient suggestions' fallback (issue 15): when the directory is hidden
 * from apps, the share dialog suggests only what the caller may see themselves — their own
 * contacts and the grantees of shares they own — never another user's contacts, the grantees of
 * a share they only take part in, nor anyone of another customer.
 */
import { makeLabel, startE2eStack, type E2eStack } from '../e2e/stack';
import { ALICE, BOB, CAROL, DAVE, ERIN, ZED } from '../fixtures/acme-users';
import { putOpenPolicy } from '../fixtures/policy';
import { shareLabel } from '../fixtures/share-steps';

function suggestionsOf(json: unknown): string[] {
  return (
    (json as { action?: { suggestions?: { items?: { text: string }[] } } }).action?.suggestions
      ?.items ?? []
  ).map((item) => item.text);
}

describe('recipient suggestions without the directory', () => {
  let stack: E2eStack;

  beforeAll(async () => {
    stack = await startE2eStack();
    await putOpenPolicy(stack);
    const labelResourceName = makeLabel(stack, ALICE, 'Leads', 2, 'l');
    const shared = await shareLabel(stack, ALICE, labelResourceName, `${BOB}, ${CAROL}`, 'view');
    expect(shared.run.error).toBeUndefined();
    stack.people(ERIN, (client) =>
      client.createContact({
        names: [{ givenName: 'Boris', familyName: 'Private' }],
        emailAddresses: [{ value: 'boris@private.example' }],
      }),
    );
    stack.emulator.setDirectorySharing('acme.example', 'forbidden');
    stack.emulator.setDirectorySharing('globex.example', 'forbidden');
  });
  afterAll(async () => {
    await stack.close();
  });

  const suggest = async (user: string, text: string): Promise<string[]> => {
    const step = await stack.act(user, { action: 'suggestRecipients' }, { recipients: [text] });
    expect(step.run.error).toBeUndefined();
    return suggestionsOf(step.run.result?.json);
  };

  it('gives the owner the grantees of their own share', async () => {
    expect(await suggest(ALICE, 'bo')).toContain(BOB);
  });

  it('gives a view participant neither the other grantees of a share they do not own nor another user’s contacts', async () => {
    const texts = (await suggest(CAROL, 'bo')).join(' ');
    expect(texts).not.toContain(BOB);
    expect(texts).not.toContain('boris@private.example');
  });

  it('gives a user who takes part in nothing nothing of anyone else', async () => {
    expect(await suggest(DAVE, 'bo')).toEqual([]);
  });

  it('gives a user of another customer nothing of this one', async () => {
    const texts = (await suggest(ZED, 'bo')).join(' ');
    expect(texts).not.toContain('acme.example');
    expect(texts).not.toContain('boris@private.example');
  });
});
