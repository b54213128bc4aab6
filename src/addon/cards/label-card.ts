/**
 * This file defines the card of one shared label: its sync state, a page of its contacts with
 * search and paging, adding a contact, its members and their levels, sharing with more people,
 * leaving it, and for the owner renaming, hidden fields and stopping the share.
 */
import {
  HIDEABLE_FIELDS,
  levelAllows,
  mayPerform,
  type HideableField,
  type Level,
  type ShareGrant,
  type ShareTarget,
} from '../../core/sharing-model';
import { routerAction } from '../actions/action-kit';
import { LEVEL_NAMES, MSG } from '../messages';
import type { ShareSyncState } from '../sharing/sync-state';
import { describeSyncState } from './sync-state-text';
import {
  actionButton,
  buttons,
  cardHeader,
  checkboxes,
  paragraph,
  row,
  section,
  textField,
} from './widgets';

/** The name of the label card in the card stack. */
export const LABEL_CARD_NAME = 'label';

/** Contacts per page of the label card. */
export const CONTACTS_PER_PAGE = 20;

/** Form field names of the label card. */
export const LABEL_FORM = {
  query: 'labelQuery',
  givenName: 'givenName',
  familyName: 'familyName',
  email: 'email',
  phone: 'phone',
  rename: 'labelName',
  hidden: 'hiddenFields',
} as const;

/** A contact as a row of the label card. */
export interface ContactRow {
  resourceName: string;
  name: string;
  detail: string;
}

/** One page of the label's contacts, as the user's own copy holds them. */
export interface ContactsPage {
  rows: ContactRow[];
  /** 1-based. */
  page: number;
  total: number;
  query: string;
}

/** What the label card shows. */
export interface LabelView {
  shareId: string;
  name: string;
  owner: string;
  myLevel: Level;
  grants: ShareGrant[];
  hiddenFields: HideableField[];
  state: ShareSyncState | null;
  /** Levels the user may grant; empty when they may not share. */
  grantable: Level[];
  /** Null when the user has no copy yet. */
  contacts: ContactsPage | null;
  /** True when the user holds the label through their own user grant (so they may leave it). */
  directGrant: boolean;
  /** The member the owner offered the label to, while they have not accepted. */
  offeredTo?: string | null;
  /** True when the label is offered to the user themselves. */
  offeredToMe?: boolean;
  now: number;
}

/** The address a target names: an e-mail address or a domain. */
export function targetAddress(target: ShareTarget): string {
  return target.kind === 'domain' ? target.domain : target.email;
}

/** How a target reads on a card. */
export function targetText(target: ShareTarget): string {
  if (target.kind === 'group') return MSG.label.group(target.email);
  if (target.kind === 'domain') return MSG.label.domain(target.domain);
  return target.email;
}

function contactsSection(view: LabelView, page: ContactsPage) {
  const built = section(MSG.label.contacts);
  built.addWidget(textField(LABEL_FORM.query, MSG.label.searchHint, '', page.query));
  built.addWidget(
    buttons(actionButton(MSG.home.searchButton, 'openLabel', { shareId: view.shareId })),
  );
  if (page.rows.length === 0)
    built.addWidget(paragraph(page.query ? MSG.label.noMatches(page.query) : MSG.label.noContacts));
  for (const contact of page.rows)
    built.addWidget(
      row(contact.name, {
        bottom: contact.detail,
        onClick: routerAction('openContact', {
          resourceName: contact.resourceName,
          shareId: view.shareId,
        }),
      }),
    );
  const pages = Math.max(1, Math.ceil(page.total / CONTACTS_PER_PAGE));
  if (pages > 1) {
    built.addWidget(paragraph(MSG.label.page(page.page, pages, page.total)));
    const paging = CardService.newButtonSet();
    const at = (target: number) =>
      routerAction('openLabel', {
        shareId: view.shareId,
        page: String(target),
        ...(page.query ? { query: page.query } : {}),
        replace: '1',
      });
    if (page.page > 1)
      paging.addButton(
        CardService.newTextButton()
          .setText(MSG.label.previous)
          .setOnClickAction(at(page.page - 1)),
      );
    if (page.page < pages)
      paging.addButton(
        CardService.newTextButton()
          .setText(MSG.label.next)
          .setOnClickAction(at(page.page + 1)),
      );
    built.addWidget(paging);
  }
  return built;
}

function membersSection(view: LabelView) {
  const mayManage = view.grantable.length > 0;
  const built = section(MSG.label.members, row(view.owner, { bottom: MSG.label.owner }));
  for (const grant of view.grants) {
    const canChange = mayManage && view.grantable.includes(grant.level);
    built.addWidget(
      row(targetText(grant.target), {
        bottom: LEVEL_NAMES[grant.level],
        ...(canChange
          ? {
              button: actionButton(MSG.label.change, 'openMember', {
                shareId: view.shareId,
                targetKind: grant.target.kind,
                address: targetAddress(grant.target),
              }),
            }
          : {}),
      }),
    );
  }
  if (view.grants.length === 0) built.addWidget(paragraph(MSG.label.notShared));
  if (mayManage)
    built.addWidget(
      buttons(actionButton(MSG.label.shareMore, 'showShareForm', { shareId: view.shareId })),
    );
  return built;
}

function ownerSection(view: LabelView) {
  const hidden = checkboxes(
    LABEL_FORM.hidden,
    MSG.label.hidden,
    HIDEABLE_FIELDS.map((field) => [field, MSG.fields[field] ?? field]),
    view.hiddenFields,
  );
  return section(
    MSG.label.ownerSection,
    textField(LABEL_FORM.rename, MSG.label.rename, '', view.name),
    buttons(actionButton(MSG.label.renameButton, 'renameLabel', { shareId: view.shareId })),
    hidden,
    paragraph(MSG.label.hiddenHint),
    buttons(actionButton(MSG.label.saveHidden, 'saveHiddenFields', { shareId: view.shareId })),
    ...(view.offeredTo
      ? [
          paragraph(MSG.transfer.pending(view.offeredTo)),
          buttons(
            actionButton(MSG.transfer.withdraw, 'endTransferOffer', { shareId: view.shareId }),
          ),
        ]
      : [paragraph(MSG.label.transferHint)]),
    paragraph(MSG.label.stopHint),
    buttons(actionButton(MSG.label.stopSharing, 'stopSharing', { shareId: view.shareId })),
  );
}

/** Builds the label card. */
export function buildLabelCard(view: LabelView): GoogleAppsScript.Card_Service.Card {
  const sync = section(
    MSG.label.syncSection,
    paragraph(
      describeSyncState(
        view.state,
        view.now,
        view.contacts?.total ?? null,
        levelAllows(view.myLevel, 'manage'),
      ),
    ),
  );
  const syncButtons = buttons(
    actionButton(MSG.home.syncNow, 'syncLabel', { shareId: view.shareId }),
  );
  if (view.state?.phase === 'paused' && view.myLevel === 'owner')
    syncButtons.addButton(
      CardService.newTextButton()
        .setText(MSG.label.confirmDeletions)
        .setOnClickAction(routerAction('confirmSync', { shareId: view.shareId })),
    );
  sync.addWidget(syncButtons);

  const card = CardService.newCardBuilder()
    .setName(LABEL_CARD_NAME)
    .setHeader(
      cardHeader(
        view.name,
        MSG.label.subtitle(view.owner, view.myLevel, view.contacts?.total ?? null),
      ),
    )
    .addSection(sync);
  if (view.offeredToMe)
    card.addSection(
      section(
        null,
        paragraph(MSG.transfer.offerToYou(view.owner)),
        buttons(
          actionButton(MSG.transfer.accept, 'acceptOwnership', { shareId: view.shareId }),
          actionButton(MSG.transfer.decline, 'endTransferOffer', { shareId: view.shareId }),
        ),
      ),
    );
  if (view.contacts) card.addSection(contactsSection(view, view.contacts));
  if (view.contacts && mayPerform(view.myLevel, 'addContact'))
    card.addSection(
      section(
        MSG.label.addContact,
        textField(LABEL_FORM.givenName, MSG.label.givenName),
        textField(LABEL_FORM.familyName, MSG.label.familyName),
        textField(LABEL_FORM.email, MSG.label.email),
        textField(LABEL_FORM.phone, MSG.label.phone),
        buttons(actionButton(MSG.label.add, 'addContact', { shareId: view.shareId })),
      ),
    );
  card.addSection(membersSection(view));
  if (view.myLevel === 'owner') card.addSection(ownerSection(view));
  else if (view.directGrant)
    card.addSection(
      section(
        null,
        paragraph(MSG.label.leaveHint),
        buttons(actionButton(MSG.label.leave, 'leaveLabel', { shareId: view.shareId })),
      ),
    );
  return card.build();
}
