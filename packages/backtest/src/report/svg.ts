import { escapeHtml } from '@trade-r1/core';

// One escaping implementation for the report and the verification page: @trade-r1/core's.
export { escapeHtml } from '@trade-r1/core';

/** One line of a chart. */
export interface ChartSeries {
  /** Legend label. */
  label: string;
  /** Values, one per x position (non-finite values break the line). */
  values: ArrayLike<number>;
  /** Stroke colour. */
  color: string;
  /** Fill the area between the line and zero. */
  area?: boolean;
  /** Dashed stroke. */
  dashed?: boolean;
}

/** Settings of {@link lineChart}. */
export interface LineChartSettings {
  /** Chart title (drawn above the plot). */
  title: string;
  /** Dates of the x axis (one per value). */
  dates: readonly string[];
  /** The lines. */
  series: readonly ChartSeries[];
  /** Formats a y tick. */
  format: (value: number) => string;
  /** Pixel width. @default 1080 */
  width?: number;
  /** Pixel height. @default 260 */
  height?: number;
  /** Include zero in the y range. @default false */
  includeZero?: boolean;
}

const MAX_POINTS = 1200;

/** Indices to draw: all of them, or per bucket the first, min and max so that spikes survive downsampling. */
function sampleIndices(values: ArrayLike<number>, count: number): number[] {
  if (count <= MAX_POINTS) return Array.from({ length: count }, (_, index) => index);
  const buckets = Math.floor(MAX_POINTS / 3);
  const size = count / buckets;
  const indices: number[] = [];
  for (let bucket = 0; bucket < buckets; bucket += 1) {
    const from = Math.floor(bucket * size);
    const to = Math.min(count, Math.floor((bucket + 1) * size));
    let low = from;
    let high = from;
    for (let index = from; index < to; index += 1) {
      if ((values[index] as number) < (values[low] as number)) low = index;
      if ((values[index] as number) > (values[high] as number)) high = index;
    }
    for (const index of [...new Set([from, low, high])].sort((left, right) => left - right)) indices.push(index);
  }
  if (indices[indices.length - 1] !== count - 1) indices.push(count - 1);
  return indices;
}

function niceTicks(min: number, max: number, target = 5): number[] {
  const span = max - min || Math.abs(max) || 1;
  const rough = span / target;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step =
    [1, 2, 2.5, 5, 10].map((factor) => factor * power).find((candidate) => span / candidate <= target) ?? power * 10;
  const ticks: number[] = [];
  for (let value = Math.ceil(min / step) * step; value <= max + step * 1e-9; value += step)
    ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

/** A self-contained SVG line chart (no scripts, no external references). */
export function lineChart(settings: LineChartSettings): string {
  const width = settings.width ?? 1080;
  const height = settings.height ?? 260;
  const margin = { top: 34, right: 16, bottom: 28, left: 64 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const count = settings.dates.length;
  let min = settings.includeZero ? 0 : Number.POSITIVE_INFINITY;
  let max = settings.includeZero ? 0 : Number.NEGATIVE_INFINITY;
  for (const series of settings.series) {
    for (let index = 0; index < series.values.length; index += 1) {
      const value = series.values[index] as number;
      if (!Number.isFinite(value)) continue;
      if (value < min) min = value;
      if (value > max) max = value;
    }
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    min = 0;
    max = 1;
  }
  if (max - min < 1e-12) {
    max += Math.abs(max) * 0.05 || 0.5;
    min -= Math.abs(min) * 0.05 || 0.5;
  }
  const pad = (max - min) * 0.04;
  min -= pad;
  max += pad;
  const x = (index: number): number => margin.left + (count <= 1 ? 0 : (index / (count - 1)) * plotWidth);
  const y = (value: number): number => margin.top + (1 - (value - min) / (max - min)) * plotHeight;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(settings.title)}">`,
  );
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(
    `<text x="${margin.left}" y="18" font-size="14" font-weight="600" fill="#111827">${escapeHtml(settings.title)}</text>`,
  );
  for (const tick of niceTicks(min, max)) {
    const ty = y(tick).toFixed(1);
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${ty}" y2="${ty}" stroke="#e5e7eb"/>`);
    parts.push(
      `<text x="${margin.left - 6}" y="${ty}" font-size="11" fill="#4b5563" text-anchor="end" dominant-baseline="middle">${escapeHtml(settings.format(tick))}</text>`,
    );
  }
  const xTicks = Math.min(8, count);
  for (let tick = 0; tick < xTicks; tick += 1) {
    const index = xTicks === 1 ? 0 : Math.round((tick / (xTicks - 1)) * (count - 1));
    const tx = x(index).toFixed(1);
    parts.push(`<line x1="${tx}" x2="${tx}" y1="${margin.top}" y2="${height - margin.bottom}" stroke="#f3f4f6"/>`);
    parts.push(
      `<text x="${tx}" y="${height - 8}" font-size="11" fill="#4b5563" text-anchor="${tick === 0 ? 'start' : tick === xTicks - 1 ? 'end' : 'middle'}">${escapeHtml(settings.dates[index] ?? '')}</text>`,
    );
  }
  if (min < 0 && max > 0) {
    const zero = y(0).toFixed(1);
    parts.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${zero}" y2="${zero}" stroke="#9ca3af"/>`);
  }
  let legendX = width - margin.right;
  const legend: string[] = [];
  for (const series of [...settings.series].reverse()) {
    const label = escapeHtml(series.label);
    const labelWidth = 14 + series.label.length * 6.5;
    legendX -= labelWidth + 14;
    legend.push(
      `<rect x="${legendX.toFixed(1)}" y="9" width="10" height="10" fill="${series.color}"/><text x="${(legendX + 14).toFixed(1)}" y="18" font-size="12" fill="#374151">${label}</text>`,
    );
  }
  for (const series of settings.series) {
    const indices = sampleIndices(series.values, Math.min(series.values.length, count));
    const segments: string[][] = [];
    let current: string[] = [];
    for (const index of indices) {
      const value = series.values[index] as number;
      if (!Number.isFinite(value)) {
        if (current.length > 0) segments.push(current);
        current = [];
        continue;
      }
      current.push(`${x(index).toFixed(1)},${y(value).toFixed(1)}`);
    }
    if (current.length > 0) segments.push(current);
    for (const points of segments) {
      if (series.area && points.length > 1) {
        const baseline = y(Math.min(Math.max(0, min), max)).toFixed(1);
        const first = (points[0] as string).split(',')[0];
        const last = (points[points.length - 1] as string).split(',')[0];
        parts.push(
          `<polygon points="${first},${baseline} ${points.join(' ')} ${last},${baseline}" fill="${series.color}" fill-opacity="0.18" stroke="none"/>`,
        );
      }
      parts.push(
        `<polyline points="${points.join(' ')}" fill="none" stroke="${series.color}" stroke-width="1.6"${series.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
      );
    }
  }
  parts.push(...legend);
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#d1d5db"/>`,
  );
  parts.push('</svg>');
  return parts.join('');
}
