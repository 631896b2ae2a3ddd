// Small SVG bar charts (stacked when there are several series), drawn to the width of their container and redrawn
// when it changes. Labels are text nodes; colours come from the stylesheet's series-N classes.
import { svg } from './dom.js';
import { short } from './format.js';

export const SERIES_COLOURS = 8;

/**
 * Draws into `container`: `labels` along the x axis, `series` [{name, values}] stacked in each bar.
 * `format` writes values; `integer` keeps the axis to whole numbers (counts).
 */
export function barChart(container, { labels, series, title, format = short, integer = false }) {
  const draw = () => container.replaceChildren(render(container.clientWidth || 640, { labels, series, title, format, integer }));
  container._chartObserver?.disconnect();
  const observer = new ResizeObserver(() => draw());
  observer.observe(container);
  container._chartObserver = observer;
  draw();
}

function render(width, { labels, series, title, format, integer }) {
  const height = Math.max(180, Math.min(280, Math.round(width * 0.45)));
  const margin = { top: 12, right: 8, bottom: 28, left: 48 };
  const plotWidth = Math.max(10, width - margin.left - margin.right);
  const plotHeight = height - margin.top - margin.bottom;
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = integer ? Math.max(1, Math.ceil(niceMax(Math.max(0, ...totals)))) : niceMax(Math.max(0, ...totals));
  const ticks = !integer ? 4 : max <= 4 ? max : [4, 5, 2].find((t) => max % t === 0) ?? 1;
  const band = plotWidth / Math.max(1, labels.length);
  const barWidth = Math.max(2, band * 0.72);
  const y = (value) => margin.top + plotHeight - (max === 0 ? 0 : (value / max) * plotHeight);
  const labelWidth = 8 + 7 * Math.max(1, ...labels.map((label) => label.length));
  const every = Math.max(1, Math.ceil(labels.length / Math.max(1, Math.floor(plotWidth / labelWidth))));

  const chart = svg('svg', { class: 'bar-chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': title });
  chart.append(svg('title', { text: title }));
  for (let tick = 0; tick <= ticks; tick++) {
    const value = (max / ticks) * tick;
    chart.append(
      svg('line', { class: 'grid', x1: margin.left, x2: width - margin.right, y1: y(value), y2: y(value) }),
      svg('text', { class: 'axis', x: margin.left - 6, y: y(value) + 4, 'text-anchor': 'end', text: integer ? String(Math.round(value)) : format(value) }));
  }
  labels.forEach((label, i) => {
    const x = margin.left + band * i + (band - barWidth) / 2;
    let base = 0;
    series.forEach((s, index) => {
      const value = s.values[i] ?? 0;
      if (value <= 0) return;
      chart.append(svg('rect', { class: `bar series-${index % SERIES_COLOURS}`, x, width: barWidth, y: y(base + value), height: Math.max(0.5, y(base) - y(base + value)) },
        svg('title', { text: `${label} · ${s.name}: ${format(value)}` })));
      base += value;
    });
    if (i % every === 0) {
      chart.append(svg('text', { class: 'axis', x: x + barWidth / 2, y: height - 8, 'text-anchor': 'middle', text: label }));
    }
  });
  return chart;
}

function niceMax(value) {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * magnitude >= value) ?? 10;
  return step * magnitude;
}
