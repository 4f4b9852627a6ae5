"""Fail loudly when PostgreSQL is not reachable: the PostgreSQL half must never be skipped."""

import sys

import psycopg

url = sys.argv[1]
try:
    with psycopg.connect(url, connect_timeout=5) as conn:
        version = conn.execute("show server_version").fetchone()[0]
except psycopg.Error as exc:
    sys.exit(
        f"PostgreSQL at {url} is not reachable: {exc}\nThe PostgreSQL half of the tests cannot run."
    )
print(f"PostgreSQL {version} reachable.")
