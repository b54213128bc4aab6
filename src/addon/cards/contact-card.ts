/**
 * This file defines the contact card: every field sharing syncs, where the contact is shared and
 * with whom, and an edit form for those whose level allows editing, and the search results list
 * that leads to it.
 */
import type { Level } from '../../core/sharing-model';
import { routerAction } from '../actions/action-kit';
import { LEVEL_NAMES, MSG } from '../messages';
import { actionButton, buttons, cardHeader, paragraph, row, section, textField } from './widgets';

/** Form field names of the contact card. */
export const CONTACT_FORM = {
  givenName: 'givenName',
  familyName: 'familyName',
  email: 'email',
  phone: 'phone',
  organization: 'organization',
  notes: 'notes',
} as const;

/** A shared label a contact is in. */
export interface ContactShare {
  shareId: string;
  name: string;
  owner: string;
  myLevel: Level;
  audience: string;
}

/** What the contact card shows. */
export interface ContactView {
  resourceName: string;
  name: string;
  /** Field label → its values as text, in the order the card shows them (one row a value). */
  fields: { label: string; values: string[] }[];
  shares: ContactShare[];
  /** Present when the user may edit: the form's current values. */
  form: Record<keyof typeof CONTACT_FORM, string> | null;
}

/** Builds the contact card. */
export function buildContactCard(view: ContactView): GoogleAppsScript.Card_Service.Card {
  const details = section(null);
  for (const field of view.fields)
    for (const value of field.values) details.addWidget(row(value, { top: field.label }));
  if (view.fields.length === 0) details.addWidget(paragraph(MSG.contact.unnamed));
  const where = section(MSG.contact.where);
  if (view.shares.length === 0) where.addWidget(paragraph(MSG.contact.nowhere));
  for (const share of view.shares)
    where.addWidget(
      row(share.name, {
        top: `${share.owner} · ${LEVEL_NAMES[share.myLevel]}`,
        bottom: MSG.home.sharedWith(share.audience),
        onClick: routerAction('openLabel', { shareId: share.shareId }),
      }),
    );
  const card = CardService.newCardBuilder()
    .setName('contact')
    .setHeader(cardHeader(view.name || MSG.contact.unnamed))
    .addSection(details)
    .addSection(where);
  if (view.form) {
    const form = view.form;
    card.addSection(
      section(
        MSG.contact.edit,
        textField(CONTACT_FORM.givenName, MSG.label.givenName, '', form.givenName),
        textField(CONTACT_FORM.familyName, MSG.label.familyName, '', form.familyName),
        textField(CONTACT_FORM.email, MSG.label.email, '', form.email),
        textField(CONTACT_FORM.phone, MSG.label.phone, '', form.phone),
        textField(CONTACT_FORM.organization, MSG.fields.organizations ?? '', '', form.organization),
        textField(CONTACT_FORM.notes, MSG.fields.biographies ?? '', '', form.notes).setMultiline(
          true,
        ),
        buttons(
          actionButton(MSG.contact.save, 'saveContact', { resourceName: view.resourceName }, true),
        ),
      ),
    );
  } else if (view.shares.length > 0)
    card.addSection(section(null, paragraph(MSG.contact.viewOnly)));
  return card.build();
}

/** A contact found by the homepage search. */
export interface FoundContact {
  resourceName: string;
  name: string;
  detail: string;
  labels: string[];
}

/** Builds the search results card. */
export function buildSearchResultsCard(
  query: string,
  found: FoundContact[],
): GoogleAppsScript.Card_Service.Card {
  const results = section(null);
  if (found.length === 0) results.addWidget(paragraph(MSG.contact.noResults(query)));
  for (const contact of found)
    results.addWidget(
      row(contact.name || MSG.contact.unnamed, {
        top: contact.labels.join(', '),
        bottom: contact.detail,
        onClick: routerAction('openContact', { resourceName: contact.resourceName }),
      }),
    );
  return CardService.newCardBuilder()
    .setName('search')
    .setHeader(cardHeader(MSG.contact.searchResults(query)))
    .addSection(results)
    .build();
}
