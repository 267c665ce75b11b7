# syntax=docker/dockerfile:1
# The one image for every process: `yizheng serve proposals|members|gateway`, `yizheng migrate ...`.
#   docker build -t yizheng:0.1.0 .
# Kubernetes manifests: deploy/k8s (they run it as uid 10001 with a read-only root filesystem).

ARG PYTHON_IMAGE=python:3.11-slim

# ---- build: the locked dependencies and the project, installed into /opt/venv ------------------------
FROM ${PYTHON_IMAGE} AS build
# The same pinned uv as the Makefile, from PyPI.
ARG UV_VERSION=0.13.8
RUN pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
WORKDIR /src
# Dependencies first, in their own layer: rebuilt only when the lock changes.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
# Then the project itself, as a regular (not editable) install: the runtime image needs no source tree.
COPY . .
RUN uv sync --frozen --no-dev --no-editable

# ---- runtime -----------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE}
RUN groupadd --system --gid 10001 yizheng \
 && useradd --system --uid 10001 --gid yizheng --no-create-home --home-dir /tmp --shell /usr/sbin/nologin yizheng
COPY --from=build /opt/venv /opt/venv
# Bytecode is compiled at build time; at run time the root filesystem is read-only and only /tmp is
# writable (HOME and YIZHENG_HOME point there so nothing tries to write elsewhere).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/tmp \
    YIZHENG_HOME=/tmp/yizheng
WORKDIR /tmp
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["yizheng"]
CMD ["--help"]
