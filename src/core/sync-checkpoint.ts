/**
 * This file defines the sync engine's checkpoints in the acting user's key-value store: one per
 * share (`sc:<shareId>`) and one per recipient account of it (`sc:<shareId>:<account>`).
 */
import type { KeyValueStore } from './ports';
import type { Level } from './sharing-model';

/**
 * How far Google's update times may run behind the acting user's clock. A master updated within
 * this margin of the last pass's listings counts as changed since, so that no recipient's missing
 * copy of it is taken for a removal.
 */
export const CLOCK_MARGIN_MS = 60_000;

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

function shareKey(shareId: string): string {
  return `sc:${shareId}`;
}

function accountKey(shareId: string, account: string): string {
  return `sc:${shareId}:${account}`;
}

/** Reads and writes the checkpoints of the acting user's shares. */
export class SyncCheckpoints {
  constructor(private readonly store: KeyValueStore) {}

  /** Reads a share's checkpoint, or a fresh one. */
  share(shareId: string): ShareCheckpoint {
    const text = this.store.get(shareKey(shareId));
    if (text) {
      const parsed = JSON.parse(text) as ShareCheckpoint;
      if (parsed.v === 1) return parsed;
    }
    return { v: 1, accounts: [], masterToken: null, slices: 0, paused: null };
  }

  /** Writes a share's checkpoint. */
  saveShare(shareId: string, checkpoint: ShareCheckpoint): void {
    this.store.set(shareKey(shareId), JSON.stringify(checkpoint));
  }

  /** Forgets a share's checkpoint. */
  deleteShare(shareId: string): void {
    this.store.delete(shareKey(shareId));
  }

  /** Reads the state of a recipient account, or a fresh one. */
  account(shareId: string, account: string): AccountCheckpoint {
    const text = this.store.get(accountKey(shareId, account));
    return text ? (JSON.parse(text) as AccountCheckpoint) : { t: null, g: null, j: false };
  }

  /** Writes the state of a recipient account. */
  saveAccount(shareId: string, account: string, state: AccountCheckpoint): void {
    this.store.set(accountKey(shareId, account), JSON.stringify(state));
  }

  /** Forgets the state of a recipient account. */
  deleteAccount(shareId: string, account: string): void {
    this.store.delete(accountKey(shareId, account));
  }

  /**
   * Returns the share's checkpoint when it belongs to the current owner; otherwise (ownership was
   * transferred, or it predates transfers) a fresh one that keeps the recipients to clean up, less
   * the owner.
   */
  ownerShare(shareId: string, owner: string): ShareCheckpoint {
    const checkpoint = this.share(shareId);
    if (
      checkpoint.owner === owner ||
      (checkpoint.owner === undefined && checkpoint.masterToken === null)
    )
      return checkpoint;
    this.deleteAccount(shareId, owner);
    return {
      v: 1,
      accounts: checkpoint.accounts.filter((account) => account !== owner),
      masterToken: null,
      slices: 0,
      paused: null,
    };
  }
}

/** Returns the accounts a checkpoint must remember: those it knew and those of this pass. */
export function knownAccounts(
  checkpoint: ShareCheckpoint,
  levels: ReadonlyMap<string, Level | null>,
): string[] {
  return [...new Set([...checkpoint.accounts, ...levels.keys()])];
}
