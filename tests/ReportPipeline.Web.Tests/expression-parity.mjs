// Runs the web app's evaluator (web/src/validate.js) over the cases ExpressionParityTests wrote: node expression-parity.mjs
// <validate.js> <cases.json>. Prints, per case, the raw value and the value the form shows (null for no number).
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const [modulePath, casesPath] = process.argv.slice(2);
const { evaluate, derivedValue } = await import(pathToFileURL(modulePath).href);
const cases = JSON.parse(await readFile(casesPath, 'utf8'));
const results = cases.map(c => {
  const numberOf = id => (c.values[id] == null ? null : Number(c.values[id]));
  const shown = c.field ? derivedValue(c.field, numberOf) : null;
  return { raw: evaluate(c.formula, numberOf), shown: shown == null ? null : String(shown) };
});
process.stdout.write(JSON.stringify(results));
