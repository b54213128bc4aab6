/**
 * This file defines the contract suite of the backend's stores over the Database port
 * (src/backend/db.ts): the share registry, alerts, customers and support sessions must behave the
 * same on every database the backend runs on, transactions included.
 */
import type { Share } from '../../src/core/sharing-model';
import type { Database } from '../../src/backend/platform/db';
import { alerts } from '../../src/backend/rules/alert-store';
import { shares } from '../../src/backend/shares/share-store';
import { supportSessions, type NewSession } from '../../src/backend/support/support-store';
import { customerStore } from '../../src/backend/tenants/customer-store';

/** An open database with the migrations applied, and how to close and discard it. */
export interface OpenedDatabase {
  db: Database;
  close(): Promise<void>;
}

const AT = '2026-03-02T09:00:00.000Z';
const LATER = '2026-03-02T09:05:00.000Z';

let tenants = 0;
/** A tenant domain no other test of the run uses, so that tests sharing a database stay apart. */
function freshTenant(): string {
  tenants += 1;
  return `t${tenants}-${process.pid}.example`;
}

function newShare(
  domain: string,
  owner = `owner@${domain}`,
): Omit<Share, 'id' | 'createdAt' | 'updatedAt'> {
  return {
    domain,
    owner,
    labelResourceName: `contactGroups/${owner.split('@')[0]}`,
    labelName: 'Clients — Zoë’s 😀',
    grants: [{ target: { kind: 'user', email: `ann@${domain}` }, level: 'view' }],
    hiddenFields: ['birthdays'],
    offeredTo: null,
    formerOwner: null,
    formerLabel: null,
  };
}

function newSession(tenant: string, overrides: Partial<NewSession> = {}): NewSession {
  return {
    agent: 'agent@vendor.example',
    tenant,
    targetUser: `ann@${tenant}`,
    ticket: 'SUP-1',
    justification: 'The user cannot see a shared label.',
    repairJustification: null,
    minutes: 30,
    status: 'pending',
    ...overrides,
  };
}

/**
 * Declares the stores' contract on one database. `open` runs in beforeAll and gives a migrated
 * database; its `close` runs in afterAll.
 */
export function describeBackendStores(name: string, open: () => Promise<OpenedDatabase>): void {
  describe(`backend stores contract: ${name}`, () => {
    let opened: OpenedDatabase;
    let db: Database;
    beforeAll(async () => {
      opened = await open();
      db = opened.db;
    });
    afterAll(() => opened.close());

    describe('the share registry', () => {
      it('reads back a created share as it was given, and null for an unknown id', async () => {
        const domain = freshTenant();
        const created = await shares.create(db, newShare(domain), AT);
        expect(created).toMatchObject({ ...newShare(domain), createdAt: AT, updatedAt: AT });
        expect(await shares.get(db, created.id)).toEqual(created);
        expect(await shares.get(db, '00000000-0000-0000-0000-000000000000')).toBeNull();
      });

      it('updates the name, grants and hidden fields, and nothing else', async () => {
        const domain = freshTenant();
        const created = await shares.create(db, newShare(domain), AT);
        const changed: Share = {
          ...created,
          owner: `intruder@${domain}`,
          labelName: 'Renamed',
          grants: [{ target: { kind: 'domain', domain }, level: 'edit' }],
          hiddenFields: [],
          updatedAt: LATER,
        };
        await shares.update(db, changed);
        expect(await shares.get(db, created.id)).toEqual({ ...changed, owner: created.owner });
      });

      it('lists an owner’s and a domain’s live shares in creation order, without revoked ones', async () => {
        const domain = freshTenant();
        const first = await shares.create(db, newShare(domain), AT);
        const second = await shares.create(db, newShare(domain), LATER);
        const other = await shares.create(db, newShare(domain, `bob@${domain}`), LATER);
        await shares.create(db, newShare(freshTenant()), AT);
        expect((await shares.ownedBy(db, `owner@${domain}`)).map((s) => s.id)).toEqual([
          first.id,
          second.id,
        ]);
        expect((await shares.ofDomain(db, domain)).map((s) => s.id).sort()).toEqual(
          [first.id, second.id, other.id].sort(),
        );
        await shares.revoke(db, first.id, LATER);
        expect(await shares.get(db, first.id)).toBeNull();
        expect((await shares.ownedBy(db, `owner@${domain}`)).map((s) => s.id)).toEqual([second.id]);
        expect(await shares.getWithRevocation(db, first.id)).toEqual({
          share: first,
          revokedAt: LATER,
        });
      });

      it('finds the shares granted to a user directly, through a group or through the domain', async () => {
        const domain = freshTenant();
        const base = newShare(domain);
        const direct = await shares.create(db, base, AT);
        const viaGroup = await shares.create(
          db,
          {
            ...base,
            grants: [{ target: { kind: 'group', email: `team@${domain}` }, level: 'view' }],
          },
          AT,
        );
        const viaDomain = await shares.create(
          db,
          { ...base, grants: [{ target: { kind: 'domain', domain }, level: 'view' }] },
          AT,
        );
        await shares.create(
          db,
          {
            ...base,
            grants: [{ target: { kind: 'user', email: `zed@${domain}` }, level: 'view' }],
          },
          AT,
        );
        const found = await shares.grantedTo(db, domain, `ann@${domain}`, [`team@${domain}`]);
        expect(found.map((s) => s.id).sort()).toEqual(
          [direct.id, viaGroup.id, viaDomain.id].sort(),
        );
        expect(await shares.grantedTo(db, freshTenant(), `ann@${domain}`, [])).toEqual([]);
      });

      it('records an offer, a transfer that ends it, and the adoption', async () => {
        const domain = freshTenant();
        const created = await shares.create(db, newShare(domain), AT);
        await shares.offer(db, created.id, `bob@${domain}`, AT);
        expect((await shares.get(db, created.id))?.offeredTo).toBe(`bob@${domain}`);
        await shares.transfer(db, {
          ...created,
          owner: `bob@${domain}`,
          labelResourceName: 'contactGroups/bob',
          formerOwner: created.owner,
          formerLabel: created.labelResourceName,
          updatedAt: LATER,
        });
        expect(await shares.get(db, created.id)).toMatchObject({
          owner: `bob@${domain}`,
          labelResourceName: 'contactGroups/bob',
          offeredTo: null,
          formerOwner: created.owner,
          formerLabel: created.labelResourceName,
        });
        await shares.adopted(db, created.id);
        expect(await shares.get(db, created.id)).toMatchObject({
          formerOwner: null,
          formerLabel: null,
        });
      });
    });

    describe('support sessions', () => {
      it('reads back a created session; an open one runs from its creation', async () => {
        const tenant = freshTenant();
        const pending = await supportSessions.create(db, newSession(tenant), AT);
        expect(pending).toMatchObject({
          status: 'pending',
          openedAt: null,
          expiresAt: null,
          repair: false,
        });
        expect(await supportSessions.get(db, pending.id, AT)).toEqual(pending);
        const open = await supportSessions.create(
          db,
          newSession(tenant, { status: 'open', minutes: 15, repairJustification: 'Fix copies' }),
          AT,
        );
        expect(open).toMatchObject({
          status: 'open',
          openedAt: AT,
          expiresAt: '2026-03-02T09:15:00.000Z',
          repair: true,
        });
        expect((await supportSessions.get(db, open.id, '2026-03-02T09:15:00.000Z'))?.status).toBe(
          'expired',
        );
        expect(
          await supportSessions.get(db, '00000000-0000-0000-0000-000000000000', AT),
        ).toBeNull();
      });

      it('decides a pending session once, and closes it', async () => {
        const tenant = freshTenant();
        const session = await supportSessions.create(db, newSession(tenant), AT);
        const approval = { approved: true, by: `admin@${tenant}`, reason: null, minutes: 20 };
        await supportSessions.decide(db, session.id, approval, LATER);
        await supportSessions.decide(
          db,
          session.id,
          { ...approval, approved: false, reason: 'late' },
          LATER,
        );
        expect(await supportSessions.get(db, session.id, LATER)).toMatchObject({
          status: 'open',
          decidedBy: `admin@${tenant}`,
          minutes: 20,
          openedAt: LATER,
          expiresAt: '2026-03-02T09:25:00.000Z',
        });
        await supportSessions.close(db, session.id, 'agent@vendor.example', LATER);
        expect(await supportSessions.get(db, session.id, LATER)).toMatchObject({
          status: 'closed',
          closedBy: 'agent@vendor.example',
        });
      });

      it('lists sessions by tenant and status, newest first, a page at a time', async () => {
        const tenant = freshTenant();
        const made = [];
        for (const minute of ['01', '02', '03'])
          made.push(
            await supportSessions.create(db, newSession(tenant), `2026-03-02T10:${minute}:00.000Z`),
          );
        await supportSessions.create(db, newSession(freshTenant()), AT);
        await supportSessions.close(db, made[0]!.id, 'agent@vendor.example', LATER);
        const ids = (list: { id: string }[]) => list.map((session) => session.id);
        expect(ids(await supportSessions.list(db, { tenant }, LATER))).toEqual(
          ids([...made].reverse()),
        );
        expect(ids(await supportSessions.list(db, { tenant, status: 'pending' }, LATER))).toEqual(
          ids([made[2]!, made[1]!]),
        );
        const first = await supportSessions.page(db, { tenant }, LATER, 2);
        expect({ ids: ids(first.sessions), more: first.more }).toEqual({
          ids: ids([made[2]!, made[1]!]),
          more: true,
        });
        const last = first.sessions[1]!;
        const second = await supportSessions.page(db, { tenant }, LATER, 2, last);
        expect({ ids: ids(second.sessions), more: second.more }).toEqual({
          ids: [made[0]!.id],
          more: false,
        });
      });
    });

    describe('uniqueness', () => {
      it('raises one unresolved alert per actor and rule, and a new one after it is resolved', async () => {
        const tenant = freshTenant();
        const input = {
          tenant,
          actor: `mallory@${tenant}`,
          rule: 'mass-share',
          summary: 'Many shares',
        };
        const first = await alerts.raise(db, input, AT);
        expect(first).toMatchObject({ status: 'open', actor: input.actor });
        expect(await alerts.raise(db, input, LATER)).toBeNull();
        expect(await alerts.blocks(db, input.actor)).toBe(true);
        await alerts.resolve(db, first!.id, `security@${tenant}`, 'Checked', LATER);
        expect(await alerts.blocks(db, input.actor)).toBe(false);
        const again = await alerts.raise(db, input, LATER);
        expect(again?.id).not.toBe(first!.id);
        expect((await alerts.list(db, { tenant })).map((alert) => alert.status).sort()).toEqual([
          'open',
          'resolved',
        ]);
      });

      it('keeps a customer once, and refuses a second customer the same tenant key', async () => {
        const tenant = freshTenant();
        const customer = await customerStore.ensure(db, `C-${tenant}`, tenant, AT);
        expect(await customerStore.ensure(db, `C-${tenant}`, 'ignored.example', LATER)).toEqual(
          customer,
        );
        await expect(customerStore.ensure(db, `D-${tenant}`, tenant, AT)).rejects.toMatchObject({
          code: '23505',
        });
        expect(await customerStore.byTenant(db, tenant)).toEqual(customer);
      });
    });

    describe('transactions', () => {
      it('commits every write of a transaction that succeeds', async () => {
        const tenant = freshTenant();
        const { share, session } = await db.transaction(async (tx) => ({
          share: await shares.create(tx, newShare(tenant), AT),
          session: await supportSessions.create(tx, newSession(tenant), AT),
        }));
        expect(await shares.get(db, share.id)).toEqual(share);
        expect(await supportSessions.get(db, session.id, AT)).toEqual(session);
      });

      it('leaves nothing of a transaction whose work throws', async () => {
        const tenant = freshTenant();
        const failure = new Error('the audit event could not be written');
        await expect(
          db.transaction(async (tx) => {
            await shares.create(tx, newShare(tenant), AT);
            await supportSessions.create(tx, newSession(tenant), AT);
            await alerts.raise(tx, { tenant, actor: `a@${tenant}`, rule: 'r', summary: 's' }, AT);
            throw failure;
          }),
        ).rejects.toBe(failure);
        expect(await shares.ofDomain(db, tenant)).toEqual([]);
        expect(await supportSessions.list(db, { tenant }, AT)).toEqual([]);
        expect(await alerts.list(db, { tenant })).toEqual([]);
      });

      it('leaves nothing of a transaction that meets a uniqueness conflict or a check', async () => {
        const tenant = freshTenant();
        await customerStore.ensure(db, `C-${tenant}`, tenant, AT);
        await expect(
          db.transaction(async (tx) => {
            await shares.create(tx, newShare(tenant), AT);
            await customerStore.ensure(tx, `D-${tenant}`, tenant, AT);
          }),
        ).rejects.toMatchObject({ code: '23505' });
        await expect(
          db.transaction(async (tx) => {
            await shares.create(tx, newShare(tenant), AT);
            await supportSessions.create(tx, newSession(tenant, { minutes: 61 }), AT);
          }),
        ).rejects.toMatchObject({ code: '23514' });
        expect(await shares.ofDomain(db, tenant)).toEqual([]);
        expect(await supportSessions.list(db, { tenant }, AT)).toEqual([]);
        expect(await customerStore.byId(db, `D-${tenant}`)).toBeNull();
      });
    });
  });
}
