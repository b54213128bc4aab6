/** This file defines the card actions of the support feature, dispatched by the router. */
import type { ActionTable } from './action-kit';

/** The support feature's card actions by name. */
export const supportActions: ActionTable = {};
