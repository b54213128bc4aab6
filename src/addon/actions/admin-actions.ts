/**
 * This file defines the admin card's actions: opening it (the backend decides who is an admin,
 * and shows the onboarding checks alone to a user it cannot check), saving the policy and the
 * support choice, opening and revoking a share, handing a person's labels over, the activity
 * filter, and the audit trail's download through a short-lived signed link.
 */
import {
  AdminClient,
  type ActivityFilter,
  type AdminOverview,
  type TenantPolicy,
} from '../admin/admin-client';
import { BackendError } from '../backend-client';
import {
  ADMIN_FORM,
  ADMIN_ROWS,
  buildActivityCard,
  buildAdminCard,
  buildAdminRevokeConfirmCard,
  buildAdminShareCard,
  buildAdminSharesCard,
  buildHandOverConfirmCard,
  buildOnboardingOnlyCard,
  POLICY_FORM,
} from '../cards/admin-card';
import { MSG } from '../messages';
import {
  formValue,
  popCard,
  pushCard,
  requireParameter,
  updateCard,
  UserFacingError,
} from './action-kit';
import type { ActionContext, ActionResponse, ActionTable, AddonEvent, Card } from './action-kit';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const KINDS: readonly ActivityFilter['kind'][] = ['all', 'sharing', 'policy', 'support', 'admin'];
const SUPPORT_ACCESS: readonly TenantPolicy['supportAccess'][] = [
  'allowed',
  'approval_required',
  'disabled',
];

function client(context: ActionContext): AdminClient {
  return new AdminClient(context.addon.backend);
}

/** The overview, with the backend's refusals and failures said in words. */
function readOverview(admin: AdminClient) {
  try {
    return admin.overview();
  } catch (error) {
    if (error instanceof BackendError && error.status === 403)
      throw new UserFacingError(MSG.admin.onlyAdmins);
    // IAM signJwt needs Token Creator on the service account even to sign as itself (FACTS.md).
    if (error instanceof BackendError && error.code === 'signing_failed')
      throw new UserFacingError(MSG.admin.brokerCannotSign);
    if (error instanceof BackendError && error.status >= 500)
      throw new UserFacingError(MSG.adminCard.couldNotCheck);
    throw error;
  }
}

/** The overview of a verified admin; a stale button of anyone else. */
function adminOverview(admin: AdminClient): AdminOverview {
  const overview = readOverview(admin);
  if (!overview.adminVerified) throw new UserFacingError(MSG.admin.onlyAdmins);
  return overview;
}

function adminCard(admin: AdminClient, overview = adminOverview(admin)): Card {
  return buildAdminCard({
    overview,
    shares: admin.shares(),
    activity: admin.activity({ kind: 'all' }, ADMIN_ROWS),
    alerts: admin.alerts(),
  });
}

/** Goes back to the admin card, shown afresh, with a notification. */
function backToAdmin(admin: AdminClient, text: string): ActionResponse {
  return CardService.newActionResponseBuilder()
    .setNavigation(CardService.newNavigation().popToNamedCard('admin').updateCard(adminCard(admin)))
    .setNotification(CardService.newNotification().setText(text))
    .build();
}

function openAdmin(_event: AddonEvent, context: ActionContext): ActionResponse {
  const admin = client(context);
  const overview = readOverview(admin);
  if (!overview.adminVerified) return pushCard(buildOnboardingOnlyCard(overview));
  return pushCard(adminCard(admin, overview));
}

function chosen<T extends string>(value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UserFacingError(MSG.staleButton);
  return value as T;
}

function savePolicy(event: AddonEvent, context: ActionContext): ActionResponse {
  const admin = client(context);
  const overview = adminOverview(admin);
  const policy: TenantPolicy = {
    ...overview.policy,
    whoMayShare: chosen(formValue(event, POLICY_FORM.whoMayShare), ['everyone', 'admins'] as const),
    maxLevel: chosen(formValue(event, POLICY_FORM.maxLevel), [
      'view',
      'edit',
      'contribute',
      'manage',
    ] as const),
    // Sharing stays inside the organisation (issue 13): the backend refuses anything else.
    externalSharing: false,
    allowedExternalDomains: [],
    supportAccess: chosen(formValue(event, POLICY_FORM.supportAccess), SUPPORT_ACCESS),
  };
  admin.savePolicy(overview.domain, policy);
  return updateCard(adminCard(admin), MSG.admin.saved);
}

function saveSupportChoice(event: AddonEvent, context: ActionContext): ActionResponse {
  const admin = client(context);
  const overview = adminOverview(admin);
  admin.savePolicy(overview.domain, {
    ...overview.policy,
    externalSharing: false,
    allowedExternalDomains: [],
    supportAccess: chosen(formValue(event, ADMIN_FORM.supportChoice), SUPPORT_ACCESS),
  });
  return updateCard(adminCard(admin), MSG.adminCard.supportChosen);
}

function openAdminShare(event: AddonEvent, context: ActionContext): ActionResponse {
  return pushCard(buildAdminShareCard(client(context).share(requireParameter(event, 'shareId'))));
}

function openAdminShares(event: AddonEvent, context: ActionContext): ActionResponse {
  const page = Number(event.commonEventObject.parameters?.page ?? '0');
  if (!Number.isInteger(page) || page < 0) throw new UserFacingError(MSG.staleButton);
  const card = buildAdminSharesCard(client(context).shares(), page);
  return page === 0 ? pushCard(card) : updateCard(card);
}

function confirmAdminRevoke(event: AddonEvent, context: ActionContext): ActionResponse {
  return pushCard(
    buildAdminRevokeConfirmCard(client(context).share(requireParameter(event, 'shareId'))),
  );
}

function adminRevoke(event: AddonEvent, context: ActionContext): ActionResponse {
  const admin = client(context);
  const share = admin.share(requireParameter(event, 'shareId'));
  admin.revokeShare(share.id);
  return backToAdmin(admin, MSG.adminCard.stopped(share.labelName));
}

function address(event: AddonEvent, field: string): string {
  const value = formValue(event, field).trim().toLowerCase();
  if (!EMAIL.test(value)) throw new UserFacingError(MSG.adminCard.handOverNeeds);
  return value;
}

function confirmHandOver(event: AddonEvent, context: ActionContext): ActionResponse {
  const from = address(event, ADMIN_FORM.leaver);
  const to = address(event, ADMIN_FORM.colleague);
  const labels = client(context)
    .shares()
    .filter((share) => share.owner.toLowerCase() === from)
    .map((share) => share.labelName);
  return pushCard(buildHandOverConfirmCard(from, to, labels));
}

function adminHandOver(event: AddonEvent, context: ActionContext): ActionResponse {
  const admin = client(context);
  const to = requireParameter(event, 'to');
  const handed = admin.handOver(requireParameter(event, 'from'), to);
  return backToAdmin(admin, MSG.adminCard.handedOver(handed.offered, to));
}

function activityFilter(event: AddonEvent): ActivityFilter {
  const person = formValue(event, ADMIN_FORM.person).trim().toLowerCase();
  if (person !== '' && !EMAIL.test(person)) throw new UserFacingError(MSG.adminCard.person);
  const kind = formValue(event, ADMIN_FORM.kind) || 'all';
  return { ...(person ? { person } : {}), kind: chosen(kind, KINDS) };
}

function openAdminActivity(_event: AddonEvent, context: ActionContext): ActionResponse {
  const filter: ActivityFilter = { kind: 'all' };
  return pushCard(buildActivityCard(client(context).activity(filter, ADMIN_ROWS), filter));
}

function filterAdminActivity(event: AddonEvent, context: ActionContext): ActionResponse {
  const filter = activityFilter(event);
  return updateCard(buildActivityCard(client(context).activity(filter, ADMIN_ROWS), filter));
}

function exportAudit(_event: AddonEvent, context: ActionContext): ActionResponse {
  const url = client(context).auditDownloadUrl();
  return CardService.newActionResponseBuilder()
    .setOpenLink(CardService.newOpenLink().setUrl(url))
    .setNotification(CardService.newNotification().setText(MSG.adminCard.downloadStarted))
    .build();
}

/** The admin card's actions by name. */
export const adminActions = {
  openAdmin,
  savePolicy,
  saveSupportChoice,
  openAdminShare,
  openAdminShares,
  confirmAdminRevoke,
  adminRevoke,
  confirmHandOver,
  adminHandOver,
  openAdminActivity,
  filterAdminActivity,
  exportAudit,
  adminBack: () => popCard(),
} satisfies ActionTable;
