// The web panel in a real browser: Debian's chromium, driven by
// playwright-core, against a real keyledgerd on loopback (run.sh starts it
// and sets KEYLEDGER_URL). What a person does is what is tested: sign in
// and land on User Settings, generate a key and read its token off the
// page, use it from another client, see that client's IP and the time of
// use, rename the key in place, delete it through the confirmation dialog;
// then the key answers 401 "invalid credentials". The same in Spanish, the
// language switch (messages already shown included), sign-in errors, the
// keyboard alone, the administrators' Users section, the forced change of a
// one-time password, password forms a password manager understands, and a
// layout that holds in every state at every width from 320 to 1920 px.
//
// Expected strings are written out here rather than read from i18n.js, so a
// wrong or missing translation fails the test.
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';

const BASE = process.env.KEYLEDGER_URL; // e.g. http://127.0.0.1:40123
const ADMIN_PASSWORD = process.env.KEYLEDGER_ADMIN_PASSWORD;
const SCREENSHOTS = process.env.KEYLEDGER_SCREENSHOT_DIR || '';
assert.ok(BASE && ADMIN_PASSWORD, 'run this through tests/browser/run.sh');

// The "application" that uses a key connects from another loopback
// address than the browser (127.0.0.1), so the list provably shows the
// address of the key's last client, not of whoever looks at the list.
const CLIENT_IP = '127.0.0.2';
// Half-hour offset: a time shown in UTC, or in the server's zone, cannot
// pass for the local time.
const TIME_ZONE = 'Asia/Kolkata';
const TIME_ZONE_OFFSET_MINUTES = 330;
const WIDE = { width: 1280, height: 860 };
const NARROW = { width: 390, height: 844 };
const TIMEOUT = 10_000;

const EN = {
  lang: 'en',
  locale: 'en-US',
  signInTitle: 'Sign in',
  user: 'User',
  password: 'Password',
  signIn: 'Sign in',
  wrongSignIn: 'Wrong user or password.',
  missingUser: 'Enter your user name.',
  settings: 'User Settings',
  signOut: 'Sign out',
  credentials: 'API Credentials',
  docsLink: 'Read the API documentation (opens in a new tab)',
  docsParameters: 'Parameters',
  docsVerify: 'Verify a presented key',
  endpoint: 'API endpoint',
  copyEndpoint: 'Copy the API endpoint',
  keysTitle: 'Your API keys',
  empty: 'You have no API keys yet.',
  refresh: 'Refresh',
  keyName: 'Key name',
  generate: 'Generate key',
  nameEmpty: 'Enter a name.',
  // The server's refusal of an empty name (server/http/i18n.cc).
  serverNameEmpty: 'The name is empty.',
  newKeyTitle: (name) => `Your new API key “${name}”`,
  token: 'API key',
  copyToken: 'Copy the API key',
  warning: 'It will not be shown again',
  dismiss: 'I have copied it',
  copied: 'Copied to the clipboard.',
  neverUsed: 'never used',
  rename: (name) => `Rename key “${name}”`,
  newName: (name) => `New name for key “${name}”`,
  renameHint: 'Enter saves, Escape cancels.',
  del: (name) => `Delete key “${name}”`,
  dialogTitle: 'Delete this API key?',
  dialogBody: (name) => `The key “${name}” stops working at once`,
  confirm: 'Delete',
  cancel: 'Cancel',
  deleted: (name) => `Key “${name}” deleted.`,
  invalidCredentials: 'The credentials are invalid.',
  language: 'Language',
  keyColumns: ['Name', 'Last used from', 'Last used', 'Created', 'Actions'],
};

const ES = {
  lang: 'es',
  locale: 'es-ES',
  signInTitle: 'Iniciar sesión',
  user: 'Usuario',
  password: 'Contraseña',
  signIn: 'Iniciar sesión',
  wrongSignIn: 'Usuario o contraseña incorrectos.',
  missingUser: 'Escriba su nombre de usuario.',
  settings: 'Configuración de usuario',
  signOut: 'Cerrar sesión',
  credentials: 'Credenciales de API',
  docsLink: 'Leer la documentación de la API (se abre en una pestaña nueva)',
  docsParameters: 'Parámetros',
  docsVerify: 'Verificar una clave presentada',
  endpoint: 'Punto de acceso de la API',
  copyEndpoint: 'Copiar el punto de acceso de la API',
  keysTitle: 'Sus claves de API',
  empty: 'Todavía no tiene claves de API.',
  refresh: 'Actualizar',
  keyName: 'Nombre de la clave',
  generate: 'Generar clave',
  nameEmpty: 'Escriba un nombre.',
  serverNameEmpty: 'El nombre está vacío.',
  newKeyTitle: (name) => `Su nueva clave de API «${name}»`,
  token: 'Clave de API',
  copyToken: 'Copiar la clave de API',
  warning: 'No se volverá a mostrar',
  dismiss: 'Ya la he copiado',
  copied: 'Copiado al portapapeles.',
  neverUsed: 'nunca usada',
  rename: (name) => `Cambiar el nombre de la clave «${name}»`,
  newName: (name) => `Nuevo nombre de la clave «${name}»`,
  renameHint: 'Intro guarda, Escape cancela.',
  del: (name) => `Eliminar la clave «${name}»`,
  dialogTitle: '¿Eliminar esta clave de API?',
  dialogBody: (name) => `La clave «${name}» deja de funcionar de inmediato`,
  confirm: 'Eliminar',
  cancel: 'Cancelar',
  deleted: (name) => `Clave «${name}» eliminada.`,
  invalidCredentials: 'Las credenciales no son válidas.',
  language: 'Idioma',
  keyColumns: ['Nombre', 'Último uso desde', 'Último uso', 'Creada', 'Acciones'],
};

let browser;

before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.KEYLEDGER_CHROMIUM || '/usr/bin/chromium',
    // playwright-core never downloads a browser, and launches this one with
    // a fresh temporary profile (its own --user-data-dir) every time.
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    timeout: 60_000,
  });
});

after(async () => {
  await browser?.close();
});

// ------------------------------------------------------------ HTTP client

// One request from `localAddress`, on its own connection.
function call(method, target, { headers = {}, body, localAddress = CLIENT_IP } = {}) {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const allHeaders = { ...headers };
  if (data !== undefined) {
    allHeaders['Content-Type'] = 'application/json';
    allHeaders['Content-Length'] = Buffer.byteLength(data);
  }
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(target, BASE), { method, headers: allHeaders, localAddress, agent: false },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => { text += chunk; });
        response.on('end', () => {
          let json = null;
          try { json = JSON.parse(text); } catch { /* not JSON */ }
          resolve({ status: response.statusCode, headers: response.headers, json, text });
        });
      });
    request.on('error', reject);
    request.end(data);
  });
}

// An API session (cookie + CSRF token) for setting things up.
async function apiSession(user, password) {
  const login = await call('POST', '/v1/login', { body: { user, password }, localAddress: '127.0.0.1' });
  assert.equal(login.status, 200, login.text);
  const cookie = String(login.headers['set-cookie']).split(';')[0];
  const headers = { Cookie: cookie, 'X-CSRF-Token': login.json.csrf_token };
  return (method, target, body) => call(method, target, { headers, body, localAddress: '127.0.0.1' });
}

async function createUser(user, password, privilege = 'user') {
  const admin = await apiSession('admin', ADMIN_PASSWORD);
  const created = await admin('POST', '/v1/users', { user, password, privilege });
  assert.equal(created.status, 201, created.text);
}

// ------------------------------------------------------------ browser helpers

// Polls `probe` until it returns a truthy value; fails with `describe()`.
async function eventually(probe, describe) {
  const deadline = Date.now() + TIMEOUT;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(await describe());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function expectText(locator, expected) {
  await eventually(async () => ((await locator.textContent()) || '').includes(expected),
    async () => `expected "${expected}" in "${await locator.textContent()}"`);
}

async function expectVisible(locator) {
  await locator.waitFor({ state: 'visible', timeout: TIMEOUT });
}

async function expectGone(locator) {
  await locator.waitFor({ state: 'hidden', timeout: TIMEOUT });
}

// A fresh browser context (its own cookies and storage) on the panel.
// Records anything that should never happen: a script error, a console
// error (a Content-Security-Policy violation is one), a request that leaves
// the server.
async function openPanel(language = EN, viewport = WIDE) {
  const context = await browser.newContext({
    baseURL: BASE, locale: language.locale, timezoneId: TIME_ZONE, viewport,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });
  context.setDefaultTimeout(TIMEOUT);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // Refused calls (401 before signing in, 400 for a bad name, …) are
    // logged by the browser itself; they are part of the flows tested.
    const expected = /Failed to load resource: the server responded with a status of 4(00|01|09)/;
    if (message.type() === 'error' && !expected.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.origin !== BASE) problems.push(`request outside the server: ${url}`);
  });
  await page.goto('/');
  await page.waitForSelector('body.ready');
  const close = async () => {
    await context.close();
    assert.deepEqual(problems, []);
  };
  return { context, page, close };
}

async function signIn(page, L, user, password) {
  await page.getByLabel(L.user, { exact: true }).fill(user);
  await page.getByLabel(L.password, { exact: true }).fill(password);
  await page.getByRole('button', { name: L.signIn, exact: true }).click();
}

// Signing in lands on User Settings, API Credentials first, with the focus
// on the page's heading (a screen reader says where the person is). There
// is nothing else to open: no welcome card, no menu button.
async function expectLanding(page, L) {
  const heading = page.getByRole('heading', { name: L.settings, exact: true, level: 1 });
  await expectVisible(heading);
  await expectVisible(page.getByRole('region', { name: L.credentials }));
  assert.ok(await heading.evaluate((node) => node === document.activeElement), 'the heading has the focus');
  assert.equal(await page.title(), `${L.settings} · keyledger`);
  assert.equal(await page.getByRole('button', { name: L.settings }).count(), 0);
}

function keyRow(page, name) {
  return page.locator('#keys-body tr').filter({ has: page.getByText(name, { exact: true }) });
}

async function hideToast(page) {
  await page.evaluate(() => document.getElementById('toast').classList.remove('shown'));
}

// Saves docs/screenshots/NAME.png when KEYLEDGER_SCREENSHOTS=1.
async function screenshot(page, name, fullPage = true) {
  if (!SCREENSHOTS) return;
  await hideToast(page);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage, animations: 'disabled' });
}

// What sticks out sideways in the page as shown: the page wider than the
// window (it would scroll sideways), any visible element with an edge
// outside the window (a sign-out button cut off), and anything cut off
// inside a box that hides its overflow (which the page's width alone does
// not show). Text shortened on purpose with an ellipsis, text hidden for
// all but screen readers, and text scrolling inside a form field are fine.
// Empty when the layout holds.
async function layoutProblems(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const problems = [];
    if (root.scrollWidth > window.innerWidth) problems.push(`the page is ${root.scrollWidth}px wide`);
    const name = (node) => {
      const text = (node.getAttribute('aria-label') || node.textContent || '').trim().replace(/\s+/g, ' ');
      return `${node.tagName.toLowerCase()}${node.id ? `#${node.id}` : ''}${[...node.classList].map((c) => `.${c}`).join('')}` +
             (text ? ` "${text.slice(0, 40)}"` : '');
    };
    const hiddenOnPurpose = (node) => {
      for (let at = node; at; at = at.parentElement) if (getComputedStyle(at).clip !== 'auto') return true;
      return false;
    };
    // Each problem once, for the outermost element that has it.
    const outside = [];
    for (const node of document.body.querySelectorAll('*')) {
      if (!node.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true }) || hiddenOnPurpose(node)) continue;
      const box = node.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      if ((box.left < -0.5 || box.right > root.clientWidth + 0.5) && !outside.some((at) => at.contains(node))) {
        outside.push(node);
        problems.push(`${name(node)} spans ${Math.round(box.left)}..${Math.round(box.right)}px`);
      }
      const style = getComputedStyle(node);
      if (style.overflowX !== 'visible' && style.textOverflow !== 'ellipsis' && !node.matches('input, textarea, select') &&
          node.scrollWidth > node.clientWidth + 1)
        problems.push(`${name(node)} cuts off ${node.scrollWidth - node.clientWidth}px of its content`);
    }
    return problems;
  });
}

async function assertLayoutHolds(page, what) {
  const problems = await layoutProblems(page);
  assert.deepEqual(problems, [], `${what}: the layout does not hold:\n${problems.join('\n')}`);
}

// The controls a person can see, by id (or class), in document order.
async function visibleControls(page) {
  return page.evaluate(() => [...document.querySelectorAll('a[href], button, input, select, textarea')]
    .filter((node) => node.checkVisibility({ checkVisibilityCSS: true }))
    .map((node) => node.id || node.className));
}

// The inputs of a password form, by their autocomplete, with the user a
// username field names: a password manager saves a new password only for
// a user it can tell, and must know which password is which.
async function passwordFields(page, formId) {
  return page.evaluate((id) => [...document.getElementById(id).querySelectorAll('input')].map((input) =>
    (input.autocomplete === 'username' ? `username=${input.value}` : input.autocomplete)), formId);
}

async function clipboard(page) {
  return page.evaluate(() => navigator.clipboard.readText());
}

// "3:45:07" (12-hour) and "15:45:07" (24-hour) for `iso` in TIME_ZONE.
function localClock(iso) {
  const local = new Date(Date.parse(iso) + TIME_ZONE_OFFSET_MINUTES * 60_000);
  const pad = (n) => String(n).padStart(2, '0');
  const [h, m, s] = [local.getUTCHours(), pad(local.getUTCMinutes()), pad(local.getUTCSeconds())];
  // 12-hour, 24-hour padded, and 24-hour unpadded (Spanish shows 0:00:40
  // just after midnight).
  return [`${h % 12 || 12}:${m}:${s}`, `${pad(h)}:${m}:${s}`, `${h}:${m}:${s}`];
}

// Every visible text, label and tooltip in the page.
async function visibleTexts(page) {
  return page.evaluate(() => {
    const texts = [document.body.innerText, document.title];
    for (const node of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
      if (node.closest('[hidden]')) continue;
      for (const attribute of ['aria-label', 'title', 'placeholder']) {
        if (node.hasAttribute(attribute)) texts.push(node.getAttribute(attribute));
      }
    }
    return texts.join('\n');
  });
}

// No English string of the panel is left on a page shown in Spanish (as
// whole words: "Cancel" must not match "Cancelar").
async function assertNoEnglish(page, what) {
  const strings = await page.evaluate(async () => (await import('/i18n.js')).strings);
  const texts = await visibleTexts(page);
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const [key, english] of Object.entries(strings.en)) {
    if (english === strings.es[key]) continue; // "keyledger", "Auditor", "English", …
    for (const piece of english.split(/\{\w+\}/).map((text) => text.trim())) {
      if (piece.length < 4) continue;
      const word = new RegExp(`(^|[^\\p{L}])${escape(piece)}($|[^\\p{L}])`, 'u');
      assert.ok(!word.test(texts), `${what}: English "${piece}" (${key}) shown in Spanish`);
    }
  }
}

// Waits until the documentation link asks for the documentation in
// `lang` (the panel sets it once it knows the API's address and on every
// language switch).
async function docsLinkIn(page, lang) {
  const wanted = `${BASE}/docs?lang=${lang}`;
  await page.waitForFunction((href) => document.getElementById('docs-link').href === href, wanted);
}

// ------------------------------------------------------------ the key's whole life

// Sign in, generate a key, use it from CLIENT_IP, see the use listed,
// rename it in place, delete it through the dialog, and find it refused.
async function keyLifecycle(L, user, password, shots) {
  const { page, close } = await openPanel(L);
  assert.equal(await page.locator('html').getAttribute('lang'), L.lang);
  await expectVisible(page.getByRole('heading', { name: L.signInTitle, exact: true }));
  await screenshot(page, `${shots}-sign-in`);
  await signIn(page, L, user, password);
  await expectLanding(page, L);

  // The documentation link opens /docs in a new tab, in the panel's language.
  const docs = page.getByRole('link', { name: L.docsLink });
  await docsLinkIn(page, L.lang);
  assert.equal(await docs.getAttribute('target'), '_blank');
  assert.match(await docs.getAttribute('rel'), /noopener/);
  const [tab] = await Promise.all([page.context().waitForEvent('page'), docs.click()]);
  await tab.waitForLoadState();
  assert.equal(tab.url(), `${BASE}/docs?lang=${L.lang}`);
  assert.equal(await tab.locator('html').getAttribute('lang'), L.lang);
  assert.match(await tab.title(), /API/);
  // The reference, rendered from /openapi.json, is in that language too.
  await expectVisible(tab.locator('#op-verifyKey .summary', { hasText: L.docsVerify }));
  await expectVisible(tab.getByRole('heading', { name: L.docsParameters, exact: true }).first());
  await tab.close();

  // The endpoint, and its copy button.
  const endpoint = page.getByLabel(L.endpoint, { exact: true });
  assert.equal(await endpoint.inputValue(), `${BASE}/v1`);
  await page.getByRole('button', { name: L.copyEndpoint }).click();
  await expectText(page.getByRole('status'), L.copied);
  assert.equal(await clipboard(page), `${BASE}/v1`);
  await expectVisible(page.getByText(L.empty, { exact: true }));

  // A name is required; the error is shown next to the field.
  await page.getByRole('button', { name: L.generate }).click();
  await expectText(page.locator('#generate-error'), L.nameEmpty);
  assert.equal(await page.getByLabel(L.keyName).getAttribute('aria-invalid'), 'true');

  // Generate: the token is shown once, with a copy button and a warning.
  const name = L === EN ? 'billing service' : 'servicio de facturación';
  await page.getByLabel(L.keyName).fill(name);
  await page.getByRole('button', { name: L.generate }).click();
  const tokenBox = page.getByRole('region', { name: L.newKeyTitle(name) });
  await expectVisible(tokenBox);
  await expectText(tokenBox, L.warning);
  const token = await tokenBox.getByLabel(L.token, { exact: true }).inputValue();
  assert.match(token, /^kl_[0-9A-Za-z]{12}_/);
  await tokenBox.getByRole('button', { name: L.copyToken }).click();
  await eventually(async () => (await clipboard(page)) === token, async () => `clipboard: ${await clipboard(page)}`);
  // The row, by the key's id: while it is renamed its name is in a field.
  const keyId = await keyRow(page, name).getAttribute('data-key-id');
  assert.ok(token.startsWith(`kl_${keyId}_`), 'the list shows the key just generated');
  const row = page.locator(`#keys-body tr[data-key-id="${keyId}"]`);
  await expectText(row.locator('.key-used'), L.neverUsed);
  // The header names the columns in the page's language, and each cell
  // carries its column's name (shown beside it in the narrow layout).
  const headers = await page.locator('#keys-table thead th[role="columnheader"]').allTextContents();
  assert.deepEqual(headers, L.keyColumns);
  assert.deepEqual(await row.locator('td[role="cell"]').evaluateAll((cells) => cells.map((cell) => cell.dataset.label)),
                   headers);
  await screenshot(page, `${shots}-new-key`);

  // Another client uses the key; the list shows its address and the time.
  const before = Date.now();
  const used = await call('GET', '/v1/verify', { headers: { 'MC-Api-Key': token } });
  assert.equal(used.status, 200, used.text);
  assert.equal(used.json.user, user);
  // A second key, created with the first one (a use too), so the list has
  // more to show.
  const other = await call('POST', '/v1/keys', {
    headers: { 'MC-Api-Key': token }, body: { name: L === EN ? 'nightly backup' : 'copia nocturna' },
  });
  assert.equal(other.status, 201, other.text);
  const afterUse = Date.now();
  await tokenBox.getByRole('button', { name: L.dismiss }).click();
  await expectGone(tokenBox);
  assert.equal(await page.locator('#new-token-value').inputValue(), '', 'the token is gone from the page');
  await page.getByRole('button', { name: L.refresh }).click();
  await expectText(row.locator('.key-ip'), CLIENT_IP);
  const time = row.locator('.key-used time');
  await expectVisible(time);
  const usedAt = await time.getAttribute('datetime');
  assert.ok(Date.parse(usedAt) >= before - 2000 && Date.parse(usedAt) <= afterUse + 2000, `last use ${usedAt}`);
  const shown = await time.textContent();
  assert.ok(localClock(usedAt).some((clock) => shown.includes(clock)),
    `"${shown}" is not ${usedAt} in ${TIME_ZONE} (${localClock(usedAt)})`);
  await expectText(keyRow(page, L === EN ? 'nightly backup' : 'copia nocturna').locator('.key-used'), L.neverUsed);
  await screenshot(page, `${shots}-keys`);

  // The same page on a phone.
  await page.setViewportSize(NARROW);
  await assertLayoutHolds(page, 'key list');
  await expectVisible(row.getByRole('button', { name: L.del(name) }));
  await screenshot(page, `${shots}-keys-narrow`);
  await page.setViewportSize(WIDE);

  // Rename in place: Escape cancels, an error shows inline, Enter saves.
  const pencil = row.getByRole('button', { name: L.rename(name) });
  await pencil.click();
  const field = page.getByRole('textbox', { name: L.newName(name) });
  await expectVisible(field);
  assert.ok(await field.evaluate((node) => node === document.activeElement), 'the name field has focus');
  await expectVisible(page.getByText(L.renameHint));
  await field.fill('changed my mind');
  await field.press('Escape');
  await expectGone(field);
  await expectVisible(keyRow(page, name));
  assert.ok(await pencil.evaluate((node) => node === document.activeElement), 'focus back on the pencil');
  await pencil.click();
  await field.fill('   ');
  await field.press('Enter');
  // Renaming asks the server, whose refusal is told in its own words.
  await expectText(row.getByRole('alert'), L.serverNameEmpty);
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  const renamed = `${name} (prod)`;
  await field.fill(renamed);
  await field.press('Enter');
  const renamedRow = keyRow(page, renamed);
  await expectVisible(renamedRow);
  assert.equal(await renamedRow.getAttribute('data-key-id'), keyId);
  // The server has the new name (asked with the key itself).
  const listed = await call('GET', '/v1/credentials', { headers: { 'MC-Api-Key': token } });
  assert.ok(listed.json.keys.some((key) => key.name === renamed), listed.text);

  // Delete: the dialog names the key; Escape keeps it, Delete removes it.
  const deleteButton = renamedRow.getByRole('button', { name: L.del(renamed) });
  await deleteButton.click();
  const dialog = page.getByRole('dialog', { name: L.dialogTitle });
  await expectVisible(dialog);
  await expectText(dialog, L.dialogBody(renamed));
  assert.ok(await dialog.getByRole('button', { name: L.cancel }).evaluate((node) => node === document.activeElement),
    'Cancel has the focus');
  await screenshot(page, `${shots}-delete-dialog`, false); // the backdrop covers the window only
  await page.keyboard.press('Escape');
  await expectGone(dialog);
  await expectVisible(renamedRow);
  await deleteButton.click();
  await expectVisible(dialog);
  await dialog.getByRole('button', { name: L.confirm, exact: true }).click();
  // Gone from the list at once, without reloading.
  await expectGone(dialog);
  await renamedRow.waitFor({ state: 'detached', timeout: TIMEOUT });
  await expectText(page.getByRole('status'), L.deleted(renamed));
  if (L === ES) await assertNoEnglish(page, 'settings');

  // And the key is refused, with the invalid-credentials body.
  const refused = await call('GET', '/v1/verify', { headers: { 'MC-Api-Key': token, 'Accept-Language': L.lang } });
  assert.equal(refused.status, 401);
  assert.equal(refused.json.errors[0].code, 'invalid_credentials');
  assert.equal(refused.json.errors[0].message, L.invalidCredentials);

  // After a reload the session and the list are still there.
  await page.reload();
  await page.waitForSelector('body.ready');
  await expectVisible(page.getByRole('heading', { name: L.settings, exact: true }));
  await expectVisible(keyRow(page, L === EN ? 'nightly backup' : 'copia nocturna'));
  assert.equal(await keyRow(page, renamed).count(), 0);

  await page.getByRole('button', { name: L.signOut }).click();
  await expectVisible(page.getByRole('heading', { name: L.signInTitle, exact: true }));
  await close();
}

// ------------------------------------------------------------ tests

test('English: sign in, generate, use, rename and delete a key', { timeout: 90_000 }, async () => {
  await keyLifecycle(EN, 'admin', ADMIN_PASSWORD, 'en');
});

test('Spanish, chosen from the browser language: the same, with Spanish labels', { timeout: 90_000 }, async () => {
  await createUser('maria', 'maria-password-1');
  await keyLifecycle(ES, 'maria', 'maria-password-1', 'es');
});

test('a wrong password or a missing field shows an error, in either language', { timeout: 60_000 }, async () => {
  const { page, close } = await openPanel(EN);
  await page.getByRole('button', { name: EN.signIn, exact: true }).click();
  await expectText(page.getByRole('alert'), EN.missingUser);
  await signIn(page, EN, 'admin', 'not-the-password');
  await expectText(page.getByRole('alert'), EN.wrongSignIn);
  assert.equal(await page.getByLabel(EN.password, { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.deepEqual(await passwordFields(page, 'signin-form'), ['username=admin', 'current-password']);
  await expectVisible(page.getByRole('heading', { name: EN.signInTitle, exact: true }));
  assert.ok(await page.getByRole('button', { name: EN.signOut }).isHidden());
  await screenshot(page, 'en-sign-in-error');

  await page.getByLabel(EN.language).selectOption('es');
  await signIn(page, ES, 'nobody', 'not-the-password');
  await expectText(page.getByRole('alert'), ES.wrongSignIn);
  await close();
});

test('the language switch changes every string and is remembered', { timeout: 60_000 }, async () => {
  const { page, close } = await openPanel(EN);
  await expectVisible(page.getByRole('heading', { name: EN.signInTitle, exact: true }));
  await page.getByLabel(EN.language).selectOption('es');
  await expectVisible(page.getByRole('heading', { name: ES.signInTitle, exact: true }));
  assert.equal(await page.locator('html').getAttribute('lang'), 'es');
  await assertNoEnglish(page, 'sign-in');
  await page.reload();
  await page.waitForSelector('body.ready');
  await expectVisible(page.getByRole('heading', { name: ES.signInTitle, exact: true }));
  await signIn(page, ES, 'admin', ADMIN_PASSWORD);
  await expectLanding(page, ES);
  await expectVisible(page.getByRole('region', { name: 'Usuarios' }));
  await assertNoEnglish(page, 'settings with users');
  await docsLinkIn(page, 'es');
  await page.getByLabel(ES.language).selectOption('en');
  await expectVisible(page.getByRole('heading', { name: EN.settings, exact: true }));
  await expectVisible(page.getByRole('region', { name: EN.credentials }));
  // The documentation link follows the switch.
  await docsLinkIn(page, 'en');
  await page.reload();
  await page.waitForSelector('body.ready');
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  await close();

  // Both tables of strings have the same keys, and no empty string.
  const check = await openPanel(EN);
  const strings = await check.page.evaluate(async () => (await import('/i18n.js')).strings);
  assert.deepEqual(Object.keys(strings.es).sort(), Object.keys(strings.en).sort());
  for (const table of [strings.en, strings.es]) for (const text of Object.values(table)) assert.ok(text.trim());
  // Every key the page refers to exists.
  const used = await check.page.evaluate(() => [...document.querySelectorAll('[data-i18n], [data-i18n-aria-label]')]
    .map((node) => node.dataset.i18n || node.dataset.i18nAriaLabel));
  for (const key of used) assert.ok(key in strings.en, `data-i18n="${key}" has no string`);
  await check.close();
});

test('messages already on screen switch language with the page', { timeout: 60_000 }, async () => {
  const { page, close } = await openPanel(EN);
  const language = page.locator('#language');
  // An error under a form.
  await signIn(page, EN, 'admin', 'not-the-password');
  await expectText(page.locator('#signin-error'), EN.wrongSignIn);
  await language.selectOption('es');
  assert.equal(await page.locator('#signin-error').textContent(), ES.wrongSignIn);
  await signIn(page, ES, 'admin', ADMIN_PASSWORD);
  await expectLanding(page, ES);

  // A toast while it is shown.
  const toast = page.locator('#toast');
  await page.getByRole('button', { name: ES.copyEndpoint }).click();
  await expectText(toast, ES.copied);
  await language.selectOption('en');
  assert.equal(await toast.textContent(), EN.copied);

  // An error next to a field.
  await page.getByRole('button', { name: EN.generate }).click();
  await expectText(page.locator('#generate-error'), EN.nameEmpty);
  await language.selectOption('es');
  assert.equal(await page.locator('#generate-error').textContent(), ES.nameEmpty);

  // A toast that names what it is about.
  await page.getByLabel(ES.keyName, { exact: true }).fill('switch test');
  await page.getByRole('button', { name: ES.generate }).click();
  await page.getByRole('button', { name: ES.dismiss }).click();
  await keyRow(page, 'switch test').getByRole('button', { name: ES.del('switch test') }).click();
  await page.getByRole('dialog', { name: ES.dialogTitle }).getByRole('button', { name: ES.confirm, exact: true }).click();
  await expectText(toast, ES.deleted('switch test'));
  await language.selectOption('en');
  assert.equal(await toast.textContent(), EN.deleted('switch test'));
  await close();
});

// What the server refuses is told in the server's words: the panel keeps no
// copy of them, but reads the server's one table (GET /v1/messages) in both
// languages, so a refusal on screen follows the language switch. A code
// the table lacks shows the text the server answered with.
test('refusals are shown from the server\'s table of messages, in the page\'s language', { timeout: 60_000 }, async () => {
  const { page, close } = await openPanel(ES);
  await signIn(page, ES, 'admin', ADMIN_PASSWORD);
  await expectLanding(page, ES);
  const error = page.locator('#generate-error');
  await page.getByLabel(ES.keyName, { exact: true }).fill('n'.repeat(101));
  await page.getByRole('button', { name: ES.generate }).click();
  await expectText(error, 'El nombre tiene más de 100 caracteres.');
  // The server answered in Spanish; the English words come from its table.
  await page.locator('#language').selectOption('en');
  assert.equal(await error.textContent(), 'The name is longer than 100 characters.');
  await page.locator('#language').selectOption('es');
  assert.equal(await error.textContent(), 'El nombre tiene más de 100 caracteres.');

  // The words are the served table's, not a copy in the panel: a table
  // that words a code differently is what the page shows.
  await page.route('**/v1/messages?lang=en', (route) => route.fulfill({
    status: 200, contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({ language: 'en', messages: { name_too_long: 'Too long for the served table.' } }),
  }));
  await page.reload();
  await page.waitForSelector('body.ready');
  await expectVisible(page.getByRole('region', { name: ES.credentials }));
  await page.getByLabel(ES.keyName, { exact: true }).fill('n'.repeat(101));
  await page.getByRole('button', { name: ES.generate }).click();
  await expectText(error, 'El nombre tiene más de 100 caracteres.');
  await page.locator('#language').selectOption('en');
  assert.equal(await error.textContent(), 'Too long for the served table.');
  await page.locator('#language').selectOption('es');
  await page.unroute('**/v1/messages?lang=en');

  // A refusal whose code the table lacks (a newer server's): the server's
  // own text, whatever the language.
  await page.route('**/v1/keys', (route) => route.fulfill({
    status: 400, contentType: 'application/json; charset=utf-8',
    body: JSON.stringify({ errors: [{ code: 'a_code_not_in_the_table', message: 'Texto del servidor.', context: {} }] }),
  }));
  await page.getByLabel(ES.keyName, { exact: true }).fill('fine name');
  await page.getByRole('button', { name: ES.generate }).click();
  await expectText(error, 'Texto del servidor.');
  await page.locator('#language').selectOption('en');
  assert.equal(await error.textContent(), 'Texto del servidor.');
  await page.unroute('**/v1/keys');
  await close();
});

// Is the focused element drawn with a visible focus indicator?
async function focusIsVisible(page) {
  return page.evaluate(() => {
    const node = document.activeElement;
    if (!node || node === document.body) return false;
    const style = getComputedStyle(node);
    return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  });
}

async function focusedName(page) {
  return page.evaluate(() => {
    const node = document.activeElement;
    return node.getAttribute('aria-label') || node.id || node.textContent.trim();
  });
}

// Presses Tab (or Shift+Tab) until `matches(name)`; checks that every
// control passed on the way shows its focus.
async function tabTo(page, matches, key = 'Tab') {
  for (let i = 0; i < 40; ++i) {
    await page.keyboard.press(key);
    const name = await focusedName(page);
    assert.ok(await focusIsVisible(page), `no visible focus on "${name}"`);
    if (matches(name)) return;
  }
  assert.fail('never reached the control with the keyboard');
}

test('everything works with the keyboard alone, with visible focus', { timeout: 90_000 }, async () => {
  await createUser('kim', 'kim-password-1');
  const { page, close } = await openPanel(EN);
  // The page starts with the user field focused; before it come the
  // language switch and the link that skips to the main content.
  assert.equal(await focusedName(page), 'signin-user');
  await tabTo(page, (name) => name === 'Skip to main content', 'Shift+Tab');
  await tabTo(page, (name) => name === 'signin-user');
  await page.keyboard.type('kim');
  await page.keyboard.press('Tab');
  await page.keyboard.type('kim-password-1');
  await page.keyboard.press('Enter');
  await expectLanding(page, EN);
  // Not an administrator: no Users section.
  assert.equal(await page.getByRole('region', { name: 'Users' }).count(), 0);

  await tabTo(page, (name) => name === 'generate-name');
  await page.keyboard.type('deploy bot');
  await page.keyboard.press('Enter');
  await expectVisible(page.getByRole('region', { name: EN.newKeyTitle('deploy bot') }));
  await tabTo(page, (name) => name === EN.copyToken);
  await page.keyboard.press('Enter');
  await expectText(page.getByRole('status'), EN.copied);
  await tabTo(page, (name) => name === 'new-token-dismiss');
  await page.keyboard.press('Enter');
  await expectGone(page.getByRole('region', { name: EN.newKeyTitle('deploy bot') }));

  await tabTo(page, (name) => name === EN.rename('deploy bot'), 'Shift+Tab');
  await page.keyboard.press('Enter');
  await page.keyboard.type(' v2'); // the whole name is selected: this replaces it
  await page.keyboard.press('Enter');
  await expectVisible(keyRow(page, ' v2'.trim()));
  assert.equal(await focusedName(page), EN.rename('v2'));

  await tabTo(page, (name) => name === EN.del('v2'));
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: EN.dialogTitle });
  await expectVisible(dialog);
  await page.keyboard.press('Tab');
  assert.equal(await focusedName(page), 'delete-confirm');
  assert.ok(await focusIsVisible(page));
  await page.keyboard.press('Enter');
  await expectGone(dialog);
  await expectVisible(page.getByText(EN.empty, { exact: true }));
  await close();
});

test('administrators add users, change their privilege and disable them', { timeout: 90_000 }, async () => {
  const { page, close } = await openPanel(EN);
  await signIn(page, EN, 'admin', ADMIN_PASSWORD);
  await expectLanding(page, EN);
  const users = page.getByRole('region', { name: 'Users' });
  await expectVisible(users);
  // The cluster view (GET /v1/cluster): a leader without followers says so.
  const cluster = page.getByRole('region', { name: 'Followers' });
  await expectVisible(cluster);
  await expectText(cluster.locator('#cluster-summary'), 'No follower has reported lately');
  // Their own row cannot be demoted or disabled.
  const own = users.locator('tr[data-user="admin"]');
  assert.ok(await own.getByRole('combobox').isDisabled());
  assert.equal(await own.getByRole('button').count(), 0);

  await users.getByLabel('User name').fill('Bad Name');
  await users.getByLabel('Initial password').fill('carol-password-1');
  await users.getByRole('button', { name: 'Add user' }).click();
  await expectText(users.locator('#add-user-error'), 'A user id has 1 to 64 characters');

  await users.getByLabel('User name').fill('carol');
  await users.getByLabel('Privilege', { exact: true }).selectOption('auditor');
  await users.getByRole('button', { name: 'Add user' }).click();
  const carol = users.locator('tr[data-user="carol"]');
  await expectVisible(carol);
  assert.equal(await carol.getByRole('combobox', { name: 'Privilege of carol' }).inputValue(), 'auditor');
  await expectText(page.getByRole('status'), 'User “carol” added.');

  await carol.getByRole('combobox', { name: 'Privilege of carol' }).selectOption('user');
  await expectText(page.getByRole('status'), 'User “carol” updated.');
  await carol.getByRole('button', { name: 'Disable carol' }).click();
  await expectText(carol, 'Disabled');
  await expectVisible(carol.getByRole('button', { name: 'Enable carol' }));
  await screenshot(page, 'en-users');
  await page.setViewportSize(NARROW);
  await assertLayoutHolds(page, 'users');
  await page.setViewportSize(WIDE);

  // What the server says now.
  const admin = await apiSession('admin', ADMIN_PASSWORD);
  const listed = (await admin('GET', '/v1/users')).json.users.find((user) => user.user === 'carol');
  assert.equal(listed.privilege, 'user');
  assert.equal(listed.disabled, true);

  // A disabled user cannot sign in.
  const other = await openPanel(EN);
  await signIn(other.page, EN, 'carol', 'carol-password-1');
  await expectText(other.page.getByRole('alert'), EN.wrongSignIn);
  await other.close();

  await carol.getByRole('button', { name: 'Enable carol' }).click();
  await expectText(carol, 'Active');
  await close();
});

test('a one-time password from an administrator leads to choosing a new one first', { timeout: 60_000 }, async () => {
  await createUser('olga', 'olga-password-1');
  // The administrator gives Olga a one-time password from the Users table.
  {
    const { page, close } = await openPanel(EN);
    await signIn(page, EN, 'admin', ADMIN_PASSWORD);
    await expectLanding(page, EN);
    const users = page.getByRole('region', { name: 'Users' });
    const olga = users.locator('tr[data-user="olga"]');
    await expectVisible(olga);
    await olga.getByRole('button', { name: 'Set password for olga' }).click();
    const dialog = page.getByRole('dialog', { name: 'A new password for olga' });
    await expectVisible(dialog);
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await expectText(dialog.locator('#reset-error'), 'Enter a new password.');
    await dialog.getByLabel('One-time password', { exact: true }).fill('short');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await expectText(dialog.locator('#reset-error'), 'The password must have at least 8 characters.');
    await dialog.getByLabel('One-time password', { exact: true }).fill('given-by-admin');
    await dialog.getByRole('button', { name: 'Set password' }).click();
    await expectGone(dialog);
    await expectText(page.getByRole('status'), 'User “olga” has a new one-time password.');
    // Focus returns to the row's button.
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')),
      'Set password for olga');
    await close();
  }
  const admin = await apiSession('admin', ADMIN_PASSWORD);

  for (const L of [ES, EN]) {
    const { page, close } = await openPanel(L);
    await signIn(page, L, 'olga', L === ES ? 'given-by-admin' : 'olgas-newest-password');
    if (L === EN) {
      // Chosen already: straight in, nothing asked.
      await expectLanding(page, EN);
      assert.ok(await page.locator('#password-view').isHidden());
      await close();
      break;
    }
    const forced = page.locator('#password-view');
    const title = page.getByRole('heading', { name: 'Elija una contraseña nueva', exact: true });
    await expectVisible(title);
    await assertNoEnglish(page, 'one-time password');
    // Nothing else opens before a new password is chosen, so nothing else
    // is offered: every control shown here works (no User Settings).
    assert.deepEqual(await visibleControls(page), ['skip-link', 'signout-button', 'language',
      'password-current', 'password-new', 'password-repeat', 'password-submit']);
    assert.equal(await page.getByRole('button', { name: ES.settings }).count(), 0);
    assert.deepEqual(await passwordFields(page, 'password-form'),
      ['username=olga', 'current-password', 'new-password', 'new-password']);

    // Two new passwords that differ are caught here; nothing is sent.
    await forced.getByLabel('Contraseña actual', { exact: true }).fill('given-by-admin');
    await forced.getByLabel('Contraseña nueva', { exact: true }).fill('olgas-own-password');
    await forced.getByLabel('Contraseña nueva, otra vez', { exact: true }).fill('olgas-own-passwort');
    await page.getByRole('button', { name: 'Guardar y continuar' }).click();
    await expectText(page.locator('#password-error'), 'Las dos contraseñas nuevas no coinciden.');
    // Keeping the given password is refused by the server, in Spanish.
    await forced.getByLabel('Contraseña nueva', { exact: true }).fill('given-by-admin');
    await forced.getByLabel('Contraseña nueva, otra vez', { exact: true }).fill('given-by-admin');
    await page.getByRole('button', { name: 'Guardar y continuar' }).click();
    await expectText(page.locator('#password-error'),
      'Elija una contraseña distinta de la contraseña de un solo uso.');
    await forced.getByLabel('Contraseña nueva', { exact: true }).fill('olgas-own-password');
    // A wrong current password is the server's answer, in Spanish.
    await forced.getByLabel('Contraseña actual', { exact: true }).fill('not-the-password');
    await forced.getByLabel('Contraseña nueva, otra vez', { exact: true }).fill('olgas-own-password');
    await page.getByRole('button', { name: 'Guardar y continuar' }).click();
    await expectText(page.locator('#password-error'), 'La contraseña actual es incorrecta.');

    await forced.getByLabel('Contraseña actual', { exact: true }).fill('given-by-admin');
    await page.getByRole('button', { name: 'Guardar y continuar' }).click();
    await expectText(page.getByRole('status'), 'Su contraseña nueva está guardada.');
    await expectLanding(page, ES);
    assert.deepEqual(await passwordFields(page, 'own-password-form'),
      ['username=olga', 'current-password', 'new-password', 'new-password']);

    // Later, from User Settings: the same checks, then saved.
    const own = page.getByRole('region', { name: 'Su contraseña' });
    await own.getByLabel('Contraseña actual', { exact: true }).fill('olgas-own-password');
    await own.getByLabel('Contraseña nueva', { exact: true }).fill('olgas-newest-password');
    await own.getByLabel('Contraseña nueva, otra vez', { exact: true }).fill('olgas-newest-passwort');
    await own.getByRole('button', { name: 'Cambiar la contraseña' }).click();
    await expectText(own.locator('#own-password-error'), 'Las dos contraseñas nuevas no coinciden.');
    await own.getByLabel('Contraseña nueva, otra vez', { exact: true }).fill('olgas-newest-password');
    await own.getByRole('button', { name: 'Cambiar la contraseña' }).click();
    // Saved: the form empties (the next sign-in, below, uses the new password).
    const current = own.getByLabel('Contraseña actual', { exact: true });
    await eventually(async () => (await current.inputValue()) === '', async () => 'the form kept its values');
    await expectText(page.getByRole('status'), 'Su contraseña nueva está guardada.');
    await assertNoEnglish(page, 'settings with the password form');
    await close();
  }
  const listed = (await admin('GET', '/v1/users')).json.users.find((user) => user.user === 'olga');
  assert.equal(listed.password_change_required, false);
});

// Last, so that its long names stay out of the other tests' screenshots.
// The widths of phones, tablets and desktops the layout must hold at.
const WIDTHS = [320, 360, 390, 414, 768, 1024, 1280, 1920];

test('no page state scrolls sideways or cuts anything off from 320 to 1920 px, in either language',
  { timeout: 240_000 }, async () => {
    // Names as long as they may be, one without a space to break a line at.
    const longUser = 'a-user-name-as-long-as-the-server-allows-sixty-four-characters-x';
    const longKey = 'a-key-name-without-any-space-to-break-a-line-at-as-long-as-a-key-name-may-be-a-hundred-characters';
    await createUser(longUser, 'long-user-password-1');
    const admin = await apiSession('admin', ADMIN_PASSWORD);
    // A one-time password: signing in with it leads to the forced change.
    const reset = await admin('PATCH', `/v1/users/${longUser}`, { password: 'one-time-password-1' });
    assert.equal(reset.status, 200, reset.text);
    // A locked user's row has the most buttons: Disable, Unlock, Set password.
    await createUser('lena', 'lena-password-1', 'auditor');
    const locked = await admin('PATCH', '/v1/users/lena', { locked: true });
    assert.equal(locked.status, 200, locked.text);
    const created = await admin('POST', '/v1/keys', { name: longKey });
    assert.equal(created.status, 201, created.text);
    const used = await call('GET', '/v1/verify', { headers: { 'MC-Api-Key': created.json.key } });
    assert.equal(used.status, 200, used.text);

    // One page, resized through every width in every state.
    const { page, close } = await openPanel(EN);
    const problems = [];
    const measure = async (L, what, prepare = async () => {}) => {
      for (const width of WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        await prepare();
        for (const problem of await layoutProblems(page)) problems.push(`${L.lang}, ${width}px, ${what}: ${problem}`);
      }
      await page.setViewportSize(WIDE);
    };
    for (const L of [EN, ES]) {
      await page.locator('#language').selectOption(L.lang);
      await measure(L, 'sign-in');
      await signIn(page, L, 'admin', 'not-the-password');
      await expectText(page.locator('#signin-error'), L.wrongSignIn);
      await measure(L, 'sign-in with an error');

      await signIn(page, L, 'admin', ADMIN_PASSWORD);
      await expectLanding(page, L);
      await expectText(keyRow(page, longKey).locator('.key-ip'), CLIENT_IP);
      await expectVisible(page.locator(`#users-body tr[data-user="${longUser}"]`));
      await expectVisible(page.locator('#users-body tr[data-user="lena"] .status-locked'));
      await measure(L, 'API Credentials and Users');
      await page.getByRole('button', { name: L.copyEndpoint }).click();
      await expectText(page.locator('#toast'), L.copied);
      // Kept on screen while measured (it hides itself after a while).
      await measure(L, 'a toast', () => page.evaluate(() => document.getElementById('toast').classList.add('shown')));
      await hideToast(page);

      await keyRow(page, longKey).getByRole('button', { name: L.rename(longKey) }).click();
      await expectVisible(page.getByRole('textbox', { name: L.newName(longKey) }));
      await measure(L, 'renaming a key');
      await page.keyboard.press('Escape');

      const name = `layout ${L.lang}`;
      await page.getByLabel(L.keyName, { exact: true }).fill(name);
      await page.getByRole('button', { name: L.generate }).click();
      await expectVisible(page.getByRole('region', { name: L.newKeyTitle(name) }));
      await measure(L, 'a new key');
      await page.getByRole('button', { name: L.dismiss }).click();
      await keyRow(page, name).getByRole('button', { name: L.del(name) }).click();
      const dialog = page.getByRole('dialog', { name: L.dialogTitle });
      await expectVisible(dialog);
      await measure(L, 'the delete dialog');
      await dialog.getByRole('button', { name: L.confirm, exact: true }).click();
      await expectGone(dialog);

      await page.locator(`#users-body tr[data-user="${longUser}"] .reset`).click();
      await expectVisible(page.locator('#reset-dialog'));
      await measure(L, 'the set-password dialog');
      await page.keyboard.press('Escape');
      await expectGone(page.locator('#reset-dialog'));

      // The forced password change, with the longest name in the header.
      await page.getByRole('button', { name: L.signOut }).click();
      await expectVisible(page.getByRole('heading', { name: L.signInTitle, exact: true }));
      await signIn(page, L, longUser, 'one-time-password-1');
      await expectVisible(page.locator('#password-view'));
      await measure(L, 'the forced password change');
      // Its Sign out works too.
      await page.getByRole('button', { name: L.signOut }).click();
      await expectVisible(page.getByRole('heading', { name: L.signInTitle, exact: true }));
    }
    await close();
    assert.deepEqual(problems, [], `the layout does not hold:\n${problems.join('\n')}`);
  });
