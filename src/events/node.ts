// The channels on Node. Only src/runtime/node.ts imports this file, so the web build never
// loads node:diagnostics_channel.
import { channel, tracingChannel } from 'node:diagnostics_channel';
import { CHANNELS, type Channels } from './channels.js';
import type { VerifyContext } from './verify.js';

// Channels are looked up by name in a process-wide registry: two copies of tokenwarden (ESM and
// CJS, or two versions) publish on the same channels, and a subscriber sees both.
export const nodeChannels: Channels = Object.freeze({
  verify: tracingChannel<unknown, VerifyContext>(CHANNELS.verify),
  jwksFetch: channel(CHANNELS.jwksFetch),
  jwksSkipped: channel(CHANNELS.jwksSkipped),
  jwksStale: channel(CHANNELS.jwksStale),
  revocationError: channel(CHANNELS.revocationError),
  revocationFailOpen: channel(CHANNELS.revocationFailOpen),
  cacheEvict: channel(CHANNELS.cacheEvict),
  introspectionRequest: channel(CHANNELS.introspectionRequest),
  introspectionLimited: channel(CHANNELS.introspectionLimited),
});
