// Small SVG charts a patient can read: bars for sets done per week, a line for a score over time. Each has a
// text summary for screen readers (role="img" with a label) and a list of values beneath.
import { html } from './ui.js';

export function BarChart({ label, bars, max = 1, format = (v) => `${Math.round(v * 100)}%` }) {
  const w = 320;
  const hgt = 140;
  const step = bars.length ? w / bars.length : w;
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${w} ${hgt + 20}`} role="img" aria-label=${label}>
      <line x1="0" y1=${hgt} x2=${w} y2=${hgt} class="axis" />
      <line x1="0" y1=${hgt * (1 - 0.8 / max)} x2=${w} y2=${hgt * (1 - 0.8 / max)} class="target" />
      ${bars.map((bar, i) => {
        const y = hgt * (1 - Math.min(bar.value ?? 0, max) / max);
        return html`<g key=${bar.label}>
          <rect x=${i * step + step * 0.15} y=${y} width=${step * 0.7} height=${hgt - y} class="bar" />
          <text x=${i * step + step / 2} y=${hgt + 15} text-anchor="middle">${bar.label}</text>
        </g>`;
      })}
    </svg>
    <figcaption>${label}</figcaption>
    <ul class="values">${bars.map((bar) => html`<li key=${bar.label}>${bar.text ?? `${bar.label}: ${format(bar.value ?? 0)}`}</li>`)}</ul>
  </figure>`;
}

export function LineChart({ label, points, min = 0, max = 10, line }) {
  const w = 320;
  const hgt = 140;
  const x = (i) => (points.length > 1 ? (i * (w - 20)) / (points.length - 1) + 10 : w / 2);
  const y = (v) => hgt - ((v - min) / (max - min)) * hgt;
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${w} ${hgt + 20}`} role="img" aria-label=${label}>
      <line x1="0" y1=${hgt} x2=${w} y2=${hgt} class="axis" />
      ${line != null && html`<line x1="0" y1=${y(line)} x2=${w} y2=${y(line)} class="target" />`}
      <path d=${path} class="line" />
      ${points.map((p, i) => html`<circle key=${i} cx=${x(i)} cy=${y(p.value)} r="4" class="dot" />`)}
    </svg>
    <figcaption>${label}</figcaption>
    <ul class="values">${points.map((p, i) => html`<li key=${i}>${p.label}: ${p.value}</li>`)}</ul>
  </figure>`;
}
