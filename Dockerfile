# syntax=docker/dockerfile:1
# Claw's image: build with dev dependencies, then a slim runtime with git, ripgrep, bubblewrap and tini.
# Run `docker run … claw start` (default), or `web` / `worker` to split the processes.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not npm ci: a lockfile made on one platform lacks other platforms' optional binaries.
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ripgrep bubblewrap tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000 \
    CLAW_CACHE_DIR=/var/cache/claw
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY app.yml ./
RUN ln -s /app/dist/cli.js /usr/local/bin/claw \
  && chmod +x /app/dist/cli.js \
  && mkdir -p /var/cache/claw \
  && chown node:node /var/cache/claw
USER node
EXPOSE 3000
VOLUME ["/var/cache/claw"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["tini", "--", "claw"]
CMD ["start"]
