/**
 * This file holds the convergence property of the sync engine (fast-check), run on the Workspace
 * API emulator: random edits, additions and deletions by participants at their levels, among
 * people who look alike (shared e-mail addresses and phone numbers), syncs by random participants
 * cut into slices at random deadlines, and injected 429/500 faults all settle, after a quiet round
 * of syncs, into one state that keeps every contact no one with the right deleted; and every sync
 * that completes leaves each copy with exactly the master's contacts; and the same under the
 * emulator's production-like traffic profile.
 */
import fc from 'fast-check';
import { normalizeFields, readLink, type FieldValues } from '../../src/core/contact-model';
import { originKey } from '../../src/core/contact-model';
import type { SyncResult } from '../../src/core/sync-engine';
import { effectiveLevel, levelAllows, type Level } from '../../src/core/sharing-model';
import type { Person } from '../../src/google/people-client';
import type { FaultRule, TrafficProfileName } from '../../src/emulator/api';
import { createSyncWorld, type SyncWorld } from './sync-world';

const OWNER = 'alice@example.com';
const RECIPIENTS = ['bob@example.com', 'carol@example.com', 'dan@example.com'] as const;
const PARTICIPANTS = [OWNER, ...RECIPIENTS];
const SALES = 'sales@example.com';
const FAR = Number.MAX_SAFE_INTEGER;

const EDITABLE = ['names', 'phoneNumbers', 'organizations', 'biographies'] as const;
type Editable = (typeof EDITABLE)[number];
const HIDEABLE = ['phoneNumbers', 'organizations', 'biographies'] as const;
const OPERATIONS = [
  'people.people.connections.list',
  'people.people.batchCreateContacts',
  'people.people.batchUpdateContacts',
  'people.people.batchDeleteContacts',
  'people.contactGroups.create',
  'people.contactGroups.list',
  undefined,
] as const;

/** One step of a scenario; indexes pick among what exists when the step runs. */
type Step =
  | { kind: 'edit'; who: number; pick: number; field: Editable; clear: boolean }
  | { kind: 'add'; who: number }
  | { kind: 'remove'; who: number; pick: number; ungroup: boolean }
  | { kind: 'own'; who: number; pick: number }
  | { kind: 'sync'; who: number; budgetMs: number; confirm: boolean; faults: FaultRule[] }
  | { kind: 'wait'; ms: number };

interface Scenario {
  levels: { bob: Level; sales: Level; dan: Level | null };
  danInSales: boolean;
  hidden: (typeof HIDEABLE)[number][];
  masters: number;
  /** Recipients' own contacts for the same person as a master, made before the first sync. */
  preexisting: { who: number; pick: number }[];
  delayMs: number;
  steps: Step[];
}

const grantLevel = fc.constantFrom<Level>('view', 'edit', 'contribute', 'manage');
const who = fc.nat({ max: PARTICIPANTS.length - 1 });
const pick = fc.nat({ max: 50 });
const fault: fc.Arbitrary<FaultRule> = fc.record({
  operation: fc.constantFrom(...OPERATIONS),
  user: fc.option(fc.constantFrom(...PARTICIPANTS), { nil: undefined }),
  skip: fc.nat({ max: 6 }),
  times: fc.integer({ min: 1, max: 8 }),
  status: fc.constantFrom<429 | 500>(429, 500),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('edit' as const),
      who,
      pick,
      field: fc.constantFrom(...EDITABLE),
      clear: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('add' as const), who }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('remove' as const),
      who,
      pick,
      ungroup: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('own' as const), who, pick }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('sync' as const),
      who,
      budgetMs: fc.integer({ min: 0, max: 4000 }),
      confirm: fc.boolean(),
      faults: fc.array(fault, { maxLength: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('wait' as const),
      ms: fc.integer({ min: 0, max: 120_000 }),
    }),
  },
);
const scenario: fc.Arbitrary<Scenario> = fc.record({
  levels: fc.record({ bob: grantLevel, sales: grantLevel, dan: fc.option(grantLevel) }),
  danInSales: fc.boolean(),
  hidden: fc.subarray([...HIDEABLE]),
  masters: fc.nat({ max: 6 }),
  preexisting: fc.array(fc.record({ who: fc.integer({ min: 1, max: 3 }), pick }), {
    maxLength: 3,
  }),
  delayMs: fc.constantFrom(0, 0, 30_000),
  steps: fc.array(step, { maxLength: 24 }),
});

/** What the scenario did, to judge the end state by. */
interface Ledger {
  /** Identities (e-mail addresses) that must end in the label. */
  keep: Set<string>;
  /** Identities that must not end in the label (added by someone without the right). */
  refused: Set<string>;
  /** Values written by `view` recipients, which must not reach the master. */
  viewValues: Set<string>;
  /**
   * The last value (null: cleared) written to `identity|field` by someone allowed to edit it, and
   * who wrote it. An edit made to a copy that its editor then removed goes with the copy.
   */
  lastEdits: Map<string, { value: string | null; author: string }>;
}

/** The identity a person carries in `userDefined`, which no step edits. */
function identityOf(fields: FieldValues): string {
  return String((fields.userDefined?.[0] as { value?: string } | undefined)?.value ?? '');
}

/**
 * A new person. Distinct people look alike, as they do in real address books: some share a
 * family e-mail address, some have none, and half share a switchboard number written two ways.
 * Each must still keep a copy of its own.
 */
function personFor(identity: string, serial: number): Person {
  const email =
    serial % 4 === 3 ? null : serial % 3 === 0 ? `family${serial % 2}@client.test` : identity;
  const phone =
    serial % 2 === 0
      ? `+1 555 ${String(200000 + serial)}`
      : serial % 4 === 1
        ? '+1 555 300 0000'
        : '(555) 300-0000';
  return {
    names: [{ givenName: `Person ${serial}`, familyName: identity.split('@')[0] }],
    ...(email === null ? {} : { emailAddresses: [{ value: email }] }),
    phoneNumbers: [{ value: phone }],
    organizations: [{ name: `Org ${serial}` }],
    userDefined: [{ key: 'identity', value: identity }],
  };
}

function valueFor(field: Editable, text: string): unknown[] {
  switch (field) {
    case 'names':
      return [{ givenName: text }];
    case 'phoneNumbers':
      return [{ value: `+1 777 ${text}` }];
    case 'organizations':
      return [{ name: text }];
    case 'biographies':
      return [{ value: text, contentType: 'TEXT_PLAIN' }];
  }
}

/** Matches a value that `valueFor` wrote, as it appears in JSON. */
function written(text: string): RegExp {
  return new RegExp(`[" ]${text}"`);
}

class Runner {
  readonly world: SyncWorld;
  readonly ledger: Ledger = {
    keep: new Set(),
    refused: new Set(),
    viewValues: new Set(),
    lastEdits: new Map(),
  };
  /** One line per sync slice, shown when the property fails. */
  readonly trace: string[] = [];
  private serial = 0;
  readonly visible: Editable[];

  constructor(
    readonly scenario: Scenario,
    readonly profile: TrafficProfileName = 'off',
  ) {
    this.world = createSyncWorld();
    const { world } = this;
    if (scenario.danInSales) world.emulator.addGroupMember(SALES, 'dan@example.com');
    world.share.grants = [
      { target: { kind: 'user', email: 'bob@example.com' }, level: scenario.levels.bob },
      { target: { kind: 'group', email: SALES }, level: scenario.levels.sales },
      ...(scenario.levels.dan === null
        ? []
        : [
            {
              target: { kind: 'user' as const, email: 'dan@example.com' },
              level: scenario.levels.dan,
            },
          ]),
    ] as typeof world.share.grants;
    world.share.hiddenFields = scenario.hidden;
    this.visible = EDITABLE.filter((field) => !(scenario.hidden as string[]).includes(field));
    world.emulator.configureTraffic({ latency: { fixedMs: 300, perItemMs: 1 } });
    world.emulator.setSyncVisibilityDelay(scenario.delayMs);
    // Google where it is strict (traffic-profile.ts): quotas, propagation delay with reordering,
    // a stale search cache and occasional 429/500/503, on every call of the scenario.
    if (profile !== 'off') world.emulator.useTrafficProfile(profile);
    const masters = Array.from({ length: scenario.masters }, () => this.newPerson('m'));
    world.addMasters(masters);
    for (const person of masters) this.ledger.keep.add(identityOf(person as FieldValues));
    for (const own of scenario.preexisting) {
      const user = PARTICIPANTS[own.who] as string;
      const target = masters[own.pick % Math.max(1, masters.length)];
      if (target) this.createOwn(user, target as FieldValues);
    }
  }

  private newPerson(tag: string): Person {
    this.serial++;
    return personFor(`${tag}${this.serial}@client.test`, this.serial);
  }

  /** A recipient's own contact for the same person as `master`: its e-mail, or else its phone. */
  private createOwn(user: string, master: FieldValues): void {
    this.serial++;
    const email = master.emailAddresses?.[0] as { value?: string } | undefined;
    const phone = master.phoneNumbers?.[0] as { value?: string } | undefined;
    this.world.run(
      this.world.people(user).createContact({
        names: [{ givenName: `Own ${this.serial}` }],
        ...(email ? { emailAddresses: [{ value: email.value }] } : {}),
        ...(!email && phone ? { phoneNumbers: [{ value: phone.value }] } : {}),
      }),
    );
  }

  private record(who: string, result: SyncResult): void {
    const { status, created, updated, deleted, merged, reverts, problems } = result;
    this.trace.push(
      `${who}: ${status} +${created} ~${updated} -${deleted} merged ${merged} reverts ${reverts.length} ${problems.join('; ')}`,
    );
  }

  /** The level a participant holds, or null. */
  levelOf(user: string): Level | null {
    const groups =
      user === 'carol@example.com' || (user === 'dan@example.com' && this.scenario.danInSales)
        ? [SALES]
        : [];
    return effectiveLevel(this.world.share, user, groups);
  }

  groupOf(user: string): string | null {
    return user === OWNER ? this.world.share.labelResourceName : this.world.copyGroupOf(user);
  }

  labelOf(user: string) {
    const group = this.groupOf(user);
    return group === null
      ? []
      : this.world.contactsOf(user).filter((contact) => contact.memberships.includes(group));
  }

  perform(current: Step): void {
    const { world } = this;
    switch (current.kind) {
      case 'wait':
        world.emulator.clock.advance(current.ms);
        return;
      case 'sync': {
        const user = PARTICIPANTS[current.who] as string;
        for (const rule of current.faults) world.emulator.injectFault(rule);
        try {
          const result = world.engine(user).syncShare(world.share.id, {
            deadline: world.emulator.clock.now() + current.budgetMs,
            allowMassDeletion: current.confirm,
          });
          this.record(user, result);
          // A completed pass leaves every copy it may write level with the master, not only the
          // next one: all of them from `contribute` up, below that the actor's own (the share
          // gateway lets lower levels add nothing to other people's contacts).
          if (result.status === 'done' && result.problems.length === 0) {
            world.emulator.traffic.clearFaults();
            const level = user === OWNER ? 'owner' : this.levelOf(user);
            this.expectCopiesLevel(
              level !== null && levelAllows(level, 'contribute') ? RECIPIENTS : [user],
            );
          }
        } finally {
          world.emulator.traffic.clearFaults();
        }
        return;
      }
      case 'add': {
        const user = PARTICIPANTS[current.who] as string;
        const group = this.groupOf(user);
        if (group === null) return;
        const person = this.newPerson('a');
        world.run(
          world.people(user).createContact({
            ...person,
            memberships: [{ contactGroupMembership: { contactGroupResourceName: group } }],
          }),
        );
        const identity = identityOf(person as FieldValues);
        const level = this.levelOf(user) as Level;
        if (levelAllows(level, 'contribute')) this.ledger.keep.add(identity);
        else this.ledger.refused.add(identity);
        return;
      }
      case 'own': {
        const user = PARTICIPANTS[current.who] as string;
        const master = this.labelOf(OWNER)[current.pick % 50];
        if (user !== OWNER && master) this.createOwn(user, master.fields);
        return;
      }
      case 'remove': {
        const user = PARTICIPANTS[current.who] as string;
        const members = this.labelOf(user);
        const target = members[current.pick % Math.max(1, members.length)];
        if (!target) return;
        const client = world.people(user);
        if (current.ungroup) {
          const answer = world.run(
            client.modifyMembers(this.groupOf(user) as string, [], [target.resourceName]),
          );
          if (answer.canNotRemoveLastContactGroupResourceNames?.length) return;
        } else world.run(client.deleteContact(target.resourceName));
        const identity = identityOf(target.fields);
        if (levelAllows(this.levelOf(user) as Level, 'contribute'))
          this.ledger.keep.delete(identity);
        for (const field of EDITABLE)
          if (this.ledger.lastEdits.get(`${identity}|${field}`)?.author === user)
            this.ledger.lastEdits.delete(`${identity}|${field}`);
        return;
      }
      case 'edit': {
        const user = PARTICIPANTS[current.who] as string;
        if (user !== OWNER && !this.visible.includes(current.field)) return;
        const members = this.labelOf(user);
        const target = members[current.pick % Math.max(1, members.length)];
        if (!target) return;
        this.serial++;
        const text = `v${this.serial}`;
        const value = current.clear ? undefined : valueFor(current.field, text);
        world.run(
          world
            .people(user)
            .updateContact(target.resourceName, { etag: target.etag, [current.field]: value }, [
              current.field,
            ]),
        );
        // Clearing a field the copy does not hold changes nothing, and is no edit.
        if (current.clear && target.fields[current.field] === undefined) return;
        if (this.levelOf(user) === 'view') {
          if (!current.clear) this.ledger.viewValues.add(text);
        } else
          this.ledger.lastEdits.set(`${identityOf(target.fields)}|${current.field}`, {
            value: current.clear ? null : text,
            author: user,
          });
        return;
      }
    }
  }

  /** Syncs without faults or deadlines until every participant's sync settles. */
  settle(): void {
    const { world } = this;
    world.emulator.traffic.clearFaults();
    world.emulator.configureTraffic({ randomFaults: { rate: 0 } });
    for (let round = 0; round < 2; round++) {
      world.emulator.clock.advance(10 * 60_000);
      for (const user of PARTICIPANTS.filter((account) => this.levelOf(account) !== null)) {
        let status: string;
        let slices = 0;
        do {
          const result = world
            .engine(user)
            .syncShare(world.share.id, { deadline: FAR, allowMassDeletion: user === OWNER });
          status = result.status;
          this.record(`${user} (quiet)`, result);
          slices++;
        } while (status === 'continue' && slices < 10);
        expect({ user, status }).toEqual({
          user,
          status: expect.stringMatching(/^(done|unchanged)$/),
        });
      }
    }
  }

  /** Checks the end state. */
  check(): void {
    const label = this.labelOf(OWNER);
    const identities = label.map((contact) => identityOf(contact.fields));
    expect(new Set(identities).size).toBe(identities.length);
    for (const identity of this.ledger.keep) expect(identities).toContain(identity);
    for (const identity of this.ledger.refused) expect(identities).not.toContain(identity);
    const masterText = JSON.stringify(label.map((contact) => contact.fields));
    for (const value of this.ledger.viewValues) expect(masterText).not.toMatch(written(value));
    for (const master of label)
      for (const field of EDITABLE) {
        const key = `${identityOf(master.fields)}|${field}`;
        if (!this.ledger.lastEdits.has(key)) continue;
        const last = this.ledger.lastEdits.get(key)?.value ?? null;
        const held = master.fields[field];
        if (last === null) expect({ key, held }).toEqual({ key, held: undefined });
        else
          expect({ key, held: JSON.stringify(held) }).toEqual({
            key,
            held: expect.stringMatching(written(last)),
          });
      }
    this.expectCopiesLevel();
  }

  /**
   * Checks that every recipient's copy of the label (of `accounts`) holds exactly the master's
   * contacts: one copy per master, linked to it, with its visible fields; and that no one else
   * holds a copy.
   */
  expectCopiesLevel(accounts: readonly string[] = RECIPIENTS): void {
    const { world } = this;
    const share = world.share;
    const label = this.labelOf(OWNER);
    const identities = label.map((contact) => identityOf(contact.fields));
    const byName = new Map(label.map((contact) => [contact.resourceName, contact]));
    const visibleOf = (fields: FieldValues): FieldValues => {
      const copy: FieldValues = { ...fields };
      for (const field of share.hiddenFields) delete copy[field];
      return copy;
    };

    for (const user of accounts.filter((account) => account !== OWNER)) {
      const all = world.contactsOf(user);
      const sources = all
        .map((contact) => readLink(contact.clientData, share.id)?.sourceResourceName)
        .filter((name): name is string => name !== undefined);
      expect(new Set(sources).size).toBe(sources.length);
      if (this.levelOf(user) === null) {
        expect(sources).toEqual([]);
        continue;
      }
      const copies = this.labelOf(user);
      expect(copies.map((copy) => identityOf(copy.fields)).sort()).toEqual([...identities].sort());
      for (const copy of copies) {
        const link = readLink(copy.clientData, share.id);
        expect(link).not.toBeNull();
        const master = byName.get(link?.sourceResourceName ?? '');
        expect(master).toBeDefined();
        const visible = normalizeFields(visibleOf(copy.fields) as Record<string, unknown>);
        expect({ user, fields: visible }).toEqual({
          user,
          fields: normalizeFields(visibleOf(master?.fields ?? {}) as Record<string, unknown>),
        });
        const origin = master?.clientData.find((entry) => entry.key === originKey(share.id));
        if (!link?.merged && origin?.value !== `${user}|${copy.resourceName}`)
          for (const field of share.hiddenFields) expect(copy.fields[field]).toBeUndefined();
      }
    }
  }
}

function runScenario(input: Scenario, profile: TrafficProfileName = 'off'): void {
  const runner = new Runner(input, profile);
  try {
    for (const current of input.steps) runner.perform(current);
    runner.settle();
    runner.check();
  } catch (error) {
    throw new Error(`${String(error)}\nSyncs:\n${runner.trace.join('\n')}`, { cause: error });
  }
}

describe('sync convergence (property)', () => {
  it('settles every interleaving into one state that loses nothing no one with the right deleted', () => {
    fc.assert(
      fc.property(scenario, (input) => runScenario(input)),
      { numRuns: Number(process.env.SYNC_PROPERTY_RUNS ?? 30) },
    );
  });

  // issue 15: the production-like profile — quotas, latency, writes reaching sync results minutes late and out of order, occasional 429/500/503
  it('settles every interleaving the same way when Google is as strict as in production (issue 15: production-like profile)', () => {
    fc.assert(
      fc.property(scenario, (input) => runScenario(input, 'production-like')),
      { numRuns: Number(process.env.SYNC_PROPERTY_PROFILE_RUNS ?? 12) },
    );
  });
});
