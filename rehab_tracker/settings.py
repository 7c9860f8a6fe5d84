"""Settings, read from the environment (django-environ).

An empty environment is production: ``DEBUG`` is off, and the app refuses to
start without ``SECRET_KEY`` and ``DATABASE_URL``. Production also sets
``REDIS_URL`` and ``ALLOWED_HOSTS``. Development (``./run.sh start``) sets
``DEBUG=True``, which allows the development secret, SQLite and a file-system
Celery broker under ``var/``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from .headers import HASHED_ASSET_URL, webapp_headers

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
VAR_DIR = Path(env.str("RT_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
if not DEBUG:
    if SECRET_KEY == _DEV_SECRET:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG=False")
    if not env.str("DATABASE_URL", default=""):
        raise ImproperlyConfigured("DATABASE_URL must be set when DEBUG=False")

INSTALLED_APPS = [
    "rehab_tracker.admin_app.StaffAdminConfig",  # Django's admin, whose sign-in asks for the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "django_celery_beat",
    "drf_spectacular_sidecar",
    "corsheaders",
    "axes",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "patients",
    "exercises",
    "notifications",
    "messaging",
    "records",
    "rehab_tracker",  # the demo data command
]

MIDDLEWARE = [
    "core.logs.RequestIdMiddleware",
    "rehab_tracker.middleware.ApiGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # Accept-Language; the user's own language wins (below)
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.language.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Lockout after repeated failed logins (django-axes), for the JWT endpoint and the admin alike.
# Sign-in names: the username, or a patient's e-mail address or mobile number (patients.backends).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "patients.backends.SignInNameBackend",
    "rehab_tracker.sso.StaffOIDCBackend",  # answers only the OIDC callback, and only when SSO is configured
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# A lockout is of one username from one client address (the address every throttle keys on, behind
# NUM_PROXIES): failures sent from elsewhere never lock the real user out of their own address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "core.throttling.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Staff sign-in (README "Staff sign-in: SSO and two-factor"). One install-wide configuration today; per clinic
# once clinics exist (the backend and views read every value through rehab_tracker.sso.provider_setting).
# Single sign-on through OpenID Connect (mozilla-django-oidc), authorization-code flow with PKCE; off unless
# OIDC_RP_CLIENT_ID is set. Staff are found by their verified e-mail; no account is ever created by a sign-in.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="your organisation")  # on the sign-in button
OIDC_ROLE_CLAIM = env.str("OIDC_ROLE_CLAIM", default="rehab_role")  # physio, physician or admin; absent: kept
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_authentication_callback"
LOGIN_REDIRECT_URL = "/sso/complete/"  # hands the SPA a one-time code, exchanged at /api/v1/auth/sso/exchange/
LOGIN_REDIRECT_URL_FAILURE = "/signin?sso=failed"
SSO_HANDOFF_SECONDS = env.int("SSO_HANDOFF_SECONDS", default=60)
# False: clinicians sign in through SSO only (patients keep their passwords; superusers keep the admin's form).
STAFF_LOCAL_PASSWORDS = env.bool("STAFF_LOCAL_PASSWORDS", default=True)
# A second factor (TOTP, django-otp) for clinicians: True makes one compulsory before the API answers them
# (SSO sign-ins leave it to the identity provider). Accounts with a factor always need it, setting or not.
STAFF_MFA_REQUIRED = env.bool("STAFF_MFA_REQUIRED", default=False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Rehab Tracker")
MFA_RECOVERY_CODES = 10

# CORS: only the configured PWA origins.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])


ROOT_URLCONF = env.str("ROOT_URLCONF", default="rehab_tracker.urls")  # bench/ adds floor views
WSGI_APPLICATION = "rehab_tracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "rehab_tracker" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web, worker and beat share the file in the embedded default: wait for locks, WAL for readers.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "patients.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The languages of the server's texts (the web client's are web/src/i18n.js, the same codes); a user's choice
# is stored on the user (User.language), Accept-Language is the fallback. Danish: locale/da/LC_MESSAGES.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("da", "Dansk")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The web client (web/, built by ./run.sh into web/dist) at the site root: see rehab_tracker/webapp.py.
WEB_CLIENT_ROOT = env.path("WEB_CLIENT_ROOT", default=BASE_DIR / "web" / "dist")
WHITENOISE_ROOT = WEB_CLIENT_ROOT
WHITENOISE_ADD_HEADERS_FUNCTION = webapp_headers
WHITENOISE_IMMUTABLE_FILE_TEST = HASHED_ASSET_URL
# Uploaded files (the clinic's exercise demonstrations): the file system under MEDIA_ROOT by default; an
# S3-compatible bucket (django-storages) when MEDIA_S3_BUCKET is set. Either way this origin serves them
# (exercises/media.py: range requests, only the active demonstrations' files).
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_S3_BUCKET = env.str("MEDIA_S3_BUCKET", default="")
_MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if MEDIA_S3_BUCKET:
    _MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": env.str("MEDIA_S3_ENDPOINT_URL", default="") or None,  # empty: AWS itself
            "region_name": env.str("MEDIA_S3_REGION", default="") or None,
            "access_key": env.str("MEDIA_S3_ACCESS_KEY_ID", default="") or None,  # empty: boto3's own lookup
            "secret_key": env.str("MEDIA_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("MEDIA_S3_PREFIX", default=""),
            "default_acl": None,  # the bucket stays private: only this app reads it
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": _MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# The largest demonstration a clinic may upload (bytes); the admin refuses bigger files.
DEMONSTRATION_MAX_BYTES = env.int("DEMONSTRATION_MAX_BYTES", default=50 * 1024 * 1024)

# Reject oversized bodies early (a batch of 500 logs is about 100 KB).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

# Behind a TLS proxy that sets X-Forwarded-Proto (and strips it from clients), say so; never trusted by default,
# since any client can send the header.
if env.bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/$"]  # container health checks speak plain HTTP on loopback
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The API speaks JSON (sign-in also takes a form, for curl -d); nothing else reaches a view.
    "DEFAULT_PARSER_CLASSES": ["core.api.LimitedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=100),
    # Every write counts per user (anonymous: per client address) in the shared cache: a phone that was
    # offline for a week sends its check-ins one by one and its sets in batches of up to 500, far below these.
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.WriteRateThrottle", "core.throttling.WriteDayRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("LOGIN_THROTTLE_RATE", default="10/min"),  # per client address
        "write_burst": env.str("WRITE_BURST_RATE", default="120/min"),
        "write_day": env.str("WRITE_DAY_RATE", default="2000/day"),
        "set_logs": env.str("SET_LOG_RATE", default="2000/day"),  # sets, each set of a batch counted; >= 500
        # forgotten-password requests, per client address and (separately) per e-mail address asked about
        "password_reset": env.str("PASSWORD_RESET_RATE", default="5/hour"),
    },
    # Client address for throttling and the sign-in lockout (core.throttling.client_address): REMOTE_ADDR, or
    # the N-th address from the right of X-Forwarded-For behind N trusted proxies. 0 (default): never trust a
    # forwarded header.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": False,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=5)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    "ROTATE_REFRESH_TOKENS": True,  # a refresh token works once ...
    "BLACKLIST_AFTER_ROTATION": True,  # ... and is blacklisted when used
    "CHECK_REVOKE_TOKEN": True,  # tokens name the password they were issued for: a new password revokes them
    "TOKEN_REFRESH_SERIALIZER": "rehab_tracker.auth.RefreshSerializer",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Rehab Tracker API",
    "DESCRIPTION": "Home rehabilitation of Achilles tendinopathy: programs, set logs, adherence.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVERS": [{"url": "/", "description": "This server"}],
    # Two "side" choice sets: the patient's affected side (may be both) and the leg a set was done on.
    "ENUM_NAME_OVERRIDES": {
        "AffectedSideEnum": "patients.models.Side",
        "SetLogSideEnum": [("left", "left"), ("right", "right")],  # the leg a set was done with
        "FlagKindEnum": "notifications.models.FlagKind",
        "MessageKindEnum": "messaging.models.MessageKind",
        "MessageAuthorRoleEnum": "messaging.models.AuthorRole",
        "RtmRuleKindEnum": [("device", "device"), ("setup", "setup"), ("management", "management")],
    },
    # Swagger UI from static files (drf-spectacular-sidecar): no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "rehab_tracker.schema.document_errors",
    ],
}

# Celery: Redis when REDIS_URL is set, otherwise a broker that needs no server.
REDIS_URL = env.str("REDIS_URL", default="")

# One cache shared by every process (the login throttle counts there): Redis when configured, else the
# database (``manage.py createcachetable``, run by ./run.sh start and the compose migrate step).
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
CACHES = {
    "default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": CACHE_URL, "KEY_PREFIX": "rt"}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "rehab_cache"}
}
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # Longer than any task or retry backoff, so an unacked task is redelivered only when its worker died.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
        # How often a worker looks for messages a dead worker left unacknowledged (seconds × throttle).
        "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
        "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),  # the worker's pidbox, not ./control in the clone
        "store_processed": False,
    }
# A publish with the broker down gives up within about a second (the database keeps the work; sweeps requeue it).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.3, "interval_max": 0.5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log as the web does (LOGGING: JSON with the request id)
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Red-flag deliveries: a queue of their own with a worker of its own (./run.sh start, compose), so an alert
# never waits behind the hourly evaluation or a reminder sweep on the default queue.
CELERY_ALERTS_QUEUE = "alerts"
# The hourly evaluation's chunks: a queue of their own, so any number of workers on any host share a run
# (notifications/evaluation_runs.py) and a long run never delays reminders on the default queue.
CELERY_EVALUATION_QUEUE = "evaluation"
EVALUATION_CHUNK_SIZE = env.int("EVALUATION_CHUNK_SIZE", default=500)  # patients per chunk task
# A chunk claimed longer ago than this belongs to a worker that is gone: another may take it (above the
# task time limit, so a chunk still running is never taken from its worker).
EVALUATION_CHUNK_STALE_SECONDS = env.int("EVALUATION_CHUNK_STALE_SECONDS", default=900)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 600  # far below the visibility timeout
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# In code; DatabaseScheduler copies it into django-celery-beat's tables (editable in the admin).
CELERY_BEAT_SCHEDULE = {
    # Each minute; tests shorten it (REMINDER_SWEEP_SECONDS) to restart beat several times within one.
    "sweep-reminders": {
        "task": "notifications.tasks.sweep_reminders",
        "schedule": env.float("REMINDER_SWEEP_SECONDS", default=60.0),
    },
    "retry-deliveries": {"task": "notifications.tasks.retry_stale_deliveries", "schedule": 120.0},
    "evaluate-patients": {"task": "notifications.tasks.evaluate_patients", "schedule": 3600.0},
    "purge-messages": {"task": "messaging.tasks.purge_messages", "schedule": 86400.0},
    "sweep-follow-ups": {"task": "notifications.tasks.sweep_follow_ups", "schedule": 300.0},
    # Daily: the set logs' month partitions ahead (PostgreSQL; a no-op elsewhere).
    "setlog-partitions": {"task": "exercises.tasks.ensure_setlog_partitions", "schedule": 86400.0},
}
CELERY_TIMEZONE = "UTC"

# Set logs partitioned by month on PostgreSQL (exercises/partitions.py, docs/api.md).
SETLOG_PARTITION_MONTHS_AHEAD = env.int("SETLOG_PARTITION_MONTHS_AHEAD", default=3)
# `manage.py setlog_partitions --detach-before` archives sets only of patients whose last program ended this many
# days ago (a Danish patient record is kept 10 years after its last entry).
SETLOG_RETENTION_DAYS = env.int("SETLOG_RETENTION_DAYS", default=3650)

# Reminders (docs/clinical.md §7.5). Times are patient-local "HH:MM".
REMINDER_TIMES_ALFREDSON = env.list("REMINDER_TIMES_ALFREDSON", default=["08:00", "19:00"])
REMINDER_TIMES_HSR = env.list("REMINDER_TIMES_HSR", default=["18:00"])
REMINDER_TIMES_MAINTENANCE = env.list("REMINDER_TIMES_MAINTENANCE", default=["18:00"])  # after week 12
REMINDER_QUIET_START = env.str("REMINDER_QUIET_START", default="22:00")  # empty: no quiet hours
REMINDER_QUIET_END = env.str("REMINDER_QUIET_END", default="07:00")
REMINDER_CATCHUP_MINUTES = env.int("REMINDER_CATCHUP_MINUTES", default=60)  # how late a missed slot still goes
REMINDER_CHUNK = env.int("REMINDER_CHUNK", default=500)  # reminders per delivery task

# Escalation ladder (docs/clinical.md §9): every threshold a clinic may change.
NON_ADHERENCE_7D_BELOW = env.float("NON_ADHERENCE_7D_BELOW", default=0.5)
NON_ADHERENCE_EMPTY_DAYS = env.int("NON_ADHERENCE_EMPTY_DAYS", default=3)
HSR_MIN_SESSIONS_PER_WEEK = env.int("HSR_MIN_SESSIONS_PER_WEEK", default=2)
ESCALATE_UNACKNOWLEDGED_DAYS = env.int("ESCALATE_UNACKNOWLEDGED_DAYS", default=7)
ESCALATE_14D_BELOW = env.float("ESCALATE_14D_BELOW", default=0.25)
PAIN_ABOVE = env.int("PAIN_ABOVE", default=5)  # Silbernagel 2007: above 5/10 is too much
PAIN_CONSECUTIVE_SESSIONS = env.int("PAIN_CONSECUTIVE_SESSIONS", default=3)
MORNING_PAIN_WEEKLY_RISE = env.float("MORNING_PAIN_WEEKLY_RISE", default=2.0)
VISA_A_MIN_GAIN = env.int("VISA_A_MIN_GAIN", default=10)  # minimal important change (Rabusin 2021)
VISA_A_REVIEW_BELOW = env.int("VISA_A_REVIEW_BELOW", default=80)
MISSING_OUTCOME_AFTER_DAYS = env.int("MISSING_OUTCOME_AFTER_DAYS", default=7)

# After week 12 (docs/clinical.md §11): defaults a clinician confirms per patient.
MAINTENANCE_WEEKS = env.int("MAINTENANCE_WEEKS", default=12)
MAINTENANCE_SESSIONS_PER_WEEK = 2  # the days: the first maintenance day's weekday and three days later
RUN_STEPS_MINUTES = env.list("RUN_STEPS_MINUTES", cast=int, default=[2, 4, 6, 8, 10, 12, 15, 20, 25, 30])
RUN_SESSIONS_PER_WEEK = env.int("RUN_SESSIONS_PER_WEEK", default=3)
RUN_PAIN_DURING_MAX = env.int("RUN_PAIN_DURING_MAX", default=5)  # Silbernagel 2007: at most 5/10 while running
RUN_MORNING_PAIN_MAX = env.int("RUN_MORNING_PAIN_MAX", default=2)  # "settled" next morning: back in the safe zone
GATE_HEEL_RAISE_RATIO = env.float("GATE_HEEL_RAISE_RATIO", default=0.9)  # affected ≥ 90 % of the other side
FOLLOW_UP_MONTHS = env.list("FOLLOW_UP_MONTHS", cast=int, default=[6, 12])  # after the program's start
FOLLOW_UP_REMIND_AT = env.str("FOLLOW_UP_REMIND_AT", default="10:00")  # patient-local, on the due day
FOLLOW_UP_WINDOW_DAYS = env.int("FOLLOW_UP_WINDOW_DAYS", default=30)  # a VISA-A within this answers it
FOLLOW_UP_FALL_POINTS = env.int("FOLLOW_UP_FALL_POINTS", default=10)  # a fall this large flags the physio
CLINICAL_REVIEW_STIFFNESS_ABOVE = env.int("CLINICAL_REVIEW_STIFFNESS_ABOVE", default=30)  # minutes, docs/clinical.md §5
CLINICAL_REVIEW_CHECKINS = env.int("CLINICAL_REVIEW_CHECKINS", default=3)  # in the last 7 days
PROGRESSION_PAIN_MAX = env.int("PROGRESSION_PAIN_MAX", default=2)  # docs/clinical.md §2: 0–2/10 in each session
PROGRESSION_SESSIONS = env.int("PROGRESSION_SESSIONS", default=3)
PROGRESSION_ADD_KG = env.float("PROGRESSION_ADD_KG", default=5.0)
# The exercise player (docs/clinical.md §10): Alfredson's trials say "slowly" and give no rest, so these are the
# clinic's; HSR's rest between sets is within the trial's 2–3 minutes.
ALFREDSON_LOWER_SECONDS = env.int("ALFREDSON_LOWER_SECONDS", default=3)
ALFREDSON_REST_SECONDS = env.int("ALFREDSON_REST_SECONDS", default=60)
ALFREDSON_EXERCISE_REST_SECONDS = env.int("ALFREDSON_EXERCISE_REST_SECONDS", default=60)
HSR_REST_SECONDS = env.int("HSR_REST_SECONDS", default=150)
ADHERENT_PROGRAM_AT_LEAST = env.float("ADHERENT_PROGRAM_AT_LEAST", default=0.8)  # Bailey 2020 (docs/clinical.md §1, §7)
# A red flag nobody acknowledges is chased: the physician again every RED_FLAG_CHASE_HOURS, the clinic's
# admins too once it has waited RED_FLAG_ADMINS_AFTER_HOURS (then once a day), until someone acknowledges it.
RED_FLAG_CHASE_HOURS = env.int("RED_FLAG_CHASE_HOURS", default=4)
RED_FLAG_ADMINS_AFTER_HOURS = env.int("RED_FLAG_ADMINS_AFTER_HOURS", default=24)
# The same red-flag answers again within this many minutes join the open flag quietly (no new notice).
RED_FLAG_REPEAT_MINUTES = env.int("RED_FLAG_REPEAT_MINUTES", default=60)
# A program kept paused this many days (in one pause) tells the physio, and again each time as long again.
LONG_PAUSE_DAYS = env.int("LONG_PAUSE_DAYS", default=28)
# Morning pain or stiffness "worse than usual" (docs/clinical.md §5): above the mean of the patient's previous
# check-ins of the last MORNING_USUAL_DAYS days by at least these margins → advice to lower today's load.
MORNING_USUAL_DAYS = env.int("MORNING_USUAL_DAYS", default=7)
MORNING_PAIN_WORSE_BY = env.int("MORNING_PAIN_WORSE_BY", default=2)  # points on 0–10
MORNING_STIFFNESS_WORSE_BY = env.int("MORNING_STIFFNESS_WORSE_BY", default=15)  # minutes
# Red-flag advice (docs/clinical.md §8.2): the clinic's own contact texts.
# The clinic's own words, used as written in every language; unset, the translated defaults ("your clinic",
# "an urgent care centre or emergency department") are used.
CLINIC_CONTACT_TEXT = env.str("CLINIC_CONTACT_TEXT", default="")
URGENT_CARE_TEXT = env.str("URGENT_CARE_TEXT", default="")

# Messaging and remote therapeutic monitoring (docs/clinical.md §13, docs/rtm.md): the clinic's settings. One clinic
# today; each is a plain value a clinic model can later carry per clinic (messaging.clinic reads them all).
CLINIC_TIMEZONE = env.str("CLINIC_TIMEZONE", default="Europe/Copenhagen")
# Opening hours: weekdays (0 = Monday) and local times; outside them a patient's message gets the automatic notice.
CLINIC_OPEN_WEEKDAYS = env.list("CLINIC_OPEN_WEEKDAYS", cast=int, default=[0, 1, 2, 3, 4])
CLINIC_OPENS_AT = env.str("CLINIC_OPENS_AT", default="08:00")
CLINIC_CLOSES_AT = env.str("CLINIC_CLOSES_AT", default="16:00")
MESSAGE_REPLY_WITHIN_HOURS = env.int("MESSAGE_REPLY_WITHIN_HOURS", default=24)  # shown to the patient
# At most one automatic out-of-hours notice per patient within this many hours.
OUT_OF_HOURS_NOTICE_EVERY_HOURS = env.int("OUT_OF_HOURS_NOTICE_EVERY_HOURS", default=12)
MESSAGE_QUICK_REPLIES = env.list(
    "MESSAGE_QUICK_REPLIES",
    default=[
        "Please book a visit.",
        "Thank you, that sounds fine: carry on with the program.",
        "Let us talk: I will call you.",
    ],
)
MESSAGE_RETENTION_DAYS = env.int("MESSAGE_RETENTION_DAYS", default=0)  # 0: kept with the record; else deleted after
RTM_ENABLED = env.bool("RTM_ENABLED", default=True)  # a clinic outside the US turns the billing report off
RTM_DATA_DAY = env.str("RTM_DATA_DAY", default="activity")  # "activity" (set, check-in, VISA-A) or "access"
if RTM_DATA_DAY not in ("activity", "access"):
    raise ImproperlyConfigured("RTM_DATA_DAY is 'activity' or 'access'")

# Channels. Web Push (VAPID): keys from the environment; in development generated once into var/vapid.json.
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="mailto:admin@rehab-tracker.invalid")
VAPID_KEY_FILE = VAR_DIR / "vapid.json"
VAPID_AUTOGENERATE = env.bool("VAPID_AUTOGENERATE", default=DEBUG)  # never in production: keys must persist
WEBPUSH_TIMEOUT = env.float("WEBPUSH_TIMEOUT", default=10.0)
WEBPUSH_TTL = env.int("WEBPUSH_TTL", default=6 * 3600)
WEBPUSH_ALLOWED_ENDPOINTS = env.list(
    "WEBPUSH_ALLOWED_ENDPOINTS",
    default=[
        "https://fcm.googleapis.com/",
        "https://updates.push.services.mozilla.com/",
        "https://web.push.apple.com/",
    ],
)
CHANNEL_MAX_ATTEMPTS = env.int("CHANNEL_MAX_ATTEMPTS", default=5)
# Push subscriptions kept per user (a phone, a tablet, a browser or two); a new one replaces the oldest.
PUSH_SUBSCRIPTIONS_PER_USER = env.int("PUSH_SUBSCRIPTIONS_PER_USER", default=5)
_MAIL = "django.core.mail.backends."
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=_MAIL + ("console.EmailBackend" if DEBUG else "smtp.EmailBackend"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Rehab Tracker <no-reply@rehab-tracker.invalid>")
APP_URL = env.str("APP_URL", default="http://127.0.0.1:8000")  # where e-mails link to (the app's public address)
# The clinic's public address, for invitation and password-reset links (never the host a request came to).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default=APP_URL)
# The FHIR identifier system of the clinic's record numbers (a URI the clinic owns; FHIR exports name it).
RECORD_NUMBER_SYSTEM = env.str("RECORD_NUMBER_SYSTEM", default="urn:rehab-tracker:record-number")
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)  # an invitation link works once, this long
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)  # seconds a reset link works (once)
# Text messages (patients.sms): no provider built in; production sends none (the QR code is shown instead).
SMS_BACKEND = env.str("SMS_BACKEND", default="patients.sms." + ("ConsoleBackend" if DEBUG else "NullBackend"))

# One JSON object a line, each with the request id (X-Request-ID) that also follows the request into tasks.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
