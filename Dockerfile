# One image for the worker and the API (the command picks which); see docker-compose.yml.
# Stage 1 builds the web console with the dev dependencies; the image keeps only its static files.
FROM node:20-bookworm-slim AS web
WORKDIR /app
COPY package.json package-lock.json ./
COPY web/package.json ./web/
RUN npm ci --include=dev
COPY web ./web
COPY domain ./domain
RUN npx vite build --config web/vite.config.ts

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY web/package.json ./web/
RUN npm ci --omit=dev --workspaces=false
COPY config ./config
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY usecases ./usecases
COPY api ./api
COPY db ./db
COPY scripts ./scripts
COPY tsconfig.json ./
COPY --from=web /app/web/dist ./web/dist
# The workflow bundle, built once here rather than at every worker start (docs/operations.md).
RUN npx tsx scripts/lib/workflow-bundle.ts
USER node
EXPOSE 3000
CMD ["npx", "tsx", "scripts/api.ts"]
