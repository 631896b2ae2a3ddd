// DOM building without HTML strings: every piece of data becomes a text node or an attribute value, never markup.

/** An element: h('p', {class: 'x', text: data}, child, 'more text'). Props starting with "on" add listeners. */
export function h(tag, props, ...children) {
  return build(document.createElement(tag), props, children);
}

/** The same for SVG elements. */
export function svg(tag, props, ...children) {
  return build(document.createElementNS('http://www.w3.org/2000/svg', tag), props, children);
}

function build(element, props, children) {
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'text') element.textContent = String(value);
    else if (name === 'class') element.setAttribute('class', value);
    else if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

/** Appends nodes and strings (as text); skips null, undefined and false. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

export const byId = (id) => document.getElementById(id);

/** Shows a message in an element (hiding it when there is none). */
export function say(element, message) {
  element.textContent = message ?? '';
  if (element.hasAttribute('role') && element.getAttribute('role') === 'alert') element.hidden = !message;
}
