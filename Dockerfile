# syntax=docker/dockerfile:1
# One image for every service of the platform; the command says which runs:
#   docker build -t bps/platform:dev .
#   docker run bps/platform:dev services/registry/main.ts      (entrypoint: node --import tsx)
# Entries: services/{registry,proposals,approvals,notifications,audit,programme,gateway}/main.ts, and the tools
# services/cli/main.ts (the bps CLI), services/audit/verify-cli.ts, infra/image/kafka-acls.ts; the health probe is
# plain JavaScript: node infra/image/health.mjs grpc 127.0.0.1:50051 (override the entrypoint with `node`).
# Configuration is environment only (README "Configuration"); infra/compose.yaml runs the whole platform from it.
#
# The services run their TypeScript through tsx, a production dependency (the same entries as `npm start`, no
# compile step), and the Temporal workers bundle workflows/ at start. The runtime layout is made by
# infra/image/build-runtime.sh, which tests/integration/image-runtime.int.test.ts runs too (this machine's CI has no
# Docker engine): it starts services from that layout with plain node and production dependencies only.

ARG NODE_IMAGE=node:20.19-bookworm

# Build: all dependencies (buf and ts-proto generate proto/gen in npm's postinstall), then the runtime layout in /app.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json buf.yaml buf.gen.yaml ./
COPY proto proto
COPY infra/scripts/proto.ts infra/scripts/proto.ts
RUN npm ci --no-audit --no-fund
COPY . .
RUN sh infra/image/build-runtime.sh /app

# Runtime: Debian slim with Node, the layout only (production node_modules), owned by root and run as `node`.
FROM ${NODE_IMAGE}-slim AS runtime
ENV NODE_ENV=production \
    BPS_LOG_LEVEL=info
WORKDIR /app
COPY --from=build /app /app
# Nothing under /app is writable by the service user; tsx caches its transforms under /tmp (a tmpfs when the
# container's root file system is read-only, as in infra/compose.yaml).
USER node
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["services/gateway/main.ts"]
