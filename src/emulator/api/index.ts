/**
 * This file is the public entry of the Workspace API emulator: `createWorkspaceEmulator`, the
 * HTTP client over it, and the types callers need.
 */
import { WorkspaceEmulator, type WorkspaceEmulatorOptions } from './workspace-emulator';

export { WorkspaceEmulator, type WorkspaceEmulatorOptions } from './workspace-emulator';
export { EmulatorHttpClient } from './http-client';
export { EmulatorTimeoutError } from './google-errors';
export type { CallFilter, FaultRule, TrafficSettings, TrafficSettingsPatch } from './traffic-model';
export type { SeedSpec, SeedSummary } from '../seed/workspace-seed';
export type {
  EmulatorRequest,
  EmulatorResponse,
  ApiHandler,
  VirtualClock,
  WorkspaceEmulatorFacade,
} from './contract';
export { PEOPLE_LIMITS } from './people-shared';
export { MESSAGE_SCOPES, type GmailMessageRecord } from './gmail-messages';
export { DIRECTORY_LIMITS } from './directory-shared';
export {
  PRODUCTION_LIKE,
  TRAFFIC_PROFILES,
  applyTrafficProfile,
  profileFromEnvironment,
  type TrafficProfileName,
} from './traffic-profile';

/** Creates an in-memory Workspace emulator, optionally seeded with a generated Workspace. */
export function createWorkspaceEmulator(options: WorkspaceEmulatorOptions = {}): WorkspaceEmulator {
  return new WorkspaceEmulator(options);
}
