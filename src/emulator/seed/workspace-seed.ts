/**
 * This file defines the deterministic generator of demo Workspaces: several customers with
 * tens to thousands of users, Google Groups, and contacts with realistic and non-ASCII names,
 * duplicates by e-mail and phone across users, and big accounts near 25,000 contacts. The same
 * seed always yields the same Workspace.
 */
import { ONLY_MY_CONTACTS, type WorkspaceStore } from '../api/workspace-store';

/** What to generate. Every field has a small default. */
export interface SeedSpec {
  /** PRNG seed (default 1). */
  seed?: number;
  /** Number of customers (default 3); the first has a secondary domain. */
  customers?: number;
  /** Users per customer (default 10). */
  usersPerCustomer?: number;
  /** Google Groups per customer (default 3). */
  groupsPerCustomer?: number;
  /** Contacts of an ordinary user (default 50). */
  contactsPerUser?: number;
  /** How many users (across all customers, first customer first) get a big account (default 0). */
  bigAccounts?: number;
  /** Contacts of a big account (default 24,500: near the 25,000 limit). */
  bigAccountSize?: number;
  /** Share of contacts copied from a pool of people known to many users (default 0.2). */
  duplicateRate?: number;
}

/** What was generated, for callers that need names to act on. */
export interface SeedSummary {
  customers: {
    id: string;
    primaryDomain: string;
    domains: string[];
    admins: string[];
    users: string[];
    groups: string[];
  }[];
  contacts: number;
  bigAccounts: string[];
}

const COMPANY_NAMES = [
  'acme',
  'globex',
  'initech',
  'umbrella',
  'hooli',
  'stark',
  'wayne',
  'tyrell',
  'soylent',
  'cyberdyne',
  'wonka',
  'vandelay',
];
const GIVEN = [
  'Anna',
  'José',
  'Zoë',
  'Łukasz',
  'Søren',
  'Chloé',
  'Björn',
  'Ólafur',
  'Mía',
  'Ольга',
  'Дмитрий',
  '健太',
  '美咲',
  'Nguyễn Văn',
  'محمد',
  'فاطمة',
  'Ravi',
  'Aditi',
  'John',
  'Mary',
  'Peter',
  'Linda',
  'Ahmed',
  'Chen',
  'Kofi',
  'Amara',
  'Siobhán',
  'Ines',
  'Çağla',
  'Renée',
  'François',
  'Jürgen',
  'Małgorzata',
  'Tomás',
  'Øystein',
  'Eleni',
  'Γιώργος',
  'Hana',
  '민준',
  'Priya',
];
const FAMILY = [
  'Müller',
  'García',
  'Nowak',
  'Smith',
  'Johansson',
  'Dubois',
  'Rossi',
  'Ivanova',
  'Yamada',
  'Tanaka',
  'Trần',
  'Kim',
  'Haddad',
  'Okafor',
  'Mensah',
  'Ó Briain',
  'Fernández',
  'Papadopoulos',
  'Østergaard',
  'Kowalczyk',
  'Schröder',
  'Lefèvre',
  'Çelik',
  'Nakamura',
  'Singh',
  'Patel',
  'Brown',
  'Wilson',
  'Novák',
  'Horváth',
];
const ORGS = [
  'Contoso',
  'Fabrikam',
  'Northwind',
  'Tailspin',
  'Wingtip',
  'Adventure Works',
  'Litware',
  'Proseware',
  'Café Zürich',
  'Société Générale de Test',
  'Ökobau GmbH',
  '株式会社サンプル',
];
const ASCII_LOCAL = [
  'anna',
  'jose',
  'zoe',
  'lukasz',
  'soren',
  'chloe',
  'bjorn',
  'olafur',
  'mia',
  'olga',
  'dmitry',
  'kenta',
  'misaki',
  'van',
  'mohammed',
  'fatima',
  'ravi',
  'aditi',
  'john',
  'mary',
  'peter',
  'linda',
  'ahmed',
  'chen',
  'kofi',
  'amara',
  'siobhan',
  'ines',
  'cagla',
  'renee',
  'francois',
  'jurgen',
  'malgorzata',
  'tomas',
  'oystein',
  'eleni',
  'giorgos',
  'hana',
  'minjun',
  'priya',
];
const ASCII_FAMILY = [
  'mueller',
  'garcia',
  'nowak',
  'smith',
  'johansson',
  'dubois',
  'rossi',
  'ivanova',
  'yamada',
  'tanaka',
  'tran',
  'kim',
  'haddad',
  'okafor',
  'mensah',
  'obriain',
  'fernandez',
  'papadopoulos',
  'ostergaard',
  'kowalczyk',
  'schroeder',
  'lefevre',
  'celik',
  'nakamura',
  'singh',
  'patel',
  'brown',
  'wilson',
  'novak',
  'horvath',
];

/** mulberry32: a small, fast, seedable PRNG. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills the store with a generated Workspace and returns what it made. */
export function seedWorkspace(store: WorkspaceStore, spec: SeedSpec, now: number): SeedSummary {
  const random = prng(spec.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const customerCount = spec.customers ?? 3;
  const usersPer = spec.usersPerCustomer ?? 10;
  const groupsPer = spec.groupsPerCustomer ?? 3;
  const contactsPer = spec.contactsPerUser ?? 50;
  const bigAccountSize = spec.bigAccountSize ?? 24_500;
  let bigLeft = spec.bigAccounts ?? 0;
  const duplicateRate = spec.duplicateRate ?? 0.2;
  const summary: SeedSummary = { customers: [], contacts: 0, bigAccounts: [] };

  const pool: string[] = [];
  for (let index = 0; index < 500; index++) pool.push(contactJson(random, pick, index, true));

  for (let c = 0; c < customerCount; c++) {
    const base = COMPANY_NAMES[c % COMPANY_NAMES.length] ?? 'company';
    const suffix = c >= COMPANY_NAMES.length ? String(Math.floor(c / COMPANY_NAMES.length)) : '';
    const primaryDomain = uniqueDomain(store, `${base}${suffix}.example`);
    const secondary = c === 0 ? [uniqueDomain(store, `${base}${suffix}-eu.example`)] : [];
    const customer = store.addCustomer(primaryDomain, secondary);
    const entry = {
      id: customer.id,
      primaryDomain,
      domains: customer.domains,
      admins: [] as string[],
      users: [] as string[],
      groups: [] as string[],
    };
    for (let u = 0; u < usersPer; u++) {
      const g = Math.floor(random() * GIVEN.length);
      const f = Math.floor(random() * FAMILY.length);
      const domain =
        secondary.length > 0 && u % 5 === 4 ? (secondary[0] ?? primaryDomain) : primaryDomain;
      const email = `${ASCII_LOCAL[g % ASCII_LOCAL.length] ?? 'user'}.${ASCII_FAMILY[f % ASCII_FAMILY.length] ?? 'x'}${u}@${domain}`;
      const isAdmin = u === 0;
      store.addUser(email, {
        givenName: GIVEN[g] ?? 'User',
        familyName: FAMILY[f] ?? '',
        isAdmin,
        phone: `+1 555 ${String(1000 + u).padStart(4, '0')}`,
        title: pick(['Engineer', 'Sales', 'Support', 'Manager', 'Designer']),
        department: pick(['R&D', 'Sales', 'Support', 'Operations']),
      });
      entry.users.push(email);
      if (isAdmin) entry.admins.push(email);
      const book = store.book(email);
      if (!book) continue;
      const big = bigLeft > 0;
      if (big) {
        bigLeft--;
        summary.bigAccounts.push(email);
      }
      const count = big ? bigAccountSize : contactsPer;
      for (let k = 0; k < count; k++) {
        const data =
          random() < duplicateRate
            ? (pool[Math.floor(random() * pool.length)] ?? '{}')
            : contactJson(random, pick, k, false);
        store.insertContact(book, data, ONLY_MY_CONTACTS, now);
      }
      summary.contacts += count;
    }
    for (let g = 0; g < groupsPer; g++) {
      const email = `${pick(['sales', 'support', 'engineering', 'marketing', 'finance', 'all'])}-${g}@${primaryDomain}`;
      store.addGroup(email, `Team ${g + 1}`, 'Generated group');
      entry.groups.push(email);
      for (const user of entry.users) if (random() < 0.3) store.addGroupMember(email, user);
    }
    if (entry.groups.length > 1 && entry.groups[0] && entry.groups[1])
      store.addGroupMember(entry.groups[0], entry.groups[1]);
    summary.customers.push(entry);
  }
  return summary;
}

function uniqueDomain(store: WorkspaceStore, domain: string): string {
  let candidate = domain;
  for (let index = 2; store.domainToCustomer.has(candidate); index++)
    candidate = domain.replace('.example', `${index}.example`);
  return candidate;
}

/** One generated contact as the stored JSON of its fields. */
function contactJson(
  random: () => number,
  pick: <T>(items: readonly T[]) => T,
  index: number,
  shared: boolean,
): string {
  const g = Math.floor(random() * GIVEN.length);
  const f = Math.floor(random() * FAMILY.length);
  const local = `${ASCII_LOCAL[g % ASCII_LOCAL.length] ?? 'c'}.${ASCII_FAMILY[f % ASCII_FAMILY.length] ?? 'x'}${shared ? 'p' : ''}${index}`;
  const fields: Record<string, unknown[]> = {
    names: [{ givenName: GIVEN[g], familyName: FAMILY[f] }],
    emailAddresses: [
      {
        value: `${local}@${pick(['mail.example', 'example.org', 'partner.example'])}`,
        type: pick(['work', 'home']),
      },
    ],
  };
  if (random() < 0.7)
    fields.phoneNumbers = [
      {
        value: `+${pick(['1', '44', '49', '33', '81'])} ${Math.floor(100 + random() * 900)} ${Math.floor(1000000 + random() * 9000000)}`,
        type: pick(['mobile', 'work', 'home']),
      },
    ];
  if (random() < 0.4)
    fields.organizations = [
      { name: pick(ORGS), title: pick(['CEO', 'Buyer', 'Engineer', 'Consultant']) },
    ];
  return JSON.stringify(fields);
}
