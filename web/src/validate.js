// The server's normalisation and checks (ValueNormaliser, SubmissionValidator), mirrored so that a clerk sees the
// same Chinese message while typing. The server stays the judge: whatever it answers with a 422 replaces these.
const MISSING = new Set(['-', '--', '—', '——', '－', '无', '/', '／', '\\', '空', 'N/A', 'n/a', 'NA']);
const TRUE = new Set(['是', 'Y', 'YES', 'TRUE', '1', '√', '有', 'T']);
const FALSE = new Set(['否', 'N', 'NO', 'FALSE', '0', '×', 'X', 'F']);

export function toHalfWidth(text) {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    if (code >= 0xff01 && code <= 0xff5e) out += String.fromCharCode(code - 0xfee0);
    else if (c === '\u3000' || c === '\u00a0') out += ' ';
    else if (c === '。') out += '.';
    else if (c === '、') out += ',';
    else out += c;
  }
  return out;
}

export const nameOf = f => (f.unit ? `“${f.name}”（${f.unit}）` : `“${f.name}”`);

export function formatNumber(n) {
  if (!Number.isFinite(n)) return '';
  const text = String(Number(n.toPrecision(15)));
  return text === '-0' ? '0' : text;
}

function parseNumber(cleaned, allowPercent) {
  let text = cleaned.replace(/ /g, '');
  if (allowPercent && text.endsWith('%')) text = text.slice(0, -1);
  if (text.includes(',')) {
    const body = text.replace(/^[+-]/, '');
    const [intPart, fraction] = body.split('.');
    if (fraction !== undefined && fraction.includes(',')) return null;
    const groups = intPart.split(',');
    if (!(groups[0].length >= 1 && groups[0].length <= 3 && groups.slice(1).every(g => g.length === 3))) return null;
    text = text.replace(/,/g, '');
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) return null;
  return { value: Number(text), decimals: (text.split('.')[1] || '').replace(/0+$/, '').length };
}

function rangeText(f) {
  const min = f.min != null ? formatNumber(f.min) : '-∞';
  const max = f.max != null ? formatNumber(f.max) : '+∞';
  return ` ${min} 到 ${max}${f.unit || ''} `;
}

const DATE = [/^(\d{4})-(\d{1,2})-(\d{1,2})$/, /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/, /^(\d{4})\.(\d{1,2})\.(\d{1,2})$/, /^(\d{4})年(\d{1,2})月(\d{1,2})日$/, /^(\d{4})(\d{2})(\d{2})$/];

function validDate(y, m, d) {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * Checks one typed value. Returns { missing } for an empty cell, { number?, canonical } when it is valid, or
 * { error: { code, message } } with the server's message (without the cell address, which a form field does not have).
 */
export function checkValue(f, raw) {
  const text = raw == null ? '' : String(raw);
  const received = `收到“${text.trim()}”`;
  const fail = (code, message) => ({ error: { code, message } });
  if (f.type === 'Text') {
    const trimmed = text.trim();
    return trimmed === '' || MISSING.has(trimmed) ? { missing: true } : { canonical: trimmed };
  }
  const cleaned = toHalfWidth(text).trim();
  if (cleaned === '' || MISSING.has(cleaned)) return { missing: true };
  switch (f.type) {
    case 'Integer':
    case 'Decimal': {
      const parsed = parseNumber(cleaned, f.unit === '%');
      if (!parsed) return fail('not_a_number', `${nameOf(f)}应为数字，${received}`);
      if (f.type === 'Integer' && !Number.isInteger(parsed.value)) return fail('not_an_integer', `${nameOf(f)}应为整数，${received}`);
      if (f.type === 'Decimal' && parsed.decimals > (f.precision ?? 0)) return fail('too_many_decimals', `${nameOf(f)}最多保留 ${f.precision ?? 0} 位小数，${received}`);
      if ((f.min != null && parsed.value < f.min) || (f.max != null && parsed.value > f.max)) return fail('out_of_range', `${nameOf(f)}应在${rangeText(f)}之间，${received}`);
      return { number: parsed.value, canonical: formatNumber(parsed.value) };
    }
    case 'Boolean': {
      const upper = cleaned.toUpperCase();
      if (TRUE.has(upper)) return { canonical: 'true' };
      if (FALSE.has(upper)) return { canonical: 'false' };
      return fail('not_a_boolean', `${nameOf(f)}应填“是”或“否”，${received}`);
    }
    case 'Date': {
      for (const pattern of DATE) {
        const m = pattern.exec(cleaned);
        if (m && validDate(+m[1], +m[2], +m[3])) return { canonical: `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}` };
      }
      return fail('not_a_date', `${nameOf(f)}应为日期，如 2026-11-03 或 2026年11月3日，${received}`);
    }
    case 'Enum': {
      const option = (f.options || []).find(o => o.code.toLowerCase() === cleaned.toLowerCase() || toHalfWidth(o.label) === cleaned);
      return option ? { canonical: option.code } : fail('not_an_option', `${nameOf(f)}只能填写：${(f.options || []).map(o => o.label).join('、')}，${received}`);
    }
    default:
      return { canonical: cleaned };
  }
}

export const requiredMessage = f => `${nameOf(f)}是必填项，不能为空`;

const show = (n, f) => formatNumber(n) + (f.unit || '');

/**
 * Cross-field rules over the numbers now in the form. Returns [{ field, message, warning }]: errors land on the part
 * (parts ≤ total) or on the total (parts sum), ratios are warnings, as on the server.
 */
export function checkRules(rules, fieldsById, numberOf) {
  const found = [];
  for (const rule of rules) {
    const total = numberOf(rule.field);
    const totalField = fieldsById.get(rule.field);
    if (total == null || !totalField) continue;
    if (rule.kind === 'PartsNotExceedTotal') {
      for (const partId of rule.others) {
        const part = numberOf(partId);
        const partField = fieldsById.get(partId);
        if (part != null && partField && part > total) {
          found.push({ field: partId, message: `${nameOf(partField)}（${show(part, partField)}）不能大于${nameOf(totalField)}（${show(total, totalField)}）` });
        }
      }
    } else if (rule.kind === 'PartsSumToTotal') {
      const parts = rule.others.map(numberOf);
      if (parts.every(p => p != null)) {
        const sum = parts.reduce((a, b) => a + b, 0);
        if (Math.abs(sum - total) > 1e-9) {
          const names = rule.others.map(id => nameOf(fieldsById.get(id))).join('＋');
          found.push({ field: rule.field, message: `${names}应等于${nameOf(totalField)}：分项合计为${show(sum, totalField)}，${nameOf(totalField)}为${show(total, totalField)}` });
        }
      }
    } else if (rule.kind === 'RatioWithin') {
      const denominator = numberOf(rule.others[0]);
      if (denominator) {
        const ratio = total / denominator;
        if ((rule.min != null && ratio < rule.min) || (rule.max != null && ratio > rule.max)) {
          const d = fieldsById.get(rule.others[0]);
          found.push({ field: rule.field, warning: true, message: `${nameOf(totalField)}与${nameOf(d)}的比例异常：比值${formatNumber(Math.round(ratio * 1000) / 1000)}超出范围 ${rule.min != null ? formatNumber(rule.min) : '-∞'}～${rule.max != null ? formatNumber(rule.max) : '+∞'}` });
        }
      }
    }
  }
  return found;
}

/**
 * A derived value from the server's parsed expression (the catalog's `formula`: `{field}`, `{op: 'sum'|'diff', args}`,
 * `{op: 'ratio', scale, args}`), by the domain's rules (ColumnExpression.Evaluate): no number when an input is missing
 * or a denominator is zero; a ratio is numerator ÷ denominator × scale (100 for a percentage). The text is never parsed
 * here: the tree is what the server's one parser produced.
 */
export function evaluate(formula, numberOf) {
  if (!formula) return null;
  if (formula.field != null) return numberOf(formula.field) ?? null;
  const args = [];
  for (const arg of formula.args || []) {
    const value = evaluate(arg, numberOf);
    if (value == null) return null;
    args.push(value);
  }
  switch (formula.op) {
    case 'sum': return args.reduce((a, b) => a + b, 0);
    case 'diff': return args[0] - args[1];
    case 'ratio': return args[1] === 0 ? null : (args[0] / args[1]) * formula.scale;
    default: return null;
  }
}

/**
 * Rounds half away from zero to `decimals` places, as a spreadsheet's number format shows a value. The double is first
 * read at 15 significant digits, so that 1.005 (stored as 1.00499…) rounds to 1.01 as the server's decimal does.
 */
export function roundTo(value, decimals) {
  if (!Number.isFinite(value)) return null;
  if (Math.abs(value) >= 1e15) return Math.round(value); // no fractional digits left at 15 significant digits
  const [mantissa, exponent = '0'] = Math.abs(value).toPrecision(15).split('e');
  const rounded = Number(`${Math.round(Number(`${mantissa}e${Number(exponent) + decimals}`))}e${-decimals}`);
  return value < 0 && rounded !== 0 ? -rounded : rounded;
}

/** A derived field's value as the form shows it: its formula, rounded to the field's shown decimals. */
export function derivedValue(field, numberOf) {
  const value = evaluate(field.formula, numberOf);
  return value == null ? null : roundTo(value, field.decimals ?? 0);
}

/** The fields a derived field is computed from, as the server's parser lists them. */
export const dependenciesOf = field => field.inputs || [];
