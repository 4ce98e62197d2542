// The office's page (township, district, city): completeness of its direct children with drill-down and a 催报 list, the area's workbooks,
// burden figures and a trend/comparison chart of one field.
import { api, download, requestsMade, ApiError } from './api.js';
import { h, mount, fmtTime, notice, saveBlob } from './dom.js';
import { display, kindOf } from './periods.js';
import { feedbackForm } from './feedback.js';
import { workbooksSection } from './workbooks.js';
import { approvalSection } from './approval.js';
import { qualitySection } from './quality.js';
import { openHistory } from './history.js';
import { asOfNote } from './asof.js';

const STATUS = { reported: '已报', missing: '未报', late: '迟报' };
const CHILDREN = { city: '区县', district: '乡镇（街道）', township: '村（社区）' };
const pct = n => `${Math.round(n * 1000) / 10}%`;

/**
 * Completeness of one area: its direct children aggregated (a city's districts, a district's townships), each opening
 * the same view for that child; a township lists its villages with the 催报 list to copy. The 催报 list of any area is
 * also a CSV download, so a city page never holds thousands of villages.
 */
function completeness(s, catalog, own) {
  const { period } = s;
  const trail = [own];
  const box = h('div', { id: 'area', 'aria-live': 'polite' });
  const out = h('div');

  const drill = async code => {
    mount(out, h('p', { class: 'loading' }, '正在加载…'));
    try {
      trail.push(await api(`/api/orgs/${code}/status/${period}`));
      mount(out);
      render();
    } catch (err) {
      mount(out, notice('error', err instanceof ApiError ? err.message : '加载失败，请重试。'));
    }
  };

  const downloadMissing = async (st, button) => {
    button.disabled = true;
    try {
      const { blob, name } = await download(st.missingList, `催报名单_${st.org}_${period}.csv`);
      saveBlob(blob, name);
      mount(out);
    } catch (err) {
      mount(out, notice('error', err instanceof ApiError ? err.message : '下载失败，请重试。'));
    } finally {
      button.disabled = false;
    }
  };

  const childrenTable = st => h('div', { class: 'table-wrap' }, h('table', { id: 'children' },
    h('thead', null, h('tr', null, h('th', null, CHILDREN[st.level] || '单位'), h('th', null, '应报'), h('th', null, '已报'), h('th', null, '未报'), h('th', null, '迟报'), h('th', null, '审核通过'), h('th', null, ''))),
    h('tbody', null, st.children.map(c => h('tr', { 'data-org': c.org },
      h('td', null, c.name), h('td', null, c.expected), h('td', null, c.reported), h('td', null, c.missing), h('td', null, c.late), h('td', null, c.approved),
      h('td', null, h('button', { type: 'button', class: 'link drill', 'aria-label': `查看${c.name}`, onclick: () => drill(c.org) }, '查看')))))));

  const unitsTable = st => {
    const missing = st.units.filter(u => u.status === 'missing');
    const chase = h('textarea', { id: 'chase', readonly: true, rows: Math.min(8, missing.length + 1) },
      missing.length ? `${display(period)}一表通尚未填报的单位（截止 ${st.deadline}）：\n${missing.map(u => `${u.township ?? ''} ${u.name}（${u.org}）`).join('\n')}` : '全部已报。');
    return [
      h('div', { class: 'table-wrap' }, h('table', { id: 'units' },
        h('thead', null, h('tr', null, h('th', null, '单位'), h('th', null, '乡镇（街道）'), h('th', null, '状态'), h('th', null, '填报时间'), h('th', null, ''))),
        h('tbody', null, st.units.map(u => h('tr', { class: `st-${u.status}`, 'data-org': u.org },
          h('td', null, u.name), h('td', null, u.township ?? ''), h('td', null, STATUS[u.status] || u.status), h('td', null, fmtTime(u.receivedAt)),
          h('td', null, h('button', {
            type: 'button', class: 'link history', 'aria-label': `${u.name} 的修改记录`,
            onclick: () => openHistory({ org: u.org, orgName: u.name, period, field: '', catalog }),
          }, '修改记录'))))))),
      h('h3', null, `催报名单（${missing.length} 个单位）`),
      chase,
      h('button', { type: 'button', onclick: async e => { try { await navigator.clipboard.writeText(chase.value); e.target.textContent = '已复制'; } catch { chase.select(); } } }, '复制催报名单'),
    ];
  };

  function render() {
    const st = trail[trail.length - 1];
    const csv = h('button', { type: 'button', id: 'missing-csv', class: 'download', onclick: e => downloadMissing(st, e.currentTarget) },
      `下载催报名单（CSV，${st.missing} 个单位）`);
    mount(box,
      trail.length > 1 ? h('p', { class: 'trail' },
        h('button', { type: 'button', class: 'link', id: 'drill-up', onclick: () => { trail.pop(); mount(out); render(); } }, '返回上级'),
        ` ${trail.map(t => t.orgName).join(' › ')}`) : null,
      trail.length > 1 ? h('p', { class: 'muted' }, `${st.orgName}：应报 ${st.expected}，已报 ${st.reported}，未报 ${st.missing}，迟报 ${st.late}`) : null,
      asOfNote(st, trail.length === 1 ? 'status-as-of' : null),
      st.children.length ? [h('h3', null, `${st.orgName}：各${CHILDREN[st.level] || '下级单位'}填报进度`), childrenTable(st)] : null,
      st.unitsListed ? [h('h3', null, `${st.orgName}：村（社区）填报情况`), unitsTable(st)] : null,
      st.missing > 0 || !st.unitsListed ? h('p', null, csv) : null,
      out);
  }

  render();
  return box;
}

export async function officePage(root, s, catalog) {
  const { org, period } = s;
  const isAdmin = (s.roles || []).includes('admin');
  // Every section asks for its figures at once, beside the status the cards are drawn from: no answer waits for another
  // to be asked (bench: tests/ReportPipeline.Web.Bench).
  const statusAsked = api(`/api/orgs/${org}/status/${period}`);
  const sections = [approvalSection(s), workbooksSection(s), qualitySection(s, catalog)];
  const kind = kindOf(period);

  // Burden figures.
  const burdenBox = h('div', null, h('p', { class: 'loading' }, '正在加载减负数据…'));
  api(`/api/orgs/${org}/burden/${period}`).then(b => mount(burdenBox,
    h('ul', { class: 'figures' },
      h('li', null, `各部门分别要求填报 ${b.entriesAskedSeparately} 项次`),
      h('li', null, `实际由村（社区）填写 ${b.entriesTyped} 项次，上级预填 ${b.entriesPrefilled} 项次`),
      h('li', null, `减负比例 ${pct(b.reductionRatio)}，预填占比 ${pct(b.prefilledShare)}`)),
    h('details', null, h('summary', null, `按报表（${b.perTemplate.length} 张）`),
      h('ul', null, b.perTemplate.map(t => h('li', null, `${t.department} · ${t.title}：${t.columns} 列，一表通已有 ${t.columnsServedFromHeldData} 列，预填 ${t.columnsPrefilled} 列`))))))
    .catch(err => mount(burdenBox, notice('error', err instanceof ApiError ? err.message : '减负数据加载失败。')));

  // Trend of one field for this office over six periods and a comparison of its children: one request, aggregated by
  // the server as the workbooks are (sums of reported units, ratios recomputed from summed parts).
  const numeric = catalog.fields.filter(f => (f.type === 'Integer' || f.type === 'Decimal') && f.frequency === kind);
  const fieldSelect = h('select', { id: 'trend-field' }, numeric.map(f => h('option', { value: f.id }, `${f.name}${f.unit ? `（${f.unit}）` : ''}`)));
  const chartBox = h('div', { class: 'chart-box', 'aria-live': 'polite' });
  const drawTrend = async () => {
    const before = requestsMade();
    mount(chartBox, h('p', { class: 'muted' }, '正在加载…'));
    // uPlot comes in its own chunk, loaded with the first chart: the clerk's form does not carry it.
    const [series, { drawSeries }] = await Promise.all([
      api(`/api/orgs/${org}/series/${encodeURIComponent(fieldSelect.value)}?to=${period}&periods=6`),
      import('./chart.js'),
    ]);
    mount(chartBox);
    drawSeries(chartBox, series);
    chartBox.append(h('p', { class: 'muted' }, `${series.aggregation}。本图用了 ${requestsMade() - before} 次请求。`));
  };
  const chartFailed = err => {
    // Never a raw exception text: the server's Chinese detail, or a sentence of our own.
    if (!(err instanceof ApiError)) console.error(err);
    mount(chartBox, notice('error', err instanceof ApiError ? err.message : '图表绘制失败，请刷新页面后重试。'));
  };

  const status = await statusAsked;
  mount(root,
    h('h1', null, `${status.orgName} · ${display(period)}`),
    h('section', { class: 'cards', 'aria-label': '填报进度' },
      h('div', { class: 'card' }, h('b', null, status.expected), '应报'),
      h('div', { class: 'card ok' }, h('b', null, status.reported), '已报'),
      h('div', { class: 'card bad' }, h('b', null, status.missing), '未报'),
      h('div', { class: 'card warn' }, h('b', null, status.late), '迟报'),
      h('p', { class: 'muted' }, `截止日期 ${status.deadline}`)),
    h('section', { id: 'status-section' }, h('h2', null, '填报进度'), completeness(s, catalog, status)),
    sections,
    h('section', null, h('h2', null, '减负情况'), burdenBox),
    h('section', null, h('h2', null, '指标趋势与对比'),
      h('div', { class: 'stack' }, h('label', { for: 'trend-field' }, '指标'), fieldSelect,
        h('button', { type: 'button', id: 'draw-chart', onclick: () => drawTrend().catch(chartFailed) }, '生成图表')),
      chartBox),
    isAdmin ? h('section', null, h('h2', null, '下评上'), feedbackForm(s, catalog)) : null);
}

