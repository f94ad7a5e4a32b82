"""eBay OAuth: the ``/identity/v1/oauth2/token`` endpoint and bearer checks.

* ``grant_type=refresh_token``: a User access token valid 7200 s of simulated time; the refresh
  token is not rotated (it lives ~18 months).  Unknown, revoked or other-client refresh tokens
  give ``400 invalid_grant``; a scope beyond the consented ones gives ``400 invalid_scope``.
* ``grant_type=client_credentials``: an Application access token (base scope only), which
  is what ``getPublicKey`` needs; it cannot call Sell APIs (403 / 1100).
* Bad Basic credentials give ``401 invalid_client``.
"""

import base64
import binascii
import hashlib
from dataclasses import dataclass, field

from .errors import ACCESS_DENIED, INVALID_TOKEN, EbayError, OAuthError

ACCESS_TOKEN_TTL = 7200
REFRESH_TOKEN_TTL = 47304000  # ~18 months, as eBay returns in refresh_token_expires_in
BASE_SCOPE = "https://api.ebay.com/oauth/api_scope"
SELL_SCOPES = (
    BASE_SCOPE,
    f"{BASE_SCOPE}/sell.inventory",
    f"{BASE_SCOPE}/sell.fulfillment",
    f"{BASE_SCOPE}/sell.account",
    f"{BASE_SCOPE}/sell.finances",
    f"{BASE_SCOPE}/commerce.notification.subscription",
)
INVALID_GRANT = (
    "the provided authorization refresh token is invalid or was issued to another client"
)


@dataclass
class Token:
    value: str
    client_id: str
    scopes: frozenset
    expires_at: float
    kind: str = "User Access Token"
    revoked: bool = False


@dataclass
class TokenStore:
    client_id: str = "SimApp-PRD-0123456789-abcdef01"
    client_secret: str = "PRD-0123456789ab-cdef-0123-4567-89ab"
    other_clients: dict = field(default_factory=dict)  # client_id -> secret of further apps
    refresh_tokens: dict = field(default_factory=dict)
    access_tokens: dict = field(default_factory=dict)
    _counter: int = 0

    def _mint(self, prefix, *parts):
        # Deterministic per seed and sequence, and long/opaque like eBay's "v^1.1#i^1#..." tokens.
        self._counter += 1
        digest = hashlib.sha256("|".join(map(str, (*parts, self._counter))).encode()).digest()
        return f"v^1.1#i^1#{prefix}#" + base64.b64encode(digest * 3).decode()

    def issue_refresh_token(self, now, scopes=SELL_SCOPES, client_id=None):
        """A refresh token as the consent flow would hand it out (control / test setup)."""
        token = Token(
            self._mint("r^1", client_id or self.client_id, now),
            client_id or self.client_id,
            frozenset(scopes),
            now + REFRESH_TOKEN_TTL,
            kind="Refresh Token",
        )
        self.refresh_tokens[token.value] = token
        return token

    def check_client(self, authorization):
        """Validate ``Authorization: Basic base64(client_id:client_secret)``."""
        scheme, _, encoded = (authorization or "").partition(" ")
        try:
            decoded = base64.b64decode(encoded, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            decoded = ""
        client_id, _, secret = decoded.partition(":")
        clients = {self.client_id: self.client_secret, **self.other_clients}
        if scheme.lower() != "basic" or not secret or clients.get(client_id) != secret:
            raise OAuthError(401, "invalid_client", "client authentication failed")
        return client_id

    def grant(self, form, authorization, now):
        """Answer a token request (form fields as a dict); raises OAuthError."""
        client_id = self.check_client(authorization)
        grant_type = form.get("grant_type")
        requested = frozenset((form.get("scope") or "").split())
        if grant_type == "refresh_token":
            if not form.get("refresh_token"):
                raise OAuthError(400, "invalid_request", "request is missing a required parameter")
            refresh = self.refresh_tokens.get(form["refresh_token"])
            if (
                refresh is None
                or refresh.revoked
                or refresh.client_id != client_id
                or refresh.expires_at <= now
            ):
                raise OAuthError(400, "invalid_grant", INVALID_GRANT)
            if requested and not requested <= refresh.scopes:
                raise OAuthError(
                    400,
                    "invalid_scope",
                    "the requested scope is invalid, unknown, malformed, or exceeds the scope "
                    "granted to the client",
                )
            scopes, kind = requested or refresh.scopes, "User Access Token"
        elif grant_type == "client_credentials":
            if requested - {BASE_SCOPE}:
                raise OAuthError(400, "invalid_scope", "the requested scope is invalid")
            scopes, kind = frozenset({BASE_SCOPE}), "Application Access Token"
        else:
            raise OAuthError(
                400,
                "unsupported_grant_type",
                "grant type in request is not supported by the authorization server",
            )
        token = Token(
            self._mint("p^3", client_id, now), client_id, scopes, now + ACCESS_TOKEN_TTL, kind
        )
        self.access_tokens[token.value] = token
        return {"access_token": token.value, "expires_in": ACCESS_TOKEN_TTL, "token_type": kind}

    def authorize(self, authorization, now, required_scopes):
        """Check ``Authorization: Bearer``; return the token's client id (the quota account).

        ``required_scopes``: any one of them suffices (the spec's ``security`` list).
        """
        scheme, _, value = (authorization or "").partition(" ")
        token = self.access_tokens.get(value.strip()) if scheme.lower() == "bearer" else None
        if token is None or token.revoked or token.expires_at <= now:
            raise EbayError.single(
                401,
                INVALID_TOKEN,
                "Invalid access token. Check the value of the Authorization HTTP request header.",
            )
        if required_scopes and not token.scopes & set(required_scopes):
            raise EbayError.single(
                403, ACCESS_DENIED, "Insufficient permissions to fulfill the request."
            )
        return token.client_id

    def revoke(self, value):
        """Revoke a refresh or access token (the seller withdrew consent)."""
        for store in (self.refresh_tokens, self.access_tokens):
            if value in store:
                store[value].revoked = True
                return True
        return False
