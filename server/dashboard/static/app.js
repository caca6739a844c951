// salesops dashboard: signs in with a bearer token (kept in sessionStorage
// only), calls the JSON API (/api/v1/Service/Method) with it in the
// Authorization header, and draws the page its URL names. No inline
// script, no cookies: docs/DASHBOARD.md.
'use strict';

const TOKEN_KEY = 'salesops.token';

// ---- the JSON API -------------------------------------------------------

class ApiError extends Error {
  constructor(httpStatus, status) {
    super(status.message || `HTTP ${httpStatus}`);
    this.httpStatus = httpStatus;
    this.status = status;  // google.rpc.Status: code, message, details
    const info = (status.details || []).find((d) => (d['@type'] || '').endsWith('google.rpc.ErrorInfo'));
    this.reason = info ? info.reason : '';
  }
}

async function api(method, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    for (const v of Array.isArray(value) ? value : [value]) query.append(name, v);
  }
  const response = await fetch(`/api/v1/${method}?${query}`, {
    headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) || ''}` },
    credentials: 'omit',
    cache: 'no-store',
  });
  const body = await response.json().catch(() => ({ message: `HTTP ${response.status}` }));
  if (!response.ok) throw new ApiError(response.status, body);
  return body;
}

// ---- helpers ------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function showError(error) {
  const box = document.getElementById('error');
  if (!error) {
    box.hidden = true;
    box.textContent = '';
    return;
  }
  let text = error.message;
  if (error instanceof ApiError) {
    if (error.httpStatus === 401) text = `令牌无效或缺失 · Not signed in: ${error.message}`;
    else if (error.httpStatus === 403) text = `无权查看 · Not allowed: ${error.message}`;
    text += error.reason ? ` (${error.reason})` : '';
  }
  box.textContent = text;
  box.hidden = false;
}

// ---- sign-in ------------------------------------------------------------

function signedIn() {
  return !!sessionStorage.getItem(TOKEN_KEY);
}

function showLogin() {
  document.getElementById('login').hidden = false;
  document.getElementById('nav').hidden = true;
  document.getElementById('page').replaceChildren();
  document.getElementById('token').focus();
}

async function signIn(event) {
  event.preventDefault();
  const input = document.getElementById('token');
  sessionStorage.setItem(TOKEN_KEY, input.value.trim());
  input.value = '';
  try {
    await api('Team/ListMembers');  // any read: checks the token
  } catch (error) {
    sessionStorage.removeItem(TOKEN_KEY);
    showError(error);
    return;
  }
  showError(null);
  route();
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  history.pushState(null, '', '/');
  showLogin();
}

// ---- pages --------------------------------------------------------------

function money(m) {
  if (!m) return '';
  const minor = Number(m.amountMinor || 0);
  return `${(minor / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${m.currency}`;
}

// The pipeline as a table (the pages of docs/DASHBOARD.md build on this).
async function pipelinePage(section, params) {
  const pipeline = await api('Views/GetPipeline', {
    'view.as_of_position': params.get('as_of_position'),
    'view.as_of_time': params.get('as_of_time'),
  });
  const rows = pipeline.stages.map((s) =>
    el('tr', {}, el('th', { scope: 'row', text: s.stage }), el('td', { class: 'num', text: s.openLeads }),
      el('td', { class: 'num', text: s.values.map((v) => money(v.total)).join(' · ') })));
  section.replaceChildren(
    el('h2', { text: '管道 Pipeline' }),
    el('p', { text: `日志位置 log position ${pipeline.view.position}` }),
    el('table', {}, el('caption', { text: '各阶段 Open leads per stage' }),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: '阶段 Stage' }),
        el('th', { scope: 'col', text: '线索 Leads' }), el('th', { scope: 'col', text: '金额 Value' }))),
      el('tbody', {}, rows)));
}

const PAGES = { '/pipeline': pipelinePage };

async function route() {
  if (!signedIn()) {
    showLogin();
    return;
  }
  document.getElementById('login').hidden = true;
  document.getElementById('nav').hidden = false;
  const path = location.pathname === '/' ? '/pipeline' : location.pathname;
  const page = PAGES[path] || PAGES['/pipeline'];
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.getAttribute('href') === path) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const section = document.getElementById('page');
  section.replaceChildren(el('p', { text: '加载中 · Loading…' }));
  showError(null);
  try {
    await page(section, new URLSearchParams(location.search));
  } catch (error) {
    section.replaceChildren();
    showError(error);
    if (error instanceof ApiError && error.httpStatus === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      document.getElementById('login').hidden = false;
    }
  }
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('login').addEventListener('submit', signIn);
  document.getElementById('logout').addEventListener('click', signOut);
  document.getElementById('nav').addEventListener('click', (event) => {
    const link = event.target.closest('a');
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    history.pushState(null, '', link.getAttribute('href'));
    route();
  });
  window.addEventListener('popstate', route);
  route();
});
