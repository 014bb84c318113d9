# The API and the worker (one image; docker-compose.yml picks the role with SERVICES).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Dev dependencies too: the service runs TypeScript with ts-node (as `npm start` does).
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
RUN mkdir -p /data && chown node:node /data
USER node
ENV HOST=0.0.0.0 PORT=3000 DATA_DIR=/data
EXPOSE 3000
# node directly (not npm) so SIGTERM reaches the process and it shuts down gracefully.
CMD ["node", "node_modules/ts-node/dist/bin.js", "--transpile-only", "scripts/start.ts"]
