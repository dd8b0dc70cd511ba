import { elasticsearchReason } from './elasticsearch-reason';

describe('elasticsearchReason', () => {
  it('finds the reason of a too-many-buckets failure under caused_by (its top-level reason is empty)', () => {
    // The body Elasticsearch 8.15 answers to a histogram with more than search.max_buckets buckets.
    const body = {
      error: {
        root_cause: [],
        type: 'search_phase_execution_exception',
        reason: '',
        caused_by: {
          type: 'too_many_buckets_exception',
          reason: 'Trying to create too many buckets. Must be less than or equal to: [65536].',
        },
      },
      status: 400,
    };
    expect(elasticsearchReason({ body, message: 'search_phase_execution_exception' })).toBe(
      'Trying to create too many buckets. Must be less than or equal to: [65536]. (too_many_buckets_exception)',
    );
  });

  it('prefers the root cause, then the top-level reason, then the client message', () => {
    const rootCause = { type: 'parsing_exception', reason: 'unknown query [no_such_query]' };
    expect(
      elasticsearchReason({ body: { error: { root_cause: [rootCause], reason: 'x' } }, message: 'm' }),
    ).toBe('unknown query [no_such_query] (parsing_exception)');
    expect(elasticsearchReason({ body: { error: { reason: 'top' } }, message: 'm' })).toBe('top');
    expect(elasticsearchReason({ body: 'not json', message: 'the client message' })).toBe(
      'the client message',
    );
  });
});
