// The office's 数据质量 list (GET …/quality/{period}): values of the subtree flagged by the quality checks, with the
// reason and the clerk's explanation; each opens that value's history. The answer counts each direct child; the city's
// lists no values (they are read by choosing a district), and below it the values come a page at a time (更多).
import { api, ApiError } from './api.js';
import { h, mount, notice } from './dom.js';
import { openHistory } from './history.js';

function flagRow(f, period, catalog) {
  return h('tr', { 'data-org': f.org, 'data-field': f.field },
    h('td', null, f.orgName), h('td', null, f.township ?? ''), h('td', null, f.fieldName, f.unit ? `（${f.unit}）` : ''),
    h('td', null, String(f.value)), h('td', null, f.previous == null ? '' : String(f.previous)), h('td', { class: 'reason' }, f.reason),
    h('td', null, f.explanation ?? ''),
    h('td', null, h('button', {
      type: 'button', class: 'link history', 'aria-label': `${f.orgName} ${f.fieldName} 的修改记录`,
      onclick: () => openHistory({ org: f.org, orgName: f.orgName, period, field: f.field, catalog }),
    }, '修改记录')));
}

export function qualitySection(s, catalog) {
  const { org, period } = s;
  const body = h('div', { 'aria-live': 'polite' }, h('p', { class: 'loading' }, '正在加载数据质量…'));
  const heading = h('h2', null, '数据质量');
  const path = `/api/orgs/${org}/quality/${period}`;
  api(path).then(q => {
    heading.textContent = `数据质量（${q.count} 处）`;
    const rows = h('tbody', null, q.flags.map(f => flagRow(f, period, catalog)));
    const more = h('p', null);
    const offerMore = token => mount(more, token ? h('button', {
      type: 'button', class: 'link', id: 'quality-more',
      onclick: () => api(`${path}?continuationToken=${encodeURIComponent(token)}`).then(next => {
        rows.append(...next.flags.map(f => flagRow(f, period, catalog)));
        offerMore(next.continuationToken);
      }).catch(err => mount(more, notice('error', err instanceof ApiError ? err.message : '加载失败，请刷新重试。'))),
    }, `已显示 ${rows.children.length} 处，更多…`) : null);
    offerMore(q.continuationToken);
    const counts = q.flags.length === 0 && q.children.some(c => c.count > 0)
      ? h('div', { class: 'table-wrap' }, h('table', { id: 'quality-children' },
        h('thead', null, h('tr', null, h('th', null, '单位'), h('th', null, '需核实'), h('th', null, '已说明'), ...q.byCheck.map(c => h('th', null, c.name)))),
        h('tbody', null, q.children.map(c => h('tr', { 'data-org': c.org },
          h('td', null, c.orgName), h('td', null, String(c.count)), h('td', null, String(c.explained)),
          // A child names only the checks that flagged something in it: the others are 0.
          ...q.byCheck.map(check => h('td', { 'data-check': check.code }, String(c.byCheck.find(b => b.code === check.code)?.count ?? 0))))))))
      : null;
    mount(body,
      h('p', { class: 'muted' }, q.message),
      counts,
      q.flags.length ? h('div', { class: 'table-wrap' }, h('table', { id: 'quality' },
        h('thead', null, h('tr', null, h('th', null, '单位'), h('th', null, '乡镇（街道）'), h('th', null, '指标'), h('th', null, '数值'), h('th', null, '上期'), h('th', null, '原因'), h('th', null, '填报人说明'), h('th', null, ''))),
        rows)) : null,
      more);
  }).catch(err => mount(body, notice('error', err instanceof ApiError ? err.message : '数据质量加载失败，请刷新重试。')));
  return h('section', { id: 'quality-section' }, heading, body);
}
