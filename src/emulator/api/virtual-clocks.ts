/**
 * This file defines the virtual clocks of the emulator: its own time, or one that follows the wall
 * clock.
 */
import type { VirtualClock } from './contract';

/** The virtual clock of an emulator on its own time: it moves only when advanced. */
export class EmulatorClock implements VirtualClock {
  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  advance(milliseconds: number): void {
    if (milliseconds < 0) throw new Error('The virtual clock cannot go back.');
    this.current += milliseconds;
  }
}

/**
 * The clock of a local stack that runs on real time: the wall clock, or later when modelled time
 * ran ahead of it. It never goes back.
 */
export class WallFollowingClock implements VirtualClock {
  private floor = 0;

  constructor(private readonly wall: () => number) {}

  now(): number {
    return Math.max(this.wall(), this.floor);
  }

  advance(milliseconds: number): void {
    if (milliseconds < 0) throw new Error('The virtual clock cannot go back.');
    this.floor = this.now() + milliseconds;
  }
}
