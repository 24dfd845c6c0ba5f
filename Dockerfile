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

# Stage 2 compiles the server to JavaScript (npm run build: tsc to dist/, with the SQL files and the
# console's static files beside it), on stage 1's dev dependencies.
FROM web AS build
COPY tsconfig.json tsconfig.build.json ./
COPY config ./config
COPY workflows ./workflows
COPY activities ./activities
COPY usecases ./usecases
COPY api ./api
COPY db ./db
COPY scripts ./scripts
RUN npm run build
# The workflow bundle, built once here rather than at every worker start (docs/operations.md);
# the compiled worker takes dist/workflows/bundle.js as it is.
RUN npx tsx scripts/lib/workflow-bundle.ts

# The image: production dependencies and dist/ only, run by plain node as the unprivileged `node` user.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY web/package.json ./web/
RUN npm ci --omit=dev --workspaces=false
COPY --from=build /app/dist ./dist
# DATA_DIR outside the code, a volume the node user owns (docs/operations.md, "Deploying with Compose"): the
# compiled default would be /app/.data, in the image's read-only code folder.
ENV DATA_DIR=/var/lib/loanflow
RUN mkdir -p /var/lib/loanflow && chown node:node /var/lib/loanflow
VOLUME ["/var/lib/loanflow"]
USER node
EXPOSE 3000
# The API's check (GET /healthz: PostgreSQL and Temporal answer); docker-compose.yml gives the
# worker its own and turns it off for the one-off migration.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/scripts/api.js"]
