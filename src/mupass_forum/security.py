"""Response headers that protect browsers, and which other sites may call the API (CORS)."""

from __future__ import annotations

from litestar.config.cors import CORSConfig

from mupass_forum.settings import Settings

#: Sent with every response.
SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    # Links to other sites must not carry tokens or ids that sit in our URLs.
    "Referrer-Policy": "no-referrer",
    # Nothing here is meant to be framed; both headers, for browsers old and new.
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}

#: Sent with pages instead: everything from this origin only, no inline script or style, forms
#: posting back here only; and never stored, since pages show a signed-in person's own data.
PAGE_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "Cache-Control": "no-store",
}

#: Sent with the API's answers unless a handler sets its own (reference data such as countries
#: is public): they are about someone (an account, registrations, exports) or depend on the
#: caller's rights, and no browser or proxy should keep them.
API_HEADERS: dict[str, str] = {"Cache-Control": "no-store"}

#: Sent only with responses served over https.
HTTPS_HEADERS: dict[str, str] = {
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}


def cors_config(settings: Settings) -> CORSConfig | None:
    """CORS for the origins of ``MUPASS_CORS_ORIGINS``; no cross-origin access without them."""
    if not settings.cors_origins:
        return None
    return CORSConfig(
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type", "Accept-Language", "X-Request-ID"],
        # Bearer tokens travel in a header, never in cookies: no credentials mode needed.
        allow_credentials=False,
        expose_headers=["Content-Language", "X-Request-ID", "Retry-After", "Location"],
        max_age=600,
    )
