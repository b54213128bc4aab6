/**
 * This file measures a label's contents through the real bundle in the Apps Script runtime (the
 * backend on PGlite, the API emulator's latency model of 300 ms a call plus 1 ms a contact, as
 * the homepage bench): opening a shared label of 1,000 contacts as its owner, and adding 50 of
 * the owner's existing contacts to it (picked on the "Add existing contacts" card) with the sync
 * that copies them to its two members inside the same action. Each must fit in one card action
 * (30 s of Apps Script time). It prints modelled and CPU time and the API calls: People API calls
 * (the owner's own and those the share gateway makes in the members' accounts), token exchanges
 * and requests to our backend (counted by a loopback proxy in front of it).
 */
import { cardActionEvent, homepageEvent } from '../src/emulator/gas/events';
import { createAppsScriptRuntime } from '../src/emulator/gas/runtime';
import { makeLabel, peopleCalls, startE2eStack } from '../test/e2e/stack';
import { countingProxy } from './homepage.bench';

const OWNER = 'alice@acme.example';
const MEMBERS = ['bob@acme.example', 'carol@acme.example'];
const CONTACTS = 1_000;
const ADDED = 50;

/** Prints the label contents' figures. */
export async function run(): Promise<void> {
  const stack = await startE2eStack();
  const proxy = await countingProxy(stack.backend.url);
  const runtime = createAppsScriptRuntime({ api: stack.emulator, backendBaseUrl: proxy.url });
  try {
    const label = makeLabel(stack, OWNER, 'Big customers', CONTACTS, 'b');
    makeLabel(stack, OWNER, 'Prospects', 200, 'p');
    const shared = await stack.act(OWNER, {
      action: 'createShare',
      labelResourceName: label,
      recipients: MEMBERS.map((member) => `user|${member}|edit`).join(';'),
    });
    if (shared.run.error) throw new Error(shared.run.error.message);
    for (const member of MEMBERS) await stack.trigger(member);
    const shareId = (await stack.api(OWNER, 'GET', '/v1/shares?view=mine')).body.shares[0]
      .id as string;
    stack.emulator.configureTraffic({ latency: { fixedMs: 300, perItemMs: 1 } });
    const measure = async (
      what: string,
      parameters: Record<string, string>,
      form: Record<string, string[]> = {},
    ) => {
      const people = peopleCalls(stack.emulator);
      const directory = stack.emulator.callCount({
        operation: 'people.people.searchDirectoryPeople',
      });
      const tokens = stack.emulator.callCount({ operation: 'oauth2.token' });
      const backend = proxy.count();
      const run = await runtime.runFunction('onAction', {
        user: OWNER,
        event: cardActionEvent(homepageEvent(), { parameters, formInputs: form }),
      });
      if (run.error) throw new Error(run.error.message);
      const calls = {
        people:
          peopleCalls(stack.emulator) -
          people +
          stack.emulator.callCount({ operation: 'people.people.searchDirectoryPeople' }) -
          directory,
        tokens: stack.emulator.callCount({ operation: 'oauth2.token' }) - tokens,
        backend: proxy.count() - backend,
      };
      const action = (
        run.result?.json as {
          renderActions?: {
            action?: {
              navigations?: { pushCard?: unknown; updateCard?: unknown }[];
              notification?: { text?: string };
            };
          };
        }
      )?.renderActions?.action;
      const notification = action?.notification?.text;
      console.log(
        `${what}: ${run.modelledMs} ms modelled + ${run.cpuMs} ms CPU; ` +
          `API calls ${calls.people + calls.tokens + calls.backend} (People ${calls.people}, token ${calls.tokens}, backend ${calls.backend})` +
          (notification ? `; "${notification}"` : ''),
      );
      return (action?.navigations ?? [])
        .map((step) => step.pushCard ?? step.updateCard)
        .find(Boolean) as { sections?: { widgets: unknown[] }[] } | undefined;
    };
    await measure(`open a shared label of ${CONTACTS} contacts (2 members)`, {
      action: 'openLabel',
      shareId,
    });
    const find = await measure(
      '"Add existing contacts" card (looks past the label’s 1,000 contacts; 100 offered)',
      {
        action: 'findContactsToAdd',
        shareId,
      },
    );
    const widgets = (find?.sections ?? []).flatMap((section) => section.widgets) as {
      selectionInput?: { name: string; items: { value: string }[] };
    }[];
    const offered =
      widgets.find((widget) => widget.selectionInput?.name === 'chosenContacts')?.selectionInput
        ?.items ?? [];
    if (offered.length < ADDED) throw new Error(`only ${offered.length} contacts offered`);
    await measure(
      `add ${ADDED} existing contacts, copied to 2 members in the same action`,
      { action: 'addChosenContacts', shareId },
      { chosenContacts: offered.slice(0, ADDED).map((item) => item.value) },
    );
  } finally {
    await runtime.close();
    await proxy.close();
    await stack.close();
  }
}
