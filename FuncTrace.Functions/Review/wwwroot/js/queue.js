// The review queue: counts, filters, claiming the oldest unclaimed event with its lease, the verdict and skip.
// After a verdict the next event is claimed at once, so a reviewer can work the queue by keyboard alone.
import { api, ApiError, query, segment } from './api.js';
import { byId, h, say } from './dom.js';
import { count, minutesSeconds, when } from './format.js';
import { loadConversation, renderArtifacts, renderConversation, renderMeta, summaryLine } from './item.js';
import { has } from './session.js';

const COUNT_REFRESH_MS = 30_000;
// The counts are a derived view, brought up to date within about a second of a verdict: read them again then.
const COUNT_FOLLOW_MS = [1_000, 3_000];
const UPCOMING_LIMIT = 20;

const state = {
  claim: null, // {event, lease_expires_at, reviewer}
  leaseTimer: null,
  countTimer: null,
  followTimers: [],
  busy: false,
  loading: null, // AbortController of the item's context requests
  verdictKeys: new Map(),
};

export function initQueue() {
  // On a phone the filters start folded, so the claimed item is on the first screen.
  if (window.matchMedia('(max-width: 47.99em)').matches) byId('filters-box').open = false;
  byId('queue-filters').addEventListener('submit', (event) => {
    event.preventDefault();
    refreshUpcoming();
    say(byId('queue-status'), 'Filters applied: "Claim next" takes the oldest event that matches them.');
  });
  byId('queue-filters').addEventListener('reset', () => setTimeout(refreshUpcoming));
  byId('claim').addEventListener('click', () => claimNext());
  byId('approve').addEventListener('click', () => submitVerdict('approved'));
  byId('reject').addEventListener('click', () => submitVerdict('rejected'));
  byId('skip').addEventListener('click', () => skip());
}

/** The queue screen was opened (or the page signed in on it). */
export function showQueue() {
  const allowed = has('review');
  byId('queue-role').hidden = allowed;
  byId('queue-work').hidden = !allowed;
  if (!allowed) {
    say(byId('queue-role'), 'This key does not have the review role, so it cannot work the review queue. Sign in with a key that has "review" (an admin creates one with POST /api/admin/keys).');
    return;
  }
  refreshCounts();
  refreshUpcoming();
  clearInterval(state.countTimer);
  state.countTimer = setInterval(refreshCounts, COUNT_REFRESH_MS);
}

export function hideQueue() {
  clearInterval(state.countTimer);
  for (const timer of state.followTimers) clearTimeout(timer);
}

/** Keys of the queue screen; returns true when the key was one of them. */
export function queueKey(key) {
  const claimed = state.claim !== null;
  switch (key) {
    case 'a': if (claimed) submitVerdict('approved'); return claimed;
    case 'r': if (claimed) submitVerdict('rejected'); return claimed;
    case 's': if (claimed) skip(); return claimed;
    case 'c': if (claimed) byId('comment').focus(); return claimed;
    case 'j': if (claimed) moveInConversation(1); return claimed;
    case 'k': if (claimed) moveInConversation(-1); return claimed;
    case 'n': if (!claimed) claimNext(); return !claimed;
    default: return false;
  }
}

function filters() {
  const from = byId('filter-from').value;
  const to = byId('filter-to').value;
  return {
    conversation_id: byId('filter-conversation').value.trim(),
    event_type: byId('filter-type').value.trim(),
    // Dates are the reviewer's own days: from the start of "from" to the last millisecond of "to" (the API's "to" is inclusive), local time.
    from: from ? new Date(`${from}T00:00:00`).toISOString() : '',
    to: to ? new Date(new Date(`${to}T00:00:00`).getTime() + 86_400_000 - 1).toISOString() : '',
  };
}

/** Counts now, and again once the view has caught up with what was just done. */
function followCounts() {
  refreshCounts();
  for (const timer of state.followTimers) clearTimeout(timer);
  state.followTimers = COUNT_FOLLOW_MS.map((delay) => setTimeout(refreshCounts, delay));
}

async function refreshCounts() {
  try {
    const counts = await api('/api/feedback/pending/count');
    byId('pending-count').textContent = count(counts.pending);
    byId('done-count').textContent = count(counts.done_today);
  } catch (error) {
    byId('pending-count').textContent = '–';
    byId('done-count').textContent = '–';
    if (!(error instanceof ApiError) || error.status !== 401) say(byId('queue-status'), `Counts unavailable: ${error.message}`);
  }
}

async function refreshUpcoming() {
  const body = byId('upcoming-table').tBodies[0];
  const status = byId('upcoming-status');
  try {
    const page = await api(`/api/feedback/pending${query({ ...filters(), limit: UPCOMING_LIMIT })}`);
    const events = page.events ?? [];
    const claimed = state.claim?.event.id;
    body.replaceChildren(...events.map((event) => h('tr', { class: event.id === claimed ? 'mine' : null },
      h('td', { text: when(event.timestamp) }),
      h('td', { class: 'text', text: event.conversation_id }),
      h('td', { class: 'text' }, event.event_type, event.id === claimed ? h('strong', { class: 'tag', text: 'yours' }) : null),
      h('td', { class: 'mono hide-narrow', text: event.id }))));
    say(status, events.length === 0 ? 'Nothing is waiting for review with these filters.' : (page.next_cursor ? `The oldest ${events.length} shown; more are waiting.` : ''));
  } catch (error) {
    body.replaceChildren();
    say(status, `The queue could not be read: ${error.message}`);
  }
}

async function claimNext() {
  if (state.busy) return;
  state.busy = true;
  try {
    say(byId('queue-status'), 'Claiming the next event…');
    const claim = await api(`/api/feedback/pending/claim${query(filters())}`, { method: 'POST' });
    if (claim === null) {
      showEmpty('Nothing is waiting for review. New events appear here as they arrive.');
      return;
    }
    await showClaim(claim);
  } catch (error) {
    say(byId('queue-status'), `Could not claim: ${error.message}`);
  } finally {
    state.busy = false;
  }
}

function showEmpty(message) {
  state.claim = null;
  stopLease();
  byId('item').hidden = true;
  byId('claim').hidden = false;
  say(byId('queue-status'), message);
  followCounts();
  refreshUpcoming();
  byId('claim').focus();
}

async function showClaim(claim) {
  state.claim = claim;
  state.verdictKeys.clear();
  const event = claim.event;
  byId('comment').value = '';
  say(byId('verdict-status'), '');
  byId('item-title').textContent = `${event.event_type} in ${event.conversation_id}`;
  renderMeta(byId('item-meta'), event);
  byId('item').hidden = false;
  byId('claim').hidden = true;
  say(byId('queue-status'), '');
  startLease(claim.lease_expires_at);
  renderConversation(byId('conversation'), [event], event.id);
  byId('item-title').focus();
  refreshUpcoming();
  loadContext(event);
}

async function loadContext(event) {
  state.loading?.abort();
  const loading = new AbortController();
  state.loading = loading;
  const status = byId('conversation-status');
  say(status, 'Loading the conversation…');
  const conversation = loadConversation(event.conversation_id, loading.signal).then((context) => {
    const events = context.events.some((e) => e.id === event.id) ? context.events : [...context.events, event];
    renderConversation(byId('conversation'), events, event.id);
    const partial = context.complete ? '' : `The first ${events.length} events are shown.`;
    if (context.summary) say(status, `${summaryLine(context.summary)}.${partial ? ` ${partial}` : ''}`);
    else say(status, partial || `${events.length} ${events.length === 1 ? 'event' : 'events'} in this conversation.`);
    byId('conversation').querySelector('.current')?.scrollIntoView({ block: 'nearest' });
  }, (error) => {
    if (error.name !== 'AbortError') say(status, `The conversation could not be read: ${error.message}`);
  });
  const artifacts = renderArtifacts(byId('artifacts'), byId('artifacts-status'), event, loading.signal).catch((error) => {
    if (error.name !== 'AbortError') say(byId('artifacts-status'), `The artifacts could not be read: ${error.message}`);
  });
  await Promise.all([conversation, artifacts]);
}

function startLease(expiresAt) {
  stopLease();
  const lease = byId('lease');
  const expires = new Date(expiresAt).getTime();
  const tick = () => {
    const left = expires - Date.now();
    lease.hidden = false;
    if (Number.isNaN(left)) {
      lease.textContent = 'Claimed.';
    } else if (left <= 0) {
      lease.textContent = 'Your lease has run out: another reviewer may take this event. Give your verdict now or skip.';
      lease.classList.add('expired');
      clearInterval(state.leaseTimer);
    } else {
      lease.textContent = `Claimed for you: ${minutesSeconds(left)} left`;
      lease.classList.remove('expired');
    }
  };
  tick();
  state.leaseTimer = setInterval(tick, 1000);
}

function stopLease() {
  clearInterval(state.leaseTimer);
  byId('lease').hidden = true;
}

async function submitVerdict(status) {
  if (state.busy || state.claim === null) return;
  state.busy = true;
  const event = state.claim.event;
  const comment = byId('comment').value.trim();
  // The same verdict sent again (after a network failure) is the same request: the API stores it once.
  const attempt = `${status}\n${comment}`;
  if (!state.verdictKeys.has(attempt)) state.verdictKeys.set(attempt, crypto.randomUUID());
  try {
    say(byId('verdict-status'), status === 'approved' ? 'Approving…' : 'Rejecting…');
    await api('/api/feedback', {
      method: 'POST',
      headers: { 'Idempotency-Key': state.verdictKeys.get(attempt) },
      body: { event_id: event.id, status, ...(comment ? { feedback_message: comment } : {}) },
    });
    say(byId('queue-status'), `${status === 'approved' ? 'Approved' : 'Rejected'} ${event.id}.`);
    state.busy = false;
    await claimNextAfter(`${status === 'approved' ? 'Approved' : 'Rejected'} ${event.id}.`);
  } catch (error) {
    // A conflict (another reviewer holds it, or it was judged already) cannot be fixed by sending it again: skip it.
    const hint = error instanceof ApiError && error.status === 409 ? ' Press s to skip to the next event.' : '';
    say(byId('verdict-status'), `The verdict was not saved: ${error.message}${hint}`);
  } finally {
    state.busy = false;
  }
}

async function claimNextAfter(done) {
  followCounts();
  state.busy = true;
  try {
    const next = await api(`/api/feedback/pending/claim${query(filters())}`, { method: 'POST' });
    if (next === null) {
      showEmpty(`${done} Nothing else is waiting for review.`);
      return;
    }
    await showClaim(next);
    say(byId('queue-status'), done);
  } catch (error) {
    showEmpty(`${done} Could not claim the next event: ${error.message}`);
  } finally {
    state.busy = false;
  }
}

/** Skip: claim the next event while still holding this one (so the claim cannot hand it straight back), then release it. */
async function skip() {
  if (state.busy || state.claim === null) return;
  state.busy = true;
  const skipped = state.claim.event;
  try {
    say(byId('verdict-status'), 'Skipping…');
    const next = await api(`/api/feedback/pending/claim${query(filters())}`, { method: 'POST' });
    let released = `Skipped ${skipped.id}; it is back in the queue.`;
    try {
      await api(`/api/feedback/pending/${segment(skipped.id)}/release`, { method: 'POST' });
    } catch (error) {
      // A lease that ran out (409) is back in the queue already; anything else is said, but the next item still shows.
      if (!(error instanceof ApiError && error.status === 409)) released = `Skipped ${skipped.id}, but it could not be released (${error.message}); its lease runs out on its own.`;
    }
    if (next === null) {
      showEmpty(`${released} Nothing else is waiting.`);
      return;
    }
    await showClaim(next);
    followCounts();
    say(byId('queue-status'), released);
  } catch (error) {
    say(byId('verdict-status'), `Could not skip: ${error.message}`);
  } finally {
    state.busy = false;
  }
}

function moveInConversation(step) {
  const items = [...byId('conversation').querySelectorAll('li.event')];
  if (items.length === 0) return;
  const focused = items.indexOf(document.activeElement);
  const from = focused >= 0 ? focused : items.findIndex((item) => item.classList.contains('current'));
  const to = Math.min(items.length - 1, Math.max(0, from + step));
  items[to].focus();
  items[to].scrollIntoView({ block: 'nearest' });
}

/** Forget the claim (signing out); the lease runs out on its own. */
export function resetQueue() {
  state.loading?.abort();
  state.claim = null;
  stopLease();
  hideQueue();
  byId('item').hidden = true;
  byId('claim').hidden = false;
  say(byId('queue-status'), '');
}
