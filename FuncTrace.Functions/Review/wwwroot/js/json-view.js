// Pretty-printed JSON that folds: objects and arrays are <details>, rendered when first opened, so a 5 MiB payload
// costs nothing until someone looks. Every key and value is text.
import { h } from './dom.js';

const PLAIN_LIMIT = 200_000;

/** A view of `value`; levels above `openDepth` start open. */
export function jsonView(value, { openDepth = 1, label } = {}) {
  return h('div', { class: 'json' }, node(value, 0, openDepth, label));
}

/** The whole value as indented text, for copying. */
export function jsonText(value) {
  return JSON.stringify(value, null, 2) ?? 'undefined';
}

function node(value, depth, openDepth, key) {
  if (value === null || typeof value !== 'object') {
    return h('div', { class: 'json-row' }, keyOf(key), scalar(value));
  }
  const isArray = Array.isArray(value);
  const entries = isArray ? value.map((v, i) => [i, v]) : Object.entries(value);
  const summary = h('summary', null, keyOf(key),
    h('span', { class: 'json-brace', text: isArray ? '[' : '{' }),
    h('span', { class: 'json-count', text: ` ${entries.length} ${isArray ? (entries.length === 1 ? 'item' : 'items') : (entries.length === 1 ? 'key' : 'keys')} ` }),
    h('span', { class: 'json-brace', text: isArray ? ']' : '}' }));
  const details = h('details', { class: 'json-node' }, summary);
  let rendered = false;
  const render = () => {
    if (rendered) return;
    rendered = true;
    const text = entries.length > 2000 ? JSON.stringify(value) : null;
    if (text !== null && text.length > PLAIN_LIMIT) {
      details.append(h('pre', { class: 'json-plain', text: text.slice(0, PLAIN_LIMIT) + ' …' }));
      return;
    }
    details.append(h('div', { class: 'json-children' }, entries.map(([k, v]) => node(v, depth + 1, openDepth, isArray ? k : JSON.stringify(k)))));
  };
  details.addEventListener('toggle', render);
  if (depth < openDepth) {
    details.open = true;
    render();
  }
  return details;
}

function keyOf(key) {
  return key === undefined ? null : h('span', { class: 'json-key', text: `${key}: ` });
}

function scalar(value) {
  const type = value === null ? 'null' : typeof value;
  const text = type === 'string' ? JSON.stringify(value) : String(value);
  return h('span', { class: `json-${type}`, text });
}
