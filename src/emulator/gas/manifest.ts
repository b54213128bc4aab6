/** This file reads an Apps Script add-on manifest (appsscript.json): the functions it names and its allow-list. */

/** The parts of appsscript.json that the runtime reads. */
export interface AddonManifest {
  timeZone: string;
  runtimeVersion: string;
  oauthScopes: string[];
  urlFetchWhitelist?: string[];
  addOns: {
    common: {
      name: string;
      homepageTrigger?: { runFunction: string; enabled?: boolean };
      universalActions?: { label: string; runFunction?: string; openLink?: string }[];
    };
    gmail?: {
      homepageTrigger?: { runFunction: string };
      contextualTriggers?: { unconditional: Record<string, never>; onTriggerFunction: string }[];
      composeTrigger?: {
        selectActions: { text: string; runFunction: string }[];
        draftAccess?: string;
      };
    };
    calendar?: { homepageTrigger?: { runFunction: string } };
    drive?: { homepageTrigger?: { runFunction: string } };
  };
}

/** Lists every function that the manifest names, each once, in manifest order. */
export function manifestFunctionNames(manifest: AddonManifest): string[] {
  const { common, gmail, calendar, drive } = manifest.addOns;
  const names = [
    common.homepageTrigger?.runFunction,
    ...(common.universalActions ?? []).map((action) => action.runFunction),
    gmail?.homepageTrigger?.runFunction,
    ...(gmail?.contextualTriggers ?? []).map((trigger) => trigger.onTriggerFunction),
    ...(gmail?.composeTrigger?.selectActions ?? []).map((action) => action.runFunction),
    calendar?.homepageTrigger?.runFunction,
    drive?.homepageTrigger?.runFunction,
  ];
  return [...new Set(names.filter((name): name is string => typeof name === 'string'))];
}
