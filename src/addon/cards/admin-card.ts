/**
 * This file defines the admin cards: the onboarding checks alone (for a caller whose adminship
 * Google will not confirm yet), the admin card (checks with plain instructions and the support
 * question, the organisation's domains, the policy form, labels for everyone, every share,
 * handing a person's labels over, alerts and recent activity in words), one share with Stop
 * sharing, and the confirmations and activity filter it leads to.
 */
import type { Share } from '../../core/sharing-model';
import type {
  ActivityFilter,
  ActivityRow,
  AdminOverview,
  AlertRow,
  DelegationCheck,
  OnboardingOnly,
} from '../admin/admin-client';
import { LEVEL_NAMES, MSG, count } from '../messages';
import { routerAction } from '../actions/action-kit';
import { activityInWords } from './activity-words';
import { describeAudience } from './audience';
import {
  actionButton,
  buttons,
  cardHeader,
  dropdown,
  paragraph,
  row,
  section,
  textField,
} from './widgets';

/** Form field names of the policy form. */
export const POLICY_FORM = {
  whoMayShare: 'whoMayShare',
  maxLevel: 'maxLevel',
  supportAccess: 'supportAccess',
} as const;

/** Form field names of the hand-over form and the activity filter. */
export const ADMIN_FORM = {
  leaver: 'leaver',
  colleague: 'colleague',
  person: 'person',
  kind: 'kind',
  supportChoice: 'supportChoice',
} as const;

/** What the admin card shows. */
export interface AdminView {
  overview: AdminOverview;
  shares: Share[];
  activity: ActivityRow[];
  alerts: AlertRow[];
}

/** Rows per list of the admin card. */
export const ADMIN_ROWS = 25;
/** Rows of activity on the admin card itself (the activity card shows more). */
export const ADMIN_ACTIVITY_ROWS = 10;

const SCOPE_PREFIX = 'https://www.googleapis.com/auth/';
const shortScope = (scope: string): string =>
  scope.startsWith(SCOPE_PREFIX) ? scope.slice(SCOPE_PREFIX.length) : scope;

function check(ok: boolean | null, text: string) {
  return row(text, { top: ok === null ? '?' : ok ? '✓' : '✗' });
}

const SUPPORT_CHOICES = (): [string, string][] => [
  ['allowed', MSG.admin.supportAllowed],
  ['approval_required', MSG.admin.supportApproval],
  ['disabled', MSG.admin.supportDisabled],
];

/** One row per scope, then the steps that grant the missing ones. */
function delegationWidgets(delegation: DelegationCheck[], serviceAccount: string) {
  if (delegation.some((entry) => entry.cause === 'clock'))
    return [check(false, MSG.adminCard.clockProblem)];
  const missing = delegation.filter((entry) => !entry.granted);
  const widgets: GoogleAppsScript.Card_Service.Widget[] = delegation.map((entry) =>
    check(
      entry.granted,
      entry.granted
        ? MSG.adminCard.scopeGranted(shortScope(entry.scope))
        : MSG.adminCard.scopeMissing(shortScope(entry.scope)),
    ),
  );
  if (missing.length > 0)
    widgets.push(
      paragraph(
        MSG.adminCard.grantSteps(
          serviceAccount,
          missing.map((entry) => entry.scope),
        ),
      ),
    );
  return widgets;
}

function card(name: string, title: string, subtitle?: string) {
  return CardService.newCardBuilder().setName(name).setHeader(cardHeader(title, subtitle));
}

/**
 * The onboarding checks alone: for a user whose adminship cannot be checked because Google
 * refuses to answer in their name. It shows which grant is missing and how to grant it, and
 * nothing of the organisation.
 */
export function buildOnboardingOnlyCard(view: OnboardingOnly): GoogleAppsScript.Card_Service.Card {
  return card('adminOnboarding', MSG.admin.title, view.domain)
    .addSection(
      section(
        MSG.admin.checks,
        paragraph(MSG.adminCard.unverified(view.domain)),
        check(true, MSG.admin.backendOk),
        ...delegationWidgets(view.delegation, view.serviceAccount),
      ),
    )
    .build();
}

function checksSection(overview: AdminOverview) {
  const missing = overview.delegation.filter((entry) => !entry.granted);
  const built = section(MSG.admin.checks, check(true, MSG.admin.backendOk));
  if (missing.length === 0) built.addWidget(check(true, MSG.admin.delegationOk));
  else
    for (const widget of delegationWidgets(overview.delegation, overview.serviceAccount))
      built.addWidget(widget);
  built.addWidget(check(null, MSG.admin.installUnknown(overview.activeUsers30d)));
  built.addWidget(
    check(
      overview.chain.ok,
      overview.chain.ok
        ? MSG.admin.chainOk(overview.chain.checked ?? 0)
        : MSG.admin.chainBroken(overview.chain.brokenAt ?? 0),
    ),
  );
  if (!overview.policyChosen) {
    built.addWidget(check(null, MSG.adminCard.supportQuestion));
    built.addWidget(
      dropdown(
        ADMIN_FORM.supportChoice,
        MSG.admin.supportAccess,
        SUPPORT_CHOICES(),
        overview.policy.supportAccess,
      ),
    );
    built.addWidget(
      buttons(actionButton(MSG.adminCard.saveSupport, 'saveSupportChoice', {}, true)),
    );
  }
  return built;
}

function organisationSection(overview: AdminOverview) {
  const usable = overview.directoryAdmins.usable;
  return section(
    MSG.adminCard.organisation,
    paragraph(MSG.adminCard.domains(overview.domains)),
    usable === 0
      ? check(false, MSG.adminCard.noDirectoryAdmin)
      : check(true, MSG.adminCard.directoryAdmins(usable)),
  );
}

function policySection(overview: AdminOverview) {
  const policy = overview.policy;
  return section(
    MSG.admin.policy,
    dropdown(
      POLICY_FORM.whoMayShare,
      MSG.admin.whoMayShare,
      [
        ['everyone', MSG.admin.everyone],
        ['admins', MSG.admin.admins],
      ],
      policy.whoMayShare,
    ),
    dropdown(
      POLICY_FORM.maxLevel,
      MSG.admin.maxLevel,
      (['view', 'edit', 'contribute', 'manage'] as const).map((level) => [
        level,
        LEVEL_NAMES[level],
      ]),
      policy.maxLevel,
    ),
    dropdown(
      POLICY_FORM.supportAccess,
      MSG.admin.supportAccess,
      SUPPORT_CHOICES(),
      policy.supportAccess,
    ),
    buttons(actionButton(MSG.admin.save, 'savePolicy', {}, true)),
  );
}

function shareRow(share: Share) {
  return row(share.labelName, {
    top: share.owner,
    bottom: MSG.home.sharedWith(describeAudience(share.grants.map((grant) => grant.target))),
    onClick: routerAction('openAdminShare', { shareId: share.id }),
  });
}

function activityRow(event: ActivityRow) {
  return row(activityInWords(event), { top: MSG.activity.when(event.receivedAt) });
}

function offboardingSection() {
  return section(
    MSG.adminCard.offboarding,
    paragraph(MSG.adminCard.offboardingHint),
    textField(ADMIN_FORM.leaver, MSG.adminCard.leaver),
    textField(ADMIN_FORM.colleague, MSG.adminCard.colleague),
    buttons(actionButton(MSG.adminCard.handOver, 'confirmHandOver')),
  );
}

/** Builds the admin card. */
export function buildAdminCard(view: AdminView): GoogleAppsScript.Card_Service.Card {
  const everyone = view.shares.filter((share) =>
    share.grants.some((grant) => grant.target.kind !== 'user'),
  );
  const forEveryone = section(MSG.admin.everyoneLabels, paragraph(MSG.admin.everyoneHint));
  if (everyone.length === 0) forEveryone.addWidget(paragraph(MSG.admin.noEveryoneLabels));
  for (const share of everyone.slice(0, ADMIN_ROWS)) forEveryone.addWidget(shareRow(share));

  const all = section(`${MSG.admin.shares} (${view.shares.length})`);
  if (view.shares.length === 0) all.addWidget(paragraph(MSG.admin.noShares));
  for (const share of view.shares.slice(0, ADMIN_ROWS)) all.addWidget(shareRow(share));
  if (view.shares.length > ADMIN_ROWS)
    all.addWidget(
      buttons(actionButton(MSG.adminCard.allShares(view.shares.length), 'openAdminShares')),
    );

  const alerts = section(MSG.admin.alerts);
  if (view.alerts.length === 0) alerts.addWidget(paragraph(MSG.admin.noAlerts));
  for (const alert of view.alerts.slice(0, ADMIN_ROWS))
    alerts.addWidget(row(alert.rule, { top: alert.status, bottom: alert.actor }));

  const activity = section(MSG.adminCard.activity);
  if (view.activity.length === 0) activity.addWidget(paragraph(MSG.admin.noAudit));
  for (const event of view.activity.slice(0, ADMIN_ACTIVITY_ROWS))
    activity.addWidget(activityRow(event));
  activity.addWidget(
    buttons(
      actionButton(MSG.adminCard.activityAll, 'openAdminActivity'),
      actionButton(MSG.adminCard.download, 'exportAudit'),
    ),
  );

  return card(
    'admin',
    MSG.admin.title,
    `${view.overview.domain} · ${count(view.shares.length, 'shared label')}`,
  )
    .addSection(checksSection(view.overview))
    .addSection(organisationSection(view.overview))
    .addSection(policySection(view.overview))
    .addSection(forEveryone)
    .addSection(all)
    .addSection(offboardingSection())
    .addSection(alerts)
    .addSection(activity)
    .build();
}

/** Every share of the organisation, a page of ADMIN_ROWS at a time (`page` from 0). */
export function buildAdminSharesCard(
  shares: Share[],
  page: number,
): GoogleAppsScript.Card_Service.Card {
  const list = section(null);
  for (const share of shares.slice(page * ADMIN_ROWS, (page + 1) * ADMIN_ROWS))
    list.addWidget(shareRow(share));
  if ((page + 1) * ADMIN_ROWS < shares.length)
    list.addWidget(
      buttons(
        actionButton(MSG.adminCard.nextShares, 'openAdminShares', { page: String(page + 1) }),
      ),
    );
  return card(
    'adminShares',
    MSG.admin.shares,
    MSG.adminCard.sharesPage(
      page * ADMIN_ROWS + 1,
      Math.min((page + 1) * ADMIN_ROWS, shares.length),
      shares.length,
    ),
  )
    .addSection(list)
    .build();
}

/** One share as an admin sees it: owner, who has it at which level, and Stop sharing. */
export function buildAdminShareCard(share: Share): GoogleAppsScript.Card_Service.Card {
  const members = section(null, paragraph(MSG.adminCard.share(share.owner)));
  for (const grant of share.grants)
    members.addWidget(
      row(MSG.adminCard.shareGrant(describeAudience([grant.target]), LEVEL_NAMES[grant.level])),
    );
  if (share.offeredTo) members.addWidget(paragraph(MSG.adminCard.offeredTo(share.offeredTo)));
  members.addWidget(
    buttons(actionButton(MSG.adminCard.stopSharing, 'confirmAdminRevoke', { shareId: share.id })),
  );
  return card('adminShare', share.labelName, share.owner).addSection(members).build();
}

/** Asks before an admin stops sharing a label, saying who loses their copies. */
export function buildAdminRevokeConfirmCard(share: Share): GoogleAppsScript.Card_Service.Card {
  const people = describeAudience(share.grants.map((grant) => grant.target));
  return card('adminRevoke', MSG.adminCard.stopSharing, share.labelName)
    .addSection(
      section(
        null,
        paragraph(MSG.adminCard.stopConfirm(share.labelName, people)),
        buttons(
          actionButton(MSG.adminCard.confirmStop, 'adminRevoke', { shareId: share.id }, true),
          actionButton(MSG.adminCard.cancel, 'adminBack'),
        ),
      ),
    )
    .build();
}

/** Asks before a person's labels are handed over, naming them. */
export function buildHandOverConfirmCard(
  from: string,
  to: string,
  labels: string[],
): GoogleAppsScript.Card_Service.Card {
  const actions =
    labels.length === 0
      ? buttons(actionButton(MSG.adminCard.cancel, 'adminBack'))
      : buttons(
          actionButton(MSG.adminCard.confirmHandOver, 'adminHandOver', { from, to }, true),
          actionButton(MSG.adminCard.cancel, 'adminBack'),
        );
  return card('adminHandOver', MSG.adminCard.handOver, from)
    .addSection(section(null, paragraph(MSG.adminCard.handOverConfirm(from, to, labels)), actions))
    .build();
}

/** The organisation's recent activity in words, with the person and kind filter. */
export function buildActivityCard(
  rows: ActivityRow[],
  filter: ActivityFilter,
): GoogleAppsScript.Card_Service.Card {
  const kinds = (['all', 'sharing', 'policy', 'support', 'admin'] as const).map(
    (kind): [string, string] => [kind, MSG.adminCard.kinds[kind] ?? kind],
  );
  const form = section(
    null,
    textField(ADMIN_FORM.person, MSG.adminCard.person, '', filter.person ?? ''),
    dropdown(ADMIN_FORM.kind, MSG.adminCard.kind, kinds, filter.kind),
    buttons(actionButton(MSG.adminCard.filter, 'filterAdminActivity')),
  );
  const list = section(null);
  if (rows.length === 0) list.addWidget(paragraph(MSG.adminCard.noActivity));
  for (const event of rows) list.addWidget(activityRow(event));
  return card('adminActivity', MSG.adminCard.activity).addSection(form).addSection(list).build();
}
