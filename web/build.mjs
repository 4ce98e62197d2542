// Bundles the web app into web/dist (served by the local host at / and, in Azure, by Static Web Apps).
// Run by scripts/bootstrap.sh; everything comes from the pinned esbuild in the root package-lock.json.
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
// MSAL is split into its own chunk, loaded only where /config.json says Entra ID: the development page and the form
// do not carry it. redirect.js is the redirect URI's page (MSAL's redirect bridge).
const result = await build({
  entryPoints: { app: join(here, 'src/main.js'), redirect: join(here, 'src/redirect.js') },
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  outdir: out,
  chunkNames: 'chunk-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
await build({ entryPoints: { app: join(here, 'src/style.css') }, bundle: true, minify: true, outdir: out, logLevel: 'warning' });
for (const page of ['index.html', 'redirect.html', 'favicon.svg']) await copyFile(join(here, page), join(out, page));

// Static Web Apps serves files only, so its /config.json and the policy's Entra origin are written here from the build's
// environment (WEBAPP_CLIENT_ID, WEBAPP_AUTHORITY, WEBAPP_API_SCOPE); the local host answers /config.json itself.
const swa = JSON.parse(await readFile(join(here, 'staticwebapp.config.json'), 'utf8'));
const { WEBAPP_CLIENT_ID: clientId, WEBAPP_AUTHORITY: authority, WEBAPP_API_SCOPE: scope } = process.env;
if (clientId && authority && scope) {
  const origin = new URL(authority).origin;
  await writeFile(join(out, 'config.json'), JSON.stringify({ signIn: 'entra', clientId, authority, scopes: [scope] }));
  const csp = swa.globalHeaders['Content-Security-Policy'];
  swa.globalHeaders['Content-Security-Policy'] = `${csp.replace("connect-src 'self'", `connect-src 'self' ${origin}`)}; frame-src 'self' ${origin}`;
}
await writeFile(join(out, 'staticwebapp.config.json'), JSON.stringify(swa, null, 2));
const sizes = await Promise.all(Object.keys(result.metafile.outputs).filter(f => f.endsWith('.js')).concat([join(out, 'app.css')])
  .map(async f => `${f.split('/').pop()} ${(await stat(f)).size} B`));
console.log(`web/dist: ${sizes.join(', ')}`);
