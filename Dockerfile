# syntax=docker/dockerfile:1
# Claw's image: build with dev dependencies, then a slim runtime with git, ripgrep, bubblewrap and tini.
# `docker run … start` (the default), or `web` / `worker` / `doctor`; see docs/deploy.md.
# Node 24 is the Active LTS line (maintained until April 2028); 22 is in maintenance and ends April 2027.
ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not npm ci: a lockfile made on one platform lacks other platforms' optional binaries.
# Only esbuild's and msgpackr-extract's install scripts run (also approved in package.json's allowScripts).
RUN npm install --no-audit --no-fund --allow-scripts=esbuild,msgpackr-extract
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-slim AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ripgrep bubblewrap tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000 \
    CLAW_CACHE_DIR=/var/cache/claw
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY app.yml ./
# `claw` on PATH for `docker compose exec worker claw doctor`; the cache dir is the only place Claw writes.
RUN ln -s /app/dist/cli.js /usr/local/bin/claw \
  && chmod +x /app/dist/cli.js \
  && mkdir -p /var/cache/claw \
  && chown node:node /var/cache/claw
USER node
EXPOSE 3000
# /healthz is served by `start` and `web`; compose turns the check off for `worker`, which has no HTTP server.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["tini", "--", "node", "/app/dist/cli.js"]
CMD ["start"]
