/**
 * The search API's core: resolves a view through the registry and runs exactly one `_search` against
 * its alias (never another endpoint, never another index). No Nest here; search.module.ts wires it.
 */
import type { Client } from '@elastic/elasticsearch';
import type { JsonObject, JsonValue } from '../../../core/json';
import { excludeTombstones } from '../elasticsearch-shape';
import { guardRawQuery, type RawSearchLimits } from './raw-query.guard';
import { UnknownSearchTemplateError, UnknownSearchViewError } from './search.errors';
import {
  encodeCursor,
  facetAggregations,
  parseSearchRequest,
  type QueryParameters,
} from './search-request.parser';
import type { NamedQuery } from '../../../core/plan';
import { renderSearchTemplate } from './search-template.renderer';
import type { SearchView, SearchViewRegistry } from './search-view.registry';
import type { ReadProgress } from '../../../query/consistency/consistency.gate';
import { RefreshCoalescer } from '../../../query/consistency/refresh-coalescer';

export interface SearchHit {
  readonly id: string;
  readonly score: number | null;
  readonly document: JsonObject;
  readonly highlight?: Readonly<Record<string, string[]>>;
}

export interface FacetBucket {
  readonly value: JsonValue;
  readonly count: number;
}

export interface SearchResult {
  readonly total: number;
  readonly hits: readonly SearchHit[];
  readonly facets?: Readonly<Record<string, readonly FacetBucket[]>>;
  /** Cursor of the next page (pass as `cursor`), or null on the last page. */
  readonly next?: string | null;
  /** Aggregations of a raw query, as Elasticsearch returned them. */
  readonly aggregations?: JsonObject;
  /** Elasticsearch stopped early (timeout or terminate_after): the result may be partial. */
  readonly partial: boolean;
}

export const DEFAULT_SEARCH_LIMITS: RawSearchLimits = { timeout: '2s', terminateAfter: 100_000 };

interface RawResponse {
  hits: {
    total?: number | { value: number };
    hits: {
      _id?: string;
      _score?: number | null;
      _source?: JsonObject;
      highlight?: Record<string, string[]>;
      sort?: JsonValue[];
    }[];
  };
  aggregations?: Record<string, unknown>;
  timed_out?: boolean;
  terminated_early?: boolean;
}

function facetsOf(response: RawResponse, names: readonly string[]): Record<string, FacetBucket[]> {
  const facets: Record<string, FacetBucket[]> = {};
  for (const facet of names) {
    const aggregation = response.aggregations?.[facet] as
      { buckets?: { key: JsonValue; key_as_string?: string; doc_count: number }[] } | undefined;
    facets[facet] = (aggregation?.buckets ?? []).map((bucket) => ({
      value: bucket.key_as_string ?? bucket.key,
      count: bucket.doc_count,
    }));
  }
  return facets;
}

function templateFacets(options: NamedQuery['options']): string[] {
  const facets = options?.facets;
  return Array.isArray(facets) ? facets.filter((facet): facet is string => typeof facet === 'string') : [];
}

function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export class SearchService {
  /** One coalesced refresher per alias, for read-your-writes requests. */
  private readonly refreshers = new Map<string, RefreshCoalescer>();

  constructor(
    private readonly client: Client,
    private readonly registry: SearchViewRegistry,
    private readonly limits: RawSearchLimits = DEFAULT_SEARCH_LIMITS,
  ) {}

  /** `GET /views/:name/search`: text, filters, sort, cursor pagination, highlights and facets. */
  async search(name: string, parameters: QueryParameters): Promise<SearchResult> {
    const view = this.view(name);
    const parsed = parseSearchRequest(view.shape, parameters);
    const response = await this.run(view, { ...parsed.body, timeout: this.limits.timeout });
    const hits = response.hits.hits;
    const last = hits[hits.length - 1];
    return {
      ...this.result(response),
      facets: facetsOf(response, parsed.facets),
      next: hits.length === parsed.size && last?.sort !== undefined ? encodeCursor(last.sort) : null,
    };
  }

  /** `GET /views/:name/search/:template`: a declared search template with typed parameters. */
  async template(name: string, template: string, parameters: QueryParameters): Promise<SearchResult> {
    const view = this.view(name);
    // Own properties only: `__proto__`, `constructor` or `toString` are no templates (issue #12).
    const query = Object.hasOwn(view.queries, template) ? view.queries[template] : undefined;
    if (query === undefined) throw new UnknownSearchTemplateError(name, template, Object.keys(view.queries));
    const rendered = renderSearchTemplate(name, query, parameters);
    // A template's facets are terms aggregations beside its own (issue #16), answered like search()'s.
    const facets = templateFacets(query.options);
    if (facets.length > 0) {
      const own = rendered.aggs ?? rendered.aggregations;
      const key =
        rendered.aggs === undefined && rendered.aggregations !== undefined ? 'aggregations' : 'aggs';
      rendered[key] = { ...(isJsonObject(own) ? own : {}), ...facetAggregations(facets) };
    }
    const response = await this.run(view, guardRawQuery(rendered, this.limits, excludeTombstones()));
    return facets.length > 0
      ? { ...this.result(response), facets: facetsOf(response, facets) }
      : this.result(response);
  }

  /** `POST /views/:name/search/raw`: a checked raw search body, against the view's alias only. */
  async raw(name: string, body: unknown): Promise<SearchResult> {
    const view = this.view(name);
    const guarded = guardRawQuery(body, this.limits, excludeTombstones());
    const response = await this.run(view, guarded);
    return { ...this.result(response), aggregations: response.aggregations as JsonObject | undefined };
  }

  /**
   * After a read-your-writes wait: makes the waited-for writes searchable with one refresh of the view's
   * alias, shared by concurrent requests and skipped when an earlier refresh already covered them.
   */
  async refreshForRead(name: string, progress: ReadProgress): Promise<void> {
    const alias = this.view(name).alias;
    let refresher = this.refreshers.get(alias);
    if (refresher === undefined) {
      refresher = new RefreshCoalescer(() => this.client.indices.refresh({ index: alias }));
      this.refreshers.set(alias, refresher);
    }
    await refresher.request(progress);
  }

  private view(name: string): SearchView {
    const view = this.registry.get(name);
    if (view === undefined) throw new UnknownSearchViewError(name);
    return view;
  }

  private async run(view: SearchView, body: JsonObject): Promise<RawResponse> {
    // The index is always the view's alias, set here and nowhere else; the body cannot name one.
    return (await this.client.search({ index: view.alias, ...body })) as unknown as RawResponse;
  }

  private result(response: RawResponse): SearchResult {
    const total = response.hits.total;
    return {
      total: typeof total === 'number' ? total : (total?.value ?? response.hits.hits.length),
      hits: response.hits.hits.map((hit) => ({
        id: hit._id ?? '',
        score: hit._score ?? null,
        document: hit._source ?? {},
        ...(hit.highlight !== undefined ? { highlight: hit.highlight } : {}),
      })),
      partial: response.timed_out === true || response.terminated_early === true,
    };
  }
}
