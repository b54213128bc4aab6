/** This file defines LockService's user lock as the core ExecutionLock port. */
import type { ExecutionLock } from '../../core/ports';

/** LockService's user lock: it keeps apart two executions of the same user, and no one else. */
export class UserLock implements ExecutionLock {
  private readonly lock = LockService.getUserLock();

  tryLock(waitMs: number): boolean {
    return this.lock.tryLock(waitMs);
  }

  release(): void {
    if (this.lock.hasLock()) this.lock.releaseLock();
  }
}
