# Auriga vehicle-service image, as an integrator deploys it on a head unit (or a bench PC).
# Runs the same stack as `npm start`, minus the simulated car unless AURIGA_SIM is set:
#   docker build -t auriga .
#   docker run -p 8080:8080 -v auriga-data:/var/lib/auriga -e MQTT_URL=mqtt://broker:1883 auriga
#   docker run -p 8080:8080 -e AURIGA_SIM=highway auriga          # with the simulated car, embedded broker
# TypeScript runs through tsx (esbuild) exactly as in development; `npm test` type-checks it in CI.

# --- build: install dependencies (sqlite3 compiles from source) and the HMI bundle ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
COPY common/package.json common/
COPY can-sim/package.json can-sim/
COPY vehicle-service/package.json vehicle-service/
COPY ota/package.json ota/
COPY hmi-web/package.json hmi-web/
COPY models/package.json models/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund
COPY . .
RUN if [ -f hmi-web/vite.config.ts ]; then npm run build -w hmi-web; fi \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime: no compilers, non-root user, data on a volume ---
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng alsa-utils tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build --chown=node:node /app /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/var/lib/auriga \
    AURIGA_SIM=off
RUN mkdir -p /var/lib/auriga && chown node:node /var/lib/auriga
VOLUME /var/lib/auriga
USER node
EXPOSE 8080 1883
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--import", "tsx", "scripts/start.ts"]
