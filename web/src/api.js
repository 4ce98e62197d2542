// Talks to the contract's routes on this origin. A development token lives in sessionStorage: this tab and this origin
// only, gone when the tab closes, never in localStorage where every tab and a later user of the machine would find it.
// With Entra ID the token comes from MSAL (its own sessionStorage cache) for each call instead.
const SESSION_KEY = 'rp.session';
let requestCount = 0;

export const session = {
  get() {
    try { return JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null'); } catch { return null; }
  },
  set(value) { sessionStorage.setItem(SESSION_KEY, JSON.stringify(value)); },
  clear() { sessionStorage.removeItem(SESSION_KEY); },
};

export const requestsMade = () => requestCount;

let tokenProvider = null;
/** With Entra ID: a function answering the API's current access token (MSAL), asked before every call. */
export function useTokenProvider(provider) { tokenProvider = provider; }

export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || statusText(status));
    this.status = status;
    this.problem = problem || {};
  }
}

function statusText(status) {
  switch (status) {
    case 0: return '无法连接服务器，请检查网络后重试。';
    case 401: return '登录已过期或无效，请重新登录。';
    case 403: return '没有权限查看或修改这个单位的数据。';
    case 404: return '没有找到请求的内容。';
    case 412: return '数据在您打开页面之后已被更新，本次提交未保存，请核对最新数值后重新提交。';
    case 413: return '文件太大，超过了上传限制。';
    case 415: return '不支持这种文件类型，请上传 .xlsx 或 .csv 文件。';
    default: return status >= 500 ? '服务器暂时无法处理，请稍后重试。' : `请求失败（${status}）。`;
  }
}

// `cache`: 'no-store' for data that changes (values, states); 'no-cache' revalidates a cacheable answer (the catalog's ETag).
export async function api(path, { method = 'GET', body, headers = {}, raw = false, cache = 'no-store' } = {}) {
  const s = session.get();
  const all = { Accept: 'application/json', ...headers };
  const token = tokenProvider ? await tokenProvider() : s && s.token;
  if (token) all.Authorization = `Bearer ${token}`;
  requestCount++;
  let response;
  try {
    response = await fetch(path, { method, body, headers: all, credentials: 'same-origin', cache });
  } catch {
    throw new ApiError(0, null);
  }
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not JSON: keep the generic text */ }
    throw new ApiError(response.status, problem);
  }
  return raw ? response : response.json();
}

export async function download(path, fallbackName) {
  const response = await api(path, { raw: true, headers: { Accept: '*/*' } });
  const disposition = response.headers.get('Content-Disposition') || '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const name = star ? decodeURIComponent(star[1]) : fallbackName;
  return { blob: await response.blob(), name };
}

/** The claims the API checks, read from the token itself so that any sign-in (development or Entra ID) works. */
export function claimsOf(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = JSON.parse(decodeURIComponent(escape(atob(part))));
    const roles = Array.isArray(json.roles) ? json.roles : json.roles ? [json.roles] : [];
    return { org: json.org, roles, exp: json.exp, dept: json.dept || null };
  } catch {
    return null;
  }
}
