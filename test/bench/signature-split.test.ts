import crypto, { generateKeyPairSync, sign, verify as namedVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { timeSignatureCalls } from '../../bench/signature-split.js';

// The profile section splits a verification at node:crypto's `verify`; tokenwarden imports it
// by name, so the wrapper must reach named imports too, and must leave no trace once restored.
describe('the signature-call timer of the profile section', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const data = Buffer.from('signing input');
  const signature = sign(null, data, privateKey);

  it('counts calls made through a named import and through the module object, with their answers unchanged', () => {
    const original = crypto.verify;
    const timer = timeSignatureCalls();
    try {
      expect(namedVerify(null, data, publicKey, signature)).toBe(true);
      expect(crypto.verify(null, data, publicKey, Buffer.alloc(64))).toBe(false);
      const { calls, milliseconds } = timer.inside();
      expect(calls).toBe(2);
      expect(milliseconds).toBeGreaterThan(0);
      timer.reset();
      expect(timer.inside()).toEqual({ calls: 0, milliseconds: 0 });
    } finally {
      timer.restore();
    }
    expect(crypto.verify).toBe(original);
    expect(namedVerify).toBe(original);
  });

  it('stubbed, answers valid without checking, in both forms, until the stub is lifted', async () => {
    const timer = timeSignatureCalls();
    try {
      timer.stub(true);
      expect(namedVerify(null, data, publicKey, Buffer.alloc(64))).toBe(true);
      const viaCallback = await new Promise((resolve) => namedVerify(null, data, publicKey, Buffer.alloc(64), (_error, valid) => resolve(valid)));
      expect(viaCallback).toBe(true);
      expect(timer.inside().calls).toBe(2);
      timer.stub(false);
      expect(namedVerify(null, data, publicKey, Buffer.alloc(64))).toBe(false);
    } finally {
      timer.restore();
    }
  });

  it('counts a call that throws as not returned, and rethrows its error', () => {
    const timer = timeSignatureCalls();
    try {
      expect(() => namedVerify('no-such-digest', data, publicKey, signature)).toThrow();
      expect(timer.inside().calls).toBe(0);
    } finally {
      timer.restore();
    }
  });
});
