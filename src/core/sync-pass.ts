/**
 * This file defines one slice of a sync pass over a share's accounts, in its phases: check what
 * changed, list every account, find or make the copy groups, plan, guard, write, and checkpoint.
 */
import { linkKey, type ContactSnapshot } from './contact-model';
import { footprintAllows, MY_CONTACTS, type AccountRole } from './footprint';
import { checkListing } from './listing-guard';
import { linkRewrites, relinkToCurrentMasters } from './ownership-transfer';
import { linkedSources, permittedPlan } from './plan-permissions';
import type { Level, Share } from './sharing-model';
import {
  CLOCK_MARGIN_MS,
  knownAccounts,
  SyncCheckpoints,
  type AccountCheckpoint,
  type ShareCheckpoint,
} from './sync-checkpoint';
import {
  findContributedPeople,
  findCopyGroups,
  isRelevant,
  listAll,
  type PassAccounts,
} from './sync-listings';
import {
  exceedsDeletionGuard,
  planShareSync,
  type RecipientState,
  type SyncPlan,
} from './sync-planner';
import { countPlannedWrites, recipientWrites } from './sync-plan-writes';
import {
  DEADLINE_REACHED,
  type AccountRef,
  type AccountWrite,
  type CallFailure,
} from './sync-ports';
import {
  accessFor,
  emptySyncResult,
  isRefusal,
  recordSlice,
  unreachedReason,
  withUnreached,
  type SyncEngineDeps,
  type SyncOptions,
  type SyncResult,
  type UnreachedAccount,
} from './sync-slice';
import { createCopyGroups, writeMasters, writeRecipients, type WriteRun } from './sync-writes';

/** One slice of a pass. Each phase returns the slice's result when the slice ends there, else null. */
export class SyncPass {
  private readonly shareId: string;
  private readonly slice: number;
  private readonly owner: string;
  private readonly actor: string;
  private readonly checkpoints: SyncCheckpoints;
  private readonly accounts: PassAccounts;
  private readonly problems: string[] = [];
  /** Accounts the gateway refused: left out of this pass, tried again by the next one. */
  private readonly unreachable = new Set<string>();
  private readonly unreached: UnreachedAccount[] = [];
  private recipients: string[];
  /** Masters changed since the last pass, or null when that is unknown. */
  private masterChanged: Set<string> | null = null;
  /** The changed masters and the actor's changed contacts: people copies may be merged into. */
  private readonly changedPeople: ContactSnapshot[] = [];
  /** The sync tokens the check got: those accounts are listed without asking for another. */
  private readonly newTokens = new Map<string, string>();
  /** The people each account was asked for with its listing. */
  private readonly asked = new Map<string, Set<string>>();
  private readonly contactsOf = new Map<string, ContactSnapshot[]>();
  private readonly tokensOf = new Map<string, string>();
  private listedAt = 0;
  /** Accounts whose share of the plan the actor may not write: left for others to bring level. */
  private readonly partial = new Set<string>();
  private readonly failures: string[] = [];
  private readonly writes: WriteRun;

  constructor(
    private readonly deps: SyncEngineDeps,
    private readonly share: Share,
    private readonly levels: Map<string, Level | null>,
    private readonly checkpoint: ShareCheckpoint,
    private readonly options: SyncOptions,
    private readonly actorLevel: Level,
  ) {
    this.shareId = share.id;
    this.slice = checkpoint.slices + 1;
    this.owner = share.owner.toLowerCase();
    this.actor = deps.actor.toLowerCase();
    this.checkpoints = new SyncCheckpoints(deps.store);
    const refs = new Map<string, AccountRef>();
    for (const account of [this.owner, ...levels.keys()])
      refs.set(account, { account, access: accessFor(deps, account, this.shareId) });
    this.recipients = [...levels.keys()];
    const states = new Map(
      this.recipients.map((account) => [account, this.checkpoints.account(this.shareId, account)]),
    );
    this.accounts = { share, refs, levels, states };
    this.writes = {
      contacts: deps.contacts,
      clock: deps.clock,
      deadline: options.deadline,
      failures: this.failures,
    };
  }

  /** Runs the slice: reads what changed, and if anything did, lists, plans, guards and writes. */
  run(): SyncResult {
    return this.checkChanges() ?? this.listEverything() ?? this.prepareGroups() ?? this.write();
  }

  private ref(account: string): AccountRef {
    return this.accounts.refs.get(account) as AccountRef;
  }

  private state(account: string): AccountCheckpoint {
    return this.accounts.states.get(account) as AccountCheckpoint;
  }

  private fail(problem: string): SyncResult {
    this.checkpoints.saveShare(this.shareId, { ...this.checkpoint, slices: this.slice });
    return recordSlice(
      this.deps,
      this.shareId,
      this.share,
      emptySyncResult(this.shareId, 'failed', this.slice, [problem]),
    );
  }

  private refuse(account: string, failure: CallFailure): void {
    if (this.unreachable.has(account)) return;
    this.unreachable.add(account);
    this.unreached.push({ account, reason: unreachedReason(failure) });
  }

  /** Ends a slice that ran out of time: the pass continues in the next slice. */
  private pauseSlice(base?: SyncResult): SyncResult {
    this.checkpoints.saveShare(this.shareId, {
      ...this.checkpoint,
      accounts: knownAccounts(this.checkpoint, this.levels),
      slices: this.slice,
    });
    return recordSlice(this.deps, this.shareId, this.share, {
      ...(base ?? {
        ...emptySyncResult(this.shareId, 'continue', this.slice),
        problems: this.problems,
      }),
      ...withUnreached(this.unreached),
      status: 'continue',
      outOfTime: true,
    });
  }

  /** Check: what changed since the last completed pass (one call per account when nothing did). */
  private checkChanges(): SyncResult | null {
    const { checkpoint, owner, recipients, levels } = this;
    const fresh =
      checkpoint.slices === 0 &&
      checkpoint.paused === null &&
      checkpoint.masterToken !== null &&
      recipients.every((account) => {
        const state = this.state(account);
        return state.t !== null && state.j && levels.get(account) !== null;
      });
    const checkAccounts =
      checkpoint.masterToken === null ? [] : fresh ? [owner, ...recipients] : [owner];
    if (checkAccounts.length === 0) return null;
    const outcomes = this.deps.contacts.listContacts(
      checkAccounts.map((account) => ({
        ...this.ref(account),
        syncToken: account === owner ? checkpoint.masterToken : this.state(account).t,
      })),
      this.options.deadline,
    );
    if (outcomes.some((outcome) => !outcome.ok && outcome.failure.reason === DEADLINE_REACHED))
      return this.pauseSlice();
    let relevant = false;
    for (let index = 0; index < outcomes.length; index++) {
      const account = checkAccounts[index] as string;
      const outcome = outcomes[index];
      if (!outcome || !outcome.ok) {
        // An expired token, or a recipient the gateway now refuses: the reconciliation decides.
        if (
          outcome &&
          (outcome.failure.reason === 'EXPIRED_SYNC_TOKEN' ||
            (account !== owner && isRefusal(outcome.failure)))
        ) {
          relevant = true;
          continue;
        }
        return this.fail(
          `Listing ${account}'s changes failed: ${outcome?.failure.message ?? 'no answer'}`,
        );
      }
      const checked = checkListing(outcome.pages, false);
      if (!checked.ok)
        return this.fail(`Listing ${account}'s changes was refused: ${checked.problem}`);
      this.newTokens.set(account, checked.syncToken as string);
      if (account === owner || account === this.actor)
        this.changedPeople.push(...checked.contacts.filter((contact) => !contact.deleted));
      if (account === owner) {
        this.masterChanged = new Set(checked.contacts.map((contact) => contact.resourceName));
        if (checked.contacts.length > 0) relevant = true;
      } else if (
        checked.contacts.some((contact) => isRelevant(contact, this.share, this.state(account).g))
      )
        relevant = true;
    }
    if (!fresh || relevant || this.options.reconcile === true) return null;
    this.checkpoints.saveShare(this.shareId, {
      ...checkpoint,
      masterToken: this.newTokens.get(owner) ?? checkpoint.masterToken,
    });
    for (const account of recipients) {
      const state = this.state(account);
      this.checkpoints.saveAccount(this.shareId, account, {
        ...state,
        t: this.newTokens.get(account) ?? state.t,
      });
    }
    return recordSlice(this.deps, this.shareId, this.share, {
      ...emptySyncResult(this.shareId, 'unchanged', this.slice),
      problems: this.problems,
    });
  }

  /** Reconcile: complete listings of every account, if they can end before the deadline. */
  private listEverything(): SyncResult | null {
    const { checkpoint, owner } = this;
    this.listedAt = this.deps.clock.now();
    if (
      checkpoint.listMs !== undefined &&
      this.listedAt + checkpoint.listMs > this.options.deadline
    )
      return this.pauseSlice();
    const listed = [owner, ...this.recipients];
    const listings = listAll(this.deps.contacts, this.accounts, this.recipients, this.asked, {
      actor: this.actor,
      merges: footprintAllows(this.actorLevel, 'copy', 'merge'),
      firstPass: checkpoint.masterToken === null,
      changedPeople: this.changedPeople,
      tokensKnown: this.newTokens,
      deadline: this.options.deadline,
    });
    checkpoint.listMs = this.deps.clock.now() - this.listedAt;
    if (listings.some((outcome) => !outcome.ok && outcome.failure.reason === DEADLINE_REACHED))
      return this.pauseSlice();
    for (let index = 0; index < listed.length; index++) {
      const account = listed[index] as string;
      const outcome = listings[index];
      if (outcome && !outcome.ok && account !== owner && isRefusal(outcome.failure)) {
        this.refuse(account, outcome.failure);
        continue;
      }
      if (!outcome || !outcome.ok)
        return this.fail(
          `Listing ${account}'s contacts failed: ${outcome?.failure.message ?? 'no answer'}`,
        );
      const known = this.newTokens.get(account);
      const checked = checkListing(outcome.pages, true, known === undefined);
      if (!checked.ok)
        return this.fail(`Listing ${account}'s contacts was refused: ${checked.problem}`);
      this.contactsOf.set(account, checked.contacts);
      this.tokensOf.set(account, known ?? (checked.syncToken as string));
    }
    this.recipients = this.recipients.filter((account) => !this.unreachable.has(account));
    const verify = this.recipients.filter((account) => this.state(account).g !== null);
    if (verify.length > 0) {
      const groups = this.deps.contacts.listGroups(verify.map((account) => this.ref(account)));
      for (let index = 0; index < verify.length; index++) {
        const account = verify[index] as string;
        const outcome = groups[index];
        if (outcome && !outcome.ok && isRefusal(outcome.failure)) {
          this.refuse(account, outcome.failure);
          continue;
        }
        if (!outcome || !outcome.ok)
          return this.fail(
            `Listing ${account}'s labels failed: ${outcome?.failure.message ?? 'no answer'}`,
          );
        const state = this.state(account);
        if (!outcome.groups.some((group) => group.resourceName === state.g)) state.g = null;
      }
      this.recipients = this.recipients.filter((account) => !this.unreachable.has(account));
    }
    if (this.masterChanged !== null) {
      // Sync listings lag behind writes (FACTS.md), so a master may have changed without showing
      // in the owner's changes yet: its update time tells.
      const since = checkpoint.listedAt;
      if (since === undefined) this.masterChanged = null;
      else
        for (const contact of this.contactsOf.get(owner) ?? [])
          if (contact.updateTime === 0 || contact.updateTime >= since - CLOCK_MARGIN_MS)
            this.masterChanged.add(contact.resourceName);
    }
    return null;
  }

  /** What the actor may do in another account (the gateway enforces the same table). */
  private may(account: string, operation: Parameters<typeof footprintAllows>[2]): boolean {
    const role: AccountRole = this.levels.get(account) === null ? 'former' : 'copy';
    return account === this.actor || footprintAllows(this.actorLevel, role, operation);
  }

  /**
   * Copy groups, in parallel, before planning: a group that turns out to exist already (made by
   * another participant's sync) holds contacts that the plan must see as in the group, and a
   * departed account's group (made by someone else's sync) must be found to be deleted.
   * Only an account holding contacts linked to the share, or contacts that the gateway lists in a
   * group (it lists none but the copy group it found there, maybe renamed), can hold such a group
   * with contacts in it: looking only there keeps a first share free of extra calls. (An empty
   * group of the share's name is still found by createGroup's answer to the name clash.)
   */
  private prepareGroups(): SyncResult | null {
    const { shareId, recipients, contactsOf } = this;
    const linkPrefix = linkKey(shareId);
    findCopyGroups(
      this.deps.contacts,
      shareId,
      recipients.filter(
        (account) =>
          this.state(account).g === null &&
          (contactsOf.get(account) ?? []).some(
            (contact) =>
              contact.clientData.some((entry) => entry.key.startsWith(linkPrefix)) ||
              (this.ref(account).access.kind === 'gateway' &&
                contact.memberships.some((name) => name !== MY_CONTACTS)),
          ),
      ),
      this.accounts.refs,
      this.accounts.states,
    );
    if (footprintAllows(this.actorLevel, 'copy', 'merge')) {
      const found = findContributedPeople(
        this.deps.contacts,
        this.accounts,
        recipients,
        contactsOf,
        this.asked,
        this.options.deadline,
      );
      if (found === DEADLINE_REACHED) return this.pauseSlice();
    }
    const needGroups = recipients.filter(
      (account) => this.levels.get(account) !== null && this.state(account).g === null,
    );
    for (const account of needGroups.filter((account) => !this.may(account, 'createGroup')))
      this.partial.add(account);
    const makeGroups = needGroups.filter((account) => !this.partial.has(account));
    if (makeGroups.length === 0) return null;
    if (this.deps.clock.now() >= this.options.deadline) return this.pauseSlice();
    const groups = createCopyGroups(this.writes, this.accounts.refs, this.share, makeGroups);
    makeGroups.forEach((account, index) => {
      const group = groups[index];
      if (!group) return;
      const state = this.state(account);
      state.g = group;
      this.checkpoints.saveAccount(shareId, account, state);
    });
    return null;
  }

  /** Plans, applies the mass-deletion guard and the actor's permissions, and writes. */
  private write(): SyncResult {
    const { shareId, owner, recipients, contactsOf } = this;
    const relinked = relinkToCurrentMasters(
      this.share,
      contactsOf.get(owner) ?? [],
      new Map(recipients.map((account) => [account, contactsOf.get(account) ?? []])),
    );
    for (const [account, contacts] of relinked.contacts) contactsOf.set(account, contacts);
    const recipientStates: RecipientState[] = recipients.map((account) => {
      const state = this.state(account);
      return {
        account,
        level: this.levels.get(account) ?? null,
        group: state.g,
        joined: state.j,
        contacts: contactsOf.get(account) ?? [],
      };
    });
    const plan = planShareSync({
      share: this.share,
      master: contactsOf.get(owner) ?? [],
      recipients: recipientStates,
      masterChanged: this.masterChanged,
    });
    const counts = countPlannedWrites(plan);
    const base: SyncResult = {
      ...emptySyncResult(shareId, 'done', this.slice),
      created: counts.creates,
      updated: counts.updates,
      deleted: counts.deletes,
      merged: plan.merges,
      conflicts: plan.conflicts,
      reverts: plan.reverts,
      problems: this.problems,
      ...withUnreached(this.unreached),
    };
    const mayConfirm = this.options.allowMassDeletion === true && this.actor === owner;
    if (exceedsDeletionGuard(plan) && !mayConfirm) {
      this.checkpoints.saveShare(shareId, {
        ...this.checkpoint,
        slices: 0,
        paused: { deletions: plan.labelDeletions, labelSize: plan.labelSize },
      });
      return recordSlice(this.deps, shareId, this.share, {
        ...base,
        status: 'paused',
        created: 0,
        updated: 0,
        deleted: 0,
        merged: 0,
        pendingDeletions: plan.labelDeletions,
      });
    }
    const permitted = this.permitted(plan);
    for (const account of permitted.partial) this.partial.add(account);

    const masters = writeMasters(this.writes, this.ref(owner), permitted.plan);
    if (masters === DEADLINE_REACHED) return this.pauseSlice(base);
    const queues = new Map<string, AccountWrite[]>();
    for (const recipient of masters.mastersWritten ? permitted.plan.recipients : []) {
      const group = this.state(recipient.account).g;
      if (recipient.needsGroup) continue;
      queues.set(recipient.account, [
        ...recipientWrites(recipient, shareId, group, masters.created),
        ...(this.may(recipient.account, 'updateFields')
          ? linkRewrites(recipient, relinked.changed.get(recipient.account) ?? [])
          : []),
      ]);
    }
    if (writeRecipients(this.writes, this.accounts.refs, queues) === DEADLINE_REACHED)
      return this.pauseSlice(base);
    return this.complete(base);
  }

  /** The plan less what the actor may not write, and the accounts left partly unwritten. */
  private permitted(plan: SyncPlan): ReturnType<typeof permittedPlan> {
    const { owner, shareId, contactsOf } = this;
    return permittedPlan(
      plan,
      owner,
      (account, operation) =>
        account === owner
          ? owner === this.actor || footprintAllows(this.actorLevel, 'master', operation)
          : this.may(account, operation),
      linkedSources(contactsOf, shareId),
    );
  }

  /** Checkpoints the end of the slice: the pass is complete unless a write failed. */
  private complete(base: SyncResult): SyncResult {
    const { shareId, owner, recipients, partial, checkpoint } = this;
    if (this.failures.length > 0) {
      this.checkpoints.saveShare(shareId, {
        ...checkpoint,
        accounts: knownAccounts(checkpoint, this.levels),
        slices: this.slice,
      });
      return recordSlice(this.deps, shareId, this.share, {
        ...base,
        status: 'continue',
        problems: [...this.problems, ...this.failures],
      });
    }
    for (const account of this.unreachable) {
      const state = this.checkpoints.account(shareId, account);
      this.checkpoints.saveAccount(shareId, account, { t: null, g: state.g, j: false });
    }
    for (const account of recipients) {
      const state = this.state(account);
      if (this.levels.get(account) === null && !partial.has(account))
        this.checkpoints.deleteAccount(shareId, account);
      else if (partial.has(account))
        // Not brought level with the master: a later pass must not take its missing copies for
        // removals, nor its old changes for nothing.
        this.checkpoints.saveAccount(shareId, account, { t: null, g: state.g, j: false });
      else
        this.checkpoints.saveAccount(shareId, account, {
          t: this.tokensOf.get(account) ?? null,
          g: state.g,
          j: true,
        });
    }
    this.checkpoints.saveShare(shareId, {
      v: 1,
      accounts: [
        ...recipients.filter(
          (account) => this.levels.get(account) !== null || partial.has(account),
        ),
        ...this.unreachable,
      ],
      masterToken: this.tokensOf.get(owner) ?? null,
      slices: 0,
      paused: null,
      listedAt: this.listedAt,
      listMs: checkpoint.listMs,
      owner,
    });
    return recordSlice(this.deps, shareId, this.share, base);
  }
}
