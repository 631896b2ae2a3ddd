// The claimed event in its context: its conversation's events in order (messages as a chat, everything else as
// folding JSON), its artifacts, and what is known of its model and tokens.
import { api, ApiError, query, saveBlob, segment } from './api.js';
import { h, say } from './dom.js';
import { bytes, count, when } from './format.js';
import { jsonView } from './json-view.js';

const MAX_CONTEXT_EVENTS = 1000;
const MAX_CONTEXT_REQUESTS = 25;
const PAGE_SIZE = 200;
const PREVIEW_LIMIT = 1024 * 1024;
const TEXT_TYPES = /^(text\/|application\/(json|x-ndjson|jsonl|yaml|x-yaml|xml|javascript|x-sh|toml|sql|graphql)\b|[\w.-]+\/[\w.-]+\+(json|xml|yaml)\b)/i;
const TEXT_NAMES = /\.(txt|md|markdown|json|jsonl|ndjson|ya?ml|xml|csv|tsv|toml|ini|cfg|conf|log|py|js|mjs|ts|tsx|jsx|cs|java|kt|go|rs|rb|php|c|h|cc|cpp|hpp|sh|bash|sql|graphql|proto|html|css|diff|patch)$/i;

/** "user" or "assistant" for chat messages, null for every other event. */
export function chatRole(event) {
  if (event.role === 'user' || event.role === 'assistant') return event.role;
  if (event.event_type === 'user_message') return 'user';
  if (event.event_type === 'assistant_response') return 'assistant';
  return null;
}

/** The text of a message event, wherever its client put it; null when there is none to show as a chat line. */
export function messageText(event) {
  const data = event.data;
  if (typeof data === 'string') return data;
  if (!data || typeof data !== 'object') return null;
  const fields = chatRole(event) === 'assistant'
    ? ['response', 'text', 'content', 'output', 'answer', 'message']
    : ['message', 'text', 'content', 'prompt', 'input'];
  const field = fields.find((name) => typeof data[name] === 'string');
  return field === undefined ? null : data[field];
}

export function isTextLike(artifact) {
  return TEXT_TYPES.test(artifact.content_type ?? '') || TEXT_NAMES.test(artifact.name ?? '');
}

/** Model, tokens and the rest of what the event says about itself, as a definition list's rows. */
export function renderMeta(list, event) {
  const usage = event.usage ?? {};
  const rows = [
    ['Type', event.event_type],
    ['Conversation', event.conversation_id],
    ['Time', when(event.timestamp)],
    ['Role', event.role],
    ['Model', event.model],
    ['Tokens', usage.total_tokens !== undefined || usage.prompt_tokens !== undefined
      ? `${count(usage.prompt_tokens)} prompt + ${count(usage.completion_tokens)} completion = ${count(usage.total_tokens ?? ((usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0)))}`
      : null],
    ['User', event.user],
    ['Event id', event.id],
  ];
  list.replaceChildren(...rows.filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([name, value]) => h('div', null, h('dt', { text: name }), h('dd', { text: value }))));
}

/**
 * Reads the conversation: its summary with the first page of its events, then the rest in order (bounded), following
 * the cursor. The summary is a derived view, so a conversation just written may have none yet: then the events alone.
 */
export async function loadConversation(conversationId, signal) {
  let first;
  let summary = null;
  try {
    first = await api(`/api/conversations/${segment(conversationId)}${query({ limit: PAGE_SIZE })}`, { signal });
    summary = first.conversation;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    first = await eventsPage(conversationId, null, signal);
  }
  const events = [...(first.events ?? [])];
  let cursor = first.next_cursor;
  for (let requests = 1; cursor && requests < MAX_CONTEXT_REQUESTS && events.length < MAX_CONTEXT_EVENTS; requests++) {
    const page = await eventsPage(conversationId, cursor, signal);
    events.push(...(page.events ?? []));
    cursor = page.next_cursor;
  }
  return { events: events.slice(0, MAX_CONTEXT_EVENTS), complete: !cursor && events.length <= MAX_CONTEXT_EVENTS, summary };
}

const eventsPage = (conversationId, cursor, signal) =>
  api(`/api/events${query({ conversation_id: conversationId, order: 'asc', limit: PAGE_SIZE, cursor })}`, { signal });

/** "Title" · 12 events, 5 messages · 3,400 tokens: what the conversation's summary says, for the line under it. */
export function summaryLine(summary) {
  if (!summary) return '';
  const parts = [];
  if (summary.title) parts.push(`“${summary.title}”`);
  parts.push(`${count(summary.event_count)} ${summary.event_count === 1 ? 'event' : 'events'}, ${count(summary.message_count)} ${summary.message_count === 1 ? 'message' : 'messages'}`);
  if (summary.usage?.total_tokens) parts.push(`${count(summary.usage.total_tokens)} tokens`);
  return parts.join(' · ');
}

/** One list item per event; the claimed one is marked current. */
export function renderConversation(list, events, claimedId) {
  list.replaceChildren(...events.map((event) => eventItem(event, event.id === claimedId)));
}

function eventItem(event, claimed) {
  const role = chatRole(event);
  const text = role ? messageText(event) : null;
  const item = h('li', {
    class: `event ${text !== null ? `chat ${role}` : 'other'}${claimed ? ' current' : ''}`,
    tabindex: '-1',
    'aria-current': claimed ? 'true' : null,
    'data-event-id': event.id,
  });
  const heading = h('p', { class: 'event-head' },
    h('span', { class: 'event-kind', text: text !== null ? (role === 'user' ? 'User' : 'Assistant') : event.event_type }),
    h('span', { class: 'event-time', text: when(event.timestamp) }),
    event.model ? h('span', { class: 'event-model', text: event.model }) : null,
    claimed ? h('strong', { class: 'event-claimed', text: 'Claimed for review' }) : null);
  item.append(heading);
  if (text !== null) {
    item.append(h('p', { class: 'bubble', text }));
    item.append(h('details', { class: 'event-json' }, h('summary', { text: 'Event data' }), jsonView(event.data, { openDepth: 1 })));
  } else {
    item.append(h('details', { class: 'event-json', open: claimed }, h('summary', { text: `${event.event_type} data` }), jsonView(event.data, { openDepth: 2 })));
  }
  if (event.metadata && typeof event.metadata === 'object' && Object.keys(event.metadata).length > 0) {
    item.append(h('details', { class: 'event-json' }, h('summary', { text: 'Metadata' }), jsonView(event.metadata, { openDepth: 1 })));
  }
  return item;
}

/** The claimed event's artifacts: name, type and size; text-like ones up to 1 MiB previewed on demand, all downloadable. */
export async function renderArtifacts(list, status, event, signal) {
  list.replaceChildren();
  say(status, 'Loading artifacts…');
  const answer = await api(`/api/events/${segment(event.id)}/artifacts`, { signal });
  const artifacts = answer?.artifacts ?? [];
  say(status, artifacts.length === 0 ? 'This event has no artifacts.' : (answer.next_cursor ? `The first ${count(artifacts.length)} artifacts, by name.` : ''));
  list.replaceChildren(...artifacts.map((artifact) => artifactItem(event, artifact)));
}

function artifactItem(event, artifact) {
  const path = `/api/events/${segment(event.id)}/artifacts/${segment(artifact.name)}`;
  const fetchBody = () => api(path, { raw: true });
  const status = h('p', { class: 'status', role: 'status' });
  const item = h('li', { class: 'artifact' },
    h('p', { class: 'artifact-name' }, h('span', { text: artifact.name }), ' ',
      h('span', { class: 'artifact-info', text: `${artifact.content_type ?? 'unknown type'} · ${bytes(artifact.size)}` })));
  const buttons = h('div', { class: 'buttons' });
  const previewable = isTextLike(artifact) && typeof artifact.size === 'number' && artifact.size <= PREVIEW_LIMIT;
  if (previewable) {
    const preview = h('pre', { class: 'artifact-preview', tabindex: '0', hidden: true });
    const button = h('button', { type: 'button', text: 'Preview', 'aria-expanded': 'false' });
    button.addEventListener('click', async () => {
      if (!preview.hidden) {
        preview.hidden = true;
        button.setAttribute('aria-expanded', 'false');
        return;
      }
      try {
        if (!preview.dataset.loaded) {
          say(status, 'Loading…');
          preview.textContent = await (await fetchBody()).text();
          preview.dataset.loaded = 'true';
        }
        say(status, '');
        preview.hidden = false;
        button.setAttribute('aria-expanded', 'true');
      } catch (error) {
        say(status, `Could not load it: ${error.message}`);
      }
    });
    buttons.append(button);
    item.append(buttons, preview);
  } else {
    item.append(buttons);
  }
  buttons.append(h('button', {
    type: 'button',
    text: 'Download',
    'aria-label': `Download ${artifact.name}`,
    onclick: async () => {
      try {
        say(status, 'Downloading…');
        saveBlob(await (await fetchBody()).blob(), artifact.name);
        say(status, '');
      } catch (error) {
        say(status, `Could not download it: ${error.message}`);
      }
    },
  }));
  item.append(status);
  return item;
}
