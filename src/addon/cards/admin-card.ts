/**
 * This file defines the admin card: onboarding checks with plain instructions, the domain policy
 * form, labels shared with everyone or a group, all the domain's shares, open alerts, recent
 * audit events and the CSV export of the audit trail.
 */
import type { Share } from '../../core/sharing-model';
import type { AdminOverview, AlertRow, AuditRow } from '../admin/admin-client';
import { LEVEL_NAMES, MSG, count } from '../messages';
import { describeAudience } from './audience';
import {
  actionButton,
  buttons,
  cardHeader,
  dropdown,
  paragraph,
  row,
  section,
  switchRow,
  textField,
} from './widgets';

/** Form field names of the policy form. */
export const POLICY_FORM = {
  whoMayShare: 'whoMayShare',
  maxLevel: 'maxLevel',
  externalSharing: 'externalSharing',
  allowedDomains: 'allowedDomains',
  supportAccess: 'supportAccess',
} as const;

/** What the admin card shows. */
export interface AdminView {
  overview: AdminOverview;
  shares: Share[];
  events: AuditRow[];
  alerts: AlertRow[];
}

/** Rows per list of the admin card. */
export const ADMIN_ROWS = 25;

const SHORT_SCOPES: Record<string, string> = {
  'https://www.googleapis.com/auth/contacts': 'contacts',
  'https://www.googleapis.com/auth/admin.directory.user.readonly': 'admin.directory.user.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.readonly':
    'admin.directory.group.readonly',
};

function check(ok: boolean | null, text: string) {
  return row(text, { top: ok === null ? '?' : ok ? '✓' : '✗' });
}

function checksSection(overview: AdminOverview) {
  const missing = overview.delegation.filter((entry) => !entry.granted);
  const built = section(
    MSG.admin.checks,
    check(true, MSG.admin.backendOk),
    check(
      missing.length === 0,
      missing.length === 0
        ? MSG.admin.delegationOk
        : MSG.admin.delegationMissing(
            missing.map((entry) => SHORT_SCOPES[entry.scope] ?? entry.scope),
            overview.serviceAccount,
          ),
    ),
    check(null, MSG.admin.installUnknown(overview.activeUsers30d)),
  );
  if (!overview.directoryAdmin) built.addWidget(check(false, MSG.admin.directoryAdminMissing));
  built.addWidget(
    check(
      overview.chain.ok,
      overview.chain.ok
        ? MSG.admin.chainOk(overview.chain.checked ?? 0)
        : MSG.admin.chainBroken(overview.chain.brokenAt ?? 0),
    ),
  );
  return built;
}

function policySection(overview: AdminOverview) {
  const policy = overview.policy;
  const external = switchRow(
    MSG.admin.external,
    POLICY_FORM.externalSharing,
    policy.externalSharing,
  );
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
    external,
    textField(
      POLICY_FORM.allowedDomains,
      MSG.admin.allowedDomains,
      MSG.admin.allowedDomainsHint,
      policy.allowedExternalDomains.join(', '),
    ),
    dropdown(
      POLICY_FORM.supportAccess,
      MSG.admin.supportAccess,
      [
        ['allowed', MSG.admin.supportAllowed],
        ['approval_required', MSG.admin.supportApproval],
        ['disabled', MSG.admin.supportDisabled],
      ],
      policy.supportAccess,
    ),
    buttons(actionButton(MSG.admin.save, 'savePolicy', {}, true)),
  );
}

function shareRow(share: Share) {
  return row(share.labelName, {
    top: share.owner,
    bottom: MSG.home.sharedWith(describeAudience(share.grants.map((grant) => grant.target))),
  });
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
    all.addWidget(paragraph(MSG.home.more(view.shares.length - ADMIN_ROWS)));

  const alerts = section(MSG.admin.alerts);
  if (view.alerts.length === 0) alerts.addWidget(paragraph(MSG.admin.noAlerts));
  for (const alert of view.alerts.slice(0, ADMIN_ROWS))
    alerts.addWidget(row(alert.rule, { top: alert.status, bottom: alert.actor }));

  const audit = section(MSG.admin.audit);
  if (view.events.length === 0) audit.addWidget(paragraph(MSG.admin.noAudit));
  for (const event of view.events.slice(0, ADMIN_ROWS))
    audit.addWidget(
      row(event.type, {
        top: `${event.receivedAt.slice(0, 16).replace('T', ' ')} UTC · ${event.outcome}`,
        bottom: `${event.actor}${event.target ? ` → ${event.target}` : ''}`,
      }),
    );
  audit.addWidget(buttons(actionButton(MSG.admin.export, 'exportAudit')));

  return CardService.newCardBuilder()
    .setName('admin')
    .setHeader(
      cardHeader(
        MSG.admin.title,
        `${view.overview.domain} · ${count(view.shares.length, 'shared label')}`,
      ),
    )
    .addSection(checksSection(view.overview))
    .addSection(policySection(view.overview))
    .addSection(forEveryone)
    .addSection(all)
    .addSection(alerts)
    .addSection(audit)
    .build();
}

/** Builds the card showing the audit export for copying. */
export function buildAuditExportCard(exported: {
  filename: string;
  rows: number;
  truncated: boolean;
  csv: string;
}): GoogleAppsScript.Card_Service.Card {
  return CardService.newCardBuilder()
    .setName('auditExport')
    .setHeader(cardHeader(MSG.admin.exportTitle, exported.filename))
    .addSection(
      section(
        null,
        paragraph(MSG.admin.exportHint(exported.rows, exported.truncated)),
        CardService.newTextInput()
          .setFieldName('csv')
          .setTitle(exported.filename)
          .setMultiline(true)
          .setValue(exported.csv),
      ),
    )
    .build();
}
