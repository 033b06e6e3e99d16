# The service's image: a virtual environment with the project's wheel, run as a user of its own.
#
#   docker build -t dpt-lookup .                                   (the official python image)
#   docker build --build-arg BASE_IMAGE=dpt-debian:bookworm ...    (a base built locally by
#                                                                   docker/base-image.sh)
# Offline, with the dependencies' wheels in build/wheelhouse/:
#   docker build --build-arg PIP_NO_INDEX=1 ...
ARG BASE_IMAGE=python:3.11-slim-bookworm

FROM ${BASE_IMAGE} AS python
# The official python image has Python; a bare Debian base gets Debian's (3.11 on bookworm).
RUN python3 -c 'import ensurepip, venv' 2>/dev/null || { \
        apt-get update -q \
        && apt-get install -y -q --no-install-recommends python3 python3-venv \
        && rm -rf /var/lib/apt/lists/*; }

FROM python AS build
# pip reads these from the environment: PIP_NO_INDEX=1 installs from build/wheelhouse only.
ARG PIP_NO_INDEX
ENV PIP_FIND_LINKS=/wheelhouse PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# pyproject.toml is there so that the COPY has a source when build/wheelhouse does not exist.
COPY pyproject.toml build/wheelhouse* /wheelhouse/
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY sql/ sql/
COPY service/ service/
RUN python3 -m venv /opt/dpt \
    && /opt/dpt/bin/pip wheel --no-deps --wheel-dir /dist . \
    && /opt/dpt/bin/pip install /dist/dpt_lookup-*.whl

FROM python
RUN useradd --system --uid 10001 --user-group --home-dir /srv/dpt --create-home dpt \
    && install -d -o dpt -g dpt /srv/dpt/proxy
COPY --from=build /opt/dpt /opt/dpt
ENV PATH=/opt/dpt/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
USER dpt
WORKDIR /srv/dpt
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/health/live', timeout=2)"]
ENTRYPOINT ["dpt"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
