/**
 * Fix hints for the CEL type errors authors meet most (issue #12 item 9: "no such overload: int + double"
 * said nothing about `double(x)`). CEL has no implicit conversions: ints and doubles do not mix in
 * arithmetic or equality, and `+` on a string needs a string on both sides. The hint names the conversion
 * and shows the operand it applies to, taken from the author's own source.
 */

/** The parts of the checker's error this reads (@marcbachmann/cel-js 8 `TypeError`). */
interface OperatorNode {
  readonly op?: unknown;
  readonly args?: unknown;
}
interface Operand {
  readonly start: number;
  readonly end: number;
}

const INTEGERS = new Set(['int', 'uint']);
const NUMBERS = new Set(['int', 'uint', 'double']);
const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);
const RELATIONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

/** A suggestion for `no such overload: <left> <op> <right>`, or undefined when there is no obvious fix. */
export function overloadHint(summary: string, node: unknown, source: string): string | undefined {
  const { op, args } = (node ?? {}) as OperatorNode;
  if (typeof op !== 'string' || !Array.isArray(args) || args.length !== 2) return undefined;
  const types = /^no such overload: (.+)$/.exec(summary)?.[1]?.split(` ${op} `);
  if (types?.length !== 2) return undefined;
  const [leftType, rightType] = types as [string, string];
  const [left, right] = args.map((operand: Operand) => source.slice(operand.start, operand.end).trim()) as [
    string,
    string,
  ];
  const wrap = (side: 'left' | 'right', into: string): string =>
    side === 'left' ? `${into}(${left}) ${op} ${right}` : `${left} ${op} ${into}(${right})`;

  if (NUMBERS.has(leftType) && NUMBERS.has(rightType) && (ARITHMETIC.has(op) || RELATIONS.has(op))) {
    if (leftType === 'double' || rightType === 'double') {
      const integerSide = leftType === 'double' ? 'right' : 'left';
      if (op === '%') {
        return `CEL has no % on doubles; convert the double side to int: ${wrap(integerSide === 'left' ? 'right' : 'left', 'int')}`;
      }
      return `CEL does not mix ${leftType === 'double' ? rightType : leftType} and double; convert with double(...): ${wrap(integerSide, 'double')}`;
    }
    // int and uint
    return `CEL does not mix int and uint; convert with int(...): ${wrap(leftType === 'uint' ? 'left' : 'right', 'int')}`;
  }
  if (op === '+' && (leftType === 'string') !== (rightType === 'string')) {
    const other = leftType === 'string' ? 'right' : 'left';
    const otherType = leftType === 'string' ? rightType : leftType;
    if (NUMBERS.has(otherType) || otherType === 'bool') {
      const join = `+ joins two strings; convert the ${otherType} with string(...): ${wrap(other, 'string')}`;
      const stringSide = other === 'left' ? 'right' : 'left';
      const stringOperand = stringSide === 'left' ? left : right;
      // A string that is not a literal may hold a number: then adding was perhaps meant.
      if (NUMBERS.has(otherType) && !/^["']/.test(stringOperand)) {
        const into = otherType === 'double' ? 'double' : 'int';
        return `${join}; or, to add numbers, ${wrap(stringSide, into)}`;
      }
      return join;
    }
  }
  if (RELATIONS.has(op) && (leftType === 'string') !== (rightType === 'string')) {
    const other = leftType === 'string' ? 'right' : 'left';
    const otherType = leftType === 'string' ? rightType : leftType;
    if (INTEGERS.has(otherType) || otherType === 'double') {
      const into = otherType === 'double' ? 'double' : 'int';
      const stringSide = other === 'left' ? 'right' : 'left';
      return `compare like with like: ${wrap(stringSide, into)}, or ${wrap(other, 'string')}`;
    }
  }
  return undefined;
}
