/**
 * This file defines the sync engine: it syncs one share across the owner's and every recipient's
 * account in slices that fit an Apps Script execution, checkpointing in the acting user's
 * key-value store, and reports each outcome to the audit sink (DESIGN.md §5).
 */
import {
  encodeGroupLink,
  fingerprint,
  linkKey,
  readGroupLink,
  readLink,
  SYNCED_FIELDS,
  visibleFields,
  type ContactSnapshot,
} from './contact-model';
import {
  footprintAllows,
  matchDescriptor,
  MY_CONTACTS,
  type AccountRole,
  type MatchDescriptor,
} from './footprint';
import { checkListing } from './listing-guard';
import { permittedPlan } from './plan-permissions';
import {
  pendingTransferKey,
  linkRewrites,
  planFormerMasters,
  relinkToCurrentMasters,
  type PendingTransfer,
} from './ownership-transfer';
import { resolveParticipants, type Participant } from './participants';
import type { AuditSink, Clock, KeyValueStore } from './ports';
import type { Level, Share } from './sharing-model';
import {
  countPlannedWrites,
  exceedsDeletionGuard,
  masterWrites,
  planShareSync,
  recipientWrites,
  type Conflict,
  type RecipientState,
  type Revert,
} from './sync-planner';
import {
  DEADLINE_REACHED,
  type AccountAccess,
  type AccountRef,
  type AccountWrite,
  type CallFailure,
  type ContactsGateway,
  type ListingOutcome,
  type ListingRequest,
  type GroupDirectory,
  type RefusedWrite,
  type ShareDirectory,
} from './sync-ports';

/** What the engine needs from its host. */
export interface SyncEngineDeps {
  /** The acting user's address. */
  actor: string;
  contacts: ContactsGateway;
  shares: ShareDirectory;
  directory: GroupDirectory;
  /** The acting user's own OAuth token: other accounts are reached through the share gateway. */
  ownToken(): string;
  /** The acting user's store (user properties): checkpoints and sync tokens. */
  store: KeyValueStore;
  audit: AuditSink;
  clock: Clock;
  /** Returns a fresh unique id for audit events. */
  newId(): string;
}

/** Options of one slice. */
export interface SyncOptions {
  /** Epoch ms by which the slice must stop starting new calls (e.g. start + 25 s in a card action). */
  deadline: number;
  /** Lets the owner confirm a sync that the mass-deletion guard paused. Ignored for other users. */
  allowMassDeletion?: boolean;
  /**
   * Lists every account even when the sync listings show no change: the caller has just written
   * (or the user asked to sync), and writes reach sync listings only minutes later ("Incremental
   * syncs are not intended for read-after-write use cases", people.connections.list reference).
   */
  reconcile?: boolean;
}

/**
 * How a slice ended: `unchanged` (nothing to do), `done`, `continue` (call again: work remains),
 * `paused` (the mass-deletion guard waits for the owner), `failed` (nothing was lost; retry later).
 */
export type SyncStatus = 'unchanged' | 'done' | 'continue' | 'paused' | 'failed';

/** The result of one slice. Conflicts carry the losing values for the user; audit events do not. */
export interface SyncResult {
  shareId: string;
  status: SyncStatus;
  /** Slices this pass has taken so far, this one included. */
  slice: number;
  created: number;
  updated: number;
  deleted: number;
  merged: number;
  conflicts: Conflict[];
  reverts: Revert[];
  /** Label contacts the pass would delete, when paused. */
  pendingDeletions: number;
  problems: string[];
  /**
   * Recipients this pass could not reach (the gateway refused their account): they have no
   * copies yet, and every following pass tries them again. Absent when everyone was reached.
   */
  unreached?: UnreachedAccount[];
  /**
   * True when the slice stopped because its deadline came, or would come before the listings it
   * needs could end: another slice in the same execution would only stop again.
   */
  outOfTime?: boolean;
}

/**
 * Why a recipient was not reached: `delegation` (Google refused our service a delegated token for
 * their account: domain-wide delegation not granted, or the account is not active), `not_found`
 * (no such account), `refused` (their account refused access otherwise).
 */
export type UnreachedReason = 'delegation' | 'not_found' | 'refused';

/** A recipient a pass could not reach, and why. */
export interface UnreachedAccount {
  account: string;
  reason: UnreachedReason;
}

/** The checkpoint of a share in the acting user's store, under `sc:<shareId>`. */
export interface ShareCheckpoint {
  v: 1;
  /** Recipients this user has synced, so that departed ones can be cleaned up. */
  accounts: string[];
  /** The owner's account sync token at the last completed pass. */
  masterToken: string | null;
  /** Slices of the pass in progress; 0 when none is. */
  slices: number;
  /**
   * When the listings of the last completed pass began (epoch ms). A master updated before then
   * was copied to every joined account by that pass, so a copy of it that is now missing was
   * removed by the recipient; of a master updated since, nothing can be concluded.
   */
  listedAt?: number;
  /**
   * How long (ms) the complete listings of every account took in the last slice that made them,
   * or at least, when they were cut short by a deadline. A slice with less time left does not
   * start them.
   */
  listMs?: number;
  paused: { deletions: number; labelSize: number } | null;
  /**
   * The owner whose account `masterToken` lists. A checkpoint of another owner (the share's
   * ownership was transferred since), or naming none, starts a fresh pass.
   */
  owner?: string;
}

/** The state of one recipient account, under `sc:<shareId>:<account>`. */
export interface AccountCheckpoint {
  /** Sync token of the account at the last completed pass. */
  t: string | null;
  /** The copy group's resource name. */
  g: string | null;
  /** True when the last completed pass brought the account level with the master. */
  j: boolean;
}

/**
 * How far Google's update times may run behind the acting user's clock. A master updated within
 * this margin of the last pass's listings counts as changed since, so that no recipient's missing
 * copy of it is taken for a removal.
 */
export const CLOCK_MARGIN_MS = 60_000;

/** The problem of a write of which Google refused some contacts (written: the others). */
function refusalProblem(whose: string, refused: readonly RefusedWrite[]): string {
  const count = refused.length;
  return `Google refused ${count === 1 ? '1 contact' : `${count} contacts`} of a write to ${whose} contacts (${refused[0]?.message ?? 'no reason given'}); the others were written, and the next sync tries again.`;
}

function shareKey(shareId: string): string {
  return `sc:${shareId}`;
}
function accountKey(shareId: string, account: string): string {
  return `sc:${shareId}:${account}`;
}

/** The engine. One instance per execution; it holds no state between calls besides the store. */
export class SyncEngine {
  constructor(private readonly deps: SyncEngineDeps) {}

  /** Reads a share's checkpoint, or a fresh one. */
  checkpoint(shareId: string): ShareCheckpoint {
    const text = this.deps.store.get(shareKey(shareId));
    if (text) {
      const parsed = JSON.parse(text) as ShareCheckpoint;
      if (parsed.v === 1) return parsed;
    }
    return { v: 1, accounts: [], masterToken: null, slices: 0, paused: null };
  }

  private accountState(shareId: string, account: string): AccountCheckpoint {
    const text = this.deps.store.get(accountKey(shareId, account));
    return text ? (JSON.parse(text) as AccountCheckpoint) : { t: null, g: null, j: false };
  }

  private saveAccountState(shareId: string, account: string, state: AccountCheckpoint): void {
    this.deps.store.set(accountKey(shareId, account), JSON.stringify(state));
  }

  /** The acting user's own account directly; any other through the share gateway (DESIGN.md §6). */
  private accessFor(account: string, shareId: string): AccountAccess {
    if (account === this.deps.actor.toLowerCase())
      return { kind: 'direct', token: this.deps.ownToken() };
    return { kind: 'gateway', shareId };
  }

  /**
   * Runs one slice of the sync of a share: reads what changed, and if anything did, lists every
   * account, plans, guards and writes until the deadline. Call again while it returns `continue`.
   */
  syncShare(shareId: string, options: SyncOptions): SyncResult {
    const share = this.deps.shares.getShare(shareId);
    if (!share)
      return this.finish(
        shareId,
        null,
        this.result(shareId, 'failed', 0, ['The share no longer exists.']),
      );
    const resolved = this.participantsOf(share);
    if (!resolved.ok)
      return this.finish(shareId, share, this.result(shareId, 'failed', 0, [resolved.problem]));
    const participants = resolved.participants;
    const actor = this.deps.actor.toLowerCase();
    if (!participants.some((participant) => participant.account === actor))
      return this.finish(
        shareId,
        share,
        this.result(shareId, 'failed', 0, [`${actor} does not take part in this share.`]),
      );
    const owner = share.owner.toLowerCase();
    const actorLevel = participants.find((participant) => participant.account === actor)
      ?.level as Level;
    // The pass covers the accounts the actor's level lets the gateway read: the master always,
    // other participants' copies from `edit` up (footprint.ts); below that, only their own copy.
    const readsCopies = footprintAllows(actorLevel, 'copy', 'read');
    // A former owner's account is left alone until its own sync has adopted the transfer.
    const formerOwner = share.formerOwner?.toLowerCase() ?? null;
    const levels = new Map<string, Level | null>();
    for (const participant of participants)
      if (
        participant.account !== owner &&
        (participant.account === actor || (readsCopies && participant.account !== formerOwner))
      )
        levels.set(participant.account, participant.level);
    const stored = this.deps.store.get(pendingTransferKey(shareId));
    const pending: PendingTransfer | null =
      stored !== null
        ? (JSON.parse(stored) as PendingTransfer)
        : formerOwner === actor && share.formerLabel
          ? { formerOwner, formerLabel: share.formerLabel }
          : null;
    if (pending !== null && owner !== actor) {
      const adopted = this.adoptFormerMasters(share, pending, options);
      if (adopted.status !== 'done') return adopted;
      if (formerOwner === actor) this.deps.shares.transferAdopted(shareId);
    }
    const checkpoint = this.ownerCheckpoint(shareId, owner);
    // Only the owner and manage participants may reach departed participants (the gateway refuses
    // others): below that, they are forgotten here and cleaned by them or by their own user.
    // A partial member list says nothing of who left: then no one is taken for departed.
    const cleansDeparted =
      footprintAllows(actorLevel, 'former', 'read') && this.deps.directory.complete?.() !== false;
    for (const account of checkpoint.accounts)
      if (levels.has(account)) continue;
      else if (cleansDeparted && !participants.some((p) => p.account === account))
        levels.set(account, null);
      else this.deps.store.delete(accountKey(shareId, account));
    return this.runPass(share, levels, checkpoint, options, actorLevel);
  }

  /**
   * The share's checkpoint when it belongs to the current owner; otherwise (ownership was
   * transferred, or it predates transfers) a fresh one that keeps the recipients to clean up, less
   * the owner.
   */
  private ownerCheckpoint(shareId: string, owner: string): ShareCheckpoint {
    const checkpoint = this.checkpoint(shareId);
    if (
      checkpoint.owner === owner ||
      (checkpoint.owner === undefined && checkpoint.masterToken === null)
    )
      return checkpoint;
    this.deps.store.delete(accountKey(shareId, owner));
    return {
      v: 1,
      accounts: checkpoint.accounts.filter((account) => account !== owner),
      masterToken: null,
      slices: 0,
      paused: null,
    };
  }

  /**
   * Turns the acting user's former masters of a share whose ownership they transferred into
   * copies of the new owner's masters (ownership-transfer.ts): a copy group is made (or found
   * again), the former label's contacts move into it linked to the new owner's copies of them,
   * and the former label is deleted. Re-running it after an interruption finishes the work; until
   * it is done, the pending record in the store makes every sync of the share finish it first.
   */
  adoptFormerMasters(share: Share, pending: PendingTransfer, options: SyncOptions): SyncResult {
    const shareId = share.id;
    const actor = this.deps.actor.toLowerCase();
    this.deps.store.set(pendingTransferKey(shareId), JSON.stringify(pending));
    const failed = (problem: string): SyncResult =>
      this.finish(shareId, share, this.result(shareId, 'failed', 1, [problem]));
    const outOfTime = (): SyncResult =>
      this.finish(shareId, share, { ...this.result(shareId, 'continue', 1), outOfTime: true });
    const own: AccountRef = { account: actor, access: this.accessFor(actor, shareId) };
    const owner = share.owner.toLowerCase();
    const ownerRef: AccountRef = { account: owner, access: this.accessFor(owner, shareId) };
    const [groups] = this.deps.contacts.listGroups([own]);
    if (!groups?.ok)
      return failed(`Listing your labels failed: ${groups?.failure.message ?? 'no answer'}`);
    const key = linkKey(shareId);
    let copyGroup = groups.groups.find((group) =>
      group.clientData.some((entry) => entry.key === key),
    )?.resourceName;
    const formerExists = groups.groups.some((group) => group.resourceName === pending.formerLabel);
    if (copyGroup === undefined) {
      const [created] = this.deps.contacts.write([
        {
          ...own,
          write: {
            kind: 'createGroup',
            name: share.labelName,
            clientData: [copyGroupLink(share)],
          },
        },
      ]);
      if (!created?.ok || !created.resourceNames[0])
        return failed(
          `Creating the label in your contacts failed: ${created && !created.ok ? created.failure.message : 'no answer'}`,
        );
      copyGroup = created.resourceNames[0];
    }
    if (formerExists) {
      const listings = this.deps.contacts.listContacts(
        [
          { ...own, syncToken: null, requestSyncToken: false },
          { ...ownerRef, syncToken: null, requestSyncToken: false },
        ],
        options.deadline,
      );
      if (listings.some((outcome) => !outcome.ok && outcome.failure.reason === DEADLINE_REACHED))
        return outOfTime();
      const [mine, theirs] = listings.map((outcome) =>
        outcome.ok ? checkListing(outcome.pages, true, false) : null,
      );
      if (!mine?.ok || !theirs?.ok)
        return failed(
          "Listing your contacts and the new owner's failed; nothing was changed, and the next sync tries again.",
        );
      const updates = planFormerMasters(
        share,
        pending.formerOwner,
        pending.formerLabel,
        copyGroup,
        mine.contacts,
        theirs.contacts,
      );
      for (let index = 0; index < updates.length; index += 200) {
        if (this.deps.clock.now() >= options.deadline) return outOfTime();
        const [outcome] = this.deps.contacts.write([
          { ...own, write: { kind: 'updateContacts', updates: updates.slice(index, index + 200) } },
        ]);
        if (!outcome?.ok)
          return failed(
            `Moving your contacts into the shared label failed: ${outcome?.failure.message ?? 'no answer'}`,
          );
        if (outcome.refused?.length) return failed(refusalProblem('your', outcome.refused));
      }
      const [deleted] = this.deps.contacts.write([
        { ...own, write: { kind: 'deleteGroup', resourceName: pending.formerLabel } },
      ]);
      if (!deleted?.ok)
        return failed(
          `Removing your former label failed: ${deleted?.failure.message ?? 'no answer'}`,
        );
    }
    this.deps.store.delete(pendingTransferKey(shareId));
    this.deps.store.delete(shareKey(shareId));
    this.saveAccountState(shareId, actor, { t: null, g: copyGroup, j: false });
    return this.finish(shareId, share, this.result(shareId, 'done', 1));
  }

  /**
   * Runs one slice of ending a share: removes from every recipient's account what the share
   * brought there (copies and the copy group; merged pre-existing contacts stay, unlinked).
   * `share` is the share as it was; `reached` names further accounts the share reached (through
   * other participants' syncs), cleaned as well. Call again while it returns `continue`.
   */
  endShare(share: Share, options: SyncOptions, reached: readonly string[] = []): SyncResult {
    const resolved = this.participantsOf(share);
    if (!resolved.ok)
      return this.finish(share.id, share, this.result(share.id, 'failed', 0, [resolved.problem]));
    const checkpoint = this.checkpoint(share.id);
    const owner = share.owner.toLowerCase();
    const levels = new Map<string, Level | null>();
    for (const participant of resolved.participants)
      if (participant.account !== owner) levels.set(participant.account, null);
    for (const account of checkpoint.accounts) levels.set(account, null);
    for (const account of reached)
      if (account.toLowerCase() !== owner) levels.set(account.toLowerCase(), null);
    const actorLevel =
      resolved.participants.find(
        (participant) => participant.account === this.deps.actor.toLowerCase(),
      )?.level ?? null;
    if (actorLevel !== 'owner')
      return this.finish(
        share.id,
        share,
        this.result(share.id, 'failed', 0, ['Only the owner ends a share.']),
      );
    const result = this.runPass(share, levels, checkpoint, options, actorLevel);
    if (result.status === 'done' || result.status === 'unchanged') {
      for (const account of levels.keys()) this.deps.store.delete(accountKey(share.id, account));
      this.deps.store.delete(shareKey(share.id));
    }
    return result;
  }

  /**
   * Runs one slice of removing from the acting user's own account what a share brought there,
   * once the share no longer includes them (it ended, or they left it) and no other sync removed
   * it: copies are deleted, merged pre-existing contacts unlinked, the copy group deleted. Only
   * contacts carrying the share's link are touched, and only on a complete listing. The caller
   * must have made sure that the user takes no part in the share. Call again while it returns
   * `continue`.
   */
  removeOwnCopies(shareId: string, options: SyncOptions): SyncResult {
    const account = this.deps.actor.toLowerCase();
    const ref: AccountRef = { account, access: { kind: 'direct', token: this.deps.ownToken() } };
    const failed = (problem: string): SyncResult =>
      this.finish(shareId, null, this.result(shareId, 'failed', 1, [problem]));
    const [groups] = this.deps.contacts.listGroups([ref]);
    if (!groups?.ok)
      return failed(`Listing your labels failed: ${groups?.failure.message ?? 'no answer'}`);
    const key = linkKey(shareId);
    const copyGroups = groups.groups.filter((group) =>
      group.clientData.some((entry) => entry.key === key),
    );
    const [listing] = this.deps.contacts.listContacts(
      [{ ...ref, syncToken: null, requestSyncToken: false }],
      options.deadline,
    );
    if (!listing?.ok) {
      if (listing?.failure.reason === DEADLINE_REACHED)
        return this.finish(shareId, null, {
          ...this.result(shareId, 'continue', 1),
          outOfTime: true,
        });
      return failed(`Listing your contacts failed: ${listing?.failure.message ?? 'no answer'}`);
    }
    const checked = checkListing(listing.pages, true, false);
    if (!checked.ok) return failed(`Listing your contacts was refused: ${checked.problem}`);
    const group = copyGroups[0] ?? null;
    const groupLink = group ? readGroupLink(group.clientData, shareId) : null;
    const share: Share = {
      id: shareId,
      domain: '',
      owner: groupLink?.sourceOwner ?? '',
      labelResourceName: groupLink?.labelResourceName ?? '',
      labelName: group?.name ?? '',
      grants: [],
      hiddenFields: [],
      createdAt: '',
      updatedAt: '',
    };
    const plan = planShareSync({
      share,
      master: [],
      recipients: [
        {
          account,
          level: null,
          group: group?.resourceName ?? null,
          joined: true,
          contacts: checked.contacts,
        },
      ],
      masterChanged: null,
    });
    const recipient = plan.recipients[0];
    const writes: AccountWrite[] = [
      ...(recipient
        ? recipientWrites(recipient, shareId, group?.resourceName ?? null, new Map())
        : []),
      ...copyGroups
        .slice(1)
        .map((extra): AccountWrite => ({ kind: 'deleteGroup', resourceName: extra.resourceName })),
    ];
    const counts = countPlannedWrites(plan);
    for (const write of writes) {
      if (this.deps.clock.now() >= options.deadline)
        return this.finish(shareId, null, {
          ...this.result(shareId, 'continue', 1),
          outOfTime: true,
        });
      const [outcome] = this.deps.contacts.write([{ ...ref, write }]);
      if (!outcome?.ok)
        return failed(
          `Removing the copies from your contacts failed: ${outcome?.failure.message ?? 'no answer'}`,
        );
      if (outcome.refused?.length) return failed(refusalProblem('your', outcome.refused));
    }
    return this.finish(shareId, null, {
      ...this.result(shareId, 'done', 1),
      updated: counts.updates,
      deleted: counts.deletes,
    });
  }

  /**
   * Resolves the share's participants. When the Directory cannot be read, a group's members are
   * unknown, and nothing may be decided on a partial list: the slice fails and changes nothing.
   */
  private participantsOf(
    share: Share,
  ): { ok: true; participants: Participant[] } | { ok: false; problem: string } {
    try {
      return { ok: true, participants: resolveParticipants(share, this.deps.directory) };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        problem: `Reading the members of the groups that "${share.labelName}" is shared with failed (${reason}); nothing was changed and the next sync tries again.`,
      };
    }
  }

  private result(
    shareId: string,
    status: SyncStatus,
    slice: number,
    problems: string[] = [],
  ): SyncResult {
    return {
      shareId,
      status,
      slice,
      created: 0,
      updated: 0,
      deleted: 0,
      merged: 0,
      conflicts: [],
      reverts: [],
      pendingDeletions: 0,
      problems,
    };
  }

  private finish(shareId: string, share: Share | null, result: SyncResult): SyncResult {
    const type = `sync.${result.status}`;
    this.deps.audit.record([
      {
        id: this.deps.newId(),
        type,
        shareId,
        target: share?.owner,
        outcome: result.status === 'failed' ? 'failure' : 'success',
        detail: {
          slice: result.slice,
          created: result.created,
          updated: result.updated,
          deleted: result.deleted,
          merged: result.merged,
          conflicts: result.conflicts.length,
          reverts: result.reverts.length,
          pendingDeletions: result.pendingDeletions,
          problems: result.problems.length,
          unreached: result.unreached?.length ?? 0,
        },
        occurredAt: new Date(this.deps.clock.now()).toISOString(),
      },
    ]);
    return result;
  }

  private runPass(
    share: Share,
    levels: Map<string, Level | null>,
    checkpoint: ShareCheckpoint,
    options: SyncOptions,
    actorLevel: Level,
  ): SyncResult {
    const shareId = share.id;
    const slice = checkpoint.slices + 1;
    const fail = (problem: string): SyncResult => {
      this.deps.store.set(shareKey(shareId), JSON.stringify({ ...checkpoint, slices: slice }));
      return this.finish(shareId, share, this.result(shareId, 'failed', slice, [problem]));
    };
    const owner = share.owner.toLowerCase();
    const refs = new Map<string, AccountRef>();
    for (const account of [owner, ...levels.keys()])
      refs.set(account, { account, access: this.accessFor(account, shareId) });
    const masterRef = refs.get(owner) as AccountRef;
    const problems: string[] = [];
    /** Accounts the gateway refused: left out of this pass, tried again by the next one. */
    const unreachable = new Set<string>();
    const unreached: UnreachedAccount[] = [];
    const refuse = (account: string, failure: CallFailure): void => {
      if (unreachable.has(account)) return;
      unreachable.add(account);
      unreached.push({ account, reason: unreachedReason(failure) });
    };
    let recipients = [...levels.keys()];
    const states = new Map(
      recipients.map((account) => [account, this.accountState(shareId, account)]),
    );

    // Check: what changed since the last completed pass (one call per account when nothing did).
    let masterChanged: Set<string> | null = null;
    /** The changed masters and the actor's changed contacts: people copies may be merged into. */
    const changedPeople: ContactSnapshot[] = [];
    const fresh =
      checkpoint.slices === 0 &&
      checkpoint.paused === null &&
      checkpoint.masterToken !== null &&
      recipients.every((account) => {
        const state = states.get(account) as AccountCheckpoint;
        return state.t !== null && state.j && levels.get(account) !== null;
      });
    const checkAccounts =
      checkpoint.masterToken === null ? [] : fresh ? [owner, ...recipients] : [owner];
    // The sync tokens the check got: an account that has one is listed in full below without
    // asking for another (the first page of a full sync has a fixed quota of its own).
    const newTokens = new Map<string, string>();
    if (checkAccounts.length > 0) {
      const outcomes = this.deps.contacts.listContacts(
        checkAccounts.map((account) => ({
          ...(refs.get(account) as AccountRef),
          syncToken:
            account === owner
              ? checkpoint.masterToken
              : (states.get(account) as AccountCheckpoint).t,
        })),
        options.deadline,
      );
      if (outcomes.some((outcome) => !outcome.ok && outcome.failure.reason === DEADLINE_REACHED))
        return this.pauseSlice(share, checkpoint, levels, slice, problems, unreached);
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
          return fail(
            `Listing ${account}'s changes failed: ${outcome?.failure.message ?? 'no answer'}`,
          );
        }
        const checked = checkListing(outcome.pages, false);
        if (!checked.ok)
          return fail(`Listing ${account}'s changes was refused: ${checked.problem}`);
        newTokens.set(account, checked.syncToken as string);
        if (account === owner || account === this.deps.actor.toLowerCase())
          changedPeople.push(...checked.contacts.filter((contact) => !contact.deleted));
        if (account === owner) {
          masterChanged = new Set(checked.contacts.map((contact) => contact.resourceName));
          if (checked.contacts.length > 0) relevant = true;
        } else if (
          checked.contacts.some((contact) =>
            this.isRelevant(contact, share, (states.get(account) as AccountCheckpoint).g),
          )
        )
          relevant = true;
      }
      if (fresh && !relevant && options.reconcile !== true) {
        this.deps.store.set(
          shareKey(shareId),
          JSON.stringify({
            ...checkpoint,
            masterToken: newTokens.get(owner) ?? checkpoint.masterToken,
          }),
        );
        for (const account of recipients) {
          const state = states.get(account) as AccountCheckpoint;
          this.saveAccountState(shareId, account, {
            ...state,
            t: newTokens.get(account) ?? state.t,
          });
        }
        return this.finish(shareId, share, {
          ...this.result(shareId, 'unchanged', slice),
          problems,
        });
      }
    }

    // Reconcile: complete listings of every account, if they can end before the deadline.
    const listedAt = this.deps.clock.now();
    if (checkpoint.listMs !== undefined && listedAt + checkpoint.listMs > options.deadline)
      return this.pauseSlice(share, checkpoint, levels, slice, problems, unreached);
    const listed = [owner, ...recipients];
    const asked = new Map<string, Set<string>>();
    const listings = this.listAll(share, refs, recipients, levels, states, asked, {
      merges: footprintAllows(actorLevel, 'copy', 'merge'),
      firstPass: checkpoint.masterToken === null,
      changedPeople,
      tokensKnown: newTokens,
      deadline: options.deadline,
    });
    checkpoint.listMs = this.deps.clock.now() - listedAt;
    if (listings.some((outcome) => !outcome.ok && outcome.failure.reason === DEADLINE_REACHED))
      return this.pauseSlice(share, checkpoint, levels, slice, problems, unreached);
    const contactsOf = new Map<string, ContactSnapshot[]>();
    const tokensOf = new Map<string, string>();
    for (let index = 0; index < listed.length; index++) {
      const account = listed[index] as string;
      const outcome = listings[index];
      if (outcome && !outcome.ok && account !== owner && isRefusal(outcome.failure)) {
        refuse(account, outcome.failure);
        continue;
      }
      if (!outcome || !outcome.ok)
        return fail(
          `Listing ${account}'s contacts failed: ${outcome?.failure.message ?? 'no answer'}`,
        );
      const known = newTokens.get(account);
      const checked = checkListing(outcome.pages, true, known === undefined);
      if (!checked.ok) return fail(`Listing ${account}'s contacts was refused: ${checked.problem}`);
      contactsOf.set(account, checked.contacts);
      tokensOf.set(account, known ?? (checked.syncToken as string));
    }
    recipients = recipients.filter((account) => !unreachable.has(account));
    const verify = recipients.filter(
      (account) => (states.get(account) as AccountCheckpoint).g !== null,
    );
    if (verify.length > 0) {
      const groups = this.deps.contacts.listGroups(
        verify.map((account) => refs.get(account) as AccountRef),
      );
      for (let index = 0; index < verify.length; index++) {
        const account = verify[index] as string;
        const outcome = groups[index];
        if (outcome && !outcome.ok && isRefusal(outcome.failure)) {
          refuse(account, outcome.failure);
          continue;
        }
        if (!outcome || !outcome.ok)
          return fail(
            `Listing ${account}'s labels failed: ${outcome?.failure.message ?? 'no answer'}`,
          );
        const state = states.get(account) as AccountCheckpoint;
        if (!outcome.groups.some((group) => group.resourceName === state.g)) state.g = null;
      }
      recipients = recipients.filter((account) => !unreachable.has(account));
    }
    if (masterChanged !== null) {
      // Sync listings lag behind writes (FACTS.md), so a master may have changed without showing
      // in the owner's changes yet: its update time tells.
      const since = checkpoint.listedAt;
      if (since === undefined) masterChanged = null;
      else
        for (const contact of contactsOf.get(owner) ?? [])
          if (contact.updateTime === 0 || contact.updateTime >= since - CLOCK_MARGIN_MS)
            masterChanged.add(contact.resourceName);
    }

    // What the actor may do in each other account (the gateway enforces the same table).
    const roleOf = (account: string): AccountRole =>
      levels.get(account) === null ? 'former' : 'copy';
    const may = (account: string, operation: Parameters<typeof footprintAllows>[2]): boolean =>
      account === this.deps.actor.toLowerCase() ||
      footprintAllows(actorLevel, roleOf(account), operation);

    // Copy groups, in parallel, before planning: a group that turns out to exist already (made by
    // another participant's sync) holds contacts that the plan must see as in the group, and a
    // departed account's group (made by someone else's sync) must be found to be deleted.
    // Only an account holding contacts linked to the share, or contacts that the gateway lists in
    // a group (it lists none but the copy group it found there, maybe renamed), can hold such a
    // group with contacts in it: looking only there keeps a first share free of extra calls. (An
    // empty group of the share's name is still found by createGroup's answer to the name clash.)
    const linkPrefix = linkKey(shareId);
    this.findCopyGroups(
      shareId,
      recipients.filter(
        (account) =>
          (states.get(account) as AccountCheckpoint).g === null &&
          (contactsOf.get(account) ?? []).some(
            (contact) =>
              contact.clientData.some((entry) => entry.key.startsWith(linkPrefix)) ||
              ((refs.get(account) as AccountRef).access.kind === 'gateway' &&
                contact.memberships.some((name) => name !== MY_CONTACTS)),
          ),
      ),
      refs,
      states,
    );
    if (footprintAllows(actorLevel, 'copy', 'merge')) {
      const found = this.findContributedPeople(
        share,
        refs,
        recipients,
        levels,
        states,
        contactsOf,
        asked,
        options.deadline,
      );
      if (found === DEADLINE_REACHED)
        return this.pauseSlice(share, checkpoint, levels, slice, problems, unreached);
    }
    /** Accounts whose share of the plan the actor may not write: left for others to bring level. */
    const partial = new Set<string>();
    const needGroups = recipients.filter(
      (account) =>
        levels.get(account) !== null && (states.get(account) as AccountCheckpoint).g === null,
    );
    for (const account of needGroups.filter((account) => !may(account, 'createGroup')))
      partial.add(account);
    const makeGroups = needGroups.filter((account) => !partial.has(account));
    const failures: string[] = [];
    if (makeGroups.length > 0) {
      if (this.deps.clock.now() >= options.deadline)
        return this.pauseSlice(share, checkpoint, levels, slice, problems, unreached);
      const outcomes = this.deps.contacts.write(
        makeGroups.map((account) => ({
          ...(refs.get(account) as AccountRef),
          write: {
            kind: 'createGroup',
            name: share.labelName,
            clientData: [copyGroupLink(share)],
          },
        })),
      );
      makeGroups.forEach((account, index) => {
        const outcome = outcomes[index];
        const state = states.get(account) as AccountCheckpoint;
        if (outcome?.ok && outcome.resourceNames[0]) {
          state.g = outcome.resourceNames[0];
          this.saveAccountState(shareId, account, state);
        } else
          failures.push(
            `Creating the label in ${account}'s contacts failed: ${outcome && !outcome.ok ? outcome.failure.message : 'no answer'}`,
          );
      });
    }

    const relinked = relinkToCurrentMasters(
      share,
      contactsOf.get(owner) ?? [],
      new Map(recipients.map((account) => [account, contactsOf.get(account) ?? []])),
    );
    for (const [account, contacts] of relinked.contacts) contactsOf.set(account, contacts);
    const recipientStates: RecipientState[] = recipients.map((account) => {
      const state = states.get(account) as AccountCheckpoint;
      return {
        account,
        level: levels.get(account) ?? null,
        group: state.g,
        joined: state.j,
        contacts: contactsOf.get(account) ?? [],
      };
    });
    const plan = planShareSync({
      share,
      master: contactsOf.get(owner) ?? [],
      recipients: recipientStates,
      masterChanged,
    });
    const counts = countPlannedWrites(plan);
    const base = {
      ...this.result(shareId, 'done', slice),
      created: counts.creates,
      updated: counts.updates,
      deleted: counts.deletes,
      merged: plan.merges,
      conflicts: plan.conflicts,
      reverts: plan.reverts,
      problems,
      ...withUnreached(unreached),
    };
    const mayConfirm =
      options.allowMassDeletion === true && this.deps.actor.toLowerCase() === owner;
    if (exceedsDeletionGuard(plan) && !mayConfirm) {
      this.deps.store.set(
        shareKey(shareId),
        JSON.stringify({
          ...checkpoint,
          slices: 0,
          paused: { deletions: plan.labelDeletions, labelSize: plan.labelSize },
        }),
      );
      return this.finish(shareId, share, {
        ...base,
        status: 'paused',
        created: 0,
        updated: 0,
        deleted: 0,
        merged: 0,
        pendingDeletions: plan.labelDeletions,
      });
    }
    const sources = new Map<string, Map<string, string>>();
    const sourceOf = (account: string, resourceName: string): string | null => {
      let known = sources.get(account);
      if (!known) {
        known = new Map();
        for (const contact of contactsOf.get(account) ?? []) {
          const source = readLink(contact.clientData, shareId)?.sourceResourceName;
          if (source !== undefined) known.set(contact.resourceName, source);
        }
        sources.set(account, known);
      }
      return known.get(resourceName) ?? null;
    };
    const permitted = permittedPlan(
      plan,
      owner,
      (account, operation) =>
        account === owner
          ? owner === this.deps.actor.toLowerCase() ||
            footprintAllows(actorLevel, 'master', operation)
          : may(account, operation),
      sourceOf,
    );
    for (const account of permitted.partial) partial.add(account);

    const inProgress = (): SyncResult =>
      this.pauseSlice(share, checkpoint, levels, slice, problems, unreached, base);

    // The owner's account, sequentially. The copies are written only once the masters are: a copy
    // written with values its master did not take would lose an edit on the next pass.
    const created = new Map<string, string>();
    let mastersWritten = true;
    for (const { write, refs: names } of masterWrites(permitted.plan)) {
      if (this.deps.clock.now() >= options.deadline) return inProgress();
      const [outcome] = this.deps.contacts.write([{ ...masterRef, write }]);
      if (!outcome?.ok) {
        failures.push(
          `Writing to the owner's contacts failed: ${outcome?.failure.message ?? 'no answer'}`,
        );
        mastersWritten = false;
        break;
      }
      // Contacts Google refused were left out and are tried again by the next pass. A copy must
      // not take values its master did not: refused master updates hold the copies back.
      if (outcome.refused?.length) {
        failures.push(refusalProblem("the owner's", outcome.refused));
        if (write.kind === 'updateContacts') mastersWritten = false;
      }
      names.forEach((ref, index) => {
        const name = outcome.resourceNames[index];
        if (name) created.set(ref, name);
      });
    }

    // Recipients: one write per account per round, in parallel.
    const queues = new Map<string, AccountWrite[]>();
    for (const recipient of mastersWritten ? permitted.plan.recipients : []) {
      const group = (states.get(recipient.account) as AccountCheckpoint).g;
      if (recipient.needsGroup) continue;
      queues.set(recipient.account, [
        ...recipientWrites(recipient, shareId, group, created),
        ...(may(recipient.account, 'updateFields')
          ? linkRewrites(recipient, relinked.changed.get(recipient.account) ?? [])
          : []),
      ]);
    }
    for (;;) {
      const round = [...queues].filter(([, queue]) => queue.length > 0);
      if (round.length === 0) break;
      if (this.deps.clock.now() >= options.deadline) return inProgress();
      const outcomes = this.deps.contacts.write(
        round.map(([account, queue]) => ({
          ...(refs.get(account) as AccountRef),
          write: queue.shift() as AccountWrite,
        })),
      );
      outcomes.forEach((outcome, index) => {
        const account = (round[index] as [string, AccountWrite[]])[0];
        if (!outcome.ok)
          failures.push(`Writing to ${account}'s contacts failed: ${outcome.failure.message}`);
        else if (outcome.refused?.length)
          failures.push(refusalProblem(`${account}'s`, outcome.refused));
      });
    }

    if (failures.length > 0) {
      this.deps.store.set(
        shareKey(shareId),
        JSON.stringify({
          ...checkpoint,
          accounts: this.knownAccounts(checkpoint, levels),
          slices: slice,
        }),
      );
      return this.finish(shareId, share, {
        ...base,
        status: 'continue',
        problems: [...problems, ...failures],
      });
    }
    for (const account of unreachable) {
      const state = this.accountState(shareId, account);
      this.saveAccountState(shareId, account, { t: null, g: state.g, j: false });
    }
    for (const account of recipients) {
      const state = states.get(account) as AccountCheckpoint;
      if (levels.get(account) === null && !partial.has(account))
        this.deps.store.delete(accountKey(shareId, account));
      else if (partial.has(account))
        // Not brought level with the master: a later pass must not take its missing copies for
        // removals, nor its old changes for nothing.
        this.saveAccountState(shareId, account, { t: null, g: state.g, j: false });
      else
        this.saveAccountState(shareId, account, {
          t: tokensOf.get(account) ?? null,
          g: state.g,
          j: true,
        });
    }
    const next: ShareCheckpoint = {
      v: 1,
      accounts: [
        ...recipients.filter((account) => levels.get(account) !== null || partial.has(account)),
        ...unreachable,
      ],
      masterToken: tokensOf.get(owner) ?? null,
      slices: 0,
      paused: null,
      listedAt,
      listMs: checkpoint.listMs,
      owner,
    };
    this.deps.store.set(shareKey(shareId), JSON.stringify(next));
    return this.finish(shareId, share, base);
  }

  /**
   * Lists every account for a reconciliation; the outcomes come back in the order of
   * `[owner, ...recipients]`. The gateway finds other accounts' own contacts for people a copy may
   * be merged into only when asked (footprint.ts, MatchIndex): accounts already level with the
   * master are listed with the owner, asking for the people that changed since the last pass; an
   * account this actor never brought level needs every master's people, so it is listed once the
   * master's listing has named them.
   */
  private listAll(
    share: Share,
    refs: Map<string, AccountRef>,
    recipients: string[],
    levels: Map<string, Level | null>,
    states: Map<string, AccountCheckpoint>,
    asked: Map<string, Set<string>>,
    options: {
      merges: boolean;
      firstPass: boolean;
      changedPeople: ContactSnapshot[];
      /** Accounts whose check just gave a sync token: their full listing needs none. */
      tokensKnown: ReadonlyMap<string, string>;
      deadline: number;
    },
  ): ListingOutcome[] {
    const owner = share.owner.toLowerCase();
    const actor = this.deps.actor.toLowerCase();
    const ask = (account: string): boolean =>
      options.merges &&
      account !== owner &&
      (refs.get(account) as AccountRef).access.kind === 'gateway' &&
      levels.get(account) !== null;
    const later = recipients.filter(
      (account) =>
        ask(account) && (options.firstPass || !(states.get(account) as AccountCheckpoint).j),
    );
    const first = [owner, ...recipients.filter((account) => !later.includes(account))];
    const changed = descriptorsOf(options.changedPeople);
    const request = (account: string, match: MatchDescriptor[]): ListingRequest => {
      const base: ListingRequest = {
        ...(refs.get(account) as AccountRef),
        syncToken: null,
        requestSyncToken: !options.tokensKnown.has(account),
      };
      if (!ask(account) || match.length === 0) return base;
      asked.set(account, new Set(match.map((descriptor) => JSON.stringify(descriptor))));
      return { ...base, match };
    };
    const firstOutcomes = this.deps.contacts.listContacts(
      first.map((account) => request(account, changed)),
      options.deadline,
    );
    const outcomes = new Map(first.map((account, index) => [account, firstOutcomes[index]]));
    if (later.length > 0) {
      const people: ContactSnapshot[] = [];
      const master = outcomes.get(owner);
      if (master?.ok)
        for (const page of master.pages)
          for (const contact of page.contacts)
            if (contact.memberships.includes(share.labelResourceName)) people.push(contact);
      const own = outcomes.get(actor);
      const ownGroup = (states.get(actor) as AccountCheckpoint | undefined)?.g ?? null;
      if (own?.ok && ownGroup !== null)
        for (const page of own.pages)
          for (const contact of page.contacts)
            if (contact.memberships.includes(ownGroup) && !readLink(contact.clientData, share.id))
              people.push(contact);
      const match = descriptorsOf(people);
      const laterOutcomes =
        master && !master.ok
          ? later.map(() => skipped())
          : this.deps.contacts.listContacts(
              later.map((account) => request(account, match)),
              options.deadline,
            );
      later.forEach((account, index) => outcomes.set(account, laterOutcomes[index]));
    }
    return [owner, ...recipients].map((account) => outcomes.get(account) ?? skipped());
  }

  /**
   * Asks the gateway, in each other account, for its own contacts for the people that participants
   * added to their copy groups (contributions that become masters in this pass), when that account
   * was not listed with them (`asked`): found contacts join its listing as merge candidates. Costs
   * a listing of those accounts only when there are such contributions.
   */
  private findContributedPeople(
    share: Share,
    refs: Map<string, AccountRef>,
    recipients: string[],
    levels: Map<string, Level | null>,
    states: Map<string, AccountCheckpoint>,
    contactsOf: Map<string, ContactSnapshot[]>,
    asked: Map<string, Set<string>>,
    deadline: number,
  ): typeof DEADLINE_REACHED | null {
    const contributedBy = new Map<string, ContactSnapshot[]>();
    for (const account of recipients) {
      const group = (states.get(account) as AccountCheckpoint).g;
      if (group === null) continue;
      const added = (contactsOf.get(account) ?? []).filter(
        (contact) =>
          contact.memberships.includes(group) && readLink(contact.clientData, share.id) === null,
      );
      if (added.length > 0) contributedBy.set(account, added);
    }
    if (contributedBy.size === 0) return null;
    const targets = recipients.filter(
      (account) =>
        (refs.get(account) as AccountRef).access.kind === 'gateway' && levels.get(account) !== null,
    );
    const requests = targets
      .map((account) => ({
        account,
        match: descriptorsOf(
          [...contributedBy]
            .filter(([contributor]) => contributor !== account)
            .flatMap(([, contacts]) => contacts),
        ).filter((descriptor) => !asked.get(account)?.has(JSON.stringify(descriptor))),
      }))
      .filter((request) => request.match.length > 0);
    if (requests.length === 0) return null;
    const outcomes = this.deps.contacts.listContacts(
      requests.map((request) => ({
        ...(refs.get(request.account) as AccountRef),
        syncToken: null,
        match: request.match,
        requestSyncToken: false,
      })),
      deadline,
    );
    for (let index = 0; index < requests.length; index++) {
      const outcome = outcomes[index];
      if (!outcome?.ok) {
        if (outcome?.failure.reason === DEADLINE_REACHED) return DEADLINE_REACHED;
        continue;
      }
      const account = (requests[index] as { account: string }).account;
      const known = new Set((contactsOf.get(account) ?? []).map((contact) => contact.resourceName));
      const found = outcome.pages
        .flatMap((page) => page.contacts)
        .filter((contact) => !known.has(contact.resourceName));
      if (found.length > 0) contactsOf.set(account, [...(contactsOf.get(account) ?? []), ...found]);
    }
    return null;
  }

  /**
   * Finds the copy groups that accounts without a known one already hold (made by another
   * participant's sync, or by a former owner's transfer under another name), so that none is made
   * twice. An account whose groups cannot be listed is left to `createGroup`.
   */
  private findCopyGroups(
    shareId: string,
    accounts: string[],
    refs: Map<string, AccountRef>,
    states: Map<string, AccountCheckpoint>,
  ): void {
    if (accounts.length === 0) return;
    const key = linkKey(shareId);
    const outcomes = this.deps.contacts.listGroups(
      accounts.map((account) => refs.get(account) as AccountRef),
    );
    accounts.forEach((account, index) => {
      const outcome = outcomes[index];
      const found = outcome?.ok
        ? outcome.groups.find((group) => group.clientData.some((entry) => entry.key === key))
        : undefined;
      if (found) (states.get(account) as AccountCheckpoint).g = found.resourceName;
    });
  }

  /** Ends a slice that ran out of time: the pass continues in the next slice. */
  private pauseSlice(
    share: Share,
    checkpoint: ShareCheckpoint,
    levels: Map<string, Level | null>,
    slice: number,
    problems: string[],
    unreached: UnreachedAccount[],
    base?: SyncResult,
  ): SyncResult {
    this.deps.store.set(
      shareKey(share.id),
      JSON.stringify({
        ...checkpoint,
        accounts: this.knownAccounts(checkpoint, levels),
        slices: slice,
      }),
    );
    return this.finish(share.id, share, {
      ...(base ?? { ...this.result(share.id, 'continue', slice), problems }),
      ...withUnreached(unreached),
      status: 'continue',
      outOfTime: true,
    });
  }

  private knownAccounts(checkpoint: ShareCheckpoint, levels: Map<string, Level | null>): string[] {
    return [...new Set([...checkpoint.accounts, ...levels.keys()])];
  }

  /** True when a changed contact of a recipient's account concerns the share. */
  private isRelevant(contact: ContactSnapshot, share: Share, group: string | null): boolean {
    if (contact.deleted) return true;
    const link = readLink(contact.clientData, share.id);
    const inGroup = group !== null && contact.memberships.includes(group);
    if (!link) return inGroup;
    if (!inGroup) return true;
    const visible = new Set(visibleFields(share.hiddenFields));
    const hashes = fingerprint(contact.fields);
    return SYNCED_FIELDS.some(
      (field, index) => visible.has(field) && hashes[index] !== link.base[index],
    );
  }
}

/** The people (addresses and numbers) of contacts, for the gateway to look for. */
function descriptorsOf(contacts: readonly ContactSnapshot[]): MatchDescriptor[] {
  const descriptors: MatchDescriptor[] = [];
  for (const contact of contacts) {
    const descriptor = matchDescriptor(contact.fields);
    if (descriptor.emails.length > 0 || descriptor.phones.length > 0) descriptors.push(descriptor);
  }
  return descriptors;
}

/** True when the share gateway refused an account (not a participant, no delegation, level). */
/** Why the gateway could not reach an account, from its refusal. */
function unreachedReason(failure: CallFailure): UnreachedReason {
  if (failure.reason === 'delegation_denied') return 'delegation';
  if (failure.httpStatus === 404) return 'not_found';
  return 'refused';
}

/** The `unreached` field of a result: present only when someone was not reached. */
function withUnreached(unreached: UnreachedAccount[]): Pick<SyncResult, 'unreached'> {
  return unreached.length > 0 ? { unreached: [...unreached] } : {};
}

function isRefusal(failure: CallFailure): boolean {
  return failure.httpStatus === 401 || failure.httpStatus === 403 || failure.httpStatus === 404;
}

/** The outcome of a listing not made because the master's failed first. */
function skipped(): ListingOutcome {
  return {
    ok: false,
    failure: {
      httpStatus: 0,
      status: 'ABORTED',
      reason: 'MASTER_FAILED',
      message: "The listing was not made: the owner's failed first.",
    },
  };
}

/** The link of a share's copy group. */
export function copyGroupLink(share: Share): ReturnType<typeof encodeGroupLink> {
  return encodeGroupLink({
    shareId: share.id,
    sourceOwner: share.owner.toLowerCase(),
    labelResourceName: share.labelResourceName,
  });
}
