/** This file defines the card actions of the sharing feature, dispatched by the router. */
import type { ActionTable } from './action-kit';

/** The sharing feature's card actions by name. */
export const sharingActions: ActionTable = {};
