/** A small line chart of the last minutes of lag and rate, drawn as SVG elements (no markup parsing). */
import { svg } from './dom';

export interface Sample {
  readonly at: number;
  readonly behind: number;
  readonly lagSeconds: number | null;
  readonly eventsPerSecond: number;
}

export const WIDTH = 120;
export const HEIGHT = 28;

/**
 * Points of a polyline for `values` over the width, each scaled to the series' own maximum (a flat zero
 * line sits at the bottom). Pure; `x,y` pairs with one decimal.
 */
export function sparklinePoints(values: readonly number[], width = WIDTH, height = HEIGHT): string {
  if (values.length === 0) return '';
  const max = Math.max(...values.map((v) => (Number.isFinite(v) ? v : 0)), 0);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const pad = 2;
  return values
    .map((value, index) => {
      const v = Number.isFinite(value) ? Math.max(0, value) : 0;
      const y = max === 0 ? height - pad : height - pad - (v / max) * (height - 2 * pad);
      return `${(index * step).toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}

/** An SVG with the lag (events behind) and rate lines; its label says the figures in words. */
export function sparkline(samples: readonly Sample[]): SVGElement {
  const behind = samples.map((s) => s.behind);
  const rates = samples.map((s) => s.eventsPerSecond);
  const minutes =
    samples.length > 1 ? Math.round((samples[samples.length - 1]!.at - samples[0]!.at) / 60_000) : 0;
  const label =
    samples.length < 2
      ? 'not enough samples yet'
      : `over the last ${minutes < 1 ? 'minute' : `${minutes} min`}: events behind from ${behind[0]} to ` +
        `${behind[behind.length - 1]} (max ${Math.max(...behind)}), rate up to ${Math.max(...rates).toFixed(1)}/s`;
  return svg(
    'svg',
    {
      class: 'sparkline',
      width: WIDTH,
      height: HEIGHT,
      viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
      role: 'img',
      'aria-label': `Lag and rate trend, ${label}`,
    },
    svg('title', {}, `Lag (events behind, red) and rate (events/s, blue), ${label}`),
    samples.length < 2 ? null : svg('polyline', { class: 'spark-rate', points: sparklinePoints(rates) }),
    samples.length < 2 ? null : svg('polyline', { class: 'spark-lag', points: sparklinePoints(behind) }),
  );
}
