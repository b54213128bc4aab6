/**
 * This file defines the People API v1 of the emulator as the routes of its resources (contacts,
 * connections, contact groups, directory people), each in its own module, with the limits,
 * paging, sync tokens and errors of people.v1's discovery document and FACTS.md.
 */
import type { VirtualClock } from './contract';
import { connectionRoutes } from './people-connections';
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
    ...directoryPeopleRoutes(deps),
    ...contactGroupRoutes(deps),
  ];
}
