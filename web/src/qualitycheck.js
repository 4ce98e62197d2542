// The quality rules (数据质量) while typing, as the server's QualityRules words them: a value outside the field's soft
// range (expectedMin / expectedMax, from the catalog route), or moved against last period by more than maxChange.
// They warn and never refuse; QualityParityTests runs every soft-limited field through both and compares the words.
import { formatNumber, nameOf } from './validate.js';

const show = (n, f) => formatNumber(n) + (f.unit || '');

/** A ratio as a percentage with at most one decimal, rounded half away from zero, as .NET's "0.#" does. */
function percent(ratio) {
  const tenths = ratio * 1000;
  const rounded = Math.sign(tenths) * Math.round(Math.abs(tenths) + 1e-9);
  return `${formatNumber(rounded / 10)}%`;
}

function changedBeyond(threshold, value, previous) {
  if (!threshold) return null;
  if (threshold.absolute != null) return Math.abs(value - previous) > threshold.absolute ? `±${formatNumber(threshold.absolute)}` : null;
  if (threshold.relative != null && previous !== 0) return Math.abs(value - previous) > threshold.relative * Math.abs(previous) ? `±${percent(threshold.relative)}` : null;
  return null;
}

function delta(value, previous, f) {
  const change = value - previous;
  const absolute = `${change >= 0 ? '增加' : '减少'}${show(Math.abs(change), f)}`;
  return previous === 0 ? absolute : `${absolute}（${change >= 0 ? '+' : '−'}${percent(Math.abs(change) / Math.abs(previous))}）`;
}

const range = f => `${f.expectedMin != null ? formatNumber(f.expectedMin) : '-∞'}～${f.expectedMax != null ? formatNumber(f.expectedMax) : '+∞'}${f.unit || ''}`;

/** The warnings for `value` (a number) against the field's soft limits and last period's number (or null): [{ code, message }]. */
export function qualityWarnings(f, value, previous) {
  const out = [];
  if (value == null || !Number.isFinite(value)) return out;
  if (f.expectedMin != null && value < f.expectedMin) {
    out.push({ code: 'quality_below_expected', message: `${nameOf(f)}为${show(value, f)}，低于合理范围 ${range(f)}，请核实` });
  } else if (f.expectedMax != null && value > f.expectedMax) {
    out.push({ code: 'quality_above_expected', message: `${nameOf(f)}为${show(value, f)}，高于合理范围 ${range(f)}，请核实` });
  }
  if (previous != null && Number.isFinite(previous)) {
    const allowed = changedBeyond(f.maxChange, value, previous);
    if (allowed) out.push({ code: 'quality_change', message: `${nameOf(f)}本期为${show(value, f)}，上期为${show(previous, f)}，${delta(value, previous, f)}，超过允许的变化幅度${allowed}，请核实` });
  }
  return out;
}
