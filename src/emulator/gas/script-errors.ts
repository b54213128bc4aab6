/**
 * This file defines how the fakes throw Apps Script's errors: an `Error` named "Exception" (so
 * `String(error)` reads "Exception: …", as in Apps Script), created in the script's own realm so
 * that the script's `instanceof Error` holds.
 */

/** The error message Apps Script gives when an execution runs out of time. */
export const EXCEEDED_MAXIMUM_EXECUTION_TIME = 'Exceeded maximum execution time';

let realmError: ErrorConstructor = Error;

/** Makes later exceptions come from the given realm's Error (the script's vm context). */
export function useScriptRealm(errorConstructor: ErrorConstructor): void {
  realmError = errorConstructor;
}

/** Creates the error Apps Script throws from a service: name "Exception" and the given message. */
export function scriptException(message: string): Error {
  const error = new realmError(message);
  error.name = 'Exception';
  return error;
}
