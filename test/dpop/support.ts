// Shared by the DPoP and mTLS tests: a local issuer, verifiers for it, client keys, client
// certificates generated with openssl for this run, and requests to verify.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createVerifier, type VerifierOptions } from '../../src/verifier.js';
import { createTestIssuer, type TestIssuer } from '../../src/testing/index.js';
import type { VerifiableRequest } from '../../src/dpop/request.js';

export const API_URL = 'https://api.example.com/orders/42';

/** A client certificate and its private key, made with openssl for this run. */
export interface TestCertificate {
  readonly pem: string;
  readonly keyPem: string;
  readonly x509: X509Certificate;
}

/** A self-signed certificate (or one signed by `ca`), P-256, valid one day. */
export function makeCertificate(commonName: string, ca?: TestCertificate & { dir?: string }): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'tokenwarden-cert-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], { stdio: 'ignore' });
    if (ca === undefined) {
      // A server certificate for a loopback address names it, so that TLS clients verify it.
      const altName = /^[\d.]+$/.test(commonName) ? ['-addext', `subjectAltName=IP:${commonName}`] : [];
      execFileSync('openssl', ['req', '-x509', '-new', '-key', key, '-subj', `/CN=${commonName}`, '-days', '1', '-out', cert, ...altName], { stdio: 'ignore' });
    } else {
      const csr = join(dir, 'req.csr');
      const caKey = join(dir, 'ca-key.pem');
      const caCert = join(dir, 'ca.pem');
      execFileSync('sh', ['-c', `cat > "${caKey}"`], { input: ca.keyPem });
      execFileSync('sh', ['-c', `cat > "${caCert}"`], { input: ca.pem });
      execFileSync('openssl', ['req', '-new', '-key', key, '-subj', `/CN=${commonName}`, '-out', csr], { stdio: 'ignore' });
      execFileSync('openssl', ['x509', '-req', '-in', csr, '-CA', caCert, '-CAkey', caKey, '-CAcreateserial', '-days', '1', '-out', cert], { stdio: 'ignore' });
    }
    const pem = readFileSync(cert, 'utf8');
    return { pem, keyPem: readFileSync(key, 'utf8'), x509: new X509Certificate(pem) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startIssuer(): Promise<TestIssuer> {
  return createTestIssuer({ algorithm: 'ES256', audience: 'orders-api' });
}

export function verifierFor(issuer: TestIssuer, extra: Partial<VerifierOptions> = {}) {
  return createVerifier({ issuer: issuer.issuer, audience: 'orders-api', jwksUri: issuer.jwksUri, ...extra });
}

/** A request to API_URL (or `url`) with the given Authorization and DPoP header values. */
export function request(
  authorization: string | undefined,
  dpop: string | readonly string[] | undefined,
  extra: Partial<VerifiableRequest> = {},
): VerifiableRequest {
  const headers: Record<string, string | readonly string[] | undefined> = { authorization, dpop };
  return { method: 'GET', url: API_URL, headers, ...extra };
}
