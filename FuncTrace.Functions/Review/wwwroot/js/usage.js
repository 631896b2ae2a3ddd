// Usage: tokens and cost per day for the last 30 days, by model, from api/usage (UTC days, as the API counts them).
import { api, query } from './api.js';
import { barChart, SERIES_COLOURS } from './chart.js';
import { byId, h, say } from './dom.js';
import { count, money, short } from './format.js';

const DAYS = 30;

export async function showUsage() {
  const status = byId('usage-status');
  const today = new Date();
  const days = Array.from({ length: DAYS }, (_, i) => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - (DAYS - 1 - i))).toISOString().slice(0, 10));
  say(status, 'Loading usage…');
  let report;
  try {
    report = await api(`/api/usage${query({ from: days[0], to: days[DAYS - 1], group_by: 'day' })}`);
  } catch (error) {
    say(status, `Usage could not be read: ${error.message}`);
    return;
  }
  const models = byModel(report.usage ?? [], days);
  const labels = days.map((day) => day.slice(5));
  barChart(byId('usage-tokens'), {
    labels,
    series: models.map((m) => ({ name: m.name, values: m.tokens })),
    title: 'Tokens per day by model',
    format: short,
  });
  barChart(byId('usage-cost'), {
    labels,
    series: models.map((m) => ({ name: m.name, values: m.cost })),
    title: 'Cost per day by model, USD',
    format: (n) => money(n).replace(/\.?0+$/, ''),
  });
  byId('usage-legend').replaceChildren(...models.map((m, i) => h('li', null,
    h('span', { class: `swatch series-${i % SERIES_COLOURS}`, 'aria-hidden': 'true' }), h('span', { text: m.name }))));
  byId('usage-table').tBodies[0].replaceChildren(...models.map((m) => h('tr', null,
    h('th', { scope: 'row', text: m.name }),
    h('td', { class: 'hide-narrow', text: count(m.prompt) }),
    h('td', { class: 'hide-narrow', text: count(m.completion) }),
    h('td', { text: count(m.total) }),
    h('td', { text: m.priced ? money(m.totalCost) : 'no price known' }))));
  const unpriced = (report.totals?.unpriced_models ?? []).map((model) => model || '(no model)');
  say(status, models.length === 0
    ? `No token usage recorded from ${days[0]} to ${days[DAYS - 1]} (UTC).`
    : `${days[0]} to ${days[DAYS - 1]} (UTC days).${unpriced.length ? ` No price is known for ${unpriced.join(', ')}: ${unpriced.length === 1 ? 'its' : 'their'} cost counts as zero.` : ''}`);
}

/** Sums the report's lines (one per day, user and model) into one series per model, busiest first; the rest as one. */
function byModel(lines, days) {
  const index = new Map(days.map((day, i) => [day, i]));
  const models = new Map();
  for (const line of lines) {
    const day = index.get(String(line.period).slice(0, 10));
    if (day === undefined) continue;
    const name = line.model || '(no model)';
    if (!models.has(name)) models.set(name, { name, tokens: days.map(() => 0), cost: days.map(() => 0), prompt: 0, completion: 0, total: 0, totalCost: 0, priced: true });
    const model = models.get(name);
    const total = line.total_tokens ?? (line.prompt_tokens ?? 0) + (line.completion_tokens ?? 0);
    model.tokens[day] += total;
    model.prompt += line.prompt_tokens ?? 0;
    model.completion += line.completion_tokens ?? 0;
    model.total += total;
    if (typeof line.cost === 'number') {
      model.cost[day] += line.cost;
      model.totalCost += line.cost;
    } else {
      model.priced = false;
    }
  }
  const sorted = [...models.values()].sort((a, b) => b.total - a.total);
  if (sorted.length <= SERIES_COLOURS) return sorted;
  const rest = sorted.slice(SERIES_COLOURS - 1);
  const other = { name: `${rest.length} other models`, tokens: days.map(() => 0), cost: days.map(() => 0), prompt: 0, completion: 0, total: 0, totalCost: 0, priced: rest.every((m) => m.priced) };
  for (const m of rest) {
    m.tokens.forEach((v, i) => { other.tokens[i] += v; });
    m.cost.forEach((v, i) => { other.cost[i] += v; });
    other.prompt += m.prompt;
    other.completion += m.completion;
    other.total += m.total;
    other.totalCost += m.totalCost;
  }
  return [...sorted.slice(0, SERIES_COLOURS - 1), other];
}
