import { api, session, claimsOf, useTokenProvider, ApiError } from './api.js';
import { h, mount, notice } from './dom.js';
import { signinPage } from './signin.js';
import { clerkPage } from './clerk.js';
import { officePage } from './office.js';
import { departmentPage } from './department.js';
import { accessLogPage } from './accesslog.js';
import { templatesPage, proposalPage, reviewPage } from './admission.js';
import { currentMonth, display, levelOf, levelName } from './periods.js';
import { periodPicker, duePeriod, orgNameOf } from './reportingperiods.js';
import { labelTablesIn } from './cards.js';
import { useZone } from './clock.js';
import { startOffline, clearOfflineData } from './offline.js';

const root = document.getElementById('app');
labelTablesIn(root);
const who = document.getElementById('who');
/** The catalog in force for each period the session has opened (a report admitted from a later period changes that period's only). */
const catalogs = new Map();
// How this deployment signs in (/config.json from the host's settings): development, entra or none; and the pipeline's
// time zone, which every time on the pages is shown in.
let signIn = { signIn: 'development' };
let auth = null;

// The department the token names (claim dept), if any: its page pushes that department's data down.
const deptOf = s => s.dept || (s.token && claimsOf(s.token)?.dept) || null;

const go = hash => { if (location.hash === hash) route(); else location.hash = hash; };

function header(s) {
  if (!s) return mount(who);
  mount(who,
    h('span', null, `${s.orgName || s.org}${s.displayName ? ` · ${s.displayName}` : ''} · ${levelName[levelOf(s.org)]} · ${(s.roles || []).map(r => ({ submitter: '填报员', viewer: '查看', admin: '管理员' })[r] || r).join('、')}`),
    s.period ? periodPicker(s, period => { session.set({ ...session.get(), period }); route(); }) : null,
    deptOf(s) ? h('a', { href: '#/department', id: 'nav-department' }, '带数下发') : null,
    (s.roles || []).includes('admin') ? h('a', { href: '#/access-log', id: 'nav-access-log' }, '数据访问记录') : null,
    h('a', { href: '#/templates', id: 'nav-templates' }, '报表清单'),
    deptOf(s) && (s.roles || []).includes('admin') ? h('a', { href: '#/proposals/new', id: 'nav-proposal' }, '部门申请') : null,
    levelOf(s.org) === 'City' && (s.roles || []).includes('admin') ? h('a', { href: '#/proposals/review', id: 'nav-review' }, '减负办审核') : null,
    h('button', { type: 'button', id: 'signout', onclick: () => { session.clear(); clearOfflineData(); if (auth) auth.logout(); else go('#/signin'); } }, '退出'));
}

async function route() {
  let s = session.get();
  const hash = location.hash || '#/';
  if (!s || hash === '#/signin') {
    if (s && hash === '#/signin') session.clear();
    header(null);
    return signinPage(root, go, signIn, auth);
  }
  // No period chosen at sign-in: the one that is due, from the reporting calendar.
  if (!s.period || !s.orgName) {
    s = { ...s, period: s.period || await duePeriod(s.org, currentMonth()), orgName: s.orgName || await orgNameOf(s.org) };
    session.set(s);
  }
  header(s);
  mount(root, h('p', { class: 'loading' }, `正在加载 ${display(s.period)} 的数据…`));
  try {
    if (!catalogs.has(s.period)) catalogs.set(s.period, await api(`/api/catalog?view=form&period=${encodeURIComponent(s.period)}`, { cache: 'no-cache' }));
    const catalog = catalogs.get(s.period);
    const clerk = (s.roles || []).includes('submitter') && levelOf(s.org) === 'Village';
    if (hash === '#/department' && deptOf(s)) departmentPage(root, s, catalog, deptOf(s));
    else if (hash === '#/access-log') accessLogPage(root, s);
    else if (hash === '#/templates') templatesPage(root, s);
    else if (hash === '#/proposals/new' && deptOf(s)) proposalPage(root, s, catalog, deptOf(s));
    else if (hash === '#/proposals/review') reviewPage(root, s, catalog);
    else if (hash === '#/form' || (hash === '#/' && clerk)) await clerkPage(root, s, catalog);
    else await officePage(root, s, catalog);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) { session.clear(); return go('#/signin'); }
    mount(root, notice('error', err instanceof ApiError ? err.message : '页面出错，请刷新重试。'));
    console.error(err);
  }
  root.focus({ preventScroll: true });
}

/** Entra ID: after the redirect back, the session is the access token's claims (the token itself stays in MSAL's cache). */
async function startEntra() {
  const { entraAuth } = await import('./entra.js');
  auth = await entraAuth(signIn);
  useTokenProvider(() => auth.token());
  if (auth.account() && !session.get()) {
    const claims = claimsOf(await auth.token());
    if (claims?.org) session.set({ org: claims.org, roles: claims.roles, displayName: auth.account().name || null, orgName: null, period: null });
  }
}

async function start() {
  startOffline();
  try {
    const response = await fetch('/config.json', { cache: 'no-store' });
    if (response.ok) signIn = await response.json();
  } catch { /* no config: the development probe decides */ }
  useZone(signIn.timeZone);
  if (signIn.signIn === 'entra') {
    try {
      await startEntra();
    } catch (err) {
      console.error(err);
      mount(root, notice('error', '统一身份认证登录未能完成，请刷新重试。'));
      return;
    }
  }
  window.addEventListener('hashchange', route);
  route();
}

start();
