import { EventEmitter } from 'node:events';
import { ShutdownGate, ShuttingDownError } from './shutdown-gate';
import { shutdownGateMiddleware } from './shutdown-gate.middleware';

function fakeResponse(): EventEmitter & { setHeader(): void; status(): { json(): void } } {
  return Object.assign(new EventEmitter(), {
    setHeader: () => undefined,
    status: () => ({ json: () => undefined }),
  });
}
const request = (method: string) => ({ method, originalUrl: '/x', header: () => undefined });

describe('ShutdownGate', () => {
  it('waits until the requests in flight are answered', async () => {
    const gate = new ShutdownGate();
    const leaveA = gate.enter();
    const leaveB = gate.enter();
    const idle = gate.waitUntilIdle(5_000);
    leaveA();
    leaveA(); // a second call changes nothing
    expect(gate.requestsInFlight).toBe(1);
    leaveB();
    await expect(idle).resolves.toBe(true);
  });

  it('gives up waiting after the timeout', async () => {
    jest.useFakeTimers();
    try {
      const gate = new ShutdownGate();
      gate.enter();
      const idle = gate.waitUntilIdle(100);
      jest.advanceTimersByTime(100);
      await expect(idle).resolves.toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('shutdownGateMiddleware', () => {
  it('counts a request until its response finishes or is cut', () => {
    const gate = new ShutdownGate();
    const middleware = shutdownGateMiddleware(gate);
    const answered = fakeResponse();
    const cut = fakeResponse();
    const next = jest.fn();
    middleware(request('POST'), answered, next);
    middleware(request('GET'), cut, next);
    expect(gate.requestsInFlight).toBe(2);
    answered.emit('finish');
    answered.emit('close');
    cut.emit('close');
    expect(gate.requestsInFlight).toBe(0);
    expect(next).toHaveBeenCalledWith();
  });

  it('refuses commands while draining, with Retry-After, and still answers reads', () => {
    const gate = new ShutdownGate();
    const middleware = shutdownGateMiddleware(gate);
    gate.startDraining();
    const refused = jest.fn();
    middleware(request('POST'), fakeResponse(), refused);
    expect(refused.mock.calls[0]?.[0]).toBeInstanceOf(ShuttingDownError);
    expect((refused.mock.calls[0]?.[0] as ShuttingDownError).retryAfterSeconds).toBeGreaterThan(0);
    expect(gate.requestsInFlight).toBe(0);
    const read = jest.fn();
    middleware(request('GET'), fakeResponse(), read);
    expect(read).toHaveBeenCalledWith();
  });
});
