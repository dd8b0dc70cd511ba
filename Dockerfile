# Prism's production image (the `prism` service of docker-compose.yml).
# Build stage: compile, then drop dev dependencies so only what runs is copied on.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 (the embedded store) compiles from source where no prebuilt binary fits.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
# The example marketplace the server serves is bundled to dist-examples/ (see src/main.ts).
COPY examples ./examples
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 PRISM_DATA_DIR=/var/lib/prism
# The heap flags of `npm start` (README "Memory"): a cap V8 collects the promoted, dead event batches under
# instead of growing the old generation without bound, with room for ten projections catching up at once
# (a tighter old space thrashes in garbage collection). `docker run -e NODE_OPTIONS=...` replaces them.
ENV NODE_OPTIONS="--max-old-space-size=384 --max-semi-space-size=64"
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/dist-examples ./dist-examples
COPY --chown=root:root package.json ./
COPY --chown=root:root projections ./projections
# The code is root-owned and read-only to the process; only its data directory is writable.
RUN mkdir -p /var/lib/prism && chown node:node /var/lib/prism
USER node
VOLUME ["/var/lib/prism"]
EXPOSE 3000
# No curl in the slim image: the probe is a small Node script asking /health/live.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "dist/observability/health/container-healthcheck.js"]
# Node as PID 1 receives SIGTERM directly (exec form), so Nest's shutdown hooks run on `docker stop`.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
