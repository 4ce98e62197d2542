// What Static Web Apps would serve (web/build.mjs writes it with web/hosting.mjs), for the build environments
// HostingParityTests wrote: node hosting-parity.mjs <hosting.mjs> <environments.json>. Prints, per environment, the
// headers of staticwebapp.config.json and the config.json (null when none is written).
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const [modulePath, casesPath] = process.argv.slice(2);
const { securityHeaders, signInConfig } = await import(pathToFileURL(modulePath).href);
const environments = JSON.parse(await readFile(casesPath, 'utf8'));
process.stdout.write(JSON.stringify(environments.map(env => {
  const config = signInConfig(env);
  return { headers: securityHeaders(config), config };
})));
