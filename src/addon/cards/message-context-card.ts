/**
 * This file defines the Gmail contextual card of an open message: the sender and the other
 * people on it, for each whether they are in a shared label and which, adding them to a label
 * in two clicks (choose the label, press Add), and opening their contact card.
 */
import { routerAction } from '../actions/action-kit';
import { MSG } from '../messages';
import { actionButton, cardHeader, dropdown, paragraph, row, section } from './widgets';

/** Form field of the message card. */
export const MESSAGE_FORM = { label: 'targetLabel' } as const;

/** A person on the message. */
export interface MessagePerson {
  name: string;
  email: string;
  /** The contact in the user's own account, when there is one. */
  resourceName: string | null;
  /** The shared labels they are in. */
  labels: string[];
  role: 'from' | 'to' | 'cc';
}

/** What the message card shows. */
export interface MessageView {
  people: MessagePerson[];
  /** A line at the top, e.g. when the service could not be reached. */
  notice?: string;
  /** Shared labels the user may add contacts to. */
  targets: { shareId: string; name: string }[];
}

/** Builds the contextual card for an open message. */
export function buildMessageContextCard(view: MessageView): GoogleAppsScript.Card_Service.Card {
  const people = section(null);
  if (view.notice) people.addWidget(paragraph(view.notice));
  if (view.targets.length > 0)
    people.addWidget(
      dropdown(
        MESSAGE_FORM.label,
        MSG.message.addTo,
        view.targets.map((target) => [target.shareId, target.name]),
      ),
    );
  if (view.people.length === 0) people.addWidget(paragraph(MSG.message.nobody));
  for (const person of view.people) {
    const widget = row(person.name || person.email, {
      top: person.name ? person.email : undefined,
      bottom:
        person.labels.length > 0 ? MSG.message.inLabels(person.labels) : MSG.message.notInLabels,
      ...(person.resourceName
        ? { onClick: routerAction('openContact', { resourceName: person.resourceName }) }
        : {}),
      ...(view.targets.length > 0
        ? {
            button: actionButton(MSG.message.add, 'addPersonToLabel', {
              email: person.email,
              name: person.name,
            }),
          }
        : {}),
    });
    people.addWidget(widget);
  }
  const card = CardService.newCardBuilder()
    .setName('message')
    .setHeader(cardHeader(MSG.message.title))
    .addSection(people);
  if (view.targets.length === 0 && !view.notice)
    card.addSection(section(null, paragraph(MSG.message.noLabels)));
  return card.build();
}
