# Multi-stage build of the living-gate binary.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release -p living-gate-api --bin living-gate

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/living-gate --create-home living-gate
COPY --from=build /src/target/release/living-gate /usr/local/bin/living-gate
USER living-gate
WORKDIR /var/lib/living-gate
ENV LIVING_GATE_BIND=0.0.0.0:8080 \
    LIVING_GATE_DATA_DIR=/var/lib/living-gate \
    LIVING_GATE_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /readyz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
ENTRYPOINT ["living-gate"]
CMD ["serve"]
