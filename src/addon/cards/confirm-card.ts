/**
 * This file defines the confirmation asked before a destructive action (stopping a share, leaving
 * a label, removing a member): what will happen, in numbers, and whether it can be undone; and
 * the card shown after a share was stopped, with its Undo when it can be honoured.
 */
import type { ActionName } from '../actions/action-kit';
import { MSG } from '../messages';
import type { UndoOffer } from './label-card';
import { actionButton, buttons, cardHeader, paragraph, section } from './widgets';

/** What a confirmation card shows. */
export interface ConfirmView {
  title: string;
  /** What will happen, and whether it can be undone, a paragraph each. */
  lines: string[];
  confirm: { text: string; action: ActionName; parameters: Record<string, string> };
}

/** Builds a confirmation card: its button runs the action, Cancel goes back. */
export function buildConfirmCard(view: ConfirmView): GoogleAppsScript.Card_Service.Card {
  return CardService.newCardBuilder()
    .setName('confirm')
    .setHeader(cardHeader(view.title))
    .addSection(
      section(
        null,
        ...view.lines.map((line) => paragraph(line)),
        buttons(
          actionButton(view.confirm.text, view.confirm.action, view.confirm.parameters, true),
          actionButton(MSG.confirm.cancel, 'cancelConfirm'),
        ),
      ),
    )
    .build();
}

/** Builds the card shown once a share was stopped: what happened, and Undo when possible. */
export function buildStoppedCard(
  labelName: string,
  text: string,
  undo: UndoOffer | null,
  noUndo: string | null,
): GoogleAppsScript.Card_Service.Card {
  const body = section(null, paragraph(text));
  if (noUndo) body.addWidget(paragraph(noUndo));
  body.addWidget(
    undo
      ? buttons(
          actionButton(MSG.confirm.undoStop, undo.action, undo.parameters),
          actionButton(MSG.confirm.back, 'cancelConfirm'),
        )
      : buttons(actionButton(MSG.confirm.back, 'cancelConfirm')),
  );
  return CardService.newCardBuilder()
    .setName('stopped')
    .setHeader(cardHeader(MSG.confirm.stoppedTitle(labelName)))
    .addSection(body)
    .build();
}
