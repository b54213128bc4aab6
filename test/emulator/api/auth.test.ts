/** This file tests the emulator's authorisation: bearer tokens, scopes, expiry and isolation between users. */
import { ANNA, BOB, PEOPLE, describeBothWays } from './harness';

describeBothWays('authorisation', (fixture) => {
  it('answers 401 CREDENTIALS_MISSING without a bearer token', async () => {
    const answer = await fixture().send(
      'GET',
      `${PEOPLE}/people/me/connections?personFields=names`,
    );
    expect(answer.status).toBe(401);
    expect(answer.json.error.status).toBe('UNAUTHENTICATED');
    expect(answer.json.error.details[0].reason).toBe('CREDENTIALS_MISSING');
  });

  it('answers 401 for an unknown token and for an expired one', async () => {
    const { send, emulator } = fixture();
    expect(
      (
        await send('GET', `${PEOPLE}/people/me/connections?personFields=names`, {
          token: 'ya29.forged',
        })
      ).status,
    ).toBe(401);
    const token = emulator.mintAccessToken(ANNA, ['contacts'], 60);
    expect(
      (await send('GET', `${PEOPLE}/people/me/connections?personFields=names`, { token })).status,
    ).toBe(200);
    emulator.clock.advance(61_000);
    const expired = await send('GET', `${PEOPLE}/people/me/connections?personFields=names`, {
      token,
    });
    expect(expired.status).toBe(401);
    expect(expired.json.error.details[0].reason).toBe('ACCESS_TOKEN_EXPIRED');
  });

  it('answers 403 ACCESS_TOKEN_SCOPE_INSUFFICIENT for a call outside the token scopes', async () => {
    const { send, token } = fixture();
    const readOnly = token(ANNA, ['contacts.readonly']);
    const answer = await send('POST', `${PEOPLE}/people:createContact`, {
      token: readOnly,
      body: { names: [{ givenName: 'X' }] },
    });
    expect(answer.status).toBe(403);
    expect(answer.json.error.status).toBe('PERMISSION_DENIED');
    expect(answer.json.error.details[0].reason).toBe('ACCESS_TOKEN_SCOPE_INSUFFICIENT');
    expect(answer.json.error.details[0].metadata.method).toBe(
      'google.people.v1.PeopleService.CreateContact',
    );
  });

  it("never lets one user reach another user's contacts", async () => {
    const { send, token } = fixture();
    const created = await send('POST', `${PEOPLE}/people:createContact`, {
      token: token(ANNA),
      body: { names: [{ givenName: 'Secret' }] },
    });
    expect(created.status).toBe(200);
    const bobToken = token(BOB);
    const get = await send('GET', `${PEOPLE}/${created.json.resourceName}?personFields=names`, {
      token: bobToken,
    });
    expect(get.status).toBe(404);
    const list = await send('GET', `${PEOPLE}/people/me/connections?personFields=names`, {
      token: bobToken,
    });
    expect(list.json.connections).toBeUndefined();
    const del = await send('DELETE', `${PEOPLE}/${created.json.resourceName}:deleteContact`, {
      token: bobToken,
    });
    expect(del.status).toBe(404);
  });

  it('answers 404 for an unknown path', async () => {
    const answer = await fixture().send('GET', `${PEOPLE}/nothing/here`, {
      token: fixture().token(ANNA),
    });
    expect(answer.status).toBe(404);
    expect(answer.json.error.status).toBe('NOT_FOUND');
  });
});
