/**
 * This file starts a backend for support-access tests: wired to the Workspace API emulator, with a
 * generated OTP key ring, a clock the test moves, and helpers to enrol an agent and type codes.
 */
import { URI } from 'otpauth';
import { generateKey } from '../../../src/backend/support/secret-box';
import { totpCodeAt } from '../../../src/backend/support/totp';
import type { BackendConfig } from '../../../src/backend/platform/config';
import type { DatabaseKind } from '../harness';
import { startEmulatedHarness, type EmulatedHarness } from '../emulated';
import { OPEN_POLICY } from '../../fixtures/policy';
import { MANAGER } from '../../fixtures/staff';

export { ADMIN } from '../../fixtures/acme-users';
export { AGENT, AGENT2, MANAGER } from '../../fixtures/staff';

/** A key ring spec as OTP_ENCRYPTION_KEYS holds it, with a fresh key. */
export function freshKeyRing(id = 'k1'): string {
  return `${id}:${generateKey().toString('base64')}`;
}

export interface SupportHarness extends EmulatedHarness {
  /** The backend's clock (ms); tests move it forward. */
  now: number;
  /** Enrols an agent and returns its TOTP secret and backup codes. */
  enrol(agent: string): Promise<{ secret: Uint8Array; backupCodes: string[]; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- raw JSON
  /** The TOTP code of a secret at the backend's current time plus `offsetSeconds`. */
  code(secret: Uint8Array, offsetSeconds?: number): string;
  verify(agent: string, code: string): ReturnType<EmulatedHarness['request']>;
  /** Enrols, confirms with a first code, and moves the clock past that step. */
  enrolAndVerify(agent: string): Promise<{ secret: Uint8Array; backupCodes: string[] }>;
  /** Sets the tenant's policy as its admin. */
  setPolicy(domain: string, policy: Record<string, unknown>): Promise<void>;
  openSession(agent: string, body: Record<string, unknown>): ReturnType<EmulatedHarness['request']>;
  /** Reads the session user's labels through a session (the backend reads their account). */
  supportRead(agent: string, sessionId: string): ReturnType<EmulatedHarness['request']>;
  /** Event types of a tenant's chain, read by a security manager. */
  eventTypes(
    tenant: string,
  ): Promise<{ type: string; outcome: string; actor: string; detail: Record<string, unknown> }[]>;
}

/** Starts the support harness on a database. */
export async function startSupportHarness(
  kind: DatabaseKind,
  overrides: Partial<BackendConfig> = {},
): Promise<SupportHarness> {
  const clock = { now: Date.now() };
  const base = await startEmulatedHarness(
    kind,
    { otpEncryptionKeys: freshKeyRing(), ...overrides },
    { clock: () => clock.now },
  );
  const h = base as SupportHarness;
  Object.defineProperty(h, 'now', {
    get: () => clock.now,
    set: (value: number) => {
      if (value < clock.now) throw new Error('the support harness clock only moves forward');
      // The emulator checks the broker's JWT times: its clock moves with the backend's.
      base.emulator.clock.advance(value - clock.now);
      clock.now = value;
    },
  });
  h.enrol = async (agent) => {
    const response = await h.request('POST', '/v1/support/enrolment', {
      token: h.token(agent),
      body: {},
    });
    if (response.status !== 201) throw new Error(`enrolment failed: ${response.text}`);
    const parsed = URI.parse(response.body.otpauthUri as string);
    return {
      secret: new Uint8Array(parsed.secret.bytes),
      backupCodes: response.body.backupCodes as string[],
      body: response.body,
    };
  };
  h.code = (secret, offsetSeconds = 0) => totpCodeAt(secret, clock.now + offsetSeconds * 1000);
  h.verify = (agent, code) =>
    h.request('POST', '/v1/support/verify', { token: h.token(agent), body: { code } });
  h.enrolAndVerify = async (agent) => {
    const enrolment = await h.enrol(agent);
    const answer = await h.verify(agent, h.code(enrolment.secret));
    if (answer.status !== 200) throw new Error(`first code refused: ${answer.text}`);
    h.now += 30_000;
    return enrolment;
  };
  h.setPolicy = async (domain, policy) => {
    const answer = await h.request('PUT', `/v1/tenants/${domain}/policy`, {
      token: h.token(`admin@${domain}`),
      body: { ...OPEN_POLICY, ...policy },
    });
    if (answer.status !== 200) throw new Error(`policy refused: ${answer.text}`);
  };
  h.openSession = (agent, body) =>
    h.request('POST', '/v1/support/sessions', { token: h.token(agent), body });
  h.supportRead = (agent, sessionId) =>
    h.request('GET', `/v1/support/sessions/${encodeURIComponent(sessionId)}/labels`, {
      token: h.token(agent),
    });
  h.eventTypes = async (tenant) =>
    (
      await h.request('GET', `/v1/events?tenant=${tenant}&pageSize=500`, {
        token: h.token(MANAGER),
      })
    ).body.events;
  return h;
}
