// Bundles the web app into web/dist (served by the local host at / and, in Azure, by Static Web Apps).
// Run by scripts/bootstrap.sh; everything comes from the pinned esbuild in the root package-lock.json.
import { build } from 'esbuild';
import { copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: { app: join(here, 'src/main.js') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2020',
  outdir: out,
  legalComments: 'none',
  logLevel: 'warning',
});
await build({ entryPoints: { app: join(here, 'src/style.css') }, bundle: true, minify: true, outdir: out, logLevel: 'warning' });
await copyFile(join(here, 'index.html'), join(out, 'index.html'));
await copyFile(join(here, 'staticwebapp.config.json'), join(out, 'staticwebapp.config.json'));
const sizes = await Promise.all(['app.js', 'app.css'].map(async f => `${f} ${(await stat(join(out, f))).size} B`));
console.log(`web/dist: ${sizes.join(', ')}`);
