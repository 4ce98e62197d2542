// 带数下发: a department's page. The file is previewed first (POST …/prefill/{period}?dryRun=true: what would be written,
// what is already there, where a village typed something else), then pushed; the receipt follows. A refused file lists
// every error by row, column and cell, and nothing was written.
import { api, ApiError } from './api.js';
import { h, mount, notice } from './dom.js';
import { display } from './periods.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** @param {HTMLElement} root @param {{org: string, period: string, dept?: string}} s @param {any} catalog @param {string} dept */
export function departmentPage(root, s, catalog, dept) {
  const name = (catalog.departments || []).find(d => d.code === dept)?.name || dept;
  const owned = catalog.fields.filter(f => (f.departments || []).includes(dept));
  const file = h('input', { type: 'file', id: 'prefill-file', accept: '.csv,.xlsx,text/csv,' + XLSX });
  const result = h('div', { id: 'prefill-result', 'aria-live': 'polite' });
  const preview = h('button', { type: 'submit', id: 'prefill-preview' }, '预览将要下发的数据');

  const send = async dryRun => {
    const chosen = file.files && file.files[0];
    if (!chosen) return mount(result, notice('error', '请先选择 CSV 或 .xlsx 文件。'));
    const type = /\.xlsx$/i.test(chosen.name) ? XLSX : 'text/csv';
    mount(result, h('p', { class: 'loading' }, dryRun ? '正在校验并预览…' : '正在下发…'));
    try {
      const receipt = await api(`/api/departments/${encodeURIComponent(dept)}/prefill/${s.period}${dryRun ? '?dryRun=true' : ''}`,
        { method: 'POST', body: chosen, headers: { 'Content-Type': type } });
      mount(result, receiptView(receipt, catalog, dryRun ? () => send(false) : null));
    } catch (err) {
      mount(result, errorView(err));
    }
  };

  mount(root,
    h('section', { id: 'department' },
      h('h2', null, `${name}：带数下发（${display(s.period)}）`),
      h('p', { class: 'muted' }, '第一行为表头：“行政区划代码”和本部门的指标（编号、名称或别名均可），以下每行一个村（社区）。文件有任何错误将整体退回，不写入任何数据；先预览，确认后再下发。'),
      h('details', null, h('summary', null, `本部门的指标（${owned.length} 项）`),
        h('p', null, owned.map(f => `${f.name}（${f.id}）`).join('、') || '无')),
      h('form', { onsubmit: e => { e.preventDefault(); send(true); } }, file, preview),
      result));
}

function receiptView(r, catalog, confirm) {
  const fieldName = id => catalog.fields.find(f => f.id === id)?.name || id;
  return h('div', { id: confirm ? 'prefill-plan' : 'prefill-receipt' },
    notice(confirm ? 'info' : 'ok', r.message),
    h('ul', null,
      h('li', null, `村（社区）：${r.orgs} 个，其中 ${r.orgsChanged} 个有变化`),
      h('li', null, `指标：${r.fields.map(fieldName).join('、')}`),
      h('li', null, `${confirm ? '将写入' : '已写入'}：${r.written} 项；未变：${r.unchanged} 项；与村里填写不一致：${r.conflicts} 项`),
      r.locked.length ? h('li', null, `已审核锁定、未下发：${r.locked.join('、')}`) : null,
      confirm ? null : h('li', null, `已安排重新汇总的区县：${r.districtsQueued} 个`)),
    r.conflictList.length ? h('div', { class: 'table-wrap' }, h('table', { id: 'prefill-conflicts' },
      h('caption', null, '与村（社区）填写不一致（保留村里填写的数，并提示其核对）'),
      h('thead', null, h('tr', null, h('th', null, '村（社区）'), h('th', null, '指标'), h('th', null, '村里填写'), h('th', null, '本次下发'))),
      h('tbody', null, r.conflictList.map(c => h('tr', null, h('td', null, c.orgName), h('td', null, c.fieldName), h('td', null, c.typed), h('td', null, c.pushed)))))) : null,
    confirm ? h('button', { type: 'button', id: 'prefill-confirm', onclick: confirm }, '确认下发') : null);
}

function errorView(err) {
  if (!(err instanceof ApiError)) return notice('error', '下发失败，请刷新重试。');
  const errors = err.problem.errors || [];
  return h('div', { id: 'prefill-errors' },
    notice('error', err.message),
    errors.length ? h('div', { class: 'table-wrap' }, h('table', null,
      h('thead', null, h('tr', null, h('th', null, '位置'), h('th', null, '问题'))),
      h('tbody', null, errors.map(e => h('tr', null, h('td', null, e.cell || ''), h('td', null, e.message)))))) : null);
}
