// The list of open errors, drawn at the top of the form and again at the submit bar (there folded, so that the sticky
// bar stays small): each entry names the field and its problem and is a link that focuses the field.
import { h, mount } from './dom.js';

export function errorSummary(id, { folded = false } = {}) {
  const el = h(folded ? 'details' : 'div', { id, class: `error-summary${folded ? ' folded' : ''}`, hidden: true });
  let drawn = '';
  return {
    el,
    /** `open`: [{ field, message }]; `nameOf(field)`: the field's Chinese name; `focusField(field)` moves to it. */
    render(open, nameOf, focusField) {
      // Unchanged lists are not redrawn: a link being clicked must stay the same element (a blur's recheck runs mid-click).
      const key = JSON.stringify(open);
      if (key === drawn) return;
      drawn = key;
      el.hidden = open.length === 0;
      if (!open.length) return mount(el);
      const title = `还有 ${open.length} 处需要修改`;
      mount(el,
        folded ? h('summary', null, title) : h('strong', null, `${title}：`),
        h('ul', null, open.map(e => h('li', null, h('a', {
          href: `#f-${e.field}`, 'data-field': e.field,
          onclick: ev => { ev.preventDefault(); focusField(e.field); },
        }, nameOf(e.field)), `：${e.message}`))));
    },
  };
}
