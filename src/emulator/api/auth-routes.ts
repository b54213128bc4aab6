/**
 * This file defines the emulator's Google sign-in and signing endpoints: the OAuth token
 * exchange, IAM Credentials signJwt and signBlob, a service account's public keys and Google's
 * ID-token certificates.
 */
import type { IdTokenIssuer } from './id-token-issuer';
import { TOKEN_URL, type OAuthState } from './oauth';
import { jsonBody, type Route, type RouteResult } from './route-context';
import type { WorkspaceStore } from './workspace-store';

const CLOUD_PLATFORM = [
  'https://www.googleapis.com/auth/cloud-platform',
  'https://www.googleapis.com/auth/iam',
];
const TOKEN_AUDIENCES = [
  TOKEN_URL,
  'https://accounts.google.com/o/oauth2/token',
  'https://www.googleapis.com/oauth2/v4/token',
];

/** Builds the routes of the token, signing and key endpoints over the emulator's OAuth state. */
export function authRoutes(
  oauth: OAuthState,
  idTokens: IdTokenIssuer,
  store: WorkspaceStore,
): Route[] {
  const base = { mutation: false, quota: 'none' as const };
  /** An IAM Credentials method that signs as a service account (signJwt, signBlob). */
  const signerRoute = (
    method: 'signJwt' | 'signBlob',
    sign: (caller: string, account: string, body: unknown) => object,
  ): Route => ({
    ...base,
    method: 'POST',
    host: 'iamcredentials.googleapis.com',
    pattern: new RegExp(`^/v1/projects/([^/]+)/serviceAccounts/([^/:]+):${method}$`),
    operation: `iamcredentials.projects.serviceAccounts.${method}`,
    rpc: `google.iam.credentials.v1.IAMCredentials.${method === 'signJwt' ? 'SignJwt' : 'SignBlob'}`,
    scopes: CLOUD_PLATFORM,
    run: (context): RouteResult => ({
      body: sign(context.caller.email, context.params[1] ?? '', jsonBody(context)),
    }),
  });
  return [
    {
      ...base,
      method: 'POST',
      host: 'oauth2.googleapis.com',
      pattern: /^\/token$/,
      operation: 'oauth2.token',
      rpc: 'oauth2.token',
      scopes: null,
      run: (context): RouteResult => {
        const form = context.body?.trim().startsWith('{')
          ? new URLSearchParams(
              Object.entries(jsonBody(context)).map(([key, value]): [string, string] => [
                key,
                String(value),
              ]),
            )
          : new URLSearchParams(context.body ?? '');
        const origin = `${context.url.protocol}//${context.url.host}`;
        return {
          body: oauth.exchangeAssertion(
            form,
            [...TOKEN_AUDIENCES, `${origin}/token`],
            (email) => store.users.has(email),
            (domain) => store.domainsOfCustomerOf(domain),
          ),
        };
      },
    },
    signerRoute('signJwt', (caller, account, body) => oauth.signJwtAs(caller, account, body)),
    signerRoute('signBlob', (caller, account, body) => oauth.signBlobAs(caller, account, body)),
    {
      ...base,
      method: 'GET',
      host: 'www.googleapis.com',
      pattern: /^\/service_accounts\/v1\/metadata\/jwk\/([^/]+)$/,
      operation: 'serviceaccounts.metadata.jwk',
      rpc: 'serviceaccounts.metadata.jwk',
      scopes: null,
      run: (context): RouteResult => ({ body: oauth.publicJwks(context.params[0] ?? '') }),
    },
    {
      ...base,
      method: 'GET',
      host: 'www.googleapis.com',
      pattern: /^\/oauth2\/v1\/certs$/,
      operation: 'oauth2.certs',
      rpc: 'oauth2.certs',
      scopes: null,
      run: (): RouteResult => ({ body: idTokens.certs() }),
    },
  ];
}
