/** The BitBake suite (suite.ts) on scarthgap: see test/integration/bitbake/harness.ts for the stack. */
import { bitbakeSuite } from './suite.js';

bitbakeSuite('scarthgap');
