import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUS_IDENTITIES } from '#contracts';
import { natsAuthorizationConfig, natsPasswordVariable } from '#messaging';

/** Where the generated server configuration is committed: k8s/base ships it, docker-compose.yml mounts it. */
export const NATS_CONFIG_FILE = 'k8s/base/nats/bus-users.conf';

const USAGE = `npm run nats-config [-- --namespace NS] [--out FILE | --stdout | --check | --passwords]
  (default)     writes ${NATS_CONFIG_FILE} from the bus permission table
  --namespace   the BUS_NAMESPACE the apps run with (default: none)
  --out FILE    writes FILE instead
  --stdout      prints the configuration
  --check       exits 1 if ${NATS_CONFIG_FILE} is not what the table makes
  --passwords   prints a fresh random NATS_PASSWORD_<APP>=... line per app, for .env or a Secret`;

/**
 * `npm run nats-config`: the nats-server users and permissions of every app, generated from the
 * bus permission table (libs/contracts/src/bus-permissions.ts), so what NATS enforces is exactly
 * what the in-process bus enforces in tests.
 */
function main(argv: string[]): number {
  const option = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  if (argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (argv.includes('--passwords')) {
    for (const identity of BUS_IDENTITIES) process.stdout.write(`${natsPasswordVariable(identity)}=p${randomBytes(24).toString('hex')}\n`);
    return 0;
  }
  const config = natsAuthorizationConfig({ namespace: option('--namespace') ?? '' });
  const root = fileURLToPath(new URL('../..', import.meta.url));
  if (argv.includes('--stdout')) {
    process.stdout.write(config);
    return 0;
  }
  if (argv.includes('--check')) {
    const committed = readFileSync(`${root}${NATS_CONFIG_FILE}`, 'utf8');
    if (committed === config) return 0;
    process.stderr.write(`${NATS_CONFIG_FILE} is not what the bus permission table makes: run npm run nats-config and commit it\n`);
    return 1;
  }
  const out = option('--out') ?? `${root}${NATS_CONFIG_FILE}`;
  writeFileSync(out, config);
  process.stdout.write(`wrote ${out}\n`);
  return 0;
}

if (process.argv[1]?.endsWith('nats-config.js')) process.exit(main(process.argv.slice(2)));
