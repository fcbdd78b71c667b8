// The DPoP and certificate-binding attacks on the web runtime (jose over WebCrypto, WebCrypto
// digests): every one refused with the same code as on Node.
import { describeDpopAttacks } from '../dpop/attack-suite.js';

describeDpopAttacks();
