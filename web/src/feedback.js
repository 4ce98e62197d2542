// 下评上: the unit that fills the reports rates how heavy each department's template is (POST …/feedback/{period}).
import { api, ApiError } from './api.js';
import { h, mount, notice } from './dom.js';
import { kindOf } from './periods.js';

export function feedbackForm(s, catalog) {
  const kind = kindOf(s.period);
  const templates = catalog.templates.filter(t => t.periodKind === kind);
  const select = h('select', { id: 'fb-template' }, templates.map(t => h('option', { value: t.id }, `${t.department} · ${t.title}`)));
  const score = h('select', { id: 'fb-score' }, [1, 2, 3, 4, 5].map(n => h('option', { value: n }, `${n} · ${['很轻', '较轻', '一般', '较重', '很重'][n - 1]}`)));
  const comment = h('textarea', { id: 'fb-comment', maxlength: '500', rows: '2', placeholder: '说明（可选）：例如与其他报表重复的指标' });
  const out = h('div', { 'aria-live': 'polite' });
  return h('form', {
    class: 'stack', onsubmit: async e => {
      e.preventDefault();
      try {
        await api(`/api/orgs/${s.org}/feedback/${s.period}`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ ratings: [{ template: select.value, score: Number(score.value), comment: comment.value.trim() || null }] }),
        });
        mount(out, notice('ok', '评价已保存；同一报表再次评价会替换本期先前的评价。'));
      } catch (err) {
        mount(out, notice('error', err instanceof ApiError ? err.message : '提交失败，请重试。'));
      }
    },
  }, h('label', { for: 'fb-template' }, '报表'), select, h('label', { for: 'fb-score' }, '负担'), score, h('label', { for: 'fb-comment' }, '说明'), comment,
  h('button', { type: 'submit' }, '提交评价'), out);
}
