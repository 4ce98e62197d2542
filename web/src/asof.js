// When an office's figures were taken: a city's status and approval come from its districts' summaries, kept by each
// district's consolidation, and say so (asOf); an answer read now has no asOf and shows nothing.
import { h } from './dom.js';

const hhmm = iso => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString('zh-CN', { hour: '2-digit', minute: '2-digit', hour12: false });
};

/** "数据截至 HH:mm" for an answer taken from the districts' summaries; null for one read now. */
export function asOfNote(answer, id) {
  if (!answer || !answer.asOf) return null;
  return h('p', { class: 'muted as-of', id }, `数据截至 ${hhmm(answer.asOf)}（各区县最近一次汇总时的数据）`);
}
