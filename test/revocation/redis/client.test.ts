// The shapes the store drives ioredis and node-redis through, checked on fakes where a real
// client cannot be made to do the thing on purpose.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { openSubscriber, withCommandTimeout, wrapConnection, type RedisClientLike } from '../../../src/revocation/redis/client.js';

const quiet = { ready: () => undefined, down: () => undefined, message: () => undefined };

describe('wrapConnection', () => {
  it("routes a node-redis cluster's commands by the key each one reads or writes, always to the primary", async () => {
    const sendCommand = vi.fn(async () => 'OK');
    const cluster = { isOpen: true, sendCommand, nodeClient: () => undefined, duplicate: () => undefined };
    const connection = wrapConnection(cluster as unknown as RedisClientLike);
    await connection.send(['MGET', 'p:jti:*:a', 'p:sub:*:b']);
    await connection.send(['EVAL', 'return 1', '1', 'p:jti:*:a', '1800000000']);
    await connection.send(['PUBLISH', 'p:events', 'jti:*:a']);
    expect(sendCommand.mock.calls).toEqual([
      ['p:jti:*:a', false, ['MGET', 'p:jti:*:a', 'p:sub:*:b']],
      ['p:jti:*:a', false, ['EVAL', 'return 1', '1', 'p:jti:*:a', '1800000000']],
      [undefined, false, ['PUBLISH', 'p:events', 'jti:*:a']],
    ]);
    expect(connection.isReady()).toBe(true);
    cluster.isOpen = false;
    expect(connection.isReady()).toBe(false);
  });
});

describe('withCommandTimeout', () => {
  it('rejects a command Redis has not answered in time, naming the timeout', async () => {
    vi.useFakeTimers();
    try {
      const connection = withCommandTimeout({ send: () => new Promise(() => undefined), isReady: () => true }, 200);
      const sent = connection.send(['MGET', 'k']);
      const outcome = sent.then(
        () => 'answered',
        (error: unknown) => (error as Error).message,
      );
      // The timeout falls due at 200 ms; its verdict follows one pass over pending I/O.
      await vi.advanceTimersByTimeAsync(201);
      expect(await outcome).toBe('Redis did not answer within 200 ms');
      expect(connection.isReady()).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('openSubscriber', () => {
  it('passes on only text messages from ioredis', () => {
    const sub = Object.assign(new EventEmitter(), { status: 'ready', subscribe: vi.fn(), connect: vi.fn(), disconnect: vi.fn() });
    const client = { status: 'ready', call: vi.fn(), duplicate: () => sub } as unknown as RedisClientLike;
    const message = vi.fn();
    const subscriber = openSubscriber(client, { ...quiet, message });
    sub.emit('message', Buffer.from('p:events'), Buffer.from('jti:*:a'));
    sub.emit('message', 'p:events', 'jti:*:a');
    expect(message.mock.calls).toEqual([['p:events', 'jti:*:a']]);
    subscriber.close();
    sub.emit('message', 'p:events', 'jti:*:b');
    expect(message).toHaveBeenCalledTimes(1);
  });

  it('reconnects a node-redis subscriber only when it is not open', () => {
    const sub = Object.assign(new EventEmitter(), {
      isOpen: false,
      isReady: false,
      connect: vi.fn(async () => undefined),
      subscribe: vi.fn(),
      disconnect: vi.fn(async () => undefined),
    });
    const client = { isOpen: true, sendCommand: vi.fn(), duplicate: () => sub } as unknown as RedisClientLike;
    const subscriber = openSubscriber(client, quiet);
    expect(sub.connect).toHaveBeenCalledTimes(1);
    subscriber.reopen();
    expect(sub.connect).toHaveBeenCalledTimes(2);
    sub.isOpen = true;
    subscriber.reopen();
    expect(sub.connect).toHaveBeenCalledTimes(2);
    subscriber.close();
    expect(sub.disconnect).toHaveBeenCalledTimes(1);
    sub.isOpen = false;
    subscriber.reopen();
    expect(sub.connect).toHaveBeenCalledTimes(2);
  });
});
