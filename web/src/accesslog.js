// 数据访问记录 (GET /api/access-log?org=&from=&to=): who read which villages' data, newest first, a page at a time.
import { api, ApiError } from './api.js';
import { h, mount, fmtTime, notice } from './dom.js';
import { dateOf } from './clock.js';

/** @param {HTMLElement} root @param {{org: string, orgName?: string}} s */
export function accessLogPage(root, s) {
  // Days in the pipeline's zone, as the server reads from and to.
  const now = Date.now();
  const from = h('input', { type: 'date', id: 'log-from', value: dateOf(new Date(now - 30 * 86400000)), 'aria-label': '起始日期' });
  const to = h('input', { type: 'date', id: 'log-to', value: dateOf(new Date(now)), 'aria-label': '截止日期' });
  const rows = h('tbody');
  const more = h('button', { type: 'button', id: 'log-more', class: 'hidden' }, '下一页');
  const status = h('div', { 'aria-live': 'polite' });
  let token = null;

  const load = async append => {
    const query = new URLSearchParams({ org: s.org, from: from.value, to: to.value, pageSize: '100' });
    if (append && token) query.set('continuationToken', token);
    mount(status, h('p', { class: 'loading' }, '正在加载…'));
    try {
      const page = await api(`/api/access-log?${query}`);
      if (!append) rows.replaceChildren();
      rows.append(...page.records.map(r => h('tr', null,
        h('td', null, fmtTime(r.at)),
        h('td', null, r.subject, h('br'), r.callerOrgName || r.callerOrg, r.deptName ? ` · ${r.deptName}` : ''),
        h('td', null, r.orgName || r.org),
        h('td', null, r.period || ''),
        h('td', null, r.route, r.what ? h('br') : null, r.what || ''),
        h('td', null, String(r.villages)))));
      token = page.continuationToken;
      more.className = token ? '' : 'hidden';
      mount(status, rows.children.length ? null : h('p', { class: 'muted' }, '这段时间没有访问记录。'));
    } catch (err) {
      mount(status, notice('error', err instanceof ApiError ? err.message : '访问记录加载失败，请刷新重试。'));
    }
  };
  more.addEventListener('click', () => load(true));

  mount(root, h('section', { id: 'access-log' },
    h('h2', null, `数据访问记录：${s.orgName || s.org}`),
    h('p', { class: 'muted' }, '每一次查看村（社区）数据（填报数据、修改记录、数据质量、汇总表下载、部门下发回执）都会记录查看人、单位、部门、内容和时间。'),
    h('form', { class: 'inline', onsubmit: e => { e.preventDefault(); load(false); } }, from, to, h('button', { type: 'submit' }, '查询')),
    h('div', { class: 'table-wrap' }, h('table', { id: 'access-records' },
      h('thead', null, h('tr', null, h('th', null, '时间'), h('th', null, '查看人'), h('th', null, '单位'), h('th', null, '统计期'), h('th', null, '内容'), h('th', null, '村数'))),
      rows)),
    status, more));
  load(false);
}
