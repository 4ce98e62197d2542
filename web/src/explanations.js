// The clerk's explanation of a value that draws a quality warning (情况说明): a box under the warned field, sent with
// the submission as {"explanations": {field: text}} (at most 200 characters, QualityExplanations.MaxLength), which
// offices read in the 数据质量 list beside the flag.
import { h } from './dom.js';

export const MAX_EXPLANATION = 200;

export function explanationBoxes(root) {
  const texts = new Map();
  const warned = new Set();
  return {
    /** Shows the box under the field while it is warned, hides it (keeping what was typed) when it is not. */
    toggle(id, show) {
      const row = root.querySelector(`#row-${CSS.escape(id)}`);
      if (!row) return;
      let box = row.querySelector('.explain');
      if (show) warned.add(id); else warned.delete(id);
      if (!show) { if (box) box.hidden = true; return; }
      if (!box) {
        const input = h('input', {
          id: `x-${id}`, class: 'explanation', maxlength: String(MAX_EXPLANATION), autocomplete: 'off', value: texts.get(id) || '',
          placeholder: '数值确有变化的，请说明原因（随填报提交，供上级核实）',
          oninput: e => texts.set(id, e.target.value),
        });
        box = h('div', { class: 'explain' }, h('label', { for: `x-${id}` }, '情况说明'), input);
        row.append(box);
      }
      box.hidden = false;
    },
    /** The explanations to send: of the fields warned now, those with text. */
    toSend() {
      const out = {};
      for (const id of warned) {
        const text = (texts.get(id) || '').trim();
        if (text) out[id] = text;
      }
      return out;
    },
  };
}
