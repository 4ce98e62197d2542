// Bundles the web app into web/dist (served by the local host at / and, in Azure, by Static Web Apps).
// Run by scripts/bootstrap.sh; everything comes from the pinned esbuild in the root package-lock.json.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { securityHeaders, signInConfig } from './hosting.mjs';

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
for (const page of ['index.html', 'redirect.html', 'favicon.svg', 'manifest.webmanifest']) await copyFile(join(here, page), join(out, page));

// The service worker precaches the app shell: the pages, the style, the first page's script and the chunks it imports
// statically, each with a content revision; chunks loaded on demand (charts, MSAL) are cached when first used.
const appOutput = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint && o.entryPoint.endsWith('src/main.js'));
const shell = ['index.html', 'app.css', 'favicon.svg', 'manifest.webmanifest', basename(appOutput[0]),
  ...appOutput[1].imports.filter(i => i.kind === 'import-statement').map(i => basename(i.path))];
const manifest = await Promise.all([...new Set(shell)].map(async name => ({
  url: name, revision: createHash('sha256').update(await readFile(join(out, name))).digest('hex').slice(0, 16),
})));
await build({
  entryPoints: [join(here, 'src/sw.js')], bundle: true, minify: true, format: 'iife', target: 'es2020', outfile: join(out, 'sw.js'),
  legalComments: 'none', logLevel: 'warning', define: { 'self.__WB_MANIFEST': JSON.stringify(manifest), 'process.env.NODE_ENV': '"production"' },
});

// Static Web Apps serves files only, so its headers and /config.json are written here by web/hosting.mjs (from the
// build's environment: WEBAPP_CLIENT_ID, WEBAPP_AUTHORITY, WEBAPP_API_SCOPE), the same rendering of web/hosting.json the
// local host serves from its settings.
const swa = JSON.parse(await readFile(join(here, 'staticwebapp.config.json'), 'utf8'));
const config = signInConfig(process.env);
if (config) await writeFile(join(out, 'config.json'), JSON.stringify(config));
swa.globalHeaders = securityHeaders(config);
await writeFile(join(out, 'staticwebapp.config.json'), JSON.stringify(swa, null, 2));
const sizes = await Promise.all(Object.keys(result.metafile.outputs).filter(f => f.endsWith('.js')).concat([join(out, 'app.css'), join(out, 'sw.js')])
  .map(async f => `${f.split('/').pop()} ${(await stat(f)).size} B`));
console.log(`web/dist: ${sizes.join(', ')}`);
