// The org's recent periods from the one reporting calendar (GET /api/orgs/{org}/periods): each with its deadline and,
// for a village, its state (未报 / 逾期 / 已报 / 已退回 / 已锁定), and the one that is due, which sign-in opens.
import { api } from './api.js';
import { h } from './dom.js';
import { kindOf, display } from './periods.js';

let cached = null;

/** The periods answer for the org, read once per page load (a submit or an approval refreshes it). */
export async function reportingPeriods(org, { refresh = false } = {}) {
  if (!refresh && cached && cached.org === org) return cached.answer;
  const answer = await api(`/api/orgs/${org}/periods`);
  cached = { org, answer };
  return answer;
}

export const forgetReportingPeriods = () => { cached = null; };

/** The period a session opens with: the due one, or the current month if the calendar cannot be read. */
export async function duePeriod(org, fallback) {
  try { return (await reportingPeriods(org)).due; } catch { return fallback; }
}

/** The org's name from the registry (the token names only the code). */
export async function orgNameOf(org) {
  try { return (await reportingPeriods(org)).orgName; } catch { return null; }
}

const optionText = p => `${p.name}${p.stateName ? ` · ${p.stateName}` : ''}`;

/**
 * The header's period picker: recent periods with their states, the session's own period if it is older, and 其他统计期…
 * for any other (typed as 2026、2026-Q4 或 2026-11). `choose(period)` switches the page.
 */
export function periodPicker(s, choose) {
  const select = h('select', { id: 'period-switch', 'aria-label': '统计期' }, h('option', { value: s.period }, display(s.period)));
  const other = h('input', { id: 'period-other', size: 8, placeholder: '2026-11', 'aria-label': '其他统计期', class: 'hidden' });
  const wrap = h('form', {
    class: 'inline period-picker', onsubmit: e => {
      e.preventDefault();
      const value = other.value.trim();
      if (!kindOf(value)) return alert('统计期格式应为 2026、2026-Q4 或 2026-11');
      choose(value);
    },
  }, select, other);
  select.addEventListener('change', () => {
    if (select.value === '*') { other.classList.remove('hidden'); other.focus(); return; }
    choose(select.value);
  });
  reportingPeriods(s.org).then(answer => {
    const options = answer.periods.map(p => h('option', { value: p.period, 'data-state': p.state || '' }, `${optionText(p)}${p.period === answer.due ? '（应报）' : ''}`));
    if (!answer.periods.some(p => p.period === s.period)) options.push(h('option', { value: s.period }, display(s.period)));
    options.push(h('option', { value: '*' }, '其他统计期…'));
    select.replaceChildren(...options);
    select.value = s.period;
  }).catch(() => { select.append(h('option', { value: '*' }, '其他统计期…')); });
  return wrap;
}

/** A line for the clerk's form: the deadline and where this period's report stands. */
export async function periodStateLine(org, period) {
  try {
    const p = (await reportingPeriods(org)).periods.find(x => x.period === period);
    return p ? `报送截止：${p.deadline}${p.stateName ? `；状态：${p.stateName}` : ''}` : null;
  } catch { return null; }
}
