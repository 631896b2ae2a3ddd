// Eval runs: start a batch scoring job, watch it live over EventSource (a progress bar, results as they land, a score
// histogram), pick it up again after a reload from the last event seen, download the results, and list past jobs.
import { api, ApiError, query, saveBlob, segment } from './api.js';
import { barChart } from './chart.js';
import { byId, h, say } from './dom.js';
import { count, when } from './format.js';
import { has } from './session.js';
import { csvField, parseTests } from './tests-file.js';

const WATCHING = 'functrace.run';
const RECONNECT_MS = [1000, 2000, 5000, 10000];
const PAST_LIMIT = 20;
// The stream carries scores; the reasoning comes with the job's status, read again at most this often while it runs.
const REASONING_REFRESH_MS = 3000;

const run = {
  jobId: null,
  total: 0,
  done: 0,
  results: new Map(), // test id -> {id, score, reasoning, error}
  source: null,
  lastEventId: null,
  failures: 0,
  finished: false,
  reasoningTimer: null,
};
let pastCursor = null;

export function initRuns() {
  byId('run-form').addEventListener('submit', (event) => {
    event.preventDefault();
    startRun();
  });
  byId('tests-file').addEventListener('change', () => summarizeTests());
  byId('tests-json').addEventListener('input', () => summarizeTests());
  byId('download-csv').addEventListener('click', () => download('csv'));
  byId('download-json').addEventListener('click', () => download('json'));
  byId('past-runs-more').addEventListener('click', () => loadPastRuns(pastCursor));
}

export function showRuns() {
  const allowed = has('ingest');
  byId('runs-role').hidden = allowed;
  byId('runs-work').hidden = !allowed;
  if (!allowed) {
    say(byId('runs-role'), 'This key does not have the ingest role, so it cannot start or follow eval runs. Sign in with a key that has "ingest".');
    return;
  }
  loadPastRuns(null);
  const saved = savedRun();
  if (saved && saved.jobId !== run.jobId) openRun(saved.jobId, saved.lastEventId);
}

export function resetRuns() {
  stopStream();
  clearTimeout(run.reasoningTimer);
  run.reasoningTimer = null;
  Object.assign(run, { jobId: null, total: 0, done: 0, results: new Map(), lastEventId: null, failures: 0, finished: false });
  byId('run').hidden = true;
}

function savedRun() {
  try {
    return JSON.parse(sessionStorage.getItem(WATCHING) ?? 'null');
  } catch {
    return null;
  }
}

function remember() {
  sessionStorage.setItem(WATCHING, JSON.stringify({ jobId: run.jobId, lastEventId: run.lastEventId }));
}

async function readTests() {
  const file = byId('tests-file').files[0];
  if (file) return parseTests(await file.text(), file.name);
  return parseTests(byId('tests-json').value);
}

async function summarizeTests() {
  const summary = byId('tests-summary');
  try {
    const tests = await readTests();
    say(summary, `${count(tests.length)} ${tests.length === 1 ? 'test' : 'tests'} ready.`);
  } catch (error) {
    say(summary, byId('tests-file').files[0] || byId('tests-json').value.trim() ? error.message : '');
  }
}

async function startRun() {
  const error = byId('run-form-error');
  say(error, '');
  let tests;
  try {
    tests = await readTests();
  } catch (problem) {
    say(error, problem.message);
    return;
  }
  const judgingMatrix = byId('matrix').value.trim();
  if (!judgingMatrix) {
    say(error, 'Write the judging matrix: how the judge should score each test.');
    byId('matrix').focus();
    return;
  }
  try {
    // The streaming POST answers with the job id in its headers at once; the page then follows the job's own events URL.
    const response = await api('/api/batchScore', {
      method: 'POST',
      raw: true,
      headers: { Accept: 'text/event-stream', 'Idempotency-Key': crypto.randomUUID() },
      body: { judgingMatrix, tests },
    });
    const jobId = response.headers.get('X-Job-Id');
    // Without a job the stream holds one error event (no judge configured, say): its message is the reason.
    if (!jobId) throw new Error(streamError(await response.text()) ?? 'The service did not say which job it started.');
    response.body?.cancel().catch(() => {});
    await openRun(jobId, null, tests.length);
    loadPastRuns(null);
  } catch (problem) {
    say(error, `The run did not start: ${problem.message}`);
  }
}

/** The message of the first error event in an event-stream body, if there is one. */
function streamError(text) {
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    try {
      const data = JSON.parse(line.slice(5));
      if (data.type === 'error' && typeof data.error === 'string') return data.error;
    } catch {
      // Not JSON: not an event of this API.
    }
  }
  return null;
}

/** Shows a job: what is stored so far, then its live events from `lastEventId` on (unless it has finished). */
async function openRun(jobId, lastEventId, total = 0) {
  stopStream();
  Object.assign(run, { jobId, total, done: 0, results: new Map(), lastEventId, failures: 0, finished: false });
  remember();
  byId('run').hidden = false;
  byId('run-title').textContent = `Run ${jobId}`;
  byId('run-results').tBodies[0].replaceChildren();
  renderProgress('Loading…');
  try {
    const job = await api(`/api/batchScore/${segment(jobId)}`);
    applyStatus(job);
    if (isFinished(job.status)) {
      finish(job);
      return;
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      sessionStorage.removeItem(WATCHING);
      renderProgress('This job no longer exists.');
      return;
    }
    renderProgress(`The job could not be read (${error.message}); following its events anyway.`);
  }
  connect();
}

const isFinished = (status) => ['completed', 'failed', 'cancelled'].includes(status);

function applyStatus(job) {
  run.total = job.total ?? run.total;
  for (const result of job.results ?? []) run.results.set(result.id, { id: result.id, score: result.score, reasoning: result.reasoning ?? '' });
  for (const failure of job.failures ?? []) run.results.set(failure.id, { id: failure.id, score: null, error: failure.error ?? 'failed' });
  run.done = Math.max(run.done, job.completed ?? run.results.size);
  renderResults();
}

/** Opens the job's EventSource with a stream token: EventSource cannot send the key, so the URL carries a short-lived token for this one stream. */
async function connect() {
  const jobId = run.jobId;
  const path = `/api/batchScore/${segment(jobId)}/events`;
  let grant;
  try {
    grant = await api('/api/stream-tokens', { method: 'POST', body: { path } });
  } catch (error) {
    retryLater(`Live progress is unavailable (${error.message}); retrying…`);
    return;
  }
  if (jobId !== run.jobId) return;
  const url = run.lastEventId ? `${grant.url}&${query({ lastEventId: run.lastEventId }).slice(1)}` : grant.url;
  const source = new EventSource(url);
  run.source = source;
  source.onopen = () => {
    run.failures = 0;
  };
  source.onmessage = (message) => onEvent(source, message);
  source.onerror = () => {
    if (run.source !== source || run.finished) return;
    // CONNECTING: the browser retries by itself, with Last-Event-ID. CLOSED: refused (a token past its time): a new token.
    if (source.readyState === EventSource.CLOSED) {
      source.close();
      run.source = null;
      retryLater('The stream was cut; reconnecting…');
    }
  };
}

function retryLater(message) {
  if (run.finished) return;
  renderProgress(message);
  const delay = RECONNECT_MS[Math.min(run.failures, RECONNECT_MS.length - 1)];
  run.failures += 1;
  const jobId = run.jobId;
  setTimeout(() => {
    if (run.jobId === jobId && !run.finished && run.source === null) connect();
  }, delay);
}

function onEvent(source, message) {
  if (run.source !== source) return;
  let data;
  try {
    data = JSON.parse(message.data);
  } catch {
    return;
  }
  if (message.lastEventId) run.lastEventId = message.lastEventId;
  switch (data.type) {
    case 'progress':
      run.total = data.total ?? run.total;
      run.done = Math.max(run.done, data.current ?? 0);
      renderProgress();
      break;
    case 'result': {
      const result = data.result ?? {};
      run.results.set(result.id, { id: result.id, score: result.score ?? null, error: result.error, reasoning: run.results.get(result.id)?.reasoning ?? '' });
      run.done = Math.max(run.done, run.results.size);
      renderResults();
      fetchReasoningSoon();
      break;
    }
    case 'complete':
      stopStream();
      run.done = run.total || run.results.size;
      api(`/api/batchScore/${segment(run.jobId)}`).then(finish, () => finish({ status: 'completed' }));
      break;
    case 'error':
      // Cancelled or failed: the job's status says which.
      stopStream();
      api(`/api/batchScore/${segment(run.jobId)}`).then(finish, () => finish({ status: 'failed', error: data.error }));
      break;
    default:
      break;
  }
  remember();
}

/** Reads the job's status (with each result's reasoning) once the current burst of results has passed. */
function fetchReasoningSoon() {
  if (run.reasoningTimer !== null) return;
  const jobId = run.jobId;
  run.reasoningTimer = setTimeout(async () => {
    run.reasoningTimer = null;
    if (run.jobId !== jobId || run.finished) return;
    try {
      applyStatus(await api(`/api/batchScore/${segment(jobId)}`));
    } catch {
      // The reasoning waits for the next read; scores and progress come from the stream.
    }
  }, REASONING_REFRESH_MS);
}

function finish(job) {
  run.finished = true;
  if (job.results || job.failures) applyStatus(job);
  remember();
  if (job.status === 'completed') {
    run.done = run.total || run.results.size;
    renderProgress(`Finished: ${count(scored().length)} scored, ${count(failed().length)} failed.`);
  } else {
    renderProgress(job.status === 'cancelled' ? 'This run was cancelled.' : `This run failed: ${sentence(job.error ?? 'no reason given')}`);
  }
  loadPastRuns(null);
}

const sentence = (text) => (/[.!?]$/.test(text) ? text : `${text}.`);

function stopStream() {
  run.source?.close();
  run.source = null;
}

const scored = () => [...run.results.values()].filter((r) => typeof r.score === 'number');
const failed = () => [...run.results.values()].filter((r) => typeof r.score !== 'number');

/** The watched job's row among the past runs follows its progress. */
function renderPastRow() {
  const row = [...byId('past-runs-table').tBodies[0].rows].find((r) => r.dataset.jobId === run.jobId);
  if (!row || run.total === 0) return;
  if (!run.finished) row.querySelector('.job-status').textContent = 'running';
  row.querySelector('.job-tests').textContent = `${count(run.done)} / ${count(run.total)}`;
}

function renderProgress(message) {
  const progress = byId('run-progress');
  const percent = run.total > 0 ? Math.min(100, Math.round((run.done / run.total) * 100)) : 0;
  progress.value = percent;
  progress.setAttribute('aria-valuetext', `${percent}%`);
  const line = run.total > 0 ? `${count(run.done)} of ${count(run.total)} tests done (${percent}%)` : 'Waiting for the first result';
  say(byId('run-state'), message ? `${line}. ${message}` : `${line}.`);
  byId('run-histogram-caption').textContent = run.finished ? 'Scores (1–10)' : 'Scores so far (1–10)';
  renderPastRow();
}

function renderResults() {
  const rows = [...run.results.values()].sort((a, b) => a.id - b.id);
  byId('run-results').tBodies[0].replaceChildren(...rows.map((r) => h('tr', { class: typeof r.score === 'number' ? null : 'failed' },
    h('td', { text: r.id }),
    h('td', { text: typeof r.score === 'number' ? r.score : 'failed' }),
    h('td', { class: 'text', text: typeof r.score === 'number' ? (r.reasoning ?? '') : (r.error ?? '') }))));
  const histogram = Array.from({ length: 10 }, (_, i) => scored().filter((r) => Math.round(r.score) === i + 1).length);
  barChart(byId('run-histogram'), {
    labels: histogram.map((_, i) => String(i + 1)),
    series: [{ name: 'tests', values: histogram }],
    title: `Score histogram: ${histogram.map((n, i) => `${i + 1}: ${n}`).join(', ')}`,
    integer: true,
  });
  renderProgress();
}

function download(kind) {
  const rows = [...run.results.values()].sort((a, b) => a.id - b.id)
    .map((r) => ({ id: r.id, score: typeof r.score === 'number' ? r.score : null, reasoning: r.reasoning ?? '', error: r.error ?? '' }));
  const name = `${run.jobId ?? 'run'}-results.${kind}`;
  if (kind === 'json') {
    saveBlob(new Blob([JSON.stringify({ jobId: run.jobId, results: rows }, null, 2)], { type: 'application/json' }), name);
    return;
  }
  const lines = ['id,score,reasoning,error', ...rows.map((r) => [r.id, r.score ?? '', r.reasoning, r.error].map(csvField).join(','))];
  saveBlob(new Blob([lines.join('\r\n') + '\r\n'], { type: 'text/csv' }), name);
}

async function loadPastRuns(cursor) {
  const body = byId('past-runs-table').tBodies[0];
  const status = byId('past-runs-status');
  try {
    const page = await api(`/api/batchScore${query({ limit: PAST_LIMIT, cursor })}`);
    const rows = (page.jobs ?? []).map((job) => h('tr', { 'data-job-id': job.jobId },
      h('td', { class: 'text' }, h('button', { type: 'button', class: 'link mono', text: job.jobId, 'aria-label': `Open run ${job.jobId}`, onclick: () => openRun(job.jobId, null) })),
      h('td', { class: 'hide-narrow', text: when(job.createdAt) }),
      h('td', { class: 'job-status', text: job.status }),
      h('td', { class: 'job-tests', text: `${count(job.completed ?? 0)} / ${count(job.total ?? 0)}` })));
    if (cursor) body.append(...rows); else body.replaceChildren(...rows);
    renderPastRow();
    pastCursor = page.nextCursor ?? null;
    byId('past-runs-more').hidden = !pastCursor;
    say(status, body.rows.length === 0 ? 'No runs yet.' : '');
  } catch (error) {
    say(status, `Past runs could not be read: ${error.message}`);
  }
}
