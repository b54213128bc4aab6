/** Tests of the sharing vocabulary: level order, actions per level, effective levels. */
import { effectiveLevel, levelAllows, mayPerform, type Share } from '../../src/core/sharing-model';
import { sampleShare } from '../fixtures/core-shares';

const share: Share = sampleShare({
  grants: [
    { target: { kind: 'user', email: 'bob@example.com' }, level: 'edit' },
    { target: { kind: 'group', email: 'sales@example.com' }, level: 'view' },
    { target: { kind: 'user', email: 'dan@example.com' }, level: 'view' },
    { target: { kind: 'group', email: 'leads@example.com' }, level: 'manage' },
  ],
});

describe('sharing model (DESIGN.md §4)', () => {
  it('orders levels view < edit < contribute < manage < owner', () => {
    expect(levelAllows('edit', 'view')).toBe(true);
    expect(levelAllows('view', 'edit')).toBe(false);
    expect(levelAllows('manage', 'contribute')).toBe(true);
    expect(levelAllows('contribute', 'manage')).toBe(false);
    expect(levelAllows('owner', 'manage')).toBe(true);
  });

  it('allows each action from its level up', () => {
    expect(mayPerform('view', 'read')).toBe(true);
    expect(mayPerform('view', 'editContact')).toBe(false);
    expect(mayPerform('edit', 'addContact')).toBe(false);
    expect(mayPerform('contribute', 'removeContact')).toBe(true);
    expect(mayPerform('manage', 'share')).toBe(true);
    expect(mayPerform('manage', 'rename')).toBe(false);
    expect(mayPerform('owner', 'transferOwnership')).toBe(true);
  });

  it('gives the owner owner, a direct grant its level, a group member the group level', () => {
    expect(effectiveLevel(share, 'Alice@Example.com', [])).toBe('owner');
    expect(effectiveLevel(share, 'bob@example.com', ['sales@example.com'])).toBe('edit');
    expect(effectiveLevel(share, 'carol@example.com', ['sales@example.com'])).toBe('view');
    expect(effectiveLevel(share, 'erin@example.com', [])).toBeNull();
  });

  it('lets a member override lower their group level, and takes the highest of several groups', () => {
    expect(effectiveLevel(share, 'dan@example.com', ['leads@example.com'])).toBe('view');
    expect(
      effectiveLevel(share, 'fay@example.com', ['sales@example.com', 'leads@example.com']),
    ).toBe('manage');
  });

  it('applies a domain grant to users of that domain only', () => {
    const domainShare: Share = {
      ...share,
      grants: [{ target: { kind: 'domain', domain: 'example.com' }, level: 'view' }],
    };
    expect(effectiveLevel(domainShare, 'zed@example.com', [])).toBe('view');
    expect(effectiveLevel(domainShare, 'zed@other.com', [])).toBeNull();
  });
});
