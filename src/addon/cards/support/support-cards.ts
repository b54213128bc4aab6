/**
 * This file defines the support card and its pages: the plain notice for everyone but support
 * staff and tenant admins; for agents the second factor (enrolment, code), their alerts, the
 * session form and their sessions; a session's labels, contacts and repair; and for tenant admins
 * the pending approvals and the access-transparency list. Views take plain data.
 */
import { routerAction } from '../../actions/action-kit';
import type { ActionName } from '../../actions/action-kit';
import type { ContactLine, LabelState, SupportSessionView } from '../../../core/support-contract';
import type { AccessView, Enrolment, SupportMe } from '../../support/support-client';
import { cardHeader, safeText } from '../widgets';

type Card = GoogleAppsScript.Card_Service.Card;
type Section = GoogleAppsScript.Card_Service.CardSection;

/** The notice non-staff see on the support page. */
export const NOT_FOR_YOU = 'This page is for Shared Contacts support staff.';

/** Text made safe for the card's simple HTML (widgets.ts). */
function html(text: string): string {
  return safeText(text);
}

function paragraph(text: string): GoogleAppsScript.Card_Service.TextParagraph {
  return CardService.newTextParagraph().setText(html(text));
}

function button(
  text: string,
  action: ActionName,
  parameters: Record<string, string> = {},
): GoogleAppsScript.Card_Service.TextButton {
  return CardService.newTextButton()
    .setText(text)
    .setOnClickAction(routerAction(action, parameters));
}

/** One button as a section widget (a section takes buttons in a ButtonSet). */
function buttonRow(
  text: string,
  action: ActionName,
  parameters: Record<string, string> = {},
): GoogleAppsScript.Card_Service.ButtonSet {
  return CardService.newButtonSet().addButton(button(text, action, parameters));
}

function input(name: string, title: string, hint?: string, multiline = false) {
  const field = CardService.newTextInput().setFieldName(name).setTitle(title);
  if (hint) field.setHint(hint);
  if (multiline) field.setMultiline(true);
  return field;
}

function card(title: string, sections: Section[], name = 'support'): Card {
  const builder = CardService.newCardBuilder().setName(name).setHeader(cardHeader(title));
  for (const section of sections) builder.addSection(section);
  return builder.build();
}

/** The support page for people who are neither support staff nor admins. */
export function buildNotForYouCard(): Card {
  return card('Support access', [CardService.newCardSection().addWidget(paragraph(NOT_FOR_YOU))]);
}

function factorSection(me: SupportMe): Section {
  const section = CardService.newCardSection().setHeader('Second factor');
  const factor = me.factor ?? { state: 'none', backupCodesLeft: 0, lockedOut: false };
  if (factor.state === 'none') {
    section.addWidget(paragraph('Enrol an authenticator app before you can open sessions.'));
    section.addWidget(buttonRow('Enrol authenticator', 'supportEnrol'));
    return section;
  }
  if (factor.lockedOut) {
    section.addWidget(
      paragraph('Your second factor is locked after too many wrong codes. Ask a security manager.'),
    );
    return section;
  }
  section.addWidget(
    paragraph(
      me.verifiedUntil
        ? `Verified until ${me.verifiedUntil}. ${factor.backupCodesLeft} backup codes left.`
        : factor.state === 'pending'
          ? 'Confirm your enrolment with a first code from the authenticator.'
          : `Enter a code to open sessions. ${factor.backupCodesLeft} backup codes left.`,
    ),
  );
  section.addWidget(input('code', 'Code', '6-digit code, or an 8-digit backup code'));
  section.addWidget(buttonRow('Verify code', 'supportVerify'));
  return section;
}

function alertsSection(me: SupportMe): Section | null {
  const open = me.alerts ?? [];
  if (open.length === 0) return null;
  const section = CardService.newCardSection().setHeader('Your alerts');
  section.addWidget(
    paragraph(
      'An unresolved alert blocks your support access until a security manager resolves it.',
    ),
  );
  for (const alert of open) {
    section.addWidget(
      CardService.newDecoratedText()
        .setTopLabel(`${alert.rule} · ${alert.status}`)
        .setText(html(alert.summary))
        .setWrapText(true),
    );
    if (alert.status === 'open') {
      section.addWidget(input(`justification_${alert.id}`, 'Justification', undefined, true));
      section.addWidget(buttonRow('Justify', 'supportJustify', { alertId: alert.id }));
    }
  }
  return section;
}

function sessionFormSection(): Section {
  return CardService.newCardSection()
    .setHeader('Open a session')
    .addWidget(input('tenant', 'Customer domain', 'e.g. example.com'))
    .addWidget(input('targetUser', 'User', 'their e-mail address'))
    .addWidget(input('ticket', 'Ticket reference'))
    .addWidget(input('justification', 'Justification', undefined, true))
    .addWidget(input('minutes', 'Minutes (at most 60)', 'leave empty for the maximum'))
    .addWidget(
      input(
        'repairJustification',
        'Repair justification',
        'only to re-sync labels; leave empty for read-only',
        true,
      ),
    )
    .addWidget(buttonRow('Open session', 'supportOpenSession'));
}

function sessionLine(session: SupportSessionView): GoogleAppsScript.Card_Service.DecoratedText {
  const line = CardService.newDecoratedText()
    .setTopLabel(`${session.ticket} · ${session.status}${session.repair ? ' · repair' : ''}`)
    .setText(html(session.targetUser))
    .setBottomLabel(html(session.expiresAt ? `until ${session.expiresAt}` : session.createdAt));
  if (session.status === 'open')
    line.setButton(button('Open', 'supportSession', { sessionId: session.id }));
  return line;
}

function adminSections(me: SupportMe, pending: SupportSessionView[]): Section[] {
  if (!me.admin) return [];
  const approvals = CardService.newCardSection().setHeader('Support requests to approve');
  if (pending.length === 0) approvals.addWidget(paragraph('No support session waits for you.'));
  for (const session of pending) {
    approvals.addWidget(
      CardService.newDecoratedText()
        .setTopLabel(`${session.agent} · ticket ${session.ticket}`)
        .setText(html(`${session.targetUser}: ${session.justification}`))
        .setBottomLabel(
          html(
            session.repair
              ? `Repair: ${session.repairJustification ?? ''}`
              : `Read-only, ${session.minutes} min`,
          ),
        )
        .setWrapText(true),
    );
    approvals.addWidget(input(`reason_${session.id}`, 'Reason (to refuse)'));
    approvals.addWidget(
      CardService.newButtonSet()
        .addButton(button('Approve', 'supportApprove', { sessionId: session.id }))
        .addButton(button('Refuse', 'supportRefuse', { sessionId: session.id })),
    );
  }
  const transparency = CardService.newCardSection()
    .setHeader('Access transparency')
    .addWidget(paragraph('Every support session and delegated access to your domain.'))
    .addWidget(buttonRow('Show accesses', 'supportTransparency'));
  return [approvals, transparency];
}

/** The support card: agent sections for agents, admin sections for a tenant's admins. */
export function buildSupportHomeCard(me: SupportMe, pending: SupportSessionView[]): Card {
  const sections: Section[] = [];
  if (me.agent) {
    sections.push(factorSection(me));
    const alerts = alertsSection(me);
    if (alerts) sections.push(alerts);
    if (me.verifiedUntil && !me.blockedByAlert) sections.push(sessionFormSection());
    const sessions = me.sessions ?? [];
    if (sessions.length > 0) {
      const list = CardService.newCardSection().setHeader('Your sessions');
      for (const session of sessions.slice(0, 20)) list.addWidget(sessionLine(session));
      sections.push(list);
    }
  }
  sections.push(...adminSections(me, pending));
  return card('Support access', sections);
}

/** The enrolment page, shown once: URI, grouped secret, QR image, backup codes, first code. */
export function buildEnrolmentCard(enrolment: Enrolment): Card {
  const setup = CardService.newCardSection()
    .setHeader('Add this account to your authenticator')
    .addWidget(CardService.newImage().setImageUrl(enrolment.qrDataUrl).setAltText('QR code'))
    .addWidget(
      CardService.newDecoratedText()
        .setTopLabel('Secret (type it if you cannot scan)')
        .setText(html(enrolment.secretGroups))
        .setWrapText(true),
    )
    .addWidget(
      CardService.newDecoratedText()
        .setTopLabel('otpauth URI')
        .setText(html(enrolment.otpauthUri))
        .setWrapText(true),
    );
  const backup = CardService.newCardSection()
    .setHeader('Backup codes (each works once; keep them offline)')
    .addWidget(paragraph(enrolment.backupCodes.join('  ')));
  const confirm = CardService.newCardSection()
    .setHeader('Confirm')
    .addWidget(input('code', 'First code from the authenticator'))
    .addWidget(buttonRow('Confirm enrolment', 'supportVerify'));
  return card('Enrol your second factor', [setup, backup, confirm], 'support-enrolment');
}

/** A session's page: its terms, the user's labels with their sync state, repair and close. */
export function buildSessionCard(session: SupportSessionView, labels: LabelState[]): Card {
  const terms = CardService.newCardSection()
    .setHeader(html(`${session.targetUser} · ${session.tenant}`))
    .addWidget(
      paragraph(
        `Ticket ${session.ticket} · ${session.repair ? 'repair allowed' : 'read-only'} · until ${session.expiresAt ?? '?'}`,
      ),
    )
    .addWidget(buttonRow('Close session', 'supportCloseSession', { sessionId: session.id }));
  const list = CardService.newCardSection().setHeader('Shared labels');
  if (labels.length === 0) list.addWidget(paragraph('This user takes part in no shared label.'));
  for (const label of labels) {
    const line = CardService.newDecoratedText()
      .setTopLabel(html(`owner ${label.owner}`))
      .setText(html(label.labelName))
      .setBottomLabel(html(label.summary))
      .setWrapText(true);
    if (label.found)
      line.setButton(
        button('Contacts', 'supportLabel', { sessionId: session.id, shareId: label.shareId }),
      );
    list.addWidget(line);
    if (session.repair && label.found)
      list.addWidget(
        buttonRow('Re-sync label', 'supportRepair', {
          sessionId: session.id,
          shareId: label.shareId,
        }),
      );
  }
  return card('Support session', [terms, list], 'support-session');
}

/** A label's contacts in the session user's account, read-only. */
export function buildLabelContactsCard(
  label: string,
  contacts: ContactLine[],
  total: number,
): Card {
  const section = CardService.newCardSection().setHeader(
    html(`${label}: ${total} contacts (read-only)`),
  );
  if (contacts.length === 0) section.addWidget(paragraph('The label holds no contacts.'));
  for (const contact of contacts)
    section.addWidget(
      CardService.newDecoratedText()
        .setText(html(contact.name))
        .setBottomLabel(html(contact.email)),
    );
  if (total > contacts.length)
    section.addWidget(paragraph(`… and ${total - contacts.length} more.`));
  return card('Label contacts', [section], 'support-label');
}

/** The access-transparency list of the admin's domain. */
export function buildTransparencyCard(
  tenant: string,
  sessions: SupportSessionView[],
  accesses: AccessView[],
): Card {
  const sessionSection = CardService.newCardSection().setHeader('Support sessions');
  if (sessions.length === 0) sessionSection.addWidget(paragraph('No support session so far.'));
  for (const session of sessions.slice(0, 50))
    sessionSection.addWidget(
      CardService.newDecoratedText()
        .setTopLabel(html(`${session.createdAt} · ${session.status}`))
        .setText(html(`${session.agent} → ${session.targetUser}`))
        .setBottomLabel(html(`Ticket ${session.ticket}: ${session.justification}`))
        .setWrapText(true),
    );
  const accessSection = CardService.newCardSection().setHeader('Support accesses');
  const shown = accesses.filter((access) => access.type.startsWith('support.access.'));
  if (shown.length === 0) accessSection.addWidget(paragraph('No support access so far.'));
  for (const access of shown.slice(0, 50)) {
    const line = CardService.newDecoratedText()
      .setTopLabel(html(`${access.at} · ${access.type} · ${access.outcome}`))
      .setText(html(`${access.actor} → ${access.target ?? ''}`))
      .setWrapText(true);
    if (access.ticket)
      line.setBottomLabel(html(`Ticket ${access.ticket}: ${access.justification ?? ''}`));
    accessSection.addWidget(line);
  }
  return card(`Access to ${tenant}`, [sessionSection, accessSection], 'support-transparency');
}
