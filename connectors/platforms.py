"""Where the chat platforms' APIs are, by default: the one place of these addresses. Each can be
changed by its variable (a local Bot API server, the fake APIs of the tests)."""

TELEGRAM_API_BASE_URL = "https://api.telegram.org/bot"  # TELEGRAM_API_BASE_URL
ZALO_API_BASE_URL = "https://openapi.zalo.me"  # ZALO_API_BASE_URL
ZALO_OAUTH_BASE_URL = "https://oauth.zaloapp.com"  # ZALO_OAUTH_BASE_URL
ZALO_ZNS_BASE_URL = "https://business.openapi.zalo.me"  # ZALO_ZNS_BASE_URL (notices past Zalo's 7-day window)
