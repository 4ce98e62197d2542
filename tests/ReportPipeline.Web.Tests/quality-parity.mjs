// Runs the web app's quality check (web/src/qualitycheck.js) over the cases QualityParityTests wrote:
// node quality-parity.mjs <qualitycheck.js> <cases.json>. Prints, per case, the warnings' codes and messages.
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const [modulePath, casesPath] = process.argv.slice(2);
const { qualityWarnings } = await import(pathToFileURL(modulePath).href);
const cases = JSON.parse(await readFile(casesPath, 'utf8'));
const num = v => (v == null ? null : Number(v));
process.stdout.write(JSON.stringify(cases.map(c => qualityWarnings(c.field, num(c.value), num(c.previous)))));
