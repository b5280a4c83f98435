#!/usr/bin/env bash
# `make security`: the outside checks of the hardening probe, against this machine only.
#
# Serves the demo data with production settings (DEBUG off, HTTPS through gunicorn with a
# throw-away self-signed certificate, so secure cookies and CSRF behave as behind the proxy)
# on 127.0.0.1, then runs wapiti (anonymous, as a participant, as an organiser whose session
# passed two-factor sign-in) and sqlmap on parameterised URLs, each bounded in time. Fails when
# a scanner reports a finding it rates medium or worse, or when the server answered any 500.
# The scanners live in their own venv (var/security/venv): they are tools, not dependencies.
#
# Loopback only: every target is https://127.0.0.1:$PORT. Nothing here reaches another host.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${SECURITY_PORT:-8765}
SCAN_SECONDS=${SECURITY_SCAN_SECONDS:-150}
SQLMAP_SECONDS=${SECURITY_SQLMAP_SECONDS:-60}
OUT=var/security
BASE="https://127.0.0.1:${PORT}"
mkdir -p "$OUT"
rm -f "$OUT"/*.txt "$OUT"/*.json "$OUT"/*.log "$OUT"/db.sqlite3

if [ ! -x "$OUT/venv/bin/wapiti" ] || [ ! -x "$OUT/venv/bin/sqlmap" ]; then
  python3 -m venv "$OUT/venv"
  "$OUT/venv/bin/pip" install --quiet "wapiti3==3.2.3" "sqlmap==1.10.10"
fi
[ -f "$OUT/key.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
  -keyout "$OUT/key.pem" -out "$OUT/cert.pem" 2>/dev/null

export DATABASE_URL="sqlite:///$PWD/$OUT/db.sqlite3"
unset REDIS_URL
# Seeding sets the demo passwords only with DEBUG on; the server itself runs with it off.
DEBUG=1 .venv/bin/python manage.py migrate --noinput -v 0
DEBUG=1 .venv/bin/python manage.py seed_demo >/dev/null

export DEBUG=0 ALLOWED_HOSTS=127.0.0.1 CSRF_TRUSTED_ORIGINS="$BASE" SITE_URL="$BASE"
export SECRET_KEY="security-scan-$(head -c 32 /dev/urandom | base64 | tr -d '/+=\n')"
export STATIC_ROOT="$PWD/$OUT/static" SECURE_HSTS_SECONDS=0
.venv/bin/python manage.py collectstatic --noinput -v 0

# Signed-in sessions for the scans (the organiser's has passed two-factor sign-in, as
# allauth records it after a TOTP code).
.venv/bin/python manage.py shell --no-imports -c "
import json, time
from django.conf import settings
from importlib import import_module
from accounts.models import User
store = import_module(settings.SESSION_ENGINE).SessionStore
cookies = {}
for email, second_factor in [('participant@example.com', False), ('organiser@example.com', True)]:
    user = User.objects.get(email=email)
    session = store()
    session['_auth_user_id'] = str(user.pk)
    session['_auth_user_backend'] = 'django.contrib.auth.backends.ModelBackend'
    session['_auth_user_hash'] = user.get_session_auth_hash()
    if second_factor:
        session['account_authentication_methods'] = [{'method': 'mfa', 'at': time.time(), 'type': 'totp'}]
        session['account_authentication_methods_user'] = str(user.pk)
    session.create()
    cookies[email.split('@')[0]] = session.session_key
print(json.dumps(cookies))
" > "$OUT/sessions.json"

.venv/bin/gunicorn afa_platform.wsgi:application --bind "127.0.0.1:${PORT}" --workers 3 \
  --certfile "$OUT/cert.pem" --keyfile "$OUT/key.pem" \
  --access-logfile "$OUT/access.log" --error-logfile "$OUT/error.log" \
  --capture-output >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do curl -ksf "$BASE/healthz" >/dev/null && break; sleep 1; done

cookie() { tail -1 "$OUT/sessions.json" | .venv/bin/python -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
cookie participant >/dev/null && cookie organiser >/dev/null

scan() {
  local name=$1; shift
  echo "== wapiti: $name (at most ${SCAN_SECONDS}s)"
  timeout $((SCAN_SECONDS + 120)) "$OUT/venv/bin/wapiti" -u "$BASE/" --scope folder \
    --max-scan-time "$SCAN_SECONDS" --max-attack-time $((SCAN_SECONDS / 6)) --flush-session \
    -x "$BASE/accounts/logout/" -x "$BASE/static/*" -x "$BASE/admin/logout/" \
    --skip csrfmiddlewaretoken \
    --verify-ssl 0 -f json -o "$OUT/wapiti-$name.json" "$@" >"$OUT/wapiti-$name.log" 2>&1 || true
}
scan anonymous
scan participant -H "Cookie: sessionid=$(cookie participant)"
scan organiser -H "Cookie: sessionid=$(cookie organiser)"

echo "== sqlmap (each URL at most ${SQLMAP_SECONDS}s)"
for url in \
  "$BASE/sessions/?when=past&category=non-consensual-publication&mode=online" \
  "$BASE/ideas/?q=school&harm=1&area=1&sort=newest" \
  "$BASE/initiatives/?status=forming" \
  "$BASE/harms/non-consensual-publication/" \
  "$BASE/sessions/s/1/"; do
  timeout "$SQLMAP_SECONDS" "$OUT/venv/bin/sqlmap" -u "$url" --batch --level 1 --risk 1 \
    --cookie "sessionid=$(cookie participant)" --smart --disable-coloring \
    --output-dir "$OUT/sqlmap" >>"$OUT/sqlmap.log" 2>&1 || true
done

kill $SERVER; wait $SERVER 2>/dev/null || true
trap - EXIT

echo "== results"
.venv/bin/python - "$OUT" <<'EOF'
import json, pathlib, re, sys
out = pathlib.Path(sys.argv[1])
failed = False
for report in sorted(out.glob("wapiti-*.json")):
    data = json.loads(report.read_text())
    found = [
        (category, item.get("level"), item.get("path"), item.get("parameter"))
        for category, items in data.get("vulnerabilities", {}).items()
        for item in items
    ]
    serious = [f for f in found if (f[1] or 0) >= 2]
    anomalies = [
        (category, item.get("path"), item.get("parameter"))
        for category, items in data.get("anomalies", {}).items()
        for item in items
    ]
    print(
        f"{report.stem}: {len(found)} findings, {len(serious)} medium or worse, "
        f"{len(anomalies)} anomalies"
    )
    for f in serious + anomalies:
        print("   ", *f)
    failed |= bool(serious) or bool(anomalies)
sqlmap = (out / "sqlmap.log").read_text() if (out / "sqlmap.log").exists() else ""
injectable = re.findall(r"Parameter: .*", sqlmap)
print(f"sqlmap: {len(injectable)} injectable parameters")
failed |= bool(injectable)
log = (out / "access.log").read_text()
requests = log.count("\n")
errors = [line for line in log.splitlines() if re.search(r'" 5\d\d ', line)]
print(f"server: {requests} requests, {len(errors)} answered 5xx")
for line in errors[:20]:
    print("   ", line)
failed |= bool(errors)
# The signed-in scans must really have been signed in: only an organiser's session that
# passed two-factor sign-in gets the organiser console.
signed_in = re.search(r'"GET /organise/ HTTP/[\d.]+" 200 ', log) is not None
print(f"organiser scan reached the organiser console: {signed_in}")
failed |= not signed_in
sys.exit(1 if failed else 0)
EOF
