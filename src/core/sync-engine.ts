/**
 * This file defines the sync engine: it syncs one share across the owner's and every recipient's
 * account in slices that fit an Apps Script execution, checkpointing in the acting user's
 * key-value store, and reports each outcome to the audit sink (DESIGN.md §5). The phases of a
 * slice live in sync-pass.ts; the slices on the user's own account in sync-own-account.ts.
 */
import { footprintAllows } from './footprint';
import { pendingTransferKey, type PendingTransfer } from './ownership-transfer';
import { resolveParticipants, type Participant } from './participants';
import type { Level, Share } from './sharing-model';
import { SyncCheckpoints, type ShareCheckpoint } from './sync-checkpoint';
import { adoptFormerMasters, removeOwnCopies } from './sync-own-account';
import { SyncPass } from './sync-pass';
import {
  emptySyncResult,
  recordSlice,
  type SyncEngineDeps,
  type SyncOptions,
  type SyncResult,
} from './sync-slice';

// The slice contract is the engine's public interface: its users import it from this file.
export { emptySyncResult } from './sync-slice';
export type {
  SyncEngineDeps,
  SyncOptions,
  SyncResult,
  SyncStatus,
  UnreachedAccount,
  UnreachedReason,
} from './sync-slice';

/** The engine. One instance per execution; it holds no state between calls besides the store. */
export class SyncEngine {
  private readonly checkpoints: SyncCheckpoints;

  constructor(private readonly deps: SyncEngineDeps) {
    this.checkpoints = new SyncCheckpoints(deps.store);
  }

  /** Reads a share's checkpoint, or a fresh one. */
  checkpoint(shareId: string): ShareCheckpoint {
    return this.checkpoints.share(shareId);
  }

  /**
   * Runs one slice of the sync of a share: reads what changed, and if anything did, lists every
   * account, plans, guards and writes until the deadline. Call again while it returns `continue`.
   */
  syncShare(shareId: string, options: SyncOptions): SyncResult {
    const share = this.deps.shares.getShare(shareId);
    if (!share) return this.failed(shareId, null, 'The share no longer exists.');
    const resolved = this.participantsOf(share);
    if (!resolved.ok) return this.failed(shareId, share, resolved.problem);
    const participants = resolved.participants;
    const actor = this.deps.actor.toLowerCase();
    if (!participants.some((participant) => participant.account === actor))
      return this.failed(shareId, share, `${actor} does not take part in this share.`);
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
    const checkpoint = this.checkpoints.ownerShare(shareId, owner);
    // Only the owner and manage participants may reach departed participants (the gateway refuses
    // others): below that, they are forgotten here and cleaned by them or by their own user.
    // A partial member list says nothing of who left: then no one is taken for departed.
    const cleansDeparted =
      footprintAllows(actorLevel, 'former', 'read') && this.deps.directory.complete?.() !== false;
    for (const account of checkpoint.accounts)
      if (levels.has(account)) continue;
      else if (cleansDeparted && !participants.some((p) => p.account === account))
        levels.set(account, null);
      else this.checkpoints.deleteAccount(shareId, account);
    return this.runPass(share, levels, checkpoint, options, actorLevel);
  }

  /**
   * Turns the acting user's former masters of a share whose ownership they transferred into
   * copies of the new owner's masters; see sync-own-account.ts.
   */
  adoptFormerMasters(share: Share, pending: PendingTransfer, options: SyncOptions): SyncResult {
    return adoptFormerMasters(this.deps, share, pending, options);
  }

  /**
   * Runs one slice of ending a share: removes from every recipient's account what the share
   * brought there (copies and the copy group; merged pre-existing contacts stay, unlinked).
   * `share` is the share as it was; `reached` names further accounts the share reached (through
   * other participants' syncs), cleaned as well. Call again while it returns `continue`.
   */
  endShare(share: Share, options: SyncOptions, reached: readonly string[] = []): SyncResult {
    const resolved = this.participantsOf(share);
    if (!resolved.ok) return this.failed(share.id, share, resolved.problem);
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
    if (actorLevel !== 'owner') return this.failed(share.id, share, 'Only the owner ends a share.');
    const result = this.runPass(share, levels, checkpoint, options, actorLevel);
    if (result.status === 'done' || result.status === 'unchanged') {
      for (const account of levels.keys()) this.checkpoints.deleteAccount(share.id, account);
      this.checkpoints.deleteShare(share.id);
    }
    return result;
  }

  /**
   * Runs one slice of removing from the acting user's own account what a share brought there,
   * once the share no longer includes them; see sync-own-account.ts.
   */
  removeOwnCopies(shareId: string, options: SyncOptions): SyncResult {
    return removeOwnCopies(this.deps, shareId, options);
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

  private failed(shareId: string, share: Share | null, problem: string): SyncResult {
    return recordSlice(this.deps, shareId, share, emptySyncResult(shareId, 'failed', 0, [problem]));
  }

  private runPass(
    share: Share,
    levels: Map<string, Level | null>,
    checkpoint: ShareCheckpoint,
    options: SyncOptions,
    actorLevel: Level,
  ): SyncResult {
    return new SyncPass(this.deps, share, levels, checkpoint, options, actorLevel).run();
  }
}
