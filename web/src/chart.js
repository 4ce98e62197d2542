// The office's charts, drawn by uPlot (pinned in package.json, bundled; canvas, so nothing here is inline markup or
// style the Content-Security-Policy would refuse): a line over periods and bars over units. Each chart comes with its
// numbers as a table, for screen readers and for copying.
import uPlot from 'uplot';
import { add, h } from './dom.js';
import { formatNumber } from './validate.js';
import { formatTime } from './clock.js';
import { asOfText } from './asof.js';

const COLORS = ['#0969da', '#bf3989', '#1a7f37', '#9a6700'];
const HEIGHT = 240;

const shown = (value, unit) => (value == null ? '未报' : `${formatNumber(value)}${unit || ''}`);

/** Axes whose x positions are the indexes of `labels` (periods or units), labels in Chinese. */
function axes(labels, width, rotated) {
  return [
    {
      splits: () => labels.map((_, i) => i),
      values: (u, splits) => splits.map(i => labels[i] ?? ''),
      rotate: rotated ? -40 : 0,
      size: rotated ? 84 : 36,
      gap: 4,
      font: '11px system-ui, sans-serif',
    },
    { values: (u, splits) => splits.map(v => formatNumber(v)), size: width < 480 ? 48 : 60, font: '11px system-ui, sans-serif' },
  ];
}

/**
 * Draws into `box` (already in the page, so that its width is known). `kind` is 'line' (one series per line, over the
 * labels) or 'bar' (one series, a bar per label). Answers the uPlot instance.
 */
function draw(box, kind, labels, lines, { title, unit }) {
  const width = Math.max(280, Math.min(720, box.clientWidth || 320));
  const xs = labels.map((_, i) => i);
  const bars = kind === 'bar' ? uPlot.paths.bars({ size: [0.7, 48] }) : null;
  const options = {
    title,
    width,
    height: HEIGHT,
    scales: {
      x: { time: false, range: (u, min, max) => [min - 0.5, max + 0.5] },
      // From zero, so that bars and lines compare sizes; [0, 1] when nothing has a number.
      y: { range: (u, min, max) => (min == null || max == null ? [0, 1] : [Math.min(0, min), max > 0 ? max * 1.1 : 1]) },
    },
    axes: axes(labels, width, kind === 'bar' || width < 480),
    cursor: { drag: { x: false, y: false } },
    legend: { live: false },
    series: [
      { label: kind === 'bar' ? '单位' : '统计期', value: (u, i) => labels[i] ?? '' },
      ...lines.map((line, i) => ({
        label: line.label,
        stroke: COLORS[i % COLORS.length],
        width: 2,
        fill: kind === 'bar' ? `${COLORS[i % COLORS.length]}99` : undefined,
        paths: bars || undefined,
        points: { show: kind !== 'bar', size: 6 },
        value: (u, v) => shown(v, unit),
      })),
    ],
  };
  return new uPlot(options, [xs, ...lines.map(line => line.values)], box);
}

function table(caption, headers, rows) {
  return h('details', { class: 'chart-data' }, h('summary', null, caption),
    h('div', { class: 'table-wrap' }, h('table', null,
      h('thead', null, h('tr', null, headers.map(t => h('th', null, t)))),
      h('tbody', null, rows.map(r => h('tr', null, r.map(c => h('td', null, c))))))));
}

/**
 * When the figures were taken, as the status view says it: a district's or the city's series comes from the districts'
 * stored sums (asOf per period, the oldest sums used), and names the districts that had none and were counted from their
 * villages at the request (countedLive). A township's series is read now and says nothing.
 */
function freshness(series) {
  const { asOf = [], countedLive = [], self, children } = series;
  const last = asOf.length ? asOf[asOf.length - 1] : null;
  const names = new Map([self, ...children].map(line => [line.org, line.name]));
  return [
    last ? h('p', { class: 'muted as-of', id: 'series-as-of' }, `${asOfText(last)}（各区县最近一次汇总时的数据）`) : null,
    countedLive.length ? h('p', { class: 'muted', id: 'series-counted-live' },
      `以下区县尚无汇总数据，本图按其村（社区）实时计算：${countedLive.map(code => names.get(code) ?? code).join('、')}`) : null,
  ];
}

/**
 * The trend of the office's own figure over the periods and the comparison of its children for the last period, from
 * one answer of GET /api/orgs/{org}/series/{field}. Appends to `box`, which must be in the page.
 */
export function drawSeries(box, series) {
  const { labels, unit, fieldName, self, children, asOf = [] } = series;
  const last = labels.length - 1;
  const stored = asOf.some(at => at);
  const trendBox = h('div', { class: 'chart', id: 'chart-trend', role: 'img', 'aria-label': `${self.name}${fieldName}近${labels.length}期变化` });
  const compareBox = h('div', { class: 'chart', id: 'chart-compare', role: 'img', 'aria-label': `${self.name}下级单位${fieldName}对比（${labels[last]}）` });
  add(box, [
    h('h3', null, `${self.name}：${fieldName}近 ${labels.length} 期变化`),
    freshness(series),
    trendBox,
    table('查看数据', ['统计期', `${fieldName}${unit ? `（${unit}）` : ''}`, '已报单位数', ...(stored ? ['数据截至'] : [])],
      labels.map((l, i) => [l, shown(self.values[i], unit), String(self.reported[i]), ...(stored ? [asOf[i] ? formatTime(asOf[i]) : '实时计算'] : [])])),
    h('h3', null, `下级单位对比（${labels[last]}）`), compareBox,
    table('查看数据', ['单位', `${fieldName}${unit ? `（${unit}）` : ''}`], children.map(c => [c.name, shown(c.values[last], unit)]))]);
  draw(trendBox, 'line', labels, [{ label: self.name, values: self.values }], { title: `${fieldName}（${self.name}）`, unit });
  if (children.length) draw(compareBox, 'bar', children.map(c => c.name), [{ label: fieldName, values: children.map(c => c.values[last]) }], { title: `${fieldName}（${labels[last]}）`, unit });
  else compareBox.replaceChildren(h('p', { class: 'muted' }, '没有下级单位。'));
}
