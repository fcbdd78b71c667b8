// Where the config comes from: the JSON file named by --config or TOKENWARDEN_CONFIG, then a
// small set of environment overrides for containers (the values an image's user changes
// without writing a file). Without a file, the environment alone must name issuer and audience.
import { readFileSync } from 'node:fs';
import { isPlainObject } from '../lib/options.js';
import { checkConfig, type GatewayConfig } from './config.js';

/** The environment variables `tokenwarden serve` reads, and the config path each overrides. */
export const ENV_OVERRIDES = Object.freeze({
  TOKENWARDEN_LISTEN: 'listen',
  TOKENWARDEN_PROXY: 'proxy',
  TOKENWARDEN_ISSUER: 'verifier.issuer',
  TOKENWARDEN_AUDIENCE: 'verifier.audience',
  TOKENWARDEN_JWKS_URI: 'verifier.jwksUri',
  TOKENWARDEN_TRUSTED_PROXIES: 'trustedProxies',
} as const);

type Env = Readonly<Record<string, string | undefined>>;

const list = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TypeError(`cannot read the config file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TypeError(`the config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Applies the overrides that are set; returns the config paths they set, by variable. */
function applyEnv(raw: Record<string, unknown>, env: Env): Map<string, string> {
  const applied = new Map<string, string>();
  const verifier = (): Record<string, unknown> => {
    if (raw.verifier === undefined) raw.verifier = {};
    if (!isPlainObject(raw.verifier)) throw new TypeError('verifier must be a JSON object');
    return raw.verifier;
  };
  for (const [name, path] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    applied.set(path, name);
    if (name === 'TOKENWARDEN_LISTEN') raw.listen = value;
    else if (name === 'TOKENWARDEN_PROXY') raw.proxy = value;
    else if (name === 'TOKENWARDEN_TRUSTED_PROXIES') raw.trustedProxies = list(value);
    else if (name === 'TOKENWARDEN_JWKS_URI') verifier().jwksUri = value;
    else {
      const values = list(value);
      verifier()[name === 'TOKENWARDEN_ISSUER' ? 'issuer' : 'audience'] = values.length === 1 ? values[0] : values;
    }
  }
  return applied;
}

/**
 * The config for `tokenwarden serve`: the file (the `--config` argument, else
 * `TOKENWARDEN_CONFIG`, else none), the environment overrides on top, checked. Throws
 * TypeError/RangeError with a message naming the wrong value (and the variable that set it).
 */
export function loadConfig(file: string | undefined, env: Env): GatewayConfig {
  const source = file ?? (env.TOKENWARDEN_CONFIG === '' ? undefined : env.TOKENWARDEN_CONFIG);
  const raw = source === undefined ? {} : readJson(source);
  if (!isPlainObject(raw)) throw new TypeError(`the config file ${source ?? ''} must hold a JSON object`);
  const copy = structuredClone(raw);
  const applied = applyEnv(copy, env);
  try {
    return checkConfig(copy, env);
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
    const path = [...applied.keys()].find((key) => error.message.startsWith(key));
    if (path !== undefined) error.message += ` (set by ${applied.get(path) as string})`;
    throw error;
  }
}
