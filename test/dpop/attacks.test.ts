import { describeDpopAttacks } from './attack-suite.js';

describeDpopAttacks();
