/**
 * GET /console: the projection console's page and its two files, open like /docs (they hold no data;
 * every data call the page makes needs the admin key). See README.md in this folder.
 */
import { Controller, Get, HttpStatus, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CONSOLE_HEADERS, readConsoleAsset } from './console-assets';

/** What Express's response offers that this controller uses. */
interface AssetResponse {
  setHeader(name: string, value: string): unknown;
  status(code: number): { send(body: Buffer | string): unknown };
}

const NOT_BUILT =
  'The console is not built: run `npm run build` (it bundles src/console/web into dist/console/public), ' +
  'then reload.';

@ApiExcludeController()
@Controller('console')
export class ConsoleAssetsController {
  @Get()
  page(@Res() response: AssetResponse): Promise<void> {
    return send(response, 'index.html');
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() response: AssetResponse): Promise<void> {
    return send(response, file);
  }
}

async function send(response: AssetResponse, name: string): Promise<void> {
  for (const [header, value] of Object.entries(CONSOLE_HEADERS)) response.setHeader(header, value);
  const asset = await readConsoleAsset(name);
  if (asset !== undefined) {
    response.setHeader('Content-Type', asset.type);
    response.status(HttpStatus.OK).send(asset.body);
    return;
  }
  response.setHeader('Content-Type', 'text/plain; charset=utf-8');
  if (name === 'index.html') response.status(HttpStatus.SERVICE_UNAVAILABLE).send(NOT_BUILT);
  else response.status(HttpStatus.NOT_FOUND).send('No such console file.');
}
