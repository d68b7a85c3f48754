# enhance: the upscale worker (default) or the HTTP API, on CPU. See docs/DEPLOY.md.
#   docker build -t enhance .
#   docker run -e ENHANCE_QUEUE=redis://host:6379 enhance
#   docker run -p 8080:8080 -e ENHANCE_API_KEY=... enhance serve --host 0.0.0.0 --queue redis://host:6379

FROM node:20-bookworm-slim AS build
WORKDIR /app
# The dependencies first, so a change to the sources does not download them again. Scripts wait for
# `npm rebuild` below; .npmrc (onnxruntime-node-install=skip) keeps onnxruntime-node from fetching
# its CUDA files: the CPU runtime ships in the package.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --ignore-scripts
COPY . .
# `npm rebuild` runs the dependencies' install scripts (sharp, esbuild, ...); then the WebAssembly
# kernels, dist/ and web/dist/ are built, and the build tools are dropped.
RUN npm rebuild && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
COPY --from=build /app/build ./build
COPY --from=build /app/models ./models
COPY --from=build /app/samples ./samples
COPY --from=build /app/web/dist ./web/dist
# The node user (uid 1000) of the base image: a job can write only where that user may.
USER node
# Ctrl-C is what makes a worker finish the jobs in hand before it exits; SIGTERM would stop it at
# once and its job would wait --lock-ms for another worker. Give `docker stop -t` the longest job.
STOPSIGNAL SIGINT
EXPOSE 8080
# No arguments: `enhance worker --queue $ENHANCE_QUEUE`. Arguments that start with '-' are added to
# that worker command; any other arguments are an enhance command of their own (serve, upscale, ...).
ENTRYPOINT ["/bin/sh", "-c", "if [ $# -eq 0 ] || [ \"${1#-}\" != \"$1\" ]; then set -- worker --queue \"${ENHANCE_QUEUE:?set ENHANCE_QUEUE=redis://host:6379}\" \"$@\"; fi; exec node bin/enhance.js \"$@\"", "enhance"]
CMD []
