# One image for every app of the platform. The app is picked by the command:
#   node dist/apps/<gateway|identity|agent|workflow|conversation|integration|execution>/main.js
#   node dist/scripts/migrate.js      (run all schema migrations, then exit)
#   node dist/standalone/main.js      (everything in one process; the default)
#
# Written for the classic builder as well as BuildKit (docker-compose 1.29
# uses the classic one by default), so no RUN --mount cache tricks.

# Node 24 LTS, the same release as the `node` devDependency that runs builds and tests outside
# Docker (keep the two in step).
# Pinned by version tag, not by digest, on purpose: this repository is written and tested on
# machines that cannot reach any image registry, so no digest could be read or verified here, and
# an unverified digest would be worse than none. To pin it where a registry is reachable:
#   docker buildx imagetools inspect node:24.21.0-bookworm-slim   (the "Digest:" line)
# and build with --build-arg NODE_IMAGE=node:24.21.0-bookworm-slim@sha256:<that digest>.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# ---------------------------------------------------------------------------
# deps: all dependencies, dev included (the TypeScript build needs them).
# Only the manifests are copied first so this layer survives source edits.
FROM ${NODE_IMAGE} AS deps
# The lockfile is written by npm 11.19 and package.json's allowScripts policy
# (which install scripts may run) needs an npm that recent; the npm bundled
# with the image may be older, so bring the build in line.
ARG NPM_VERSION=11.19.1
RUN npm install --global "npm@${NPM_VERSION}" && npm cache clean --force
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` installs exactly what package-lock.json records, or fails when
# package.json and the lockfile disagree. It runs the `prepare` script
# (scripts/build.mjs --install), which skips the build while there are no
# sources yet. It also installs the `node` devDependency, a second Node 24
# that only builds outside Docker use; it goes with the other dev
# dependencies in prod-deps.
COPY scripts/build.mjs scripts/build.mjs
RUN npm ci --no-audit --no-fund && npm cache clean --force

# ---------------------------------------------------------------------------
# prod-deps: pruned from the same tree rather than resolved again, so runtime
# packages are exactly the versions the build was compiled against. Branching
# off `deps` (not `build`) keeps this layer cached across source changes.
FROM deps AS prod-deps
RUN npm prune --omit=dev && npm cache clean --force

# ---------------------------------------------------------------------------
# build: compile to dist/. .dockerignore keeps the host's node_modules and
# dist out of the context, so they cannot shadow what was installed above.
FROM deps AS build
COPY . .
RUN npm run build

# ---------------------------------------------------------------------------
# runtime: no compiler, no dev dependencies, no sources.
FROM ${NODE_IMAGE} AS runtime

# tini as PID 1: forwards SIGTERM to node (a PID 1 without a handler ignores
# it, which turns every rollout into a 30 s SIGKILL) and reaps zombies left
# by any child processes the execution service may spawn.
# npm/npx/corepack are removed because nothing runs them at runtime and they
# are the usual source of scanner findings in node images.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/* \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack

ENV NODE_ENV=production
WORKDIR /app

# Application files stay owned by root so the app cannot rewrite its own code;
# package.json is needed at runtime for "type": "module" and the #imports map.
COPY --from=build /app/package.json ./package.json
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# DATA_DIR defaults to ./.data, i.e. /app/.data: the only path the app writes.
RUN mkdir -p /app/.data && chown node:node /app/.data

# uid 1000 is the image's `node` user. Numeric so Kubernetes can verify
# runAsNonRoot without reading /etc/passwd.
USER 1000:1000

# Every app opens its health listener here (/health/live, /health/ready);
# the gateway also serves HTTP on PORT (3000). The other apps talk over NATS.
ENV HEALTH_PORT=8081
EXPOSE 3000 8081

# Healthy = the app says it is ready: for a service, NATS connected,
# PostgreSQL reachable and every subscription up; for the gateway and the
# single-process platform, serving.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "dist/scripts/healthcheck.js"]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/standalone/main.js"]
