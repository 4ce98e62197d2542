// When an office's figures were taken: a city's status and approval come from its districts' summaries, kept by each
// district's consolidation, and say so (asOf); so do a district's or the city's series, from the districts' stored sums.
// An answer read now has no asOf and shows nothing. Times are the pipeline's zone (clock.js), never the browser's.
import { h } from './dom.js';
import { dateOf, formatTime, timeOf } from './clock.js';

/** "数据截至 14:05" for a time today, "数据截至 2026-12-03 14:05" for an older one. */
export const asOfText = at => `数据截至 ${dateOf(at) === dateOf() ? timeOf(at) : formatTime(at)}`;

/** "数据截至 HH:mm" for an answer taken from the districts' summaries; null for one read now. */
export function asOfNote(answer, id) {
  if (!answer || !answer.asOf) return null;
  return h('p', { class: 'muted as-of', id }, `${asOfText(answer.asOf)}（各区县最近一次汇总时的数据）`);
}
