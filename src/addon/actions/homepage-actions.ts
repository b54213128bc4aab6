/**
 * This file defines the homepage and its actions: loading it (the registry's two lists, a bounded
 * sync of the labels that are due, one read of the user's groups for the figures), "Sync now",
 * search across shared contacts, creating a label, and the settings it honours.
 */
import { carriesLink } from '../../core/contact-model';
import { describeAudience } from '../cards/audience';
import { buildSearchResultsCard, type FoundContact } from '../cards/contact-card';
import {
  buildHomepageCard,
  HOME_FORM,
  type HomepageView,
  type LabelRow,
} from '../cards/homepage-card';
import { personText } from '../cards/label-card';
import { buildSettingsCard, SETTINGS_FORM, type UserSettings } from '../cards/settings-card';
import { MSG } from '../messages';
import { mayOpenSupport } from './support-actions';
import { DailyBudget } from '../sharing/daily-budget';
import type { VisibleShare } from '../sharing/share-registry';
import type { ShareSyncOutcome } from '../sharing/share-sync';
import { sharingContext, type SharingContext } from '../sharing/sharing-context';
import { endingShares, readSyncState } from '../sharing/sync-state';
import {
  failureText,
  formValue,
  formValues,
  notify,
  pushCard,
  updateCard,
  UserFacingError,
  type ActionTable,
} from './action-kit';
import { directoryNames } from './directory-names';
import { nameOf, emailOf, readOwnGroups, searchContacts as searchOwnContacts } from './people-data';

type AddonEvent = GoogleAppsScript.Addons.EventObject;
type ActionResponse = GoogleAppsScript.Card_Service.ActionResponse;

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
/** A card action may run 30 s; the sync inside it stops starting new calls after this long. */
export const ACTION_SYNC_BUDGET_MS = 25_000;

const SETTINGS_KEY = 'settings:v1';

/** The user's settings (sync on open and attention notices are on unless turned off). */
export function readSettings(context: SharingContext): UserSettings {
  const text = context.addon.userStore.get(SETTINGS_KEY);
  const saved = text ? (JSON.parse(text) as Partial<UserSettings>) : {};
  return { syncOnOpen: saved.syncOnOpen ?? true, notify: saved.notify ?? true };
}

/** Loads the homepage's view; with `syncDeadline`, syncs the labels that are due first. */
export function loadHomepage(
  context: SharingContext,
  options: {
    syncDeadline: number | null;
    /** No label is started after this time (default: the deadline). */
    syncStartBy?: number;
    minIntervalMs: number;
    synced?: ShareSyncOutcome[];
    /** List every account (Sync now): recent edits may not show in sync listings yet. */
    reconcile?: boolean;
  },
): HomepageView {
  const now = () => context.addon.clock.now();
  const settings = readSettings(context);
  let mine: VisibleShare[];
  let shared: VisibleShare[];
  try {
    mine = context.registry.mine();
    shared = context.registry.sharedWithMe();
  } catch (error) {
    console.warn('the share registry could not be read', error);
    return {
      mine: [],
      shared: [],
      ownLabels: [],
      now: now(),
      notice: failureText(error, MSG.serviceUnreachable),
    };
  }
  const gone = new Set<string>();
  context.sync.ownGroupsSeen.forget();
  if (options.syncDeadline !== null)
    for (const outcome of context.sync.syncAll(
      [...mine, ...shared],
      options.syncDeadline,
      options.minIntervalMs,
      options.reconcile,
      options.syncStartBy,
    )) {
      options.synced?.push(outcome);
      if (outcome.gone) gone.add(outcome.shareId);
    }
  // Right after the sync: the groups it listed, if it wrote nothing since, spare a listing.
  const groups = readOwnGroups(
    context,
    options.syncDeadline !== null ? context.sync.ownGroupsSeen.take() : null,
  );
  const ending = new Set(endingShares(context.addon.userStore).map((share) => share.id));
  // People by name: names the directory gave earlier (cached), so that opening costs no call.
  const names = directoryNames(
    context,
    shared.map((share) => share.owner),
    false,
  );
  const toRow = (share: VisibleShare): LabelRow => {
    const state = readSyncState(context.addon.userStore, share.id);
    const group = groups.groupOf(share, context.addon.user);
    return {
      shareId: share.id,
      name: share.labelName,
      owner: personText(share.owner, names),
      myLevel: share.myLevel ?? 'view',
      audience: describeAudience(share.grants.map((grant) => grant.target)),
      members: share.grants.length,
      contacts: group ? (group.memberCount ?? 0) : null,
      state:
        ending.has(share.id) && state?.phase !== 'ending'
          ? { phase: 'ending', at: state?.at ?? now() }
          : state,
    };
  };
  const notices = [
    ...(settings.syncOnOpen || options.syncDeadline !== null ? [] : [MSG.home.syncOff]),
    ...deferralNotice(context),
  ];
  return {
    mine: mine.filter((share) => !gone.has(share.id)).map(toRow),
    shared: shared.filter((share) => !gone.has(share.id)).map(toRow),
    ownLabels: groups.shareable(new Set(mine.map((share) => share.labelResourceName))),
    now: now(),
    flagAttention: settings.notify,
    ...(notices.length > 0 ? { notice: notices.join(' ') } : {}),
  };
}

/** The homepage's word on an hourly sync deferred for a daily quota, if one is. */
function deferralNotice(context: SharingContext): string[] {
  const { addon } = context;
  const deferral = new DailyBudget(addon.user, addon.userStore, addon.clock).deferral();
  if (!deferral) return [];
  const hours = Math.max(1, Math.ceil((deferral.until - addon.clock.now()) / 3_600_000));
  return [MSG.home.hourlyDeferred(deferral.quota, hours)];
}

/** Renders the homepage after a bounded sync of the labels that are due (unless turned off). */
export function renderHomepage(): GoogleAppsScript.Card_Service.Card {
  const context = sharingContext();
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

function syncNow(_event: AddonEvent): ActionResponse {
  const context = sharingContext();
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
function searchShared(event: AddonEvent): ActionResponse {
  const text = formValue(event, HOME_FORM.query);
  if (text === '') return notify(MSG.contact.typeSomething);
  const context = sharingContext();
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

function createLabel(event: AddonEvent): ActionResponse {
  const name = formValue(event, HOME_FORM.newLabel);
  if (name === '') throw new UserFacingError(MSG.share.nameFirst);
  if (name.length > 200) throw new UserFacingError(MSG.share.nameFirst);
  const context = sharingContext();
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
export function renderSettings(): GoogleAppsScript.Card_Service.Card {
  return buildSettingsCard(readSettings(sharingContext()), mayOpenSupport());
}

function saveSettings(event: AddonEvent): ActionResponse {
  const context = sharingContext();
  const settings: UserSettings = {
    syncOnOpen: formValues(event, SETTINGS_FORM.syncOnOpen).includes('on'),
    notify: formValues(event, SETTINGS_FORM.notify).includes('on'),
  };
  context.addon.userStore.set(SETTINGS_KEY, JSON.stringify(settings));
  return updateCard(buildSettingsCard(settings, mayOpenSupport()), MSG.settings.saved);
}

/** The homepage's actions by name. */
export const homepageActions: ActionTable = {
  syncNow,
  searchContacts: searchShared,
  createLabel,
  showSettings: () => pushCard(renderSettings()),
  saveSettings,
};
