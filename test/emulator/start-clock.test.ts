/**
 * The local stack's clock (`npm start`): the emulator's clock follows real time and the backend
 * signs with the same time, so that domain-wide delegation still works hours after start (it
 * was refused five minutes after start while the emulator's clock stood still), and modelled
 * time never takes the emulator's clock back.
 */
import { startLocalStack, type LocalStack } from '../../src/emulator/start';

const CONTACTS = ['https://www.googleapis.com/auth/contacts'];
const MINUTE = 60_000;

describe('the clock of the local stack', () => {
  let stack: LocalStack;
  /** How far the stack's real time is shifted from this machine's. */
  let shift = 0;

  beforeAll(async () => {
    stack = await startLocalStack({ wallClock: () => Date.now() + shift });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const minter = () => {
    const backend = stack.backend;
    if (!backend) throw new Error('the stack started without its backend');
    return backend.backend.services.minter;
  };

  it("follows the wall clock: the emulator's time moves with real time", () => {
    const before = stack.emulator.clock.now();
    shift += 30 * MINUTE;
    expect(stack.emulator.clock.now() - before).toBeGreaterThanOrEqual(30 * MINUTE);
  });

  it('grants delegated tokens to the backend long after start', async () => {
    const [first, second] = stack.users.slice(1, 3);
    await expect(minter().tokenFor(first as string, CONTACTS)).resolves.toMatchObject({
      cached: false,
    });
    // Six hours later (the backend signs with the stack's time; a clock standing still at start
    // saw its assertions as issued in the future and refused them).
    shift += 6 * 60 * MINUTE;
    await expect(minter().tokenFor(second as string, CONTACTS)).resolves.toMatchObject({
      cached: false,
    });
  });

  it("expires the emulator's access tokens as real time passes", async () => {
    const user = stack.users[1] as string;
    const token = stack.emulator.mintAccessToken(user, CONTACTS, 3600);
    const list = () =>
      fetch(`${stack.emulatorUrl}/v1/people/me/connections?personFields=names`, {
        headers: { authorization: `Bearer ${token}` },
      }).then((response) => response.status);
    await expect(list()).resolves.toBe(200);
    shift += 61 * MINUTE;
    await expect(list()).resolves.toBe(401);
  });

  it('lets modelled time run ahead of the wall clock, never back', async () => {
    const before = stack.emulator.clock.now();
    stack.emulator.clock.advance(10 * MINUTE);
    expect(stack.emulator.clock.now()).toBeGreaterThanOrEqual(before + 10 * MINUTE);
    const ahead = stack.emulator.clock.now();
    expect(stack.emulator.clock.now()).toBeGreaterThanOrEqual(ahead);
    // The backend's assertions are then issued in the emulator's past: still accepted.
    await expect(minter().tokenFor(stack.users[3] as string, CONTACTS)).resolves.toMatchObject({
      cached: false,
    });
  });
});
