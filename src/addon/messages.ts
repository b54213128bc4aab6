/**
 * This file holds every text the add-on shows its users, in one place so that it can be
 * translated: English first. Texts are short sentences; those that report a problem also say
 * what to do. Functions build the texts that carry names and numbers.
 */
import type { Level } from '../core/sharing-model';

/** "1 contact", "1,240 contacts". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** A list in prose: "a", "a and b", "a, b and 2 more". */
export function listOf(items: string[], max = 3): string {
  if (items.length === 0) return '';
  if (items.length === 1) return items[0] as string;
  if (items.length <= max) return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
  return `${items.slice(0, max - 1).join(', ')} and ${items.length - max + 1} more`;
}

/** The names of the permission levels. */
export const LEVEL_NAMES: Record<Level, string> = {
  view: 'View',
  edit: 'Edit contacts',
  contribute: 'Add and remove contacts',
  manage: 'Manage sharing',
  owner: 'Owner',
};

/** Every user-facing text. */
export const MSG = {
  appName: 'Shared Contacts',
  genericFailure: 'Shared Contacts could not do that. Try again in a minute.',
  pageFailure: 'Shared Contacts could not show this page. Try again in a minute.',
  somethingWrong: 'Something went wrong',
  staleButton: 'This button no longer works. Reopen Shared Contacts and try again.',
  serviceUnreachable:
    'Shared Contacts could not reach its service. Your contacts are not affected; try again in a minute.',

  home: {
    searchTitle: 'Search shared contacts',
    searchHint: 'Name, e-mail or phone',
    searchButton: 'Search',
    mine: 'My shared labels',
    shared: 'Shared with me',
    noMine: 'You have not shared a label yet. Share one of your labels below.',
    noShared: 'No labels are shared with you yet.',
    ownLabels: 'Share one of my labels',
    noOwnLabels: 'You have no unshared labels. Create one below.',
    share: 'Share',
    createTitle: 'New label',
    createHint: 'e.g. Key customers',
    createButton: 'Create label',
    syncNow: 'Sync now',
    settings: 'Settings',
    more: (n: number) => `… and ${n} more.`,
    sharedWith: (audience: string) => `Shared with ${audience}`,
    from: (owner: string, level: Level) => `From ${owner} · ${LEVEL_NAMES[level]}`,
    figures: (contacts: number | null, members: number) =>
      `${contacts === null ? 'contacts not copied yet' : count(contacts, 'contact')} · ${count(members, 'member')}`,
    attention: (n: number) =>
      `${count(n, 'label needs', 'labels need')} your attention; open ${n === 1 ? 'it' : 'them'} below.`,
    syncOff: 'Sync on open is off (Settings); press Sync now to sync.',
    hourlyDeferred: (quota: 'urlFetchCalls' | 'triggerRuntimeMs', hours: number) =>
      `The hourly sync is paused for about ${count(hours, 'hour')}: another run would pass Google’s daily limit on ${quota === 'urlFetchCalls' ? 'the calls an add-on may make' : 'the time background syncs may run'}. Opening Shared Contacts and Sync now still sync your labels.`,
  },

  sync: {
    never: 'Not synced yet: it syncs when you open Shared Contacts or press Sync now.',
    ok: (when: string) => `Up to date · synced ${when}`,
    running: (when: string, copied: number | null) =>
      `Sync in progress${copied === null ? '' : `: ${count(copied, 'contact')} so far`} (last step ${when})`,
    paused: 'Paused',
    failed: (when: string) => `Sync failed ${when}`,
    ending: (when: string) => `Stopping sharing (last step ${when})`,
    justNow: 'just now',
    minutesAgo: (n: number) => `${n} min ago`,
    hoursAgo: (n: number) => `${n} h ago`,
    daysAgo: (n: number) => `${n} days ago`,
    upToDate: 'Already up to date.',
    done: (created: number, updated: number, deleted: number) =>
      `Synced: ${created} copied, ${updated} updated, ${deleted} removed.`,
    continues:
      'Synced part of it; the rest continues automatically within the hour, or press Sync now.',
    pausedNotice: (n: number) =>
      `Paused: this sync would delete ${count(n, 'contact')}; the owner must confirm.`,
    gone: 'This label is no longer shared with you.',
    summary: (labels: number, changes: number, waiting: number) =>
      `Synced ${count(labels, 'label')}, ${count(changes, 'change')}. ${
        waiting > 0
          ? `${count(waiting, 'label needs', 'labels need')} attention; see each label's state.`
          : 'Every label is up to date.'
      }`,
  },

  label: {
    subtitle: (owner: string, level: Level, contacts: number | null) =>
      `Owner ${owner} · you: ${LEVEL_NAMES[level]}${contacts === null ? '' : ` · ${count(contacts, 'contact')}`}`,
    syncSection: 'Sync',
    confirmDeletions: 'Confirm deletions',
    contacts: 'Contacts',
    noContacts: 'No contacts in this label yet.',
    noMatches: (query: string) => `No contact matches “${query}”.`,
    searchHint: 'Search this label',
    page: (page: number, pages: number, total: number) =>
      `Page ${page} of ${pages} · ${count(total, 'contact')}`,
    previous: 'Previous',
    next: 'Next',
    addContact: 'Add a contact',
    givenName: 'First name',
    familyName: 'Last name',
    email: 'E-mail',
    phone: 'Phone',
    add: 'Add',
    members: 'Members',
    owner: 'Owner',
    notShared: 'Not shared with anyone yet.',
    group: (email: string) => `${email} (group)`,
    domain: (domain: string) => `Everyone at ${domain}`,
    change: 'Change',
    shareMore: 'Share with more people',
    leave: 'Leave this label',
    leaveHint: 'Its copy is removed from your contacts. The owner can share it with you again.',
    ownerSection: 'Owner settings',
    rename: 'New name',
    renameButton: 'Rename',
    hidden: 'Hidden from others',
    hiddenHint: 'Fields left out of everyone else’s copies.',
    saveHidden: 'Save hidden fields',
    stopSharing: 'Stop sharing',
    stopHint: 'Removes the copies from everyone else’s contacts. Your own label and contacts stay.',
    transferHint:
      'To hand this label over, open a person among the members and choose “Make owner”: it becomes theirs when they accept. You keep “Manage”.',
  },

  fields: {
    phoneNumbers: 'Phone numbers',
    addresses: 'Addresses',
    birthdays: 'Birthdays',
    biographies: 'Notes',
    organizations: 'Organisations',
    urls: 'Websites',
    userDefined: 'Custom fields',
    names: 'Name',
    nicknames: 'Nicknames',
    emailAddresses: 'E-mail addresses',
    relations: 'Relations',
    events: 'Dates',
  } as Record<string, string>,

  member: {
    title: (name: string) => name,
    level: 'Level',
    save: 'Save level',
    remove: 'Remove from label',
    saved: (who: string, level: Level) => `${who} now has “${LEVEL_NAMES[level]}”.`,
    removed: (who: string) => `Removed ${who}.`,
    removedBackground: (who: string) =>
      `Removed ${who}. Their copies are removed in the background.`,
    notMember: (who: string, label: string) => `${who} is not a member of “${label}”.`,
    aboveYou: (who: string) => `You may not change ${who}: their level is above yours.`,
    makeOwner: 'Make owner',
    makeOwnerHint:
      'Offers them the label: once they accept in their sidebar, their copy becomes the label everyone’s copies follow, and you keep “Manage”.',
  },

  transfer: {
    notPerson: (who: string) =>
      `Ownership can pass only to a person who is a member of the label in their own name, and ${who} is not. Share the label with them first.`,
    otherDomain: (who: string, domain: string) =>
      `Ownership can pass only to someone in ${domain}; ${who} is outside it.`,
    offered: (label: string, who: string) =>
      `You offered “${label}” to ${who}. It becomes theirs when they accept it in their sidebar; you keep “Manage”.`,
    pending: (who: string) => `Offered to ${who}: waiting for them to accept.`,
    withdraw: 'Withdraw the offer',
    withdrawn: (label: string) => `You withdrew the offer of “${label}”.`,
    offerToYou: (owner: string) =>
      `${owner} offers you this label. If you accept, your copy becomes the label everyone’s copies follow, and ${owner} keeps “Manage”.`,
    accept: 'Accept ownership',
    decline: 'Decline',
    declined: (label: string) => `You declined “${label}”. It stays with its owner.`,
    notOffered: 'This label was not offered to you, or the offer was withdrawn.',
    noCopy:
      'You have no copy of this label yet, so it cannot become yours. Use Sync now, then accept again.',
    accepted: (label: string) =>
      `“${label}” is now yours: everyone’s copies follow your label. Its former owner keeps “Manage”.`,
    acceptedBackground: (label: string) =>
      `“${label}” is now yours. Everyone’s copies follow your label from their next sync.`,
    homeOffered: 'offered to you: open it to accept',
  },

  share: {
    title: (name: string) => `Share “${name}”`,
    intro: 'Each person gets a copy of the label in their Google Contacts, kept in sync.',
    recipient: 'Add people, groups or a domain',
    recipientHint: 'Start typing a name, e-mail or group',
    kind: 'This is',
    kinds: { user: 'A person', group: 'A Google Group', domain: 'Everyone in a domain' },
    level: 'They may',
    add: 'Add',
    recipients: 'Recipients',
    noRecipients: 'Nobody added yet.',
    remove: 'Remove',
    share: 'Share',
    preview: (contacts: number, people: number, groups: number, domains: number) => {
      const parts = [
        ...(people > 0 ? [count(people, 'person', 'people')] : []),
        ...(groups > 0 ? [`everyone in ${count(groups, 'group')}`] : []),
        ...(domains > 0 ? [`everyone in ${count(domains, 'domain')}`] : []),
      ];
      return `${count(contacts, 'contact')} will be copied to ${listOf(parts)}.`;
    },
    policyAdminsOnly: 'Only admins may share new labels in your domain.',
    addFirst: 'Add at least one recipient first.',
    tooMany: (max: number) => `You can add at most ${max} recipients at a time.`,
    notAddress: (what: string) => `Not an e-mail address: ${what}.`,
    notDomain: (what: string) => `Not a domain name: ${what}.`,
    aboveMax: (level: Level) =>
      `Your domain’s policy allows sharing up to “${LEVEL_NAMES[level]}”.`,
    aboveOwn: (level: Level) => `You may share up to “${LEVEL_NAMES[level]}”.`,
    alreadyShared: (name: string) => `“${name}” is shared already; open it from the homepage.`,
    shared: (name: string, notice: string) => `Shared “${name}”. ${notice}`,
    added: (n: number, notice: string) => `Added ${count(n, 'recipient')}. ${notice}`,
    chooseLevel: 'Choose what they may do with the label.',
    group: 'group',
    everyoneAt: (domain: string) => `Everyone at ${domain}`,
    notOwnLabel: 'That label is not one of your own contact labels.',
    created: (name: string) =>
      `Created the label “${name}”. Add contacts in Google Contacts, then share it.`,
    nameFirst: 'Type a name for the new label first.',
    nameTaken: (name: string) => `You already have a label called “${name}”.`,
    directoryHidden:
      'Your domain does not show its directory to apps, so suggestions come only from your own contacts and the people you already share with. Type the full address of anyone else.',
    directoryForbidden:
      'Your admin has turned off directory sharing for apps (External Directory Sharing), so suggestions come only from your own contacts and the people you already share with. Type the full address of anyone else.',
  },

  contact: {
    title: 'Contact',
    unnamed: '(no name)',
    where: 'Shared in',
    nowhere: 'Not in a shared label.',
    edit: 'Edit',
    save: 'Save',
    viewOnly: 'You may only view this contact.',
    saved: (name: string, notice: string) => `Saved ${name}. ${notice}`,
    gone: 'This contact no longer exists. Reopen the label.',
    stale: 'Someone changed this contact meanwhile. Reopen it and try again.',
    emailInvalid: (value: string) => `Not an e-mail address: ${value}.`,
    nameRequired: 'A contact needs a name or an e-mail address.',
    added: (name: string, label: string, notice: string) =>
      `Added ${name} to “${label}”. ${notice}`,
    alreadyIn: (name: string, label: string) => `${name} is in “${label}” already.`,
    mayNotAdd: (label: string) =>
      `You may not add contacts to “${label}”: ask its owner for “Add and remove contacts”.`,
    open: 'Open',
    searchResults: (query: string) => `Results for “${query}”`,
    noResults: (query: string) => `No shared contact matches “${query}”.`,
    typeSomething: 'Type a name, e-mail or phone to search.',
  },

  message: {
    title: 'People on this message',
    you: 'You',
    inLabels: (labels: string[]) => `In ${listOf(labels)}`,
    notInLabels: 'Not in a shared label',
    addTo: 'Add to label',
    add: 'Add',
    noLabels: 'You have no shared label you may add contacts to.',
    unreadable: 'Shared Contacts could not read this message. Reopen it and try again.',
    nobody: 'Nobody else is on this message.',
  },

  compose: {
    title: 'Insert a shared label',
    label: 'Label',
    field: 'Add to',
    to: 'To',
    cc: 'Cc',
    bcc: 'Bcc',
    insert: 'Insert addresses',
    choose: 'Choose contacts…',
    pick: 'Contacts',
    insertChosen: 'Insert chosen',
    noLabels: 'No shared labels yet. Share a label or ask a colleague to share one with you.',
    noAddresses: (label: string) => `No contact in “${label}” has an e-mail address.`,
    noneChosen: 'Choose at least one contact.',
    capped: (n: number) => `Only the first ${n} addresses were inserted.`,
    inserted: (n: number) => `Inserted ${count(n, 'address', 'addresses')}.`,
    moreThanShown: (n: number) => `Showing the first ${n} contacts with an e-mail address.`,
  },

  settings: {
    title: 'Settings',
    syncOnOpen: 'Sync when I open Shared Contacts',
    notify: 'Tell me when a label needs my attention',
    save: 'Save settings',
    saved: 'Settings saved.',
    privacyTitle: 'About and privacy',
    privacy:
      'Contacts stay in Google Contacts: each person’s copy lives in their own account. Our service ' +
      'keeps only who shares which label with whom, your domain’s policy and an audit trail. ' +
      'Nothing is sold or used for advertising.',
    about: 'About and feedback',
    admin: 'Domain admin',
  },

  admin: {
    title: 'Domain admin',
    onlyAdmins: 'Only your domain’s admins can open this page.',
    brokerCannotSign:
      'Our service cannot act in your domain yet: Google refuses to let its service account sign (it needs the role Service Account Token Creator on itself, roles/iam.serviceAccountTokenCreator). Nothing is wrong on your side; contact our support so that we grant it.',
    checks: 'Setting up',
    backendOk: 'Our service is reachable.',
    delegationOk: 'Domain-wide delegation is granted with every scope we need.',
    installUnknown: (users: number) =>
      `Whether the add-on is installed for the whole domain cannot be checked from here. ${count(users, 'person', 'people')} used it in the last 30 days. To check: Admin console › Apps › Google Workspace Marketplace apps.`,
    chainOk: (n: number) => `Audit trail intact (${count(n, 'event')}).`,
    chainBroken: (seq: number) =>
      `The audit trail is broken at event ${seq}. Contact support with this number.`,
    policy: 'Domain policy',
    whoMayShare: 'Who may share labels',
    everyone: 'Everyone',
    admins: 'Admins only',
    maxLevel: 'Highest level people may grant',
    supportAccess: 'Vendor support access',
    supportAllowed: 'Allowed (always audited)',
    supportApproval: 'Needs an admin’s approval',
    supportDisabled: 'Disabled',
    save: 'Save policy',
    saved: 'Policy saved.',
    everyoneLabels: 'Labels for everyone',
    everyoneHint:
      'Labels shared with the whole domain or a group reach new employees at the next hourly sync.',
    noEveryoneLabels:
      'None yet. Share a label with “Everyone in a domain” or a group to create one.',
    shares: 'All shared labels',
    noShares: 'No shared labels in your domain yet.',
    alerts: 'Alerts',
    noAlerts: 'No open alerts.',
    noAudit: 'No activity yet.',
  },
  // The admin card: onboarding, organisation, offboarding, activity, download (issue 16, points 1, 8, 9).
  adminCard: {
    unverified: (domain: string) =>
      `We could not check that you are an admin of ${domain}: Google answers for your organisation only once domain-wide delegation is granted. Here is what is missing; nothing else of your organisation is shown until then.`,
    scopeGranted: (scope: string) => `Granted: ${scope}.`,
    scopeMissing: (scope: string) => `Missing: ${scope}.`,
    clockProblem:
      'Google refuses our service’s requests because our clock and Google’s disagree. Nothing is wrong on your side and nothing needs granting: contact our support, and open this page again later.',
    grantSteps: (serviceAccount: string, scopes: string[]) =>
      `To grant it: in the Admin console (as a super admin), open Security › API controls › Domain-wide delegation, add the client of ${serviceAccount}, and give it these scopes: ${scopes.join(', ')}. Then open this page again.`,
    organisation: 'Your organisation',
    domains: (domains: string[]) =>
      `${count(domains.length, 'domain')}: ${domains.join(', ')}. Labels can be shared among the people of all of them, and with no one outside.`,
    noDirectoryAdmin:
      'No admin can be used to read your directory, so group and whole-domain shares do not reach anyone. An admin must open this page once, and domain-wide delegation must be granted.',
    directoryAdmins: (usable: number) =>
      `Group and domain shares are read in the name of an admin who opened this page (${count(usable, 'admin')} can be used).`,
    supportQuestion:
      'Choose whether our support staff may look into your users’ shared labels when they ask for help. Until you choose, every access needs an admin’s approval.',
    supportChosen: 'Support access chosen.',
    saveSupport: 'Save this choice',
    allShares: (n: number) => `Show all ${n.toLocaleString('en-US')}`,
    nextShares: 'Next page',
    sharesPage: (from: number, to: number, of: number) =>
      `${from.toLocaleString('en-US')}–${to.toLocaleString('en-US')} of ${of.toLocaleString('en-US')}`,
    share: (owner: string) => `Owner: ${owner}`,
    shareGrant: (who: string, level: string) => `${who} · ${level}`,
    offeredTo: (person: string) => `Handed over to ${person}; waiting for them to accept.`,
    stopSharing: 'Stop sharing',
    stopConfirm: (label: string, people: string) =>
      `Stop sharing “${label}” with ${people}? Their copies are removed from their contacts at their next sync. This cannot be undone.`,
    confirmStop: 'Yes, stop sharing',
    cancel: 'Cancel',
    stopped: (label: string) => `“${label}” is no longer shared.`,
    offboarding: 'When someone leaves',
    offboardingHint:
      'Hand every label a person owns over to a colleague before their account is removed, so that the labels keep working. The colleague accepts each one in their own sidebar.',
    leaver: 'Person who leaves',
    colleague: 'Colleague who takes over',
    handOver: 'Hand their labels over',
    handOverNeeds: 'Type the address of the person who leaves and of the colleague.',
    handOverConfirm: (from: string, to: string, labels: string[]) =>
      labels.length === 0
        ? `${from} owns no shared label; there is nothing to hand over.`
        : `${count(labels.length, 'label')} of ${from} (${listOf(labels)}) will be offered to ${to}, who becomes a member where needed and accepts each one in their sidebar.`,
    confirmHandOver: 'Yes, hand them over',
    handedOver: (n: number, to: string) =>
      `${count(n, 'label')} offered to ${to}. They accept in their own sidebar.`,
    activity: 'Recent activity',
    activityAll: 'Show all and filter',
    person: 'Person (address)',
    kind: 'Kind',
    kinds: {
      all: 'Everything',
      sharing: 'Sharing',
      policy: 'Policy and domains',
      support: 'Support access',
      admin: 'Admin and alerts',
    } as Record<string, string>,
    filter: 'Filter',
    noActivity: 'Nothing matches.',
    download: 'Download audit trail (CSV)',
    downloadStarted:
      'Your download starts in a new tab. The link works for 5 minutes; download again for a fresh one.',
    couldNotCheck:
      'Your admin rights could not be checked just now (Google did not answer). Try again in a minute.',
  },

  // Phrases of the admin card's recent activity (issue 16, point 8).
  activity: {
    when: (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`,
    shared: (actor: string, label: string, audience: string) =>
      `${actor} shared ${label} with ${audience}`,
    sharedNoAudience: (actor: string, label: string) => `${actor} shared ${label}`,
    changed: (actor: string, label: string, audience: string) =>
      audience
        ? `${actor} changed who has ${label}: now ${audience}`
        : `${actor} renamed ${label} or changed its hidden fields`,
    stopped: (actor: string, label: string) => `${actor} stopped sharing ${label}`,
    left: (actor: string, label: string) => `${actor} left ${label}`,
    offered: (actor: string, label: string, to: string) => `${actor} offered ${label} to ${to}`,
    tookOver: (actor: string, label: string) => `${actor} took over ${label}`,
    handedOver: (actor: string, from: string, to: string) =>
      `${actor} handed the labels of ${from} over to ${to}`,
    policy: (actor: string) => `${actor} changed the organisation’s policy`,
    exported: (actor: string) => `${actor} downloaded the audit trail`,
    checked: (actor: string) => `${actor} opened the admin page`,
    refused: (actor: string, what: string) => `${actor} was refused: ${what}`,
    other: (actor: string, type: string) => `${actor}: ${type}`,
    unknownLabel: 'a label',
    grant: (who: string, level: string) => `${who} (${level})`,
    everyone: (domain: string) => `everyone at ${domain}`,
  },

  // The Settings card's support entry (issue 16, point 9).
  settingsSupport: {
    open: 'Support access',
  },

  // Issue 16 (points 3, 4, 7): a label's contents, confirmations before destructive actions, people by name.
  contents: {
    open: 'Open',
    subtitle: (contacts: number) => `Not shared · ${count(contacts, 'contact')}`,
    addExisting: 'Add existing contacts',
    paste: 'Add many at once',
    remove: 'Remove contacts',
    share: 'Share this label',
    findTitle: (label: string) => `Add contacts to “${label}”`,
    findHint: 'Name, e-mail or phone',
    findButton: 'Search my contacts',
    choose: 'Choose contacts to add',
    noneFound: (query: string) =>
      query
        ? `None of your contacts outside this label matches “${query}”.`
        : 'All your contacts are in this label already.',
    moreFound: (shown: number) => `Showing the first ${shown}; search to narrow the list.`,
    addChosen: 'Add chosen',
    noneChosen: 'Tick at least one contact first.',
    added: (n: number, label: string, notice: string) =>
      `Added ${count(n, 'contact')} to “${label}”.${notice ? ` ${notice}` : ''}`,
    pasteTitle: (label: string) => `Add many to “${label}”`,
    pasteField: 'Addresses or CSV text',
    pasteHint:
      'One or more addresses a line, as copied from a To line or a spreadsheet column (names with them are kept), or CSV with a header line that names an e-mail column, e.g. “Name,E-mail,Phone”.',
    pasteButton: 'Add to label',
    pasteEmpty: 'Paste some addresses or CSV text first.',
    pasteTooMany: (max: number, found: number) =>
      `At most ${count(max, 'address', 'addresses')} at once; this text has ${found.toLocaleString('en-US')}. Nothing was added: split the list and add it in parts.`,
    pasted: (created: number, existing: number, already: number, label: string, notice: string) =>
      `Added to “${label}”: ${count(created, 'new contact')}, ${count(existing, 'existing contact')}${already > 0 ? `; ${count(already, 'was', 'were')} in it already` : ''}.${notice ? ` ${notice}` : ''}`,
    notTakenTitle: 'Not taken',
    notTaken: (n: number) =>
      `${count(n, 'line')} could not be read and ${n === 1 ? 'is' : 'are'} left in the box: fix ${n === 1 ? 'it' : 'them'} and press “Add to label” again.`,
    notAddress: (line: number, text: string) => `Line ${line}: “${text}” is not an e-mail address.`,
    noAddress: (line: number, text: string) => `Line ${line}: “${text}” has no e-mail address.`,
    removeTitle: (label: string) => `Remove contacts from “${label}”`,
    removeWhat: (people: number) =>
      people > 0
        ? `The contacts you tick leave this label, and their copies are removed from ${count(people, 'person’s', 'people’s')} contacts. They stay in your own Google Contacts.`
        : 'The contacts you tick leave this label. They stay in your Google Contacts.',
    removeChosen: 'Remove chosen',
    removed: (n: number, label: string, notice: string) =>
      `Removed ${count(n, 'contact')} from “${label}”.${notice ? ` ${notice}` : ''}`,
    undoRemoveHint: (n: number) => `${count(n, 'contact')} removed from this label.`,
    noUndoRemove:
      'To undo, ask the owner to add them back: the owner’s label no longer holds them, and adding them again from here would make new contacts in the owner’s account.',
    notOwnLabel:
      'This label is not one of yours any more. Reopen Shared Contacts to see your labels.',
    copyLabel: 'This is a copy of a label someone shares with you: open it under “Shared with me”.',
    tooManyChosen: (max: number) =>
      `Choose at most ${max.toLocaleString('en-US')} contacts at once.`,
  },

  confirm: {
    title: 'Are you sure?',
    cancel: 'Cancel',
    undo: 'Undo',
    stopTitle: (label: string) => `Stop sharing “${label}”?`,
    stopWhat: (contacts: number, people: number) =>
      `${count(contacts, 'contact')} will be removed from ${count(people, 'person’s', 'people’s')} contacts (and from their phones). Your own label and contacts stay.`,
    stopMerged: 'Contacts people had before the label was shared with them stay in their contacts.',
    stopUndo:
      'You can undo this right afterwards: the label is shared again with the same people and levels, and their copies are made anew.',
    stopNoUndoHidden:
      'This cannot be undone from here: sharing again would first copy the fields you hide. Share it again and hide the fields before anyone gets a copy.',
    stopButton: 'Stop sharing',
    stopped: (label: string, background: boolean) =>
      background
        ? `Stopped sharing “${label}”; the copies are being removed in the background.`
        : `Stopped sharing “${label}”; the copies are gone.`,
    stoppedTitle: (label: string) => `“${label}” is no longer shared`,
    undoStop: 'Undo: share it again',
    back: 'Back to my labels',
    leaveTitle: (label: string) => `Leave “${label}”?`,
    leaveWhat: (contacts: number) =>
      `${count(contacts, 'contact')} will be removed from your contacts (and from your phone) at the owner’s next sync.`,
    leaveNoUndo:
      'This cannot be undone from here: only the owner or someone who manages the label can share it with you again.',
    leaveButton: 'Leave label',
    left: (label: string) => `You left “${label}”. Its copy is removed at the owner’s next sync.`,
    removeTitle: (who: string) => `Remove ${who}?`,
    removePerson: (contacts: number, who: string) =>
      `${count(contacts, 'contact')} will be removed from ${who}’s contacts (and from their phone).`,
    removeMany: (contacts: number, people: number, target: string) =>
      `${count(contacts, 'contact')} will be removed from the contacts of up to ${count(people, 'person', 'people')} (everyone of ${target} who has no other way to this label).`,
    removeUndo: 'You can undo this right afterwards: they are added back at the same level.',
    removeButton: 'Remove',
    undoRemoveMember: (who: string) => `${who} was removed from this label.`,
  },

  people: {
    /** A person's name with their address beside it. */
    named: (name: string, email: string) => (name ? `${name} (${email})` : email),
    typed: (label: string, type: string) => (type ? `${label} · ${type}` : label),
    /** The contact card's fields, in the order it shows them. */
    cardFields: {
      names: 'Name',
      emailAddresses: 'E-mail',
      phoneNumbers: 'Phone',
      organizations: 'Organisation',
      biographies: 'Notes',
      addresses: 'Address',
      nicknames: 'Nickname',
      birthdays: 'Birthday',
      events: 'Date',
      urls: 'Website',
      relations: 'Relation',
      userDefined: 'Custom field',
    } as Record<string, string>,
  },

  // Recipients a sync could not reach (issue 16, point 10): who, why, what to do.
  unreached: {
    state: (when: string) => `Not everyone has their copies yet · synced ${when}`,
    who: (people: string) => `Not reached: ${people}. Open the label to see why.`,
    member: 'Some people do not have their copies yet; the label’s owner can see who and why.',
    heading: 'Not reached yet',
    person: (account: string, reason: 'delegation' | 'not_found' | 'refused') =>
      `${account}: ${
        {
          delegation:
            'Google refused our service access to their contacts (domain-wide delegation does not cover their account, or it is not active). Ask your domain’s admin to open Settings › Domain admin and check “Setting up”.',
          not_found:
            'Google has no account with this address. Check it, or remove them from the label.',
          refused:
            'Their account refused access to its contacts. Press Sync now later; if it persists, contact our support.',
        }[reason]
      }`,
    retry: 'Each sync tries them again; they get their copies as soon as they can be reached.',
    notice: (people: string) =>
      `Not reached: ${people}; they have no copies yet. The label’s Sync section says why; each sync tries again.`,
  },

  // Issue 16 (safe rendering, errors people understand, the share dialog) and issue 13 (the
  // tenant is the Workspace customer): texts added by that work.
  about: {
    title: 'About Shared Contacts',
    text: 'Contacts stay in Google Contacts. Our service keeps only who shares which label with whom, your domain policy and an audit trail.',
    feedback: 'Feedback',
    feedbackHint: 'What should we improve? (at most 1,000 characters)',
    send: 'Send feedback',
    empty: 'Write your feedback first.',
    tooLong: (max: number, length: number) =>
      `Feedback can be at most ${max} characters; yours has ${length}.`,
    sent: 'Thanks, your feedback was sent.',
  },

  shareDialog: {
    policy: (maxLevel: Level, domains: string[]) =>
      `Your organisation allows sharing up to “${LEVEL_NAMES[maxLevel]}”, only inside ${
        domains.length > 1 ? `your organisation (${listOf(domains, domains.length)})` : domains[0]
      }.`,
    emptyLabel: (name: string) =>
      `“${name}” has no contacts yet, so nothing will be copied: the recipients get an empty label that fills when you add contacts to it.`,
    yourself: 'You cannot share a label with yourself: it is yours already.',
    notInDirectory: (address: string) =>
      `${address} is not in your organisation’s directory. Check the spelling, or pick a colleague from the suggestions.`,
    outsideCustomer: (address: string) =>
      `${address} is outside your organisation: labels can be shared only with people, groups and domains of your own Google Workspace account.`,
    groupNotVisible: (group: string) =>
      `You may not see the members of ${group}, so you cannot share with it. Ask its managers or your admin to share with it.`,
    noOneCalled: (text: string) =>
      `Nobody in your organisation is called “${text}”. Type their e-mail address or pick them from the suggestions.`,
    several: (text: string, names: string[]) =>
      `Several people match “${text}”: ${listOf(names)}. Pick one from the suggestions or type their e-mail address.`,
  },

  /** What the user reads for a refusal or failure of our service, by the backend's error code. */
  errors: {
    outside_customer:
      'That recipient is outside your organisation: labels can be shared only with people, groups and domains of your own Google Workspace account.',
    group_not_visible:
      'You may not see the members of that group, so you cannot share with it. Ask its managers or your admin.',
    insufficient_level:
      'Your level on this label does not allow that. Ask its owner for a higher level.',
    policy_max_level:
      'Your organisation’s policy does not allow that level. Choose a lower level, or ask your admin.',
    policy_who_may_share:
      'Your organisation’s policy lets only admins share labels. Ask your admin to share it.',
    stale_share: 'Someone changed this label meanwhile. Reopen it and try again.',
    not_found: 'This label or item no longer exists. Reopen Shared Contacts to see what is there.',
    rate_limited: 'Too many requests in a short time. Wait a minute and try again.',
    unauthenticated: 'Shared Contacts could not confirm who you are. Reopen it and try again.',
    not_admin: 'Only your organisation’s admins can do that.',
    not_your_tenant: 'That belongs to another organisation, so you cannot open it.',
    no_tenant:
      'Shared Contacts works only with Google Workspace accounts. Sign in with your work account.',
    tenant_unavailable:
      'Shared Contacts could not confirm your organisation with Google just now. Try again in a minute.',
    identity_mismatch:
      'Your sign-in does not match your organisation. Sign out of other Google accounts and reopen Shared Contacts.',
    identity_unconfirmed:
      'Shared Contacts could not confirm your organisation. Sign in with your work account and reopen it.',
    external_sharing_unavailable:
      'Sharing outside your organisation is not offered. Keep sharing inside your organisation.',
    own_account: 'That is your own account: Shared Contacts changes it directly.',
    directory_failed:
      'Google’s directory did not answer for your organisation. Try again in a minute; if it persists, ask your admin to check the directory settings.',
    upstream_unavailable: 'Google did not answer just now. Try again in a minute.',
    owner: 'You own this label, so you cannot leave it. To end it for everyone, use Stop sharing.',
    inherited_access:
      'You have this label through a group or your whole domain, so you cannot leave it yourself. Ask its owner to remove you.',
    not_your_label: 'That label is not one of your own contact labels. Reopen Shared Contacts.',
    not_offered: 'This label was not offered to you, or the offer was withdrawn.',
    target_not_participant:
      'That person no longer takes part in this label. Reopen it to see its members.',
    transfer_other_domain: 'Ownership can pass only to someone of your own organisation.',
    transfer_not_participant:
      'Ownership can pass only to a person who is a member in their own name. Share the label with them first.',
    no_copy_group: 'You have no copy of this label yet. Use Sync now, then try again.',
  } as Record<string, string>,

  labelActions: {
    notShared:
      'This label is not shared with you, or its sharing has ended. Reopen Shared Contacts to see your labels.',
    levelTooLow: (label: string, level: Level) =>
      `You may not do that on “${label}”: your level is “${LEVEL_NAMES[level]}”. Ask its owner for a higher level.`,
    left: (label: string) => `You left “${label}”. Its copy is removed at the owner’s next sync.`,
    renamed: (name: string) => `Renamed to “${name}”.`,
    hiddenSaved: (notice: string) => `Hidden fields saved. ${notice}`,
    stopped: (label: string) => `Stopped sharing “${label}”; the copies are gone.`,
    stoppedBackground: (label: string) =>
      `Stopped sharing “${label}”; the copies are being removed in the background.`,
  },

  syncNotes: {
    serviceUnreachable:
      'Our service could not be reached. Nothing was lost; use Sync now to try again.',
    /** A recipient whose copy could not be reached (for those who manage the label). */
    unreachable: (account: string) =>
      `${account}’s copy could not be reached. It is retried at the next sync; if it keeps failing, check that ${account} still has an account, or remove them from the label.`,
    failed: 'A step of the sync did not work. Nothing was lost; it is retried at the next sync.',
    copiesRemoved: 'Copies removed.',
    reverted: (n: number) =>
      `${count(n, 'edit')} by people who may only view the label ${n === 1 ? 'was' : 'were'} undone`,
    conflicts: (n: number) => `${count(n, 'conflicting edit')}: the later one was kept`,
    retried: 'Part of it did not go through; it is retried automatically.',
    removing: 'Removing the copies; this continues automatically.',
    moreToCopy: 'More to copy; this continues automatically.',
    waitsForOwner: (n: number) =>
      `This sync would delete ${count(n, 'contact')} from the label, so it waits for the owner to confirm.`,
    failedRetry: 'The sync did not finish. Nothing was lost; use Sync now to try again.',
    inProgress:
      'Sync in progress: another Shared Contacts window or the hourly sync is syncing your labels right now; it carries on there.',
    reachedUnknown:
      'Our service could not say which accounts hold copies. Nothing was removed yet; the next sync tries again.',
  },
};
