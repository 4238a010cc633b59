/**
 * The image's HEALTHCHECK (and docker-compose's): exits 0 when this container's app answers 200 on
 * its health listener's /health/ready, 1 otherwise. Every app (each service, the gateway, the
 * single-process platform) opens that listener on HEALTH_PORT, which the image sets.
 */
const port = process.env.HEALTH_PORT;
if (!port || !/^\d+$/.test(port) || port === '0') {
  process.stderr.write('healthcheck: HEALTH_PORT is not set to a port\n');
  process.exit(1);
}
fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(4000) }).then(
  (res) => process.exit(res.ok ? 0 : 1),
  () => process.exit(1),
);
