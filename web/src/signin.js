// Sign-in as /config.json says: Entra ID (MSAL redirect), or the development sign-in, which exists only where the local
// host mints development tokens (its /dev-auth routes answer 404 otherwise).
import { session, claimsOf } from './api.js';
import { h, mount, notice, debounce } from './dom.js';
import { kindOf, levelOf } from './periods.js';

export async function signinPage(root, go, config, auth) {
  if (config.signIn === 'entra' && auth) {
    const out = h('div', { 'aria-live': 'polite' });
    const button = h('button', {
      type: 'button', class: 'primary', id: 'entra-signin', onclick: async () => {
        button.disabled = true;
        mount(out, notice('info', '正在跳转到统一身份认证…'));
        try { await auth.login(); } catch { button.disabled = false; mount(out, notice('error', '无法打开统一身份认证页面，请稍后重试。')); }
      },
    }, '使用统一身份认证登录');
    mount(root, h('h1', null, '登录'), h('p', null, '本系统使用统一身份认证（Microsoft Entra ID）登录；登录后按账号所属单位和角色进入填报或查看页面。'), button, out);
    button.focus();
    return;
  }
  if (config.signIn === 'none') {
    mount(root, h('h1', null, '登录'), notice('error', config.message || '本环境尚未配置网页登录，请联系管理员。'));
    return;
  }
  const probe = await fetch('/dev-auth/orgs?q=', { cache: 'no-store' }).catch(() => null);
  if (!probe || !probe.ok) {
    mount(root, h('h1', null, '登录'), notice('info', '本环境使用统一身份认证（Microsoft Entra ID）登录；开发登录页只在本地开发主机上提供。'));
    return;
  }
  let chosen = null;
  const results = h('ul', { class: 'orgs', id: 'org-results', role: 'listbox', 'aria-label': '单位' });
  const search = h('input', { id: 'org-search', type: 'search', placeholder: '输入单位名称或行政区划代码', autocomplete: 'off' });
  const role = h('select', { id: 'role' },
    h('option', { value: 'submitter' }, '填报员（村、社区）'), h('option', { value: 'viewer' }, '查看（乡镇、区县、市）'), h('option', { value: 'admin' }, '管理员'));
  // Empty: the period that is due (the reporting calendar decides after sign-in).
  const period = h('input', { id: 'period', value: '', pattern: '\\d{4}(-Q[1-4]|-\\d{2})?', placeholder: '留空：打开应报的统计期' });
  const out = h('div', { 'aria-live': 'polite' });
  const render = list => mount(results, list.map(o => h('li', null, h('button', {
    type: 'button', role: 'option', class: 'org', 'data-code': o.code, 'aria-selected': chosen === o.code ? 'true' : 'false',
    onclick: e => {
      chosen = o.code;
      for (const b of results.querySelectorAll('button')) b.setAttribute('aria-selected', b === e.currentTarget ? 'true' : 'false');
      role.value = levelOf(o.code) === 'Village' ? 'submitter' : 'viewer';
    },
  }, h('b', null, o.name), ` ${o.level} · ${o.code}`, o.parent ? ` · ${o.parent}` : ''))));
  const find = debounce(async () => {
    const r = await fetch(`/dev-auth/orgs?q=${encodeURIComponent(search.value.trim())}`, { cache: 'no-store' });
    if (r.ok) render((await r.json()).orgs);
  }, 200);
  search.addEventListener('input', find);
  render((await probe.json()).orgs);

  const form = h('form', {
    class: 'stack signin', onsubmit: async e => {
      e.preventDefault();
      if (!chosen) return mount(out, notice('error', '请先从列表中选择单位。'));
      if (period.value.trim() && !kindOf(period.value.trim())) return mount(out, notice('error', '统计期格式应为 2026（年）、2026-Q4（季度）或 2026-11（月）。'));
      const r = await fetch('/dev-auth/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ org: chosen, role: role.value }) });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) return mount(out, notice('error', body.detail || '登录失败。'));
      const claims = claimsOf(body.token);
      session.set({ token: body.token, org: claims.org, roles: claims.roles, orgName: body.orgName, period: period.value.trim() || null });
      go(claims.roles.includes('submitter') && levelOf(claims.org) === 'Village' ? '#/form' : '#/office');
    },
  },
  h('label', { for: 'org-search' }, '单位'), search, results,
  h('label', { for: 'role' }, '角色'), role,
  h('label', { for: 'period' }, '统计期'), period,
  h('button', { type: 'submit', class: 'primary', id: 'signin' }, '登录'), out);
  mount(root, h('h1', null, '开发登录'), h('p', { class: 'muted' }, '仅本地开发主机提供：选择单位和角色，获取开发令牌（保存在本标签页，关闭即失效）。'), form);
  search.focus();
}
