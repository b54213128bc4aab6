/** This file turns a share's targets into the short "who" text the cards show. */
import type { ShareTarget } from '../../core/sharing-model';
import { MSG } from '../messages';

/** "bob@example.com", "bob@example.com and 2 more", "nobody yet". */
export function describeAudience(targets: ShareTarget[]): string {
  const names = targets.map((target) =>
    target.kind === 'domain' ? MSG.label.domain(target.domain).toLowerCase() : target.email,
  );
  if (names.length === 0) return 'nobody yet';
  if (names.length === 1) return names[0] as string;
  return `${names[0]} and ${names.length - 1} more`;
}
