/** How numbers, durations and log positions read in the console. Pure functions, unit-tested. */
import type { ShapeChange } from './types';

/** Log positions travel as decimal strings (64-bit); grouped for reading, never parsed into a float. */
export function position(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '–';
  return /^\d+$/.test(value) ? value.replace(/\B(?=(\d{3})+(?!\d))/g, ' ') : value;
}

export function count(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return Math.round(value).toLocaleString('en-US').replace(/,/g, ' ');
}

export function rate(eventsPerSecond: number | null | undefined): string {
  if (eventsPerSecond === null || eventsPerSecond === undefined || !Number.isFinite(eventsPerSecond))
    return '–';
  if (eventsPerSecond >= 100) return `${count(eventsPerSecond)}/s`;
  return `${Number(eventsPerSecond.toFixed(eventsPerSecond < 10 ? 1 : 0))}/s`;
}

/** 0..1 → "42.0%". */
export function percent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '–';
  return `${(Math.max(0, Math.min(1, fraction)) * 100).toFixed(1)}%`;
}

/** Seconds as the largest two units: 0s, 45s, 3m 20s, 2h 5m, 3d 4h. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const units: [number, string][] = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [size, unit] of units) {
    if (rest >= size || parts.length > 0) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** A JSON value as indented text, for payloads and differences (shown as text, never as markup). */
export function json(value: unknown): string {
  return value === undefined ? 'absent' : JSON.stringify(value, null, 2);
}

/** `+ column x text`, `− field y keyword`, `~ column z: text → integer`. */
export function shapeChange(change: ShapeChange): string {
  if (change.change === 'added') return `+ ${change.what}${change.to === undefined ? '' : ` ${change.to}`}`;
  if (change.change === 'removed')
    return `− ${change.what}${change.from === undefined ? '' : ` ${change.from}`}`;
  return `~ ${change.what}: ${change.from ?? '?'} → ${change.to ?? '?'}`;
}
