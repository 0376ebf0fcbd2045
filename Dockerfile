# The worker and starter image for docker-compose.yml.
FROM golang:1.26 AS build
WORKDIR /src
# Only the product module: tools/ (devserver, bench, tests) is not in the
# build context (.dockerignore), so neither the Temporal server nor its UI
# server is downloaded.
ENV GOWORK=off
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/ ./worker ./starter && mkdir -p /out/state

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/worker /out/starter /usr/local/bin/
# The refresh token's state file lives here (a volume in docker-compose.yml);
# a new named volume takes this folder's owner, so the worker can write it.
COPY --from=build --chown=65532:65532 /out/state /var/lib/talkwarehouse
USER nonroot
ENTRYPOINT ["/usr/local/bin/worker"]
