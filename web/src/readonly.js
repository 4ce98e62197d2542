// A locked period is read-only: every input and every 数据有误 button is disabled, uploads are hidden and nothing is
// kept as a draft; the reason (who approved it and when) is shown above the form and beside the disabled submit button.
import { h, fmtTime } from './dom.js';
import { byWhom } from './names.js';

/** The reason a period is locked, in words, from the approval route's `self`. */
export function lockReason(self) {
  if (!self) return '本期数据已审核锁定，不能修改。';
  const by = byWhom(self.byOrgName, self.byOrg, self.by);
  return `本期数据已${self.at ? `于 ${fmtTime(self.at)} ` : ''}${by ? `由 ${by} ` : ''}审核通过并锁定，不能修改；如需更正，请联系上级解锁。`;
}

/** Makes the form read-only and shows why; `reason` is the text of lockReason or the server's 409. */
export function makeReadOnly({ form, inputs, submitButton, uploads, reason }) {
  for (const input of inputs.values()) {
    input.disabled = true;
    input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') || ''} lock-reason`.trim());
  }
  for (const button of form.querySelectorAll('button.flag')) button.disabled = true;
  submitButton.disabled = true;
  submitButton.title = reason;
  if (uploads) uploads.hidden = true;
  form.classList.add('locked');
  if (!form.querySelector('#lock-reason')) {
    form.prepend(h('p', { id: 'lock-reason', class: 'notice warn lock-reason' }, h('strong', null, '只读：'), reason));
    submitButton.after(h('span', { class: 'lock-note' }, reason));
  }
}
