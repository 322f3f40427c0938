# syntax=docker/dockerfile:1
# Verity: one image for the webhook receiver (`verity serve`) and the Celery worker (`verity worker`).

# --- build: install Verity and its dependencies into a virtualenv -------------------------------
FROM python:3.11.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/verity
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY config ./config
COPY workers ./workers
RUN /opt/verity/bin/pip install --no-compile . \
 && /opt/verity/bin/python -c "import app.web.server, workers.celery_app"

# --- runtime: git (for the mirrors), the virtualenv, a non-root user ------------------------------
FROM python:3.11.11-slim-bookworm AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 verity \
 && useradd --system --uid 10001 --gid verity --home-dir /var/lib/verity --create-home verity
COPY --from=build /opt/verity /opt/verity
ENV PATH=/opt/verity/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    VERITY_DATA_DIR=/var/lib/verity
USER verity
WORKDIR /var/lib/verity
VOLUME ["/var/lib/verity"]
EXPOSE 8000
# The receiver answers /healthz; a worker overrides this check in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
CMD ["verity", "serve", "--host", "0.0.0.0", "--port", "8000"]
