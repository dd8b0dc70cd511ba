/**
 * The one gate in front of every route: reads the role a route requires (@RequireRole) and the API key a
 * caller sent (`Authorization: Bearer <key>` or `X-API-Key: <key>`), and lets the request through or
 * answers 401 (no or unknown key) / 403 (key of too low a role). Routes without a role are open.
 *
 * A caller it lets in with a key is recorded as the request's user: the key's role and name (see
 * request-user.ts), the name ending up as `metadata.userId` of the events the request appends.
 *
 * Development mode (PRISM_API_KEYS unset): writer and reader routes are open and the admin API is off,
 * so a fresh checkout works at once but cannot be reconfigured by anyone who can reach it. Its callers
 * are the anonymous user (`userId: "anonymous"`).
 * Keys never appear in logs or responses. With `auth: false` in the Nest module's options (src/nest) it lets
 * every request through: the app's own guards decide.
 */
import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PRISM_CONFIG, type PrismConfig } from '../nest/prism-config';
import type { HttpRequest, HttpResponse } from '../http/http.types';
import { redactUrl } from '../observability/logging/redact';
import { ApiKeyring } from './api-keyring';
import { ANONYMOUS_USER, setRequestUser } from './request-user';
import { REQUIRED_ROLE } from './require-role.decorator';
import { roleSatisfies, type Role } from './roles';

const HOW_TO_SEND = 'send it as "Authorization: Bearer <key>" or "X-API-Key: <key>"';

@Injectable()
export class ApiKeyGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger('Auth');
  private readonly keyring: ApiKeyring;
  private readonly auth: Exclude<PrismConfig['auth'], false> | undefined;

  constructor(
    @Inject(PRISM_CONFIG) config: PrismConfig,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {
    this.auth = config.auth === false ? undefined : config.auth;
    this.keyring = new ApiKeyring(this.auth?.apiKeys ?? []);
  }

  onModuleInit(): void {
    if (this.auth === undefined || !this.keyring.empty) return;
    this.logger.warn(
      'PRISM_API_KEYS is not set: development mode. The command and query APIs are open to anyone who can ' +
        'reach this port and the admin API is off. Set PRISM_API_KEYS=admin:<key>,writer:<key>,reader:<key> ' +
        '(keys of 8+ characters, e.g. from `openssl rand -hex 24`) to require keys; in your own Nest app, ' +
        "give PrismModule `auth: { apiKeys }`, or `auth: false` to leave access to the app's own guards.",
    );
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http' || this.auth === undefined) return true;
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (required === undefined) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<HttpRequest>();
    if (required === 'reader' && this.auth.queryAuth === 'public') return true;
    if (this.keyring.empty) {
      if (required !== 'admin') {
        setRequestUser(request, ANONYMOUS_USER);
        return true;
      }
      throw new HttpException(
        {
          error: 'admin_api_disabled',
          message:
            'The admin API is off because no API keys are configured; set PRISM_API_KEYS with an admin key ' +
            '(e.g. PRISM_API_KEYS=admin:<key of 8+ characters>), restart Prism, and send that key.',
          requiredRole: 'admin',
        },
        HttpStatus.FORBIDDEN,
      );
    }
    const presented = presentedKey(request);
    const holder = presented === undefined ? undefined : this.keyring.holderOf(presented);
    if (holder === undefined) {
      const problem = presented === undefined ? 'no API key was sent' : 'the API key is not valid';
      this.logger.warn(`${request.method} ${redactUrl(request.originalUrl)} -> 401: ${problem}`);
      http.getResponse<HttpResponse>().setHeader('WWW-Authenticate', 'Bearer');
      throw new HttpException(
        {
          error: 'unauthorized',
          message: `This route needs an API key with the ${required} role, but ${problem}; ${HOW_TO_SEND}.`,
          requiredRole: required,
        },
        HttpStatus.UNAUTHORIZED,
      );
    }
    const { role } = holder;
    if (!roleSatisfies(role, required)) {
      this.logger.warn(
        `${request.method} ${redactUrl(request.originalUrl)} -> 403: a ${role} key, ${required} needed`,
      );
      throw new HttpException(
        {
          error: 'forbidden',
          message: `This route needs the ${required} role; the API key sent has the ${role} role. Send a key with the ${required} role.`,
          requiredRole: required,
        },
        HttpStatus.FORBIDDEN,
      );
    }
    setRequestUser(request, holder);
    return true;
  }
}

/** The header a key may come in instead of `Authorization: Bearer <key>`. */
export const API_KEY_HEADER = 'X-API-Key';

/** The key from `Authorization: Bearer <key>`, else from `X-API-Key`. */
function presentedKey(request: HttpRequest): string | undefined {
  const authorization = request.header('authorization');
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (bearer !== undefined) return bearer;
  const apiKey = request.header(API_KEY_HEADER)?.trim();
  return apiKey === undefined || apiKey === '' ? undefined : apiKey;
}
