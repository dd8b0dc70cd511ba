/** Fix hints on CEL "no such overload" type errors (issue #12 item 9). */
import { ExpressionEnvironment, isExpressionProblem } from './expression-environment';
import { overloadHint } from './type-hints';
import { relationalValueType } from '../../stores/relational/relational.dsl';

const environment = ExpressionEnvironment.forDocuments(
  new Map([
    ['total', relationalValueType('bigint', false)],
    ['rate', relationalValueType('double', false)],
    ['name', relationalValueType('text', false)],
  ]),
);

function typeError(source: string): { message: string; suggestion?: string } {
  const result = environment.compile(source);
  if (!isExpressionProblem(result)) throw new Error(`${source} type-checked`);
  expect(result.code).toBe('expression-type');
  return { message: result.message, ...(result.suggestion ? { suggestion: result.suggestion } : {}) };
}

describe('type error hints', () => {
  it.each([
    [
      'doc.total + doc.rate',
      'no such overload: int + double',
      'CEL does not mix int and double; convert with double(...): double(doc.total) + doc.rate',
    ],
    [
      'doc.rate * doc.total',
      'no such overload: double * int',
      'CEL does not mix int and double; convert with double(...): doc.rate * double(doc.total)',
    ],
    [
      'doc.total == 2.5',
      'no such overload: int == double',
      'CEL does not mix int and double; convert with double(...): double(doc.total) == 2.5',
    ],
    [
      'doc.total % 2.0',
      'no such overload: int % double',
      'CEL has no % on doubles; convert the double side to int: doc.total % int(2.0)',
    ],
    [
      'doc.name + doc.total',
      'no such overload: string + int',
      '+ joins two strings; convert the int with string(...): doc.name + string(doc.total); or, to add numbers, int(doc.name) + doc.total',
    ],
    [
      'true + "x"',
      'no such overload: bool + string',
      '+ joins two strings; convert the bool with string(...): string(true) + "x"',
    ],
    [
      'doc.name < 3',
      'no such overload: string < int',
      'compare like with like: int(doc.name) < 3, or doc.name < string(3)',
    ],
  ])('%s: %s suggests the conversion', (source, message, suggestion) => {
    expect(typeError(source)).toEqual({ message, suggestion });
  });

  it('adds no hint where no conversion is the obvious fix', () => {
    expect(typeError('doc.name - doc.name')).toEqual({ message: 'no such overload: string - string' });
    expect(overloadHint('no such overload: list<int> + int', undefined, '')).toBeUndefined();
  });
});
