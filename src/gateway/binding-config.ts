// The verifier's `dpop` and `mtls` options in the gateway's JSON config. What JSON cannot hold
// comes from elsewhere: nonce secrets from an environment variable (a config file is copied,
// committed and printed; a secret in it leaks), and a Redis replay store from its URL, connected
// when the service starts (./replay.ts).
import type { DpopOptions } from '../dpop/options.js';
import type { MtlsOptions } from '../mtls/options.js';
import { child, isNonEmptyString, listAt, numberAt, objectAt, oneOfAt, stringAt, wrong, type ConfigPath } from './config-checks.js';

/** Where the DPoP replay store lives: this process's memory, or a Redis server shared by the fleet. */
export type ReplayConfig = { readonly kind: 'memory' } | { readonly kind: 'redis'; readonly url: string; readonly prefix: string | undefined };

/** The `dpop` option without its store, and the store's config. */
export interface DpopConfig {
  readonly options: Omit<DpopOptions, 'replay'>;
  readonly replay: ReplayConfig;
}

/** The environment variable holding the nonce secrets unless `nonce.secretEnv` names another. */
export const NONCE_SECRET_ENV = 'TOKENWARDEN_DPOP_NONCE_SECRET';

const DPOP_KEYS = ['mode', 'algorithms', 'maxProofAge', 'clockTolerance', 'origins', 'nonce', 'replay'] as const;
const NONCE_KEYS = ['secretEnv', 'lifetime'] as const;
const MODES = ['allowed', 'required', 'disabled'] as const;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Env = Readonly<Record<string, string | undefined>>;

function nonceConfig(path: ConfigPath, value: unknown, env: Env): NonNullable<DpopOptions['nonce']> {
  const raw = objectAt(path, value, NONCE_KEYS);
  const name = stringAt(child(path, 'secretEnv'), raw.secretEnv, NONCE_SECRET_ENV);
  if (!ENV_NAME.test(name)) wrong(child(path, 'secretEnv'), 'the name of an environment variable');
  const secrets = (env[name] ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
  // The variable's name, never its value, goes into the message.
  if (secrets.length === 0) wrong(path, `given its secret in the environment variable ${name} (one secret of at least 32 bytes, or several separated by commas, the first issuing nonces)`);
  const lifetime = raw.lifetime === undefined ? undefined : numberAt(child(path, 'lifetime'), raw.lifetime, 300, 10, 86400);
  return { secrets, ...(lifetime === undefined ? {} : { lifetime }) };
}

function replayConfig(path: ConfigPath, value: unknown): ReplayConfig {
  if (value === undefined || value === 'memory') return { kind: 'memory' };
  const raw = objectAt(path, value, ['redis', 'prefix']);
  const url = stringAt(child(path, 'redis'), raw.redis);
  if (url === undefined || !/^rediss?:\/\//.test(url)) wrong(child(path, 'redis'), 'a redis:// or rediss:// URL');
  return { kind: 'redis', url, prefix: stringAt(child(path, 'prefix'), raw.prefix) };
}

/** Checks `verifier.dpop`. Ranges are the verifier's own, checked again by createVerifier. */
export function dpopConfig(path: ConfigPath, value: unknown, env: Env): DpopConfig {
  const raw = objectAt(path, value, DPOP_KEYS);
  const options: Omit<DpopOptions, 'replay'> = {};
  if (raw.mode !== undefined) options.mode = oneOfAt(child(path, 'mode'), raw.mode, MODES, 'allowed');
  if (raw.algorithms !== undefined) {
    options.algorithms = listAt(child(path, 'algorithms'), raw.algorithms, 'an array of algorithm names', isNonEmptyString) as NonNullable<DpopOptions['algorithms']>;
  }
  if (raw.maxProofAge !== undefined) options.maxProofAge = numberAt(child(path, 'maxProofAge'), raw.maxProofAge, 300, 1, 3600);
  if (raw.clockTolerance !== undefined) options.clockTolerance = numberAt(child(path, 'clockTolerance'), raw.clockTolerance, 5, 0, 300);
  if (raw.origins !== undefined) options.origins = listAt(child(path, 'origins'), raw.origins, 'an array of origins (e.g. ["https://api.example.com"])', isNonEmptyString);
  if (raw.nonce !== undefined) options.nonce = nonceConfig(child(path, 'nonce'), raw.nonce, env);
  return { options, replay: replayConfig(child(path, 'replay'), raw.replay) };
}

/**
 * Checks `verifier.mtls`: the mode only. Which header carries the certificate, and from which
 * peers, is the gateway's own `certificateHeader` and `trustedProxies`.
 */
export function mtlsConfig(path: ConfigPath, value: unknown): MtlsOptions {
  const raw = objectAt(path, value, ['mode']);
  return raw.mode === undefined ? {} : { mode: oneOfAt(child(path, 'mode'), raw.mode, MODES, 'allowed') };
}
