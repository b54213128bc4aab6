/**
 * This file registers the backend's one HTTP function with functions-framework; the logic lives
 * beside it (app.ts). Deploy with `--entry-point=sharedContacts`.
 */
import * as functions from '@google-cloud/functions-framework';
import { lazyHandler } from './app';

functions.http('sharedContacts', lazyHandler());
