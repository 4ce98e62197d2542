// The office's consolidated workbooks for the period (GET …/reports/{period}): built time, size and whether a rebuild is
// pending, each downloadable; admins can rebuild one now (POST …/reports/{period}/{template}/build).
import { api, download, ApiError } from './api.js';
import { h, mount, fmtTime, notice, saveBlob } from './dom.js';

const size = bytes => (bytes == null ? '' : bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

export function workbooksSection(s) {
  const { org, period } = s;
  const isAdmin = (s.roles || []).includes('admin');
  const out = h('div', { 'aria-live': 'polite' });
  const summary = h('p', { class: 'muted' });
  const body = h('div', { class: 'table-wrap' }, h('p', { class: 'loading' }, '正在加载汇总表列表…'));
  const heading = h('h2', null, '汇总表');

  async function load() {
    try {
      const list = await api(`/api/orgs/${org}/reports/${period}`);
      heading.textContent = `汇总表（${list.count} 张）`;
      summary.textContent = list.message;
      mount(body, list.workbooks.length ? table(list.workbooks) : notice('info', list.message));
    } catch (err) {
      mount(body, notice('error', err instanceof ApiError ? err.message : '汇总表列表加载失败，请刷新重试。'));
    }
  }

  const table = items => h('table', { id: 'workbooks' },
    h('thead', null, h('tr', null, h('th', null, '报表'), h('th', null, '部门'), h('th', null, '生成时间'), h('th', null, '大小'), h('th', null, '状态'), h('th', null, ''))),
    h('tbody', null, items.map(w => h('tr', { 'data-template': w.template, class: w.pending ? 'pending' : 'current' },
      h('td', null, w.title), h('td', null, w.department),
      h('td', { class: 'built' }, w.built ? fmtTime(w.built) : '尚未生成'),
      h('td', null, size(w.size)),
      h('td', { class: 'state' }, w.pending
        ? h('span', { class: 'tag pending', title: '村（社区）数据在生成后有变化，或尚未生成；定时汇总会更新' }, '待更新')
        : h('span', { class: 'tag current' }, '已是最新')),
      h('td', { class: 'buttons' },
        h('button', {
          type: 'button', class: 'download', disabled: !w.built, 'aria-label': `下载“${w.title}”`, onclick: async () => {
            try {
              const { blob, name } = await download(`/api/orgs/${org}/reports/${period}/${w.template}`, `${w.template}_${org}_${period}.xlsx`);
              saveBlob(blob, name);
              mount(out);
            } catch (err) { mount(out, notice('error', err.message)); }
          },
        }, '下载'),
        isAdmin ? h('button', {
          type: 'button', class: 'build', 'aria-label': `重新生成“${w.title}”`, onclick: async e => {
            const button = e.currentTarget;
            button.disabled = true;
            mount(out, notice('info', `正在生成“${w.title}”…`));
            try {
              const r = await api(`/api/orgs/${org}/reports/${period}/${w.template}/build`, { method: 'POST' });
              mount(out, notice('ok', `“${w.title}”已生成：${r.reported}/${r.expected} 个单位已报。`));
              await load();
            } catch (err) {
              mount(out, notice('error', err.message));
              button.disabled = false;
            }
          },
        }, '重新生成') : null)))));

  load();
  return h('section', { id: 'workbooks-section' }, heading, summary, out, body);
}
