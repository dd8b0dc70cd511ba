/** Collects DefinitionErrors for one file, resolving field paths to positions as they are added. */
import type {
  DefinitionError,
  DefinitionErrorCode,
  DefinitionErrorSeverity,
} from '../errors/definition-error';
import { formatPath, type PathSegment, type SourceLocator } from '../source/source-locator';

export interface ProblemOptions {
  readonly suggestion?: string | undefined;
  /** Point at the map key naming the path (default: at its value). */
  readonly at?: 'key' | 'value';
  /** Point at this character offset inside the string value at the path (expressions, Cypher). */
  readonly offset?: number;
  readonly severity?: DefinitionErrorSeverity;
}

export class Problems {
  readonly list: DefinitionError[] = [];
  constructor(readonly locator: SourceLocator) {}

  add(
    code: DefinitionErrorCode,
    path: readonly PathSegment[],
    message: string,
    options: ProblemOptions = {},
  ): void {
    const position =
      options.offset !== undefined
        ? this.locator.insideValue(path, options.offset)
        : options.at === 'key'
          ? this.locator.keyAt(path)
          : this.locator.valueAt(path);
    this.list.push({
      code,
      severity: options.severity ?? 'error',
      file: this.locator.file,
      line: position.line,
      column: position.column,
      path: formatPath(path),
      message,
      ...(options.suggestion === undefined ? {} : { suggestion: options.suggestion }),
    });
  }

  warn(
    code: DefinitionErrorCode,
    path: readonly PathSegment[],
    message: string,
    options: ProblemOptions = {},
  ): void {
    this.add(code, path, message, { ...options, severity: 'warning' });
  }
}
