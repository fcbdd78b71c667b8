// What every runtime test runs, once per way a runtime loads the package (a variant): the Hono
// adapter contract (test/adapters/contract.ts) over real HTTP into the runtime, and the attack
// corpus decided inside the runtime, compared token by token with the package's Node build.
// Keys come from loopback servers in this process, fetched by the runtime's own fetch.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AuthOptions } from '../../src/adapters/core.js';
import { createTestIssuer } from '../../src/testing/index.js';
import { adapterContract } from '../adapters/contract.js';
import { httpSend, type Harness, type TestClaims } from '../adapters/support.js';
import { startServer, type LoopbackServer } from '../helpers/jwks-server.js';
import { attackCorpus, CORPUS_AUDIENCE, CORPUS_ISSUER } from './corpus.js';
import { decideCorpus, type CorpusAnswer, type CorpusRequest, type Library } from './decide.js';
import type { RunningRuntime } from './launch.js';
import { APP_HEADER, CORPUS_PATH, encodeApp, type AppConfig } from './protocol.js';

export interface Variant {
  /** The runtime, its version, and how it gets the package. */
  readonly title: string;
  /** A path-safe name, for the key-set URLs of this variant's verifiers. */
  readonly id: string;
  /** The package build that must run: dist/web or dist/node. */
  readonly build: 'web' | 'node';
  /**
   * Bundles the harness into `dir` (inside the consumer `project`) and starts the runtime.
   * `bundled` lists the package files in the bundle (none when the runtime resolves the package).
   */
  start(project: string, dir: string): Promise<{ runtime: RunningRuntime; bundled: readonly string[] }>;
}

// An https audience: the contract's app also serves RFC 9728 metadata, which names it.
const CONCURRENT_AUDIENCE = 'https://concurrent.example.com';

/** The contract's app options as JSON for the runtime (see {@link AppConfig}). */
async function toConfig(options: AuthOptions<TestClaims>): Promise<AppConfig> {
  const { verifier, ...rest } = options;
  if ('verifyAccessToken' in verifier) throw new TypeError('a runtime app is built from verifier options, not from a verifier');
  const { revocation, ...verifierOptions } = verifier;
  let unreachable = false;
  if (revocation !== undefined) {
    // The contract's one function-valued option: a store that cannot answer. Make sure it is
    // that store, and let the runtime build its own.
    const outcome = await Promise.resolve()
      .then(() => revocation.isRevoked({ iss: CORPUS_ISSUER, aud: CORPUS_AUDIENCE, exp: 0 }, { alg: 'RS256' }))
      .then(() => 'answered', () => 'unreachable');
    if (outcome !== 'unreachable') throw new TypeError('only a revocation store that cannot be reached crosses into a runtime');
    unreachable = true;
  }
  const json = JSON.stringify({ ...rest, verifier: verifierOptions }, (key, value: unknown) => {
    if (typeof value === 'function') throw new TypeError(`option ${key} is a function and cannot cross into a runtime`);
    return value;
  });
  const config = { options: JSON.parse(json) as AppConfig['options'] };
  return unreachable ? { ...config, revocation: 'unreachable' } : config;
}

/** A contract app inside the runtime: every request names its options in a header. */
async function runtimeApp(runtime: () => RunningRuntime, options: AuthOptions<TestClaims>): Promise<Harness> {
  const app = encodeApp(await toConfig(options));
  const send = httpSend(runtime().origin);
  return { send: (path, headers = []) => send(path, [...headers, [APP_HEADER, app]]), close: async () => undefined };
}

/** Registers the tests of every variant; call it with top-level await in a runtime's test file. */
export async function runtimeSuite(variants: readonly Variant[]): Promise<void> {
  const project = inject('runtimeProject');
  let attackerKeys: readonly unknown[] = [];
  const attacker = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: attackerKeys }));
  });
  const corpus = attackCorpus(attacker.url('/jwks.json'));
  attackerKeys = corpus.attackerKeys;
  const keyPath = (runner: string, id: number): string => `/keys/${runner}/${id}.json`;
  const keySets: LoopbackServer = await startServer((req, res) => {
    const id = Number(/^\/keys\/[\w-]+\/(\d+)\.json$/.exec(req.url ?? '')?.[1]);
    const found = corpus.cases[id];
    if (found === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: found.keys }));
  });
  const corpusRequest = (runner: string): CorpusRequest => ({
    issuer: CORPUS_ISSUER,
    audience: CORPUS_AUDIENCE,
    cases: corpus.cases.map(({ id, token, options }) => ({ id, token, options, jwksUri: keySets.url(keyPath(runner, id)) })),
  });

  let node: CorpusAnswer;
  beforeAll(async () => {
    // Node's own answers: the package's Node build, from the same consumer project.
    const library = (await import(pathToFileURL(join(project, 'node_modules/tokenwarden/dist/node/index.js')).href)) as Library;
    node = await decideCorpus(library, corpusRequest('node'));
  }, 120_000);
  afterAll(async () => {
    await keySets.close();
    await attacker.close();
  });

  for (const variant of variants) {
    describe(variant.title, () => {
      let runtime: RunningRuntime;
      let bundled: readonly string[];
      let answers: CorpusAnswer;
      beforeAll(async () => {
        const dir = join(project, 'harness', variant.id);
        await mkdir(dir, { recursive: true });
        ({ runtime, bundled } = await variant.start(project, dir));
        const response = await fetch(`${runtime.origin}${CORPUS_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(corpusRequest(variant.id)),
        });
        expect(response.status, runtime.output()).toBe(200);
        answers = (await response.json()) as CorpusAnswer;
      }, 180_000);
      afterAll(async () => {
        await runtime?.stop();
      });

      it(`runs the package's ${variant.build} build (dist/${variant.build})`, () => {
        const files = bundled.length > 0 ? bundled : [decodeURI(runtime.resolved ?? '')];
        const build = `node_modules/tokenwarden/dist/${variant.build}/`;
        expect(files.filter((file) => !file.includes(build)), runtime.output()).toEqual([]);
        expect(files.length).toBeGreaterThan(0);
      });

      adapterContract('hono', (options) => runtimeApp(() => runtime, options), `${variant.id}, real HTTP into the runtime`, false);

      it('answers concurrent first requests with one key fetch between them', async () => {
        const issuer = await createTestIssuer({ audience: CONCURRENT_AUDIENCE });
        try {
          const app = await runtimeApp(() => runtime, { verifier: { issuer: issuer.issuer, audience: CONCURRENT_AUDIENCE, jwksUri: issuer.jwksUri } });
          const subjects = Array.from({ length: 8 }, (_, index) => `user-${index}`);
          const tokens = await Promise.all(subjects.map((sub) => issuer.sign({ sub })));
          const replies = await Promise.all(tokens.map((token) => app.send('/me', [['authorization', `Bearer ${token}`]])));
          expect(replies.map((reply) => reply.status), runtime.output()).toEqual(subjects.map(() => 200));
          expect(replies.map((reply) => (reply.body as { sub?: unknown }).sub)).toEqual(subjects);
          expect(issuer.requests.jwks).toBe(1);
        } finally {
          await issuer.close();
        }
      });

      describe('the attack corpus: every token decided as Node decides it', () => {
        it.each(corpus.cases.map((item) => [`${item.group}: ${item.name}`, item] as const))('%s', (_title, item) => {
          const nodeAnswer = node.answers[item.id];
          expect(nodeAnswer?.outcome, 'Node').toBe(item.expected);
          expect(answers.answers[item.id], runtime.output()).toEqual(nodeAnswer);
          // The same fetches too: none for what is refused before the key set is needed.
          expect(keySets.count(keyPath(variant.id, item.id))).toBe(keySets.count(keyPath('node', item.id)));
        });

        it('fetched no URL that a token named (jku, x5u) and polluted no prototype', () => {
          expect(attacker.count()).toBe(0);
          expect(answers.prototypePolluted).toBe(false);
          expect(node.prototypePolluted).toBe(false);
        });
      });
    });
  }
}
