# One image for web, worker and beat; docker-compose.yml picks the command.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
RUN useradd --create-home --uid 10001 afa

COPY pyproject.toml README.md ./
COPY afa_platform ./afa_platform
COPY accounts ./accounts
COPY harms ./harms
COPY engagement ./engagement
COPY initiatives ./initiatives
COPY reports ./reports
COPY exports ./exports
RUN pip install --upgrade pip && pip install .

COPY . .
# collectstatic needs settings; these throwaway values exist only for this build step.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput \
    && mkdir -p /app/var && chown -R afa /app/var

USER afa
EXPOSE 8000
CMD ["gunicorn", "afa_platform.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
