"""Settings for VP Portal: one module, every value from the environment, safe production defaults.

Secrets never live here: SECRET_KEY and passwords come from the environment or from a file named by
the matching `*_FILE` variable (container secrets).
"""

import os
import sys
import tempfile
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from vpportal.roles import ROLES
from vpportal.sso import issuer_origin, openid_connect_providers, role_map_from
from vpportal.storage_url import evidence_storage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None


def secret(name, default=None):
    """A secret from NAME, or from the file that NAME_FILE points to."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


TESTING = env.bool("TESTING", default="pytest" in sys.modules)
DEBUG = env.bool("DEBUG", default=False)
# Demo mode: `make run` creates demo logins and prints them; never on in production.
DEMO_MODE = env.bool("DEMO_MODE", default=False)

SECRET_KEY = secret("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-only-for-debug-and-tests-0123456789abcdef"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off. Set SECRET_KEY (or SECRET_KEY_FILE) in the "
            "environment, for example: export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] + (["testserver"] if TESTING else [])
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "leadership.apps.PortalAdminConfig",  # django.contrib.admin with the portal's admin site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "rules",  # the permission map is registered from vpportal.permissions (no per-app rules.py)
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "health_check",
    "vpportal",
    "vpportal.events",
    "evidence",
    "initiatives",
    "governance",
    "leadership",
    "integrations",
]
if TESTING:
    INSTALLED_APPS.append("zeal")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "vpportal.localisation.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "vpportal.security.MFARequiredMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "vpportal.core.api_access.RateLimitHeadersMiddleware",
    # Last, so its process_exception sees a view's exception first: database outages answer 503.
    "vpportal.core.outage.DatabaseOutageMiddleware",
]
if TESTING:
    MIDDLEWARE.append("zeal.middleware.zeal_middleware")

ROOT_URLCONF = "vpportal.urls"
WSGI_APPLICATION = "vpportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "vpportal.context_processors.portal",
            ],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'vpportal.sqlite3'}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent requests on the embedded database wait for the write lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    if TESTING:
        # The test database is a file, not memory: the Celery worker processes the tests start
        # (tests/workers.py) open the same database. One file per test process.
        DATABASES["default"]["TEST"] = {
            "NAME": str(Path(tempfile.gettempdir()) / f"vpportal-test-{os.getpid()}.sqlite3")
        }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# Several deployments (or test runs) on one Redis keep apart by a prefix of their keys.
CACHES["default"].setdefault("KEY_PREFIX", env.str("CACHE_KEY_PREFIX", default=""))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# One way of writing dates, times and numbers on every page, history, report and PDF: en-GB ("1 Dec
# 2026", "1 Dec 2026, 07:45"), from vpportal/formats/. The browser's Accept-Language does not change
# it (no LocaleMiddleware): a board pack reads the same whoever prints it. Times are shown in the
# signed-in person's own time zone (Person.time_zone, vpportal/localisation.py), else TIME_ZONE;
# the API keeps ISO 8601 in UTC.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en-gb")
LANGUAGES = [("en-gb", "English")]
FORMAT_MODULE_PATH = ["vpportal.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (evidence): the project's `media/` folder by default, any S3-compatible bucket with
# STORAGE_URL or the AWS-style settings (vpportal/storage_url.py). Files are never served by URL:
# downloads go through the evidence views, which check who may read them.
MEDIA_ROOT = env.path(
    "MEDIA_ROOT",
    default=Path(tempfile.gettempdir()) / f"vpportal-test-media-{os.getpid()}" if TESTING else BASE_DIR / "media",
)
MEDIA_URL = "/media/"
STORAGE_URL = env.str("STORAGE_URL", default="")
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME and not STORAGE_URL:
    # django-storages reads these by these names; only the ones set are defined.
    for _aws in ("AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        if env.str(_aws, default=""):
            vars()[_aws] = env.str(_aws)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "evidence": evidence_storage(STORAGE_URL, AWS_STORAGE_BUCKET_NAME, MEDIA_ROOT),
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

# Email: console in development, SMTP (EMAIL_URL) in production.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG or TESTING else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="VP Portal <vp-portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sessions and cookies
SESSION_ENGINE = "vpportal.core.sessions"  # the db store, refusing forged keys before a query
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE = not DEBUG and not TESTING and env.bool("SECURE_COOKIES", default=True)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        # The SSO button's POST is answered with a redirect to the identity provider: allow its origin.
        "form-action": [SELF, *filter(None, [issuer_origin(env.str("OIDC_ISSUER", default=""))])],
        "frame-ancestors": [NONE],
    }
}

# Login (django-allauth) and lockout (django-axes)
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "vpportal.people.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# Brute-force lockout is django-axes's job alone, so there is one lockout rule and one message.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="VP Portal")
# Roles whose users must set up an authenticator app before using the portal (e.g. executive,governance).
MFA_REQUIRED_ROLES = env.list("MFA_REQUIRED_ROLES", default=[])
if set(MFA_REQUIRED_ROLES) - set(ROLES):
    raise ImproperlyConfigured(f"MFA_REQUIRED_ROLES: unknown role(s) {sorted(set(MFA_REQUIRED_ROLES) - set(ROLES))}.")
# SSO sign-ins rely on the identity provider's own second factor unless this is on.
MFA_REQUIRED_FOR_SSO = env.bool("MFA_REQUIRED_FOR_SSO", default=False)
# Sensitive actions (approve a policy version, accept a risk, override the stage gate) need a sign-in
# or re-authentication within this many seconds (vpportal.security.require_recent_auth).
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("REAUTHENTICATION_TIMEOUT", default=300)
# Off by default only under tests, whose clients sign in with force_login (no allauth record);
# the security suite turns it on to test it.
REAUTH_SENSITIVE_ACTIONS = env.bool("REAUTH_SENSITIVE_ACTIONS", default=not TESTING)

# Single sign-on through the company's OpenID Connect identity provider (docs/sso.md).
OIDC_ISSUER = env.str("OIDC_ISSUER", default="")
OIDC_PROVIDER_ID = env.str("OIDC_PROVIDER_ID", default="sso")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="Company sign-in")
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
# Comma-separated group=role pairs, e.g. "ai-vp=executive,ai-leads=leader,grc=governance".
OIDC_ROLE_MAP = role_map_from(env.str("OIDC_ROLE_MAP", default=""), ROLES)
OIDC_ONLY = env.bool("OIDC_ONLY", default=False)
if OIDC_ONLY and not OIDC_ISSUER:
    raise ImproperlyConfigured("OIDC_ONLY hides password sign-in, so OIDC_ISSUER must be set.")
# Under OIDC_ONLY, the one superuser who may still sign in with a password (and MFA) when the
# identity provider is down: the form is at /accounts/login/?break_glass=1.
OIDC_BREAK_GLASS_USERNAME = env.str("OIDC_BREAK_GLASS_USERNAME", default="")
# A first SSO sign-in of someone with no login creates one only when this is on.
OIDC_AUTO_CREATE = env.bool("OIDC_AUTO_CREATE", default=False)
# Clocks disagree: an ID token issued up to this many seconds "in the future" (or expired this long
# ago) is still accepted.
OIDC_CLOCK_SKEW_SECONDS = env.int("OIDC_CLOCK_SKEW_SECONDS", default=300)
SOCIALACCOUNT_ADAPTER = "vpportal.people.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS = openid_connect_providers(
    issuer=OIDC_ISSUER,
    client_id=env.str("OIDC_CLIENT_ID", default=""),
    secret=secret("OIDC_CLIENT_SECRET", default=""),
    provider_id=OIDC_PROVIDER_ID,
    name=OIDC_PROVIDER_NAME,
    token_auth_method=env.str("OIDC_TOKEN_AUTH_METHOD", default=""),
    scopes=env.list("OIDC_SCOPES", default=[]),
)
# OIDC_ONLY is enforced by our login form, not allauth's SOCIALACCOUNT_ONLY, which rules out MFA.
ACCOUNT_FORMS = {"login": "vpportal.people.adapters.LoginForm"}
SOCIALACCOUNT_AUTO_SIGNUP = True
# A login that already exists with the email the company IdP asserts is reused and connected, instead
# of a second account being created for the same person.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# Failures count per account (whatever identifier was typed: AXES_USERNAME_CALLABLE resolves it) and,
# separately, per client address: one account guessed from many addresses locks, and so does one
# address trying many accounts. Re-authentication goes through the same counter.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "vpportal.people.adapters.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False
# allauth posts the username as `login`: mask it in axes's logs and records as axes does `username`.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "login"]

# API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "vpportal.people.tokens.TokenAuthentication",  # knox's, reading the token once
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["vpportal.core.api_access.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "vpportal.core.api_access.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON writes take only JSON (an upload view names MultiPartParser itself): one request body per
    # operation in the schema, and 415 for anything else.
    "DEFAULT_PARSER_CLASSES": ["vpportal.core.api_access.JSONParser"],
    # The API contract in one place (vpportal/core/api_schema.py): errors, headers, descriptions.
    "DEFAULT_SCHEMA_CLASS": "vpportal.core.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "vpportal.core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        # DRF's, announcing themselves in RateLimit-* headers (vpportal/core/api_access.py).
        "vpportal.core.api_access.AnonRateThrottle",
        "vpportal.core.api_access.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="100000/hour" if TESTING else "3000/hour"),
    },
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Decimals are JSON numbers everywhere, like the float fields beside them.
    "COERCE_DECIMAL_TO_STRING": False,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# knox's token model is swappable: name it, so migrations can point at it (vpportal.TokenGrant).
KNOX_TOKEN_MODEL = "knox.AuthToken"
# Every API token expires: this many days unless its owner chooses (1-365, vpportal/people/tokens.py).
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=90)
REST_KNOX = {
    "TOKEN_TTL": None,  # expiry is set per token by vpportal.people.tokens (default and maximum)
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
# The schema and docs at /api/v1/schema/ and /api/v1/docs/: public only when on (vpportal/api/docs.py).
# Writes without `If-Match` answer 428 when on (off by default: If-Match is optional, a stale one 412).
API_REQUIRE_IF_MATCH = env.bool("API_REQUIRE_IF_MATCH", default=False)
# The largest request body (not counting uploaded files) Django reads: a full 10,000-point bulk
# request with 250-character notes is about 3.4 MB. Over it the API answers 413 naming the limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=8 * 1024 * 1024)
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=DEBUG or DEMO_MODE)
SPECTACULAR_SETTINGS = {
    "TITLE": "VP Portal API",
    "DESCRIPTION": "AI/ML initiatives, KPIs, governance, risk and team development.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The docs open with the resource groups folded: drawing every operation of ~25 resources up
    # front kept the page behind its spinner; a click unfolds a group.
    "SWAGGER_UI_SETTINGS": {"docExpansion": "none", "deepLinking": True},
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Code docstrings are for developers; integrators read the descriptions vpportal/core/api_schema.py
    # writes (or an operation's own `extend_schema(description=...)`).
    "DISABLE_DOCSTRING_DESCRIPTIONS": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "vpportal.core.api_schema.postprocess",
    ],
    # One name per shared choice set (otherwise drf-spectacular warns and `check --deploy` is not clean).
    "ENUM_NAME_OVERRIDES": {
        "FunctionEnum": "vpportal.people.choices.Function",
        "RiskLevelEnum": "governance.choices.RiskLevel",
        "RiskCategoryEnum": "governance.choices.RiskCategory",  # risks and incidents
        "IncidentStatusEnum": "governance.choices.IncidentStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env.str("LOG_LEVEL", default="WARNING" if TESTING else "INFO"),
    },
    "loggers": {"axes": {"level": "WARNING"}},
}

# Tests: N+1 detection on every request and in `zeal_context` blocks.
ZEAL_RAISE = True
# Sign-out reads the session twice by design (allauth), which is not an N+1 over rows. A form,
# filter or serializer with two people fields (owner and sponsor, mentor and mentee) looks each
# chosen person up with its own `.get()`: one query per field, never per row.
ZEAL_ALLOWLIST = [{"model": "sessions.Session"}, {"model": "vpportal.Person", "field": "get()"}]

# --- events (vpportal/events) --------------------------------------------------------------------
# Events older than this are pruned by the periodic retention job; the records' history stays.
EVENT_RETENTION_DAYS = env.int("EVENT_RETENTION_DAYS", default=90)

# --- background work (vpportal/celery.py) --------------------------------------------------------
# CELERY_BROKER_URL: Redis (redis://host:6379/0) in production and CI; RabbitMQ (amqp://...) works
# too. Unset: an embedded broker on the file system (kombu's filesystem transport, a folder shared by
# the processes of one machine), so `make run` needs nothing but Python. Tests use the local Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/15" if TESTING else "")
CELERY_QUEUE_DIR = Path(env.str("CELERY_QUEUE_DIR", default=str(BASE_DIR / ".celery")))
if CELERY_BROKER_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # A job whose worker died without acknowledging it is handed out again after this long (a
        # killed pool process is noticed at once: CELERY_TASK_REJECT_ON_WORKER_LOST).
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=300),
        # How often a worker looks for such jobs: kombu's default scans every 10th sweep of 10 s
        # (100 s); one scan a sweep is a cheap sorted-set read and hands a lost job out sooner.
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_SECONDS", default=10),
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "control_folder": str(CELERY_QUEUE_DIR / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "control"):
        (CELERY_QUEUE_DIR / _folder).mkdir(parents=True, exist_ok=True)
# Tests: a queue per test process, so parallel runs on one Redis never take each other's jobs.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default=f"vpportal-test-{os.getpid()}" if TESTING else "vpportal")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing happens after a commit: a broker outage must not hang the request (the periodic sweep
# catches up on whatever was not announced).
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_QUEUE_DIR / "beat-schedule")
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "prune-events": {"task": "vpportal.events.tasks.prune_events_task", "schedule": 6 * 3600.0},
    # The fan-out and deliveries a lost announcement (broker down at a commit) left behind.
    "webhook-sweep": {
        "task": "integrations.tasks.sweep_task",
        "schedule": env.float("WEBHOOK_SWEEP_SECONDS", default=30),
    },
    # Keeps each list count a sum over about one row per scope (vpportal/core/rowcounts.py).
    "fold-row-counts": {"task": "vpportal.tasks.fold_row_counts_task", "schedule": 60.0},
    "daily-digest": {"task": "leadership.tasks.daily_digest_task", "schedule": crontab(hour=6, minute=0)},
    "evidence-retention": {"task": "evidence.tasks.retention_task", "schedule": crontab(hour=3, minute=30)},
    "prune-jobs": {"task": "leadership.tasks.prune_jobs_task", "schedule": crontab(hour=3, minute=0)},
    "prune-evidence-packs": {"task": "evidence.tasks.prune_pack_jobs_task", "schedule": crontab(hour=3, minute=15)},
    "prune-expired-tokens": {
        "task": "vpportal.tasks.prune_expired_tokens_task",
        "schedule": crontab(hour=3, minute=20),
    },
}
# Background jobs a person asked for (leadership/jobs.py: report PDFs, large imports with their
# files) are kept this long (REPORT_JOB_RETENTION_DAYS is the name it had first).
JOB_RETENTION_DAYS = env.int("JOB_RETENTION_DAYS", default=env.int("REPORT_JOB_RETENTION_DAYS", default=7))
# An import file with more rows than this is checked and imported by a worker (a job with its own
# page), not within the request; smaller files keep the immediate preview.
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=1000)

# --- evidence (evidence/) -------------------------------------------------------------------------
EVIDENCE_MAX_MB = env.float("EVIDENCE_MAX_MB", default=25)
# Files of deleted evidence (and earlier versions of it) stay this long before the retention job
# removes them from storage.
EVIDENCE_RETENTION_DAYS = env.int("EVIDENCE_RETENTION_DAYS", default=90)
# Office documents are ZIP containers: caps on what they unpack to (zip bombs).
EVIDENCE_ZIP_MAX_UNPACKED_MB = env.int("EVIDENCE_ZIP_MAX_UNPACKED_MB", default=250)
EVIDENCE_ZIP_MAX_RATIO = env.int("EVIDENCE_ZIP_MAX_RATIO", default=100)
EVIDENCE_ZIP_MAX_ENTRIES = env.int("EVIDENCE_ZIP_MAX_ENTRIES", default=10000)
# Evidence packs (ZIP) of more than this are built in the background by a worker, not in the request;
# the packs built so are kept this long.
EVIDENCE_PACK_INLINE_MB = env.float("EVIDENCE_PACK_INLINE_MB", default=50)
EVIDENCE_PACK_RETENTION_DAYS = env.int("EVIDENCE_PACK_RETENTION_DAYS", default=7)
# --- the model registry (MLflow, integrations/registry.py) ---------------------------------------
# Every active model source is synced every MODEL_SYNC_MINUTES (beat), and on demand.
MODEL_SYNC_MINUTES = env.float("MODEL_SYNC_MINUTES", default=15)
if MODEL_SYNC_MINUTES <= 0:
    raise ImproperlyConfigured("MODEL_SYNC_MINUTES must be a positive number of minutes.")
CELERY_BEAT_SCHEDULE["model-sync"] = {"task": "integrations.tasks.model_sync_task", "schedule": MODEL_SYNC_MINUTES * 60}
MLFLOW_TIMEOUT_SECONDS = env.float("MLFLOW_TIMEOUT_SECONDS", default=10)
MLFLOW_RETRIES = env.int("MLFLOW_RETRIES", default=3)  # after the first attempt, on network errors, 429, 5xx
MLFLOW_BACKOFF_SECONDS = env.float("MLFLOW_BACKOFF_SECONDS", default=0.1 if TESTING else 1.0)
MLFLOW_PAGE_SIZE = env.int("MLFLOW_PAGE_SIZE", default=100)  # items per page of every registry list
# `make run`'s demo connects a model source to the MLflow server here while one runs (on this machine only).
MLFLOW_DEMO_TRACKING_URI = env.str("MLFLOW_DEMO_TRACKING_URI", default="http://127.0.0.1:5000")
# The decision's write-back is retried by its task with growing delays, up to this one.
MLFLOW_WRITEBACK_MAX_DELAY_SECONDS = env.int("MLFLOW_WRITEBACK_MAX_DELAY_SECONDS", default=900)

# --- webhooks (integrations/) ---------------------------------------------------------------------
# Targets on private, loopback or link-local addresses are refused unless this is on (tests).
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOK_REQUIRE_HTTPS = env.bool("WEBHOOK_REQUIRE_HTTPS", default=not (DEBUG or TESTING))
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10)
WEBHOOK_RESPONSE_CAP_BYTES = env.int("WEBHOOK_RESPONSE_CAP_BYTES", default=4096)
# Retries: exponential backoff with jitter from BASE up to MAX seconds between attempts, for RETRY
# hours after the first attempt; then the delivery is given up and the subscription disabled.
WEBHOOK_BACKOFF_BASE_SECONDS = env.float("WEBHOOK_BACKOFF_BASE_SECONDS", default=10)
WEBHOOK_BACKOFF_MAX_SECONDS = env.float("WEBHOOK_BACKOFF_MAX_SECONDS", default=3600)
WEBHOOK_RETRY_HOURS = env.float("WEBHOOK_RETRY_HOURS", default=26)
WEBHOOK_SECRET_OVERLAP_HOURS = env.float("WEBHOOK_SECRET_OVERLAP_HOURS", default=24)
# The signing secrets are stored encrypted (integrations/crypto.py) with these Fernet keys (comma-separated,
# or a file via WEBHOOK_SECRET_KEYS_FILE): the first encrypts, all decrypt; rotate by putting a new key first
# and running `manage.py rotate_webhook_keys`. Unset: a key derived from SECRET_KEY.
WEBHOOK_SECRET_KEYS = [k.strip() for k in (secret("WEBHOOK_SECRET_KEYS", default="") or "").split(",") if k.strip()]
# One worker at a time delivers for a subscription (in event order); its lease lasts this long.
WEBHOOK_LEASE_SECONDS = env.int("WEBHOOK_LEASE_SECONDS", default=60)
