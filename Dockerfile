# Build: compile TypeScript with the dev dependencies, then keep only the production ones.
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.mjs ./scripts/bundle.mjs
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Run: the bundles and the production dependencies, owned by root and only readable by the unprivileged user.
FROM node:24.21.0-bookworm-slim
WORKDIR /app
ENV HEALTH_HOST=0.0.0.0 HEALTH_PORT=8080
COPY --from=build /app/package.json ./package.json
COPY openapi.yaml ./openapi.yaml
COPY --from=build /app/node_modules ./node_modules
# the service, the worker thread its probes run in (loaded from next to the service), and the command
COPY --from=build /app/dist/service.js /app/dist/probe-thread.js /app/dist/cli.js ./dist/
USER node
EXPOSE 8080
# Node's own fetch: the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||8080)+'/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/service.js"]
