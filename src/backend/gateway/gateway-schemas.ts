/**
 * This file defines the zod schemas of the share gateway's requests, typed against the wire
 * contract in src/core/gateway-contract.ts: a person's synced fields as plain JSON two levels
 * deep, resource names of people and contact groups, and the sync engine's writes.
 */
import { z } from 'zod';
import { SYNCED_FIELDS, type SyncedField } from '../../core/contact-model';
import type {
  GatewayListContactsRequest,
  GatewayListGroupsRequest,
  GatewayWriteRequest,
} from '../../core/gateway-contract';
import { emailSchema, text } from '../platform/schemas';

const primitive = z.union([text(8192), z.number().finite(), z.boolean(), z.null()]);
const fieldValue = z.record(
  text(64),
  z.union([primitive, z.record(text(64), primitive), z.array(primitive).max(50)]),
);
const fieldValues = z.strictObject(
  Object.fromEntries(
    SYNCED_FIELDS.map((field) => [field, z.array(fieldValue).max(100).optional()]),
  ) as Record<SyncedField, z.ZodOptional<z.ZodArray<typeof fieldValue>>>,
);
const clientDataEntry = z.strictObject({ key: text(200), value: text(1000) });
const personName = text(200).regex(/^people\/[A-Za-z0-9_-]{1,190}$/, 'must be people/<id>');
const groupName = text(200).regex(
  /^contactGroups\/[A-Za-z0-9_-]{1,180}$/,
  'must be contactGroups/<id>',
);
const syncedField = z.enum(SYNCED_FIELDS);

const newContact = z.strictObject({
  fields: fieldValues,
  memberships: z.array(groupName).max(10),
  clientData: z.array(clientDataEntry).max(10),
});

const contactUpdate = z.strictObject({
  resourceName: personName,
  etag: text(500),
  fields: fieldValues,
  mask: z.array(syncedField).max(SYNCED_FIELDS.length),
  clientData: z.array(clientDataEntry).max(50).optional(),
  memberships: z.array(groupName).max(200).optional(),
});

/** The most contacts one write names: the People API's batch limits (FACTS.md). */
const MAX_BATCH = 200;
const MAX_DELETE_BATCH = 500;

const accountWrite = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('createGroup'),
    name: text(200, 1),
    clientData: z.array(clientDataEntry).max(10),
  }),
  z.strictObject({ kind: z.literal('deleteGroup'), resourceName: groupName }),
  z.strictObject({
    kind: z.literal('createContacts'),
    contacts: z.array(newContact).min(1).max(MAX_BATCH),
  }),
  z.strictObject({
    kind: z.literal('updateContacts'),
    updates: z.array(contactUpdate).min(1).max(MAX_BATCH),
  }),
  z.strictObject({
    kind: z.literal('deleteContacts'),
    resourceNames: z.array(personName).min(1).max(MAX_DELETE_BATCH),
  }),
]);

/** The most people one listing may ask the gateway to look for: an account's contacts at most. */
export const MAX_MATCH = 25_000;

const matchDescriptor = z.strictObject({
  emails: z.array(text(320)).max(20),
  phones: z.array(text(64)).max(20),
});

export const listContactsBody = z.strictObject({
  account: emailSchema,
  pageToken: text(2000, 1).optional(),
  syncToken: text(4000, 1).optional(),
  match: z.array(matchDescriptor).max(MAX_MATCH).optional(),
  requestSyncToken: z.boolean().optional(),
}) satisfies z.ZodType<GatewayListContactsRequest>;

export const listGroupsBody = z.strictObject({
  account: emailSchema,
}) satisfies z.ZodType<GatewayListGroupsRequest>;

export const writeBody = z.strictObject({
  account: emailSchema,
  write: accountWrite,
}) satisfies z.ZodType<GatewayWriteRequest>;
