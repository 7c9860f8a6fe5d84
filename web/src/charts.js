// Small SVG charts a patient can read: bars for sets done per week, a line for a score over time. Each has a
// y axis with its scale, x labels, the value on every bar or point, and its reference line named on the chart
// (the adherence mark, the pain limit). A text summary for screen readers (role="img" with a label) and a list
// of the values beneath say the same in words.
import { html } from './ui.js';

const W = 340; // drawing width; the SVG scales to the screen
const H = 150; // plot height
const LEFT = 42; // room for the y axis' numbers ("100%")
const TOP = 24; // room for the axis title, and for the value over the highest bar below it
const BOTTOM = 20; // room for the x labels

/** The y axis: a tick line and number at each of ``ticks``, with the axis' name above. */
function YAxis({ ticks, y, format, title }) {
  return html`<g class="y-axis">
    <line x1=${LEFT} y1=${TOP} x2=${LEFT} y2=${TOP + H} class="axis" />
    ${ticks.map((v) => html`<g key=${v}>
      <line x1=${LEFT - 4} y1=${y(v)} x2=${W} y2=${y(v)} class="grid" />
      <text x=${LEFT - 6} y=${y(v) + 4} text-anchor="end">${format(v)}</text>
    </g>`)}
    ${title && html`<text x="0" y="11" class="axis-title">${title}</text>`}
  </g>`;
}

/** A dashed reference line across the plot, its name written at its right end. */
function Reference({ y, label }) {
  return html`<g class="reference" data-testid="reference-line">
    <line x1=${LEFT} y1=${y} x2=${W} y2=${y} class="target" />
    <text x=${W - 2} y=${y - 4} text-anchor="end" class="target-label">${label}</text>
  </g>`;
}

/** Bars on 0–``max``; ``target`` (with ``targetLabel``) draws the reference line; ``format`` writes a value. */
export function BarChart({ label, bars, max = 1, format = (v) => `${Math.round(v * 100)}%`, target, targetLabel, yTitle }) {
  const y = (v) => TOP + H * (1 - Math.min(v ?? 0, max) / max);
  const step = (W - LEFT) / Math.max(bars.length, 1);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * max);
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${W} ${TOP + H + BOTTOM}`} role="img" aria-label=${label}>
      <${YAxis} ticks=${ticks} y=${y} format=${format} title=${yTitle} />
      <line x1=${LEFT} y1=${TOP + H} x2=${W} y2=${TOP + H} class="axis" />
      ${bars.map((bar, i) => {
        const top = y(bar.value);
        const x = LEFT + i * step;
        return html`<g key=${bar.label}>
          <rect x=${x + step * 0.15} y=${top} width=${step * 0.7} height=${TOP + H - top} class="bar" />
          <text x=${x + step / 2} y=${top - 3} text-anchor="middle" class="value">${format(bar.value ?? 0)}</text>
          <text x=${x + step / 2} y=${TOP + H + 15} text-anchor="middle">${bar.label}</text>
        </g>`;
      })}
      ${target != null && html`<${Reference} y=${y(target)} label=${targetLabel} />`}
    </svg>
    <figcaption>${label}</figcaption>
    <ul class="values">${bars.map((bar) => html`<li key=${bar.label}>${bar.text ?? `${bar.label}: ${format(bar.value ?? 0)}`}</li>`)}</ul>
  </figure>`;
}

/** A line of ``points`` ({label, value, text?}) on ``min``–``max`` with ``ticks``; ``line`` (with ``lineLabel``)
 * draws the reference line. The x axis names the first and the last point (and the middle one when many). */
export function LineChart({ label, points, min = 0, max = 10, ticks, line, lineLabel, yTitle, note }) {
  const span = W - LEFT - 24;
  const x = (i) => (points.length > 1 ? LEFT + 12 + (i * span) / (points.length - 1) : LEFT + 12 + span / 2);
  const y = (v) => TOP + H - ((v - min) / (max - min)) * H;
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const named = new Set([0, points.length - 1, points.length > 4 ? Math.floor((points.length - 1) / 2) : 0]);
  const valued = points.length <= 12 ? points.map((_, i) => i) : [...named]; // every value while they fit
  const scale = ticks ?? [min, (min + max) / 2, max];
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${W} ${TOP + H + BOTTOM}`} role="img" aria-label=${label}>
      <${YAxis} ticks=${scale} y=${y} format=${(v) => `${v}`} title=${yTitle} />
      <line x1=${LEFT} y1=${TOP + H} x2=${W} y2=${TOP + H} class="axis" />
      ${line != null && html`<${Reference} y=${y(line)} label=${lineLabel} />`}
      <path d=${path} class="line" />
      ${points.map((p, i) => html`<circle key=${i} cx=${x(i)} cy=${y(p.value)} r="4" class="dot" />`)}
      ${valued.map((i) => html`<text key=${`v${i}`} x=${x(i)} y=${y(points[i].value) - 8} text-anchor="middle" class="value">${points[i].value}</text>`)}
      ${[...named].map((i) => {
        // the last label ends at the chart's right edge (centred under its point, "30. nov." ran off it)
        const last = i === points.length - 1 && points.length > 1;
        return html`<text key=${`x${i}`} x=${last ? W : x(i)} y=${TOP + H + 15} text-anchor=${last ? 'end' : 'middle'}>${points[i].label}</text>`;
      })}
    </svg>
    <figcaption>${label}</figcaption>
    ${note && html`<p class="chart-note">${note}</p>`}
    <ul class="values">${points.map((p, i) => html`<li key=${i}>${p.text ?? `${p.label}: ${p.value}`}</li>`)}</ul>
  </figure>`;
}
