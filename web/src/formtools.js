// Finding one's way through a long form on a phone: search by name or 编号, 已填 x / N, and jumps to the next empty or
// erroneous field (opening its group and keeping it clear of the sticky submit bar).
import { h } from './dom.js';

/**
 * @param {object} p
 * @param {object[]} p.fields            the form's fields in order
 * @param {Map<string, HTMLElement>} p.inputs
 * @param {(f: object) => boolean} p.editable
 * @param {() => {field: string}[]} p.openErrors  open errors in form order
 */
export function formTools({ fields, inputs, editable, openErrors }) {
  const counted = fields.filter(f => f.source !== 'Derived');
  const progress = h('span', { id: 'fill-progress', class: 'progress', 'aria-live': 'polite' });
  const rowOf = id => document.getElementById(`row-${id}`);

  function focusField(id) {
    const row = rowOf(id);
    const group = row?.closest('details.group');
    if (group) group.open = true;
    if (row?.hidden) clearSearch();
    const input = inputs.get(id);
    if (!input) return;
    // Centred: never left under the sticky bar at the bottom.
    input.scrollIntoView({ block: 'center' });
    input.focus({ preventScroll: true });
  }

  /** The first of `ids` after the field that has focus now (from the top when none has), wrapping around. */
  function nextAfterFocus(ids) {
    if (!ids.length) return null;
    const order = new Map(fields.map((f, i) => [f.id, i]));
    const current = document.activeElement?.name;
    const at = order.has(current) ? order.get(current) : -1;
    return ids.find(id => order.get(id) > at) ?? ids[0];
  }

  const status = h('span', { class: 'muted jump-status', 'aria-live': 'polite' });
  const nextEmpty = h('button', {
    type: 'button', id: 'next-empty', onclick: () => {
      const empty = fields.filter(f => f.source !== 'Derived' && editable(f) && !inputs.get(f.id)?.value.trim()).map(f => f.id);
      const id = nextAfterFocus(empty);
      status.textContent = id ? '' : '所有指标都已填写。';
      if (id) focusField(id);
    },
  }, '下一个未填');
  const nextError = h('button', {
    type: 'button', id: 'next-error', onclick: () => {
      const id = nextAfterFocus(openErrors().map(e => e.field));
      status.textContent = id ? '' : '没有需要修改的指标。';
      if (id) focusField(id);
    },
  }, '下一个错误');

  const search = h('input', {
    id: 'field-search', type: 'search', autocomplete: 'off', placeholder: '搜索指标名称或编号', 'aria-label': '搜索指标名称或编号',
    oninput: () => filter(search.value),
  });
  function filter(text) {
    const q = text.trim().toLowerCase();
    for (const f of fields) {
      const row = rowOf(f.id);
      if (row) row.hidden = q !== '' && !f.name.toLowerCase().includes(q) && !f.id.toLowerCase().includes(q);
    }
    for (const group of document.querySelectorAll('form.onetable details.group')) {
      const any = [...group.querySelectorAll('.row')].some(r => !r.hidden);
      group.hidden = !any;
      if (q && any) group.open = true;
    }
  }
  function clearSearch() { search.value = ''; filter(''); }

  return {
    search: h('div', { class: 'field-search' }, search),
    bar: [progress, nextEmpty, nextError, status],
    focusField,
    /** Counts the filled fields again (after any edit). */
    update() {
      const filled = counted.filter(f => (inputs.get(f.id)?.value ?? '').trim() !== '').length;
      progress.textContent = `已填 ${filled} / ${counted.length}`;
    },
  };
}
