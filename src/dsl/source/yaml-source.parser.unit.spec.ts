import { parseYamlSource } from './yaml-source.parser';

describe('parseYamlSource positions', () => {
  const text = [
    'a:', //                                   line 1
    '  plain: event.data.qty + 1', //           line 2
    `  single: 'it''s x + y'`, //               line 3
    '  double: "say \\"hi\\" + z"', //          line 4
    '  block: |', //                            line 5
    '    first', //                             line 6
    '      + second', //                        line 7
    '  folded: event.data.a', //                line 8
    '    + event.data.b', //                    line 9
    '  list: [x, y]', //                        line 10
  ].join('\n');
  const { locator, errors, value } = parseYamlSource(text, 'f.yaml');

  it('parses and keeps the file name', () => {
    expect(errors).toEqual([]);
    expect(value).toMatchObject({
      a: { plain: 'event.data.qty + 1', folded: 'event.data.a + event.data.b' },
    });
    expect(locator.file).toBe('f.yaml');
  });

  it('finds keys and values by path', () => {
    expect(locator.keyAt(['a', 'plain'])).toEqual({ line: 2, column: 3 });
    expect(locator.valueAt(['a', 'plain'])).toEqual({ line: 2, column: 10 });
    expect(locator.valueAt(['a', 'list', 1])).toEqual({ line: 10, column: 13 });
    expect(locator.has(['a', 'nope'])).toBe(false);
    // an absent path points at the nearest written ancestor
    expect(locator.valueAt(['a', 'nope', 'deeper'])).toEqual({ line: 2, column: 3 });
  });

  it('maps an offset inside a plain scalar', () => {
    // "event.data.qty + 1": offset 15 is "+"
    expect(locator.insideValue(['a', 'plain'], 15)).toEqual({ line: 2, column: 25 });
  });

  it('maps offsets inside quoted scalars past escapes', () => {
    // value "it's x + y": offset 7 is "+", the source has '' for '
    expect(locator.insideValue(['a', 'single'], 7)).toEqual({ line: 3, column: 20 });
    // value 'say "hi" + z': offset 9 is "+", the source has \" twice
    expect(locator.insideValue(['a', 'double'], 9)).toEqual({ line: 4, column: 23 });
  });

  it('maps offsets inside block and folded scalars across lines', () => {
    // value "first\n  + second\n": offset 8 is "+"
    expect(locator.insideValue(['a', 'block'], 8)).toEqual({ line: 7, column: 7 });
    // value "event.data.a + event.data.b": offset 13 is "+", on the continuation line
    expect(locator.insideValue(['a', 'folded'], 13)).toEqual({ line: 9, column: 5 });
  });

  it('points "ends too early" offsets just after the last written character', () => {
    expect(locator.insideValue(['a', 'block'], 100)).toEqual({ line: 7, column: 15 });
  });

  it('reports syntax errors with positions and gives no value to check further', () => {
    const broken = parseYamlSource('a: [1, 2\nb: 3\n', 'x.yaml');
    expect(broken.value).toBeUndefined();
    expect(broken.errors.map((e) => [e.code, e.line, e.column])).toEqual([['yaml-syntax', 2, 1]]);
  });

  it('keeps checking after a duplicate key (the rest of the tree is sound)', () => {
    const duplicate = parseYamlSource('a: 1\na: 2\nb: 3\n', 'x.yaml');
    expect(duplicate.value).toEqual({ a: 2, b: 3 });
    expect(duplicate.errors.map((e) => [e.code, e.line, e.column])).toEqual([['yaml-syntax', 2, 1]]);
  });
});
