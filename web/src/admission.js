// 报表准入: 报表清单 (the reports in force for a period, GET /api/templates?period=), 部门申请 (a department's admin builds a
// report from the one table's items, checks it with POST /api/templates/check and proposes it) and 减负办审核 (the city's
// admin decides the pending proposals beside the department's reports in force).
import { api, ApiError } from './api.js';
import { h, mount, fmtTime, notice } from './dom.js';
import { currentMonth, display, kindOf, previous } from './periods.js';

const verdictName = { existing: '一表已有', derivable: '可由一表推算', nearMatch: '近似已有指标', new: '新增指标', invalid: '有误' };
const kindText = { month: '月报', quarter: '季报', year: '年报' };
const statusText = { pending: '待审核', admitting: '正在发布', admitted: '已准入', rejected: '已驳回', returned: '已退回修改' };
const actionText = { admit: '准入', reject: '不予准入', return: '退回修改' };
const nextMonth = () => previous(currentMonth(), -1);

// The form's catalog carries no department names; the 报表清单 names each report's department.
const deptName = (catalog, code, templates = []) =>
  (catalog.departments || []).find(d => d.code === code)?.name || templates.find(t => t.departmentCode === code)?.department || code;

function failure(err, fallback) {
  if (!(err instanceof ApiError)) return notice('error', fallback);
  const errors = err.problem.errors || [];
  return h('div', { class: 'admission-error' },
    notice('error', err.problem.title && err.problem.detail ? `${err.problem.title}：${err.problem.detail}` : err.message),
    errors.length ? h('ul', null, errors.map(e => h('li', null, typeof e === 'string' ? e
      : `第 ${e.column} 列“${e.header}”：${verdictName[e.verdict] || ''}${e.message ? `，${e.message}` : ''}`))) : null);
}

/** The design check's verdict per column (from POST /api/templates/check or a proposal's stored check). */
function verdictTable(columns) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'verdicts' },
    h('thead', null, h('tr', null, h('th', null, '列'), h('th', null, '表头'), h('th', null, '结论'), h('th', null, '说明'))),
    h('tbody', null, (columns || []).map(c => h('tr', { 'data-verdict': c.verdict },
      h('td', { 'data-label': '列' }, String(c.column)),
      h('td', { 'data-label': '表头' }, (c.header || '')),
      h('td', { 'data-label': '结论' }, verdictName[c.verdict] || c.verdict),
      h('td', { 'data-label': '说明' }, c.message || (c.fieldName ? `对应一表指标：${c.fieldName}` : '')))))));
}

const burdenText = b => `每个村（社区）每年多填 ${b.entriesPerVillagePerYear} 项；涉及 ${b.villages} 个村（社区），全市每年多填 ${b.cityEntriesPerYear} 项。`;

function templatesTable(templates, id) {
  if (!templates.length) return h('p', { class: 'muted' }, '没有在用的报表。');
  return h('div', { class: 'table-wrap' }, h('table', { id },
    h('thead', null, h('tr', null, h('th', null, '部门'), h('th', null, '报表'), h('th', null, '频次'), h('th', null, '列数'),
      h('th', null, '每村每年填报项数'), h('th', null, '准入'))),
    h('tbody', null, templates.map(t => h('tr', { 'data-template': t.id },
      h('td', { 'data-label': '部门' }, t.department),
      h('td', { 'data-label': '报表' }, t.title, h('br'), h('span', { class: 'muted' }, t.id)),
      h('td', { 'data-label': '频次' }, t.frequency),
      h('td', { 'data-label': '列数' }, String(t.columns.length)),
      h('td', { 'data-label': '每村每年填报项数' }, String(t.entriesPerVillagePerYear)),
      h('td', { 'data-label': '准入' }, t.admitted
        ? `${fmtTime(t.admitted.at)} 由 ${t.admitted.by}（${t.admitted.byOrg}）准入，自 ${display(t.admitted.effectiveFrom)} 起生效，申请编号 ${t.admitted.proposal}`
        : '随系统发布'))))));
}

/** 报表清单: everyone signed in. */
export function templatesPage(root, s) {
  const period = h('input', { id: 'templates-period', value: s.period, size: 8, 'aria-label': '统计期' });
  const out = h('div', { 'aria-live': 'polite' });
  const load = async () => {
    const p = period.value.trim();
    if (!kindOf(p)) return mount(out, notice('error', '统计期格式应为 2026、2026-Q4 或 2026-11。'));
    mount(out, h('p', { class: 'loading' }, '正在加载…'));
    try {
      const list = await api(`/api/templates?period=${encodeURIComponent(p)}`);
      mount(out,
        h('p', { id: 'templates-summary' }, `${display(list.period)} 在用报表 ${list.count} 张（目录版本 ${list.catalogVersion}），每个村（社区）每年共填报 ${list.entriesPerVillagePerYear} 项。`),
        templatesTable(list.templates, 'templates-list'));
    } catch (err) {
      mount(out, failure(err, '报表清单加载失败，请刷新重试。'));
    }
  };
  mount(root, h('section', { id: 'templates' },
    h('h2', null, '报表清单'),
    h('p', { class: 'muted' }, '该统计期在用的全部报表：所属部门、报送频次、列数、每个村（社区）每年的填报项数，以及经减负办准入的时间、审核人和申请编号。'),
    h('form', { class: 'inline', onsubmit: e => { e.preventDefault(); load(); } }, h('label', null, '统计期 ', period), h('button', { type: 'submit', id: 'templates-load' }, '查询')),
    out));
  load();
}

/** 部门申请: an admin whose session names a department builds a report from the one table's items and proposes it. */
export function proposalPage(root, s, catalog, dept) {
  const picked = [];
  const search = h('input', { id: 'adm-search', type: 'search', placeholder: '输入指标名称或编号', 'aria-label': '查找一表指标' });
  const results = h('ul', { id: 'adm-results', class: 'pick-list' });
  const chosen = h('ol', { id: 'adm-columns' });
  const templateId = h('input', { id: 'adm-template-id', required: true, placeholder: `${dept}_example_monthly`, pattern: '[a-z][a-z0-9_]{0,63}' });
  const title = h('input', { id: 'adm-title', required: true, placeholder: '村（社区）……月报' });
  const kind = h('select', { id: 'adm-kind' }, ['month', 'quarter', 'year'].map(k => h('option', { value: k }, kindText[k])));
  const from = h('input', { id: 'adm-from', required: true, value: nextMonth(), size: 8 });
  const deadline = h('input', { id: 'adm-deadline', type: 'number', min: 1, max: 60, value: 10 });
  const reason = h('textarea', { id: 'adm-reason', required: true, rows: 3, placeholder: '为什么需要这张报表，哪些数据不能从一表中取得' });
  const checkOut = h('div', { id: 'adm-check', 'aria-live': 'polite' });
  const answer = h('div', { id: 'adm-answer', 'aria-live': 'polite' });

  const template = () => ({
    id: templateId.value.trim(),
    department: dept,
    title: title.value.trim(),
    periodKind: kind.value,
    audienceLevels: ['township', 'district', 'city'],
    deadlineDays: Number(deadline.value) || 10,
    columns: picked.map(f => ({ headers: [f.name], field: f.id })),
  });

  const showColumns = () => mount(chosen, picked.length ? picked.map(f => h('li', null, `${f.name}（${f.id}）`,
    h('button', { type: 'button', class: 'link', 'aria-label': `移除 ${f.name}`, onclick: () => { picked.splice(picked.indexOf(f), 1); showColumns(); find(); } }, '移除')))
    : h('li', { class: 'muted' }, '尚未选择指标。'));

  const find = () => {
    const q = search.value.trim().toLowerCase();
    const hits = q ? catalog.fields.filter(f => !picked.includes(f) && (f.name.toLowerCase().includes(q) || f.id.toLowerCase().includes(q))).slice(0, 20) : [];
    mount(results, hits.map(f => h('li', null, h('button', {
      type: 'button', 'data-field': f.id,
      onclick: () => { picked.push(f); showColumns(); find(); },
    }, `添加：${f.name}${f.unit ? `（${f.unit}）` : ''}`))));
  };
  search.addEventListener('input', find);

  const ready = () => {
    if (!picked.length) return '请至少从一表中选择一项指标作为报表的列。';
    if (!templateId.value.trim() || !title.value.trim()) return '请填写报表编号和报表名称。';
    return null;
  };

  const check = async () => {
    const problem = ready();
    if (problem) return mount(checkOut, notice('error', problem));
    mount(checkOut, h('p', { class: 'loading' }, '正在检查…'));
    try {
      const r = await api('/api/templates/check', { method: 'POST', body: JSON.stringify(template()), headers: { 'Content-Type': 'application/json' } });
      mount(checkOut, notice(r.summary.new ? 'info' : 'ok', r.message),
        h('p', { id: 'adm-check-burden' }, `检查结果：一表已有 ${r.summary.existing} 列，可推算 ${r.summary.derivable} 列，新增 ${r.summary.new} 列；每个村（社区）每年多填 ${r.summary.extraEntriesPerVillagePerYear} 项。`),
        verdictTable(r.columns));
    } catch (err) {
      mount(checkOut, failure(err, '检查失败，请重试。'));
    }
  };

  const submit = async () => {
    const problem = ready() || (!kindOf(from.value.trim()) ? '生效期格式应为 2027-01、2027-Q1 或 2027。' : null) || (!reason.value.trim() ? '请写明申请理由。' : null);
    if (problem) return mount(answer, notice('error', problem));
    mount(answer, h('p', { class: 'loading' }, '正在提交…'));
    try {
      const r = await api('/api/templates/proposals', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ template: template(), fields: [], effectiveFrom: from.value.trim(), reason: reason.value.trim() }),
      });
      mount(answer, notice('ok', `已提交报表准入申请，申请编号 `, h('strong', { id: 'adm-proposal-id' }, r.id), `，状态：${r.statusText || statusText[r.status] || r.status}，等待市减负办审核。`),
        h('p', { id: 'adm-answer-burden' }, burdenText(r.burden)),
        verdictTable(r.check && r.check.columns));
    } catch (err) {
      mount(answer, failure(err, '提交失败，请重试。'));
    }
  };

  showColumns();
  const heading = h('h2', null, `${deptName(catalog, dept)}：申请新报表`);
  api(`/api/templates?period=${encodeURIComponent(s.period)}`)
    .then(list => { heading.textContent = `${deptName(catalog, dept, list.templates)}：申请新报表`; })
    .catch(() => { /* the heading keeps the code */ });
  mount(root, h('section', { id: 'proposal' },
    heading,
    h('p', { class: 'muted' }, '新报表由一表中已有的指标组成：查找并添加指标，每项成为报表的一列（表头即指标名称）。提交前先检查，看每一列在一表中的情况和村（社区）增加的填报量；提交后由市减负办审核准入。'),
    h('form', { class: 'stack', onsubmit: e => { e.preventDefault(); submit(); } },
      h('label', null, '报表编号 ', templateId),
      h('label', null, '报表名称 ', title),
      h('label', null, '报送频次 ', kind),
      h('label', null, '截止天数 ', deadline),
      h('label', null, '查找一表指标 ', search),
      results,
      h('h3', null, '报表的列'),
      chosen,
      h('label', null, '生效期 ', from),
      h('label', null, '申请理由 ', reason),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'adm-check-button', onclick: check }, '检查'),
        h('button', { type: 'submit', id: 'adm-submit' }, '提交申请'))),
    checkOut, answer));
}

/** 减负办审核: the city's admin decides pending proposals, each beside the reports its department already has. */
export function reviewPage(root, s, catalog) {
  const out = h('div', { id: 'adm-queue', 'aria-live': 'polite' });
  const said = h('div', { id: 'adm-decided', 'aria-live': 'polite' });

  const load = async () => {
    mount(out, h('p', { class: 'loading' }, '正在加载待审核的申请…'));
    try {
      const [queue, inForce] = await Promise.all([
        api('/api/templates/proposals?status=pending'),
        api(`/api/templates?period=${encodeURIComponent(s.period)}`),
      ]);
      const proposals = await Promise.all(queue.proposals.map(p => api(`/api/templates/proposals/${encodeURIComponent(p.id)}`)));
      names = inForce.templates;
      mount(out, proposals.length ? proposals.map(p => item(p, inForce.templates.filter(t => t.departmentCode === p.department), inForce.period))
        : h('p', { class: 'muted' }, '没有待审核的报表申请。'));
    } catch (err) {
      mount(out, failure(err, '待审核的申请加载失败，请刷新重试。'));
    }
  };

  let names = [];
  const item = (p, existing, period) => {
    const reason = h('textarea', { class: 'adm-decision-reason', rows: 2, required: true, 'aria-label': '决定理由', placeholder: '决定理由（必填）' });
    const from = h('input', { class: 'adm-decision-from', value: p.effectiveFrom, size: 8, 'aria-label': '生效期' });
    const status = h('div', { 'aria-live': 'polite' });
    const decide = async action => {
      if (!reason.value.trim()) return mount(status, notice('error', '请写明决定理由。'));
      if (action === 'admit' && !kindOf(from.value.trim())) return mount(status, notice('error', '生效期格式应为 2027-01、2027-Q1 或 2027。'));
      mount(status, h('p', { class: 'loading' }, '正在提交决定…'));
      try {
        const r = await api(`/api/templates/proposals/${encodeURIComponent(p.id)}/decision`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ action, reason: reason.value.trim(), ...(action === 'admit' ? { effectiveFrom: from.value.trim() } : {}) }),
        });
        mount(said, notice('ok', `申请 ${r.id}（${r.title}）：${actionText[action]}`,
          action === 'admit' && r.decision ? `，自 ${display(r.decision.effectiveFrom)} 起生效（目录版本 ${r.decision.version}）。` : '。'));
        await load();
      } catch (err) {
        mount(status, failure(err, '决定未能提交，请重试。'));
      }
    };
    return h('article', { class: 'proposal-review', 'data-proposal': p.id },
      h('h3', null, `${deptName(catalog, p.department, names)}：${p.title}`),
      h('div', { class: 'side-by-side' },
        h('div', null,
          h('p', null, `申请编号 ${p.id}；报表编号 ${p.templateId}；${kindText[p.periodKind] || p.periodKind}；申请自 ${display(p.effectiveFrom)} 起生效。`),
          h('p', null, `申请人 ${p.proposedBy}（${p.proposedByOrg}），${fmtTime(p.proposedAt)}；理由：${p.reason}`),
          h('p', { class: 'adm-burden' }, burdenText(p.burden)),
          verdictTable(p.check && p.check.columns)),
        h('div', null,
          h('h4', null, `该部门 ${display(period)} 在用的报表（${existing.length} 张）`),
          existing.length ? h('ul', null, existing.map(t => h('li', null, `${t.title}（${t.frequency}，${t.columns.length} 列，每村每年 ${t.entriesPerVillagePerYear} 项）`)))
            : h('p', { class: 'muted' }, '无'))),
      h('div', { class: 'decision' },
        reason,
        h('label', null, '准入生效期 ', from),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'adm-admit', onclick: () => decide('admit') }, '准入'),
          h('button', { type: 'button', class: 'adm-reject', onclick: () => decide('reject') }, '不予准入'),
          h('button', { type: 'button', class: 'adm-return', onclick: () => decide('return') }, '退回'))),
      status);
  };

  mount(root, h('section', { id: 'review' },
    h('h2', null, '减负办审核：报表准入'),
    h('p', { class: 'muted' }, '各部门申请的新报表：左侧为每一列的检查结论和村（社区）增加的填报量，右侧为该部门已在用的报表。准入、不予准入或退回都须写明理由。'),
    said, out));
  load();
}
