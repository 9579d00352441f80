# Build: compile TypeScript with the dev dependencies, then keep only the production ones.
FROM node:24.21.0-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/bundle.mjs ./scripts/bundle.mjs
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Run: compiled JavaScript, production dependencies, a non-root user.
FROM node:24.21.0-bookworm-slim
WORKDIR /app
ENV HEALTH_HOST=0.0.0.0 HEALTH_PORT=8080
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --chown=node:node openapi.yaml ./openapi.yaml
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
USER node
EXPOSE 8080
# Node's own fetch: the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||8080)+'/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/service.js"]
