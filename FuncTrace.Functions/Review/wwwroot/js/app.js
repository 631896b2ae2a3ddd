// The reviewer page: sign-in, the three screens (queue, eval runs, usage) behind #hash links, and the keyboard.
import { api, ApiError, UNAUTHORIZED } from './api.js';
import { byId, say } from './dom.js';
import { hideQueue, initQueue, queueKey, resetQueue, showQueue } from './queue.js';
import { initRuns, resetRuns, showRuns } from './runs.js';
import * as session from './session.js';
import { showUsage } from './usage.js';

const SCREENS = { queue: showQueue, runs: showRuns, usage: showUsage };
let current = null;

function route() {
  const who = session.me();
  const signedIn = session.apiKey() !== null && who !== null;
  byId('nav').hidden = !signedIn;
  byId('who').hidden = !signedIn;
  byId('sign-in').hidden = signedIn;
  if (!signedIn) {
    for (const name of Object.keys(SCREENS)) byId(name).hidden = true;
    current = null;
    return;
  }
  byId('who-text').textContent = `${who.key_id} · ${who.tenant} · ${who.roles.join(', ')}`;
  const wanted = location.hash.slice(1);
  const screen = Object.hasOwn(SCREENS, wanted) ? wanted : 'queue';
  for (const name of Object.keys(SCREENS)) byId(name).hidden = name !== screen;
  for (const link of byId('nav').querySelectorAll('a')) {
    if (link.dataset.screen === screen) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  if (current === 'queue' && screen !== 'queue') hideQueue();
  if (current !== screen) {
    current = screen;
    document.title = `${byId(`${screen}-title`).textContent} · FuncTrace review`;
    SCREENS[screen]();
  }
}

async function signIn(event) {
  event.preventDefault();
  const input = byId('api-key');
  const error = byId('sign-in-error');
  const key = input.value.trim();
  if (!key) {
    say(error, 'Paste an API key first.');
    input.focus();
    return;
  }
  say(error, '');
  let who;
  try {
    who = await api('/api/me', { key });
  } catch (problem) {
    say(error, problem instanceof ApiError && problem.status === 401
      ? 'This key is not accepted: it is unknown or has been revoked.'
      : `Could not check the key: ${problem.message}`);
    input.select();
    return;
  }
  if (who.tenant === null) {
    say(error, 'This is the bootstrap admin key: it belongs to no tenant, so it has no queue, runs or usage. Sign in with a tenant\'s key (create one with POST /api/admin/keys).');
    input.select();
    return;
  }
  input.value = '';
  session.signIn(key, who);
  route();
  byId('main').focus();
}

function signOut(message) {
  resetQueue();
  resetRuns();
  session.signOut();
  route();
  document.title = 'Sign in · FuncTrace review';
  say(byId('sign-in-error'), message);
  byId('api-key').focus();
}

function isTyping(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  const help = byId('keys-help');
  if (help.open) return;
  if (isTyping(event.target)) {
    if (event.key === 'Escape' && event.target.id === 'comment') {
      event.preventDefault();
      byId('item-title').focus();
    }
    return;
  }
  if (event.key === '?' && current !== null) {
    event.preventDefault();
    help.showModal();
    return;
  }
  if (current === 'queue' && queueKey(event.key)) event.preventDefault();
}

byId('sign-in-form').addEventListener('submit', signIn);
byId('sign-out').addEventListener('click', () => signOut('Signed out: this tab no longer holds the key.'));
byId('keys-help-close').addEventListener('click', () => byId('keys-help').close());
window.addEventListener(UNAUTHORIZED, () => signOut('The service no longer accepts this key (revoked?). Sign in again.'));
window.addEventListener('hashchange', route);
document.addEventListener('keydown', onKey);
initQueue();
initRuns();
route();
if (current === null) {
  document.title = 'Sign in · FuncTrace review';
  // Signed out, the key is the only thing to do here: the field takes the keyboard at once.
  byId('api-key').focus();
}
