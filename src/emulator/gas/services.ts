/**
 * This file defines the Apps Script service globals of one execution in the script's worker, which
 * reach the host's shared state through synchronous calls: the storage services, Session,
 * ScriptApp, UrlFetchApp, GmailApp, Logger and console.
 */
import { format } from 'node:util';
import { createGmailApp } from './gmail-app';
import { createScriptApp } from './script-app';
import { createStorageServices } from './storage-services';
import { createUrlFetchApp } from './url-fetch-app';

/** The synchronous host call as the fakes see it: returns the value or throws an Exception. */
export type HostCall = (method: string, ...args: unknown[]) => unknown;

/** One log line of an execution. */
export interface LogEntry {
  level: 'log' | 'info' | 'warn' | 'error' | 'debug';
  message: string;
}

/** Who runs the execution and where. */
export interface ExecutionIdentity {
  user: string;
  locale: string;
  timeZone: string;
  scriptTimeZone: string;
}

function createSession(identity: ExecutionIdentity) {
  const user = Object.freeze({ getEmail: () => identity.user, toString: () => identity.user });
  return Object.freeze({
    getActiveUser: () => user,
    getEffectiveUser: () => user,
    getActiveUserLocale: () => identity.locale,
    getScriptTimeZone: () => identity.scriptTimeZone,
    getTimeZone: () => identity.timeZone,
    getTemporaryActiveUserKey: () =>
      Buffer.from(`temporary-key:${identity.user}`).toString('base64url'),
  });
}

function createLogging(logs: LogEntry[]) {
  let logText = '';
  const write =
    (level: LogEntry['level']) =>
    (...args: unknown[]) => {
      logs.push({ level, message: format(...args) });
    };
  const logger = {
    log(data: unknown, ...values: unknown[]) {
      const message = values.length > 0 ? format(String(data), ...values) : format(data);
      logs.push({ level: 'info', message });
      logText += `${message}\n`;
      return logger;
    },
    getLog: () => logText,
    clear: () => {
      logText = '';
    },
  };
  const console = Object.freeze({
    log: write('log'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    debug: write('debug'),
  });
  return { Logger: Object.freeze(logger), console };
}
/** Creates the service globals of one execution, bound to the host and the acting user. */
export function createServiceGlobals(
  host: HostCall,
  identity: ExecutionIdentity,
  scriptId: string,
  logs: LogEntry[],
) {
  return {
    ...createStorageServices(host),
    Session: createSession(identity),
    ScriptApp: createScriptApp(host, scriptId),
    UrlFetchApp: createUrlFetchApp(host),
    GmailApp: createGmailApp(host),
    ...createLogging(logs),
  };
}
