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

// Labels: Chinese and English side by side.
const STAGES = {
  STAGE_IDENTIFIED: '已识别 Identified', STAGE_QUALIFIED: '已确认 Qualified',
  STAGE_NEEDS_ANALYZED: '需求分析 Needs analysed', STAGE_SOLUTION_PROPOSED: '方案 Solution proposed',
  STAGE_QUOTED: '已报价 Quoted', STAGE_NEGOTIATING: '谈判 Negotiating', STAGE_WON: '赢单 Won',
  STAGE_LOST: '丢单 Lost', STAGE_DISQUALIFIED: '不合格 Disqualified', STAGE_UNSPECIFIED: '—',
};
const ROLES = {
  ROLE_SALES_REP: '销售代表 Sales rep', ROLE_BD_MANAGER: '商务拓展 BD manager',
  ROLE_SALES_MANAGER: '销售经理 Sales manager', ROLE_SALES_SUPPORT: '销售支持 Sales support',
  ROLE_AFTER_SALES: '售后 After-sales', ROLE_ADMIN: '管理员 Admin', ROLE_AUDITOR: '审计 Auditor',
};
const label = (table, key) => table[key] || key;
// Chart colours, each at least 4.5:1 against white (WCAG AA).
const COLOURS = { normal: '#0b5394', warn: '#8a4b00', over: '#a61c00', second: '#38761d' };

function money(m) {
  if (!m) return '';
  const minor = Number(m.amountMinor || 0);
  return `${(minor / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${m.currency}`;
}
const percent = (x) => `${(Number(x) * 100).toFixed(1)}%`;
function duration(d) {
  const seconds = parseFloat(d || '0');
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  return days > 0 ? `${days}d ${hours}h` : `${hours}h ${Math.floor((seconds % 3600) / 60)}m`;
}
const time = (t) => (t ? t.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');

// A table: its caption, column headings, rows of cells (a cell is text, a
// Node, or {text|node, num: true}). Sortable by keyboard: headings are buttons.
function table(caption, headings, rows, id) {
  const body = el('tbody', {}, rows.map((cells) => el('tr', {}, cells.map((cell, i) => {
    const spec = cell !== null && typeof cell === 'object' && !(cell instanceof Node) ? cell : { value: cell };
    const content = spec.node || (spec.value instanceof Node ? spec.value : String(spec.value ?? spec.text ?? ''));
    const attrs = { class: spec.num ? 'num' : undefined, 'data-sort': spec.sort ?? undefined };
    return i === 0 ? el('th', { scope: 'row', ...attrs }, content) : el('td', attrs, content);
  }))));
  const head = el('tr', {}, headings.map((h, i) => {
    const button = el('button', { type: 'button', class: 'sort', text: h });
    button.addEventListener('click', () => sortBy(body, i, button));
    return el('th', { scope: 'col', 'aria-sort': 'none' }, button);
  }));
  return el('table', { id }, el('caption', { text: caption }), el('thead', {}, head), body);
}

function sortBy(body, column, button) {
  const th = button.parentElement;
  const ascending = th.getAttribute('aria-sort') !== 'ascending';
  for (const other of th.parentElement.children) other.setAttribute('aria-sort', 'none');
  th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
  const key = (row) => {
    const cell = row.children[column];
    const v = cell.getAttribute('data-sort') ?? cell.textContent;
    const n = parseFloat(v.replace(/,/g, ''));
    return Number.isNaN(n) ? v : n;
  };
  const rows = [...body.children].sort((a, b) => {
    const x = key(a), y = key(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'zh-CN');
    return ascending ? c : -c;
  });
  body.replaceChildren(...rows);
}

// A bar chart (Chart.js) with a text alternative; nothing when Chart.js is missing.
function barChart(title, labels, datasets, horizontal = false) {
  const canvas = el('canvas', { role: 'img', 'aria-label': title });
  const figure = el('figure', { class: 'chart' }, canvas, el('figcaption', { text: title }));
  if (window.Chart) {
    new window.Chart(canvas, {
      type: 'bar',
      data: { labels, datasets },
      options: {
        indexAxis: horizontal ? 'y' : 'x', animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { legend: { display: datasets.length > 1 } },
      },
    });
  }
  return figure;
}

// A form whose fields are the page's URL parameters: submitting it moves
// to the URL (bookmarkable) and redraws.
function paramForm(fields, params) {
  const form = el('form', { class: 'params' });
  for (const f of fields) {
    const id = `f-${f.name}`;
    const input = f.options
      ? el('select', { id, name: f.name }, f.options.map(([v, t]) =>
        el('option', { value: v, selected: (params.get(f.name) || f.value || '') === v, text: t })))
      : el('input', { id, name: f.name, type: f.type || 'text', value: params.get(f.name) || f.value || '',
        placeholder: f.placeholder, step: f.step });
    form.append(el('label', { for: id, text: f.label }), input);
  }
  form.append(el('button', { type: 'submit', text: '查看 Show' }));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (v) query.set(k, v);
    history.pushState(null, '', `${location.pathname}?${query}`);
    route();
  });
  return form;
}

// The view options of a page's URL: as_of_position, as_of_time (the
// datetime-local picker's value is read as UTC).
function viewParams(params) {
  let at = params.get('as_of_time');
  if (at && !at.endsWith('Z')) at = `${at.length === 16 ? `${at}:00` : at}Z`;
  return { 'view.as_of_position': params.get('as_of_position'), 'view.as_of_time': at };
}
const VIEW_FIELDS = [
  { name: 'as_of_time', label: '截至时间 As of (UTC)', type: 'datetime-local', step: 1 },
  { name: 'as_of_position', label: '截至日志位置 As of log position', type: 'number' },
];
const viewLine = (v) => el('p', { class: 'view' },
  `日志位置 log position ${v.position} · ${time(v.now)}${v.asOf ? ' · 历史视图 as of (replay)' : ' · 实时 live'}`);

// ---- Pipeline -----------------------------------------------------------

async function pipelinePage(section, params) {
  const p = await api('Views/GetPipeline', { ...viewParams(params), win_rate_days: params.get('win_rate_days') });
  const rows = p.stages.map((s) => [
    { value: label(STAGES, s.stage) },
    { value: s.openLeads, num: true },
    { value: `${s.winProbabilityPercent}%`, num: true },
    { node: el('span', {}, s.values.map((v) => el('span', { class: 'money' }, money(v.total)))), sort: s.values[0] ? s.values[0].total.amountMinor : 0 },
    { node: el('span', {}, s.values.map((v) => el('span', { class: 'money' }, money(v.weighted)))), sort: s.values[0] ? s.values[0].weighted.amountMinor : 0 },
    { value: duration(s.averageTimeInStage), sort: parseFloat(s.averageTimeInStage) },
    { value: duration(s.maxTimeInStage), sort: parseFloat(s.maxTimeInStage) },
    { node: s.oldestLeadId ? el('a', { href: `/lead?id=${encodeURIComponent(s.oldestLeadId)}`, text: s.oldestLeadId }) : '' },
  ]);
  const conversions = p.conversions.map((c) => [
    `${label(STAGES, c.fromStage)} → ${label(STAGES, c.toStage)}`,
    { value: percent(c.rate), num: true }, { value: `${c.reachedTo}/${c.reachedFrom}`, num: true }]);
  const w = p.winRate;
  section.replaceChildren(
    el('h2', { text: '销售管道 Pipeline' }),
    paramForm([...VIEW_FIELDS, { name: 'win_rate_days', label: '赢率窗口（天）Win-rate window (days)', type: 'number', value: '90' }], params),
    viewLine(p.view),
    barChart('各阶段线索数 Open leads per stage', p.stages.map((s) => label(STAGES, s.stage)),
      [{ label: '线索 Leads', data: p.stages.map((s) => Number(s.openLeads)), backgroundColor: COLOURS.normal }], true),
    table('漏斗 Funnel', ['阶段 Stage', '线索 Open', '赢率 Win %', '金额 Value', '加权 Weighted', '平均停留 Avg in stage',
      '最长停留 Max in stage', '最久线索 Oldest lead'], rows, 'funnel'),
    table('转化率 Conversion', ['阶段 Stages', '转化 Rate', '到达 Reached'], conversions, 'conversions'),
    el('p', { id: 'winrate' }, `已关闭 closed: 赢单 WON ${p.won} · 丢单 LOST ${p.lost} · 不合格 DISQUALIFIED ${p.disqualified}. `,
      `赢率 Win rate ${time(w.from)} → ${time(w.to)}: ${w.won} won, ${w.lost} lost = ${percent(w.rate)} · `,
      (w.wonValue || []).map(money).join(', ')));
}

// ---- Workload -----------------------------------------------------------

async function workloadPage(section, params) {
  const w = await api('Views/GetWorkload', viewParams(params));
  const colour = (m) => (m.capacity > 0 && m.loadRatio > 1 ? COLOURS.over
    : m.capacity > 0 && m.loadRatio >= 0.8 ? COLOURS.warn : COLOURS.normal);
  const state = (m) => (m.capacity > 0 && m.loadRatio > 1 ? '超载 over capacity'
    : m.capacity > 0 && m.loadRatio >= 0.8 ? '接近上限 near capacity' : '');
  const members = w.members.filter((m) => m.active);
  section.replaceChildren(
    el('h2', { text: '工作量 Workload' }),
    paramForm(VIEW_FIELDS, params),
    viewLine(w.view),
    barChart('在办事项 Open items per member (红 red: over capacity)', members.map((m) => m.displayName || m.memberId),
      [{ label: '负载 Load', data: members.map((m) => m.load), backgroundColor: members.map(colour) }]),
    table('成员 Members', ['成员 Member', '角色 Roles', '负载 Load', '容量 Capacity', '负载率 Load ratio', '超期 SLA overdue',
      '最久事项 Oldest item', '状态 State'], members.map((m) => [
      { node: el('span', { 'data-member': m.memberId }, m.displayName || m.memberId) },
      m.roles.map((r) => label(ROLES, r)).join(', '),
      { value: m.load, num: true },
      { value: m.capacity || '—', num: true },
      { value: m.capacity ? percent(m.loadRatio) : '—', num: true, sort: m.loadRatio },
      { value: m.slaOverdue, num: true },
      `${m.oldestItem} ${m.oldestItem ? duration(m.oldestItemAge) : ''}`,
      { node: el('span', { class: state(m) ? 'over' : '' }, state(m)) },
    ]), 'members'),
    table('角色 Roles', ['角色 Role', '成员 Members', '合计 Total', '平均 Mean', '最大 Max', '不均衡 Imbalance', '待分配 Unassigned'],
      w.roles.map((r) => [label(ROLES, r.role), { value: r.members, num: true }, { value: r.total, num: true },
        { value: Number(r.mean).toFixed(1), num: true }, { value: r.max, num: true },
        { value: Number(r.imbalance).toFixed(2), num: true }, { value: r.unassigned, num: true }]), 'roles'));
}

// ---- Reviews ------------------------------------------------------------

const REVIEWED = ['ROLE_SALES_REP', 'ROLE_BD_MANAGER', 'ROLE_SALES_SUPPORT', 'ROLE_AFTER_SALES'];

// A review's training (Coaching): "2.0 h · 1 次 session(s)".
function trainingText(review) {
  return `${Number(review.trainingHours || 0).toFixed(1)} h · ${review.trainingSessions || 0} 次 session(s)`;
}

// A review's feedback status (Coaching): "v2 · 未确认 not acknowledged".
function feedbackText(f) {
  if (!f || !f.version) return '—';
  if (f.acknowledged) return `v${f.version} · 已确认 acknowledged`;
  if (f.acknowledgedVersion) return `v${f.version} · 未确认 not acknowledged (v${f.acknowledgedVersion} 已确认)`;
  return `v${f.version} · 未确认 not acknowledged`;
}

async function reviewsPage(section, params) {
  const period = params.get('period') || new Date().toISOString().slice(0, 7);
  const role = params.get('role') || 'ROLE_SALES_REP';
  const form = paramForm([
    { name: 'period', label: '期间 Period (YYYY-MM, YYYY-Qn)', value: period },
    { name: 'role', label: '角色 Role', value: role, options: REVIEWED.map((r) => [r, label(ROLES, r)]) },
    { name: 'member', label: '成员 Member (空 empty: all)' },
    { name: 'policy', label: '评分政策 Policy (空 empty: in force at the period end)', type: 'number' },
    { name: 'policy_a', label: '评分政策 A Policy A', type: 'number' },
    { name: 'policy_b', label: '评分政策 B Policy B', type: 'number' },
    ...VIEW_FIELDS], params);
  const view = viewParams(params);
  const parts = [el('h2', { text: '绩效 Reviews' }), form];
  if (params.get('member')) {
    const r = await api('Views/GetPerformanceReview', { ...view, period, member_id: params.get('member'), policy_version: params.get('policy') });
    parts.push(viewLine(r.view), el('h3', { text: `${r.displayName} (${r.memberId}) · ${r.period.label} · 政策 policy v${r.policyVersion}` }),
      el('p', { id: 'feedback-status' }, `反馈 Feedback: ${feedbackText(r.feedback)}`),
      el('p', { id: 'training-status' }, `培训 Training: ${trainingText(r)}`));
    if ((r.previousGoals || []).length) {
      parts.push(table(`上期约定目标 Goals agreed for this period (feedback on ${r.previousPeriod})`, ['目标 Goal'],
        r.previousGoals.map((g) => [g]), 'previous-goals'));
    }
    if (r.feedback && r.feedback.version) {
      const f = await api('Coaching/GetReviewFeedback', { member_id: r.memberId, period: r.period.label });
      parts.push(table('反馈 Feedback (每个版本 every version)',
        ['版本 Version', '撰写 Written by', '优点 Strengths', '问题 Problems', '指导 Guidance', '目标 Goals', '评审摘要 Review digest', '更正理由 Correction', '确认 Acknowledged'],
        f.versions.map((v) => [{ value: v.version, num: true }, `${v.writtenBy} · ${time(v.writtenAt)}`, v.strengths || '', v.problems || '',
          v.guidance || '', (v.goals || []).join('；'), v.review && v.review.inputDigest ? `${v.review.inputDigest.slice(0, 23)}… @${v.review.asOfPosition}` : '—',
          v.correctionReason || '', v.acknowledgedAt ? `${time(v.acknowledgedAt)}${v.comment ? ` · ${v.comment}` : ''}` : '未确认 not yet']), 'feedback'));
    }
    for (const rr of r.roles) {
      parts.push(table(`${label(ROLES, rr.role)} · 得分 score ${Number(rr.score).toFixed(2)}`,
        ['指标 Metric', '值 Value', '单位 Unit', '权重 Weight', '贡献 Contribution'],
        rr.metrics.map((m) => [m.metric, { value: m.defined ? Number(m.value).toFixed(2) : '—', num: true }, m.unit,
          { value: m.weight, num: true }, { value: Number(m.contribution).toFixed(2), num: true }]), 'review'));
      if ((rr.targets || []).length) {
        parts.push(table('目标完成 Target attainment', ['指标 Metric', '目标 Target', '完成 Attainment'],
          rr.targets.map((t) => [t.metric, t.targetValue && t.targetValue.currency ? money(t.targetValue) : t.targetCount,
            { value: `${Number(t.attainmentPercent).toFixed(1)}%`, num: true }]), 'targets'));
      }
    }
  } else {
    const list = await api('Views/ListPerformanceReviews', { ...view, period, role, policy_version: params.get('policy') });
    parts.push(viewLine(list.view), el('p', { text: `${list.period.label} · ${label(ROLES, role)} · 政策 policy v${list.policyVersion}` }),
      barChart('得分 Score per member', list.reviews.map((r) => r.review.displayName || r.review.memberId),
        [{ label: '得分 Score', data: list.reviews.map((r) => Number(r.score)), backgroundColor: COLOURS.normal }]),
      table('排名 Ranking', ['成员 Member', '排名 Rank', '得分 Score', '目标完成 Target attainment', '反馈 Feedback', '培训 Training (h)'], list.reviews.map((r) => {
        const rr = r.review.roles.find((x) => x.role === role) || { targets: [] };
        return [{ node: el('a', { href: `/reviews?period=${period}&role=${role}&policy=${list.policyVersion}&member=${encodeURIComponent(r.review.memberId)}`,
          text: r.review.displayName || r.review.memberId }) }, { value: r.rank, num: true },
        { value: Number(r.score).toFixed(2), num: true, sort: r.score },
        (rr.targets || []).map((t) => `${Number(t.attainmentPercent).toFixed(1)}%`).join(', ') || '—',
        feedbackText(r.review.feedback), { value: Number(r.review.trainingHours || 0).toFixed(1), num: true }];
      }), 'ranking'));
    if (params.get('policy_a') && params.get('policy_b')) {
      const c = await api('Views/CompareReviews', { ...view, period, role, policy_a: params.get('policy_a'), policy_b: params.get('policy_b') });
      parts.push(table(`政策对比 Policy v${c.policyA} vs v${c.policyB}`,
        ['成员 Member', `得分 A`, `排名 A`, `得分 B`, `排名 B`, '名次变化 Rank change'], c.rows.map((r) => [
          r.displayName || r.memberId, { value: Number(r.scoreA).toFixed(2), num: true }, { value: r.rankA, num: true },
          { value: Number(r.scoreB).toFixed(2), num: true }, { value: r.rankB, num: true },
          { value: r.rankChange > 0 ? `▲ ${r.rankChange}` : r.rankChange < 0 ? `▼ ${-r.rankChange}` : '—', num: true, sort: r.rankChange }]), 'comparison'));
    }
  }
  section.replaceChildren(...parts);
}

// ---- Lead ---------------------------------------------------------------

async function leadPage(section, params) {
  const id = params.get('id');
  const parts = [el('h2', { text: '线索 Lead' }), paramForm([{ name: 'id', label: '线索编号 Lead id', value: id || '' }], params)];
  if (!id) {
    section.replaceChildren(...parts);
    return;
  }
  const lead = await api('Leads/GetLead', { lead_id: id });
  const changes = [];
  let token = '';
  do {
    const page = await api('Audit/ListStageChanges', { lead_id: id, page_size: 1000, page_token: token });
    changes.push(...page.changes);
    token = page.nextPageToken;
  } while (token);
  const handOff = (c) => {
    if (!c.handOff) return c.handedTo || '';
    const h = c.handOff;
    const who = c.handedTo || '待分配队列 unassigned queue';
    const candidates = (h.candidates || []).map((x) => `${x.memberId} (${x.openItems}${x.capacity ? `/${x.capacity}` : ''})`).join(', ');
    return `→ ${who} · ${label(ROLES, h.role)} · ${h.rule}${candidates ? ` · 候选 candidates: ${candidates}` : ''}` +
      `${(h.skipped || []).length ? ` · 跳过 skipped: ${h.skipped.join(', ')}` : ''} · v${h.policyVersion}`;
  };
  parts.push(
    el('p', { id: 'lead-summary' }, `${lead.company} · ${label(STAGES, lead.stage)} · 负责人 owner ${lead.owner} · 当前处理 assignee ${lead.assignee || '—'}`),
    table('阶段变化 Stage changes', ['位置 Position', '时间 When', '操作人 Actor', '角色 Role', '阶段 Stage', '越权理由 Override reason', '交接 Hand-off'],
      changes.map((c) => [{ value: c.position, num: true }, time(c.occurredAt), c.actor, label(ROLES, c.actorRole),
        `${label(STAGES, c.fromStage)} → ${label(STAGES, c.toStage)}`, c.override ? c.overrideReason : '', handOff(c)]), 'timeline'));
  try {
    const order = await api('Orders/GetOrder', { order_id: id });
    parts.push(table('订单 Order', ['订单 Order', '状态 Status', '金额 Amount', '处理 Assignee', '物流 Tracking'],
      [[order.orderId, order.status, money(order.amount), order.assignee, `${order.carrier || ''} ${order.trackingNumber || ''}`]], 'order'));
  } catch (error) {
    if (!(error instanceof ApiError && error.httpStatus === 404)) throw error;
    parts.push(el('p', { text: '无订单 No order' }));
  }
  try {
    const tickets = await api('Audit/ReadLog', { stream_prefix: 'ticket-', event_types: 'TicketOpened', limit: 1000 });
    const mine = tickets.events.filter((e) => JSON.stringify(e.event || {}).includes(`"leadId":"${id}"`));
    parts.push(table('工单 Tickets', ['工单 Ticket', '打开时间 Opened', '操作人 Actor'],
      mine.map((e) => [e.streamId.replace(/^ticket-/, ''), time(e.occurredAt), e.actor]), 'tickets'));
  } catch (error) {
    if (!(error instanceof ApiError && error.httpStatus === 403)) throw error;
    parts.push(el('p', { text: `工单需要审计角色 Tickets need an audit role: ${error.message}` }));
  }
  section.replaceChildren(...parts);
}

// ---- Audit --------------------------------------------------------------

let auditStream = null;  // the open event stream's AbortController

function auditRow(e) {
  return el('tr', { 'data-position': e.position },
    el('th', { scope: 'row', class: 'num', text: e.position }), el('td', { text: time(e.recordedAt) }),
    el('td', { text: e.streamId }), el('td', { text: e.eventType }), el('td', { text: e.actor }),
    el('td', { text: label(ROLES, e.actorRole) }), el('td', { text: e.overrideReason || '' }));
}

// Reads the SSE stream with fetch (EventSource cannot send the token);
// onLive runs when the subscription has reached the head (caught_up): from
// then on every new write arrives as an event.
async function follow(query, lastId, onEvent, signal, onLive) {
  const response = await fetch(`/api/v1/events?${query}`, {
    headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) || ''}`, 'Last-Event-ID': String(lastId) },
    credentials: 'omit', cache: 'no-store', signal,
  });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return lastId;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(block.split('\n').filter((l) => l.includes(': '))
        .map((l) => [l.slice(0, l.indexOf(': ')), l.slice(l.indexOf(': ') + 2)]));
      if (fields.id) lastId = Number(fields.id);
      if (fields.event === 'event') onEvent(JSON.parse(fields.data));
      if (fields.event === 'caught_up') onLive();
      if (fields.event === 'error') throw new ApiError(503, JSON.parse(fields.data));
    }
  }
}

// The stream ids of a category (Audit.Subscribe's category filter).
const CATEGORY_PREFIX = { lead: 'lead-', order: 'order-', ticket: 'ticket-', team: 'team' };

async function auditPage(section, params) {
  const filters = {
    category: params.get('category') || '', prefix: params.get('prefix') || '', type: params.get('type') || '',
    actor: params.get('actor') || '',
  };
  const form = paramForm([
    { name: 'category', label: '类别 Category', options: [['', '全部 all'], ['lead', '线索 lead'], ['order', '订单 order'], ['ticket', '工单 ticket'], ['team', '团队 team']] },
    { name: 'prefix', label: '流前缀 Stream prefix', placeholder: 'lead-ACME-' },
    { name: 'type', label: '事件类型 Event type', placeholder: 'DealWon' },
    { name: 'actor', label: '成员 Member', placeholder: 'admin' }], params);
  const digest = await api('Audit/GetLogDigest');
  const head = Number(digest.position);
  // The log reads by one prefix (the longer of the two); the rest of the
  // filters are applied here, as the live stream applies them.
  const categoryPrefix = CATEGORY_PREFIX[filters.category] || '';
  const page = await api('Audit/ReadLog', {
    from_position: Math.max(1, head - 199), limit: 200, event_types: filters.type,
    stream_prefix: filters.prefix.length > categoryPrefix.length ? filters.prefix : categoryPrefix,
  });
  const keep = (e) => (!filters.actor || e.actor === filters.actor) && e.streamId.startsWith(filters.prefix) &&
    (filters.category === 'team' ? e.streamId === 'team' : e.streamId.startsWith(categoryPrefix));
  const body = el('tbody', { id: 'audit-rows' }, page.events.filter(keep).reverse().map(auditRow));
  const headDigest = el('p', { id: 'digest' }, `链摘要 Chain digest at ${digest.position}: `, el('code', { text: digest.digest }));
  const verify = el('button', { type: 'button', id: 'verify', text: '校验日志 Verify the log' });
  const result = el('p', { id: 'verify-result', role: 'status' });
  verify.addEventListener('click', async () => {
    result.textContent = '校验中 Verifying…';
    try {
      const v = await api('Audit/VerifyLog');
      result.textContent = v.ok ? `✓ ${v.fromPosition}–${v.toPosition}: ${v.digest}` : `✗ ${v.detail}`;
    } catch (error) {
      result.textContent = error.message;
    }
  });
  const status = el('p', { id: 'live', role: 'status', text: '实时 Live: connecting…' });
  section.replaceChildren(el('h2', { text: '审计日志 Audit log' }), form, headDigest, verify, result, status,
    el('table', { id: 'audit' }, el('caption', { text: '事件（最新在上）Events, newest first' }),
      el('thead', {}, el('tr', {}, ['位置 Position', '时间 Recorded', '流 Stream', '类型 Type', '成员 Actor', '角色 Role', '越权理由 Override']
        .map((h) => el('th', { scope: 'col', text: h })))), body));
  if (auditStream) auditStream.abort();
  const controller = new AbortController();
  auditStream = controller;
  const query = new URLSearchParams();
  if (filters.category) query.set('category', filters.category);
  if (filters.prefix) query.set('stream_prefix', filters.prefix);
  if (filters.type) query.set('event_types', filters.type);
  if (filters.actor) query.set('actor', filters.actor);
  let lastId = head;
  (async () => {
    while (!controller.signal.aborted && document.body.contains(body)) {
      try {
        status.textContent = '实时 Live: connecting…';
        lastId = await follow(query, lastId, (e) => {
          body.prepend(auditRow(e));
          status.textContent = `实时 Live ● 最新 last ${e.position}`;
        }, controller.signal, () => {
          if (!status.textContent.includes('●')) status.textContent = '实时 Live ●';
        });
      } catch (error) {
        if (controller.signal.aborted) return;
        status.textContent = `实时更新中断 Live updates stopped: ${error.message}`;
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  })();
}

// ---- Meetings -----------------------------------------------------------

const MEETING_STATUS = {
  MEETING_STATUS_SCHEDULED: '已安排 Scheduled', MEETING_STATUS_HELD: '已召开 Held',
  MEETING_STATUS_CANCELLED: '已取消 Cancelled',
};
const count = (name, m) => Number(((m.activity || []).find((a) => a.activity === name) || {}).count || 0);

// The meetings, newest first, and one meeting's brief: computed from the log
// as it stood at the meeting's start (provisional while it is ahead).
async function meetingsPage(section, params) {
  const list = await api('Meetings/ListMeetings', { page_size: 50 });
  const meetings = list.meetings || [];
  const upcoming = meetings.filter((m) => m.status === 'MEETING_STATUS_SCHEDULED' && !m.memberId);
  const id = params.get('id') || (upcoming[upcoming.length - 1] || meetings[0] || {}).meetingId;
  const parts = [el('h2', { text: '例会 Meetings' }),
    table('会议 Meetings', ['会议 Meeting', '标题 Title', '范围 Scope', '开始 Starts (UTC)', '状态 Status', '待办 Action items'],
      meetings.map((m) => [
        { node: el('a', { href: `/meetings?id=${encodeURIComponent(m.meetingId)}`, text: m.meetingId }) },
        m.title, m.memberId || '团队 Team', time(m.startsAt), label(MEETING_STATUS, m.status),
        { value: (m.actionItems || []).length, num: true }]), 'meetings')];
  if (id) {
    const b = await api('Views/GetMeetingBrief', { meeting_id: id });
    const members = b.members || [];
    parts.push(
      el('h3', { id: 'brief-title', text: `简报 Brief: ${b.title || id}` }),
      el('p', { class: 'view', id: 'brief-info' },
        `期间 Period ${time(b.periodFrom)} → ${time(b.periodTo)} · `,
        b.provisional ? '暂定：会议尚未开始 provisional (the meeting is ahead)' : '截至会议开始 as of the meeting’s start',
        ` · 日志位置 log position ${b.view.position} · ${b.inputDigest}`),
      barChart('本期赢单 Deals won in the period', members.map((m) => m.displayName || m.memberId),
        [{ label: '赢单 Won', data: members.map((m) => (m.wins || []).length), backgroundColor: COLOURS.second }]),
      table('成员 Members', ['成员 Member', '新线索 New leads', '赢单 Won', '赢单金额 Won value', '丢单 Lost', '超期 SLA overdue',
        '停滞线索 Stuck leads', '待接手 Hand-offs waiting', '逾期待办 Overdue items', '低分调查 Low surveys'],
      members.map((m) => [
        { node: el('span', { 'data-member': m.memberId }, m.displayName || m.memberId) },
        { value: count('leads_identified', m), num: true },
        { value: (m.wins || []).length, num: true },
        { node: el('span', {}, (m.wonValue || []).map((v) => el('span', { class: 'money' }, money(v)))),
          sort: m.wonValue && m.wonValue[0] ? m.wonValue[0].amountMinor : 0 },
        { value: (m.losses || []).length, num: true },
        { value: m.slaOverdue || 0, num: true },
        { node: el('span', {}, (m.stuck || []).map((l) => el('a', { href: `/lead?id=${encodeURIComponent(l.leadId)}`,
          text: `${l.company || l.leadId} (${duration(l.duration)}) ` }))) },
        { value: m.handoffsWaiting || 0, num: true },
        { value: (m.overdueActionItems || []).length, num: true },
        { value: (m.lowSurveys || []).length, num: true },
      ]), 'brief'),
      table('结转待办 Action items carried forward', ['待办 Item', '负责人 Owner', '标题 Title', '截止 Due', '会议 Agreed in'],
        (b.carriedForward || []).map((i) => [i.actionItemId, i.owner, i.title, i.dueDate, i.meetingId]), 'carried'));
  }
  section.replaceChildren(...parts);
}

const PAGES = {
  '/pipeline': pipelinePage, '/workload': workloadPage, '/reviews': reviewsPage, '/lead': leadPage, '/audit': auditPage,
  '/meetings': meetingsPage,
};

async function route() {
  if (auditStream) auditStream.abort();
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
