/**
 * This file reads the contacts a user pastes to put many into a label at once: a list of
 * addresses ("Ann Lee <ann@x.example>, bob@x.example; …", one or many a line) or CSV text with a
 * header line naming its columns (Google Contacts' and Outlook's exports included). Every line it
 * cannot take is returned with the reason, so that nothing pasted is lost.
 */

/** A contact read from pasted text. */
export interface PastedContact {
  email: string;
  givenName: string;
  familyName: string;
  phone: string;
  organization: string;
}

/** A line that was not taken, and why. */
export interface PastedRejection {
  /** 1-based line number in the pasted text. */
  line: number;
  /** The line, or the part of it, that was not taken. */
  text: string;
  reason: 'notAddress' | 'noAddress';
}

/** What pasted text holds. */
export interface PastedContacts {
  contacts: PastedContact[];
  rejected: PastedRejection[];
  /** Addresses given more than once (taken once). */
  repeated: number;
  /** The CSV header line, when the text is CSV (to keep with lines given back). */
  header: string | null;
}

const EMAIL = /^[^@\s,;<>"]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,63}$/i;
const PHONE = /^\+?[\d\s().-]{6,}$/;

/** Splits one CSV line (RFC 4180 quoting) into cells, with `separator`. */
function csvCells(line: string, separator: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let at = 0; at < line.length; at++) {
    const char = line[at] as string;
    if (quoted) {
      if (char === '"' && line[at + 1] === '"') {
        cell += '"';
        at++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === separator) {
      cells.push(cell.trim());
      cell = '';
    } else cell += char;
  }
  cells.push(cell.trim());
  return cells;
}

/** Splits a line of addresses at commas and semicolons outside quotes and angle brackets. */
function addressParts(line: string): string[] {
  const parts: string[] = [];
  let part = '';
  let quoted = false;
  let angle = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === '<' && !quoted) angle = true;
    else if (char === '>' && !quoted) angle = false;
    if ((char === ',' || char === ';') && !quoted && !angle) {
      parts.push(part.trim());
      part = '';
    } else part += char;
  }
  parts.push(part.trim());
  return parts.filter((text) => text !== '');
}

/** "Ann Lee" → Ann / Lee; "Lee, Ann" → Ann / Lee. */
function splitName(name: string): { givenName: string; familyName: string } {
  const comma = name.indexOf(',');
  if (comma > 0)
    return { givenName: name.slice(comma + 1).trim(), familyName: name.slice(0, comma).trim() };
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length < 2) return { givenName: words[0] ?? '', familyName: '' };
  return { givenName: words.slice(0, -1).join(' '), familyName: words[words.length - 1] as string };
}

function contact(
  email: string,
  name: { givenName: string; familyName: string },
  phone = '',
  organization = '',
): PastedContact {
  return { email: email.toLowerCase(), ...name, phone, organization };
}

/** "Ann Lee <ann@x.example>", "\"Lee, Ann\" <ann@x.example>" or "ann@x.example". */
function addressEntry(text: string): PastedContact | null {
  const angle = /^(.*)<([^<>]*)>\s*$/.exec(text);
  const email = (angle ? (angle[2] as string) : text).trim();
  if (!EMAIL.test(email)) return null;
  const name = angle ? (angle[1] as string).trim().replace(/^"|"$/g, '').trim() : '';
  return contact(email, splitName(name));
}

interface Columns {
  email: number;
  name: number;
  givenName: number;
  familyName: number;
  phone: number;
  organization: number;
}

/** The columns of a CSV header line, or null when the line is not a header with an e-mail column. */
function headerColumns(cells: string[]): Columns | null {
  const find = (pattern: RegExp) => cells.findIndex((cell) => pattern.test(cell));
  const email = find(/e-?mail/i);
  if (email < 0 || cells.some((cell) => cell.includes('@'))) return null;
  return {
    email,
    name: find(/^(name|full name|display name)$/i),
    givenName: find(/first|given/i),
    familyName: find(/last|family|surname/i),
    phone: find(/phone|mobile|tel/i),
    organization: find(/organi[sz]ation|company/i),
  };
}

function cellAt(cells: string[], index: number): string {
  return index < 0 ? '' : (cells[index] ?? '').trim();
}

/** Reads a CSV row under a header. */
function csvRow(cells: string[], columns: Columns): PastedContact | 'notAddress' | 'noAddress' {
  const email = cellAt(cells, columns.email);
  if (email === '') return 'noAddress';
  if (!EMAIL.test(email)) return 'notAddress';
  const given = cellAt(cells, columns.givenName);
  const family = cellAt(cells, columns.familyName);
  const name =
    given !== '' || family !== ''
      ? { givenName: given, familyName: family }
      : splitName(cellAt(cells, columns.name));
  return contact(email, name, cellAt(cells, columns.phone), cellAt(cells, columns.organization));
}

/**
 * A headerless line with one address among other cells ("Ann Lee, ann@x.example, +1 555 0100"):
 * the other cells are its name, phone and organisation. Null when the line is not such a row.
 */
function looseRow(parts: string[]): PastedContact | null {
  const emails = parts.filter((part) => EMAIL.test(part));
  if (emails.length !== 1 || parts.length < 2) return null;
  if (parts.some((part) => part.includes('@') && !EMAIL.test(part))) return null;
  const rest = parts.filter((part) => !EMAIL.test(part));
  const phone = rest.find((part) => PHONE.test(part)) ?? '';
  const words = rest.filter((part) => part !== phone);
  return contact(emails[0] as string, splitName(words[0] ?? ''), phone, words[1] ?? '');
}

/**
 * Reads pasted text: CSV when its first line is a header with an e-mail column (comma, semicolon
 * or tab separated), a list of addresses otherwise. Each address is taken once.
 */
export function parsePastedContacts(text: string): PastedContacts {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const contacts: PastedContact[] = [];
  const rejected: PastedRejection[] = [];
  const seen = new Set<string>();
  let repeated = 0;
  const take = (found: PastedContact) => {
    if (seen.has(found.email)) repeated++;
    else {
      seen.add(found.email);
      contacts.push(found);
    }
  };
  const first = lines.findIndex((line) => line.trim() !== '');
  const firstLine = first < 0 ? '' : (lines[first] as string);
  const separator = [',', ';', '\t'].sort(
    (a, b) => firstLine.split(b).length - firstLine.split(a).length,
  )[0] as string;
  const columns = first < 0 ? null : headerColumns(csvCells(firstLine, separator));
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || (columns && index === first)) return;
    if (columns) {
      const row = csvRow(csvCells(raw, separator), columns);
      if (typeof row === 'string') rejected.push({ line: index + 1, text: line, reason: row });
      else take(row);
      return;
    }
    const parts = addressParts(line.replace(/\t/g, ','));
    const loose = looseRow(parts);
    if (loose) {
      take(loose);
      return;
    }
    for (const part of parts.flatMap((piece) =>
      piece.includes('<') || !piece.includes('@') ? [piece] : piece.split(/\s+/),
    )) {
      const entry = addressEntry(part);
      if (entry) take(entry);
      else
        rejected.push({
          line: index + 1,
          text: part,
          reason: part.includes('@') ? 'notAddress' : 'noAddress',
        });
    }
  });
  return { contacts, rejected, repeated, header: columns ? firstLine.trim() : null };
}
