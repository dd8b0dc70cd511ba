import { QueryFailedError } from 'typeorm';
import { ProjectionEvaluationError } from '../../core/plan';
import { EventStoreUnavailableError } from '../../eventstore/event-store.errors';
import { classifyError as classify } from '../../runtime/error-classifier';
import { classifyRelationalError } from './relational-error-classifier';

/**
 * The runtime's classification with the relational target's knowledge of SQL errors (moved here from
 * src/runtime, which names no store; src/runtime/error-classifier.unit.spec.ts tests the runtime's part).
 */
const classifyError = (error: unknown) => classify(error, classifyRelationalError);

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('classifyError', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['connection reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['serialization failure', pgError('40001')],
    ['deadlock', pgError('40P01')],
    ['admin shutdown', pgError('57P01')],
    ['connection exception class 08', pgError('08006')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
    ['terminated connection', new Error('Connection terminated unexpectedly')],
    ['event store unavailable', new EventStoreUnavailableError('postgres', 'down')],
    ['sqlite busy', pgError('SQLITE_BUSY')],
  ])('%s is transient', (_name, error) => {
    expect(classifyError(error)).toBe('transient');
  });

  it.each([
    ['evaluation error', new ProjectionEvaluationError('p', 'E', 'bad')],
    ['NOT NULL violation', pgError('23502')],
    ['unique violation', pgError('23505')],
    ['value too long', pgError('22001')],
    ['invalid input syntax', pgError('22P02')],
    ['sqlite constraint', pgError('SQLITE_CONSTRAINT_UNIQUE')],
  ])('%s is poison', (_name, error) => {
    expect(classifyError(error)).toBe('poison');
  });

  it('looks through TypeORM QueryFailedError to the driver error', () => {
    const wrapped = new QueryFailedError(
      'INSERT',
      [],
      pgError('23505', 'duplicate key value violates unique constraint'),
    );
    expect(classifyError(wrapped)).toBe('poison');
    expect(classifyError(new QueryFailedError('SELECT', [], pgError('40P01')))).toBe('transient');
  });

  it('follows the cause chain', () => {
    expect(classifyError(new Error('outer', { cause: pgError('ECONNRESET') }))).toBe('transient');
  });

  it('without a store classifier, SQL errors are unknown but network errors are still transient', () => {
    expect(classify(pgError('23505'))).toBe('unknown');
    expect(classify(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe('transient');
    expect(classify(new ProjectionEvaluationError('p', 'E', 'bad'))).toBe('poison');
  });

  it('anything else is unknown: an undefined table, a bug', () => {
    expect(classifyError(pgError('42P01', 'relation "x" does not exist'))).toBe('unknown');
    expect(classifyError(new TypeError('x is not a function'))).toBe('unknown');
    expect(classifyError('a string')).toBe('unknown');
  });
});
