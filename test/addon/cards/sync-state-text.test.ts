/**
 * The sync state of a share some recipients were not reached by: not "up to date", the owner
 * (or a manager) told who, why and what to do, everyone else only that copies are missing.
 */
import type { SyncResult } from '../../../src/core/sync-engine';
import {
  describeSyncState,
  describeUnreached,
  mayActOnRecipients,
} from '../../../src/addon/cards/sync-state-text';
import { stateFromResult } from '../../../src/addon/sharing/sync-state';
import { syncResult } from '../../fixtures/addon-sync-result';

const NOW = Date.UTC(2026, 10, 30, 12);

function result(overrides: Partial<SyncResult>): SyncResult {
  return syncResult({ created: 5, ...overrides });
}

describe('the state of a share that did not reach everyone', () => {
  const unreached = [{ account: 'carol@acme.example', reason: 'delegation' as const }];

  it('is incomplete, not up to date, and names the recipients to those who may act', () => {
    const state = stateFromResult(result({ unreached }), NOW);
    expect(state).toMatchObject({ phase: 'incomplete', unreached });
    const owner = describeSyncState(
      state,
      NOW,
      5,
      mayActOnRecipients('owner') ? 'named' : 'anonymous',
    );
    expect(owner).toBe(
      'Not everyone has their copies yet · synced just now. Not reached: carol@acme.example. Open the label to see why.',
    );
    // The label card lists them below its state line instead.
    expect(describeSyncState(state, NOW, 5, 'below')).toBe(
      'Not everyone has their copies yet · synced just now.',
    );
    expect(describeUnreached(state)).toEqual([
      expect.stringMatching(/^carol@acme\.example: Google refused our service access/),
      'Each sync tries them again; they get their copies as soon as they can be reached.',
    ]);
  });

  it('tells a viewer only that copies are missing', () => {
    const state = stateFromResult(result({ unreached }), NOW);
    expect(mayActOnRecipients('view')).toBe(false);
    const viewer = describeSyncState(
      state,
      NOW,
      5,
      mayActOnRecipients('view') ? 'named' : 'anonymous',
    );
    expect(viewer).toContain('the label’s owner can see who and why');
    expect(viewer).not.toContain('carol@');
  });

  it('keeps a running sync running, and is up to date when everyone was reached', () => {
    expect(stateFromResult(result({ status: 'continue', unreached }), NOW).phase).toBe('running');
    const done = stateFromResult(result({}), NOW);
    expect(done).toEqual({ phase: 'ok', at: NOW });
    expect(describeSyncState(done, NOW, 5, 'named')).toBe('Up to date · synced just now.');
  });

  it('says what to do for each reason', () => {
    const state = stateFromResult(
      result({
        unreached: [
          { account: 'gone@acme.example', reason: 'not_found' },
          { account: 'shy@acme.example', reason: 'refused' },
        ],
      }),
      NOW,
    );
    expect(describeUnreached(state)).toEqual([
      'gone@acme.example: Google has no account with this address. Check it, or remove them from the label.',
      'shy@acme.example: Their account refused access to its contacts. Press Sync now later; if it persists, contact our support.',
      'Each sync tries them again; they get their copies as soon as they can be reached.',
    ]);
  });
});
