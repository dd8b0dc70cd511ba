/**
 * The few parts of Express's request and response this edge uses. Declared here because @types/express is
 * not a dependency; Express's objects satisfy these shapes.
 */
export interface HttpRequest {
  readonly method: string;
  readonly originalUrl: string;
  readonly body?: unknown;
  header(name: string): string | undefined;
}

export interface HttpResponse {
  setHeader(name: string, value: string): unknown;
  status(code: number): { json(body: unknown): unknown };
}

export type NextFunction = (error?: unknown) => void;
