# The worker. Build and run with docker-compose.yml, or anywhere with TEMPORAL_ADDRESS
# (and the other temporalio.envconfig variables) and the SMTP_* settings in the environment.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY . .
# Installs the dependencies from pyproject.toml; the code runs from /app, where worker.py is.
# /var/lib/mentoring holds the intake's ledger; a volume mounted there starts out owned
# by the user the services run as (docker-compose.yml).
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home mentoring \
    && install -d -o mentoring -m 0700 /var/lib/mentoring

USER mentoring
CMD ["python", "worker.py"]
