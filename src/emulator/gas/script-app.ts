/**
 * This file defines the ScriptApp fake of the script's worker: OAuth and identity tokens, the
 * script id, and clock triggers kept by the host.
 */
import type { Provides } from './card-objects';
import { scriptException } from './script-errors';
import type { HostCall } from './services';

interface TriggerView {
  id: string;
  handlerFunction: string;
}

class Trigger implements Provides<
  GoogleAppsScript.Script.Trigger,
  'getUniqueId' | 'getHandlerFunction' | 'getEventType' | 'getTriggerSource'
> {
  constructor(private readonly record: TriggerView) {}
  getUniqueId(): string {
    return this.record.id;
  }
  getHandlerFunction(): string {
    return this.record.handlerFunction;
  }
  getEventType(): never {
    return 'CLOCK' as never;
  }
  getTriggerSource(): never {
    return 'CLOCK' as never;
  }
  toString(): string {
    return 'Trigger';
  }
}

/** ScriptApp.newTrigger(name).timeBased(): the add-on rules are checked on create(). */
class ClockTriggerBuilder {
  private everyHoursValue = 0;
  private atHourValue?: number;
  private nearMinuteValue?: number;
  constructor(
    private readonly host: HostCall,
    private readonly handlerFunction: string,
  ) {}
  everyMinutes(minutes: unknown): this {
    this.everyHoursValue = Number(minutes) / 60;
    return this;
  }
  everyHours(hours: unknown): this {
    this.everyHoursValue = Number(hours);
    return this;
  }
  everyDays(days: unknown): this {
    this.everyHoursValue = Number(days) * 24;
    return this;
  }
  everyWeeks(weeks: unknown): this {
    this.everyHoursValue = Number(weeks) * 24 * 7;
    return this;
  }
  atHour(hour: unknown): this {
    this.atHourValue = Number(hour);
    return this;
  }
  nearMinute(minute: unknown): this {
    this.nearMinuteValue = Number(minute);
    return this;
  }
  create(): Trigger {
    const record = this.host('triggerCreate', {
      handlerFunction: this.handlerFunction,
      everyHours: this.everyHoursValue,
      atHour: this.atHourValue,
      nearMinute: this.nearMinuteValue,
    }) as TriggerView;
    return new Trigger(record);
  }
}
/** Creates ScriptApp for one execution of the script with the given id. */
export function createScriptApp(host: HostCall, scriptId: string) {
  let token: string | undefined;
  const listTriggers = (): Trigger[] =>
    (host('triggerList') as TriggerView[]).map((record) => new Trigger(record));
  return Object.freeze({
    AuthMode: Object.freeze({
      NONE: 'NONE',
      CUSTOM_FUNCTION: 'CUSTOM_FUNCTION',
      LIMITED: 'LIMITED',
      FULL: 'FULL',
    }),
    EventType: Object.freeze({ CLOCK: 'CLOCK' }),
    TriggerSource: Object.freeze({ CLOCK: 'CLOCK' }),
    getOAuthToken(): string {
      token ??= host('accessToken') as string;
      return token;
    },
    getIdentityToken(): string {
      return host('identityToken') as string;
    },
    getScriptId(): string {
      return scriptId;
    },
    newTrigger(functionName: unknown) {
      if (typeof functionName !== 'string' || functionName === '')
        throw scriptException('Invalid argument: functionName');
      return Object.freeze({ timeBased: () => new ClockTriggerBuilder(host, functionName) });
    },
    getProjectTriggers: listTriggers,
    getUserTriggers: listTriggers,
    deleteTrigger(trigger: unknown): void {
      if (!(trigger instanceof Trigger)) throw scriptException('Invalid argument: trigger');
      host('triggerDelete', trigger.getUniqueId());
    },
  });
}
