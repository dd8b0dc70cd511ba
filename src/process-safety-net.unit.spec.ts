import { EventEmitter } from 'node:events';
import { installProcessSafetyNet, isStoreConnectionFailure } from './process-safety-net';

describe('process safety net (issue #12 item 11)', () => {
  function installed() {
    const emitter = new EventEmitter();
    const logged: string[] = [];
    const exits: number[] = [];
    installProcessSafetyNet({ error: (message) => logged.push(message) }, emitter, (code) =>
      exits.push(code),
    );
    return { emitter, logged, exits };
  }

  it('keeps serving after a store connection failure that escaped its handler, and logs it as a bug', () => {
    const { emitter, logged, exits } = installed();
    emitter.emit('uncaughtException', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    emitter.emit('unhandledRejection', new Error('Connection terminated unexpectedly'));
    emitter.emit(
      'unhandledRejection',
      Object.assign(new Error('no connection'), { code: 'ServiceUnavailable' }),
    );
    expect(exits).toEqual([]);
    expect(logged).toHaveLength(3);
    expect(logged[0]).toMatch(
      /escaped its handler \(uncaught exception; a bug in Prism.*ECONNRESET: read ECONNRESET/,
    );
  });

  it('exits with code 1 on a programming error, with its stack in the log', () => {
    const { emitter, logged, exits } = installed();
    emitter.emit('uncaughtException', new TypeError("Cannot read properties of undefined (reading 'x')"));
    emitter.emit('unhandledRejection', 'a string');
    expect(exits).toEqual([1, 1]);
    expect(logged[0]).toMatch(/^Prism stops on an uncaught exception .*TypeError: Cannot read properties/s);
  });

  it('tells store connection failures from everything else', () => {
    expect(isStoreConnectionFailure(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isStoreConnectionFailure(Object.assign(new Error('x'), { name: 'ConnectionError' }))).toBe(true);
    expect(
      isStoreConnectionFailure(new Error('Client has encountered a connection error and is not queryable')),
    ).toBe(true);
    expect(isStoreConnectionFailure(new RangeError('Maximum call stack size exceeded'))).toBe(false);
    expect(isStoreConnectionFailure(Object.assign(new Error('dup'), { code: '23505' }))).toBe(false);
    expect(isStoreConnectionFailure(undefined)).toBe(false);
  });
});
