// Entra ID sign-in with MSAL (bundled from the pinned @azure/msal-browser; loaded only when /config.json says "entra").
// Redirect flow with PKCE; MSAL's cache is sessionStorage (this tab and origin, gone when the tab closes), never
// localStorage. Each API call asks MSAL for the token: silently from its cache or with the refresh token, and by a
// redirect only when Entra ID needs the user again.
import { PublicClientApplication, InteractionRequiredAuthError } from '@azure/msal-browser';

export async function entraAuth(config) {
  const msal = new PublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      // The redirect bridge page (redirect.html) hands the response back to this page, which keeps its #/ route.
      redirectUri: new URL('/redirect.html', location.origin).href,
      postLogoutRedirectUri: new URL('/', location.origin).href,
    },
    cache: { cacheLocation: 'sessionStorage' },
  });
  await msal.initialize();
  const result = await msal.handleRedirectPromise();
  if (result?.account) msal.setActiveAccount(result.account);
  const scopes = config.scopes;
  const account = () => msal.getActiveAccount() || msal.getAllAccounts()[0] || null;

  return {
    account,
    login: () => msal.loginRedirect({ scopes }),
    logout: () => msal.logoutRedirect({ account: account() }),
    /** The API's access token, or null when nobody is signed in. */
    async token() {
      const signedIn = account();
      if (!signedIn) return null;
      try {
        return (await msal.acquireTokenSilent({ scopes, account: signedIn })).accessToken;
      } catch (err) {
        if (err instanceof InteractionRequiredAuthError) {
          await msal.acquireTokenRedirect({ scopes, account: signedIn });
          return null;
        }
        throw err;
      }
    },
  };
}
