/** This file defines the zod schemas of the share registry's requests: shares, grants and ownership offers. */
import { z } from 'zod';
import { isUserGroupName } from '../../core/footprint';
import { HIDEABLE_FIELDS, LEVELS } from '../../core/sharing-model';
import { domainSchema, emailSchema, text } from '../platform/schemas';

export const levelSchema = z.enum(LEVELS);
export const grantLevelSchema = z.enum(['view', 'edit', 'contribute', 'manage']);

export const shareTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('user'), email: emailSchema }),
  z.strictObject({ kind: z.literal('group'), email: emailSchema }),
  z.strictObject({ kind: z.literal('domain'), domain: domainSchema }),
]);

export const grantSchema = z.strictObject({ target: shareTargetSchema, level: grantLevelSchema });

const hiddenFieldsSchema = z
  .array(z.enum(HIDEABLE_FIELDS))
  .max(HIDEABLE_FIELDS.length)
  .refine((fields) => new Set(fields).size === fields.length, 'must not repeat a field');

/** A user's own label: `contactGroups/<id>`, never a system group (footprint.ts). */
export const labelSchema = text(200).refine(
  isUserGroupName,
  'must be one of your own labels (contactGroups/<id>), not a system group such as myContacts',
);

export const createShareBody = z.strictObject({
  labelResourceName: labelSchema,
  labelName: text(200, 1),
  grants: z.array(grantSchema).max(500).default([]),
  hiddenFields: hiddenFieldsSchema.default([]),
});

export const updateShareBody = z
  .strictObject({
    labelName: text(200, 1).optional(),
    grants: z.array(grantSchema).max(500).optional(),
    hiddenFields: hiddenFieldsSchema.optional(),
  })
  .refine(
    (body) => Object.keys(body).length > 0,
    'name at least one of labelName, grants, hiddenFields',
  );

/** An offer of a share's ownership to one of its person members. */
export const offerTransferBody = z.strictObject({ to: emailSchema });
/** The new owner accepts, naming the label of theirs that becomes the share's. */
export const acceptTransferBody = z.strictObject({ labelResourceName: labelSchema });

export const listSharesQuery = z.strictObject({
  view: z.enum(['mine', 'sharedWithMe', 'participating', 'domain']).default('mine'),
});
