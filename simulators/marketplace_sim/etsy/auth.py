"""Etsy OAuth 2.0: PKCE authorisation codes, 3600 s access tokens, rotating refresh tokens.

Token strings look like Etsy's: ``<user_id>.<opaque>``. A refresh returns a NEW refresh
token and, by default, revokes the one just used, because a connector that forgets to store
the new one must fail in tests rather than in production (one client library reports exactly
that behaviour live). ``reuse_refresh_tokens=True`` models the laxer behaviour others see.
"""

import base64
import hashlib
import threading
from dataclasses import dataclass

from .errors import EtsyError

ACCESS_TOKEN_TTL = 3600
REFRESH_TOKEN_TTL = 90 * 86400
CODE_TTL = 600


@dataclass
class Grant:
    user_id: int
    scopes: frozenset
    expires_at: float


def pkce_challenge(verifier):
    """S256 code challenge for ``verifier`` (RFC 7636), the only method Etsy accepts."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _oauth_error(error, description, status=400):
    # OAuth endpoint errors carry error_description next to Etsy's usual "error" key.
    return EtsyError(status, error, extra={"error_description": description})


class TokenStore:
    """Issued codes and tokens of one simulated Etsy application."""

    def __init__(self, clock, keystring, seed=0, reuse_refresh_tokens=False):
        self.clock = clock
        self.keystring = keystring
        self.reuse_refresh_tokens = reuse_refresh_tokens
        self._seed = seed
        self._counter = 0
        self._codes = {}  # code -> (Grant, challenge, redirect_uri)
        self._access = {}
        self._refresh = {}
        self._lock = threading.Lock()

    def _mint(self, user_id, kind):
        # Deterministic per seed so recorded traffic is reproducible, yet unguessable enough
        # that a test cannot pass by constructing tokens itself.
        self._counter += 1
        raw = f"{self._seed}:{kind}:{self._counter}".encode()
        return f"{user_id}.{hashlib.sha256(raw).hexdigest()[:40]}"

    # -- control-side helpers (what the seller does in the browser) ---------------------------

    def authorize(self, user_id, scopes, code_challenge, redirect_uri="https://localhost/cb"):
        """Return an authorisation code, as the consent page's redirect would."""
        with self._lock:
            code = self._mint(user_id, "code")
            grant = Grant(user_id, frozenset(scopes), self.clock.now() + CODE_TTL)
            self._codes[code] = (grant, code_challenge, redirect_uri)
            return code

    def issue(self, user_id, scopes):
        """Skip the browser step: a fresh access/refresh pair for ``user_id``."""
        with self._lock:
            return self._issue(user_id, frozenset(scopes))

    def _issue(self, user_id, scopes):
        now = self.clock.now()
        access = self._mint(user_id, "access")
        refresh = self._mint(user_id, "refresh")
        self._access[access] = Grant(user_id, scopes, now + ACCESS_TOKEN_TTL)
        self._refresh[refresh] = Grant(user_id, scopes, now + REFRESH_TOKEN_TTL)
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": ACCESS_TOKEN_TTL,
            "refresh_token": refresh,
        }

    def revoke_user(self, user_id):
        """A password change revokes every token of the user."""
        with self._lock:
            for table in (self._access, self._refresh):
                for token in [t for t, g in table.items() if g.user_id == user_id]:
                    del table[token]

    # -- token endpoint ------------------------------------------------------------------------

    def exchange(self, form):
        """Handle the form of ``POST /v3/public/oauth/token``; return the JSON body."""
        grant_type = form.get("grant_type")
        if form.get("client_id") != self.keystring:
            raise _oauth_error("invalid_client", "Client authentication failed.", 401)
        with self._lock:
            if grant_type == "refresh_token":
                return self._from_refresh(form.get("refresh_token") or "")
            if grant_type == "authorization_code":
                return self._from_code(form)
        raise _oauth_error("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")

    def _from_refresh(self, token):
        grant = self._refresh.get(token)
        if grant is None:
            raise _oauth_error("invalid_grant", "refresh_token is revoked")
        if grant.expires_at <= self.clock.now():
            del self._refresh[token]
            raise _oauth_error("invalid_grant", "refresh_token is expired")
        if not self.reuse_refresh_tokens:
            del self._refresh[token]
        return self._issue(grant.user_id, grant.scopes)

    def _from_code(self, form):
        entry = self._codes.pop(form.get("code") or "", None)
        if entry is None:
            raise _oauth_error("invalid_grant", "code is invalid or was already used")
        grant, challenge, redirect_uri = entry
        if grant.expires_at <= self.clock.now():
            raise _oauth_error("invalid_grant", "code is expired")
        if form.get("redirect_uri") != redirect_uri:
            raise _oauth_error("invalid_grant", "redirect_uri does not match")
        if pkce_challenge(form.get("code_verifier") or "") != challenge:
            raise _oauth_error("invalid_grant", "code_verifier does not match the challenge")
        return self._issue(grant.user_id, grant.scopes)

    # -- resource-server side ------------------------------------------------------------------

    def check_bearer(self, header):
        """Return the Grant behind ``Authorization: Bearer …`` or raise Etsy's 401."""
        scheme, _, token = (header or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise EtsyError(
                401, "invalid_token", extra={"error_description": "access token is missing"}
            )
        with self._lock:
            grant = self._access.get(token.strip())
        if grant is None:
            raise EtsyError(
                401, "invalid_token", extra={"error_description": "access token is invalid"}
            )
        if grant.expires_at <= self.clock.now():
            raise EtsyError(
                401, "invalid_token", extra={"error_description": "access token is expired"}
            )
        return grant
