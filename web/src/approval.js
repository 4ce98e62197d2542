// Approval by level (GET/POST …/approval/{period}): the office reviews its subtree child by child (each answer holds an
// org and its direct children; drilling down asks the route for the child) — approve (审核通过),
// return (退回, with a reason), approve its own org once every child is approved, unlock (解锁, with a reason) as the
// parent's admin — and the clerk reads a return's reason or the lock. The buttons are the steps the server says the
// caller may take on each unit (`actions`, by the same rule that checks the step); any refusal meanwhile is shown in
// the server's words.
import { api, ApiError } from './api.js';
import { h, mount, fmtTime, notice } from './dom.js';
import { byWhom } from './names.js';
import { asOfNote } from './asof.js';

const byText = u => (u.at ? `${fmtTime(u.at)} · ${byWhom(u.byOrgName, u.byOrg, u.by)}` : '');

/** The notice on the clerk's form: 已锁定 or 退回 with the reason; null when neither applies. */
export function clerkApprovalNotice(report) {
  const self = report?.self;
  if (!self) return null;
  if (self.locked) {
    return notice('warn', h('strong', null, '已锁定：'),
      `本期数据已于 ${fmtTime(self.at)} 由 ${byWhom(self.byOrgName, self.byOrg, self.by)} 审核通过并锁定，不能再提交或修改；如需更正，请联系上级解锁。`);
  }
  if (self.state === 'returned') {
    return notice('error', h('strong', null, '已退回：'), `上级于 ${fmtTime(self.at)} 退回了本期数据，原因：`,
      h('q', { class: 'reason' }, self.reason || '（未填写）'), '。请修改后重新提交。');
  }
  return null;
}

export function approvalSection(s) {
  const { org, period } = s;
  const isAdmin = (s.roles || []).includes('admin');
  const out = h('div', { 'aria-live': 'polite' });
  const body = h('div', null, h('p', { class: 'loading' }, '正在加载审核状态…'));
  let report = null;
  // The org whose children are shown, and the answers on the way down (each level asks the route for its own org:
  // an answer holds the org and its direct children only).
  const trail = [org];
  let shown = null;

  async function load() {
    try {
      const focus = trail[trail.length - 1];
      const [own, here] = await Promise.all([
        api(`/api/orgs/${org}/approval/${period}`),
        focus === org ? null : api(`/api/orgs/${focus}/approval/${period}`),
      ]);
      report = own;
      shown = here || own;
      render();
    } catch (err) {
      mount(body, notice('error', err instanceof ApiError ? err.message : '审核状态加载失败，请刷新重试。'));
    }
  }

  async function act(unit, action, reason) {
    mount(out, notice('info', '正在提交…'));
    try {
      const r = await api(`/api/orgs/${unit.org}/approval/${period}`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ action, reason: reason || null }),
      });
      mount(out, notice('ok', r.message));
      await load();
    } catch (err) {
      mount(out, notice('error', err instanceof ApiError ? err.message : '提交失败，请重试。'));
    }
  }

  /** A reason is required for return and unlock: an inline form under the row, not a browser prompt. */
  function askReason(row, unit, action, label) {
    row.parentElement.querySelector('tr.reason-row')?.remove();
    const input = h('input', { type: 'text', class: 'reason', maxlength: '500', 'aria-label': `${label}原因`, placeholder: `${label}原因（必填）` });
    const form = h('form', {
      class: 'inline', onsubmit: e => {
        e.preventDefault();
        if (!input.value.trim()) { mount(out, notice('error', `请填写${label}原因。`)); input.focus(); return; }
        act(unit, action, input.value.trim());
      },
    }, input, h('button', { type: 'submit', class: 'confirm' }, `确认${label}`), h('button', { type: 'button', onclick: () => reasonRow.remove() }, '取消'));
    const reasonRow = h('tr', { class: 'reason-row' }, h('td', { colspan: '5' }, form));
    row.after(reasonRow);
    input.focus();
  }

  function render() {
    const focus = shown.org;
    const units = shown.units;
    const here = shown.self;
    const children = units.filter(u => u.parent === focus);
    const hasChildren = u => u.level !== 'village';
    const allowed = u => u.actions || [];
    const canApproveSelf = allowed(report.self).includes('approve');
    const actions = (u, row) => {
      if (!isAdmin) return null;
      const can = allowed(u);
      return [
        can.includes('approve') ? h('button', { type: 'button', class: 'approve', onclick: () => act(u, 'approve') }, '审核通过') : null,
        can.includes('return') ? h('button', { type: 'button', class: 'return', onclick: () => askReason(row(), u, 'return', '退回') }, '退回') : null,
        can.includes('unlock') ? h('button', { type: 'button', class: 'unlock', onclick: () => askReason(row(), u, 'unlock', '解锁') }, '解锁') : null,
      ];
    };
    const rows = children.map(u => {
      let tr = null;
      tr = h('tr', { 'data-org': u.org, class: `ap-${u.state}` },
        h('td', null, u.name, hasChildren(u) ? [' ', h('button', { type: 'button', class: 'link drill', onclick: () => { trail.push(u.org); load(); } }, '下级')] : null),
        h('td', { class: 'state' }, u.stateName, u.locked ? h('span', { class: 'tag lock' }, '已锁定') : null),
        h('td', null, byText(u)),
        h('td', { class: 'reason' }, u.reason ?? ''),
        h('td', { class: 'buttons' }, actions(u, () => tr)));
      return tr;
    });
    const selfApprove = isAdmin && focus === org && !report.self.locked
      ? h('button', {
        type: 'button', id: 'approve-self', class: 'primary', disabled: !canApproveSelf,
        title: canApproveSelf ? '' : '所有下级审核通过后才能审核本级', onclick: () => act(report.self, 'approve'),
      }, `${report.orgName} 本级审核通过`)
      : null;
    mount(body,
      h('p', { class: 'approval-summary' },
        `本级（${report.orgName}）：${report.self.stateName}${report.self.locked ? '（已锁定）' : ''}；`,
        `整个辖区 ${report.total} 个单位中 ${report.approved} 个审核通过，${report.returned} 个退回。`),
      asOfNote(report, 'approval-as-of'),
      focus !== org ? h('p', null, h('button', { type: 'button', class: 'link', id: 'approval-up', onclick: () => { trail.pop(); load(); } }, '返回上级'), ` 正在查看：${here.name} 的下级`) : null,
      children.length
        ? h('div', { class: 'table-wrap' }, h('table', { id: 'approval' },
          h('thead', null, h('tr', null, h('th', null, '单位'), h('th', null, '审核状态'), h('th', null, '处理时间与人'), h('th', null, '原因'), h('th', null, ''))),
          h('tbody', null, rows)))
        : h('p', { class: 'muted' }, '没有下级单位。'),
      selfApprove,
      selfApprove && !canApproveSelf ? h('p', { class: 'muted' }, '所有下级审核通过后才能审核本级。') : null,
      h('details', null, h('summary', null, `审核记录（${shown.steps.length} 条）`),
        shown.steps.length
          ? h('ol', { class: 'steps' }, shown.steps.map(st => h('li', null,
            `${fmtTime(st.at)} ${units.find(u => u.org === st.org)?.name || st.org}：${st.actionName}（${byWhom(st.byOrgName, st.byOrg, st.by)}）`,
            st.reason ? [' 原因：', h('q', null, st.reason)] : null)))
          : h('p', { class: 'muted' }, '本期尚无审核记录。')));
  }

  load();
  return h('section', { id: 'approval-section' }, h('h2', null, '审核'), out, body);
}
