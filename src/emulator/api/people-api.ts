/**
 * This file defines the People API v1 of the emulator as the routes of its resources (contacts
 * and their batch writes, connections, contact groups, directory people), each in its own
 * module, with the limits, paging, sync tokens and errors of people.v1's discovery document.
 */
import type { VirtualClock } from './contract';
import { connectionRoutes } from './people-connections';
import { contactBatchRoutes } from './people-contact-batches';
import { contactGroupRoutes } from './people-contact-groups';
import { contactRoutes } from './people-contacts';
import { directoryPeopleRoutes } from './people-directory';
import type { PeopleSettings } from './people-shared';
import type { Route } from './route-context';
import type { WorkspaceStore } from './workspace-store';

/** Builds the People API routes over a store. */
export function peopleRoutes(
  store: WorkspaceStore,
  clock: VirtualClock,
  settings: PeopleSettings,
): Route[] {
  const deps = { store, clock, settings };
  return [
    ...connectionRoutes(deps),
    ...contactRoutes(deps),
    ...contactBatchRoutes(deps),
    ...directoryPeopleRoutes(deps),
    ...contactGroupRoutes(deps),
  ];
}
