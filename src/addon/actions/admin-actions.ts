/**
 * This file defines the admin card's actions: opening it (the backend decides who is an admin),
 * saving the domain policy and exporting the audit trail.
 */
import { AdminClient, type TenantPolicy } from '../admin/admin-client';
import { BackendError } from '../backend-client';
import { buildAdminCard, buildAuditExportCard, POLICY_FORM } from '../cards/admin-card';
import { addonContext } from '../context';
import { MSG } from '../messages';
import {
  formValue,
  formValues,
  pushCard,
  updateCard,
  UserFacingError,
  type ActionTable,
} from './action-kit';

type AddonEvent = GoogleAppsScript.Addons.EventObject;
type ActionResponse = GoogleAppsScript.Card_Service.ActionResponse;

const DOMAIN = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
/** At most this many recent events on the card. */
const RECENT_EVENTS = 20;

function client(): AdminClient {
  return new AdminClient(addonContext().backend);
}

function adminCard(admin: AdminClient): GoogleAppsScript.Card_Service.Card {
  let overview;
  try {
    overview = admin.overview();
  } catch (error) {
    if (error instanceof BackendError && error.status === 403)
      throw new UserFacingError(MSG.admin.onlyAdmins);
    // IAM signJwt needs Token Creator on the service account even to sign as itself (FACTS.md).
    if (error instanceof BackendError && error.code === 'signing_failed')
      throw new UserFacingError(MSG.admin.brokerCannotSign);
    throw error;
  }
  return buildAdminCard({
    overview,
    shares: admin.shares(),
    events: admin.recentEvents(RECENT_EVENTS),
    alerts: admin.alerts(),
  });
}

function openAdmin(_event: AddonEvent): ActionResponse {
  return pushCard(adminCard(client()));
}

function savePolicy(event: AddonEvent): ActionResponse {
  const admin = client();
  const overview = admin.overview();
  const whoMayShare = formValue(event, POLICY_FORM.whoMayShare);
  const maxLevel = formValue(event, POLICY_FORM.maxLevel);
  const supportAccess = formValue(event, POLICY_FORM.supportAccess);
  const domains = formValue(event, POLICY_FORM.allowedDomains)
    .split(/[\s,;]+/)
    .map((domain) => domain.trim().toLowerCase())
    .filter((domain) => domain !== '');
  const bad = domains.find((domain) => !DOMAIN.test(domain));
  if (bad) throw new UserFacingError(MSG.admin.badDomain(bad));
  if (
    !['everyone', 'admins'].includes(whoMayShare) ||
    !['view', 'edit', 'contribute', 'manage'].includes(maxLevel) ||
    !['allowed', 'approval_required', 'disabled'].includes(supportAccess)
  )
    throw new UserFacingError(MSG.staleButton);
  const policy: TenantPolicy = {
    ...overview.policy,
    whoMayShare: whoMayShare as TenantPolicy['whoMayShare'],
    maxLevel: maxLevel as TenantPolicy['maxLevel'],
    externalSharing: formValues(event, POLICY_FORM.externalSharing).includes('on'),
    allowedExternalDomains: [...new Set(domains)],
    supportAccess: supportAccess as TenantPolicy['supportAccess'],
  };
  admin.savePolicy(overview.domain, policy);
  return updateCard(adminCard(admin), MSG.admin.saved);
}

function exportAudit(_event: AddonEvent): ActionResponse {
  return pushCard(buildAuditExportCard(client().exportAudit()));
}

/** The admin card's actions by name. */
export const adminActions: ActionTable = { openAdmin, savePolicy, exportAudit };
