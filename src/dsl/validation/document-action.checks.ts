/**
 * Checks of document actions (upsert, update, updateAll, delete) against a document view's declared
 * columns or fields: the key's type (updateAll: its `where`, one secondary key), the condition, and every
 * write (known, not the key, written once, of the right type for set, increment or append).
 */
import type { DocumentView } from '../../stores/store-dsl';
import { didYouMean, listNames } from '../errors/suggest';
import { ExpressionEnvironment } from '../expressions/expression-environment';
import { isNumericKind, type ValueType } from '../expressions/value-types';
import type { Expression } from '../model/expression';
import type { DocumentAction, UpdateAllAction } from '../model/projection.model';
import { storeModuleOfKind } from '../model/store-sections';
import type { PathSegment } from '../source/source-locator';
import type { ActionCheckContext } from './action-checks';
import type { ActionChecks } from './handler.checks';

export class DocumentActionChecks implements Extract<ActionChecks, { family: 'document' }> {
  readonly family = 'document' as const;
  readonly targetKind: string;
  private readonly shape: DocumentView;
  /** The environment document expressions are compiled in (the compiler's `doc` values must come from it). */
  readonly documentScope: ExpressionEnvironment;

  constructor(
    private readonly context: ActionCheckContext,
    targetKind: string,
    shape: DocumentView,
  ) {
    this.targetKind = targetKind;
    this.shape = shape;
    this.documentScope = ExpressionEnvironment.forDocuments(this.shape.fields, {
      lookups: context.expressions.lookups,
    });
  }

  check(action: DocumentAction, base: readonly PathSegment[]): void {
    const { shape, context } = this;
    if (action.kind === 'updateAll') this.checkWhere(action, base);
    else {
      const keyType = shape.fields.get(shape.key);
      context.expressions.typed(
        action.key,
        context.expressions.eventScope,
        keyType && { ...keyType, nullable: false },
        `key ${shape.noun} "${shape.key}"`,
      );
    }
    if (action.when !== undefined) context.expressions.condition(action.when, this.documentScope);
    if (action.kind === 'delete') return;

    const written = new Map<string, string>();
    for (const part of ['set', 'increment', 'append'] as const) {
      for (const [name, expression] of Object.entries(action[part] ?? {})) {
        if (this.isWritable(part, name, expression, written)) {
          written.set(name, part);
          if (context.untyped.has(name)) context.expressions.compile(expression, this.documentScope);
          else this.checkWrite(part, expression, name, shape.fields.get(name)!);
        }
      }
    }
    if ((action.kind === 'update' || action.kind === 'updateAll') && written.size === 0) {
      context.problems.add(
        'empty-action',
        base,
        `${action.kind} changes nothing; add set, increment or append`,
        { at: 'key' },
      );
    }
    if (action.kind === 'upsert' && this.shape.enforcesNotNull) this.checkNotNull(base, written);
  }

  /**
   * A fan-out update's `where`: exactly one secondary key of the view (a field the store finds documents
   * by), its value computed from the event (and lookups) alone, of the field's type.
   */
  private checkWhere(action: UpdateAllAction, base: readonly PathSegment[]): void {
    const { shape, context } = this;
    const module = storeModuleOfKind(this.targetKind);
    if (module !== undefined && module.capabilities.findsKeys !== true) {
      context.problems.add(
        'fan-out-not-supported',
        base,
        `${this.targetKind} views cannot run updateAll: the store module does not state findsKeys (it cannot find documents by a secondary key)`,
        { at: 'key' },
      );
      return;
    }
    const entries = Object.entries(action.where);
    if (entries.length !== 1) {
      context.problems.add(
        'fan-out-where',
        [...base, 'where'],
        `where names ${entries.length} ${shape.noun}s; name exactly one secondary key, e.g. { customer_id: event.data.customerId }`,
        { at: 'key' },
      );
    }
    // the key is never one: one document by key is what update does
    const secondary = new Set([...(shape.secondaryKeys ?? [])].filter((field) => field !== shape.key));
    for (const [name, expression] of entries) {
      const type = shape.fields.get(name);
      if (!secondary.has(name)) {
        const known = type !== undefined;
        const listed = secondary.size > 0 ? ` (secondary keys: ${listNames([...secondary])})` : '';
        context.problems.add(
          'fan-out-not-secondary-key',
          expression.path,
          name === shape.key
            ? `"${name}" is the key ${shape.noun}: update one document by key with update, not updateAll`
            : `${known ? '' : 'unknown '}${shape.noun} "${name}" is not a secondary key of ${shape.owner}${listed}`,
          {
            at: 'key',
            suggestion:
              didYouMean(name, secondary) ??
              (known && name !== shape.key && shape.secondaryKeyHint !== undefined
                ? `to select by it, ${shape.secondaryKeyHint.replaceAll('<name>', name)}`
                : didYouMean(name, shape.fields.keys())),
          },
        );
        context.expressions.compile(expression, context.expressions.eventScope);
        continue;
      }
      context.expressions.typed(
        expression,
        context.expressions.eventScope,
        type && { ...type, nullable: false },
        `value of secondary key ${shape.noun} "${name}"`,
      );
    }
  }

  /** Reports why `name` cannot be written here, if it cannot. */
  private isWritable(
    part: string,
    name: string,
    expression: Expression,
    written: ReadonlyMap<string, string>,
  ): boolean {
    const { shape, context } = this;
    const path = expression.path;
    if (!shape.fields.has(name)) {
      context.problems.add(
        shape.unknownCode,
        path,
        `${shape.noun} "${name}" is not a ${shape.noun} of ${shape.owner}`,
        {
          at: 'key',
          suggestion: didYouMean(name, shape.fields.keys()),
        },
      );
      return false;
    }
    if (name === shape.key) {
      context.problems.add(
        'key-column-written',
        path,
        `"${name}" is the key ${shape.noun}: its value comes from "key"; remove it from ${part}`,
        { at: 'key' },
      );
      return false;
    }
    const earlier = written.get(name);
    if (earlier !== undefined) {
      context.problems.add(
        'field-written-twice',
        path,
        `${shape.noun} "${name}" is already written by ${earlier}; write each ${shape.noun} once per action`,
        { at: 'key' },
      );
      return false;
    }
    return true;
  }

  private checkWrite(
    part: 'set' | 'increment' | 'append',
    expression: Expression,
    name: string,
    type: ValueType,
  ): void {
    const { shape, context } = this;
    const label = `${shape.noun} "${name}" (${type.declared})`;
    if (part === 'increment') {
      if (!isNumericKind(type.kind) || type.array) {
        context.problems.add(
          'increment-not-numeric',
          expression.path,
          `cannot increment ${label}: only integer and floating-point ${shape.noun}s can be incremented`,
          { at: 'key' },
        );
        return;
      }
      context.expressions.typed(
        expression,
        this.documentScope,
        { ...type, nullable: false },
        `increment of ${label}`,
      );
    } else if (part === 'append') {
      if (!type.array && type.kind !== 'json') {
        context.problems.add(
          'append-not-array',
          expression.path,
          `cannot append to ${label}: only array fields and jsonb columns hold lists`,
          { at: 'key' },
        );
        return;
      }
      const element: ValueType = type.array ? { ...type, array: false, nullable: false } : type;
      context.expressions.typed(expression, this.documentScope, element, `element appended to ${label}`);
    } else {
      context.expressions.typed(expression, this.documentScope, type, label);
    }
  }

  private checkNotNull(base: readonly PathSegment[], written: ReadonlyMap<string, string>): void {
    const { shape, context } = this;
    const unset = [...shape.fields]
      .filter(
        ([name, type]) =>
          name !== shape.key && !type.nullable && !written.has(name) && !context.untyped.has(name),
      )
      .map(([name]) => name);
    if (unset.length > 0) {
      context.problems.warn(
        'not-null-unset',
        base,
        `creating a row here leaves NOT NULL column(s) ${listNames(unset, 'and')} unset, so the insert would fail (a poison event)`,
        {
          at: 'key',
          suggestion: 'set them in this upsert, or declare them nullable: true',
        },
      );
    }
  }
}
