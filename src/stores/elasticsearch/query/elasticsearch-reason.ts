/**
 * The sentence that says why Elasticsearch refused a request. Its top-level `reason` can be empty: a
 * too-many-buckets failure answers `root_cause: []`, `reason: ""` and the real reason under `caused_by`
 * (issue #12 item 9 reported "Elasticsearch rejected the query: " with nothing after it).
 */
interface ElasticsearchCause {
  readonly type?: unknown;
  readonly reason?: unknown;
  readonly root_cause?: readonly ElasticsearchCause[];
  readonly caused_by?: ElasticsearchCause;
}

/** Causes nest a few levels at most; the bound only guards against a malicious or broken answer. */
const MAX_CAUSES = 10;

export function elasticsearchReason(error: { readonly body?: unknown; readonly message: string }): string {
  const top = (error.body as { error?: ElasticsearchCause } | undefined)?.error;
  const candidates: (ElasticsearchCause | undefined)[] = [top?.root_cause?.[0], top];
  let cause = top?.caused_by;
  for (let i = 0; cause !== undefined && i < MAX_CAUSES; i++, cause = cause.caused_by) candidates.push(cause);
  for (const candidate of candidates) {
    if (typeof candidate?.reason === 'string' && candidate.reason.trim() !== '') {
      return typeof candidate.type === 'string'
        ? `${candidate.reason} (${candidate.type})`
        : candidate.reason;
    }
  }
  return error.message;
}
