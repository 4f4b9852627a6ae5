"""ParaBench settings: one module, driven by environment variables.

Development defaults are safe and need no services (SQLite under ``var/``). Production is what you
get with ``DEBUG`` off, and then unsafe values are refused at start-up rather than discovered later.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from parabench.env import (
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
    private_directory,
    private_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("PARABENCH_VAR_DIR", BASE_DIR / "var")
# var/ holds the database, the CA key and the uploads: only the service's user may enter it.
private_directory(VAR_DIR)

DEBUG = env_bool("DEBUG", default=True)
_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
# The reverse proxies in front of the portal (nginx: 127.0.0.1). Only from these are
# X-Forwarded-For and X-Forwarded-Proto believed; the embedded default trusts none.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if not DEBUG:
    if SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 40:
        raise ImproperlyConfigured(
            "DEBUG is off: set SECRET_KEY to a real secret of 40+ characters."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("DEBUG is off: set ALLOWED_HOSTS to the host names you serve.")

INSTALLED_APPS = [
    "parabench.backoffice.apps.BackofficeConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "parabench.backoffice.apps.AxesConfig",
    "django_otp",
    "parabench.backoffice.apps.OTPTOTPConfig",
    "parabench.backoffice.apps.OTPStaticConfig",
    "django_tasks",
    "parabench.backoffice.apps.TasksConfig",
    "parabench.accounts",
    "parabench.practices",
    "parabench.certificates",
    "parabench.uploads",
    "parabench.benchmark",
    "parabench.dashboard",
    "parabench.coordination",
    "parabench.notifications",
]

MIDDLEWARE = [
    # First: everything after it sees the real client address and scheme.
    "parabench.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "parabench.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (static files come precompressed from WhiteNoise above, never through
    # here): Django's GZip at zlib's fastest level (middleware.py says why), padded with random
    # bytes against BREACH as Django pads; CSRF tokens are masked anyway.
    "parabench.middleware.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parabench.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Operators (and practice users who chose it) pass the second factor before anything else.
    "parabench.accounts.twofactor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "parabench.accounts.session.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "parabench.urls"
WSGI_APPLICATION = "parabench.wsgi.application"
ASGI_APPLICATION = "parabench.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "parabench" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "libraries": {"fixed_urls": "parabench.fixed_urls"},
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "parabench.dashboard.context_processors.header_figures",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'parabench.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The database holds session keys and password hashes: private to the service's user. SQLite
    # gives its -wal and -shm files the database file's mode, so creating that 0600 is enough.
    if str(DATABASES["default"]["NAME"]) not in ("", ":memory:"):
        private_file(Path(DATABASES["default"]["NAME"]))
    # WAL lets the portal read while the worker writes; IMMEDIATE avoids upgrade deadlocks.
    # synchronous=FULL: in WAL mode NORMAL may roll back a committed transaction after a power
    # cut, and the uploader answers 202 only after its commit. The import worker, whose commits
    # may be redone, relaxes it for its own connections (import_worker.py).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 30),
    }
    # A file, not memory: the worker and uploader tests run in other processes.
    _db_file = Path(DATABASES["default"]["NAME"])
    DATABASES["default"]["TEST"] = {"NAME": str(_db_file.with_name(f"test_{_db_file.name}"))}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    # Every query here is small and indexed; PostgreSQL's JIT only pays off for big analytic
    # queries and costs 4+ ms of compiling whenever a plan's estimate crosses jit_above_cost
    # (seen on the dashboard's trend read right after a bulk load, before autovacuum analysed).
    _options["options"] = "-c jit=off"
    if env_bool("DATABASE_POOL", default=True):
        # Under ASGI Django opens a connection per request (4–10 ms) unless pooled;
        # DATABASE_POOL=0 turns the pool off (e.g. behind an external pooler such as PgBouncer).
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        _options["pool"] = {"min_size": 2, "max_size": 10}
        if env_bool("DATABASE_PREPARED_STATEMENTS", default=False):
            # Server-side binding, and psycopg prepares a statement at its second run on a
            # connection: PostgreSQL parses and plans each of a process's repeated statements
            # once per pooled connection instead of every time. The uploader and the portal turn
            # it on for themselves (parabench.uploads.server, parabench.asgi): PostgreSQL's CPU
            # per upload 1.33 → 0.88 ms (600 uploads, twice); a dashboard page waits about 0.5 ms
            # less on the database, the Trends tab 1.5 ms (national data). Not behind an external
            # pooler (DATABASE_POOL=0): PgBouncer in transaction mode does not keep a
            # connection's prepared statements.
            _options["server_side_binding"] = True
            _options["prepare_threshold"] = 2
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "parabench.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock the combination of user name and IP after repeated failures, for a while.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)

# A login ends when the browser closes, after SESSION_IDLE_MINUTES without a request
# (parabench/accounts/session.py) and at the latest after SESSION_COOKIE_AGE.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Production is HTTPS only: plain HTTP is redirected and browsers are told to remember that (HSTS).
# Behind nginx the scheme comes from X-Forwarded-Proto of a TRUSTED_PROXIES address.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
# Scripts only from our own static files (or an inline one carrying the request's nonce);
# nothing from other origins, no framing, no plugins. See ContentSecurityPolicyMiddleware.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'nonce-{nonce}'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# --- E-mail -----------------------------------------------------------------------------------
# Mail carries one-time links (password set-up and reset): never to the console, where they would
# end up in logs, unless EMAIL_BACKEND asks for it explicitly. Development writes each mail as a
# file under var/mail/; production sends over SMTP.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = str(env_path("EMAIL_FILE_PATH", VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ParaBench <noreply@parabench.localhost>")
PORTAL_URL = env_str("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Helpdesk (the contact block of the Uitleg page) ------------------------------------------
HELPDESK_NAME = env_str("HELPDESK_NAME", "ParaBench helpdesk")
HELPDESK_EMAIL = env_str("HELPDESK_EMAIL", "helpdesk@parabench.localhost")
HELPDESK_PHONE = env_str("HELPDESK_PHONE", "")
HELPDESK_HOURS = env_str("HELPDESK_HOURS", "")

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "parabench" / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_AUTOREFRESH = DEBUG
STATICFILES_DIRS = [BASE_DIR / "parabench" / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
WHITENOISE_USE_FINDERS = DEBUG
# Production: collectstatic writes every file with its content hash in the name plus a gzip
# copy; WhiteNoise serves those hashed names as immutable for a year and more (the name changes
# when the content does). In development files are served as they are, from the apps.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Background tasks -------------------------------------------------------------------------
# Statistics refreshes run in a queue of their own, so a production statistics worker
# (import_worker --queue-name statistics) takes their memory and minutes away from the import
# workers (docs/deployment.md); one worker on all queues (import_worker's default) runs everything.
STATISTICS_QUEUE = "statistics"
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", STATISTICS_QUEUE],
    }
}

# --- ParaBench ----------------------------------------------------------------------------------
# Where accepted uploads are written (and fsynced) before they are acknowledged.
UPLOAD_STORAGE_DIR = env_path("UPLOAD_STORAGE_DIR", VAR_DIR / "uploads")
# The uploader: body limits (the decompressed one stops gzip bombs), import retries, the proxy.
# A real export is ~25 KB in format 1.0 and ~70 KB in 1.1 (the case-mix cells' names; gzipped
# ~3 KB), whatever the practice's size. 256 KiB on the wire is ten times a gzipped or 1.0 body and
# still holds an uncompressed 1.1 one; 1 MiB decompressed is ten times a 1.1 export. Worst-case
# validation stays bounded by the JSON value count (documents.MAX_JSON_VALUES, docs/uploader.md).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 256 * 1024)
UPLOAD_MAX_DECOMPRESSED_BYTES = env_int("UPLOAD_MAX_DECOMPRESSED_BYTES", 1024 * 1024)
# At most this many exports are parsed and validated at once per uploader process; the others wait
# (up to UPLOAD_VALIDATION_WAIT_SECONDS, then 503 with Retry-After), so memory stays bounded.
UPLOAD_MAX_CONCURRENT_VALIDATIONS = env_int("UPLOAD_MAX_CONCURRENT_VALIDATIONS", 2)
UPLOAD_VALIDATION_WAIT_SECONDS = env_int("UPLOAD_VALIDATION_WAIT_SECONDS", 30)
# exported_at may lie this far after the receipt time: a PC whose time zone is wrong but whose
# clock shows Dutch time is up to two hours ahead, plus half an hour of drift. Beyond: 422.
UPLOAD_CLOCK_SKEW_MINUTES = env_int("UPLOAD_CLOCK_SKEW_MINUTES", 150)
UPLOAD_IMPORT_MAX_ATTEMPTS = env_int("UPLOAD_IMPORT_MAX_ATTEMPTS", 6)
UPLOAD_IMPORT_RETRY_SECONDS = env_int("UPLOAD_IMPORT_RETRY_SECONDS", 2)
# An import task takes up to this many waiting uploads along in its transaction.
UPLOAD_IMPORT_BATCH_SIZE = env_int("UPLOAD_IMPORT_BATCH_SIZE", 100)
# Peer statistics are refreshed once per burst of imports, this long after the first of them...
UPLOAD_STATISTICS_DELAY_SECONDS = env_int("UPLOAD_STATISTICS_DELAY_SECONDS", 30)
# ...and once the uploads of the burst are imported, but no more than this much later
# (``benchmark.tasks.wait_for_imports``).
UPLOAD_STATISTICS_MAX_WAIT_SECONDS = env_int("UPLOAD_STATISTICS_MAX_WAIT_SECONDS", 300)
# A task still RUNNING after this long, claimed by a worker on another host, is taken for one whose
# worker died and is queued again (workers on this host are checked by process id).
TASKS_STALE_AFTER_SECONDS = env_int("TASKS_STALE_AFTER_SECONDS", 3600)
# Only from these TCP peers are X-SSL-Client-Cert / X-SSL-Client-Verify believed (nginx in front).
UPLOADER_TRUSTED_PROXIES = env_list("UPLOADER_TRUSTED_PROXIES", [])
# The embedded uploader's own TLS server certificate (issued by the ParaBench CA on first start).
UPLOADER_TLS_CERT_PATH = env_path("UPLOADER_TLS_CERT_PATH", VAR_DIR / "uploader" / "server.pem")
UPLOADER_TLS_KEY_PATH = env_path("UPLOADER_TLS_KEY_PATH", VAR_DIR / "uploader" / "server.key")
# The CA. In development it is created on first start; in production point these at real files.
CA_CERT_PATH = env_path("CA_CERT_PATH", VAR_DIR / "ca" / "ca.pem")
CA_KEY_PATH = env_path("CA_KEY_PATH", VAR_DIR / "ca" / "ca.key")
CA_AUTO_CREATE = env_bool("CA_AUTO_CREATE", DEBUG)
CA_NAME = env_str("CA_NAME", "ParaBench CA")  # issuer shown in Windows; only for a new CA
# The CRL a proxy in front of the uploader reads; re-issued daily by the reissue_crl task.
CA_CRL_PATH = env_path("CA_CRL_PATH", VAR_DIR / "ca" / "crl.pem")
# Key that encrypts a not-yet-downloaded private key; derived from SECRET_KEY unless set.
CERTIFICATE_KEY_ENCRYPTION_KEY = env_str("CERTIFICATE_KEY_ENCRYPTION_KEY", "")
CERTIFICATE_VALIDITY_DAYS = env_int("CERTIFICATE_VALIDITY_DAYS", 3 * 365)
CERTIFICATE_EXPIRY_WARNING_DAYS = env_int("CERTIFICATE_EXPIRY_WARNING_DAYS", 30)
# --- Security (issue 20): CSR requests, expiry e-mails, acceptance CA, CA rollover, 2FA ---------
# How long a one-time request code shown in the portal can be used by the export client.
CERTIFICATE_REQUEST_CODE_MINUTES = env_int("CERTIFICATE_REQUEST_CODE_MINUTES", 60)
# E-mails go out this many days before a certificate expires (the scheduled expiry_notices task).
CERTIFICATE_EXPIRY_NOTICE_DAYS = [
    int(days) for days in env_list("CERTIFICATE_EXPIRY_NOTICE_DAYS", ["60", "30", "7"])
]
# CA rollover: certificates of earlier CAs (their ca.pem files; keys only to keep their CRLs
# signed) are still accepted until they expire or are renewed. See docs/certificates.md.
CA_PREVIOUS_CERT_PATHS = env_list("CA_PREVIOUS_CERT_PATHS", [])
CA_PREVIOUS_KEY_PATHS = env_list("CA_PREVIOUS_KEY_PATHS", [])
# The acceptance CA for vendors: its certificates reach only the validation endpoints.
ACCEPTANCE_CA_CERT_PATH = env_path("ACCEPTANCE_CA_CERT_PATH", VAR_DIR / "ca-acceptatie" / "ca.pem")
ACCEPTANCE_CA_KEY_PATH = env_path("ACCEPTANCE_CA_KEY_PATH", VAR_DIR / "ca-acceptatie" / "ca.key")
ACCEPTANCE_CA_NAME = env_str("ACCEPTANCE_CA_NAME", "ParaBench Acceptatie CA")
# The file of every CA whose client certificates the TLS layer lets through (written on start).
CA_TRUST_BUNDLE_PATH = env_path("CA_TRUST_BUNDLE_PATH", VAR_DIR / "ca" / "trusted-clients.pem")
# Issuer name of the two-factor accounts in authenticator apps.
OTP_TOTP_ISSUER = "ParaBench"
# An operator with access to the back office must not read another operator's TOTP secret or
# recovery codes (its key, QR code and static tokens would let them pass that second factor).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Comparison groups smaller than this show no statistics at all.
MIN_GROUP_SIZE = env_int("MIN_GROUP_SIZE", 5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"message": {"format": "%(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # The uploader's access log: one JSON object per request (docs/uploader.md).
        "parabench.uploader.access": {"level": "INFO", "handlers": [], "propagate": True},
        # WeasyPrint logs every step of every report page at INFO.
        "weasyprint": {"level": "WARNING"},
    },
}
# Also (or instead, with UPLOADER_ACCESS_LOG_ONLY=1) write the access log to this file.
UPLOADER_ACCESS_LOG = env_str("UPLOADER_ACCESS_LOG", "")
if UPLOADER_ACCESS_LOG:
    LOGGING["handlers"]["access_file"] = {
        "class": "logging.handlers.WatchedFileHandler",
        "filename": UPLOADER_ACCESS_LOG,
        "formatter": "message",
    }
    LOGGING["loggers"]["parabench.uploader.access"].update(
        handlers=["access_file"], propagate=not env_bool("UPLOADER_ACCESS_LOG_ONLY", False)
    )
