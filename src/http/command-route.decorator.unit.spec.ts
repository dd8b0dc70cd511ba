import 'reflect-metadata';
import { UseInterceptors } from '@nestjs/common';
import { CommandEndpoint } from './command-endpoint.decorator';
import { CommandResponseInterceptor } from './command-response.interceptor';
import { CommandRoute, isCommandRoute } from './command-route.decorator';

class Routes {
  @CommandEndpoint({ summary: 'a command' })
  endpoint(): void {}

  @CommandRoute()
  marked(): void {}

  // Using the command response interceptor alone does not make a command route: only the mark does.
  @UseInterceptors(CommandResponseInterceptor)
  intercepted(): void {}

  plain(): void {}
}

describe('@CommandRoute', () => {
  const routes = Routes.prototype;

  it('is applied by @CommandEndpoint, and on its own', () => {
    expect(isCommandRoute(routes.endpoint)).toBe(true);
    expect(isCommandRoute(routes.marked)).toBe(true);
  });

  it('is absent from other routes', () => {
    expect(isCommandRoute(routes.intercepted)).toBe(false);
    expect(isCommandRoute(routes.plain)).toBe(false);
  });
});
