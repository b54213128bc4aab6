/**
 * This file defines the sync engine: it syncs one share across the owner's and every recipient's
 * account in slices that fit an Apps Script execution, checkpointing in the acting user's
 * key-value store, and reports each outcome to the audit sink (DESIGN.md §5).
 */
import {
  fingerprint,
  linkKey,
  readLink,
  SYNCED_FIELDS,
  visibleFields,
  type ContactSnapshot,
} from './contact-model';
import { checkListing } from './listing-guard';
import {
  pendingTransferKey,
  linkRewrites,
  planFormerMasters,
  relinkToCurrentMasters,
  type PendingTransfer,
} from './ownership-transfer';
import { resolveParticipants, type Participant } from './participants';
import type { AuditSink, Clock, KeyValueStore, TokenProvider } from './ports';
import { levelAllows, type Level, type Share } from './sharing-model';
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
  type AccountRef,
  type AccountWrite,
  type ContactsGateway,
  type GroupDirectory,
  type RefusedWrite,
  type ShareDirectory,
} from './sync-ports';

/** The OAuth scope that delegated sync tokens are asked for. */
export const CONTACTS_SCOPE = 'https://www.googleapis.com/auth/contacts';

/** What the engine needs from its host. */
export interface SyncEngineDeps {
  /** The acting user's address. */
  actor: string;
  contacts: ContactsGateway;
  shares: ShareDirectory;
  directory: GroupDirectory;
  tokens: TokenProvider;
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
   * True when the slice stopped because its deadline came, or would come before the listings it
   * needs could end: another slice in the same execution would only stop again.
   */
  outOfTime?: boolean;
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

  private tokenFor(account: string, shareId: string): string {
    if (account === this.deps.actor.toLowerCase()) return this.deps.tokens.ownToken();
    return this.deps.tokens.delegatedToken(account, [CONTACTS_SCOPE], { kind: 'sync', shareId });
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
    const levels = new Map<string, Level | null>();
    const owner = share.owner.toLowerCase();
    for (const participant of participants)
      if (participant.account !== owner) levels.set(participant.account, participant.level);
    const pending = this.deps.store.get(pendingTransferKey(shareId));
    if (pending !== null && owner !== actor) {
      const adopted = this.adoptFormerMasters(
        share,
        JSON.parse(pending) as PendingTransfer,
        options,
      );
      if (adopted.status !== 'done') return adopted;
    }
    const checkpoint = this.ownerCheckpoint(shareId, owner);
    // Only the owner and manage participants may reach departed participants (the broker refuses
    // others): below that, they are forgotten here and cleaned by them or by their own user.
    const actorLevel = participants.find((participant) => participant.account === actor)?.level;
    const cleansDeparted = actorLevel !== undefined && levelAllows(actorLevel, 'manage');
    for (const account of checkpoint.accounts)
      if (levels.has(account)) continue;
      else if (cleansDeparted) levels.set(account, null);
      else this.deps.store.delete(accountKey(shareId, account));
    return this.runPass(share, levels, checkpoint, options);
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
    const own: AccountRef = { account: actor, token: this.deps.tokens.ownToken() };
    const owner = share.owner.toLowerCase();
    let ownerRef: AccountRef;
    try {
      ownerRef = { account: owner, token: this.tokenFor(owner, shareId) };
    } catch (error) {
      return failed(`No access to the new owner's contacts: ${String(error)}`);
    }
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
            clientData: [{ key, value: `v1|${owner}|${share.labelResourceName}` }],
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
    const result = this.runPass(share, levels, checkpoint, options);
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
    const ref: AccountRef = { account, token: this.deps.tokens.ownToken() };
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
    const [, sourceOwner = '', labelResourceName = ''] = (
      group?.clientData.find((entry) => entry.key === key)?.value ?? ''
    ).split('|');
    const share: Share = {
      id: shareId,
      domain: '',
      owner: sourceOwner,
      labelResourceName,
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
  ): SyncResult {
    const shareId = share.id;
    const slice = checkpoint.slices + 1;
    const fail = (problem: string): SyncResult => {
      this.deps.store.set(shareKey(shareId), JSON.stringify({ ...checkpoint, slices: slice }));
      return this.finish(shareId, share, this.result(shareId, 'failed', slice, [problem]));
    };
    const owner = share.owner.toLowerCase();
    const refs = new Map<string, AccountRef>();
    const problems: string[] = [];
    for (const account of [owner, ...levels.keys()]) {
      try {
        refs.set(account, { account, token: this.tokenFor(account, shareId) });
      } catch (error) {
        if (account === owner) return fail(`No access to the owner's contacts: ${String(error)}`);
        problems.push(`No access to ${account}'s contacts: ${String(error)}`);
      }
    }
    const masterRef = refs.get(owner) as AccountRef;
    const recipients = [...levels.keys()].filter((account) => refs.has(account));
    const states = new Map(
      recipients.map((account) => [account, this.accountState(shareId, account)]),
    );

    // Check: what changed since the last completed pass (one call per account when nothing did).
    let masterChanged: Set<string> | null = null;
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
        return this.pauseSlice(share, checkpoint, levels, slice, problems);
      let relevant = false;
      for (let index = 0; index < outcomes.length; index++) {
        const account = checkAccounts[index] as string;
        const outcome = outcomes[index];
        if (!outcome || !outcome.ok) {
          if (outcome && outcome.failure.reason === 'EXPIRED_SYNC_TOKEN') {
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
      return this.pauseSlice(share, checkpoint, levels, slice, problems);
    const listed = [owner, ...recipients];
    const listings = this.deps.contacts.listContacts(
      listed.map((account) => ({
        ...(refs.get(account) as AccountRef),
        syncToken: null,
        requestSyncToken: !newTokens.has(account),
      })),
      options.deadline,
    );
    checkpoint.listMs = this.deps.clock.now() - listedAt;
    if (listings.some((outcome) => !outcome.ok && outcome.failure.reason === DEADLINE_REACHED))
      return this.pauseSlice(share, checkpoint, levels, slice, problems);
    const contactsOf = new Map<string, ContactSnapshot[]>();
    const tokensOf = new Map<string, string>();
    for (let index = 0; index < listed.length; index++) {
      const account = listed[index] as string;
      const outcome = listings[index];
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
        if (!outcome || !outcome.ok)
          return fail(
            `Listing ${account}'s labels failed: ${outcome?.failure.message ?? 'no answer'}`,
          );
        const state = states.get(account) as AccountCheckpoint;
        if (!outcome.groups.some((group) => group.resourceName === state.g)) state.g = null;
      }
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

    // Copy groups, in parallel, before planning: a group that turns out to exist already (made by
    // another participant's sync) holds contacts that the plan must see as in the group, and a
    // departed account's group (made by someone else's sync) must be found to be deleted.
    // Only an account holding contacts linked to the share can hold such a group with contacts in
    // it: looking only there keeps a first share free of extra calls. (An empty group of the
    // share's name is still found by createGroup's answer to the name clash.)
    const linkPrefix = linkKey(shareId);
    this.findCopyGroups(
      shareId,
      recipients.filter(
        (account) =>
          (states.get(account) as AccountCheckpoint).g === null &&
          (contactsOf.get(account) ?? []).some((contact) =>
            contact.clientData.some((entry) => entry.key.startsWith(linkPrefix)),
          ),
      ),
      refs,
      states,
    );
    const needGroups = recipients.filter(
      (account) =>
        levels.get(account) !== null && (states.get(account) as AccountCheckpoint).g === null,
    );
    const failures: string[] = [];
    if (needGroups.length > 0) {
      if (this.deps.clock.now() >= options.deadline)
        return this.pauseSlice(share, checkpoint, levels, slice, problems);
      const outcomes = this.deps.contacts.write(
        needGroups.map((account) => ({
          ...(refs.get(account) as AccountRef),
          write: {
            kind: 'createGroup',
            name: share.labelName,
            clientData: [
              { key: `sharedContacts:${shareId}`, value: `v1|${owner}|${share.labelResourceName}` },
            ],
          },
        })),
      );
      needGroups.forEach((account, index) => {
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

    const inProgress = (): SyncResult =>
      this.pauseSlice(share, checkpoint, levels, slice, problems, base);

    // The owner's account, sequentially. The copies are written only once the masters are: a copy
    // written with values its master did not take would lose an edit on the next pass.
    const created = new Map<string, string>();
    let mastersWritten = true;
    for (const { write, refs: names } of masterWrites(plan)) {
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
    for (const recipient of mastersWritten ? plan.recipients : []) {
      const group = (states.get(recipient.account) as AccountCheckpoint).g;
      if (recipient.needsGroup) continue;
      queues.set(recipient.account, [
        ...recipientWrites(recipient, shareId, group, created),
        ...linkRewrites(recipient, relinked.changed.get(recipient.account) ?? []),
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
    const unreachable = [...levels.keys()].filter((account) => !refs.has(account));
    for (const account of unreachable) {
      const state = this.accountState(shareId, account);
      this.saveAccountState(shareId, account, { t: null, g: state.g, j: false });
    }
    for (const account of recipients) {
      const state = states.get(account) as AccountCheckpoint;
      if (levels.get(account) === null) this.deps.store.delete(accountKey(shareId, account));
      else
        this.saveAccountState(shareId, account, {
          t: tokensOf.get(account) ?? null,
          g: state.g,
          j: true,
        });
    }
    const next: ShareCheckpoint = {
      v: 1,
      accounts: [...recipients.filter((account) => levels.get(account) !== null), ...unreachable],
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

  /**
   * The resource name of the group that holds a share's copy in a participant's account, or null
   * when it holds none (or its labels cannot be listed): the label that becomes the master when
   * ownership passes to them.
   */
  copyGroupOf(shareId: string, account: string): string | null {
    const target = account.toLowerCase();
    const [groups] = this.deps.contacts.listGroups([
      { account: target, token: this.tokenFor(target, shareId) },
    ]);
    if (!groups?.ok) return null;
    const key = linkKey(shareId);
    return (
      groups.groups.find((group) => group.clientData.some((entry) => entry.key === key))
        ?.resourceName ?? null
    );
  }

  /** Ends a slice that ran out of time: the pass continues in the next slice. */
  private pauseSlice(
    share: Share,
    checkpoint: ShareCheckpoint,
    levels: Map<string, Level | null>,
    slice: number,
    problems: string[],
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
