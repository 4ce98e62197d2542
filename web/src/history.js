// Every version of a village's values (GET …/history/{period}?field=, newest first, paged), in a modal dialog opened
// from a field of the clerk's form, from the office's drill-down or from a quality flag. The server decides who may read it.
import { api, ApiError } from './api.js';
import { h, mount, fmtTime, notice } from './dom.js';
import { byWhom, byWhomTitle } from './names.js';
import { display, kindOf } from './periods.js';

const PAGE_SIZE = 20;
const CHANNEL = { http: '在线填报或上传', blob: '文件投递', seed: '初始数据' };

/** Opens the dialog; `field` may be empty for every field of the period. */
export function openHistory({ org, orgName, period, field, catalog }) {
  const kind = kindOf(period);
  const fields = catalog.fields.filter(f => f.frequency === kind && f.source !== 'Derived');
  const select = h('select', { id: 'history-field' },
    h('option', { value: '' }, '全部指标'),
    fields.map(f => h('option', { value: f.id }, `${f.name}${f.unit ? `（${f.unit}）` : ''}`)));
  select.value = field || '';
  const list = h('div', { class: 'table-wrap', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', id: 'history-more', hidden: true }, '加载更多');
  const close = h('button', { type: 'button', id: 'history-close' }, '关闭');
  const titleId = 'history-title';
  const dialog = h('dialog', { class: 'history', id: 'history', 'aria-labelledby': titleId },
    h('h2', { id: titleId }, `${orgName || org} · ${display(period)} 修改记录`),
    h('div', { class: 'stack' }, h('label', { for: 'history-field' }, '指标'), select),
    list, h('div', { class: 'buttons' }, more, close));

  let token = null;
  let rows = null;
  let loaded = 0;
  async function load(reset) {
    if (reset) { token = null; rows = null; loaded = 0; more.hidden = true; mount(list, h('p', { class: 'loading' }, '正在加载修改记录…')); }
    more.disabled = true;
    const query = new URLSearchParams({ pageSize: String(PAGE_SIZE) });
    if (select.value) query.set('field', select.value);
    if (token) query.set('continuationToken', token);
    try {
      const page = await api(`/api/orgs/${org}/history/${period}?${query}`);
      if (!rows) {
        rows = h('tbody');
        mount(list, page.versions.length
          ? h('table', { id: 'history-table' },
            h('thead', null, h('tr', null, h('th', null, '时间'), h('th', null, '指标'), h('th', null, '数值'), h('th', null, '原值'), h('th', null, '来源'), h('th', null, '方式'), h('th', null, '提交人'), h('th', null, '回执编号'))),
            rows)
          : h('p', { class: 'muted' }, '本期没有修改记录。'));
      }
      for (const v of page.versions) {
        rows.append(h('tr', { class: 'version' },
          h('td', null, fmtTime(v.at)), h('td', null, v.fieldName || v.field), h('td', { class: 'value' }, v.value),
          h('td', { class: 'previous' }, v.previous ?? '（无）'), h('td', null, v.originName), h('td', null, CHANNEL[v.channel] || v.channel),
          h('td', { title: byWhomTitle(v.subjectOrg, v.subject) }, byWhom(v.subjectOrgName, v.subjectOrg, v.subject) || '（未记录）'), h('td', { class: 'id' }, v.submissionId)));
      }
      loaded += page.versions.length;
      token = page.continuationToken;
      more.hidden = !token;
      more.textContent = `加载更多（已显示 ${loaded} 条）`;
    } catch (err) {
      mount(list, notice('error', err instanceof ApiError ? err.message : '修改记录加载失败，请重试。'));
    } finally {
      more.disabled = false;
    }
  }

  select.addEventListener('change', () => load(true));
  more.addEventListener('click', () => load(false));
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  load(true);
  return dialog;
}
