// `npm start`: the gateway and every service in one process, with zero configuration.
// This entry only turns on Node's compile cache before anything else loads, so a restart skips
// most of the parsing and compiling of the dependencies; start.ts does the rest.
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
await import('./start.js');
