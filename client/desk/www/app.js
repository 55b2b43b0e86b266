// The desk's screen (issue 16): plain JavaScript, no framework, no build
// step. Every text comes from GET /api/texts (client/lib/messages_ui.c);
// everything is built with DOM calls (textContent, never innerHTML) so that
// the page runs under the desk's Content-Security-Policy without inline
// script or style. The API is docs/DESK.md.

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

// a dossier code, its short form yymmdd-nnnn (the desk adds the unit's
// agency id) or a provisional number: what a scanner types from a slip
const CODE_RE = /^([A-Z0-9.]+-\d{6}-\d{4,}|\d{6}-\d{4,}|TAM-[A-Za-z0-9.-]+)$/;
const PAGE = 20;
const MAX_INBOX = 50;

let texts = {};
let state = null;          // GET /api/state
let lang = 'vi';
let eventsLast = 0;
let eventsRunning = false;
let inbox = [];
let candidates = null;     // processing officers, for assignment
let procedures = null;     // all procedures (datalists)
let listQuery = new URLSearchParams();
// Keyset pages (issue 19): the reply's cursor of the next page, the row
// count before the next page, and the queries of the pages before this one.
let listNext = null, listTo = 0, listBack = [];
let current = null;        // the dossier on screen
let receiveKey = null;     // idempotency key of the receive form
let chosen = null;         // the chosen procedure
let scans = [];            // files picked for the receive form
let waitingFor = null;     // a provisional number waiting for its real code

/* ---- texts ------------------------------------------------------------- */

function t(key, params) {
  let s = Object.prototype.hasOwnProperty.call(texts, key) ? texts[key] : key;
  if (params) for (const [k, v] of Object.entries(params)) s = s.split('{' + k + '}').join(String(v));
  return s;
}

function applyTexts(root = document) {
  for (const el of $$('[data-t]', root)) el.textContent = t(el.dataset.t);
  for (const el of $$('[data-tp]', root)) el.placeholder = t(el.dataset.tp);
  for (const el of $$('[data-tt]', root)) el.title = t(el.dataset.tt);
  document.documentElement.lang = lang;
  document.title = t('app.title');
  $('#lang-switch').textContent = t('lang.switch');
  fillStatusFilter();
  renderKeys();
}

async function loadTexts() {
  const r = await fetch('/api/texts?lang=' + encodeURIComponent(lang), { credentials: 'same-origin' });
  if (r.ok) texts = await r.json();
  applyTexts();
}

/* ---- DOM helpers ------------------------------------------------------- */

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) el.append(c);
  return el;
}

function show(el, on) { el.hidden = !on; }

function showError(el, msg) {
  el.textContent = msg || '';
  el.hidden = !msg;
}

let flashTimer = null;
function flash(msg) {
  const f = $('#flash');
  f.textContent = msg;
  f.hidden = false;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => { f.hidden = true; }, 6000);
}

// "2026-12-06T09:30:00+07:00" -> "06/12/2026 09:30" (the unit's local time)
function when(s, withTime = true) {
  if (!s || typeof s !== 'string' || s.length < 10) return '';
  const d = s.slice(8, 10) + '/' + s.slice(5, 7) + '/' + s.slice(0, 4);
  return withTime && s.length >= 16 ? d + ' ' + s.slice(11, 16) : d;
}

/* An idempotency key as the client library makes them (mc_client_idem_key):
 * the time in ms (12 hex digits, so a unit's keys sort by time and the
 * server's index takes each at its end), then 80 random bits. */
function idemKey() {
  const b = crypto.getRandomValues(new Uint8Array(10));
  return Date.now().toString(16).padStart(12, '0') +
    Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/* ---- API --------------------------------------------------------------- */

class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || t('error.http', { status }));
    this.status = status;
    this.code = e.code || 'http_' + status;
    this.field = e.field || null;
  }
}

async function api(method, path, body) {
  const opt = { method, credentials: 'same-origin', headers: {} };
  if (method !== 'GET') {
    if (state && state.csrf) opt.headers['X-CSRF-Token'] = state.csrf;
    if (body !== undefined) {
      opt.headers['Content-Type'] = 'application/json';
      opt.body = JSON.stringify(body);
    }
  }
  let r;
  try {
    r = await fetch(path, opt);
  } catch (e) {
    throw new ApiError(0, { error: { code: 'network', message: t('error.network') } });
  }
  let doc = null;
  try { doc = await r.json(); } catch (e) { doc = null; }
  if (r.status === 401 && path !== '/api/login') {
    loggedOut(t('login.expired'));
    throw new ApiError(401, doc);
  }
  if (!r.ok) throw new ApiError(r.status, doc);
  return doc || {};
}

/* ---- state and header -------------------------------------------------- */

async function refreshState() {
  try {
    state = await api('GET', '/api/state');
  } catch (e) {
    if (e.status !== 401) renderLink(null);
    return;
  }
  if (state.lang && state.lang !== lang && !texts['app.title']) lang = state.lang;
  if (!state.officer && document.body.dataset.screen && document.body.dataset.screen !== 'login') {
    loggedOut(t('login.expired'));  // the desk's idle logout
    return;
  }
  renderHeader();
}

function renderLink(link) {
  const el = $('#link');
  const online = !!(link && link.online);
  el.textContent = link ? t(online ? 'link.online' : 'link.offline') : t('link.unknown');
  el.title = link && link.rtt_ms ? t('link.rtt', { ms: link.rtt_ms }) : (link && link.error) || '';
  el.className = 'chip ' + (online ? 'ok' : 'bad');
  el.dataset.online = online ? '1' : '0';
}

function renderHeader() {
  if (!state) return;
  const u = state.unit || {};
  $('#unit').textContent = (u.name || '') + (u.code ? ' (' + u.code + ')' : '');
  $('#unit').title = $('#unit').textContent;
  renderLink(state.link);
  const pending = state.outbox ? state.outbox.pending : 0;
  $('#pending').textContent = t('outbox.pending', { n: pending });
  show($('#pending'), pending > 0);
  const o = state.officer;
  $('#officer').textContent = o ? o.full_name || o.login : '';
  $('#officer').title = o ? [o.login, o.title].filter(Boolean).join(' – ') : '';
  show($('#nav'), !!o);
  show($('#search-form'), !!o);
  show($('#logout'), !!o);
  show($('#nav-queue'), !!o && isDistrict());
  renderKeys();
  if (isCurrent('today')) renderOutbox();
}

function isDistrict() { return !!(state && state.unit && state.unit.role === 'district'); }
function isOnline() { return !!(state && state.link && state.link.online); }
function loggedIn() { return !!(state && state.officer); }

function renderKeys() {
  const f = $('#keys');
  f.replaceChildren();
  for (const [k, key] of [['F2', 'keys.receive'], ['F3 /', 'keys.search'], ['F4', 'keys.list'],
    ['F6', 'keys.today'], ['F7', 'keys.queue'], ['Enter', 'keys.enter'], ['Esc', 'keys.esc']]) {
    if (k === 'F7' && !isDistrict()) continue;
    f.append(h('span', { class: 'key' }, h('kbd', { text: k }), ' ' + t(key)));
  }
}

/* ---- login ------------------------------------------------------------- */

function loggedOut(msg) {
  if (state) { state.officer = null; state.csrf = null; }
  eventsRunning = false;
  inbox = [];
  current = null;
  candidates = null;
  clearScreens();
  renderHeader();
  screen('login');
  show($('#login-form'), true);
  show($('#passwd-form'), false);
  showError($('#login-error'), msg || '');
  $('#login-pass').value = '';
  $('#login-user').focus();
}

// Nothing of a citizen stays on the page after a logout (the desk also
// sends Clear-Site-Data).
function clearScreens() {
  resetReceive();
  for (const sel of ['#inbox', '#outbox tbody', '#dossiers tbody', '#d-fields', '#d-components', '#d-actions',
    '#d-slips', '#d-files', '#d-uploads', '#d-history', '#recv-uploads', '#components tbody', '#act-fields'])
    $(sel).replaceChildren();
  for (const sel of ['#d-code', '#d-status', '#rate-code', '#page-info', '#recv-code', '#recv-title', '#proc-name',
    '#proc-meta', '#act-title', '#act-confirm', '#flash']) $(sel).textContent = '';
  for (const sel of ['#recv-slip', '#recv-open', '#rate-back', '#export']) $(sel).removeAttribute('href');
  $('#flash').hidden = true;
  $('#filters').reset();
  if ($('#act-dialog').open) $('#act-dialog').close();
}

async function onLogin(ev) {
  ev.preventDefault();
  showError($('#login-error'), '');
  try {
    const r = await api('POST', '/api/login', { login: $('#login-user').value.trim(), password: $('#login-pass').value });
    $('#login-pass').value = '';
    state = Object.assign(state || {}, { officer: r.officer, csrf: r.csrf });
    await refreshState();
    if (r.officer && r.officer.must_change) {
      show($('#login-form'), false);
      show($('#passwd-form'), true);
      $('#passwd-old').focus();
      return;
    }
    startEvents();
    loadProcedures();  // also for receiving while the link is down
    if (!location.hash || location.hash === '#/login') location.hash = '#/today';
    else route();
  } catch (e) {
    $('#login-pass').value = '';
    showError($('#login-error'), e.message);
    $('#login-pass').focus();
  }
}

async function onPasswd(ev) {
  ev.preventDefault();
  try {
    await api('POST', '/api/passwd', { old: $('#passwd-old').value, new: $('#passwd-new').value });
    $('#passwd-old').value = $('#passwd-new').value = '';
    await refreshState();
    startEvents();
    location.hash = '#/today';
  } catch (e) {
    showError($('#passwd-error'), e.message);
  }
}

async function onLogout() {
  try { await api('POST', '/api/logout'); } catch (e) { /* the login screen anyway */ }
  loggedOut('');
}

async function onLang() {
  lang = lang === 'vi' ? 'en' : 'vi';
  if (loggedIn()) {
    try { await api('POST', '/api/lang', { lang }); } catch (e) { /* texts switch anyway */ }
  }
  await loadTexts();
  route();
}

/* ---- routing ----------------------------------------------------------- */

const SCREENS = ['login', 'today', 'receive', 'list', 'dossier', 'rate'];

function screen(name) {
  for (const s of SCREENS) show($('#scr-' + s), s === name);
  document.body.dataset.screen = name;
}

function isCurrent(name) { return document.body.dataset.screen === name; }

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query] = raw.split('?');
  const parts = path.split('/').map(decodeURIComponent);
  return { name: parts[0] || 'today', arg: parts[1] || '', query: new URLSearchParams(query || '') };
}

async function route() {
  if ($('#act-dialog').open) $('#act-dialog').close();
  if (!loggedIn()) { loggedOut(''); return; }
  const r = parseHash();
  switch (r.name) {
    case 'receive': screen('receive'); openReceive(); break;
    case 'list': screen('list'); openList(r.query, false); break;
    case 'queue': screen('list'); openList(queuePreset(r.query), true); break;
    case 'dossier': screen('dossier'); openDossier(r.arg); break;
    case 'rate': screen('rate'); openRate(r.arg); break;
    default: screen('today'); openToday();
  }
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

/* ---- keyboard ---------------------------------------------------------- */

function typing(el) {
  return el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

function onKey(ev) {
  if (!loggedIn()) return;
  const k = ev.key;
  if (k === 'F2') {
    ev.preventDefault();
    if (!$('#recv-done').hidden) resetReceive();  // F2 = the next citizen
    go('#/receive');
    return;
  }
  if (k === 'F3' || (k === '/' && !typing(ev.target))) {
    ev.preventDefault();
    $('#search').focus();
    $('#search').select();
    return;
  }
  if (k === 'F4') { ev.preventDefault(); go('#/list'); return; }
  if (k === 'F6') { ev.preventDefault(); go('#/today'); return; }
  if (k === 'F7' && isDistrict()) { ev.preventDefault(); go('#/queue'); }
}

// The search box: a barcode/QR scanner types a dossier code and Enter, which
// opens the dossier; any other text searches the list.
function onSearch(ev) {
  ev.preventDefault();
  const q = $('#search').value.trim();
  if (!q) return;
  $('#search').value = '';
  const up = q.toUpperCase();
  if (CODE_RE.test(up)) go('#/dossier/' + encodeURIComponent(up));
  else go('#/list?' + new URLSearchParams({ q }).toString());
}

/* ---- today ------------------------------------------------------------- */

async function openToday() {
  renderInbox();
  renderOutbox();
  try {
    const s = await api('GET', '/api/summary');
    for (const k of ['to_receive', 'to_return', 'due_soon', 'overdue', 'in_progress', 'received_today']) {
      $('#c-' + k + ' b').textContent = s[k] === undefined || s[k] === null ? '–' : String(s[k]);
    }
  } catch (e) {
    for (const b of $$('#counts b')) b.textContent = '–';
    if (e.status !== 401) flash(e.message);
  }
}

function eventCode(ev) {
  return (ev.dossier && ev.dossier.code) || ev.code || ev.provisional || '';
}

function eventText(ev) {
  switch (ev.event) {
    case 'dossier': return ev.kind_name || ev.kind || '';
    case 'connected': return t('event.connected');
    case 'disconnected': return t('event.disconnected') + (ev.message ? ': ' + ev.message : '');
    case 'outbox':
      if (ev.outcome === 'delivered') return ev.provisional && ev.code ? t('event.delivered', { provisional: ev.provisional, code: ev.code }) : t('event.sent');
      return t('event.rejected') + (ev.error ? ': ' + ev.error : '');
    default:
      return ev.kind_name || ev.message || ev.event || '';
  }
}

function renderInbox() {
  const ol = $('#inbox');
  ol.replaceChildren();
  for (const ev of inbox) {
    const code = eventCode(ev);
    const li = h('li', { class: 'ev ev-' + (ev.event || 'x') },
      h('time', { text: when(ev.at) }), ' ', h('span', { class: 'what', text: eventText(ev) }), ' ');
    if (code) li.append(h('a', { href: '#/dossier/' + encodeURIComponent(code), class: 'code', text: code }));
    if (ev.dossier && ev.dossier.procedure_name) li.append(h('span', { class: 'muted', text: ' ' + ev.dossier.procedure_name }));
    ol.append(li);
  }
  show($('#inbox-empty'), inbox.length === 0);
}

async function renderOutbox() {
  const card = $('#outbox-card');
  const pending = state && state.outbox ? state.outbox.pending : 0;
  if (isOnline() && !pending) { show(card, false); return; }
  show(card, true);
  const tb = $('#outbox tbody');
  try {
    const r = await api('GET', '/api/outbox');
    tb.replaceChildren();
    for (const it of r.items || []) {
      const code = it.code || it.dossier;
      tb.append(h('tr', {},
        h('td', {}, h('a', { href: '#/dossier/' + encodeURIComponent(it.provisional || it.dossier || ''), text: it.provisional || it.dossier || '' })),
        h('td', { text: it.kind ? t('act.' + it.kind.replace(/-/g, '_')) : '' }),
        h('td', { text: t('outbox.state.' + it.state) }),
        h('td', { text: it.code || (code && !String(code).startsWith('TAM-') ? code : '') }),
        h('td', { text: String(it.attempts || 0) + (it.last_error ? ' – ' + it.last_error : '') })));
    }
  } catch (e) { /* shown again at the next event */ }
}

/* ---- live events (long poll) ------------------------------------------- */

async function startEvents() {
  if (eventsRunning) return;
  eventsRunning = true;
  while (eventsRunning && loggedIn()) {
    let r;
    try {
      r = await api('GET', '/api/events?after=' + eventsLast);
    } catch (e) {
      if (e.status === 401) break;
      await sleep(2000);
      continue;
    }
    if (typeof r.last === 'number') eventsLast = r.last;
    const evs = r.events || [];
    if (evs.length) onEvents(evs);
  }
  eventsRunning = false;
}

function sleep(ms) { return new Promise((res) => setTimeout(res, ms)); }

async function onEvents(evs) {
  let link = false;
  for (const ev of evs) {
    if (typeof ev.id === 'number' && ev.id > eventsLast) eventsLast = ev.id;
    if (ev.event === 'pong') continue;
    if (ev.event === 'connected' || ev.event === 'disconnected') link = true;
    if (ev.event === 'outbox' && ev.outcome === 'delivered' && waitingFor && ev.provisional === waitingFor && ev.code) {
      clearTimeout(deliveredTimer);
      delivered(waitingFor, ev.code);
    }
    inbox.unshift(ev);
  }
  inbox.length = Math.min(inbox.length, MAX_INBOX);
  await refreshState();
  if (link) flash(t(isOnline() ? 'event.connected' : 'event.disconnected'));
  if (isCurrent('today')) openToday();
  else if (isCurrent('list') && parseHash().name === 'queue') openList(queuePreset(parseHash().query), true);
  if (waitingFor) checkDelivered();
}

/* ---- receive ----------------------------------------------------------- */

function openReceive() {
  if (!$('#recv-done').hidden) { $('#recv-slip').focus(); return; }  // the last receipt stays
  if (!receiveKey) resetReceive();
  $('#proc-q').focus();
}

function resetReceive() {
  receiveKey = idemKey();
  chosen = null;
  scans = [];
  waitingFor = null;
  $('#receive-form').reset();
  $('#proc-results').replaceChildren();
  show($('#proc-chosen'), false);
  show($('#receive-form'), true);
  show($('#recv-done'), false);
  renderScans();
  for (const id of ['a-id-msg', 'a-phone-msg', 'a-email-msg', 'receive-error']) showError($('#' + id), '');
}

let procTimer = null;
function onProcInput() {
  clearTimeout(procTimer);
  procTimer = setTimeout(findProcedures, 150);
}

async function findProcedures() {
  const q = $('#proc-q').value.trim();
  const ol = $('#proc-results');
  if (!q) { ol.replaceChildren(); return; }
  let found;
  try {
    found = (await api('GET', '/api/procedures?q=' + encodeURIComponent(q))).procedures || [];
  } catch (e) {
    // offline: the catalogue this page loaded while online, matched here
    if (e.status === 401 || !procedures) { ol.replaceChildren(h('li', { class: 'error', text: e.message })); return; }
    found = localMatches(q);
  }
  {
    if ($('#proc-q').value.trim() !== q) return;
    ol.replaceChildren();
    for (const p of found.slice(0, 8)) {
      ol.append(h('li', { role: 'option' },
        h('button', { type: 'button', class: 'pick', 'data-code': p.code, onclick: () => chooseProcedure(p) },
          h('span', { class: 'code', text: p.code }), ' ', p.name || '',
          h('span', { class: 'muted', text: ' · ' + t('level.' + p.level) + (p.limit_text ? ' · ' + p.limit_text : '') }))));
    }
    if (!ol.children.length) ol.append(h('li', { class: 'muted', text: t('receive.no_match') }));
  }
}

// Lower case without Vietnamese diacritics (đ -> d), as the desk's search.
function fold(s) {
  return String(s || '').replace(/đ/g, 'd').replace(/Đ/g, 'D').normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '').toLowerCase();
}

function localMatches(q) {
  const words = fold(q).split(/\s+/).filter(Boolean);
  return procedures.filter((p) => {
    const hay = fold(p.code + ' ' + p.name);
    return words.every((w) => hay.includes(w));
  });
}

function onProcKey(ev) {
  if (ev.key === 'Enter') {
    ev.preventDefault();
    const first = $('#proc-results button.pick');
    if (first) first.click();
  } else if (ev.key === 'ArrowDown') {
    const first = $('#proc-results button.pick');
    if (first) { ev.preventDefault(); first.focus(); }
  }
}

function chooseProcedure(p) {
  chosen = p;
  $('#proc-q').value = p.name || p.code;
  $('#proc-results').replaceChildren();
  $('#proc-name').textContent = p.code + ' – ' + (p.name || '');
  $('#proc-meta').textContent = [t('level.' + p.level), p.sector, p.limit_text, p.fee].filter(Boolean).join(' · ');
  if (p.sets) $('#a-sets').value = p.sets;
  const tb = $('#components tbody');
  tb.replaceChildren();
  for (const c of p.components || []) {
    const form = h('select', { class: 'c-form', 'aria-label': t('receive.form') },
      ...['original', 'copy', 'certified_copy'].map((f) => h('option', { value: f, text: t('form.' + f) })));
    form.value = c.form === 'copy' ? 'copy' : c.form === 'certified' ? 'certified_copy' : 'original';
    tb.append(h('tr', { 'data-ordinal': String(c.ordinal) },
      h('td', {}, h('input', { type: 'checkbox', class: 'c-in', 'aria-label': c.name || '' })),
      h('td', {}, h('span', { text: c.ordinal + '. ' + (c.name || '') }),
        c.required ? h('b', { class: 'req', text: ' *', title: t('receive.required') }) : null),
      h('td', {}, form),
      h('td', {}, h('input', { type: 'number', class: 'c-count', min: '1', max: '99', value: String(c.count || 1) }))));
  }
  show($('#proc-chosen'), true);
  const first = $('#components input.c-in');
  (first || $('#a-name')).focus();
}

const ID_RE = /^\d{12}$/;
const PHONE_RE = /^(0\d{9,10}|\+84\d{9,10})$/;
const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function validateField(input, msgEl, ok, key) {
  const v = input.value.trim();
  const bad = v !== '' && !ok(v);
  showError(msgEl, bad ? t(key) : '');
  input.setAttribute('aria-invalid', bad ? 'true' : 'false');
  return !bad;
}

function validateApplicant() {
  const a = validateField($('#a-id'), $('#a-id-msg'), (v) => ID_RE.test(v), 'receive.bad_id');
  const b = validateField($('#a-phone'), $('#a-phone-msg'), (v) => PHONE_RE.test(v.replace(/[ .]/g, '')), 'receive.bad_phone');
  const c = validateField($('#a-email'), $('#a-email-msg'), (v) => EMAIL_RE.test(v), 'receive.bad_email');
  return a && b && c;
}

function onIdInput() {
  const el = $('#a-id');
  const digits = el.value.replace(/\D/g, '').slice(0, 12);
  if (digits !== el.value) el.value = digits;
  validateField(el, $('#a-id-msg'), (v) => v.length < 12 || ID_RE.test(v), 'receive.bad_id');
}

function receiveBody() {
  const comps = [];
  for (const tr of $$('#components tbody tr')) {
    if (!$('.c-in', tr).checked) continue;
    comps.push({ ordinal: Number(tr.dataset.ordinal), form: $('.c-form', tr).value, count: Number($('.c-count', tr).value) || 1 });
  }
  const body = {
    procedure: chosen.code,
    applicant: {
      name: $('#a-name').value.trim(), id_number: $('#a-id').value.trim(),
      phone: $('#a-phone').value.replace(/[ .]/g, ''), address: $('#a-address').value.trim(), email: $('#a-email').value.trim(),
    },
    channel: $('#a-channel').value,
    sets: Number($('#a-sets').value) || 1,
    components: comps,
    note: $('#a-note').value.trim(),
    idempotency_key: receiveKey,
  };
  const missing = $('#missing-reason').value.trim();
  if (missing) body.missing_reason = missing;
  return body;
}

async function onReceive(ev) {
  ev.preventDefault();
  const err = $('#receive-error');
  showError(err, '');
  if (!chosen) { showError(err, t('receive.need_procedure')); $('#proc-q').focus(); return; }
  if (!$('#a-name').value.trim()) { showError(err, t('receive.need_name')); $('#a-name').focus(); return; }
  if (!ID_RE.test($('#a-id').value.trim())) { validateField($('#a-id'), $('#a-id-msg'), (v) => ID_RE.test(v), 'receive.bad_id'); showError($('#a-id-msg'), t('receive.bad_id')); $('#a-id').focus(); return; }
  if (!validateApplicant()) return;
  const btn = $('#receive-submit');
  btn.disabled = true;
  try {
    const r = await api('POST', '/api/receive', receiveBody());
    receiveDone(r);
  } catch (e) {
    showError(err, e.message);
    const f = e.field && { name: '#a-name', id_number: '#a-id', phone: '#a-phone', email: '#a-email', procedure: '#proc-q' }[e.field.replace(/^applicant\./, '')];
    if (f) $(f).focus();
  } finally {
    btn.disabled = false;
  }
}

function receiveDone(r) {
  // online {dossier:{...}}; queued {queued:true, provisional, dossier:"TAM-..."}
  const d = r.dossier && typeof r.dossier === 'object' ? r.dossier : null;
  const code = d ? d.code : (r.provisional || r.dossier || '');
  const queued = !d && !!r.queued;
  show($('#receive-form'), false);
  show($('#recv-done'), true);
  $('#recv-title').textContent = t(queued ? 'receive.done_offline' : 'receive.done');
  setReceivedCode(code, queued);
  waitingFor = queued ? code : null;
  receiveKey = null;  // a new citizen gets a new key
  const list = $('#recv-uploads');
  list.replaceChildren();
  if (scans.length && !queued) uploadAll(code, scans, 'scan', list);
  else if (scans.length) list.append(h('li', { class: 'warn', text: t('receive.scans_later') }));
  $('#recv-slip').focus();
  if (queued) checkDelivered();
}

function setReceivedCode(code, provisional) {
  const el = $('#recv-code');
  el.textContent = code;
  el.dataset.provisional = provisional ? '1' : '0';
  show($('#recv-provisional-note'), provisional);
  $('#recv-slip').href = slipUrl(code, 1);
  $('#recv-slip').textContent = t(provisional ? 'receive.print_provisional' : 'receive.print_slip1');
  $('#recv-open').href = '#/dossier/' + encodeURIComponent(code);
}

// A provisional number on screen: look it up in the outbox until it has
// been delivered, then show the real code (events wake this up; a slow
// timer covers a missed event).
let deliveredTimer = null;
async function checkDelivered() {
  clearTimeout(deliveredTimer);
  if (!waitingFor || !loggedIn()) return;
  try {
    // the desk answers a delivered provisional number with the real dossier
    const r = await api('GET', '/api/dossiers/' + encodeURIComponent(waitingFor));
    const real = r.dossier && r.dossier.code && !String(r.dossier.code).startsWith('TAM-') ? r.dossier.code : null;
    if (real) delivered(waitingFor, real);
    else deliveredTimer = setTimeout(checkDelivered, 3000);
  } catch (e) {
    deliveredTimer = setTimeout(checkDelivered, 3000);
  }
}

function delivered(prov, code) {
  waitingFor = null;
  clearTimeout(deliveredTimer);
  if ($('#recv-code').textContent === prov) {
    setReceivedCode(code, false);
    $('#recv-title').textContent = t('receive.delivered', { provisional: prov });
  }
  if (isCurrent('dossier') && current && current.code === prov) go('#/dossier/' + encodeURIComponent(code));
  flash(t('event.delivered', { provisional: prov, code }));
}

/* ---- scans: drag and drop, progress, resume ---------------------------- */

function renderScans() {
  const ul = $('#scan-list');
  ul.replaceChildren();
  scans.forEach((f, i) => ul.append(h('li', {}, f.name + ' (' + sizeText(f.size) + ') ',
    h('button', { type: 'button', class: 'small', text: t('receive.remove'), onclick: () => { scans.splice(i, 1); renderScans(); } }))));
}

function sizeText(n) {
  return n < 1024 * 1024 ? Math.max(1, Math.round(n / 1024)) + ' KB' : (n / 1048576).toFixed(1) + ' MB';
}

function dropZone(zone, input, onFiles) {
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    onFiles(Array.from(e.dataTransfer.files || []));
  });
  zone.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.click(); } });
  input.addEventListener('change', () => { onFiles(Array.from(input.files || [])); input.value = ''; });
}

function uploadAll(code, files, kind, list) {
  let p = Promise.resolve(true);
  for (const f of files) p = p.then(() => uploadOne(code, f, kind, list));
  return p;
}

// One file by XMLHttpRequest (upload progress events); a failed upload
// keeps its row with a retry button (the desk resumes it towards the
// server through client/lib/transfer).
function uploadOne(code, file, kind, list) {
  const bar = h('progress', { max: '100', value: '0' });
  const msg = h('span', { class: 'muted' });
  const li = h('li', { class: 'upload' }, h('span', { text: file.name + ' ' }), bar, ' ', msg);
  list.append(li);
  return new Promise((resolve) => {
    const send = () => {
      msg.textContent = t('upload.sending');
      msg.className = 'muted';
      const xhr = new XMLHttpRequest();
      xhr.open('PUT', '/api/dossiers/' + encodeURIComponent(code) + '/files?name=' + encodeURIComponent(file.name) + '&kind=' + kind);
      xhr.withCredentials = true;
      if (state && state.csrf) xhr.setRequestHeader('X-CSRF-Token', state.csrf);
      xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total); };
      xhr.onload = () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          bar.value = 100;
          msg.textContent = t('upload.done');
          li.classList.add('ok');
          resolve(true);
          return;
        }
        if (xhr.status === 401) { loggedOut(t('login.expired')); resolve(false); return; }
        let m = t('error.http', { status: xhr.status });
        try { m = JSON.parse(xhr.responseText).error.message || m; } catch (e) { /* keep */ }
        fail(m);
      };
      xhr.onerror = () => fail(t('error.network'));
      xhr.send(file);
    };
    const fail = (m) => {
      msg.textContent = m + ' ';
      msg.className = 'error';
      li.classList.add('failed');
      msg.append(h('button', { type: 'button', class: 'small', text: t('upload.retry'), onclick: () => { li.classList.remove('failed'); send(); } }));
      resolve(false);
    };
    send();
  });
}

/* ---- lists ------------------------------------------------------------- */

function queuePreset(q) {
  const p = new URLSearchParams(q);
  if (!p.has('holder') && state && state.unit) p.set('holder', state.unit.code);
  if (!p.has('status')) p.set('status', '2');
  return p;
}

async function loadProcedures() {
  if (procedures) return;
  try {
    procedures = (await api('GET', '/api/procedures?q=')).procedures || [];
  } catch (e) { procedures = null; return; }
  const dl = $('#dl-procedures');
  dl.replaceChildren(...procedures.map((p) => h('option', { value: p.code, label: p.name || '' })));
  const sectors = [...new Set(procedures.map((p) => p.sector).filter(Boolean))].sort();
  $('#dl-sectors').replaceChildren(...sectors.map((s) => h('option', { value: s })));
}

function fillStatusFilter() {
  const sel = $('#f-status');
  if (sel.options.length > 1) {
    for (const o of Array.from(sel.options).slice(1)) o.textContent = o.value + ' – ' + t('status.' + o.value);
    return;
  }
  for (let i = 1; i <= 10; i++) sel.append(h('option', { value: String(i), text: i + ' – ' + t('status.' + i) }));
}

function filtersToForm(q) {
  const f = $('#filters');
  for (const el of Array.from(f.elements)) {
    if (!el.name) continue;
    if (el.type === 'checkbox') el.checked = q.get(el.name) === '1';
    else el.value = q.get(el.name) || '';
  }
}

function formToFilters() {
  const q = new URLSearchParams();
  for (const el of Array.from($('#filters').elements)) {
    if (!el.name) continue;
    if (el.type === 'checkbox') { if (el.checked) q.set(el.name, '1'); } else if (el.value.trim()) q.set(el.name, el.value.trim());
  }
  return q;
}

async function openList(q, isQueue) {
  fillStatusFilter();
  loadProcedures();
  listQuery = new URLSearchParams(q);
  filtersToForm(listQuery);
  $('#list-title').textContent = t(isQueue ? 'queue.title' : 'list.title');
  document.body.dataset.queue = isQueue ? '1' : '0';
  show($('#col-assign'), isQueue);
  const offset = Number(listQuery.get('offset') || 0);
  const byCursor = listQuery.has('after');
  const base = byCursor ? Number(listQuery.get('at') || 0) : offset;  // rows before this page
  if (!byCursor) listBack = [];
  const api_q = new URLSearchParams(listQuery);
  api_q.delete('at');
  api_q.set('offset', String(byCursor ? 0 : offset));
  api_q.set('limit', String(PAGE));
  const exp = new URLSearchParams(listQuery);
  exp.delete('offset');
  exp.delete('after');
  exp.delete('at');
  $('#export').href = '/api/dossiers.xlsx?' + exp.toString();
  for (const b of $$('button.sort')) {
    const s = listQuery.get('sort') || '-received';
    b.dataset.dir = s === b.dataset.sort ? 'asc' : s === '-' + b.dataset.sort ? 'desc' : '';
  }
  showError($('#list-error'), '');
  let r;
  try {
    r = await api('GET', '/api/dossiers?' + api_q.toString());
  } catch (e) {
    showError($('#list-error'), e.message);
    return;
  }
  if (isQueue && !candidates) await loadCandidates();
  const tb = $('#dossiers tbody');
  tb.replaceChildren();
  for (const d of r.dossiers || []) tb.append(listRow(d, isQueue));
  if (!(r.dossiers || []).length) tb.append(h('tr', {}, h('td', { colspan: '8', class: 'muted', text: t('list.empty') })));
  const total = r.total || 0;
  const to = base + (r.dossiers || []).length;
  const from = (r.dossiers || []).length ? base + 1 : 0;
  listNext = r.next || null;  // older servers send none: pages by offset
  listTo = to;
  $('#page-info').textContent = t('list.page', { from, to, total: total + (r.total_capped ? '+' : '') });
  $('#page-prev').disabled = base <= 0;
  $('#page-next').disabled = listNext ? false : (byCursor || to >= total);
}

function listRow(d, isQueue) {
  const a = d.applicant || {};
  const tr = h('tr', { 'data-code': d.code, class: d.overdue ? 'overdue' : '' },
    h('td', {}, h('a', { href: '#/dossier/' + encodeURIComponent(d.code), class: 'code', text: d.code })),
    h('td', { text: d.procedure_name || d.procedure || '' }),
    h('td', { text: a.name || '' }),
    h('td', { text: d.status_name || t('status.' + d.status) }),
    h('td', { text: when(d.received_at) }),
    h('td', { text: when(d.due_at) }),
    h('td', { text: d.holder_unit || '' }));
  if (isQueue) {
    const sel = h('select', { class: 'assign-to', 'aria-label': t('assign.to') },
      ...(candidates || []).map((o) => h('option', { value: o.login, text: (o.full_name || o.login) + (o.title ? ' – ' + o.title : '') })));
    const btn = h('button', { type: 'button', class: 'assign', text: t('assign.button') });
    btn.addEventListener('click', async () => {
      btn.disabled = true;
      try {
        await api('POST', '/api/dossiers/' + encodeURIComponent(d.code) + '/action', { action: 'assign', to_officer: sel.value, idempotency_key: idemKey() });
        flash(t('assign.done', { code: d.code, officer: sel.options[sel.selectedIndex].text }));
        openList(queuePreset(parseHash().query), true);
      } catch (e) {
        flash(e.message);
        btn.disabled = false;
      }
    });
    tr.append(h('td', {}, sel, ' ', btn));
  }
  return tr;
}

async function loadCandidates() {
  try {
    candidates = (await api('GET', '/api/officers/candidates')).officers || [];
  } catch (e) {
    candidates = [];
  }
}

function listNav(q) {
  const name = parseHash().name === 'queue' ? 'queue' : 'list';
  go('#/' + name + '?' + q.toString());
}

/* ---- one dossier ------------------------------------------------------- */

async function openDossier(code) {
  showError($('#d-error'), '');
  if (!current || current.code !== code) $('#d-uploads').replaceChildren();  // another dossier
  $('#d-code').textContent = code;
  let r;
  try {
    r = await api('GET', '/api/dossiers/' + encodeURIComponent(code));
  } catch (e) {
    current = null;
    for (const id of ['#d-fields', '#d-components', '#d-actions', '#d-slips', '#d-files', '#d-history']) $(id).replaceChildren();
    showError($('#d-error'), e.message);
    return;
  }
  const d = r.dossier || {};
  current = d;
  await loadProcedures();  // the names of the documents handed in
  if (code.startsWith('TAM-')) { waitingFor = code; checkDelivered(); }
  $('#d-code').textContent = d.code || code;
  $('#d-status').textContent = d.status_name || t('status.' + d.status);
  renderFields(d);
  renderActions(d, r.actions || []);
  renderSlips(d, r.slips || []);
  renderFiles(d, r.files || []);
  renderHistory(r.history || []);
}

function renderFields(d) {
  const a = d.applicant || {};
  const rows = [
    ['dossier.procedure', (d.procedure || '') + ' – ' + (d.procedure_name || '')],
    ['dossier.level', d.level ? t('level.' + d.level) : ''],
    ['dossier.applicant', a.name], ['dossier.id_number', a.id], ['dossier.phone', a.phone],
    ['dossier.address', d.address], ['dossier.email', d.email],
    ['dossier.channel', d.channel ? t('channel.' + d.channel) : ''],
    ['dossier.received_at', when(d.received_at)], ['dossier.due_at', when(d.due_at)],
    ['dossier.unit', d.unit_name || d.unit], ['dossier.holder', d.holder_unit],
    ['dossier.assigned', d.assigned_officer || d.assigned_login],
    ['dossier.overdue', d.overdue ? t('dossier.yes') : ''],
    ['dossier.returned_at', when(d.returned_at)], ['dossier.collected_by', d.collected_by],
    ['dossier.rating', d.rating ? t('rate.' + d.rating) : ''],
  ];
  const dl = $('#d-fields');
  dl.replaceChildren();
  for (const [k, v] of rows) if (v) dl.append(h('dt', { text: t(k) }), h('dd', { text: String(v) }));
  const ul = $('#d-components');
  const proc = (procedures || []).find((p) => p.code === d.procedure);
  const compName = (n) => ((proc && proc.components) || []).find((c) => c.ordinal === n);
  ul.replaceChildren(...(d.components_received || []).map((c) => {
    const pc = compName(c.ordinal);
    return h('li', { text: '☑ ' + c.ordinal + '. ' + ((pc && pc.name) || '') + ' – ' +
      t('form.' + (c.form === 'certified' ? 'certified_copy' : c.form)) + ' × ' + (c.count || 1) });
  }));
  if (d.missing_reason) ul.append(h('li', { class: 'warn', text: t('receive.missing_reason') + ': ' + d.missing_reason }));
}

// the slips by their form number as the forms write it: 01 .. 05
function slipUrl(code, n) {
  return '/api/dossiers/' + encodeURIComponent(code) + '/slips/' + String(n).padStart(2, '0') + '.pdf';
}

function actionName(a) { return (typeof a === 'string' ? a : a.name).replace(/-/g, '_'); }

function renderActions(d, actions) {
  const box = $('#d-actions');
  box.replaceChildren();
  for (const a of actions) {
    const act = typeof a === 'string' ? { name: a } : a;
    const name = actionName(act);
    const label = act.label || t('act.' + name);
    const btn = h('button', { type: 'button', class: 'action' + (act.irreversible ? ' danger' : ''), 'data-action': name, text: label });
    btn.addEventListener('click', () => (name === 'rate' ? go('#/rate/' + encodeURIComponent(d.code)) : actionDialog(d, act, name, label)));
    box.append(btn);
  }
  show($('#d-no-actions'), actions.length === 0);
}

function renderSlips(d, slips) {
  const box = $('#d-slips');
  box.replaceChildren();
  for (const s of slips) {
    const n = Number(typeof s === 'object' ? s.form : s);
    box.append(h('a', { class: 'btn slip', 'data-slip': String(n), target: '_blank', rel: 'noopener',
      href: slipUrl(d.code, n), text: t('slip.' + n) }));
  }
}

function renderFiles(d, files) {
  const ul = $('#d-files');
  ul.replaceChildren();
  for (const f of files) {
    const id = f.id !== undefined ? f.id : f.name;
    ul.append(h('li', {},
      h('a', { href: '/api/dossiers/' + encodeURIComponent(d.code) + '/files/' + encodeURIComponent(id), download: f.name || '', text: f.name || String(id) }),
      h('span', { class: 'muted', text: ' ' + [f.kind ? t('file.' + f.kind) : '', f.size ? sizeText(f.size) : '', when(f.added_at), f.added_by_unit].filter(Boolean).join(' · ') })));
  }
  if (!files.length) ul.append(h('li', { class: 'muted', text: t('dossier.no_files') }));
}

function renderHistory(steps) {
  const ol = $('#d-history');
  ol.replaceChildren();
  for (const s of steps) {
    const who = [s.officer, s.officer_title].filter(Boolean).join(', ');
    const where = s.from_unit && s.to_unit ? (s.from_unit_name || s.from_unit) + ' → ' + (s.to_unit_name || s.to_unit) : (s.unit_name || s.unit || '');
    ol.append(h('li', {},
      h('time', { text: when(s.at) }),
      h('b', { text: t('act.' + (s.action || '').replace(/-/g, '_')) }),
      s.status_after ? h('span', { class: 'chip', text: t('status.' + s.status_after) }) : null,
      h('span', { class: 'muted', text: [where, who].filter(Boolean).join(' · ') }),
      s.detail ? h('q', { text: s.detail }) : null));
  }
}

// The fields an action takes (POST .../action; the same options as the
// CLI's commands, client/lib/requests.c); result_file is uploaded first.
const ACTION_FIELDS = {
  assign: ['to_officer', 'department'], result: ['result_file'], refuse: ['reason'], stop: ['reason'],
  supplement_request: ['reason'], supplement: ['note'], fee_request: ['amount'], withdraw: ['reason'],
  reschedule: ['new_due', 'reason'], return: ['collected_by'], propose: ['note'],
};
const OPTIONAL = { withdraw: ['reason'], assign: ['department'] };

function fieldInput(name, d, action) {
  const id = 'act-' + name;
  let input;
  if (name === 'to_officer') {
    input = h('select', { id, required: true }, ...(candidates || []).map((o) => h('option', { value: o.login, text: (o.full_name || o.login) + (o.title ? ' – ' + o.title : '') })));
  } else if (name === 'reason') input = h('textarea', { id, rows: '2', required: true });
  else if (name === 'note') input = h('textarea', { id, rows: '2' });
  else if (name === 'amount') input = h('input', { id, type: 'number', min: '0', step: '1000', required: true });
  else if (name === 'new_due') input = h('input', { id, type: 'date', required: true });
  else if (name === 'collected_by') input = h('input', { id, required: true, value: (d.applicant && d.applicant.name) || '' });
  else if (name === 'result_file') input = h('input', { id, type: 'file', accept: 'application/pdf,image/jpeg,image/png,image/tiff' });
  else if (name === 'department') input = h('input', { id });
  if ((OPTIONAL[action] || []).includes(name)) input.required = false;
  return h('label', {}, h('span', { text: t('field.' + name) }), input);
}

async function actionDialog(d, act, name, label) {
  const dlg = $('#act-dialog');
  const fields = ACTION_FIELDS[name] || [];
  if (fields.includes('to_officer') && !candidates) await loadCandidates();
  $('#act-title').textContent = label + ' – ' + d.code;
  const confirmText = act.confirm || (act.irreversible ? t('dialog.irreversible') : '');
  $('#act-confirm').textContent = confirmText;
  show($('#act-confirm'), !!confirmText);
  $('#act-fields').replaceChildren(...fields.map((f) => fieldInput(f, d, name)));
  $('#act-ok').textContent = act.irreversible ? t('dialog.confirm') : label;
  showError($('#act-error'), '');
  dlg.dataset.action = name;
  dlg.showModal();
  const first = $('#act-fields input, #act-fields select, #act-fields textarea');
  (first || $('#act-ok')).focus();
  const key = idemKey();
  $('#act-form').onsubmit = async (ev) => {
    ev.preventDefault();
    const ok = $('#act-ok');
    ok.disabled = true;
    try {
      await runAction(d, name, fields, key);
      dlg.close();
      flash(t('action.done', { action: label, code: d.code }));
      openDossier(d.code);
    } catch (e) {
      showError($('#act-error'), e.message);
    } finally {
      ok.disabled = false;
    }
  };
}

async function runAction(d, name, fields, key) {
  const code = encodeURIComponent(d.code);
  if (name === 'forward') return api('POST', '/api/dossiers/' + code + '/forward', { idempotency_key: key });
  const body = { action: name, idempotency_key: key };
  for (const f of fields) {
    const el = $('#act-' + f);
    if (f === 'result_file') continue;
    if (el.required && !el.value.trim()) { el.focus(); throw new Error(t('field.required', { field: t('field.' + f) })); }
    if (el.value.trim()) body[f] = f === 'amount' ? Number(el.value) : el.value.trim();
  }
  const fileEl = $('#act-result_file');
  if (fileEl && fileEl.files && fileEl.files[0]) {
    const ok = await uploadOne(d.code, fileEl.files[0], 'result', $('#d-uploads'));
    if (!ok) throw new Error(t('upload.failed'));
  }
  return api('POST', '/api/dossiers/' + code + '/action', body);
}

/* ---- the citizen's rating ---------------------------------------------- */

function openRate(code) {
  $('#rate-code').textContent = code;
  show($('#rate-thanks'), false);
  showError($('#rate-error'), '');
  $('#rate-back').href = '#/dossier/' + encodeURIComponent(code);
  for (const b of $$('.rate-buttons button')) b.disabled = false;
  $('.rate-buttons .rate-3').focus();
}

async function onRate(ev) {
  const btn = ev.target.closest('button[data-rating]');
  if (!btn) return;
  const code = $('#rate-code').textContent;
  for (const b of $$('.rate-buttons button')) b.disabled = true;
  try {
    await api('POST', '/api/dossiers/' + encodeURIComponent(code) + '/action', { action: 'rate', rating: Number(btn.dataset.rating), idempotency_key: idemKey() });
    show($('#rate-thanks'), true);
  } catch (e) {
    showError($('#rate-error'), e.message);
    for (const b of $$('.rate-buttons button')) b.disabled = false;
  }
}

/* ---- start ------------------------------------------------------------- */

function wire() {
  $('#login-form').addEventListener('submit', onLogin);
  $('#passwd-form').addEventListener('submit', onPasswd);
  $('#logout').addEventListener('click', onLogout);
  $('#lang-switch').addEventListener('click', onLang);
  $('#search-form').addEventListener('submit', onSearch);
  document.addEventListener('keydown', onKey);
  window.addEventListener('hashchange', route);
  $('#proc-q').addEventListener('input', onProcInput);
  $('#proc-q').addEventListener('keydown', onProcKey);
  $('#a-id').addEventListener('input', onIdInput);
  $('#a-id').addEventListener('blur', () => validateField($('#a-id'), $('#a-id-msg'), (v) => ID_RE.test(v), 'receive.bad_id'));
  $('#a-phone').addEventListener('input', () => validateField($('#a-phone'), $('#a-phone-msg'), (v) => /^\+?\d*$/.test(v.replace(/[ .]/g, '')) && v.replace(/[ .]/g, '').length <= 12, 'receive.bad_phone'));
  $('#a-phone').addEventListener('blur', validateApplicant);
  $('#a-email').addEventListener('blur', validateApplicant);
  $('#receive-form').addEventListener('submit', onReceive);
  $('#recv-again').addEventListener('click', () => { resetReceive(); $('#proc-q').focus(); });
  dropZone($('#drop'), $('#scan-input'), (files) => { scans.push(...files); renderScans(); });
  dropZone($('#d-drop'), $('#d-file-input'), (files) => { if (current) uploadAll(current.code, files, 'scan', $('#d-uploads')).then(() => openDossier(current.code)); });
  $('#filters').addEventListener('submit', (ev) => { ev.preventDefault(); listNav(formToFilters()); });
  $('#filters-clear').addEventListener('click', () => listNav(new URLSearchParams()));
  $('#page-prev').addEventListener('click', () => {
    if (listQuery.has('after')) {  // back to the page before, or the first
      const q = new URLSearchParams(listBack.length ? listBack.pop() : listQuery);
      if (q.toString() === listQuery.toString()) { q.delete('after'); q.delete('at'); }  // none kept: the first page
      listNav(q);
      return;
    }
    const q = new URLSearchParams(listQuery); q.set('offset', String(Math.max(0, Number(q.get('offset') || 0) - PAGE))); listNav(q);
  });
  $('#page-next').addEventListener('click', () => {
    const q = new URLSearchParams(listQuery);
    if (listNext) {  // the cursor of the reply: no row twice, none skipped
      listBack.push(listQuery.toString());
      q.set('after', listNext); q.set('at', String(listTo)); q.delete('offset');
    } else {
      q.set('offset', String(Number(q.get('offset') || 0) + PAGE));
    }
    listNav(q);
  });
  for (const b of $$('button.sort')) {
    b.addEventListener('click', () => {
      const q = formToFilters();  // the filters on screen, applied or not yet
      q.set('sort', listQuery.get('sort') === b.dataset.sort ? '-' + b.dataset.sort : b.dataset.sort);
      q.delete('offset'); q.delete('after'); q.delete('at');
      listNav(q);
    });
  }
  $('.rate-buttons').addEventListener('click', onRate);
  $('#act-cancel').addEventListener('click', () => $('#act-dialog').close());
}

async function main() {
  wire();
  try {
    state = await (await fetch('/api/state', { credentials: 'same-origin' })).json();
    if (state && state.lang) lang = state.lang;
  } catch (e) { state = null; }
  await loadTexts();
  renderHeader();
  setInterval(refreshState, 15000);
  if (loggedIn()) { startEvents(); loadProcedures(); }
  route();
}

main();
