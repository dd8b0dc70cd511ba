/**
 * How the admin API answers each failure a caller can act on (the controller's, and, issue #15, the
 * outcome a node writes back for an admin request another node received: it is this same JSON and status,
 * so a forwarded request fails exactly like a local one).
 */
import { HttpException, HttpStatus } from '@nestjs/common';
import {
  ParkedEventNotFoundError,
  ProjectionNotOwnedError,
  RunnerNotRunningError,
  UnknownProjectionError,
} from '../runtime/runtime.errors';
import {
  AdminRequestAbandonedError,
  AdminRequestTimeoutError,
  CoordinationUnavailableError,
  ForwardedAdminError,
  InvalidAdminParameterError,
  InvalidPositionError,
  OrphanedProjectionNotFoundError,
  NoLiveOwnerError,
  ProjectionRuntimeUnavailableError,
  ProjectionStillDefinedError,
} from './admin.errors';

/** An admin failure as the HTTP answer it becomes: status and JSON body. */
export interface AdminFailureJson {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** The failure as written to the coordination store (`outcome` of a failed admin request). */
export function adminFailureJson(error: unknown): AdminFailureJson {
  const mapped = toHttpError(error);
  if (mapped instanceof HttpException) {
    const response = mapped.getResponse();
    return {
      status: mapped.getStatus(),
      body:
        typeof response === 'object' && response !== null
          ? (response as Record<string, unknown>)
          : { error: 'admin_request_failed', message: String(response) },
    };
  }
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    body: {
      error: 'admin_request_failed',
      message: `The node running the projection failed the request: ${error instanceof Error ? error.message : String(error)}`,
    },
  };
}

export function toHttpError(error: unknown): unknown {
  if (error instanceof UnknownProjectionError) {
    return new HttpException(
      { error: 'unknown_projection', message: error.message, known: [...error.known] },
      HttpStatus.NOT_FOUND,
    );
  }
  if (error instanceof ParkedEventNotFoundError) {
    return new HttpException(
      { error: 'parked_event_not_found', message: error.message },
      HttpStatus.NOT_FOUND,
    );
  }
  if (error instanceof RunnerNotRunningError) {
    return new HttpException(
      {
        error: 'projection_not_running',
        message:
          `Projection "${error.projection}" is ${error.state}, so this operation cannot run now; ` +
          `GET /admin/projections/${error.projection} shows why (its notes), and a starting projection ` +
          'accepts it once it runs.',
        state: error.state,
      },
      HttpStatus.CONFLICT,
    );
  }
  if (error instanceof ProjectionStillDefinedError) {
    return new HttpException(
      { error: 'projection_still_defined', message: error.message },
      HttpStatus.CONFLICT,
    );
  }
  if (error instanceof OrphanedProjectionNotFoundError) {
    return new HttpException(
      { error: 'orphaned_projection_not_found', message: error.message, orphaned: [...error.orphaned] },
      HttpStatus.NOT_FOUND,
    );
  }
  if (error instanceof InvalidAdminParameterError) {
    return new HttpException(
      { error: 'invalid_admin_parameter', message: error.message, parameter: error.parameter },
      HttpStatus.BAD_REQUEST,
    );
  }
  if (error instanceof InvalidPositionError) {
    return new HttpException({ error: 'invalid_position', message: error.message }, HttpStatus.BAD_REQUEST);
  }
  if (error instanceof ForwardedAdminError) return new HttpException(error.body, error.status);
  if (error instanceof NoLiveOwnerError) {
    return new HttpException(
      { error: 'projection_not_owned', message: error.message, action: error.action },
      HttpStatus.CONFLICT,
    );
  }
  // The lease moved between this node's look and the runtime's (or a standby with no owner): retry.
  if (error instanceof ProjectionNotOwnedError) {
    return new HttpException(
      {
        error: 'projection_not_owned',
        message: `${error.message} Retry: any node forwards it to the owner.`,
        ...(error.owner !== undefined && { owner: error.owner }),
      },
      HttpStatus.CONFLICT,
    );
  }
  if (error instanceof CoordinationUnavailableError) {
    return new HttpException(
      { error: 'coordination_unavailable', message: error.message },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
  if (error instanceof AdminRequestAbandonedError) {
    return new HttpException(
      {
        error: 'admin_request_abandoned',
        message: error.message,
        request: error.requestId,
        runBy: error.runBy,
      },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
  if (error instanceof AdminRequestTimeoutError) {
    return new HttpException(
      {
        error: 'admin_request_timeout',
        message: error.message,
        request: error.requestId,
        owner: error.owner,
      },
      HttpStatus.GATEWAY_TIMEOUT,
    );
  }
  if (error instanceof ProjectionRuntimeUnavailableError) {
    return new HttpException(
      { error: 'projection_runtime_unavailable', message: error.message },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
  return error;
}
