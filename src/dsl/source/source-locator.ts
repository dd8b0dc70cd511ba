/**
 * Maps a field path of a definition back to where it was written, so every error names file:line:column.
 * YAML files have a real locator (yaml-source-locator.ts); definitions built in TypeScript have none.
 */

export type PathSegment = string | number;

export interface SourcePosition {
  /** 1-based; 0 when unknown. */
  readonly line: number;
  readonly column: number;
}

export const NO_POSITION: SourcePosition = { line: 0, column: 0 };

export interface SourceLocator {
  readonly file: string;
  /** Where the value at `path` starts, or the nearest written ancestor when the path is absent. */
  valueAt(path: readonly PathSegment[]): SourcePosition;
  /** Where the map key naming `path` starts (the value's position when it is not a map entry). */
  keyAt(path: readonly PathSegment[]): SourcePosition;
  /** Where character `offset` of the string value at `path` was written (quotes, escapes, folding aside). */
  insideValue(path: readonly PathSegment[], offset: number): SourcePosition;
  /** Whether a value is written at `path`. */
  has(path: readonly PathSegment[]): boolean;
}

/** For definitions that come from code: there is no file to point into. */
export function codeLocator(file: string): SourceLocator {
  return {
    file,
    valueAt: () => NO_POSITION,
    keyAt: () => NO_POSITION,
    insideValue: () => NO_POSITION,
    has: () => false,
  };
}

/** `handlers.OrderPlaced[0].upsert.set.total`: the path notation of every message. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$:-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
