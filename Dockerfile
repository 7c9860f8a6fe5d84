# The web client, built from its lockfile (nothing built is committed).
FROM node:20-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=web /web/dist /app/web/dist
RUN DEBUG=True python manage.py compile_translations \
    && DEBUG=True python manage.py collectstatic --noinput -v0 \
    && useradd --system --no-create-home --uid 10001 rehab \
    && mkdir -p /app/var/media && chown -R 10001 /app/var
USER 10001
EXPOSE 8000
CMD ["gunicorn", "rehab_tracker.wsgi", "--bind", "0.0.0.0:8000"]
