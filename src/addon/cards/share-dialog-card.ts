/**
 * This file defines the share dialog: recipients picked with directory suggestions, a level for
 * each, a preview of what will happen, and the domain policy's limits shown before they bite.
 * The recipients chosen so far travel in the card's action parameters (`recipients`), which
 * the share action validates again.
 */
import type { Level, ShareGrant } from '../../core/sharing-model';
import { routerAction } from '../actions/action-kit';
import { LEVEL_NAMES, MSG } from '../messages';
import { targetText } from './label-card';
import {
  actionButton,
  buttons,
  cardHeader,
  dropdown,
  paragraph,
  plainText,
  row,
  section,
  textField,
} from './widgets';

/** The name of the share dialog in the card stack. */
export const SHARE_DIALOG_NAME = 'share';

/** Form field names of the share dialog. */
export const SHARE_FORM = { recipients: 'recipients', kind: 'targetKind', level: 'level' } as const;

/** What the dialog shares: a new label of the user's (`labelResourceName`) or an existing share. */
export type ShareSubject = { labelResourceName: string } | { shareId: string };

/** The policy limits the dialog shows: sharing stays inside the organisation, all of its domains. */
export interface PolicyLimits {
  domain: string;
  /** Every domain of the organisation (Workspace customer): primary, secondary and alias. */
  domains: string[];
  maxLevel: Level;
  adminsOnly: boolean;
}

/** What the user had typed and chosen when an Add was refused, shown again with the reason. */
export interface DialogEntry {
  typed: string;
  kind: string;
  level: string;
  error: string;
}

/** What the share dialog shows. */
export interface ShareDialogView {
  subject: ShareSubject;
  labelName: string;
  contactCount: number;
  recipients: ShareGrant[];
  /** Levels the user may grant under the policy. */
  levels: Level[];
  policy: PolicyLimits | null;
  /** Why suggestions are limited (the directory hidden from apps), when they are. */
  notice?: string;
  /** Directory names of the recipients by lower-case address (those known). */
  names?: Record<string, string>;
  /** The refused entry, kept in the form with the reason. */
  entry?: DialogEntry;
}

/** Encodes recipients for an action parameter: `kind|address|level` joined by `;`. */
export function encodeRecipients(grants: ShareGrant[]): string {
  return grants
    .map(
      (grant) =>
        `${grant.target.kind}|${grant.target.kind === 'domain' ? grant.target.domain : grant.target.email}|${grant.level}`,
    )
    .join(';');
}

function subjectParameters(subject: ShareSubject): Record<string, string> {
  return 'shareId' in subject
    ? { shareId: subject.shareId }
    : { labelResourceName: subject.labelResourceName };
}

/** The policy in one sentence. */
export function describePolicy(policy: PolicyLimits): string {
  return MSG.shareDialog.policy(
    policy.maxLevel,
    policy.domains.length > 0 ? policy.domains : [policy.domain],
  );
}

/** The preview sentence: how many contacts go to how many people, or that none will. */
export function describePreview(
  contactCount: number,
  recipients: ShareGrant[],
  labelName = '',
): string {
  if (contactCount === 0) return MSG.shareDialog.emptyLabel(labelName);
  const of = (kind: string) => recipients.filter((grant) => grant.target.kind === kind).length;
  return MSG.share.preview(contactCount, of('user'), of('group'), of('domain'));
}

/** Builds the share dialog. */
export function buildShareDialog(view: ShareDialogView): GoogleAppsScript.Card_Service.Card {
  const base = {
    ...subjectParameters(view.subject),
    recipients: encodeRecipients(view.recipients),
  };
  const intro = section(null, paragraph(MSG.share.intro));
  if (view.policy) {
    intro.addWidget(paragraph(describePolicy(view.policy)));
    if (view.policy.adminsOnly) intro.addWidget(paragraph(MSG.share.policyAdminsOnly));
  }
  const entry = view.entry;
  const picker = section(
    MSG.share.recipient,
    textField(
      SHARE_FORM.recipients,
      MSG.share.recipient,
      MSG.share.recipientHint,
      entry?.typed ?? '',
    ).setSuggestionsAction(routerAction('suggestRecipients')),
    dropdown(
      SHARE_FORM.kind,
      MSG.share.kind,
      [
        ['user', MSG.share.kinds.user],
        ['group', MSG.share.kinds.group],
        ['domain', MSG.share.kinds.domain],
      ],
      entry && ['user', 'group', 'domain'].includes(entry.kind) ? entry.kind : undefined,
    ),
    dropdown(
      SHARE_FORM.level,
      MSG.share.level,
      view.levels.map((level) => [level, LEVEL_NAMES[level]]),
      entry && (view.levels as string[]).includes(entry.level) ? entry.level : undefined,
    ),
  );
  if (entry) picker.addWidget(paragraph(entry.error));
  picker.addWidget(buttons(actionButton(MSG.share.add, 'addRecipient', base)));
  if (view.notice) picker.addWidget(paragraph(view.notice));
  const chosen = section(MSG.share.recipients);
  if (view.recipients.length === 0) chosen.addWidget(paragraph(MSG.share.noRecipients));
  view.recipients.forEach((grant, index) =>
    chosen.addWidget(
      row(targetText(grant.target, view.names), {
        bottom: LEVEL_NAMES[grant.level],
        button: actionButton(MSG.share.remove, 'removeRecipient', {
          ...base,
          index: String(index),
        }),
      }),
    ),
  );
  if (view.recipients.length > 0 || view.contactCount === 0)
    chosen.addWidget(
      paragraph(describePreview(view.contactCount, view.recipients, view.labelName)),
    );
  return CardService.newCardBuilder()
    .setName(SHARE_DIALOG_NAME)
    .setHeader(cardHeader(MSG.share.title(view.labelName)))
    .addSection(intro)
    .addSection(picker)
    .addSection(chosen)
    .setFixedFooter(
      CardService.newFixedFooter().setPrimaryButton(
        CardService.newTextButton()
          .setText(MSG.share.share)
          .setOnClickAction(
            routerAction('shareId' in view.subject ? 'addMembers' : 'createShare', base),
          ),
      ),
    )
    .build();
}

/** A directory name in a suggestion: shown as it is, cleaned and cut, never markup-bearing. */
function suggestedName(name: string): string {
  return plainText(name, SUGGESTED_NAME_LIMIT).replace(/[<>]/g, '');
}

/** The longest name a suggestion shows, in characters (the address always follows it whole). */
const SUGGESTED_NAME_LIMIT = 80;

/** The suggestion text of a group, from which the dialog reads the kind back. */
export function groupSuggestion(name: string, email: string): string {
  return `${suggestedName(name)} (${MSG.share.group}) <${email}>`;
}

/** The suggestion text of a person. */
export function personSuggestion(name: string, email: string): string {
  const shown = suggestedName(name);
  return shown ? `${shown} <${email}>` : email;
}

/**
 * Splits what was typed into recipients: by commas, semicolons and lines, and by spaces only
 * between addresses (so that a typed name such as "Dmitry Ivanov" stays one entry).
 */
export function splitRecipientText(text: string): string[] {
  return text
    .split(text.includes('<') ? /[,;\n]+(?![^<]*>)/ : /[,;\n]+/)
    .flatMap((part) => {
      const words = part.trim().split(/\s+/);
      return !part.includes('<') && words.every((word) => word.includes('@')) ? words : [part];
    })
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** Reads a typed or suggested recipient: the address and, when the text says so, the kind. */
export function parseRecipientText(text: string): {
  address: string;
  kind?: 'user' | 'group' | 'domain';
} {
  const trimmed = text.trim();
  const everyone = MSG.share.everyoneAt('');
  if (trimmed.startsWith(everyone))
    return { address: trimmed.slice(everyone.length).trim().toLowerCase(), kind: 'domain' };
  const angle = /<([^<>]+)>\s*$/.exec(trimmed);
  const address = (angle ? (angle[1] as string) : trimmed).trim().toLowerCase();
  if (angle && trimmed.includes(`(${MSG.share.group})`)) return { address, kind: 'group' };
  if (angle) return { address, kind: 'user' };
  return { address };
}
