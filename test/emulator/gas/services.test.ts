/**
 * Tests of the service fakes through the runtime, each against its documented limit (FACTS.md):
 * PropertiesService (9 KB per value, 500 KB per store, script properties shared by everyone),
 * CacheService (250-char keys, 100 KB values, 1,000 items, TTL 600 s default and 6 h at most),
 * LockService (script lock for everyone, user lock per user), ScriptApp (tokens, triggers hourly
 * at most and 20 per user), Session.
 */
import { OAuth2Client } from 'google-auth-library';
import { createAppsScriptRuntime, type AppsScriptRuntime } from '../../../src/emulator/gas/runtime';
import { testEmulator, testManifest, writeBundle } from './runtime-support';

const script = `
function props(e) {
  var p = e.scope === 'script' ? PropertiesService.getScriptProperties() : PropertiesService.getUserProperties();
  if (e.set) p.setProperty(e.key, e.value);
  return p.getProperty(e.key);
}
function bigValue(e) {
  var p = PropertiesService.getUserProperties();
  p.setProperty('small', 'kept');
  try { p.setProperty('big', new Array(e.bytes + 1).join('x')); } catch (err) { return [String(err), p.getKeys()]; }
  return ['stored', p.getKeys()];
}
function fillStore() {
  var p = PropertiesService.getUserProperties();
  var chunk = new Array(9 * 1024 - 10).join('y');
  for (var i = 0; i < 60; i++) {
    try { p.setProperty('k' + i, chunk); } catch (err) { return [i, String(err), p.getKeys().length]; }
  }
  return 'no limit';
}
function documentStores() { return [PropertiesService.getDocumentProperties(), CacheService.getDocumentCache(), LockService.getDocumentLock()]; }
function cache(e) {
  var c = e.scope === 'script' ? CacheService.getScriptCache() : CacheService.getUserCache();
  if (e.put) e.ttl === undefined ? c.put(e.key, e.value) : c.put(e.key, e.value, e.ttl);
  return c.get(e.key);
}
function cacheLimit(e) {
  try { CacheService.getUserCache().put(e.key, e.value); return 'stored'; } catch (err) { return String(err); }
}
function cacheMany() {
  var c = CacheService.getScriptCache();
  for (var i = 0; i < 1001; i++) c.put('item' + i, 'v', 600 + i);
  return [c.get('item0'), c.get('item100'), c.get('item101'), c.get('item1000')];
}
function holdLock(e) {
  var lock = e.scope === 'script' ? LockService.getScriptLock() : LockService.getUserLock();
  lock.waitLock(1000);
  UrlFetchApp.fetch(e.url);
  return lock.hasLock();
}
function tryLock(e) {
  var lock = e.scope === 'script' ? LockService.getScriptLock() : LockService.getUserLock();
  return lock.tryLock(200);
}
function waitLock() {
  try { LockService.getScriptLock().waitLock(200); return 'locked'; } catch (err) { return String(err); }
}
function tokens() { return [ScriptApp.getOAuthToken(), ScriptApp.getOAuthToken(), ScriptApp.getIdentityToken()]; }
function session() {
  return [Session.getActiveUser().getEmail(), Session.getEffectiveUser().getEmail(), Session.getActiveUserLocale(), Session.getScriptTimeZone()];
}
function trigger(e) {
  try {
    var builder = ScriptApp.newTrigger('onSync').timeBased();
    var t = e.minutes ? builder.everyMinutes(e.minutes).create() : builder.everyHours(1).create();
    return t.getHandlerFunction();
  } catch (err) { return String(err); }
}
function triggerCount() { return ScriptApp.getProjectTriggers().length; }
function deleteTriggers() { ScriptApp.getProjectTriggers().forEach(function (t) { ScriptApp.deleteTrigger(t); }); return ScriptApp.getProjectTriggers().length; }
`;

describe('the service fakes', () => {
  const api = testEmulator();
  let runtime: AppsScriptRuntime;
  let holdServer: import('node:http').Server;
  let release: (() => void)[] = [];
  let arrived: () => void = () => undefined;
  let holdUrl = '';

  beforeAll(async () => {
    const http = await import('node:http');
    holdServer = http.createServer((_request, response) => {
      release.push(() => response.end('released'));
      arrived();
    });
    await new Promise<void>((resolve) => holdServer.listen(0, '127.0.0.1', resolve));
    const address = holdServer.address() as import('node:net').AddressInfo;
    holdUrl = `http://127.0.0.1:${address.port}/hold`;
    runtime = createAppsScriptRuntime({
      api,
      bundlePath: writeBundle(script),
      manifest: testManifest([`http://127.0.0.1:${address.port}/`]),
      maxWorkers: 3,
      addonConfig: {
        backendUrl: 'https://backend.emulator.test',
        oauthClientId: 'client-1.apps.googleusercontent.com',
        scriptId: 's',
      },
    });
  });
  afterAll(async () => {
    await runtime.close();
    await new Promise((resolve) => holdServer.close(resolve));
  });

  describe('PropertiesService', () => {
    it('shares script properties between users of every domain and keeps user properties per user', async () => {
      await runtime.runFunction('props', {
        user: 'ann@a.example',
        event: { scope: 'script', set: true, key: 'k', value: 'one' },
      });
      await runtime.runFunction('props', {
        user: 'ann@a.example',
        event: { scope: 'user', set: true, key: 'k', value: 'ann' },
      });
      expect(
        (
          await runtime.runFunction('props', {
            user: 'bob@b.example',
            event: { scope: 'script', key: 'k' },
          })
        ).result?.json,
      ).toBe('one');
      expect(
        (
          await runtime.runFunction('props', {
            user: 'bob@b.example',
            event: { scope: 'user', key: 'k' },
          })
        ).result?.json,
      ).toBeNull();
      expect(
        (
          await runtime.runFunction('props', {
            user: 'ann@a.example',
            event: { scope: 'user', key: 'k' },
          })
        ).result?.json,
      ).toBe('ann');
    });

    it('refuses a value over 9 KB and stores one of exactly 9 KB', async () => {
      const over = await runtime.runFunction('bigValue', {
        user: 'val@a.example',
        event: { bytes: 9 * 1024 + 1 },
      });
      expect(over.result?.json).toEqual(['Exception: Argument too large: value', ['small']]);
      const exact = await runtime.runFunction('bigValue', {
        user: 'val@a.example',
        event: { bytes: 9 * 1024 },
      });
      expect(exact.result?.json).toEqual(['stored', ['small', 'big']]);
    });

    it('refuses writes past 500 KB per store and keeps what was stored', async () => {
      const run = await runtime.runFunction('fillStore', { user: 'full@a.example' });
      const [index, message, keys] = run.result?.json as [number, string, number];
      expect(message).toBe(
        'Exception: You have exceeded the property storage quota. Please remove some properties and try again.',
      );
      expect(index).toBe(55);
      expect(keys).toBe(55);
    });

    it('has no document stores outside a document', async () => {
      expect(
        (await runtime.runFunction('documentStores', { user: 'ann@a.example' })).result?.json,
      ).toEqual([null, null, null]);
    });
  });

  describe('CacheService', () => {
    it('expires entries after 600 s by default on the virtual clock', async () => {
      await runtime.runFunction('cache', {
        user: 'ann@a.example',
        event: { put: true, key: 'c', value: 'v' },
      });
      api.clock.advance(599_000);
      expect(
        (await runtime.runFunction('cache', { user: 'ann@a.example', event: { key: 'c' } })).result
          ?.json,
      ).toBe('v');
      api.clock.advance(2_000);
      expect(
        (await runtime.runFunction('cache', { user: 'ann@a.example', event: { key: 'c' } })).result
          ?.json,
      ).toBeNull();
    });

    it('keeps an entry 6 hours at most, whatever TTL is asked', async () => {
      await runtime.runFunction('cache', {
        user: 'ann@a.example',
        event: { put: true, key: 'long', value: 'v', ttl: 86_400 },
      });
      api.clock.advance(21_599_000);
      expect(
        (await runtime.runFunction('cache', { user: 'ann@a.example', event: { key: 'long' } }))
          .result?.json,
      ).toBe('v');
      api.clock.advance(2_000);
      expect(
        (await runtime.runFunction('cache', { user: 'ann@a.example', event: { key: 'long' } }))
          .result?.json,
      ).toBeNull();
    });

    it('keeps user caches apart', async () => {
      await runtime.runFunction('cache', {
        user: 'ann@a.example',
        event: { put: true, key: 'mine', value: 'ann' },
      });
      expect(
        (await runtime.runFunction('cache', { user: 'bob@a.example', event: { key: 'mine' } }))
          .result?.json,
      ).toBeNull();
    });

    it('refuses keys over 250 characters and values over 100 KB', async () => {
      const user = 'ann@a.example';
      expect(
        (
          await runtime.runFunction('cacheLimit', {
            user,
            event: { key: 'k'.repeat(250), value: 'v' },
          })
        ).result?.json,
      ).toBe('stored');
      expect(
        (
          await runtime.runFunction('cacheLimit', {
            user,
            event: { key: 'k'.repeat(251), value: 'v' },
          })
        ).result?.json,
      ).toBe('Exception: Argument too large: key');
      expect(
        (
          await runtime.runFunction('cacheLimit', {
            user,
            event: { key: 'v', value: 'x'.repeat(100 * 1024 + 1) },
          })
        ).result?.json,
      ).toBe('Exception: Argument too large: value');
    });

    it('evicts down to the 900 items farthest from expiry when 1,000 are exceeded', async () => {
      const run = await runtime.runFunction('cacheMany', { user: 'ann@a.example' });
      expect(run.result?.json).toEqual([null, null, 'v', 'v']);
      expect(runtime.state.caches.size('script')).toBe(900);
    });
  });

  describe('LockService', () => {
    async function holding(scope: string, user: string) {
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      const holder = runtime.runFunction('holdLock', { user, event: { scope, url: holdUrl } });
      await reached;
      return { holder };
    }
    function releaseHolder(): void {
      release.forEach((end) => end());
      release = [];
    }

    it('blocks every user with the script lock until the holder finishes', async () => {
      const { holder } = await holding('script', 'ann@a.example');
      expect(
        (
          await runtime.runFunction('tryLock', {
            user: 'bob@b.example',
            event: { scope: 'script' },
          })
        ).result?.json,
      ).toBe(false);
      expect((await runtime.runFunction('waitLock', { user: 'bob@b.example' })).result?.json).toBe(
        'Exception: Lock timeout: another process was holding the lock for too long.',
      );
      releaseHolder();
      expect((await holder).result?.json).toBe(true);
      expect(
        (
          await runtime.runFunction('tryLock', {
            user: 'bob@b.example',
            event: { scope: 'script' },
          })
        ).result?.json,
      ).toBe(true);
    });

    it('blocks only the same user with the user lock', async () => {
      const { holder } = await holding('user', 'ann@a.example');
      expect(
        (await runtime.runFunction('tryLock', { user: 'bob@a.example', event: { scope: 'user' } }))
          .result?.json,
      ).toBe(true);
      expect(
        (await runtime.runFunction('tryLock', { user: 'ann@a.example', event: { scope: 'user' } }))
          .result?.json,
      ).toBe(false);
      releaseHolder();
      await holder;
    });
  });

  describe('ScriptApp and Session', () => {
    const connections = (token: string) =>
      api.handle({
        method: 'GET',
        url: 'https://people.googleapis.com/v1/people/me/connections?personFields=names',
        headers: { Authorization: `Bearer ${token}` },
      });

    it('gives one access token per execution, for the user and the manifest scopes', async () => {
      const run = await runtime.runFunction('tokens', { user: 'ann@a.example' });
      const [first, second] = run.result?.json as string[];
      expect(first).toBe(second);
      const before = api.callCount({ user: 'ann@a.example' });
      expect(connections(first as string).status).toBe(200);
      expect(api.callCount({ user: 'ann@a.example' })).toBe(before + 1);
    });

    it('gives a token that fails like production when the manifest lacks a scope', async () => {
      const scopes = ['openid', 'https://www.googleapis.com/auth/userinfo.email'];
      const narrow = createAppsScriptRuntime({
        api,
        bundlePath: writeBundle(script),
        manifest: testManifest([], scopes),
      });
      try {
        const run = await narrow.runFunction('tokens', { user: 'ann@a.example' });
        const answer = connections((run.result?.json as string[])[0] as string);
        expect(answer.status).toBe(403);
        expect(answer.body).toContain('PERMISSION_DENIED');
      } finally {
        await narrow.close();
      }
    });

    it('returns an ID token for the user, for the script client, signed by the emulator key', async () => {
      const run = await runtime.runFunction('tokens', { user: 'ann@a.example' });
      const idToken = (run.result?.json as string[])[2] as string;
      const client = new OAuth2Client();
      const ticket = await client.verifySignedJwtWithCertsAsync(
        idToken,
        api.idTokens.certs(),
        'client-1.apps.googleusercontent.com',
        ['https://accounts.google.com'],
      );
      expect(ticket.getPayload()).toMatchObject({
        email: 'ann@a.example',
        hd: 'a.example',
        aud: 'client-1.apps.googleusercontent.com',
      });
    });

    it('refuses an ID token without the openid scope', async () => {
      const bare = createAppsScriptRuntime({
        api,
        bundlePath: writeBundle(script),
        manifest: testManifest([], ['https://www.googleapis.com/auth/contacts']),
      });
      try {
        const run = await bare.runFunction('tokens', { user: 'ann@a.example' });
        expect(run.error?.message).toMatch(/openid/);
      } finally {
        await bare.close();
      }
    });

    it('tells who runs the script and where', async () => {
      const event = {
        commonEventObject: { userLocale: 'fr', timeZone: { id: 'Europe/Paris', offset: 3600000 } },
      };
      const run = await runtime.runFunction('session', { user: 'ann@a.example', event });
      expect(run.result?.json).toEqual(['ann@a.example', 'ann@a.example', 'fr', 'Europe/Paris']);
    });

    it('refuses time triggers more often than hourly, and more than 20 per user', async () => {
      const user = 'trig@a.example';
      expect(
        (await runtime.runFunction('trigger', { user, event: { minutes: 30 } })).result?.json,
      ).toBe(
        'Exception: Add-ons may not create time-based triggers that run more often than once per hour.',
      );
      for (let i = 0; i < 20; i++) {
        expect((await runtime.runFunction('trigger', { user, event: {} })).result?.json).toBe(
          'onSync',
        );
      }
      expect((await runtime.runFunction('trigger', { user, event: {} })).result?.json).toBe(
        'Exception: This add-on has created too many time-based triggers in this document for this Google user account.',
      );
      expect(
        (await runtime.runFunction('triggerCount', { user: 'other@a.example' })).result?.json,
      ).toBe(0);
      expect(runtime.listTriggers(user)).toHaveLength(20);
      expect((await runtime.runFunction('deleteTriggers', { user })).result?.json).toBe(0);
    });
  });
});
