// A timeout means the issuer did not answer, not that a stalled process had not yet looked:
// an answer that arrived during a stall is read before the timer's verdict.
import { afterEach, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../helpers/child-server.js';
import { stallEventLoop } from '../helpers/stall.js';
import { AUDIENCE, keySet, makeKey, verifierFor } from './support.js';

const servers: ChildServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('a key-set fetch through a stalled event loop', () => {
  it('uses the key set that arrived during a stall longer than the timeout', async () => {
    const key = await makeKey();
    const server = await startChildServer(keySet(key), 100);
    servers.push(server);
    const verifier = verifierFor({ issuer: server.origin, jwksUri: `${server.origin}/jwks.json` }, { timeout: 0.3 });
    const token = await key.sign(server.origin);

    const arrived = server.nextRequest();
    const verification = verifier.verifyAccessToken(token);
    await arrived;
    // The answer comes 100 ms into a stall of a second, long past the 300 ms timeout.
    stallEventLoop(1000);

    const claims = await verification;
    expect(claims.aud).toBe(AUDIENCE);
  });
});
