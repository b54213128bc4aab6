/**
 * This file defines the contract of one slice of a sync: what the engine needs from its host, the
 * options of a slice, the result it returns, and how that result is recorded in the audit sink.
 */
import type { AuditSink, Clock, KeyValueStore } from './ports';
import type { Conflict, Revert } from './sync-planner';
import type {
  AccountAccess,
  CallFailure,
  ContactsGateway,
  GroupDirectory,
  RefusedWrite,
  ShareDirectory,
} from './sync-ports';
import type { Share } from './sharing-model';

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

/** Returns the result of a slice that wrote nothing, with the problems to report. */
export function emptySyncResult(
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

/** Records a slice's result in the audit sink (counts only, no contact data) and returns it. */
export function recordSlice(
  deps: Pick<SyncEngineDeps, 'audit' | 'clock' | 'newId'>,
  shareId: string,
  share: Share | null,
  result: SyncResult,
): SyncResult {
  deps.audit.record([
    {
      id: deps.newId(),
      type: `sync.${result.status}`,
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
      occurredAt: new Date(deps.clock.now()).toISOString(),
    },
  ]);
  return result;
}

/** Returns how an account is reached: the acting user's own directly, any other through the share gateway (DESIGN.md §6). */
export function accessFor(
  deps: Pick<SyncEngineDeps, 'actor' | 'ownToken'>,
  account: string,
  shareId: string,
): AccountAccess {
  if (account === deps.actor.toLowerCase()) return { kind: 'direct', token: deps.ownToken() };
  return { kind: 'gateway', shareId };
}

/** Returns the problem of a write of which Google refused some contacts (written: the others). */
export function refusalProblem(whose: string, refused: readonly RefusedWrite[]): string {
  const count = refused.length;
  return `Google refused ${count === 1 ? '1 contact' : `${count} contacts`} of a write to ${whose} contacts (${refused[0]?.message ?? 'no reason given'}); the others were written, and the next sync tries again.`;
}

/** Returns true when the share gateway refused an account (not a participant, no delegation, level). */
export function isRefusal(failure: CallFailure): boolean {
  return failure.httpStatus === 401 || failure.httpStatus === 403 || failure.httpStatus === 404;
}

/** Returns why the gateway could not reach an account, from its refusal. */
export function unreachedReason(failure: CallFailure): UnreachedReason {
  if (failure.reason === 'delegation_denied') return 'delegation';
  if (failure.httpStatus === 404) return 'not_found';
  return 'refused';
}

/** Returns the `unreached` field of a result: present only when someone was not reached. */
export function withUnreached(unreached: UnreachedAccount[]): Pick<SyncResult, 'unreached'> {
  return unreached.length > 0 ? { unreached: [...unreached] } : {};
}
