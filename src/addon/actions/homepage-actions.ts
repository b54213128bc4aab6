/**
 * This file defines the homepage and its actions: rendering it (share-outcomes.ts loads it),
 * "Sync now", search across shared contacts, creating a label, and the settings card.
 */
import { carriesLink } from '../../core/contact-model';
import { buildSearchResultsCard, type FoundContact } from '../cards/contact-card';
import { buildHomepageCard, HOME_FORM } from '../cards/homepage-card';
import { buildSettingsCard, SETTINGS_FORM, type UserSettings } from '../cards/settings-card';
import { MSG } from '../messages';
import { mayOpenSupport, SupportClient } from '../support/support-client';
import type { ShareSyncOutcome } from '../sharing/share-sync';
import { formValue, formValues, notify, pushCard, updateCard, UserFacingError } from './action-kit';
import type { ActionContext, ActionResponse, ActionTable, AddonEvent, Card } from './action-kit';
import { ACTION_SYNC_BUDGET_MS, loadHomepage, readSettings, SETTINGS_KEY } from './share-outcomes';
import { emailOf, nameOf, readOwnGroups, searchContacts as searchOwnContacts } from './people-data';

/** How long opening the sidebar may spend syncing. */
export const HOMEPAGE_SYNC_BUDGET_MS = 5_000;

/**
 * Opening the sidebar starts syncing a label only this early in the execution: the homepage
 * answers within about two seconds, and labels not reached continue on the next opens and in
 * the hourly sync (a sync already started still ends within HOMEPAGE_SYNC_BUDGET_MS).
 */
export const HOMEPAGE_SYNC_START_MS = 1_500;

/** Labels synced this recently (and up to date) are not synced again when the sidebar opens. */
export const HOMEPAGE_MIN_INTERVAL_MS = 2 * 60_000;

/** Renders the homepage after a bounded sync of the labels that are due (unless turned off). */
export function renderHomepage({ sharing: context }: ActionContext): Card {
  const { syncOnOpen } = readSettings(context);
  const now = context.addon.clock.now();
  return buildHomepageCard(
    loadHomepage(context, {
      syncDeadline: syncOnOpen ? now + HOMEPAGE_SYNC_BUDGET_MS : null,
      syncStartBy: now + HOMEPAGE_SYNC_START_MS,
      minIntervalMs: HOMEPAGE_MIN_INTERVAL_MS,
    }),
  );
}

function syncNow(_event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const synced: ShareSyncOutcome[] = [];
  const view = loadHomepage(context, {
    syncDeadline: context.addon.clock.now() + ACTION_SYNC_BUDGET_MS,
    minIntervalMs: 0,
    synced,
    reconcile: true,
  });
  const results = synced.flatMap((outcome) => (outcome.result ? [outcome.result] : []));
  const changed = results.reduce(
    (sum, result) => sum + result.created + result.updated + result.deleted,
    0,
  );
  const waiting = [...view.mine, ...view.shared].filter(
    (label) => label.state && label.state.phase !== 'ok',
  ).length;
  return updateCard(buildHomepageCard(view), MSG.sync.summary(results.length, changed, waiting));
}

/** Shared contacts of the user matching a text: those in a master or copy of a shared label. */
function searchShared(event: AddonEvent, execution: ActionContext): ActionResponse {
  const text = formValue(event, HOME_FORM.query);
  if (text === '') return notify(MSG.contact.typeSomething);
  const context = execution.sharing;
  const shares = [...context.registry.mine(), ...context.registry.sharedWithMe()];
  const groups = readOwnGroups(context);
  const labelOfGroup = new Map<string, string>();
  for (const share of shares) {
    const group = groups.groupOf(share, context.addon.user);
    if (group?.resourceName) labelOfGroup.set(group.resourceName, share.labelName);
  }
  const [people = []] = searchOwnContacts(
    context,
    [text],
    'names,emailAddresses,phoneNumbers,memberships,clientData',
  );
  const found: FoundContact[] = people.flatMap((person) => {
    const labels = (person.memberships ?? [])
      .map((membership) =>
        labelOfGroup.get(membership.contactGroupMembership?.contactGroupResourceName ?? ''),
      )
      .filter((label): label is string => label !== undefined);
    const linked = shares.filter((share) => carriesLink(person.clientData, share.id));
    const all = [...new Set([...labels, ...linked.map((share) => share.labelName)])];
    if (all.length === 0) return [];
    return [
      {
        resourceName: person.resourceName ?? '',
        name: nameOf(person),
        detail: [emailOf(person), person.phoneNumbers?.[0]?.value ?? '']
          .filter(Boolean)
          .join(' · '),
        labels: all,
      },
    ];
  });
  return pushCard(buildSearchResultsCard(text, found));
}

function createLabel(event: AddonEvent, execution: ActionContext): ActionResponse {
  const name = formValue(event, HOME_FORM.newLabel);
  if (name === '') throw new UserFacingError(MSG.share.nameFirst);
  if (name.length > 200) throw new UserFacingError(MSG.share.nameFirst);
  const context = execution.sharing;
  const groups = readOwnGroups(context);
  if (groups.groups.some((group) => (group.name ?? '').toLowerCase() === name.toLowerCase()))
    throw new UserFacingError(MSG.share.nameTaken(name));
  context.transport.run(context.ownPeople().createContactGroup({ name }));
  return updateCard(
    buildHomepageCard(loadHomepage(context, { syncDeadline: null, minIntervalMs: 0 })),
    MSG.share.created(name),
  );
}

/** The settings card, for the universal action and the homepage's footer. */
export function renderSettings({ sharing: context }: ActionContext): Card {
  return buildSettingsCard(
    readSettings(context),
    mayOpenSupport(new SupportClient(context.addon.backend)),
  );
}

function saveSettings(event: AddonEvent, { sharing: context }: ActionContext): ActionResponse {
  const settings: UserSettings = {
    syncOnOpen: formValues(event, SETTINGS_FORM.syncOnOpen).includes('on'),
    notify: formValues(event, SETTINGS_FORM.notify).includes('on'),
  };
  context.addon.userStore.set(SETTINGS_KEY, JSON.stringify(settings));
  return updateCard(
    buildSettingsCard(settings, mayOpenSupport(new SupportClient(context.addon.backend))),
    MSG.settings.saved,
  );
}

/** The homepage's actions by name. */
export const homepageActions = {
  syncNow,
  searchContacts: searchShared,
  createLabel,
  showSettings: (_event, context) => pushCard(renderSettings(context)),
  saveSettings,
} satisfies ActionTable;
