# syntax=docker/dockerfile:1
#
# The offhours image. Node 24 runs the TypeScript sources directly (type stripping), so nothing is compiled:
# the build stage type-checks with the dev dependencies, a second stage installs the production ones, and
# the runtime stage gets those node_modules and the checked sources, runs as a non-root user and writes nothing
# outside /tmp (fit for readOnlyRootFilesystem).
#
#   docker build -t offhours:0.1.0 .
#   docker run --rm -p 9464:9464 -v "$PWD/config/offhours.yaml:/etc/offhours/offhours.yaml:ro" \
#     -e REDIS_URL=redis://redis:6379 -e EMQX_KEY -e EMQX_SECRET offhours:0.1.0

ARG NODE_BUILD_IMAGE=node:24-bookworm
ARG NODE_RUNTIME_IMAGE=node:24-bookworm-slim

# npm ci refuses a package-lock.json that lacks other platforms' optional packages (a registry that serves
# only Linux binaries of msgpackr-extract, say) although it installs fine here; npm install accepts it. The
# same fallback as scripts/ensure-env.mjs, and only for that error.
FROM ${NODE_BUILD_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund 2>/tmp/npm-ci.log \
    || { grep -q 'in sync' /tmp/npm-ci.log && npm install --no-save --no-audit --no-fund; } \
    || { cat /tmp/npm-ci.log >&2; exit 1; }
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
RUN ./node_modules/.bin/tsc --noEmit -p .

FROM ${NODE_BUILD_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund 2>/tmp/npm-ci.log \
    || { grep -q 'in sync' /tmp/npm-ci.log && npm install --omit=dev --no-save --no-audit --no-fund; } \
    || { cat /tmp/npm-ci.log >&2; exit 1; }

FROM ${NODE_RUNTIME_IMAGE} AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="offhours" \
      org.opencontainers.image.description="Starts and stops cloud resources on schedules, inside every provider's rate limits" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"
# The heap cap keeps RSS under 512 MB at 100k targets (npm run bench: live heap ~100 MB; without a cap V8
# grows the heap to ~720 MB during the first pass and keeps it)
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=384 \
    OFFHOURS_PORT=9464
WORKDIR /app
# Owned by root and read-only to the runtime user: the process cannot alter its own code. The sources come
# from the build stage, so they are the ones that type-checked (and BuildKit cannot skip that stage).
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /src/package.json ./
COPY --from=build /src/bin ./bin
COPY --from=build /src/src ./src
# Only a fallback for `docker run` without a mounted config; Kubernetes mounts the chart's ConfigMap here.
COPY config/offhours.yaml /etc/offhours/offhours.yaml
# Numeric, so Kubernetes can verify runAsNonRoot: 1000 is the `node` user of the official images.
USER 1000:1000
EXPOSE 9464
# No curl in the slim image: Node's own fetch asks /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.OFFHOURS_PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/offhours.mjs"]
CMD ["run", "--config", "/etc/offhours/offhours.yaml"]
