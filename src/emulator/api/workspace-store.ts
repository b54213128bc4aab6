/**
 * This file defines the emulator's in-memory Workspace: customers and their domains, users,
 * Google Groups and members, service accounts, and each user's contacts and contact groups.
 * Contacts are stored compactly (the person's fields as one JSON string, numbers for ids and
 * times) so that a domain of 1,000 users × 2,000 contacts fits in a few gigabytes.
 */

/** A Workspace customer with its primary and secondary domains, and the primary's aliases. */
export interface Customer {
  id: string;
  primaryDomain: string;
  /** The primary domain, then the secondary domains. */
  domains: string[];
  /** Alias domains of the primary domain: its users' addresses exist in them too. */
  aliases: string[];
}

/** A user of the directory. */
export interface DirectoryUser {
  id: string;
  primaryEmail: string;
  givenName: string;
  familyName: string;
  isAdmin: boolean;
  customerId: string;
  phone?: string;
  title?: string;
  department?: string;
  creationTime: string;
  /** Change sequence when the user was added (for directory sync tokens). */
  addedSeq?: number;
}

/** A Google Group and its members (user or group e-mail → role). */
export interface DirectoryGroup {
  id: string;
  email: string;
  name: string;
  description: string;
  customerId: string;
  members: Map<string, GroupMember>;
  /**
   * Who may view the member list (Groups Settings API `whoCanViewMembership`): anyone in the
   * account, the group's members, or its managers (OWNER and MANAGER members).
   */
  whoCanViewMembership: 'ALL_IN_DOMAIN_CAN_VIEW' | 'ALL_MEMBERS_CAN_VIEW' | 'ALL_MANAGERS_CAN_VIEW';
}

/** A member of a Google Group. */
export interface GroupMember {
  id: string;
  email: string;
  role: 'OWNER' | 'MANAGER' | 'MEMBER';
  type: 'USER' | 'GROUP' | 'CUSTOMER';
}

/**
 * One contact. `data` is the JSON of the stored person fields (no resource name, metadata or
 * memberships); `groups` are contact-group ids. Deleted contacts stay as tombstones for sync.
 */
export interface ContactRecord {
  /** The numeric part of the resource name and source id. */
  n: number;
  /** Change sequence of the last write (global, increasing). */
  seq: number;
  /** Change sequence when the contact was created. */
  born: number;
  /** Time of the last write, in ms of the virtual clock. */
  updated: number;
  version: number;
  deleted: boolean;
  data: string;
  groups: readonly string[];
  /** Former resource names, shown in sync listings. */
  previous?: string[];
  /**
   * When the last write reaches sync listings (virtual ms): its time plus the propagation delay
   * (WorkspaceStore.propagationDelay). One contact's writes propagate in order; different
   * contacts' writes may overtake each other.
   */
  visibleAt: number;
}

/** A contact group (label) of a user; system groups have fixed ids. */
export interface ContactGroupRecord {
  id: string;
  name: string;
  system: boolean;
  seq: number;
  updated: number;
  version: number;
  deleted: boolean;
  clientData: { key: string; value: string }[];
}

/** A user's address book. `contacts` is kept in ascending `seq` order (re-inserted on write). */
export interface AddressBook {
  contacts: Map<number, ContactRecord>;
  groups: Map<string, ContactGroupRecord>;
  /** What searchContacts searches: the contacts as of the last cache refresh; null before the first warm-up. */
  searchCache: SearchCache | null;
  liveCount: number;
}

/** The searchContacts cache of an account: a copy of its live contacts when it was refreshed. */
export interface SearchCache {
  /** When it was refreshed (virtual ms). */
  at: number;
  /** The contacts then, as they were: number, stored person JSON, group ids, version and time. */
  contacts: {
    n: number;
    data: string;
    groups: readonly string[];
    version: number;
    updated: number;
  }[];
}

/** The system contact groups every account has; only the first two accept members. */
export const SYSTEM_GROUPS: Record<string, string> = {
  myContacts: 'myContacts',
  starred: 'starred',
  friends: 'friends',
  family: 'family',
  coworkers: 'coworkers',
  chatBuddies: 'chatBuddies',
  all: 'all',
  blocked: 'blocked',
};

/** The shared membership array of a contact that is only in My Contacts. */
export const ONLY_MY_CONTACTS: readonly string[] = Object.freeze(['myContacts']);

/** Derives a stable numeric id string from a counter (Google's ids are 21 digits). */
function numericId(prefix: number, counter: number): string {
  return `${prefix}${counter.toString().padStart(15, '0')}`;
}

/** Everything the emulator knows about the Workspace, in memory. */
export class WorkspaceStore {
  readonly customers = new Map<string, Customer>();
  readonly domainToCustomer = new Map<string, string>();
  readonly users = new Map<string, DirectoryUser>();
  readonly groups = new Map<string, DirectoryGroup>();
  readonly books = new Map<string, AddressBook>();
  /** Service account e-mail → OAuth client id. */
  readonly serviceAccounts = new Map<string, string>();
  private counter = 0;
  private seqCounter = 0;
  /**
   * How long a write takes to reach sync listings (FACTS.md People API v1: "writes can take
   * minutes to show in sync results"); drawn per write, so that writes may propagate out of order.
   */
  propagationDelay: () => number = () => 0;

  /** Returns the next global change sequence number. */
  nextSeq(): number {
    return ++this.seqCounter;
  }

  /** The highest change sequence handed out so far. */
  currentSeq(): number {
    return this.seqCounter;
  }

  /** Returns a fresh number for a contact or group id. */
  nextNumber(): number {
    return ++this.counter;
  }

  /** Adds a customer with its primary domain, any secondary domains and aliases of the primary. */
  addCustomer(
    primaryDomain: string,
    secondaryDomains: string[] = [],
    aliasDomains: string[] = [],
  ): Customer {
    const domains = [primaryDomain, ...secondaryDomains].map((d) => d.toLowerCase());
    const aliases = aliasDomains.map((d) => d.toLowerCase());
    for (const domain of [...domains, ...aliases])
      if (this.domainToCustomer.has(domain))
        throw new Error(`The domain ${domain} already belongs to a customer.`);
    const customer: Customer = {
      id: `C0${(this.customers.size + 1).toString(36).padStart(7, '0')}`,
      primaryDomain: domains[0] ?? primaryDomain,
      domains,
      aliases,
    };
    this.customers.set(customer.id, customer);
    for (const domain of [...domains, ...aliases]) this.domainToCustomer.set(domain, customer.id);
    return customer;
  }

  /** Every domain (primary, secondary, alias) of the customer owning a domain; [] when none. */
  domainsOfCustomerOf(domain: string): string[] {
    const id = this.domainToCustomer.get(domain.toLowerCase());
    const customer = id === undefined ? undefined : this.customers.get(id);
    return customer ? [...customer.domains, ...customer.aliases] : [];
  }

  /**
   * The user an address names: their primary address, or the same local part on an alias domain
   * of their primary domain (Google delivers and resolves `userKey` for alias addresses too).
   */
  userByAddress(email: string): DirectoryUser | undefined {
    const key = email.toLowerCase();
    const direct = this.users.get(key);
    if (direct) return direct;
    const at = key.lastIndexOf('@');
    const customer = this.customerOf(key);
    if (at < 0 || !customer?.aliases.includes(key.slice(at + 1))) return undefined;
    return this.users.get(`${key.slice(0, at)}@${customer.primaryDomain}`);
  }

  /** Returns the customer owning an e-mail address's domain, if any. */
  customerOf(email: string): Customer | undefined {
    const domain = email.toLowerCase().split('@')[1] ?? '';
    const id = this.domainToCustomer.get(domain);
    return id === undefined ? undefined : this.customers.get(id);
  }

  /** Adds a user to the customer that owns the address's domain, with an empty address book. */
  addUser(
    email: string,
    details: Partial<Omit<DirectoryUser, 'id' | 'primaryEmail' | 'customerId'>> = {},
  ): DirectoryUser {
    const key = email.toLowerCase();
    const customer = this.customerOf(key);
    if (!customer) throw new Error(`No customer owns the domain of ${email}; add it first.`);
    if (this.users.has(key) || this.groups.has(key))
      throw new Error(`The address ${email} is already taken.`);
    const local = key.split('@')[0] ?? key;
    const user: DirectoryUser = {
      id: numericId(1, this.nextNumber()),
      primaryEmail: key,
      givenName: details.givenName ?? local,
      familyName: details.familyName ?? '',
      isAdmin: details.isAdmin ?? false,
      customerId: customer.id,
      creationTime: details.creationTime ?? '2020-01-01T00:00:00.000Z',
      addedSeq: this.nextSeq(),
      ...(details.phone ? { phone: details.phone } : {}),
      ...(details.title ? { title: details.title } : {}),
      ...(details.department ? { department: details.department } : {}),
    };
    this.users.set(key, user);
    this.books.set(key, this.newAddressBook());
    return user;
  }

  /** Adds a Google Group in the customer owning its domain. */
  addGroup(email: string, name: string, description = ''): DirectoryGroup {
    const key = email.toLowerCase();
    const customer = this.customerOf(key);
    if (!customer) throw new Error(`No customer owns the domain of ${email}; add it first.`);
    if (this.users.has(key) || this.groups.has(key))
      throw new Error(`The address ${email} is already taken.`);
    const group: DirectoryGroup = {
      id: `0${this.nextNumber().toString(16).padStart(14, '0')}`,
      email: key,
      name,
      description,
      customerId: customer.id,
      members: new Map(),
      whoCanViewMembership: 'ALL_IN_DOMAIN_CAN_VIEW',
    };
    this.groups.set(key, group);
    return group;
  }

  /** Adds a user or group to a group. */
  addGroupMember(
    groupEmail: string,
    memberEmail: string,
    role: GroupMember['role'] = 'MEMBER',
  ): void {
    const group = this.groups.get(groupEmail.toLowerCase());
    if (!group) throw new Error(`No group ${groupEmail}.`);
    const key = memberEmail.toLowerCase();
    const user = this.users.get(key);
    const nested = this.groups.get(key);
    if (!user && !nested) throw new Error(`No user or group ${memberEmail}.`);
    group.members.set(key, {
      id: user ? user.id : (nested?.id ?? ''),
      email: key,
      role,
      type: user ? 'USER' : 'GROUP',
    });
  }

  /** Returns a user's address book, or undefined for an unknown user. */
  book(email: string): AddressBook | undefined {
    return this.books.get(email.toLowerCase());
  }

  /** Stores a new contact in an address book and returns it. */
  insertContact(
    book: AddressBook,
    data: string,
    groups: readonly string[],
    now: number,
  ): ContactRecord {
    const seq = this.nextSeq();
    const record: ContactRecord = {
      n: this.nextNumber(),
      seq,
      born: seq,
      updated: now,
      version: 1,
      deleted: false,
      data,
      groups,
      visibleAt: now + this.propagationDelay(),
    };
    book.contacts.set(record.n, record);
    book.liveCount++;
    return record;
  }

  /** Marks a contact changed: new sequence, version and time; moves it to the end of the order. */
  touchContact(book: AddressBook, record: ContactRecord, now: number): void {
    record.seq = this.nextSeq();
    record.version++;
    record.updated = now;
    record.visibleAt = Math.max(record.visibleAt, now + this.propagationDelay());
    book.contacts.delete(record.n);
    book.contacts.set(record.n, record);
  }

  /**
   * Gives a contact a new number, as Google does when it links a contact to a profile; the old
   * resource name goes to `previous` (FACTS.md: metadata.previousResourceNames).
   */
  renumberContact(
    book: AddressBook,
    record: ContactRecord,
    oldResourceName: string,
    now: number,
  ): void {
    book.contacts.delete(record.n);
    record.n = this.nextNumber();
    record.previous = [...(record.previous ?? []), oldResourceName];
    book.contacts.set(record.n, record);
    this.touchContact(book, record, now);
  }

  /** Turns a contact into a tombstone. */
  deleteContact(book: AddressBook, record: ContactRecord, now: number): void {
    record.deleted = true;
    record.data = '';
    record.groups = [];
    book.liveCount--;
    this.touchContact(book, record, now);
  }

  private newAddressBook(): AddressBook {
    const groups = new Map<string, ContactGroupRecord>();
    for (const id of Object.keys(SYSTEM_GROUPS))
      groups.set(id, {
        id,
        name: id,
        system: true,
        seq: 0,
        updated: 0,
        version: 1,
        deleted: false,
        clientData: [],
      });
    return { contacts: new Map(), groups, searchCache: null, liveCount: 0 };
  }
}
