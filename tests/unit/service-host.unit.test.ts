// Unit tier: the service host (services/shared/runtime/host.ts) — start order, reverse stop order, stops that go on
// after a failure, a failed start-up stopping what started, transient start-up failures retried, config errors not.
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../services/shared/config/config';
import { TransientError, ValidationError } from '../../services/shared/errors/errors';
import { createLogger } from '../../services/shared/log/logger';
import { hostService, isTransientAtStart, ServiceHost, type HostOptions } from '../../services/shared/runtime/host';

const logger = createLogger('service-host-test', 'silent');

/** Host options with a recording clock: no real waiting between tries. */
function options(extra: Partial<HostOptions> = {}): HostOptions & { readonly slept: number[] } {
  const slept: number[] = [];
  return {
    name: 'test',
    logger,
    sleep: async (ms) => {
      slept.push(ms);
    },
    slept,
    ...extra,
  };
}

/** A part that records its start and stop in `log`. */
const part = (log: string[], name: string) =>
  [
    name,
    () => {
      log.push(`start ${name}`);
      return name;
    },
    () => {
      log.push(`stop ${name}`);
    },
  ] as const;

describe('ServiceHost', () => {
  it('starts parts in the order declared and records it, then stops them in reverse order', async () => {
    const log: string[] = [];
    const host = new ServiceHost(options());
    expect(await host.start(...part(log, 'mongo'))).toBe('mongo');
    await host.step('indexes', () => void log.push('step indexes'));
    await host.start(...part(log, 'kafka'));
    await host.launch('consumer', { start: () => void log.push('start consumer'), stop: async () => void log.push('stop consumer') });
    host.onStop('client', () => void log.push('stop client'));
    await host.start(...part(log, 'grpc'));
    expect(host.started).toEqual(['mongo', 'indexes', 'kafka', 'consumer', 'client', 'grpc']);
    await host.stop();
    expect(log).toEqual([
      'start mongo',
      'step indexes',
      'start kafka',
      'start consumer',
      'start grpc',
      'stop grpc',
      'stop client',
      'stop consumer',
      'stop kafka',
      'stop mongo',
    ]);
  });

  it('runs every stop even when one throws, rethrows the failure afterwards, and stops only once', async () => {
    const log: string[] = [];
    const host = new ServiceHost(options());
    await host.start(...part(log, 'a'));
    await host.start(
      'b',
      () => 'b',
      () => {
        log.push('stop b');
        throw new Error('b will not stop');
      },
    );
    await host.start(...part(log, 'c'));
    const first = host.stop();
    const second = host.stop();
    await expect(first).rejects.toThrow('b will not stop');
    await expect(second).rejects.toThrow('b will not stop');
    expect(log).toEqual(['start a', 'start c', 'stop c', 'stop b', 'stop a']);
  });

  it('refuses to start a part once stopping', async () => {
    const host = new ServiceHost(options());
    await host.stop();
    await expect(host.start('late', () => 1)).rejects.toThrow(/stopping/);
  });

  it('retries a transient start-up failure with growing pauses, then goes on', async () => {
    const o = options();
    const host = new ServiceHost(o);
    let tries = 0;
    const value = await host.start('mongo', () => {
      tries += 1;
      if (tries < 3) throw new TransientError('cannot reach MongoDB');
      return 'connected';
    });
    expect(value).toBe('connected');
    expect(tries).toBe(3);
    expect(o.slept).toEqual([200, 400]);
  });

  it('retries a dependency outage (a driver error in the cause chain) too', async () => {
    const o = options();
    const host = new ServiceHost(o);
    let tries = 0;
    await host.step('indexes', () => {
      tries += 1;
      if (tries === 1) throw Object.assign(new Error('connection reset'), { name: 'MongoNetworkError' });
    });
    expect(tries).toBe(2);
  });

  it('gives up after the bounded number of tries', async () => {
    const o = options({ retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 150 } });
    const host = new ServiceHost(o);
    let tries = 0;
    const failing = host.start('kafka', () => {
      tries += 1;
      throw new TransientError('broker down');
    });
    await expect(failing).rejects.toThrow('broker down');
    expect(tries).toBe(3);
    expect(o.slept).toEqual([100, 150]);
  });

  it('does not retry a configuration error, nor any other failure', async () => {
    const o = options();
    const host = new ServiceHost(o);
    let tries = 0;
    await expect(
      host.start('config', () => {
        tries += 1;
        throw new ConfigError(['BPS_KAFKA_BROKERS: required']);
      }),
    ).rejects.toBeInstanceOf(ConfigError);
    await expect(
      host.start('bug', () => {
        tries += 1;
        throw new TypeError('undefined is not a function');
      }),
    ).rejects.toBeInstanceOf(TypeError);
    expect(tries).toBe(2);
    expect(o.slept).toEqual([]);
  });
});

describe('isTransientAtStart', () => {
  it('tells transient start-up failures from the rest', () => {
    expect(isTransientAtStart(new TransientError('down'))).toBe(true);
    expect(isTransientAtStart(new Error('wrapped', { cause: Object.assign(new Error('x'), { name: 'MongoServerSelectionError' }) }))).toBe(true);
    expect(isTransientAtStart(Object.assign(new Error('leader not available'), { name: 'KafkaJSProtocolError', retriable: true }))).toBe(true);
    expect(isTransientAtStart(new Error('This server does not host this topic-partition'))).toBe(true);
    expect(isTransientAtStart(new ConfigError(['X: required']))).toBe(false);
    expect(isTransientAtStart(new ValidationError([{ field: 'x', description: 'bad' }]))).toBe(false);
    expect(isTransientAtStart(new Error('bug'))).toBe(false);
    expect(isTransientAtStart('a string')).toBe(false);
  });
});

describe('hostService', () => {
  it('when a part fails to start, stops what already started (reverse order) and throws the start-up error', async () => {
    const log: string[] = [];
    const failing = hostService(options(), async (host) => {
      await host.start(...part(log, 'mongo'));
      await host.start(...part(log, 'kafka'));
      await host.start('grpc', () => {
        throw new Error('EADDRINUSE');
      });
      return { grpcPort: 1 };
    });
    await expect(failing).rejects.toThrow('EADDRINUSE');
    expect(log).toEqual(['start mongo', 'start kafka', 'stop kafka', 'stop mongo']);
  });

  it('throws the start-up error even when stopping what started fails too', async () => {
    const failing = hostService(options(), async (host) => {
      await host.start(
        'mongo',
        () => 'm',
        () => {
          throw new Error('close failed');
        },
      );
      throw new ConfigError(['BPS_DECISION_PUBLIC_JWKS: not a key set']);
    });
    await expect(failing).rejects.toBeInstanceOf(ConfigError);
  });

  it("gives the declared service the host's stop, unless it declares its own", async () => {
    const log: string[] = [];
    const running = await hostService(options(), async (host) => {
      await host.start(...part(log, 'mongo'));
      return { grpcPort: 50051 };
    });
    expect(running.grpcPort).toBe(50051);
    await running.stop();
    expect(log).toEqual(['start mongo', 'stop mongo']);

    let mode = '';
    const own = await hostService(options(), async (host) => ({
      stop: async (m = 'graceful') => {
        mode = m;
        await host.stop();
      },
    }));
    await own.stop('abandon');
    expect(mode).toBe('abandon');
  });
});
