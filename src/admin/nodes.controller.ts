/**
 * `GET /admin/nodes` (issue #15): every Prism process announced in the coordination store, with its role,
 * version, start time, heartbeat age, whether it is alive, and the leases it holds (projection, epoch, age,
 * time left). Any node answers the same list. Needs an admin API key; `prism nodes` prints it.
 */
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/require-role.decorator';
import { toHttpError } from './admin-http-errors';
import { AdminOperation } from './admin.openapi';
import { AdminService } from './admin.service';
import type { NodesJson } from './cluster-view';
import { answerOrThrow } from './http-answer';

@ApiTags('admin')
@Controller('admin/nodes')
@RequireRole('admin')
export class NodesController {
  constructor(@Inject(AdminService) private readonly admin: AdminService) {}

  @Get()
  @AdminOperation({
    summary: 'Every Prism node: role, version, heartbeat age, alive, the projection leases it holds',
    ok: { status: 200, schema: 'NodeList' },
    errors: ['projection_runtime_unavailable'],
  })
  list(): Promise<NodesJson> {
    return answerOrThrow(() => this.admin.nodes(), toHttpError);
  }
}
