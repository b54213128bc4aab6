/** This file defines what the share dialog and the member card share: the levels one may grant. */
import { LEVELS, levelAllows, type Level } from '../../core/sharing-model';
import { LEVEL_NAMES } from '../messages';

/** The label of a level, as the cards show it. */
export function levelLabel(level: Level): string {
  return LEVEL_NAMES[level];
}

/** The levels a holder of `held` may grant: up to their own and the policy's maximum, never `owner`. */
export function grantableLevels(held: Level, policyMax: Level = 'manage'): Level[] {
  return LEVELS.filter(
    (level) => level !== 'owner' && levelAllows(held, level) && levelAllows(policyMax, level),
  );
}
