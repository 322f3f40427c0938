# syntax=docker/dockerfile:1
# Verity: one image for the webhook receiver (`verity serve`) and the Celery worker (`verity worker`).
# Build it once: `docker build -t verity:0.1.0 .` (docker-compose.yml builds it once for both services).

# --- build: install the locked dependencies, then Verity's own wheel, into a virtualenv ------------
FROM python:3.11.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# The locks first, so a change to Verity's code reuses the dependency layers.
COPY deploy/requirements.txt deploy/build-requirements.txt ./deploy/
RUN python -m venv /opt/verity \
 && /opt/verity/bin/pip install --require-hashes --no-deps -r deploy/requirements.txt \
 && python -m venv /opt/build \
 && /opt/build/bin/pip install --require-hashes --no-deps -r deploy/build-requirements.txt
COPY pyproject.toml README.md ./
COPY app ./app
COPY config ./config
COPY workers ./workers
# The build backend comes from the lock (no isolated build env fetching an unpinned setuptools);
# --no-deps: every dependency is already installed from the lock, so nothing unpinned slips in.
RUN /opt/build/bin/pip wheel --no-deps --no-build-isolation --wheel-dir /wheels . \
 && /opt/verity/bin/pip install --no-deps --no-index /wheels/verity-*.whl \
 && /opt/verity/bin/pip check

# --- runtime: git (for the mirrors), tini, the virtualenv, a non-root user -------------------------
FROM python:3.11.11-slim-bookworm AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 verity \
 && useradd --system --uid 10001 --gid verity --home-dir /var/lib/verity --create-home verity
COPY --from=build /opt/verity /opt/verity
ENV PATH=/opt/verity/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    VERITY_DATA_DIR=/var/lib/verity
USER verity
WORKDIR /var/lib/verity
# Import check on the installed package only: this stage has no source tree, and -I keeps the
# working directory and PYTHON* variables off sys.path, so a module or data file missing from the
# wheel fails the build here instead of at the first webhook.
RUN python -I -c "import app.web.server, workers.celery_app; from config.policy import default_policy; default_policy()" \
 && verity rules >/dev/null \
 && ruff --version \
 && git --version \
 && tini --version
EXPOSE 8000
# The receiver answers /healthz; a worker overrides this check (docker-compose.yml, deploy/kubernetes).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
# tini is PID 1: it forwards SIGTERM to Verity and reaps the git processes a killed fetch orphans.
ENTRYPOINT ["tini", "--"]
CMD ["verity", "serve", "--host", "0.0.0.0", "--port", "8000"]
