# syntax=docker/dockerfile:1
# LIF's image, in three stages: the front end built in Node; the app installed into a virtual environment; and
# the image itself, a slim Python with that environment, pg_dump and nothing that builds (no compilers, no npm),
# running as a user who is not root. compose.yaml runs it beside PostgreSQL, a scheduler and a mail catcher.
# Without Docker, CI replays the two build stages' steps (.ci/replay-image): keep them in the scripts they call.

FROM node:20-bookworm-slim AS frontend
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY web/frontend/ web/frontend/
RUN sh web/frontend/vendor.sh assets web/static/vendor \
    && sh web/frontend/vendor.sh designer web/static/vendor

FROM python:3.11-slim-bookworm AS app
WORKDIR /src
COPY . .
COPY --from=frontend /src/web/static/vendor/ web/static/vendor/
RUN sh docker/install-app.sh /opt/lif notify

FROM python:3.11-slim-bookworm
# pg_dump for `lif backup` of a PostgreSQL database: the server's major version (15, compose.yaml's and the
# tests'). Debian replaces a point release when it publishes the next, so the major is the pin that holds.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 lif \
    && useradd --system --uid 10001 --gid lif --home-dir /var/lib/lif --create-home --shell /usr/sbin/nologin lif
COPY --from=app /opt/lif /opt/lif
ENV PATH=/opt/lif/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    LIF_INSTANCE_DIR=/var/lib/lif \
    LIF_WORKFLOWS_DIR=/opt/lif/share/lif/workflows \
    LIF_HOST=0.0.0.0 \
    LIF_PORT=8000
USER 10001:10001
WORKDIR /var/lib/lif
VOLUME ["/var/lib/lif"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["lif-healthcheck", "/healthz"]
CMD ["lif", "serve"]
