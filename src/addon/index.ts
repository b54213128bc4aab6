/**
 * This file defines the add-on's entry points: the functions that appsscript.json names, each a
 * one-line hand-off to the router. gas-webpack-plugin turns these global assignments into the
 * top-level function declarations that Apps Script calls.
 */
import { runSyncTrigger } from './actions/sharing-actions';
import { handleAction, showCompose, showHomepage, showMessage, showSettings } from './router';

type AddonEvent = GoogleAppsScript.Addons.EventObject;

declare global {
  var onHomepage: (event: AddonEvent) => GoogleAppsScript.Card_Service.Card;
  var onGmailMessage: (event: AddonEvent) => GoogleAppsScript.Card_Service.Card;
  var onCompose: (event: AddonEvent) => GoogleAppsScript.Card_Service.Card;
  var onSettings: (event: AddonEvent) => GoogleAppsScript.Card_Service.UniversalActionResponse;
  var onAction: (event: AddonEvent) => GoogleAppsScript.Card_Service.ActionResponse;
  var onSyncTrigger: () => void;
}

global.onHomepage = (event) => showHomepage(event);
global.onGmailMessage = (event) => showMessage(event);
global.onCompose = (event) => showCompose(event);
global.onSettings = (event) => showSettings(event);
global.onAction = (event) => handleAction(event);
global.onSyncTrigger = () => runSyncTrigger();
