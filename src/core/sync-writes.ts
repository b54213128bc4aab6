/**
 * This file defines the writes of a sync pass: the owner's masters in order, then the recipients'
 * copies one write per account per round, each stopping when the slice's deadline comes.
 */
import { copyGroupLink } from './contact-model';
import type { Clock } from './ports';
import type { Share } from './sharing-model';
import { masterWrites } from './sync-plan-writes';
import type { SyncPlan } from './sync-planner';
import {
  DEADLINE_REACHED,
  type AccountRef,
  type AccountWrite,
  type ContactsGateway,
} from './sync-ports';
import { refusalProblem } from './sync-slice';

/** What the writes of a slice need: the gateway, the clock and deadline, and where failures go. */
export interface WriteRun {
  contacts: ContactsGateway;
  clock: Clock;
  deadline: number;
  /** Problems of writes that failed: the next pass tries them again. */
  failures: string[];
}

/**
 * Writes the owner's account, sequentially. Returns the names of the masters created, by their
 * `new:<n>` name, and whether the copies may be written: a copy written with values its master
 * did not take would lose an edit on the next pass. Returns DEADLINE_REACHED when time ran out.
 */
export function writeMasters(
  run: WriteRun,
  masterRef: AccountRef,
  plan: SyncPlan,
): { created: Map<string, string>; mastersWritten: boolean } | typeof DEADLINE_REACHED {
  const created = new Map<string, string>();
  let mastersWritten = true;
  for (const { write, refs: names } of masterWrites(plan)) {
    if (run.clock.now() >= run.deadline) return DEADLINE_REACHED;
    const [outcome] = run.contacts.write([{ ...masterRef, write }]);
    if (!outcome?.ok) {
      run.failures.push(
        `Writing to the owner's contacts failed: ${outcome?.failure.message ?? 'no answer'}`,
      );
      mastersWritten = false;
      break;
    }
    // Contacts Google refused were left out and are tried again by the next pass. A copy must
    // not take values its master did not: refused master updates hold the copies back.
    if (outcome.refused?.length) {
      run.failures.push(refusalProblem("the owner's", outcome.refused));
      if (write.kind === 'updateContacts') mastersWritten = false;
    }
    names.forEach((ref, index) => {
      const name = outcome.resourceNames[index];
      if (name) created.set(ref, name);
    });
  }
  return { created, mastersWritten };
}

/**
 * Writes the recipients' queues: one write per account per round, the accounts of a round in
 * parallel. Returns DEADLINE_REACHED when time ran out before the queues were empty.
 */
export function writeRecipients(
  run: WriteRun,
  refs: ReadonlyMap<string, AccountRef>,
  queues: Map<string, AccountWrite[]>,
): typeof DEADLINE_REACHED | null {
  for (;;) {
    const round = [...queues].filter(([, queue]) => queue.length > 0);
    if (round.length === 0) return null;
    if (run.clock.now() >= run.deadline) return DEADLINE_REACHED;
    const outcomes = run.contacts.write(
      round.map(([account, queue]) => ({
        ...(refs.get(account) as AccountRef),
        write: queue.shift() as AccountWrite,
      })),
    );
    outcomes.forEach((outcome, index) => {
      const account = (round[index] as [string, AccountWrite[]])[0];
      if (!outcome.ok)
        run.failures.push(`Writing to ${account}'s contacts failed: ${outcome.failure.message}`);
      else if (outcome.refused?.length)
        run.failures.push(refusalProblem(`${account}'s`, outcome.refused));
    });
  }
}

/**
 * Creates the share's copy group in each account, in parallel. Returns each account's new group,
 * in order, or null where the creation failed (its problem then joins the failures).
 */
export function createCopyGroups(
  run: WriteRun,
  refs: ReadonlyMap<string, AccountRef>,
  share: Share,
  accounts: readonly string[],
): (string | null)[] {
  const outcomes = run.contacts.write(
    accounts.map((account) => ({
      ...(refs.get(account) as AccountRef),
      write: { kind: 'createGroup', name: share.labelName, clientData: [copyGroupLink(share)] },
    })),
  );
  return accounts.map((account, index) => {
    const outcome = outcomes[index];
    if (outcome?.ok && outcome.resourceNames[0]) return outcome.resourceNames[0];
    run.failures.push(
      `Creating the label in ${account}'s contacts failed: ${outcome && !outcome.ok ? outcome.failure.message : 'no answer'}`,
    );
    return null;
  });
}
