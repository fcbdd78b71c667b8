// The channel names are the public contract, and the two runtimes' channel sets have one shape:
// Node's real channels, and the web runtime's silent ones that nobody can reach.
import { channel, subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../src/index.js';
import { SILENT_CHANNELS } from '../../src/events/channels.js';
import { nodeChannels } from '../../src/events/node.js';

describe('CHANNELS', () => {
  it('names every channel, frozen', () => {
    expect(CHANNELS).toEqual({
      verify: 'tokenwarden:verify',
      jwksFetch: 'tokenwarden:jwks:fetch',
      jwksSkipped: 'tokenwarden:jwks:skipped',
      jwksStale: 'tokenwarden:jwks:stale',
      revocationError: 'tokenwarden:revocation:error',
      revocationFailOpen: 'tokenwarden:revocation:fail-open',
      cacheEvict: 'tokenwarden:cache:evict',
      introspectionRequest: 'tokenwarden:introspection:request',
      introspectionLimited: 'tokenwarden:introspection:limited',
    });
    expect(Object.isFrozen(CHANNELS)).toBe(true);
  });

  it("gives Node's channel set and the web runtime's silent one the same keys as the names", () => {
    expect(Object.keys(nodeChannels).sort()).toEqual(Object.keys(CHANNELS).sort());
    expect(Object.keys(SILENT_CHANNELS).sort()).toEqual(Object.keys(CHANNELS).sort());
  });

  it('publishes on the channels of those names on Node: a subscription by name is seen', () => {
    const listener = (): void => undefined;
    expect(nodeChannels.jwksFetch.hasSubscribers).toBe(false);
    subscribe(CHANNELS.jwksFetch, listener);
    try {
      expect(nodeChannels.jwksFetch).toBe(channel(CHANNELS.jwksFetch));
      expect(nodeChannels.jwksFetch.hasSubscribers).toBe(true);
    } finally {
      unsubscribe(CHANNELS.jwksFetch, listener);
    }
  });

  it('keeps the silent channels silent even while someone listens on those names, and a trace there only runs its function', async () => {
    const listener = (): void => undefined;
    subscribe(CHANNELS.revocationFailOpen, listener);
    try {
      expect(Object.values(SILENT_CHANNELS).every((sink) => sink.hasSubscribers === false)).toBe(true);
      let ran = false;
      await SILENT_CHANNELS.verify.tracePromise(async () => {
        ran = true;
      }, {});
      expect(ran).toBe(true);
    } finally {
      unsubscribe(CHANNELS.revocationFailOpen, listener);
    }
  });
});
