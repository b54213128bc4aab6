/**
 * The share gateway's decision on a call, as a table: each row is the facts the handler loaded
 * and the refusal the gateway answers (or none), and whether it is audited in the share's chain.
 */
import { gatewayRefusal, type GatewayCallFacts } from '../../src/backend/gateway/gateway-decision';

const allowed: GatewayCallFacts = {
  shareId: 's-1',
  callerTenant: 'acme.example',
  caller: 'bob@acme.example',
  shareTenant: 'acme.example',
  level: 'view',
  account: 'ann@acme.example',
  role: 'master',
  reachable: true,
};

const cases: {
  name: string;
  facts: Partial<GatewayCallFacts>;
  refusal: { status: number; code: string; inShareChain: boolean } | null;
}[] = [
  { name: 'a participant reaching the master', facts: {}, refusal: null },
  {
    name: 'a contributor reaching a copy',
    facts: { level: 'contribute', role: 'copy', account: 'carol@acme.example' },
    refusal: null,
  },
  {
    name: 'a manager cleaning up a former participant',
    facts: { level: 'manage', role: 'former' },
    refusal: null,
  },
  {
    name: 'no such share',
    facts: { shareTenant: null, level: null, role: null, reachable: false },
    refusal: { status: 404, code: 'not_found', inShareChain: false },
  },
  {
    name: "another customer's share, whatever else is true",
    facts: { shareTenant: 'globex.example' },
    refusal: { status: 404, code: 'not_found', inShareChain: false },
  },
  {
    name: 'a caller of no customer',
    facts: { callerTenant: null },
    refusal: { status: 404, code: 'not_found', inShareChain: false },
  },
  {
    name: 'a colleague who takes no part in the share',
    facts: { level: null, role: null, reachable: false },
    refusal: { status: 404, code: 'not_found', inShareChain: true },
  },
  {
    name: "the caller's own account, even as owner",
    facts: { level: 'owner', account: 'bob@acme.example' },
    refusal: { status: 400, code: 'own_account', inShareChain: true },
  },
  {
    name: 'an account the share never reached',
    facts: { role: null, reachable: false },
    refusal: { status: 403, code: 'target_not_participant', inShareChain: true },
  },
  {
    name: 'a copy in a group the caller may not view',
    facts: { role: 'copy', reachable: false },
    refusal: { status: 403, code: 'target_not_participant', inShareChain: true },
  },
];

describe('the share gateway decides a call from its facts', () => {
  it.each(cases)('$name', ({ facts, refusal }) => {
    const decision = gatewayRefusal({ ...allowed, ...facts });
    if (refusal === null) {
      expect(decision).toBeNull();
      return;
    }
    expect(decision).not.toBeNull();
    expect({
      status: decision?.error.status,
      code: decision?.error.code,
      inShareChain: decision?.inShareChain,
    }).toEqual(refusal);
  });

  it('names the share in a not-found refusal, never the account', () => {
    const decision = gatewayRefusal({ ...allowed, level: null });
    expect(decision?.error.message).toBe('no share s-1');
  });
});
