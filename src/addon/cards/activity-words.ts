/**
 * This file defines how the admin card tells an audit event in words: "ann@acme.example shared
 * Customers with sales@acme.example (View)", from the event's type, actor, label name and the
 * audience the backend recorded (`user:bob@acme.example=view,group:…=edit`).
 */
import type { Level } from '../../core/sharing-model';
import type { ActivityRow } from '../admin/admin-client';
import { LEVEL_NAMES, MSG, listOf } from '../messages';

const LEVELS = new Set<string>(Object.keys(LEVEL_NAMES));

/** The recorded audience in words: "sales@acme.example (View) and bob@acme.example (Edit contacts)". */
export function audienceInWords(recorded: string): string {
  const grants = recorded
    .split(',')
    .filter((part) => part !== '')
    .map((part) => {
      const [target = '', level = ''] = part.split('=');
      const colon = target.indexOf(':');
      const kind = target.slice(0, colon);
      const who = target.slice(colon + 1);
      const named = kind === 'domain' ? MSG.activity.everyone(who) : who;
      return MSG.activity.grant(named, LEVELS.has(level) ? LEVEL_NAMES[level as Level] : level);
    });
  return listOf(grants);
}

/** One event of the activity in words. */
export function activityInWords(event: ActivityRow): string {
  const words = MSG.activity;
  const label = event.labelName ?? words.unknownLabel;
  const audience =
    typeof event.detail.audience === 'string' ? audienceInWords(event.detail.audience) : '';
  switch (event.type) {
    case 'share.created':
      return audience
        ? words.shared(event.actor, label, audience)
        : words.sharedNoAudience(event.actor, label);
    case 'share.updated':
      return words.changed(event.actor, label, audience);
    case 'share.revoked':
      return words.stopped(event.actor, label);
    case 'share.left':
      return words.left(event.actor, label);
    case 'share.ownership_offered':
      return words.offered(event.actor, label, event.target ?? '');
    case 'share.ownership_transferred':
      return words.tookOver(event.actor, label);
    case 'admin.shares_handed_over':
      return words.handedOver(event.actor, event.target ?? '', String(event.detail.to ?? ''));
    case 'policy.changed':
      return words.policy(event.actor);
    case 'admin.audit_exported':
      return words.exported(event.actor);
    case 'admin.onboarding_checked':
      return words.checked(event.actor);
    default:
      return event.outcome === 'denied'
        ? words.refused(event.actor, event.type)
        : words.other(event.actor, event.type);
  }
}
