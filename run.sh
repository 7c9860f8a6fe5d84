#!/usr/bin/env bash
# Rehab Tracker's two commands:
#   ./run.sh start   web + Celery worker + beat, with demo data (SQLite and a file broker unless
#                    DATABASE_URL / REDIS_URL are set)
#   ./run.sh test    ruff, then the test suite against PostgreSQL and Redis on 127.0.0.1
set -euo pipefail
cd "$(dirname "$0")"

venv() {  # venv REQUIREMENTS: create .venv and install REQUIREMENTS when they changed
    local req=$1 stamp
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv || { echo "python3 -m venv failed: on Debian, apt-get install python3-venv" >&2; exit 1; }
    fi
    stamp=".venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-$(basename "$req" .txt)"
    if [ ! -e "$stamp" ]; then
        .venv/bin/pip install --quiet --disable-pip-version-check -r "$req"
        touch "$stamp"
    fi
}

web_build() {  # web_build: npm ci when the lockfile changed, then Vite builds the web client into web/dist
    if ! command -v npm >/dev/null; then
        echo "npm not found: install Node.js 20 and npm to build the web client (the API works without it)" >&2
        return 1
    fi
    local stamp
    stamp="web/node_modules/.installed-$(sha256sum web/package-lock.json | cut -c1-16)"
    if [ ! -e "$stamp" ]; then
        (cd web && npm ci --no-audit --no-fund --loglevel=error) && touch "$stamp"
    fi
    # Vite builds again only when the client's sources changed since web/dist was built: a build empties
    # web/dist first, and the browser tests may be serving it from another process at that moment.
    local built
    built="web/dist/.built-$(cd web && find index.html vite.config.js package.json package-lock.json src public scripts -type f \
        -print0 2>/dev/null | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
    if [ ! -e "$built" ]; then
        (cd web && npm run --silent build >/dev/null) && touch "$built"
    fi
}

start() {
    # The development command: an empty environment is production (DEBUG off, SECRET_KEY and DATABASE_URL
    # required), so start says it is development unless told otherwise.
    export DEBUG=${DEBUG:-True}
    venv requirements.txt
    web_build || echo "Serving without the web client: / says how to build it." >&2
    local py=.venv/bin/python port=${PORT:-8000}
    export APP_URL=${APP_URL:-http://127.0.0.1:$port}  # the links in e-mails and invitations: this server
    $py manage.py compile_translations -v0  # locale/*.po to .mo (build output)
    $py manage.py migrate --noinput -v0
    $py manage.py collectstatic --noinput -v0
    $py manage.py seed_demo
    echo "Starting web on http://127.0.0.1:$port/ (API /api/v1/, docs /api/docs/, admin /admin/), workers and beat."
    echo "Stop with Ctrl-C."
    # Each process in a session of its own: Ctrl-C reaches this script only, which stops each one once
    # (SIGTERM: a warm shutdown), waits up to 20 s, then kills whatever is left of its process group.
    PIDS=()
    trap stop_all EXIT INT TERM
    setsid .venv/bin/celery -A rehab_tracker worker --loglevel=INFO --concurrency=2 -Q celery,evaluation -n default@%h & PIDS+=($!)
    # Red-flag deliveries: a worker of their own, so an alert never waits behind the hourly evaluation.
    setsid .venv/bin/celery -A rehab_tracker worker --loglevel=INFO --concurrency=1 -Q alerts -n alerts@%h & PIDS+=($!)
    setsid .venv/bin/celery -A rehab_tracker beat --loglevel=INFO & PIDS+=($!)
    setsid .venv/bin/gunicorn rehab_tracker.wsgi --bind "127.0.0.1:$port" --workers 2 --access-logfile - & PIDS+=($!)
    wait -n || true
}

stop_all() {
    trap - EXIT INT TERM
    echo "Stopping web, worker and beat ..." >&2
    kill -TERM "${PIDS[@]}" 2>/dev/null || true
    for _ in $(seq 40); do
        local alive=0 pid
        for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.5
    done
    for pid in "${PIDS[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    echo "Stopped." >&2
    exit 0
}

test_suite() {
    venv requirements-dev.txt
    .venv/bin/ruff check .
    .venv/bin/ruff format --check .
    .venv/bin/hadolint Dockerfile  # the image's Dockerfile (no Docker engine is needed to lint it)
    .venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache  # layers run one way
    DEBUG=${DEBUG:-True} .venv/bin/python manage.py makemigrations --check --dry-run >/dev/null \
        || { echo "Model changes without a migration: run manage.py makemigrations" >&2; exit 1; }
    DEBUG=${DEBUG:-True} .venv/bin/python manage.py compile_translations  # the Danish server texts
    if web_build; then
        (cd web && npm test --silent)  # the outbox and sync logic (node's test runner)
    elif [ -n "${RT_REQUIRE_SERVICES:-}" ]; then
        exit 1  # CI: the web client and its browser tests may not be skipped
    fi
    .venv/bin/pytest "$@"
}

case "${1:-}" in
    start) start ;;
    test) shift; test_suite "$@" ;;
    *) echo "usage: ./run.sh start | ./run.sh test [pytest args]" >&2; exit 2 ;;
esac
