// tsc keeps the source layout (dist/apps/<app>/src/main.js); deployments run the shorter
// dist/apps/<app>/main.js, so each app gets a one-line entry point after the build.
import { readdirSync, writeFileSync, existsSync } from 'node:fs';

for (const app of readdirSync('apps')) {
  if (existsSync(`dist/apps/${app}/src/main.js`)) {
    writeFileSync(`dist/apps/${app}/main.js`, "import './src/main.js';\n");
  }
}
