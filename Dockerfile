# twilio-sms-worker: the Camunda 7 external task worker (topic SEND_SMS) that sends SMS via Twilio.
#   docker build -t twilio-sms-worker .
#   docker run --rm -e CAMUNDA_URL=... -e TWILIO_ACCOUNT=AC... -e TWILIO_TOKEN=... twilio-sms-worker
# Every setting is an environment variable (see the README); the default command is `run`.

ARG PYTHON_IMAGE=python:3.12-slim-bookworm

# --- build: install the package and its dependencies into a virtualenv --------------------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY worker ./worker
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install . \
    && /opt/venv/bin/pip uninstall --yes pip

# --- runtime: the virtualenv only; no compiler, no pip, no source tree ---------------------------
FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN groupadd --system --gid 10001 sms \
    && useradd --system --uid 10001 --gid sms --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin sms
COPY --from=build /opt/venv /opt/venv
USER 10001:10001

# /metrics, /healthz (the poll loop is alive) and /readyz (the engine answered recently).
ENV SMS_METRICS_PORT=9464
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('SMS_METRICS_PORT', '9464'), timeout=4)"]

# SIGTERM (docker stop) lets in-flight SMS finish; a second signal exits at once.
STOPSIGNAL SIGTERM
ENTRYPOINT ["twilio-sms-worker"]
CMD ["run"]
