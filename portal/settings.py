"""Suara's settings: one module, every deploy-time choice from the environment.

Development (the default) runs on embedded pieces: SQLite in ``var/``, an
in-memory channel layer and cache, e-mail to the console. Production
(``DJANGO_ENV=production``) refuses to start without a real secret key and
allowed hosts, never runs with DEBUG, and passes ``manage.py check --deploy``.
See the README for the full list of variables.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf.locale import LANG_INFO as _django_lang_info
from django.utils.csp import CSP

from portal.lib import datakeys as _datakeys
from portal.lib.env import (
    ConfigError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    parse_database_url,
    parse_email_url,
    validate_redis_url,
)
from portal.lib.observability.errors import configure_error_reporter
from portal.lib.observability.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SUARA_VAR_DIR") or BASE_DIR / "var")

DJANGO_ENV = env_choice("DJANGO_ENV", ("development", "production"), "development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ConfigError(
        "DEBUG=true is refused when DJANGO_ENV=production: it shows secrets and personal data in error pages."
    )

# --- Secret key -------------------------------------------------------------
# A fixed key in the code would sign every installation's sessions and PIN
# capabilities with the same secret. Development generates one per checkout
# (kept in var/ so sign-ins survive restarts); production must be given one.
_INSECURE_KEY_MARKERS = ("django-insecure", "change-me", "changeme", "secret", "dev")
SECRET_KEY = env_str("SECRET_KEY")
if PRODUCTION:
    if not SECRET_KEY:
        raise ConfigError("SECRET_KEY is not set; production needs a random value of at least 50 characters.")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.lower().startswith(_INSECURE_KEY_MARKERS):
        raise ConfigError("SECRET_KEY looks like a default or is too short; use at least 50 random characters.")
elif not SECRET_KEY:
    _key_file = VAR_DIR / "secret_key"
    try:
        SECRET_KEY = _key_file.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        SECRET_KEY = secrets.token_urlsafe(64)
        _key_file.write_text(SECRET_KEY)
        _key_file.chmod(0o600)

# --- Data keys (encryption at rest, docs/privacy.md) -------------------------
# Complainants' identity and contact, sensitive narratives and attachments are
# sealed with these keys, which never enter the database. ``id:base64`` pairs,
# comma-separated, the last one current (SUARA_DATA_KEYS_FILE for a key file).
# Development and tests use a fixed key that production refuses.
SUARA_DATA_KEYS = env_str("SUARA_DATA_KEYS")
if SUARA_DATA_KEYS:
    try:
        _datakeys.parse_keys(SUARA_DATA_KEYS)
    except _datakeys.DataKeysError as exc:
        raise ConfigError(f"SUARA_DATA_KEYS: {exc}") from None
if PRODUCTION:
    if not SUARA_DATA_KEYS:
        raise ConfigError(
            "SUARA_DATA_KEYS is not set; production needs a data key (manage.py rotate_keys --new-key prints one)."
        )
    if _datakeys.holds_development_key(SUARA_DATA_KEYS):
        raise ConfigError("SUARA_DATA_KEYS holds the development key; production needs keys of its own.")
elif not SUARA_DATA_KEYS:
    SUARA_DATA_KEYS = _datakeys.DEVELOPMENT_KEYS

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ConfigError("ALLOWED_HOSTS is not set; production needs the host names it serves, comma-separated.")
if PRODUCTION and "*" in ALLOWED_HOSTS:
    raise ConfigError("ALLOWED_HOSTS='*' is refused in production; name the hosts.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
for _origin in CSRF_TRUSTED_ORIGINS:
    if not _origin.startswith(("https://", "http://")):
        raise ConfigError(f"CSRF_TRUSTED_ORIGINS entry {_origin!r} must start with https:// (or http://).")

SITE_URL = env_str("SITE_URL", "http://localhost:8000" if not PRODUCTION else None)
if PRODUCTION and not SITE_URL:
    SITE_URL = f"https://{ALLOWED_HOSTS[0].lstrip('.')}"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_SITE_NAME = "Suara"

# --- Applications -----------------------------------------------------------
INSTALLED_APPS = [
    "daphne",  # replaces runserver with an ASGI one, so websockets work in development
    "portal",
    "home",
    "grievances",
    # The case core's wings: each registers what it adds (portal.registry,
    # grievances.events) and keeps its templates beside its code.
    "grievances.workspace.apps.WorkspaceConfig",
    "grievances.live.apps.LiveConfig",
    "grievances.api.apps.ApiConfig",
    "grievances.monitoring.apps.MonitoringConfig",
    "grievances.offline.apps.OfflineConfig",
    "grievances.sms.apps.SmsConfig",
    "grievances.insights.apps.InsightsConfig",
    "grievances.satisfaction.apps.SatisfactionConfig",
    "grievances.privacy.apps.PrivacyConfig",
    "consultations",
    # Page translation: the editor's workflow (wagtail_localize) and the
    # admin's list of languages (wagtail_localize.locales).
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "portal.apps.SuaraUsersAppConfig",  # wagtail.users with our user forms
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "channels",
    "django_tasks_db",
]

MIDDLEWARE = [
    # First: every later step logs and is counted under the request's id.
    "portal.lib.observability.middleware.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions, auth and Wagtail: a stored public page costs none of them.
    "portal.lib.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: of the address's prefix, else of the visitor's choice or browser.
    "portal.lib.i18n.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's own choice wins over the browser's (unprefixed addresses only).
    "portal.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # After the CSP middleware so that its response hook runs first and can
    # choose the admin's looser policy before the header is written.
    "portal.middleware.AdminContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.StaffSecondFactorMiddleware",
    "portal.middleware.NoStoreMiddleware",
    "portal.middleware.ClearSiteDataMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------
DATABASES = {
    "default": parse_database_url(env_str("DATABASE_URL", "sqlite:///var/suara.sqlite3"), base_dir=BASE_DIR),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3") and DATABASES["default"]["NAME"] != ":memory:":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Wagtail's database search backend uses PostgreSQL's full-text search there.
    INSTALLED_APPS.append("django.contrib.postgres")
    if os.environ.get("SUARA_ASGI") == "1":
        # Under ASGI each request runs in a new thread, so a persistent
        # connection is never reused and never closed; PostgreSQL would run
        # out of connections. (WSGI workers keep theirs.)
        DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    validate_redis_url(REDIS_URL)
    CACHES = {
        "default": {
            "BACKEND": "portal.lib.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "suara",
            "OPTIONS": {
                "socket_connect_timeout": 2,
                "socket_timeout": 2,
                # allauth's rate-limit locks and counters: kept per process while
                # Redis is down, so sign-in stays open and still limited. "once:"
                # marks (a PIN shown once) likewise keep working per process.
                "LOCAL_FALLBACK_PREFIXES": ["allauth:rl:", "once:"],
            },
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_connect_timeout": 2,
                        # redis-py's async pool refuses connections past its limit
                        # (MaxConnectionsError): a burst of group joins and leaves must
                        # fit. Each ASGI process has its own pool.
                        "max_connections": env_int("REDIS_MAX_CONNECTIONS", 1000, minimum=10),
                    }
                ],
                "prefix": "suara",
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "suara"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Open websockets per ASGI process, per session and per client address: one
# browser opens a few (a page, a queue, a case); a script opening hundreds is
# closed with 4429 before any database work. Per process, so the whole
# allowance is these times the number of ASGI processes.
SUARA_WS_MAX_PER_SESSION = env_int("SUARA_WS_MAX_PER_SESSION", 20, minimum=1)
SUARA_WS_MAX_PER_ADDRESS = env_int("SUARA_WS_MAX_PER_ADDRESS", 200, minimum=1)

# Background work (PDFs, e-mail, SLA sweeps) goes through django.tasks into
# the database; `manage.py db_worker` runs it. Works on SQLite and PostgreSQL.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A task "running" longer than this is taken for abandoned by a dead worker and
# requeued by `manage.py tasks_reap` (longer than the slowest PDF render).
SUARA_TASK_STALE_SECONDS = env_int("SUARA_TASK_STALE_SECONDS", 15 * 60, minimum=60)
# Sooner than that, a running task goes back to the queue when the worker
# holding it has not said it is alive for this long (portal.workers): a killed
# worker's task is taken up again in seconds, a long task on a live one never.
SUARA_TASK_HEARTBEAT_SECONDS = env_int("SUARA_TASK_HEARTBEAT_SECONDS", 20, minimum=10)

# --- E-mail -----------------------------------------------------------------
MAILERS = {"default": parse_email_url(env_str("EMAIL_URL", "console://"), base_dir=BASE_DIR)}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Suara <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if PRODUCTION and MAILERS["default"]["BACKEND"].endswith("console.EmailBackend"):
    raise ConfigError(
        "EMAIL_URL is not set; production must send verification e-mail (smtp://user:pass@host:587?tls=1)."
    )

# --- Authentication (django-allauth) ----------------------------------------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/my/"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Suara] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_FORMS = {"signup": "portal.forms.SignupForm"}
# allauth's rate limits are on by default; these make them explicit.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Suara"
# How many reverse proxies in front of us may set X-Forwarded-For; allauth
# uses it for rate limits per client address. 0 means "trust REMOTE_ADDR".
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
# Demo staff accounts may skip the second factor on a laptop only; production
# never exempts anyone, whatever the environment says.
SUARA_MFA_EXEMPT_DEMO = (not PRODUCTION) and env_bool("SUARA_MFA_EXEMPT_DEMO", True)

# --- Internationalisation ---------------------------------------------------
# The languages offered, each named in itself (the switcher shows these names,
# untranslated: a reader looks for their own language's name). Adding one is a
# small step, described in docs/translations.md: a catalogue in locale/, a line
# here, LANG_INFO below if Django does not know the language, a URL prefix
# below if its code is taken by an address.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("id", "Bahasa Indonesia"),
    ("ms", "Bahasa Melayu"),
    ("th", "ไทย"),
    ("vi", "Tiếng Việt"),
    ("km", "ខ្មែរ"),
    ("lo", "ລາວ"),
    ("my", "မြန်မာ"),
    ("fil", "Filipino"),
    ("zh-hans", "简体中文"),
    ("bn", "বাংলা"),
    ("ne", "नेपाली"),
    ("ur", "اردو"),
]
# What Django's own table (django.conf.locale.LANG_INFO) lacks or names
# differently: Filipino and Lao are missing, Khmer has no name in itself.
# Merged into Django's table here, the one place, so get_language_info(),
# {% get_language_info %} and the bidi flag know every offered language.
SUARA_LANG_INFO = {
    "fil": {"bidi": False, "code": "fil", "name": "Filipino", "name_local": "Filipino"},
    "lo": {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ລາວ"},
    "km": {"bidi": False, "code": "km", "name": "Khmer", "name_local": "ខ្មែរ"},
}
_django_lang_info.update(SUARA_LANG_INFO)
# Public pages live under a language prefix (/th/consultations/...); the
# prefix is the code unless named here. Burmese's code would make /my/ (a
# person's own page, on posters and in text messages) a Burmese address.
SUARA_LANGUAGE_URL_PREFIXES = {"my": "mya"}
# Wagtail's locales are these languages (one Locale row each, made by
# portal/migrations); pages are translated with wagtail-localize.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Dates and numbers per language where Django has none or a different one (portal/formats/).
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Bangkok")
USE_TZ = True

# --- Files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
# Attachments never live under MEDIA_ROOT: they are served only through views
# that check the case's read gate.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT") or VAR_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# In development whitenoise serves straight from the apps' static folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Security ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if ALLAUTH_TRUSTED_PROXY_COUNT:
        # The proxy terminates TLS and says so; without a proxy nobody may.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The public site runs no inline script at all; the nonce is there for the
# rare tag that needs one. Wagtail's admin gets its own, looser policy
# (portal.middleware.AdminContentSecurityPolicyMiddleware).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SUARA_ADMIN_CSP = {
    "default-src": [CSP.SELF],
    # Wagtail's admin still writes a few inline <script> blocks (date pickers,
    # inline panels) and inline styles; nothing is loaded from elsewhere.
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
}
SUARA_ADMIN_PATH_PREFIXES = ("/admin/", "/django-admin/")
# Public pages for visitors who are not signed in are kept this long (0: off).
SUARA_PAGE_CACHE_SECONDS = env_int("SUARA_PAGE_CACHE_SECONDS", 60, minimum=0)
# Pages about a person or a case: never kept by a browser or a proxy.
SUARA_NO_STORE_PREFIXES = ("/grievances/", "/workspace/", "/my/", "/accounts/", "/api/")

# --- Wagtail ----------------------------------------------------------------
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "xlsx", "ods", "csv", "txt"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False
# The account page names each zone with the browser's Intl API, which throws on the
# pseudo-zones the system's list holds ("localtime", "Factory"); offer the region's zones.
WAGTAIL_USER_TIME_ZONES = sorted(
    {
        TIME_ZONE,
        "UTC",
        "Asia/Bangkok",
        "Asia/Colombo",
        "Asia/Dhaka",
        "Asia/Dili",
        "Asia/Ho_Chi_Minh",
        "Asia/Jakarta",
        "Asia/Jayapura",
        "Asia/Karachi",
        "Asia/Kathmandu",
        "Asia/Kolkata",
        "Asia/Kuala_Lumpur",
        "Asia/Makassar",
        "Asia/Manila",
        "Asia/Phnom_Penh",
        "Asia/Singapore",
        "Asia/Thimphu",
        "Asia/Ulaanbaatar",
        "Asia/Vientiane",
        "Asia/Yangon",
        "Australia/Sydney",
        "Pacific/Apia",
        "Pacific/Auckland",
        "Pacific/Efate",
        "Pacific/Fiji",
        "Pacific/Guadalcanal",
        "Pacific/Port_Moresby",
        "Pacific/Tongatapu",
    }
)
# No avatars from an outside service: the admin's policy blocks them, and the hash of an e-mail address leaks it.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- Logging and error reports (portal.lib.observability, docs/operations.md) -------
# JSON lines with the request id in production; readable lines on a laptop.
LOGGING = logging_config(
    level=env_str("LOG_LEVEL", "INFO"),
    json_logs=env_choice("LOG_FORMAT", ("json", "plain"), "json" if PRODUCTION else "plain") == "json",
    quiet={
        "django.db.backends": "INFO",
        "daphne": "WARNING",
        # The task worker prints each task itself; the logger would say it twice.
        "django.tasks": "WARNING",
        # WeasyPrint logs each step of every document at INFO.
        "weasyprint": "WARNING",
        "fontTools": "WARNING",
    },
)
SUARA_ERROR_REPORTER = configure_error_reporter(env_str("SENTRY_DSN"), environment=DJANGO_ENV)

# --- Monitoring and public statistics (grievances.monitoring) -------------------
# No public figure rests on fewer grievances than this; it reads "fewer than N".
SUARA_STATISTICS_MIN_CELL = env_int("SUARA_STATISTICS_MIN_CELL", 10, minimum=3)
# Slugs of oversight bodies whose supervisors and heads may read every agency's
# dashboard (superusers always may).
SUARA_OVERSIGHT_ORGANIZATIONS = env_list("SUARA_OVERSIGHT_ORGANIZATIONS")

# --- Text messages ------------------------------------------------------------
# Production without a gateway has the channel off (empty; the deploy check suara.W008 says so)
# and still works by e-mail. The development backends deliver nothing and the file one keeps
# phone numbers and PINs in clear, so production refuses them by name.
_DEVELOPMENT_SMS_BACKENDS = (
    "portal.lib.sms.ConsoleBackend",
    "portal.lib.sms.FileBackend",
    "portal.lib.sms.LocmemBackend",
)
SMS_BACKEND = env_str("SMS_BACKEND", "" if PRODUCTION else "portal.lib.sms.ConsoleBackend") or ""
if PRODUCTION and SMS_BACKEND in _DEVELOPMENT_SMS_BACKENDS:
    raise ConfigError(
        f"SMS_BACKEND={SMS_BACKEND} is for development and delivers nothing; name your SMS gateway's class, "
        "or leave SMS_BACKEND unset to switch text messages off."
    )
# Gateways (portal.lib.sms.twilio, portal.lib.sms.external; docs/sms.md). Secrets may come from *_FILE.
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "") or ""
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "") or ""
TWILIO_FROM = env_str("TWILIO_FROM", "") or ""
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID", "") or ""
# A Twilio-compatible gateway's API (the default is Twilio's own).
TWILIO_API_URL = env_str("TWILIO_API_URL", "https://api.twilio.com") or "https://api.twilio.com"
# Where delivery receipts come back; empty: {SITE_URL}/sms/twilio/status/.
TWILIO_STATUS_CALLBACK_URL = env_str("TWILIO_STATUS_CALLBACK_URL", "") or (
    f"{SITE_URL.rstrip('/')}/sms/twilio/status/" if SITE_URL else ""
)
EXTERNAL_SMS_SECRET = env_str("EXTERNAL_SMS_SECRET", "") or ""
EXTERNAL_SMS_SEND_URL = env_str("EXTERNAL_SMS_SEND_URL", "") or ""
EXTERNAL_SMS_SEND_METHOD = env_choice("EXTERNAL_SMS_SEND_METHOD", ("post", "get", "put"), "post").upper()
EXTERNAL_SMS_SEND_BODY = env_str("EXTERNAL_SMS_SEND_BODY", "") or ""
EXTERNAL_SMS_SEND_CONTENT_TYPE = env_choice("EXTERNAL_SMS_SEND_CONTENT_TYPE", ("urlencoded", "json"), "urlencoded")
EXTERNAL_SMS_SEND_AUTHORIZATION = env_str("EXTERNAL_SMS_SEND_AUTHORIZATION", "") or ""
EXTERNAL_SMS_FROM = env_str("EXTERNAL_SMS_FROM", "") or ""
# Conversations (grievances.sms): a lodging left half-way is forgotten after this many hours.
SMS_CONVERSATION_HOURS = env_int("SMS_CONVERSATION_HOURS", 24, minimum=1)
# The language of replies to a number that has not chosen one.
SMS_DEFAULT_LANGUAGE = env_str("SMS_DEFAULT_LANGUAGE", LANGUAGE_CODE) or LANGUAGE_CODE
# Flood limits: replies per number per ten minutes, and to everyone per minute.
SMS_REPLIES_PER_NUMBER = env_int("SMS_REPLIES_PER_NUMBER", 30, minimum=1)
SMS_REPLIES_PER_MINUTE = env_int("SMS_REPLIES_PER_MINUTE", 6000, minimum=1)
SMS_MAX_ATTEMPTS = env_int("SMS_MAX_ATTEMPTS", 6, minimum=1)
SMS_BACKOFF_SECONDS = env_int("SMS_BACKOFF_SECONDS", 30, minimum=1)
# The phone-like page at /dev/sms/ (never in production).
SMS_DEV_GATEWAY = (not PRODUCTION) and env_bool("SMS_DEV_GATEWAY", DEBUG)


# --- API (/api/v1/, Open311, webhooks) ---------------------------------------------
# django-ninja serves the API; listed as an app only for its own static files
# (the interactive docs load nothing from a CDN).
INSTALLED_APPS.append("ninja")
# Requests per token per minute (counted in the cache: Redis in production).
SUARA_API_RATE_LIMIT_PER_MINUTE = env_int("SUARA_API_RATE_LIMIT_PER_MINUTE", 120, minimum=1)
# Anonymous Open311 reads per client address per minute.
SUARA_OPEN311_RATE_LIMIT_PER_MINUTE = env_int("SUARA_OPEN311_RATE_LIMIT_PER_MINUTE", 60, minimum=1)
SUARA_WEBHOOK_TIMEOUT_SECONDS = env_int("SUARA_WEBHOOK_TIMEOUT_SECONDS", 5, minimum=1)
SUARA_WEBHOOK_MAX_ATTEMPTS = env_int("SUARA_WEBHOOK_MAX_ATTEMPTS", 6, minimum=1)
SUARA_WEBHOOK_BACKOFF_SECONDS = env_int("SUARA_WEBHOOK_BACKOFF_SECONDS", 30, minimum=1)
# Receivers on private or loopback addresses: refused in production (a
# webhook must not become a way into our own network), allowed on a laptop.
SUARA_WEBHOOK_ALLOW_PRIVATE = (not PRODUCTION) and env_bool("SUARA_WEBHOOK_ALLOW_PRIVATE", True)
# The interactive API docs (Swagger UI, served from our own static files)
# sets styles inline; it alone gets this policy. No script runs inline.
SUARA_API_DOCS_CSP = {
    **SECURE_CSP,
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
}
