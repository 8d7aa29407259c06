# The grading service under gunicorn.  It applies the database migrations at start, then serves
# on port 8000.  Settings come from the environment: see .env.example and docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY grader ./grader
COPY exercises ./exercises
COPY migrations ./migrations
RUN pip install . \
    && useradd --system --create-home --home-dir /var/lib/grader grader

USER grader
WORKDIR /var/lib/grader
ENV GRADER_ENV=production \
    GRADER_INSTANCE_PATH=/var/lib/grader \
    GRADER_BIND=0.0.0.0:8000
EXPOSE 8000

HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4)"]

CMD ["sh", "-c", "grader db upgrade && exec gunicorn -c python:grader.service.gunicorn_config 'grader.service:create_app()'"]
