import { ProjectionEvaluationError } from '../core/plan';
import { EventStoreUnavailableError } from '../eventstore/event-store.errors';
import { classifyError } from './error-classifier';

/** A view store that knows two of its own error codes (a real one: Target.classifyError). */
const byStore = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'BUSY' ? 'transient' : code === 'CONSTRAINT' ? 'poison' : undefined;
};
const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('classifyError', () => {
  it.each([
    ['connection refused', coded('ECONNREFUSED', 'connect ECONNREFUSED')],
    ['connection reset', coded('ECONNRESET', 'read ECONNRESET')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['terminated connection', new Error('Connection terminated unexpectedly')],
    ['event store unavailable', new EventStoreUnavailableError('some-log', 'down')],
    ['what the view store calls transient', coded('BUSY')],
  ])('%s is transient', (_name, error) => {
    expect(classifyError(error, byStore)).toBe('transient');
  });

  it.each([
    ['an evaluation error', new ProjectionEvaluationError('p', 'E', 'bad')],
    ['what the view store calls poison', coded('CONSTRAINT')],
  ])('%s is poison', (_name, error) => {
    expect(classifyError(error, byStore)).toBe('poison');
  });

  it('asks the view store about each error of the cause chain, a wrapped driver error included', () => {
    expect(classifyError(new Error('outer', { cause: coded('CONSTRAINT') }), byStore)).toBe('poison');
    expect(classifyError(Object.assign(new Error('wrapper'), { driverError: coded('BUSY') }), byStore)).toBe(
      'transient',
    );
    expect(classifyError(new Error('outer', { cause: coded('ECONNRESET') }))).toBe('transient');
  });

  it("the view store's reading wins over the generic rules", () => {
    const poisonous = () => 'poison' as const;
    expect(classifyError(coded('ECONNRESET'), poisonous)).toBe('poison');
  });

  it('without a store classifier, store codes are unknown but network errors are still transient', () => {
    expect(classifyError(coded('CONSTRAINT'))).toBe('unknown');
    expect(classifyError(coded('ECONNRESET'))).toBe('transient');
    expect(classifyError(new ProjectionEvaluationError('p', 'E', 'bad'))).toBe('poison');
  });

  it('anything else is unknown: a dropped table, a bug', () => {
    expect(classifyError(coded('NO_SUCH_TABLE', 'relation "x" does not exist'), byStore)).toBe('unknown');
    expect(classifyError(new TypeError('x is not a function'), byStore)).toBe('unknown');
    expect(classifyError('a string', byStore)).toBe('unknown');
  });
});
