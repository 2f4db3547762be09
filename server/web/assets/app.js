// The keyledger web panel. Plain JavaScript, no framework and nothing
// fetched from elsewhere: it signs in, then uses the public /v1 API exactly
// as any other client would (session cookie, X-CSRF-Token on changes).
// Its own text comes from i18n.js, and what the server refuses is told in
// the server's words, from its table of error messages (/v1/messages).
// User-supplied text is only ever set with textContent or .value, never
// parsed as HTML.
import { initialLanguage, languages, translate } from './i18n.js';

const LANGUAGE_KEY = 'keyledger.language';

const state = {
  language: 'en',
  user: null, // signed-in user id, or null
  privilege: null,
  csrf: '',
  mustChangePassword: false, // signed in with a one-time password
  keys: [],
  users: [],
  cluster: null, // GET /v1/cluster's answer (admins)
  endpoint: '',
  docsUrl: '/docs',
  token: null, // {name, key} of the key just generated, until dismissed
  pendingDelete: null, // {key, trigger}
  pendingReset: null, // {user, trigger}: the user being given a one-time password
  serverMessages: {}, // language → {code: message}: the server's table, once loaded
};

const $ = (id) => document.getElementById(id);
const t = (key, values) => translate(state.language, key, values);

// ---------------------------------------------------------------- icons

// Small line icons (24×24), drawn with presentation attributes only, which
// the Content-Security-Policy allows (inline style attributes it does not).
const ICONS = {
  key: [['circle', { cx: 7.5, cy: 15.5, r: 5.5 }], ['path', { d: 'm21 2-9.6 9.6M15.5 7.5l3 3L22 7l-3-3' }]],
  signout: [['path', { d: 'M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9' }]],
  close: [['path', { d: 'M18 6 6 18M6 6l12 12' }]],
  external: [['path', { d: 'M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5' }]],
  copy: [['rect', { x: 9, y: 9, width: 12, height: 12, rx: 2 }], ['path', { d: 'M5 15H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1h10a1 1 0 0 1 1 1v1' }]],
  refresh: [['path', { d: 'M21 12a9 9 0 1 1-2.6-6.4L21 8M21 3v5h-5' }]],
  plus: [['path', { d: 'M12 5v14M5 12h14' }]],
  pencil: [['path', { d: 'M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4Z' }]],
  check: [['path', { d: 'M20 6 9 17l-5-5' }]],
  warning: [['path', { d: 'M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0ZM12 9v4M12 17h.01' }]],
  // The delete control: a red circle with a white bar.
  remove: [['circle', { cx: 12, cy: 12, r: 10, fill: 'currentColor', stroke: 'none' }], ['path', { d: 'M7.5 12h9', stroke: '#fff', 'stroke-width': 2.6 }]],
  danger: [['circle', { cx: 12, cy: 12, r: 10 }], ['path', { d: 'M12 7v6M12 16.5h.01' }]],
};

function icon(name) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  for (const [attr, value] of Object.entries({
    viewBox: '0 0 24 24', width: 18, height: 18, fill: 'none', stroke: 'currentColor',
    'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round',
    'aria-hidden': 'true', focusable: 'false', class: `icon icon-${name}`,
  })) svg.setAttribute(attr, value);
  for (const [tag, attrs] of ICONS[name] || []) {
    const shape = document.createElementNS(ns, tag);
    for (const [attr, value] of Object.entries(attrs)) shape.setAttribute(attr, value);
    svg.append(shape);
  }
  return svg;
}

// ---------------------------------------------------------------- DOM helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  node.append(...children);
  return node;
}

function iconButton(name, label, onClick, extraClass = '') {
  return el('button', { type: 'button', class: `icon-button ${extraClass}`, 'aria-label': label, title: label, onclick: onClick }, icon(name));
}

// A message for the page: one of the panel's strings (its key and values),
// or a refusal's code, shown in the words of the server's table for the
// page's language. A code the table lacks (or a table that could not be
// loaded) shows the text the server answered with, which is in the
// language the request asked for.
const message = (key, values) => ({ key, values });
const refusal = (code, text) => ({ code, text });
function renderMessage(shown) {
  if (shown.key) return t(shown.key, shown.values);
  return state.serverMessages[state.language]?.[shown.code] || shown.text || t('error.generic');
}

// Every message on screen, by the element that shows it. Kept as keys, not
// as rendered text, so a language switch renders them again.
const shownMessages = new Map();

function setMessage(node, shown) {
  if (shown) shownMessages.set(node, shown);
  else shownMessages.delete(node);
  node.textContent = shown ? renderMessage(shown) : '';
}

function renderMessages() {
  for (const [node, shown] of shownMessages) {
    if (node.isConnected) node.textContent = renderMessage(shown);
    else shownMessages.delete(node); // its row or form was drawn anew
  }
}

// Shows `shown` (a message) in `node`, or hides `node` when it is empty.
function showMessage(node, shown) {
  setMessage(node, shown);
  node.hidden = !shown;
}

let toastTimer = 0;
// A short confirmation (a message), visible and announced by screen
// readers.
function toast(shown) {
  const node = $('toast');
  setMessage(node, shown);
  node.classList.add('shown');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => node.classList.remove('shown'), 4000);
}

// Local time, in the person's time zone and language.
function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(state.language, { dateStyle: 'medium', timeStyle: 'medium' }).format(date);
}

function timeElement(iso) {
  return el('time', { datetime: iso, title: iso }, formatTime(iso));
}

// ---------------------------------------------------------------- the API

class ApiError extends Error {
  constructor(status, code, serverMessage, field) {
    super(code);
    this.status = status;
    this.code = code;
    this.serverMessage = serverMessage;
    this.field = field;
  }
}

// Calls the /v1 API; resolves with the JSON body (null for 204), rejects
// with an ApiError. A lost session sends the person back to sign-in.
async function api(method, path, body) {
  const headers = { Accept: 'application/json', 'Accept-Language': state.language };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
  let response;
  try {
    response = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  let data = null;
  if (response.status !== 204) data = await response.json().catch(() => null);
  if (response.ok) return data;
  const first = (data && Array.isArray(data.errors) && data.errors[0]) || {};
  const error = new ApiError(response.status, first.code || '', first.message || '',
                             first.context && first.context.field);
  const sessionLost = (response.status === 401 || error.code === 'csrf_token_invalid') &&
                      path !== '/v1/login' && path !== '/v1/session';
  if (sessionLost && state.user) signedOut(message('signin.expired'));
  // Given a one-time password since this page loaded: a new one first.
  if (error.code === 'password_change_required' && state.user && !state.mustChangePassword) {
    state.mustChangePassword = true;
    route(true);
  }
  throw error;
}

// The message that explains a failed call.
function errorMessage(error) {
  if (!(error instanceof ApiError)) return message('error.generic');
  if (error.code === 'network') return message('error.network');
  return refusal(error.code, error.serverMessage);
}

// The server's error messages in every language of the panel, so that a
// refusal on screen follows the language switch. Never fails: without a
// table, refusals show the server's own text.
async function loadServerMessages() {
  await Promise.all(languages.map(async (language) => {
    try {
      const response = await fetch(`/v1/messages?lang=${language}`, { headers: { Accept: 'application/json' } });
      if (response.ok) state.serverMessages[language] = (await response.json()).messages;
    } catch { /* refusals show the server's own text */ }
  }));
  renderMessages();
}

// ---------------------------------------------------------------- language

function storedLanguage() {
  try {
    return localStorage.getItem(LANGUAGE_KEY);
  } catch {
    return null; // storage disabled: the browser's language still applies
  }
}

function setLanguage(language, remember) {
  if (!languages.includes(language)) return;
  state.language = language;
  if (remember) {
    try {
      localStorage.setItem(LANGUAGE_KEY, language);
    } catch { /* not remembered, but still switched */ }
  }
  document.documentElement.lang = language;
  $('language').value = language;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll('[data-i18n-aria-label]'))
    node.setAttribute('aria-label', t(node.dataset.i18nAriaLabel));
  renderTitle();
  if (state.user) {
    renderHeader();
    renderCredentials();
    renderUsers();
    renderCluster();
  }
  if (state.pendingDelete) renderDeleteDialog();
  if (state.pendingReset) renderResetDialog();
  renderMessages();
}

function renderTitle() {
  const view = !state.user ? 'signin.title' : state.mustChangePassword ? 'password.title' : 'settings.title';
  document.title = `${t(view)} · ${t('app.title')}`;
}

// ---------------------------------------------------------------- views

function showView(name) {
  for (const view of ['boot', 'signin', 'password', 'settings']) $(`${view}-view`).hidden = view !== name;
  $('account').hidden = !state.user;
  renderTitle();
}

// Shows the signed-in person's page: User Settings, whose API Credentials
// come first, or, after signing in with a one-time password, the form to
// choose a new one (the server refuses everything else until then).
function route(focus) {
  if (!state.user) return;
  if (state.mustChangePassword) {
    showView('password');
    if (focus) $('password-current').focus();
    return;
  }
  showView('settings');
  loadCredentials();
  if (state.privilege === 'admin') {
    loadUsers();
    loadCluster();
  }
  if (focus) $('settings-title').focus();
}

function renderHeader() {
  const who = $('who');
  who.replaceChildren(
    el('span', { class: 'visually-hidden' }, t('nav.signed_in_as', { user: '' })),
    el('span', { class: 'who-name' }, state.user),
    el('span', { class: `badge privilege-${state.privilege}` }, t(`privilege.${state.privilege}`)));
  $('users').hidden = state.privilege !== 'admin';
  $('cluster').hidden = state.privilege !== 'admin';
}

function signedIn(session) {
  state.user = session.user;
  state.privilege = session.privilege;
  state.csrf = session.csrf_token || '';
  state.mustChangePassword = Boolean(session.password_change_required);
  // Password managers save a changed password for the user these name.
  for (const field of document.querySelectorAll('.signed-in-user')) field.value = state.user;
  renderHeader();
}

function signedOut(notice) {
  state.user = null;
  state.privilege = null;
  state.csrf = '';
  state.mustChangePassword = false;
  for (const field of document.querySelectorAll('.signed-in-user')) field.value = '';
  for (const prefix of ['password', 'own-password']) {
    for (const field of ['current', 'new', 'repeat']) $(`${prefix}-${field}`).value = '';
    showMessage($(`${prefix}-error`), null);
  }
  state.keys = [];
  state.users = [];
  state.cluster = null;
  state.token = null;
  state.pendingDelete = null;
  if ($('delete-dialog').open) $('delete-dialog').close();
  if ($('reset-dialog').open) $('reset-dialog').close();
  $('new-token-value').value = '';
  $('new-token').hidden = true;
  showView('signin');
  showMessage($('signin-notice'), notice);
  showMessage($('signin-error'), null);
  $('signin-password').value = '';
  $('signin-user').focus();
}

async function onSignIn(event) {
  event.preventDefault();
  const user = $('signin-user');
  const password = $('signin-password');
  const error = $('signin-error');
  for (const input of [user, password]) input.removeAttribute('aria-invalid');
  const missing = !user.value.trim() ? [user, 'error.missing_user'] : !password.value ? [password, 'error.missing_password'] : null;
  if (missing) {
    missing[0].setAttribute('aria-invalid', 'true');
    showMessage(error, message(missing[1]));
    missing[0].focus();
    return;
  }
  const submit = $('signin-submit');
  submit.disabled = true;
  submit.textContent = t('signin.busy');
  try {
    const session = await api('POST', '/v1/login', { user: user.value.trim(), password: password.value });
    password.value = '';
    showMessage(error, null);
    showMessage($('signin-notice'), null);
    signedIn(session);
    route(true);
  } catch (failure) {
    const wrong = failure instanceof ApiError && failure.code === 'invalid_credentials';
    showMessage(error, wrong ? refusal('invalid_sign_in', failure.serverMessage) : errorMessage(failure));
    password.setAttribute('aria-invalid', 'true');
    password.select();
    password.focus();
  } finally {
    submit.disabled = false;
    submit.textContent = t('signin.submit');
  }
}

// The two password forms: the one a one-time password (the first admin's,
// or one an administrator gave) leads to before anything else, and the one
// in User Settings. `prefix` names their fields; `done` runs once saved.
function passwordForm(prefix, done) {
  return (event) => changePassword(event, prefix, done);
}

async function changePassword(event, prefix, done) {
  event.preventDefault();
  const current = $(`${prefix}-current`);
  const next = $(`${prefix}-new`);
  const repeat = $(`${prefix}-repeat`);
  const error = $(`${prefix}-error`);
  for (const input of [current, next, repeat]) input.removeAttribute('aria-invalid');
  const problem = !current.value ? [current, 'password.missing_current']
    : !next.value ? [next, 'password.missing_new']
    : next.value !== repeat.value ? [repeat, 'password.mismatch'] : null;
  if (problem) {
    problem[0].setAttribute('aria-invalid', 'true');
    showMessage(error, message(problem[1]));
    problem[0].focus();
    return;
  }
  const submit = $(`${prefix}-submit`);
  submit.disabled = true;
  try {
    await api('POST', '/v1/password', { current_password: current.value, new_password: next.value });
    for (const input of [current, next, repeat]) input.value = '';
    showMessage(error, null);
    toast(message('password.done'));
    done();
  } catch (failure) {
    const field = failure instanceof ApiError && failure.field === 'current_password' ? current : next;
    field.setAttribute('aria-invalid', 'true');
    showMessage(error, errorMessage(failure));
    field.focus();
  } finally {
    submit.disabled = false;
  }
}

async function onSignOut() {
  try {
    await api('POST', '/v1/logout');
  } catch { /* signed out here either way */ }
  history.replaceState(null, '', location.pathname);
  signedOut(null);
}

// ---------------------------------------------------------------- API credentials

async function loadCredentials() {
  const error = $('keys-error');
  $('refresh-keys').disabled = true;
  try {
    const credentials = await api('GET', '/v1/credentials');
    state.endpoint = credentials.api_endpoint;
    state.docsUrl = credentials.docs_url || '/docs';
    state.keys = credentials.keys;
    showMessage(error, null);
    renderCredentials();
  } catch (failure) {
    if (state.user) showMessage(error, errorMessage(failure));
  } finally {
    $('refresh-keys').disabled = false;
  }
}

// The API documentation in the panel's language (the server has it in
// English and Spanish; ?lang= chooses).
function docsHref() {
  const url = new URL(state.docsUrl, window.location.href);
  url.searchParams.set('lang', state.language);
  return url.toString();
}

function renderCredentials() {
  $('endpoint').value = state.endpoint;
  $('docs-link').href = docsHref();
  if (state.token) $('new-token-title').textContent = t('generate.done_title', { name: state.token.name });
  renderKeys();
}

// A data table's columns, in order: the message key of each column's label
// and the class of its cells. A table's header and each of its rows are
// made from one list, so they cannot drift apart.
const KEY_COLUMNS = [
  ['keys.name', 'key-name'], ['keys.last_ip', 'key-ip'], ['keys.last_used', 'key-used'],
  ['keys.created', 'key-created'], ['keys.actions', 'actions']];
const USER_COLUMNS = [
  ['users.user', 'user-name'], ['users.privilege', 'user-privilege'], ['users.status', 'user-status'],
  ['users.created', 'user-created'], ['users.actions', 'actions']];

// Explicit roles: the narrow layout turns rows into cards with CSS, which
// would otherwise drop the table semantics. There each cell shows its
// column's label beside it (data-label).
function headerRow(columns) {
  return el('tr', { role: 'row' }, ...columns.map(([label, className]) =>
    el('th', { role: 'columnheader', scope: 'col', class: className === 'actions' ? 'actions' : null }, t(label))));
}

// A row of `columns`: `contents[i]` (a node, a string, or a list of them)
// goes in column i.
function tableRow(columns, attributes, contents) {
  return el('tr', { role: 'row', ...attributes }, ...columns.map(([label, className], i) =>
    el('td', { role: 'cell', class: className, 'data-label': t(label) }, ...[contents[i]].flat())));
}

function renderKeys() {
  const keys = state.keys;
  $('keys-head').replaceChildren(headerRow(KEY_COLUMNS));
  $('keys-count').textContent = keys.length === 1 ? t('credentials.count_one') : t('credentials.count', { count: keys.length });
  $('keys-table').hidden = keys.length === 0;
  $('keys-empty').hidden = keys.length !== 0;
  $('keys-body').replaceChildren(...keys.map(keyRow));
}

function keyRow(key) {
  const lastIp = key.last_used_ip
    ? el('span', { class: 'mono' }, ...breakableAddress(key.last_used_ip))
    : el('span', { class: 'muted' }, el('span', { 'aria-hidden': 'true' }, t('keys.no_ip')),
         el('span', { class: 'visually-hidden' }, t('keys.never_used')));
  const lastUsed = key.last_used_at ? timeElement(key.last_used_at) : el('span', { class: 'muted' }, t('keys.never_used'));
  return tableRow(KEY_COLUMNS, { 'data-key-id': key.id }, [
    nameView(key), lastIp, lastUsed, timeElement(key.created_at),
    iconButton('remove', t('keys.delete', { name: key.name }), (event) => askDelete(key, event.currentTarget), 'delete')]);
}

// An IP address with a line-break opportunity after each colon: an IPv6
// address may wrap in a narrow column, an IPv4 one never does.
function breakableAddress(address) {
  return address.split(':').flatMap((part, i) => (i === 0 ? [part] : [':', el('wbr'), part]));
}

function nameView(key) {
  return el('div', { class: 'name-view' },
    el('span', { class: 'name-text' }, key.name),
    iconButton('pencil', t('keys.rename', { name: key.name }), (event) => startRename(key, event.currentTarget)));
}

// Rename in place: the name becomes a field; Enter saves, Escape cancels,
// errors stay next to the field until fixed or cancelled.
function startRename(key, trigger) {
  const cell = trigger.closest('td');
  const id = `rename-${key.id}`;
  const input = el('input', {
    type: 'text', class: 'rename-input', value: key.name, autocomplete: 'off', maxlength: 200,
    'aria-label': t('keys.new_name', { name: key.name }), 'aria-describedby': `${id}-hint ${id}-error`,
  });
  const error = el('p', { class: 'error', id: `${id}-error`, role: 'alert', hidden: true });
  const cancel = () => {
    cell.replaceChildren(nameView(key));
    cell.querySelector('button').focus();
  };
  const save = async () => {
    if (input.value === key.name) return cancel();
    input.setAttribute('aria-busy', 'true');
    try {
      const renamed = await api('PATCH', `/v1/keys/${encodeURIComponent(key.id)}`, { name: input.value });
      key.name = renamed.name;
      cancel();
      cell.closest('tr').querySelector('.delete').setAttribute('aria-label', t('keys.delete', { name: key.name }));
      toast(message('keys.renamed', { name: key.name }));
    } catch (failure) {
      input.setAttribute('aria-invalid', 'true');
      showMessage(error, errorMessage(failure));
      input.focus();
    } finally {
      input.removeAttribute('aria-busy');
    }
  };
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      save();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      cancel();
    }
  });
  cell.replaceChildren(el('div', { class: 'rename' },
    el('div', { class: 'rename-row' }, input,
       iconButton('check', t('keys.save'), save, 'confirm'),
       iconButton('close', t('keys.cancel'), cancel)),
    el('p', { class: 'hint', id: `${id}-hint` }, t('keys.rename_hint')),
    error));
  input.focus();
  input.select();
}

function askDelete(key, trigger) {
  state.pendingDelete = { key, trigger };
  renderDeleteDialog();
  showMessage($('delete-error'), null);
  $('delete-confirm').disabled = false;
  $('delete-dialog').showModal();
  // The safe choice has focus: Enter on an unexpected dialog deletes nothing.
  $('delete-cancel').focus();
}

function renderDeleteDialog() {
  $('delete-body').textContent = t('delete.body', { name: state.pendingDelete.key.name });
}

async function confirmDelete() {
  const pending = state.pendingDelete;
  if (!pending) return;
  $('delete-confirm').disabled = true;
  try {
    await api('DELETE', `/v1/keys/${encodeURIComponent(pending.key.id)}`);
  } catch (failure) {
    // Already gone (deleted elsewhere): the list should say so too.
    if (!(failure instanceof ApiError && failure.code === 'key_not_found')) {
      $('delete-confirm').disabled = false;
      showMessage($('delete-error'), errorMessage(failure));
      return;
    }
  }
  const index = state.keys.indexOf(pending.key);
  state.keys = state.keys.filter((key) => key !== pending.key);
  state.pendingDelete = null;
  $('delete-dialog').close();
  renderKeys();
  // Focus goes to the next key's delete button, or to the list's heading.
  const buttons = $('keys-body').querySelectorAll('.delete');
  (buttons[Math.min(index, buttons.length - 1)] || $('keys-title')).focus();
  toast(message('keys.deleted', { name: pending.key.name }));
}

function onDeleteDialogClosed() {
  const pending = state.pendingDelete;
  state.pendingDelete = null;
  if (pending && pending.trigger.isConnected) pending.trigger.focus();
}

async function onGenerate(event) {
  event.preventDefault();
  const input = $('generate-name');
  const error = $('generate-error');
  input.removeAttribute('aria-invalid');
  if (!input.value.trim()) {
    input.setAttribute('aria-invalid', 'true');
    showMessage(error, message('error.missing_name'));
    input.focus();
    return;
  }
  const submit = $('generate-submit');
  submit.disabled = true;
  try {
    const created = await api('POST', '/v1/keys', { name: input.value });
    showMessage(error, null);
    input.value = '';
    state.keys.push({ id: created.id, name: created.name, created_at: created.created_at, last_used_ip: null, last_used_at: null });
    renderKeys();
    showToken(created);
  } catch (failure) {
    input.setAttribute('aria-invalid', 'true');
    showMessage(error, errorMessage(failure));
    input.focus();
  } finally {
    submit.disabled = false;
  }
}

// The secret is shown once: it lives in this box until dismissed, and
// nowhere else in the page.
function showToken(created) {
  state.token = { name: created.name };
  $('new-token-title').textContent = t('generate.done_title', { name: created.name });
  $('new-token-value').value = created.key;
  $('new-token').hidden = false;
  $('new-token-value').focus();
  $('new-token-value').select();
}

function dismissToken() {
  state.token = null;
  $('new-token-value').value = '';
  $('new-token').hidden = true;
  $('generate-name').focus();
}

// Clipboard API where the page is a secure context (https, or loopback);
// otherwise the older select-and-copy, which works over plain http.
async function copyFrom(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    toast(message('copy.copied'));
  } catch {
    input.focus();
    input.select();
    let copied = false;
    try {
      copied = document.execCommand('copy');
    } catch { /* copied stays false */ }
    toast(message(copied ? 'copy.copied' : 'copy.failed'));
  }
}

// ---------------------------------------------------------------- the cluster (admins)

const CLUSTER_COLUMNS = [
  ['cluster.node', 'cluster-node'], ['cluster.applied', 'cluster-applied'], ['cluster.lag', 'cluster-lag'],
  ['cluster.heard', 'cluster-heard']];

async function loadCluster() {
  try {
    state.cluster = await api('GET', '/v1/cluster');
    showMessage($('cluster-error'), null);
    renderCluster();
  } catch (failure) {
    if (state.user) showMessage($('cluster-error'), errorMessage(failure));
  }
}

function renderCluster() {
  if (state.privilege !== 'admin' || !state.cluster) return;
  const cluster = state.cluster;
  const followers = cluster.followers || [];
  const published = cluster.published_seq === null ? t('cluster.unpublished') : String(cluster.published_seq);
  $('cluster-summary').textContent = followers.length
    ? t('cluster.summary', { head: cluster.head_seq, published })
    : t('cluster.none', { head: cluster.head_seq });
  $('cluster-head').replaceChildren(headerRow(CLUSTER_COLUMNS));
  $('cluster-body').replaceChildren(...followers.map((follower) => tableRow(CLUSTER_COLUMNS,
    { 'data-node': follower.node }, [
      el('span', { class: 'name-text' }, follower.node),
      String(follower.applied_seq),
      String(follower.lag),
      t('cluster.seconds_ago', { seconds: Math.round(follower.seconds_since_heard) })])));
  $('cluster-table').hidden = followers.length === 0;
}

// ---------------------------------------------------------------- users (admins)

async function loadUsers() {
  try {
    state.users = (await api('GET', '/v1/users')).users;
    showMessage($('users-error'), null);
    renderUsers();
  } catch (failure) {
    if (state.user) showMessage($('users-error'), errorMessage(failure));
  }
}

function renderUsers() {
  if (state.privilege !== 'admin') return;
  const users = [...state.users].sort((a, b) => (a.created_at || '').localeCompare(b.created_at || '') ||
                                              a.user.localeCompare(b.user));
  $('users-head').replaceChildren(headerRow(USER_COLUMNS));
  $('users-body').replaceChildren(...users.map(userRow));
}

function userRow(user) {
  const self = user.user === state.user;
  const privilege = el('select', {
    'aria-label': t('users.privilege_of', { user: user.user }), disabled: self,
    onchange: (event) => updateUser(user, { privilege: event.currentTarget.value }),
  }, ...['user', 'auditor', 'admin'].map((name) =>
    el('option', { value: name, selected: name === user.privilege }, t(`privilege.${name}`))));
  const status = user.disabled ? ['disabled', 'users.disabled'] : user.locked ? ['locked', 'users.locked'] : ['active', 'users.active'];
  const actions = [];
  if (!self) {
    const verb = user.disabled ? 'enable' : 'disable';
    actions.push(el('button', {
      type: 'button', class: `button small ${user.disabled ? 'secondary' : 'danger-outline'}`,
      'aria-label': t(`users.${verb}_label`, { user: user.user }),
      onclick: () => updateUser(user, { disabled: !user.disabled }),
    }, t(`users.${verb}`)));
    if (user.locked) {
      actions.push(el('button', {
        type: 'button', class: 'button small secondary', 'aria-label': t('users.unlock_label', { user: user.user }),
        onclick: () => updateUser(user, { locked: false }),
      }, t('users.unlock')));
    }
    actions.push(el('button', {
      type: 'button', class: 'button small secondary reset', 'aria-label': t('users.reset_label', { user: user.user }),
      onclick: (event) => askReset(user, event.currentTarget),
    }, t('users.reset')));
  }
  return tableRow(USER_COLUMNS, { 'data-user': user.user }, [
    [el('span', { class: 'name-text' }, user.user), self ? el('span', { class: 'muted' }, ` ${t('users.you')}`) : ''],
    privilege,
    el('span', { class: `badge status-${status[0]}` }, t(status[1])),
    user.created_at ? timeElement(user.created_at) : '',
    el('div', { class: 'action-row' }, ...actions)]);
}

async function updateUser(user, change) {
  const error = $('users-error');
  try {
    const updated = await api('PATCH', `/v1/users/${encodeURIComponent(user.user)}`, change);
    Object.assign(user, updated);
    showMessage(error, null);
    toast(message('users.updated', { user: user.user }));
  } catch (failure) {
    showMessage(error, errorMessage(failure));
  }
  // Re-render either way: a failed change must not leave the control
  // showing a value the server refused. Keyboard focus stays in the row,
  // on the same kind of control.
  const focused = document.activeElement;
  const row = focused && focused.closest('#users-body tr');
  renderUsers();
  if (row) {
    const again = $('users-body').querySelector(`tr[data-user="${CSS.escape(row.dataset.user)}"] ${focused.tagName.toLowerCase()}`);
    (again || $('users-title')).focus();
  }
}

// A one-time password for a user who cannot sign in (forgotten, or locked
// by failed attempts): they choose their own at the next sign-in.
function askReset(user, trigger) {
  state.pendingReset = { user, trigger };
  renderResetDialog();
  $('reset-password').value = '';
  $('reset-password').removeAttribute('aria-invalid');
  showMessage($('reset-error'), null);
  $('reset-confirm').disabled = false;
  $('reset-dialog').showModal();
  $('reset-password').focus();
}

function renderResetDialog() {
  const user = state.pendingReset.user.user;
  $('reset-title').textContent = t('reset.title', { user });
  $('reset-body').textContent = t('reset.body', { user });
}

async function onReset(event) {
  event.preventDefault();
  const pending = state.pendingReset;
  if (!pending) return;
  const input = $('reset-password');
  if (!input.value) {
    input.setAttribute('aria-invalid', 'true');
    showMessage($('reset-error'), message('password.missing_new'));
    input.focus();
    return;
  }
  $('reset-confirm').disabled = true;
  try {
    const updated = await api('PATCH', `/v1/users/${encodeURIComponent(pending.user.user)}`, { password: input.value });
    Object.assign(pending.user, updated);
  } catch (failure) {
    $('reset-confirm').disabled = false;
    input.setAttribute('aria-invalid', 'true');
    showMessage($('reset-error'), errorMessage(failure));
    input.focus();
    return;
  }
  input.value = '';
  $('reset-dialog').close();
  renderUsers();
  toast(message('users.reset_done', { user: pending.user.user }));
}

function onResetDialogClosed() {
  const pending = state.pendingReset;
  state.pendingReset = null;
  $('reset-password').value = '';
  // Back to the row's button (rendered anew when the password was set).
  const row = pending && $('users-body').querySelector(`tr[data-user="${CSS.escape(pending.user.user)}"] .reset`);
  if (row) row.focus();
}

async function onAddUser(event) {
  event.preventDefault();
  const fields = { user: $('new-user'), password: $('new-password'), privilege: $('new-privilege') };
  const error = $('add-user-error');
  for (const input of Object.values(fields)) input.removeAttribute('aria-invalid');
  const submit = $('add-user-submit');
  submit.disabled = true;
  try {
    const created = await api('POST', '/v1/users', {
      user: fields.user.value.trim(), password: fields.password.value, privilege: fields.privilege.value,
    });
    state.users.push(created);
    renderUsers();
    showMessage(error, null);
    fields.user.value = '';
    fields.password.value = '';
    fields.privilege.value = 'user';
    toast(message('users.added', { user: created.user }));
    fields.user.focus();
  } catch (failure) {
    showMessage(error, errorMessage(failure));
    const field = fields[failure.field] || fields.user;
    field.setAttribute('aria-invalid', 'true');
    field.focus();
  } finally {
    submit.disabled = false;
  }
}

// ---------------------------------------------------------------- start

function wire() {
  for (const node of document.querySelectorAll('[data-icon]')) node.replaceChildren(icon(node.dataset.icon));
  $('language').addEventListener('change', (event) => setLanguage(event.currentTarget.value, true));
  $('signin-form').addEventListener('submit', onSignIn);
  $('password-form').addEventListener('submit', passwordForm('password', () => {
    state.mustChangePassword = false;
    route(true);
  }));
  $('own-password-form').addEventListener('submit', passwordForm('own-password', () => {}));
  $('signout-button').addEventListener('click', onSignOut);
  $('copy-endpoint').addEventListener('click', () => copyFrom($('endpoint')));
  $('copy-token').addEventListener('click', () => copyFrom($('new-token-value')));
  $('new-token-dismiss').addEventListener('click', dismissToken);
  $('refresh-keys').addEventListener('click', loadCredentials);
  $('generate-form').addEventListener('submit', onGenerate);
  $('add-user-form').addEventListener('submit', onAddUser);
  $('delete-cancel').addEventListener('click', () => $('delete-dialog').close());
  $('delete-confirm').addEventListener('click', confirmDelete);
  $('delete-dialog').addEventListener('close', onDeleteDialogClosed);
  $('reset-form').addEventListener('submit', onReset);
  $('reset-cancel').addEventListener('click', () => $('reset-dialog').close());
  $('reset-dialog').addEventListener('close', onResetDialogClosed);
}

async function start() {
  wire();
  setLanguage(initialLanguage(storedLanguage(), navigator.languages), false);
  document.documentElement.classList.add('localized');
  const messagesLoaded = loadServerMessages();
  try {
    signedIn(await api('GET', '/v1/session'));
    route(false);
  } catch {
    signedOut(null);
  }
  await messagesLoaded;
  document.body.classList.add('ready'); // for tests: the first view is settled
}

start();
