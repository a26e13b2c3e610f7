# syntax=docker/dockerfile:1
# TutorBot image: a build stage that installs the package into a venv, and a slim runtime stage
# that runs it as a non-root user. Content is baked in at /app/content (mount over it to swap
# content without a rebuild); the database lives on the /data volume.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml README.md ./
COPY tutorbot ./tutorbot
RUN /opt/venv/bin/pip install . \
    && /opt/venv/bin/pip uninstall --yes pip setuptools

FROM ${PYTHON_IMAGE} AS runtime
ARG UID=10001
RUN groupadd --system --gid "${UID}" tutorbot \
    && useradd --system --uid "${UID}" --gid tutorbot --home-dir /data --no-create-home \
       --shell /usr/sbin/nologin tutorbot \
    && mkdir -p /data && chown tutorbot:tutorbot /data
COPY --from=build /opt/venv /opt/venv
COPY content /app/content
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TUTORBOT_DB_PATH=/data/tutorbot.sqlite3 \
    TUTORBOT_CONTENT_DIR=/app/content \
    MPLCONFIGDIR=/tmp/matplotlib
USER tutorbot
WORKDIR /data
VOLUME ["/data"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["tutorbot", "healthcheck"]
ENTRYPOINT ["tutorbot"]
CMD ["run"]
