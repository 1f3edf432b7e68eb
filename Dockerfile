# syntax=docker/dockerfile:1
# qlik-rollout worker image. Multi-stage: build with dev dependencies, ship only production ones.
#   docker build -t qlik-rollout .        (docker compose builds it as service "worker")
# Debian (glibc), not Alpine: @temporalio/core-bridge ships a glibc native addon.

ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are here; the build runs below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY deploy ./deploy
COPY src ./src
# TypeScript to dist/, then the workflow bundle (dist/workflow-bundle.js) so workers never run webpack at start.
RUN npm run build && npm run build:bundle
RUN npm prune --omit=dev --ignore-scripts

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
# V8 collects against this heap ceiling instead of growing towards the container's memory limit; `npm run bench`
# measures the worker with the same setting (--worker-heap-mib 384). Override with -e NODE_OPTIONS=...
ENV NODE_OPTIONS=--max-old-space-size=384
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
# `qlik-rollout` on PATH for `docker compose exec worker qlik-rollout ...`; mount points owned by the app user,
# so a named volume mounted there starts writable by it (the sim profile's plan and secrets).
RUN ln -s /app/dist/cli/main.js /usr/local/bin/qlik-rollout \
  && mkdir -p /run/qlik-sim /run/secrets/qlik-rollout && chown node:node /run/qlik-sim
USER node
# 9464: /metrics (project + SDK metrics) and /healthz.
EXPOSE 9464
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1's child under `init: true` and receives SIGTERM directly to drain the worker.
CMD ["node", "dist/worker/main.js"]
