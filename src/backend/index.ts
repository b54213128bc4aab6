/**
 * This file registers the backend's one HTTP function with functions-framework; the logic lives
 * beside it (app.ts). Deploy with `--entry-point=sharedContacts`. Before registering, it takes
 * body parsing and path decoding over from the framework (platform/framework-takeover.ts), so
 * that every answer, whatever the input, is the backend's own JSON.
 */
import * as functions from '@google-cloud/functions-framework';
import { lazyHandler } from './app';
import { jsonLogger } from './platform/logger';
import { takeOverFramework } from './platform/framework-takeover';

const logger = jsonLogger();
takeOverFramework((message, fields) => logger.log('WARNING', message, fields));
functions.http('sharedContacts', lazyHandler());
