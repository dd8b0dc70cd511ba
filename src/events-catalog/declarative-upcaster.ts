/**
 * A declarative upcast step of the catalog file (`rename`, `default`, `derive`), compiled once: `derive`
 * expressions are CEL parsed and type-checked at load (against the payload of version `from` when its
 * schema is known), never eval'd. A step is pure: the same payload gives the same result on every replica,
 * rebuild and `verify`.
 */
import type { JsonObject, JsonValue } from '../core/json';
import type { StoredEvent } from '../eventstore/event-store.port';
import { celToJson } from '../dsl/expressions/cel-values';
import type { EventDataTypes } from '../dsl/expressions/event-data-types';
import {
  celEvent,
  ExpressionEnvironment,
  isExpressionProblem,
  type CompiledExpression,
} from '../dsl/expressions/expression-environment';
import type { Problems } from '../dsl/validation/problems';
import type { PathSegment } from '../dsl/source/source-locator';
import { didYouMean } from '../dsl/errors/suggest';
import type { CatalogUpcastStep } from './catalog-file.schema';
import type { UpcastStep } from './event-catalog';

/** The fields a version's payload declares (its schema's `properties`), when known. */
export type DeclaredFields = ReadonlySet<string> | undefined;

export interface StepContext {
  readonly problems: Problems;
  /** Path of the step in the file: `events.<type>.upcast[<i>]`. */
  readonly path: readonly PathSegment[];
  /** Fields of the payload the step reads (version `from`) and of the one it writes (`from + 1`). */
  readonly reads: DeclaredFields;
  readonly writes: DeclaredFields;
  /** The CEL types of the payload at version `from`, for `derive`. */
  readonly readTypes: EventDataTypes | undefined;
}

const environment = ExpressionEnvironment.forEvents();

/** The step, or undefined when it has errors (reported to `context.problems`). */
export function compileUpcastStep(step: CatalogUpcastStep, context: StepContext): UpcastStep | undefined {
  const { problems, path, reads, writes } = context;
  const before = problems.list.length;
  const known = (fields: DeclaredFields, field: string, where: PathSegment[], what: string) => {
    if (!fields || fields.has(field)) return;
    problems.add('unknown-event-field', where, `"${field}" is not a field of ${what}`, {
      at: 'key',
      suggestion: didYouMean(field, fields) ?? `declared: ${[...fields].join(', ') || 'none'}`,
    });
  };
  const version = `version ${step.from}`;
  const next = `version ${step.from + 1}`;
  for (const [from, to] of Object.entries(step.rename ?? {})) {
    known(reads, from, [...path, 'rename', from], version);
    if (writes && !writes.has(to)) {
      problems.add('unknown-event-field', [...path, 'rename', from], `"${to}" is not a field of ${next}`, {
        suggestion: didYouMean(to, writes) ?? `declared: ${[...writes].join(', ') || 'none'}`,
      });
    }
  }
  for (const field of Object.keys(step.default ?? {}))
    known(writes, field, [...path, 'default', field], next);
  const derived: [string, CompiledExpression][] = [];
  for (const [field, source] of Object.entries(step.derive ?? {})) {
    known(writes, field, [...path, 'derive', field], next);
    const compiled = environment.compile(source, context.readTypes);
    if (isExpressionProblem(compiled)) {
      problems.add(compiled.code, [...path, 'derive', field], compiled.message, {
        offset: compiled.offset,
        suggestion: compiled.suggestion,
      });
    } else derived.push([field, compiled]);
  }
  if (problems.list.length > before) return undefined;

  const renames = Object.entries(step.rename ?? {});
  const defaults = Object.entries(step.default ?? {}) as [string, JsonValue][];
  const summary = [
    renames.length > 0 ? `rename ${renames.map(([a, b]) => `${a}→${b}`).join(', ')}` : '',
    defaults.length > 0 ? `default ${defaults.map(([field]) => field).join(', ')}` : '',
    derived.length > 0 ? `derive ${derived.map(([field]) => field).join(', ')}` : '',
  ]
    .filter((part) => part !== '')
    .join('; ');
  return {
    from: step.from,
    summary: summary || 'no change',
    identity: JSON.stringify({
      from: step.from,
      rename: sortedEntries(step.rename ?? {}),
      default: sortedEntries(step.default ?? {}),
      derive: sortedEntries(step.derive ?? {}),
    }),
    run(data: JsonObject, event: StoredEvent): JsonObject {
      // derive reads the payload as this step receives it
      const values = derived.map(([field, expression]) => {
        const reading = celEvent({ ...event, data });
        return [field, celToJson(expression.evaluate({ event: reading }))] as const;
      });
      const out: JsonObject = { ...data };
      for (const [from, to] of renames) {
        if (!(from in out)) continue;
        out[to] = out[from]!;
        delete out[from];
      }
      for (const [field, value] of defaults) if (!(field in out)) out[field] = structuredClone(value);
      for (const [field, value] of values) out[field] = value;
      return out;
    },
  };
}

/** Entries by key, so the identity does not depend on the order the file lists them in. */
function sortedEntries<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
