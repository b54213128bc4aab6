/**
 * Tests of the transport's back-off against a deadline, on the Workspace API emulator's virtual
 * clock: a listing that keeps meeting 429s fails with that error instead of waiting past the time
 * its execution has, and without a deadline it backs off as before.
 */
import { DEADLINE_REACHED } from '../../src/core/sync-ports';
import { RoutedContactsGateway } from '../../src/google/people-gateway';
import { ownAccountOnEmulator } from '../fixtures/google-own-account';

const USER = 'alice@example.com';

function setup() {
  const own = ownAccountOnEmulator(USER, { modelledTime: true, random: () => 0.5 });
  const { emulator, transport } = own;
  const gateway = new RoutedContactsGateway(transport, () => {
    throw new Error('only the user’s own account is listed here');
  });
  const ref = { ...own.ref, syncToken: null };
  emulator.injectFault({
    operation: 'people.people.connections.list',
    user: USER,
    times: null,
    status: 429,
  });
  return { emulator, transport, gateway, ref };
}

describe('transport back-off and the deadline', () => {
  it('gives up a call whose next attempt would come after the deadline', () => {
    const { emulator, transport, gateway, ref } = setup();
    const deadline = emulator.clock.now() + 2_000;
    const [outcome] = gateway.listContacts([ref], deadline);
    expect(outcome).toEqual({
      ok: false,
      failure: expect.objectContaining({ httpStatus: 429 }),
    });
    expect(outcome?.ok === false && outcome.failure.reason).not.toBe(DEADLINE_REACHED);
    expect(emulator.clock.now()).toBeLessThanOrEqual(deadline);
    expect(transport.retries).toBeGreaterThan(0);
  });

  it('backs off through every attempt when no deadline is given', () => {
    const { emulator, transport, gateway, ref } = setup();
    const start = emulator.clock.now();
    const [outcome] = gateway.listContacts([ref]);
    expect(outcome?.ok).toBe(false);
    expect(transport.retries).toBe(5);
    expect(emulator.clock.now() - start).toBeGreaterThan(2_000);
  });
});
