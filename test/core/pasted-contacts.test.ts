/**
 * Tests of reading pasted contacts: lists of addresses in the forms people copy them (from a To
 * line, a spreadsheet column, one a line), CSV with a header (Google's and Outlook's exports), and
 * the lines that cannot be taken, each with its line number and reason.
 */
import { parsePastedContacts } from '../../src/core/pasted-contacts';

describe('pasted contacts', () => {
  it('reads a To line with display names, quotes and separators', () => {
    const pasted = parsePastedContacts(
      'Ann Lee <ann@x.example>, "Lee, Bob" <BOB@x.example>; carol@x.example\ndan@x.example eve@x.example',
    );
    expect(pasted.contacts.map((contact) => contact.email)).toEqual([
      'ann@x.example',
      'bob@x.example',
      'carol@x.example',
      'dan@x.example',
      'eve@x.example',
    ]);
    expect(pasted.contacts[0]).toMatchObject({ givenName: 'Ann', familyName: 'Lee' });
    expect(pasted.contacts[1]).toMatchObject({ givenName: 'Bob', familyName: 'Lee' });
    expect(pasted.rejected).toEqual([]);
    expect(pasted.header).toBeNull();
  });

  it('reads CSV with a header naming its columns, in any order, with quoted cells', () => {
    const pasted = parsePastedContacts(
      [
        'First Name,Last Name,Company,E-mail 1 - Value,Phone 1 - Value',
        'Ann,Lee,"Acme, Inc.",ann@x.example,+1 555 0100',
        'Bob,,,,',
        'Carl,Ray,,carl@,',
      ].join('\r\n'),
    );
    expect(pasted.contacts).toEqual([
      {
        email: 'ann@x.example',
        givenName: 'Ann',
        familyName: 'Lee',
        phone: '+1 555 0100',
        organization: 'Acme, Inc.',
      },
    ]);
    expect(pasted.rejected).toEqual([
      { line: 3, text: 'Bob,,,,', reason: 'noAddress' },
      { line: 4, text: 'Carl,Ray,,carl@,', reason: 'notAddress' },
    ]);
    expect(pasted.header).toBe('First Name,Last Name,Company,E-mail 1 - Value,Phone 1 - Value');
  });

  it('reads tab-separated rows pasted from a spreadsheet, and headerless name-address rows', () => {
    const tabs = parsePastedContacts('Name\tEmail\nAnn Lee\tann@x.example');
    expect(tabs.contacts).toEqual([
      { email: 'ann@x.example', givenName: 'Ann', familyName: 'Lee', phone: '', organization: '' },
    ]);
    const loose = parsePastedContacts('Ann Lee, ann@x.example, +1 555 0100, Acme');
    expect(loose.contacts).toEqual([
      {
        email: 'ann@x.example',
        givenName: 'Ann',
        familyName: 'Lee',
        phone: '+1 555 0100',
        organization: 'Acme',
      },
    ]);
  });

  it('takes each address once and lists every part it could not read, with its line', () => {
    const pasted = parsePastedContacts(
      'ann@x.example\n\nnot an address\nbob@x, ann@x.example\n<script>@x.example',
    );
    expect(pasted.contacts.map((contact) => contact.email)).toEqual(['ann@x.example']);
    expect(pasted.repeated).toBe(1);
    expect(pasted.rejected).toEqual([
      { line: 3, text: 'not an address', reason: 'noAddress' },
      { line: 4, text: 'bob@x', reason: 'notAddress' },
      { line: 5, text: '<script>@x.example', reason: 'notAddress' },
    ]);
  });
});
