// Small SVG charts (a line over periods, bars over units). Hand-written rather than a charting library: two chart
// types do not justify shipping ~1 MB of script to a phone.
const NS = 'http://www.w3.org/2000/svg';
const el = (tag, attrs, text) => {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  if (text != null) node.textContent = text;
  return node;
};

export function chart(kind, points, { title, unit } = {}) {
  const width = 640, height = 260, left = 56, right = 12, top = 16, bottom = 56;
  const values = points.map(p => p.value).filter(v => v != null);
  const max = Math.max(1, ...values), min = Math.min(0, ...values);
  const x = i => left + (points.length <= 1 ? 0 : (i * (width - left - right)) / (kind === 'bar' ? points.length : points.length - 1));
  const y = v => top + (height - top - bottom) * (1 - (v - min) / (max - min || 1));
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart', 'aria-label': title || '' });
  svg.append(el('title', null, title || ''));
  for (let i = 0; i <= 4; i++) {
    const v = min + ((max - min) * i) / 4;
    svg.append(el('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(el('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, Math.round(v * 100) / 100));
  }
  const band = (width - left - right) / Math.max(1, points.length);
  points.forEach((p, i) => {
    const cx = kind === 'bar' ? x(i) + band / 2 : x(i);
    svg.append(el('text', { x: cx, y: height - bottom + 16, 'text-anchor': 'end', transform: `rotate(-35 ${cx} ${height - bottom + 16})`, class: 'axis' }, p.label));
    if (p.value == null) {
      svg.append(el('text', { x: cx, y: y(min) - 4, 'text-anchor': 'middle', class: 'axis' }, '未报'));
      return;
    }
    if (kind === 'bar') {
      svg.append(el('rect', { x: x(i) + band * 0.15, width: band * 0.7, y: y(p.value), height: Math.max(0, y(min) - y(p.value)), class: 'bar' }, null))
        .append(el('title', null, `${p.label}：${p.value}${unit || ''}`));
    } else {
      svg.append(el('circle', { cx, cy: y(p.value), r: 4, class: 'dot' })).append(el('title', null, `${p.label}：${p.value}${unit || ''}`));
    }
  });
  if (kind === 'line') {
    const d = points.map((p, i) => (p.value == null ? null : `${x(i)},${y(p.value)}`)).filter(Boolean).join(' ');
    svg.insertBefore(el('polyline', { points: d, class: 'line' }), svg.querySelector('circle'));
  }
  return svg;
}
