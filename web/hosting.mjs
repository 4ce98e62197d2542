// What both hosts send beside the web app, from the one file web/hosting.json: the security headers (the policy names
// the Entra ID authority's origin, where MSAL fetches metadata and renews in a hidden frame) and /config.json. The local
// host reads the same file (embedded) and renders it the same way; ConfigurationParityTests compares the two.
import { readFileSync } from 'node:fs';

const hosting = JSON.parse(readFileSync(new URL('./hosting.json', import.meta.url), 'utf8'));

/** The policy for a /config.json: Entra ID's authority origin in place of {signInOrigin}, else nothing there. */
export function contentSecurityPolicy(config) {
  const origin = config?.signIn === 'entra' ? new URL(config.authority).origin : '';
  return hosting.contentSecurityPolicy.map(d => d.replace('{signInOrigin}', origin).trim()).join('; ');
}

/** Every header both hosts add to every response of the web app, for a /config.json (or none). */
export function securityHeaders(config) {
  return { 'Content-Security-Policy': contentSecurityPolicy(config), ...hosting.headers };
}

/**
 * /config.json for a static host, from the build's environment: Entra ID sign-in (WEBAPP_CLIENT_ID, WEBAPP_AUTHORITY,
 * WEBAPP_API_SCOPE) and the zone the pages show times in (PIPELINE_TIME_ZONE, the Functions app's Pipeline__TimeZone;
 * without it the page keeps the product's default, Asia/Shanghai). Null when sign-in is not configured.
 */
export function signInConfig(env) {
  const { WEBAPP_CLIENT_ID: clientId, WEBAPP_AUTHORITY: authority, WEBAPP_API_SCOPE: scope, PIPELINE_TIME_ZONE: timeZone } = env;
  if (!clientId || !authority || !scope) return null;
  return { signIn: 'entra', clientId, authority, scopes: [scope], ...(timeZone ? { timeZone } : {}) };
}
