// The office's page (township, district, city): completeness with drill-down and a 催报 list, the area's workbooks,
// burden figures and a trend/comparison chart of one field.
import { api, requestsMade, ApiError } from './api.js';
import { h, mount, fmtTime, notice } from './dom.js';
import { display, kindOf } from './periods.js';
import { feedbackForm } from './feedback.js';
import { workbooksSection } from './workbooks.js';
import { approvalSection } from './approval.js';
import { qualitySection } from './quality.js';
import { openHistory } from './history.js';

const STATUS = { reported: '已报', missing: '未报', late: '迟报' };
const pct = n => `${Math.round(n * 1000) / 10}%`;

export async function officePage(root, s, catalog) {
  const { org, period } = s;
  const isAdmin = (s.roles || []).includes('admin');
  const status = await api(`/api/orgs/${org}/status/${period}`);
  const kind = kindOf(period);

  // Completeness, drill-down by township.
  const detail = h('div', { id: 'units' });
  const showUnits = township => {
    const units = status.units.filter(u => !township || u.township === township);
    const missing = units.filter(u => u.status === 'missing');
    const chase = h('textarea', { id: 'chase', readonly: true, rows: Math.min(8, missing.length + 1) },
      missing.length ? `${display(period)}一表通尚未填报的单位（截止 ${status.deadline}）：\n${missing.map(u => `${u.township ?? ''} ${u.name}（${u.org}）`).join('\n')}` : '全部已报。');
    mount(detail,
      h('h3', null, township ? `${township}：村（社区）填报情况` : '全部村（社区）填报情况'),
      h('div', { class: 'table-wrap' }, h('table', null,
        h('thead', null, h('tr', null, h('th', null, '单位'), h('th', null, '乡镇（街道）'), h('th', null, '状态'), h('th', null, '填报时间'), h('th', null, ''))),
        h('tbody', null, units.map(u => h('tr', { class: `st-${u.status}`, 'data-org': u.org },
          h('td', null, u.name), h('td', null, u.township ?? ''), h('td', null, STATUS[u.status] || u.status), h('td', null, fmtTime(u.receivedAt)),
          h('td', null, h('button', {
            type: 'button', class: 'link history', 'aria-label': `${u.name} 的修改记录`,
            onclick: () => openHistory({ org: u.org, orgName: u.name, period, field: '', catalog }),
          }, '修改记录'))))))),
      h('h3', null, `催报名单（${missing.length} 个单位）`),
      chase,
      h('button', { type: 'button', onclick: async e => { try { await navigator.clipboard.writeText(chase.value); e.target.textContent = '已复制'; } catch { chase.select(); } } }, '复制催报名单'));
  };
  const townships = h('div', { class: 'table-wrap' }, h('table', null,
    h('thead', null, h('tr', null, h('th', null, '乡镇（街道）'), h('th', null, '应报'), h('th', null, '已报'), h('th', null, '未报'), h('th', null, '迟报'), h('th', null, ''))),
    h('tbody', null, status.byTownship.map(t => h('tr', null,
      h('td', null, t.name), h('td', null, t.expected), h('td', null, t.reported), h('td', null, t.missing), h('td', null, t.late),
      h('td', null, h('button', { type: 'button', class: 'link', onclick: () => showUnits(t.name) }, '查看')))))));
  showUnits(null);

  // Burden figures.
  const burdenBox = h('div', null, h('p', { class: 'muted' }, '正在加载减负数据…'));
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

  mount(root,
    h('h1', null, `${status.orgName} · ${display(period)}`),
    h('section', { class: 'cards', 'aria-label': '填报进度' },
      h('div', { class: 'card' }, h('b', null, status.expected), '应报'),
      h('div', { class: 'card ok' }, h('b', null, status.reported), '已报'),
      h('div', { class: 'card bad' }, h('b', null, status.missing), '未报'),
      h('div', { class: 'card warn' }, h('b', null, status.late), '迟报'),
      h('p', { class: 'muted' }, `截止日期 ${status.deadline}`)),
    h('section', null, h('h2', null, '各乡镇（街道）填报进度'), townships, detail),
    approvalSection(s),
    workbooksSection(s),
    qualitySection(s, catalog),
    h('section', null, h('h2', null, '减负情况'), burdenBox),
    h('section', null, h('h2', null, '指标趋势与对比'),
      h('div', { class: 'stack' }, h('label', { for: 'trend-field' }, '指标'), fieldSelect,
        h('button', { type: 'button', id: 'draw-chart', onclick: () => drawTrend().catch(chartFailed) }, '生成图表')),
      chartBox),
    isAdmin ? h('section', null, h('h2', null, '下评上'), feedbackForm(s, catalog)) : null);
}

