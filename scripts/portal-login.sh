#!/bin/sh
# Log in to the portal from a script, the way a browser does:
#   scripts/portal-login.sh http://127.0.0.1:8000 demo parabench-demo cookies.txt
#   curl -b cookies.txt http://127.0.0.1:8000/profiel/
# Why a script: the login form is protected against cross-site requests (CSRF). The POST must
# carry the form's token *and* the csrftoken cookie of the same host name, so a GET on
# 127.0.0.1 followed by a POST to localhost, or a script that skips the cookie file's
# "#HttpOnly_" lines (curl's spelling of an HttpOnly cookie), gets "403 CSRF cookie not set".
set -eu
if [ "$#" -ne 4 ]; then
    echo "usage: $0 PORTAL_URL USERNAME PASSWORD COOKIE_FILE" >&2
    exit 2
fi
url=${1%/}
form=$(curl -sS -c "$4" -b "$4" "$url/inloggen/")
token=$(printf '%s\n' "$form" | sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' | head -n 1)
if [ -z "$token" ]; then
    echo "no login form at $url/inloggen/" >&2
    exit 1
fi
status=$(curl -sS -o /dev/null -w '%{http_code}' -c "$4" -b "$4" \
    --data-urlencode "csrfmiddlewaretoken=$token" \
    --data-urlencode "username=$2" \
    --data-urlencode "password=$3" \
    "$url/inloggen/")
# A successful login redirects (302); a wrong password shows the form again (200).
if [ "$status" != 302 ]; then
    echo "login failed: HTTP $status" >&2
    exit 1
fi
