/**
 * This file defines the card of one member of a shared label: change their level, remove them,
 * or (for the owner, and a person member) make them the owner.
 */
import type { Level, ShareTarget } from '../../core/sharing-model';
import { LEVEL_NAMES, MSG } from '../messages';
import { targetAddress, targetText } from './label-card';
import { actionButton, buttons, cardHeader, dropdown, paragraph, section } from './widgets';

/** Form field of the member card. */
export const MEMBER_FORM = { level: 'memberLevel' } as const;

/** What the member card shows. */
export interface MemberView {
  shareId: string;
  labelName: string;
  target: ShareTarget;
  level: Level;
  grantable: Level[];
  /** True when the viewer may hand the label over to this member. */
  mayMakeOwner?: boolean;
  /** Directory names of people by lower-case address (those known). */
  names?: Record<string, string>;
}

/** Builds the member card. */
export function buildMemberCard(view: MemberView): GoogleAppsScript.Card_Service.Card {
  const parameters = {
    shareId: view.shareId,
    targetKind: view.target.kind,
    address: targetAddress(view.target),
  };
  const card = CardService.newCardBuilder()
    .setName('member')
    .setHeader(cardHeader(targetText(view.target, view.names), view.labelName))
    .addSection(
      section(
        null,
        dropdown(
          MEMBER_FORM.level,
          MSG.member.level,
          view.grantable.map((level) => [level, LEVEL_NAMES[level]]),
          view.level,
        ),
        buttons(
          actionButton(MSG.member.save, 'changeLevel', parameters, true),
          actionButton(MSG.member.remove, 'confirmRemoveMember', parameters),
        ),
      ),
    );
  if (view.mayMakeOwner)
    card.addSection(
      section(
        null,
        paragraph(MSG.member.makeOwnerHint),
        buttons(actionButton(MSG.member.makeOwner, 'offerOwnership', parameters)),
      ),
    );
  return card.build();
}
