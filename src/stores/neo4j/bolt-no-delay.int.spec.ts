import net from 'node:net';
import neo4j from 'neo4j-driver';
import { describeWithStores } from '../../../test/support/stores';
import { disableNagleOnBoltSockets, openedByBoltChannel } from './bolt-no-delay';

describe('openedByBoltChannel', () => {
  it('recognizes the driver channel in a stack, on POSIX and Windows paths, and nothing else', () => {
    const posix =
      'Error\n    at connect (/app/node_modules/neo4j-driver-bolt-connection/lib/channel/node/node-channel.js:129:33)';
    const windows =
      'Error\n    at connect (C:\\app\\node_modules\\neo4j-driver-bolt-connection\\lib\\channel\\node\\node-channel.js:129:33)';
    expect(openedByBoltChannel(posix)).toBe(true);
    expect(openedByBoltChannel(windows)).toBe(true);
    expect(
      openedByBoltChannel('Error\n    at Client.connect (/app/node_modules/pg/lib/connection.js:1:1)'),
    ).toBe(false);
    expect(openedByBoltChannel(undefined)).toBe(false);
  });
});

describeWithStores(['neo4j'], 'TCP_NODELAY on the Neo4j driver sockets (real Neo4j)', (urls) => {
  const port = Number(new URL(urls.neo4j).port);
  let spy: jest.SpyInstance<net.Socket, [boolean?]>;

  beforeAll(() => disableNagleOnBoltSockets());
  // calls through to the real setNoDelay: the sockets behave as in production
  beforeEach(() => (spy = jest.spyOn(net.Socket.prototype, 'setNoDelay')));
  afterEach(() => spy.mockRestore());

  /** The sockets to the Neo4j port that were given setNoDelay(true) (read while they are still open). */
  const noDelayToNeo4j = () =>
    spy.mock.calls.filter((args, i) => args[0] === true && spy.mock.contexts[i]?.remotePort === port).length;

  it('a driver connection opened after the call has Nagle off, and the driver still works', async () => {
    const driver = neo4j.driver(urls.neo4j);
    try {
      const result = await driver.executeQuery('UNWIND range(1, 3) AS x RETURN sum(x) AS s');
      expect(neo4j.integer.toNumber(result.records[0]!.get('s'))).toBe(6);
      expect(noDelayToNeo4j()).toBeGreaterThanOrEqual(1);
    } finally {
      await driver.close();
    }
  });

  it('leaves a socket that something else opens as it was', async () => {
    const socket = net.connect(port, '127.0.0.1');
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      expect(spy).not.toHaveBeenCalled();
    } finally {
      socket.destroy();
    }
  });
});
