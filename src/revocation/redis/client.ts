// The Redis store speaks to ioredis and node-redis through the few methods below, so that neither
// library is a dependency: users bring the client they already run. Everything here is shape
// detection and event plumbing; what the store does with them lives in store.ts and local-tier.ts.
import { withTimeout } from '../../lib/timeout.js';

type Listener = (...args: unknown[]) => void;

/**
 * The part of an ioredis client (v5) that the Redis revocation store uses. An ioredis `Redis`
 * instance satisfies it as is.
 */
export interface IoRedisClientLike {
  /** ioredis connection state: `wait`, `connecting`, `ready`, `reconnecting`, `end`, ... */
  readonly status: string;
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  duplicate(override?: { autoResubscribe?: boolean }): IoRedisClientLike;
  connect(): Promise<unknown>;
  subscribe(...channels: string[]): Promise<unknown>;
  on(event: string, listener: Listener): unknown;
  disconnect(): unknown;
}

/**
 * The part of a node-redis client (v4 or v5) that the Redis revocation store uses. A client
 * from `createClient()` satisfies it as is.
 */
export interface NodeRedisClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  sendCommand(args: string[]): Promise<unknown>;
  duplicate(): NodeRedisClientLike;
  connect(): Promise<unknown>;
  subscribe(channels: string | string[], listener: (message: string, channel: string) => unknown): Promise<unknown>;
  on(event: string, listener: Listener): unknown;
  disconnect(): Promise<unknown>;
}

/**
 * The part of an ioredis `Cluster` (v5) that the store uses; the store takes one only with
 * `localTier: false`, so it sends commands and nothing else.
 */
export interface IoRedisClusterLike {
  readonly isCluster: boolean;
  readonly status: string;
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  duplicate(...args: never[]): unknown;
}

/**
 * The part of a node-redis cluster client (v4 or v5, from `createCluster()`) that the store
 * uses, with `localTier: false`. It routes each command by the key it is handed.
 */
export interface NodeRedisClusterLike {
  readonly isOpen: boolean;
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
  nodeClient(node: never): unknown;
  duplicate(...args: never[]): unknown;
}

/** A connected ioredis or node-redis client, of one server or of a Redis Cluster. */
export type RedisClientLike = IoRedisClientLike | NodeRedisClientLike | IoRedisClusterLike | NodeRedisClusterLike;

/** One connection, whichever library it comes from. */
export interface Connection {
  /** Sends one command; resolves with the raw reply. */
  send(args: readonly string[]): Promise<unknown>;
  /** True when commands go straight to the server rather than into an offline queue. */
  isReady(): boolean;
}

export interface SubscriberEvents {
  /** The connection is (again) ready for commands. */
  ready(): void;
  /** The connection dropped, errored or is reconnecting: messages may have been missed. */
  down(): void;
  message(channel: string, message: string): void;
}

/** A second connection in subscriber mode. */
export interface Subscriber {
  isReady(): boolean;
  /** Reconnects a connection that has given up (or never started); a no-op otherwise. */
  reopen(): void;
  /** Subscribes to the channels in one SUBSCRIBE; safe to repeat (idempotent in both libraries). */
  subscribe(channels: readonly string[]): Promise<unknown>;
  /** Drops the connection; nothing is emitted afterwards. */
  close(): void;
}

const isFunction = (value: unknown): value is (...args: never[]) => unknown => typeof value === 'function';

function isIoRedis(client: Record<string, unknown>): boolean {
  return isFunction(client.call) && typeof client.status === 'string' && isFunction(client.duplicate);
}

function isNodeRedis(client: Record<string, unknown>): boolean {
  return isFunction(client.sendCommand) && typeof client.isOpen === 'boolean' && isFunction(client.duplicate);
}

/**
 * A Redis Cluster client: ioredis marks its `Cluster`; node-redis's (v4 and v5) is the one with
 * per-node clients. Both otherwise look enough like a plain client to be taken for one.
 */
export function isClusterClient(client: RedisClientLike): boolean {
  const raw = client as unknown as Record<string, unknown>;
  return raw.isCluster === true || isFunction(raw.nodeClient);
}

/** Why `value` is not a usable client, or undefined when it is one. */
export function describeClientProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'an ioredis or node-redis client';
  const client = value as Record<string, unknown>;
  if (isIoRedis(client) || isNodeRedis(client)) return undefined;
  return 'an ioredis or node-redis client (no call()/status or sendCommand()/isOpen found)';
}

export function wrapConnection(client: RedisClientLike): Connection {
  // ioredis's Cluster passes for an ioredis client here: its call() finds each command's slot.
  const raw = client as unknown as Record<string, unknown>;
  if (isIoRedis(raw)) {
    const io = client as IoRedisClientLike;
    return {
      send: ([command, ...args]) => io.call(command as string, ...args),
      isReady: () => io.status === 'ready',
    };
  }
  if (isClusterClient(client)) {
    const cluster = client as NodeRedisClusterLike;
    return {
      // Always the primary of the key's slot: a replica may not have the newest revocation yet.
      send: (args) => cluster.sendCommand(routingKey(args), false, [...args]),
      isReady: () => cluster.isOpen,
    };
  }
  const node = client as NodeRedisClientLike;
  return {
    send: (args) => node.sendCommand([...args]),
    isReady: () => node.isReady,
  };
}

/**
 * `connection` with every command bounded by `ms`: a command Redis has not answered in time
 * rejects, whatever the client's own retry and offline-queue settings would do with it.
 */
export function withCommandTimeout(connection: Connection, ms: number): Connection {
  return {
    send(args) {
      let sent: Promise<unknown>;
      try {
        sent = connection.send(args);
      } catch (error) {
        return Promise.reject(error as Error);
      }
      return withTimeout(sent, ms, () => new Error(`Redis did not answer within ${ms} ms`));
    },
    isReady: () => connection.isReady(),
  };
}

/**
 * The key node-redis's cluster must route a command of the store's by (ioredis finds it itself):
 * MGET's first key, EVAL's first key after the script and the key count; none for PUBLISH.
 */
function routingKey(args: readonly string[]): string | undefined {
  const command = args[0]?.toUpperCase();
  if (command === 'MGET') return args[1];
  if (command === 'EVAL') return args[3];
  return undefined;
}

/**
 * Opens a subscriber connection with `client.duplicate()` and reports its life through
 * `events`. The store never touches the user's own client beyond sending commands on it.
 */
export function openSubscriber(client: RedisClientLike, events: SubscriberEvents): Subscriber {
  let closed = false;
  const guard =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A): void => {
      if (!closed) fn(...args);
    };
  const down = guard(() => events.down());
  const ready = guard(() => events.ready());
  const message = guard((channel: string, text: string) => events.message(channel, text));

  if (isIoRedis(client as unknown as Record<string, unknown>)) {
    // The store subscribes again itself after every reconnection, and proves it with a probe.
    // ioredis's own resubscription sends a SUBSCRIBE whose promise nobody handles: closed while
    // it is pending, it becomes an unhandled rejection in the user's process.
    const sub = (client as IoRedisClientLike).duplicate({ autoResubscribe: false });
    // An 'error' listener also keeps ioredis from logging "Unhandled error event".
    for (const event of ['error', 'close', 'end', 'reconnecting']) sub.on(event, down);
    sub.on('ready', ready);
    sub.on('message', ((channel: unknown, text: unknown) => {
      if (typeof channel === 'string' && typeof text === 'string') message(channel, text);
    }) as Listener);
    // A duplicate of a lazyConnect client waits for connect(); any other one is already connecting.
    if (sub.status === 'wait') sub.connect().catch(down);
    return {
      isReady: () => sub.status === 'ready',
      reopen() {
        if (!closed && (sub.status === 'wait' || sub.status === 'end')) sub.connect().catch(down);
      },
      subscribe: (channels) => sub.subscribe(...channels),
      close() {
        closed = true;
        sub.disconnect();
      },
    };
  }

  const sub = (client as NodeRedisClientLike).duplicate();
  // node-redis throws an 'error' event that has no listener: this one is required, not cosmetic.
  for (const event of ['error', 'end', 'reconnecting']) sub.on(event, down);
  sub.on('ready', ready);
  // One function for every SUBSCRIBE: node-redis keeps listeners in a Set, so repeating the
  // subscription never delivers a message twice.
  const listener = (text: string, channel: string): void => message(channel, text);
  sub.connect().catch(down);
  return {
    isReady: () => sub.isReady,
    reopen() {
      if (!closed && !sub.isOpen) sub.connect().catch(down);
    },
    subscribe: (channels) => sub.subscribe([...channels], listener),
    close() {
      closed = true;
      const handle = sub as unknown as { destroy?: () => void };
      // v5 has destroy(); v4 only disconnect(), which v5 keeps as a deprecated alias.
      if (typeof handle.destroy === 'function') handle.destroy();
      else sub.disconnect().catch(() => undefined);
    },
  };
}
