// node --test web/test/ (run by scripts/test.sh): the pure conflict logic of the clerk's page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conflictRows, resolvedValue, isValuesChanged } from '../src/conflict.js';

const changed = [
  { field: 'pop_resident', name: '常住人口', unit: '人', value: '5300', origin: 'Typed', source: 'S2', at: '2026-12-06T06:00:00Z', submitted: '5200' },
  { field: 'pop_floating_out', name: '外出人口', unit: '人', value: '300', origin: 'Typed', source: 'S2', at: '2026-12-06T06:00:00Z', submitted: '777' },
  { field: 'pop_floating_in', name: '流入人口', unit: '人', value: '2060', origin: 'Typed', source: 'S2', at: '2026-12-06T06:00:00Z', submitted: '2060' },
  { field: 'households', name: '户数', unit: '户', value: '1200', origin: 'Typed', source: 'S2', at: '2026-12-06T06:00:00Z', submitted: null },
];
const loaded = { pop_resident: '5200', pop_floating_out: '250', pop_floating_in: '2050' };

test('a field the clerk left as loaded defaults to the newer value, one the clerk changed to the clerk\'s', () => {
  const rows = conflictRows(changed, id => loaded[id]);
  const byField = Object.fromEntries(rows.map(r => [r.field, r]));
  assert.equal(byField.pop_resident.choosable, true);
  assert.equal(byField.pop_resident.choice, 'theirs');
  assert.equal(byField.pop_floating_out.choosable, true);
  assert.equal(byField.pop_floating_out.choice, 'mine');
});

test('a field sent with the newer value, or not sent, is no choice: the newer value is taken', () => {
  const rows = conflictRows(changed, id => loaded[id]);
  const byField = Object.fromEntries(rows.map(r => [r.field, r]));
  assert.equal(byField.pop_floating_in.choosable, false);
  assert.equal(byField.households.choosable, false);
  assert.equal(resolvedValue(byField.households, 'mine'), '1200');
});

test('the chosen value wins over the default', () => {
  const [resident, out] = conflictRows(changed, id => loaded[id]);
  assert.equal(resolvedValue(resident, 'mine'), '5200');
  assert.equal(resolvedValue(resident), '5300');
  assert.equal(resolvedValue(out, 'theirs'), '300');
  assert.equal(resolvedValue(out), '777');
});

test('only a 412 values-changed problem is a conflict', () => {
  assert.equal(isValuesChanged({ status: 412, problem: { type: 'https://reportpipeline.example/problems/values-changed' } }), true);
  assert.equal(isValuesChanged({ status: 409, problem: { type: 'https://reportpipeline.example/problems/locked' } }), false);
  assert.equal(isValuesChanged({ status: 412, problem: {} }), false);
});
