/**
 * Tests of the add-on's daily budget of Apps Script quotas (developers.google.com/apps-script/
 * guides/services/quotas: URL Fetch calls 20,000 / 100,000 a day, triggers' total runtime 90 min
 * / 6 h a day, reset 24 hours after the first request): the hourly sync defers when its run would
 * cross a quota, keeping a reserve of calls for the user's cards, and runs again the next day.
 */
import { MemoryKeyValueStore } from '../../../src/core/memory-adapters';
import {
  CARD_RESERVE,
  DAILY_LIMITS,
  DailyBudget,
  FIRST_RUN_ESTIMATE,
} from '../../../src/addon/sharing/daily-budget';

const HOUR = 3600_000;

function setup(user = 'ann@acme.example') {
  const clock = { time: Date.UTC(2026, 0, 5, 9), now: () => clock.time };
  const store = new MemoryKeyValueStore();
  return { clock, store, budget: () => new DailyBudget(user, store, clock) };
}

describe('daily budget', () => {
  // quotas page: "URL Fetch calls … 100,000 / day" (Google Workspace)
  it('defers the hourly sync when its run would pass the URL Fetch calls left after the cards’ reserve, and runs it again a day after the first call (quotas page: URL Fetch calls)', () => {
    const { clock, budget } = setup();
    const limit = DAILY_LIMITS.workspace.urlFetchCalls * (1 - CARD_RESERVE);
    expect(budget().hourlyDeferral()).toBeNull();
    budget().note(4_000, { runtimeMs: 60_000 });
    budget().note(limit - 8_000);
    expect(budget().hourlyDeferral()).toBeNull();
    clock.time += HOUR;
    budget().note(3_000);
    const deferral = budget().hourlyDeferral();
    expect(deferral).toEqual({ quota: 'urlFetchCalls', until: Date.UTC(2026, 0, 6, 9) });
    budget().recordDeferral(deferral);
    expect(budget().deferral()).toEqual(deferral);
    clock.time = Date.UTC(2026, 0, 6, 9);
    expect(budget().hourlyDeferral()).toBeNull();
    expect(budget().deferral()).toBeNull();
  });

  // quotas page: "Triggers total runtime 90 min / day" (consumer accounts)
  it('defers the hourly sync of a consumer account once another run would pass 90 minutes of trigger runtime (quotas page: Triggers total runtime)', () => {
    const { clock, budget } = setup('someone@gmail.com');
    let runs = 0;
    while (budget().hourlyDeferral() === null && runs < 48) {
      budget().note(200, { runtimeMs: 4 * 60_000 });
      clock.time += HOUR;
      runs++;
    }
    expect(runs).toBe(22);
    expect(budget().hourlyDeferral()?.quota).toBe('triggerRuntimeMs');
  });

  it('takes the first run of the day for its whole budget, and later runs for the costliest one', () => {
    const { budget } = setup('someone@gmail.com');
    budget().note(
      DAILY_LIMITS.consumer.urlFetchCalls * (1 - CARD_RESERVE) -
        FIRST_RUN_ESTIMATE.urlFetchCalls +
        1,
    );
    expect(budget().hourlyDeferral()?.quota).toBe('urlFetchCalls');
    const fresh = setup('other@gmail.com');
    fresh.budget().note(50, { runtimeMs: 1_000 });
    fresh.budget().note(DAILY_LIMITS.consumer.urlFetchCalls * (1 - CARD_RESERVE) - 100);
    expect(fresh.budget().hourlyDeferral()).toBeNull();
  });
});
