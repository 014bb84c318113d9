# The API and the worker (one image; docker-compose.yml picks the role with SERVICES).
# Build stage: compile TypeScript and pre-bundle the workflow code (npm run build).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime: Node 22 LTS, production dependencies only, the compiled output (no ts-node, no webpack
# at start: the worker loads dist/workflow-bundle.js).
FROM node:22-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
RUN mkdir -p /data /keys && chown node:node /data /keys
USER node
ENV HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
EXPOSE 3000
# node directly (not npm) so SIGTERM reaches the process and it shuts down gracefully.
CMD ["node", "dist/scripts/start.js"]
