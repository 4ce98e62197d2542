// The village clerk's page: the one table as a form, live checks, submit with a receipt, .xlsx/.csv upload, a draft.
import { api, download, ApiError } from './api.js';
import { h, mount, add, fmtTime, notice, saveBlob, debounce } from './dom.js';
import { checkValue, checkRules, derivedValue, dependenciesOf, requiredMessage, formatNumber } from './validate.js';
import { kindOf, previous, display } from './periods.js';
import { feedbackForm } from './feedback.js';
import { clerkApprovalNotice } from './approval.js';
import { openHistory } from './history.js';
import { isValuesChanged, conflictRows, resolvedValue } from './conflict.js';
import { periodStateLine, forgetReportingPeriods } from './reportingperiods.js';
import { lockReason, makeReadOnly } from './readonly.js';
import { createFieldErrors } from './formerrors.js';
import { errorSummary } from './errorsummary.js';
import { qualityWarnings } from './qualitycheck.js';
import { explanationBoxes } from './explanations.js';
import { formTools } from './formtools.js';
import { enqueue, dequeue, waiting, onBackOnline } from './offline.js';

const draftKey = (org, period) => `rp.draft.${org}.${period}`;
const CONTENT_TYPES = { xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', csv: 'text/csv', txt: 'text/csv', tsv: 'text/tab-separated-values', json: 'application/json' };

// `shown`: a receipt to show once the page is drawn again with the stored values (after an accepted submission).
export async function clerkPage(root, s, catalog, { shown = null } = {}) {
  const started = performance.now();
  const { org, period } = s;
  const kind = kindOf(period);
  const [current, formView, approval, stateLine] = await Promise.all([
    api(`/api/orgs/${org}/values/${period}`),
    // The form as the server builds the workbook (one rule): each field's pre-fill or carry-forward, and last period's value.
    api(`/api/orgs/${org}/form/${period}`),
    // The review state: a return's reason, or the lock. Not essential to fill the form, so a failure only hides it.
    api(`/api/orgs/${org}/approval/${period}`).catch(() => null),
    periodStateLine(org, period),
  ]);
  let locked = approval?.self?.locked === true;
  const stored = new Map(current.values.map(v => [v.field, v]));
  // The version of the values this page shows: every submission says it was prepared from it (If-Match).
  let version = current.version;
  const entries = new Map(formView.fields.map(e => [e.field, e]));
  const lastValues = new Map(formView.fields.filter(e => e.previous != null).map(e => [e.field, e.previous]));
  // What each input starts with: the stored value, else the carried-forward suggestion; a draft is what differs from it.
  const initial = new Map(formView.fields.map(e => [e.field, stored.get(e.field)?.value ?? e.value ?? '']));
  const fields = catalog.fields.filter(f => f.frequency === kind);
  const byId = new Map(catalog.fields.map(f => [f.id, f]));
  const inputs = new Map();
  const flagged = new Set();
  const dependants = new Map();
  for (const f of fields) {
    for (const dep of f.source === 'Derived' ? dependenciesOf(f) : []) {
      if (!dependants.has(dep)) dependants.set(dep, []);
      dependants.get(dep).push(f);
    }
  }
  const rulesOf = new Map();
  for (const rule of catalog.rules) {
    for (const id of [rule.field, ...rule.others]) {
      if (!rulesOf.has(id)) rulesOf.set(id, []);
      rulesOf.get(id).push(rule);
    }
  }

  const numberOf = id => {
    const input = inputs.get(id);
    const text = input ? input.value : stored.get(id)?.value;
    const f = byId.get(id);
    if (!f || text == null) return null;
    const r = checkValue(f, text);
    return r.number ?? null;
  };
  const isPrefilled = id => entries.get(id)?.treatment === 'prefilled' || stored.get(id)?.origin === 'Prefilled';
  const editable = f => f.source !== 'Derived' && !(isPrefilled(f.id) && !flagged.has(f.id));

  /** Draws one field's problem (or none) under it. */
  function showError(id, message, warning = false) {
    const row = root.querySelector(`#row-${CSS.escape(id)}`);
    if (!row) return;
    const slot = row.querySelector('.err');
    slot.textContent = message || '';
    row.classList.toggle('invalid', !!message && !warning);
    row.classList.toggle('warn', !!message && warning);
    const input = inputs.get(id);
    if (input) input.setAttribute('aria-invalid', message && !warning ? 'true' : 'false');
  }

  // Required fields are checked once the clerk has tried to submit; until then an empty field is not an error.
  let requireFilled = false;
  const ownError = id => {
    const f = byId.get(id);
    const input = inputs.get(id);
    if (!f || !input || !editable(f)) return null;
    const r = checkValue(f, input.value);
    if (r.error) return r.error.message;
    if (r.missing && requireFilled && f.required && f.source === 'Typed' && !stored.has(f.id)) return requiredMessage(f);
    return null;
  };
  // Quality warnings while typing: the value against the field's soft range and against last period's value.
  const ownWarning = id => {
    const f = byId.get(id);
    const input = inputs.get(id);
    if (!f || !input || !editable(f) || (f.type !== 'Integer' && f.type !== 'Decimal')) return null;
    const r = checkValue(f, input.value);
    if (r.error || r.missing || r.number == null) return null;
    const last = lastValues.has(id) ? Number(lastValues.get(id)) : null;
    const warnings = qualityWarnings(f, r.number, Number.isFinite(last) ? last : null);
    return warnings.length ? warnings.map(w => w.message).join('；') : null;
  };
  const fieldErrors = createFieldErrors({
    ownError, ownWarning, rulesOf: id => rulesOf.get(id) || [], checkRules: rules => checkRules(rules, byId, numberOf), order: fields.map(f => f.id),
  });
  const explanations = explanationBoxes(root);
  const summaryTop = errorSummary('error-summary');
  const summaryBar = errorSummary('error-summary-bar', { folded: true });
  const tools = formTools({ fields, inputs, editable, openErrors: () => fieldErrors.open() });
  const focusField = id => tools.focusField(id);
  /** Recomputes every problem `ids` can affect, draws them and the two summaries. */
  function refreshErrors(ids) {
    for (const [id, problem] of fieldErrors.recompute(ids)) {
      showError(id, problem?.message, problem?.warning);
      explanations.toggle(id, !!problem?.quality);
    }
    const open = fieldErrors.open();
    const nameOfField = id => byId.get(id)?.name || id;
    summaryTop.render(open, nameOfField, focusField);
    summaryBar.render(open, nameOfField, focusField);
  }

  function recompute(id) {
    for (const d of dependants.get(id) || []) {
      const input = inputs.get(d.id);
      if (!input) continue;
      const value = derivedValue(d, numberOf);
      input.value = value == null ? '' : formatNumber(value);
      recompute(d.id);
    }
  }

  // Rendering: one fragment for the whole table, one listener for every field.
  const form = h('form', { class: 'onetable', novalidate: true, 'aria-label': '一表通填报' });
  const groups = new Map();
  for (const f of fields) {
    if (!groups.has(f.group)) groups.set(f.group, []);
    groups.get(f.group).push(f);
  }
  const toc = h('nav', { class: 'toc', 'aria-label': '分组' });
  for (const [group, list] of groups) {
    const sectionId = `g-${[...groups.keys()].indexOf(group)}`;
    toc.append(h('a', {
      href: `#${sectionId}`, onclick: e => {
        e.preventDefault();
        const target = document.getElementById(sectionId);
        if (target) { target.open = true; target.scrollIntoView(); }
      },
    }, group));
    // A group folds away (its heading is the summary); every group starts open.
    const section = h('details', { id: sectionId, class: 'group', open: true }, h('summary', null, h('h2', null, group, h('span', { class: 'count' }, ` ${list.length} 项`))));
    for (const f of list) section.append(renderRow(f));
    form.append(section);
  }

  function renderRow(f) {
    const value = stored.get(f.id);
    const entry = entries.get(f.id);
    const prefilled = isPrefilled(f.id);
    const start = initial.get(f.id) ?? '';
    const id = `f-${f.id}`;
    let input;
    if (f.type === 'Enum' || f.type === 'Boolean') {
      const options = f.type === 'Boolean' ? [{ code: 'true', label: '是' }, { code: 'false', label: '否' }] : f.options;
      input = h('select', { id, name: f.id }, h('option', { value: '' }, '请选择'), options.map(o => h('option', { value: o.code }, o.label)));
      input.value = start;
    } else {
      input = h('input', {
        id, name: f.id, type: f.type === 'Date' ? 'date' : 'text', value: start,
        inputmode: f.type === 'Integer' ? 'numeric' : f.type === 'Decimal' ? 'decimal' : null, autocomplete: 'off',
      });
    }
    input.setAttribute('aria-describedby', `e-${f.id}`);
    if (f.source === 'Derived') { input.readOnly = true; input.tabIndex = -1; }
    if (prefilled) input.disabled = true;
    inputs.set(f.id, input);
    const lastValue = lastValues.get(f.id);
    const notes = [];
    if (f.source === 'Derived') notes.push(h('span', { class: 'tag derived' }, '自动计算'));
    if (prefilled) {
      notes.push(h('span', { class: 'tag prefill' }, `已由${entry?.prefilledBy || '上级部门'}预填`));
      notes.push(h('button', {
        type: 'button', class: 'link flag',
        onclick: e => {
          flagged.add(f.id);
          input.disabled = false;
          input.focus();
          e.currentTarget.replaceWith(h('span', { class: 'tag conflict' }, '已标记有误：请填写正确数值，提交后将记为与预填不一致'));
        },
      }, '数据有误'));
    } else if (entry?.treatment === 'carried-forward' || value?.origin === 'CarriedForward') {
      notes.push(h('span', { class: 'tag carry' }, '沿用上期数值，请核对；提交即视为确认'));
    }
    if (value?.prefillConflict != null) notes.push(h('span', { class: 'tag conflict' }, `与预填值 ${value.prefillConflict} 不一致`));
    return h('div', { class: 'row', id: `row-${f.id}` },
      h('label', { for: id },
        h('span', { class: 'name' }, f.name),
        f.required && f.source === 'Typed' ? h('span', { class: 'req', title: '必填' }, '*') : null,
        f.unit ? h('span', { class: 'unit' }, `（${f.unit}）`) : null),
      input,
      h('span', { class: 'last' }, lastValue != null ? `上期：${lastValue}` : '',
        value ? h('button', { type: 'button', class: 'link hist', 'data-field': f.id, 'aria-label': `${f.name} 的修改记录` }, '修改记录') : null),
      notes.length ? h('div', { class: 'notes' }, notes) : null,
      h('div', { class: 'err', id: `e-${f.id}`, 'aria-live': 'polite' }));
  }

  // Draft: kept in this origin's localStorage under the org and period so that a closed tab loses nothing typed.
  const draftStorageKey = draftKey(org, period);
  const saveDraft = debounce(() => {
    // A locked period keeps no draft: nothing typed could be submitted.
    if (locked) return;
    const values = {};
    for (const f of fields) {
      const input = inputs.get(f.id);
      if (editable(f) && input.value !== (initial.get(f.id) ?? '')) values[f.id] = input.value;
    }
    if (Object.keys(values).length || flagged.size) localStorage.setItem(draftStorageKey, JSON.stringify({ savedAt: new Date().toISOString(), version, values, flagged: [...flagged] }));
    else localStorage.removeItem(draftStorageKey);
    draftState.textContent = `草稿已保存在本机（${fmtTime(new Date())}）`;
  }, 400);

  form.addEventListener('input', e => {
    const f = byId.get(e.target.name);
    if (!f) return;
    fieldErrors.edited(f.id);
    recompute(f.id);
    refreshErrors([f.id, ...(dependants.get(f.id) || []).map(d => d.id)]);
    tools.update();
    saveDraft();
  });
  form.addEventListener('change', e => { const f = byId.get(e.target.name); if (f) refreshErrors([f.id]); });
  form.addEventListener('click', e => {
    const button = e.target.closest('button.hist');
    if (button) openHistory({ org, orgName: current.orgName, period, field: button.dataset.field, catalog });
  });

  const draftState = h('span', { class: 'muted', 'aria-live': 'polite' });
  const draftNote = h('div');
  // A locked period shows what is stored: a draft typed before the lock cannot be submitted.
  const draft = locked ? null : JSON.parse(localStorage.getItem(draftStorageKey) || 'null');
  if (draft) {
    for (const id of draft.flagged || []) flagged.add(id);
    // The draft was typed over the values of its own version: submitted from that version, a field someone else changed
    // meanwhile comes back as a conflict to decide instead of being overwritten.
    if (draft.version) version = draft.version;
    for (const [id, text] of Object.entries(draft.values || {})) {
      const input = inputs.get(id);
      if (input) { input.disabled = false; input.value = text; }
    }
    const older = current.lastChanged && new Date(draft.savedAt) < new Date(current.lastChanged);
    mount(draftNote, notice(older ? 'warn' : 'info',
      older
        ? `已恢复 ${fmtTime(draft.savedAt)} 保存的草稿，但服务器上的数据在 ${fmtTime(current.lastChanged)} 又更新过：草稿比已保存的数据旧，请逐项核对后再提交。`
        : `已恢复 ${fmtTime(draft.savedAt)} 保存在本机的草稿（尚未提交）。`,
      ' ', h('button', { type: 'button', class: 'link', onclick: () => { localStorage.removeItem(draftStorageKey); location.reload(); } }, '丢弃草稿')));
    for (const id of Object.keys(draft.values || {})) recompute(id);
  }

  const result = h('div', { id: 'result', tabindex: '-1' });
  let idempotencyKey = crypto.randomUUID();
  form.addEventListener('input', () => { idempotencyKey = crypto.randomUUID(); });

  async function submitOnline(e) {
    e?.preventDefault();
    requireFilled = true;
    refreshErrors(fields.map(f => f.id));
    if (fieldErrors.size) {
      mount(result, notice('error', `还有 ${fieldErrors.size} 处需要修改，已在对应指标下方和上方的列表中标出。`));
      focusField(fieldErrors.open()[0].field);
      return;
    }
    const values = {};
    for (const f of fields) {
      const input = inputs.get(f.id);
      if (!editable(f) || f.source === 'Derived') continue;
      const r = checkValue(f, input.value);
      if (!r.missing) values[f.id] = input.value.trim();
    }
    const explained = explanations.toSend();
    await send(JSON.stringify(Object.keys(explained).length ? { values, explanations: explained } : { values }), 'application/json', '在线填报', { fromForm: true });
  }

  // ifMatch: the version the body was prepared from; null for a filled workbook, which records its own.
  async function send(body, contentType, channel, { fromForm = false, ifMatch = version, key = idempotencyKey } = {}) {
    mount(result, notice('info', '正在提交…'));
    submitButton.disabled = true;
    let reloading = false;
    try {
      const headers = { 'Content-Type': contentType, 'Idempotency-Key': key };
      if (ifMatch) headers['If-Match'] = `"${ifMatch}"`;
      let receipt;
      try {
        receipt = await api(`/api/orgs/${org}/submissions/${period}`, { method: 'POST', body, headers });
      } catch (err) {
        // No network: the form's submission waits on this device and is sent, with the same key, once online.
        if (fromForm && err instanceof ApiError && err.status === 0) {
          await enqueue({ key, org, period, body, contentType, ifMatch, channel });
          mount(result, outboxView(await waiting(org, period)));
          return;
        }
        if (fromForm) await dequeue(key).catch(() => {});
        throw err;
      }
      if (fromForm) await dequeue(key).catch(() => {});
      // A draft save still pending from the last keystroke would bring back what was just submitted.
      saveDraft.cancel();
      localStorage.removeItem(draftStorageKey);
      draftState.textContent = '';
      mount(draftNote);
      // Whatever was sent (the form, a .csv, a workbook), the page now shows what is stored, and its version.
      reloading = true;
      await reloadWith(receiptView(receipt, channel, byId, fromForm && sentFromOutbox.has(key)));
    } catch (err) {
      if (isValuesChanged(err)) {
        mount(result, fromForm ? formConflictView(err.problem) : fileConflictView(err.problem, () => send(body, contentType, channel, { ifMatch: err.problem.currentVersion })));
        return;
      }
      mount(result, errorView(err, byId));
      // Approved and locked meanwhile (409 naming who approved it): the message is shown as it is, and the button rests.
      if (err instanceof ApiError && err.status === 409 && /\/locked$/.test(err.problem.type || '')) {
        locked = true;
        makeReadOnly({ form, inputs, submitButton, uploads, reason: err.message });
      }
      // The form's own values refused: each error stays under its field (by id) until that field is edited. A file's
      // errors are about the file's values, not the form's, so they stay in the list above, each with its cell.
      if (fromForm && err instanceof ApiError && err.status === 422) {
        const ids = (err.problem.errors || []).filter(e2 => e2.field && byId.has(e2.field)).map(e2 => { fieldErrors.serverError(e2.field, e2.message); return e2.field; });
        refreshErrors(ids);
      }
    } finally {
      if (!reloading) {
        submitButton.disabled = locked;
        result.focus();
      }
    }
  }

  /** Draws the page again from the stored values, then shows `shown`; if the values cannot be read, shows it here. */
  async function reloadWith(shown) {
    try {
      forgetReportingPeriods();
      await clerkPage(root, s, catalog, { shown });
    } catch {
      mount(result, shown);
      submitButton.disabled = locked;
      result.focus();
    }
  }

  const conflictRowsOf = problem => conflictRows(problem.changed, id => stored.get(id)?.value);

  // The form's values met newer ones: each field the clerk sent differently is shown with both values and a choice.
  function formConflictView(problem) {
    const rows = conflictRowsOf(problem);
    const choosable = rows.filter(r => r.choosable);
    const taken = rows.filter(r => !r.choosable);
    const panel = notice('warn conflict',
      h('h2', null, problem.title || '数据已被他人更新'),
      h('p', null, problem.detail || ''),
      choosable.length ? h('ul', { class: 'conflicts' }, choosable.map(r => h('li', { 'data-field': r.field },
        h('span', { class: 'name' }, r.name, r.unit ? `（${r.unit}）` : ''),
        h('label', null, h('input', { type: 'radio', name: `keep-${r.field}`, value: 'mine', checked: r.choice === 'mine' }), ` 保留我填的：${r.mine}`),
        h('label', null, h('input', { type: 'radio', name: `keep-${r.field}`, value: 'theirs', checked: r.choice === 'theirs' }), ` 采用最新：${r.theirs}`,
          h('span', { class: 'muted' }, `（${fmtTime(r.at)} 保存）`))))) : null,
      taken.length ? h('p', { class: 'muted' }, `另有 ${taken.length} 项已更新为最新数值，将一并采用：${taken.map(r => `${r.name} ${r.theirs}`).join('、')}。`) : null,
      h('p', null, h('button', { type: 'button', class: 'primary resubmit', onclick: () => resubmitResolved(problem, rows, panel) }, '按所选重新提交')));
    return panel;
  }

  async function resubmitResolved(problem, rows, panel) {
    for (const r of rows) {
      const choice = panel.querySelector(`input[name="keep-${CSS.escape(r.field)}"]:checked`)?.value;
      const input = inputs.get(r.field);
      if (input) input.value = resolvedValue(r, choice);
      stored.set(r.field, { ...(stored.get(r.field) || {}), field: r.field, value: r.theirs, origin: r.origin, source: r.source, at: r.at });
      recompute(r.field);
    }
    version = problem.currentVersion;
    idempotencyKey = crypto.randomUUID();
    await submitOnline();
  }

  // A file met newer values: the file cannot be edited here, so it is sent again as it is, or not at all.
  function fileConflictView(problem, sendAnyway) {
    const rows = conflictRowsOf(problem).filter(r => r.choosable);
    return notice('warn conflict',
      h('h2', null, problem.title || '数据已被他人更新'),
      h('p', null, problem.detail || ''),
      rows.length ? h('ul', { class: 'conflicts' }, rows.map(r => h('li', { 'data-field': r.field },
        h('span', { class: 'name' }, r.name, r.unit ? `（${r.unit}）` : ''), ` 最新：${r.theirs}；文件中：${r.mine}`))) : null,
      h('p', { class: 'buttons' },
        h('button', { type: 'button', class: 'primary resend', onclick: () => { idempotencyKey = crypto.randomUUID(); sendAnyway(); } }, '仍按文件上传（以文件为准）'),
        ' ',
        h('button', { type: 'button', onclick: () => reloadWith(notice('info', '未上传文件，页面已显示最新数据。')) }, '不上传，查看最新数据')));
  }

  // Upload: choose or drop a filled form (.xlsx) or a .csv; the type comes from the file name because browsers send
  // different Content-Types for .csv (Windows says application/vnd.ms-excel).
  const fileInput = h('input', { type: 'file', id: 'upload-file', accept: '.xlsx,.csv,.txt,.tsv,.json', class: 'visually-hidden', onchange: () => fileInput.files[0] && upload(fileInput.files[0]) });
  async function upload(file) {
    const ext = (file.name.split('.').pop() || '').toLowerCase();
    const type = CONTENT_TYPES[ext];
    if (!type) return mount(result, notice('error', `不支持“${file.name.slice(0, 60)}”这种文件，请上传 .xlsx 填报表或 .csv 文件。`));
    idempotencyKey = crypto.randomUUID();
    // A filled workbook records the version it was downloaded with and is checked against that; other files against this page's.
    await send(await file.arrayBuffer(), type, `上传文件 ${file.name}`, { ifMatch: ext === 'xlsx' ? null : version });
    fileInput.value = '';
  }
  const drop = h('div', {
    class: 'drop', tabindex: '0', role: 'button', 'aria-label': '选择或拖入填好的 .xlsx 或 .csv 文件上传',
    onclick: () => fileInput.click(), onkeydown: e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); fileInput.click(); } },
    ondragover: e => { e.preventDefault(); drop.classList.add('over'); }, ondragleave: () => drop.classList.remove('over'),
    ondrop: e => { e.preventDefault(); drop.classList.remove('over'); const file = e.dataTransfer.files[0]; if (file) upload(file); },
  }, '把填好的 .xlsx 或 .csv 文件拖到这里，或点击选择文件');

  const submitButton = h('button', { type: 'submit', class: 'primary', disabled: locked, title: locked ? '本期数据已审核锁定' : null }, '提交本期填报');
  form.append(h('div', { class: 'actions sticky' }, submitButton, tools.bar, draftState, summaryBar.el));
  form.addEventListener('submit', submitOnline);

  const typedCount = fields.filter(f => f.source !== 'Derived').length;
  let uploads = null;
  mount(root,
    h('h1', null, `${current.orgName} · ${display(period)}一表通`),
    stateLine ? h('p', { class: 'period-state' }, stateLine) : null,
    h('p', { class: 'muted' }, `共 ${fields.length} 项指标（需填写或核对 ${typedCount} 项）；带 * 的为必填；灰色为上级预填，只读；“上期”为${display(previous(period))}的数值。`),
    h('div', { id: 'approval-note' }, clerkApprovalNotice(approval)),
    draftNote,
    uploads = h('details', { class: 'offline' },
      h('summary', null, '下载 Excel 填报表 / 上传填好的文件'),
      h('p', null, h('button', {
        type: 'button', onclick: async () => {
          try { const { blob, name } = await download(`/api/orgs/${org}/form/${period}`, `一表通填报表_${org}_${period}.xlsx`); saveBlob(blob, name); } catch (err) { mount(result, errorView(err, byId)); }
        },
      }, '下载本期 Excel 填报表')),
      drop, fileInput),
    result,
    summaryTop.el,
    toc,
    tools.search,
    form,
    h('details', { class: 'feedback' }, h('summary', null, '下评上：评价各部门报表的负担'), feedbackForm(s, catalog)));
  for (const f of fields) if (f.source === 'Derived') recompute(dependenciesOf(f)[0]);
  tools.update();
  // Submissions made offline: shown as 待发送, and sent (oldest first, each with its own key) when the network is there.
  const sentFromOutbox = new Set();
  let sending = false;
  async function sendWaiting() {
    if (!navigator.onLine || sending) return;
    sending = true;
    try {
      for (const item of await waiting(org, period)) {
        sentFromOutbox.add(item.key);
        await send(item.body, item.contentType, item.channel, { fromForm: true, ifMatch: item.ifMatch, key: item.key });
      }
    } finally {
      sending = false;
    }
  }
  onBackOnline(sendWaiting);
  const queued = await waiting(org, period);
  if (queued.length && !shown) {
    mount(result, outboxView(queued));
    sendWaiting();
  }
  if (locked) makeReadOnly({ form, inputs, submitButton, uploads, reason: lockReason(approval.self) });
  if (shown) {
    mount(result, shown);
    result.focus();
  }
  window.__formReadyMs = performance.now() - started;
  document.body.dataset.formReady = 'true';
}

/** What waits on this device for the network. */
function outboxView(items) {
  return notice('warn outbox',
    h('h2', null, `待发送（${items.length} 份）`),
    h('p', null, '当前没有网络，填报已保存在本机，联网后将自动发送（只会保存一次）；请不要清除浏览器数据。'),
    h('ul', null, items.map(i => h('li', null, `${i.channel}，${fmtTime(i.queuedAt)} 提交`))));
}

function receiptView(r, channel, byId, fromOutbox = false) {
  const conflicts = r.prefillConflicts || [];
  return notice('ok',
    h('h2', null, fromOutbox ? `已发送 回执号 ${r.submissionId}` : r.replay ? '已收到（重复提交）' : '提交成功'),
    h('p', { class: 'receipt-message' }, r.message),
    r.replay ? h('p', null, '服务器此前已收到完全相同的内容，本次没有重复保存，数据不受影响。') : null,
    h('ul', null,
      h('li', null, `方式：${channel}`),
      h('li', null, `回执编号：${r.submissionId}`),
      h('li', null, `接收时间：${fmtTime(r.receivedAt)}`),
      h('li', null, `${r.replay ? '首次提交时：' : ''}更新 ${r.changed} 项，与已保存相同 ${r.unchanged} 项，确认上级预填 ${r.confirmedPrefill} 项`),
      conflicts.length ? h('li', null, `与上级预填不一致 ${conflicts.length} 项（已记录，供上级核实）：${conflicts.map(id => byId.get(id)?.name || id).join('、')}`) : null),
    (r.warnings || []).length ? h('div', null, h('h3', null, '提示（不影响保存）'), h('ul', null, r.warnings.map(w => h('li', null, w.message)))) : null);
}

function errorView(err, byId) {
  if (!(err instanceof ApiError)) return notice('error', '发生意外错误，请刷新页面后重试。');
  const list = err.problem.errors || [];
  return notice('error',
    h('h2', null, err.problem.title || '提交未成功'),
    h('p', null, err.message),
    list.length ? h('ol', { class: 'errors' }, list.map(e => h('li', null,
      e.cell ? h('span', { class: 'cell' }, e.cell) : null, ' ', e.message,
      e.field && byId.has(e.field) ? [' ', h('a', { href: `#row-${e.field}`, onclick: ev => { ev.preventDefault(); document.getElementById(`f-${e.field}`)?.focus(); } }, '定位')] : null))) : null);
}
