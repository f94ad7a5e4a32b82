"""Login with Amazon (LWA): refresh-token grant, grantless grant, access tokens."""

import secrets

from ..core import SimError

TOKEN_TTL = 3600  # seconds of simulated time, as LWA's expires_in

DEFAULT_CLIENT_ID = "amzn1.application-oa2-client.simulator"
DEFAULT_CLIENT_SECRET = "amzn1.oa2-cs.v1.simulator-secret"
DEFAULT_REFRESH_TOKEN = "Atzr|simulator-refresh-token"
DEFAULT_SELLER_ID = "A2SIMSELLER0001"

GRANTLESS_SCOPES = {
    "sellingpartnerapi::notifications",
    "sellingpartnerapi::client_credential:rotation",
}


def oauth_error(status, error, description):
    """LWA answers OAuth-style errors, not the SP-API ``errors`` list."""
    return status, {"error": error, "error_description": description}


class LwaAuthority:
    """Issues and checks tokens. Tokens are opaque random strings (``Atza|...``)."""

    def __init__(self, clock, rng):
        self.clock = clock
        self.rng = rng
        self.clients = {DEFAULT_CLIENT_ID: DEFAULT_CLIENT_SECRET}
        self.refresh_tokens = {DEFAULT_REFRESH_TOKEN: DEFAULT_SELLER_ID}
        self.revoked = set()
        self.access_tokens = {}  # token -> (seller_id or None for grantless, expires_at)

    def _new_token(self):
        # Opaque like the real ones; derived from the seeded RNG for reproducibility.
        return "Atza|" + "".join(
            self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(48)
        )

    def issue(self, subject, prefix="Atza|"):
        """A new access token for ``subject`` (seller id, None = grantless)."""
        token = prefix + self._new_token()[len("Atza|") :]
        self.access_tokens[token] = (subject, self.clock.now() + TOKEN_TTL)
        return token

    def token(self, form):
        """Handle ``POST /auth/o2/token``; return (status, body)."""
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if not client_id or not secrets.compare_digest(
            self.clients.get(client_id, ""), client_secret or "\0"
        ):
            return oauth_error(401, "invalid_client", "Client authentication failed")
        grant_type = form.get("grant_type")
        if grant_type == "refresh_token":
            refresh_token = form.get("refresh_token")
            if not refresh_token:
                return oauth_error(
                    400,
                    "invalid_request",
                    "The request is missing a required parameter : refresh_token",
                )
            if refresh_token not in self.refresh_tokens or refresh_token in self.revoked:
                return oauth_error(
                    400,
                    "invalid_grant",
                    "The request has an invalid grant parameter : refresh_token",
                )
            subject = self.refresh_tokens[refresh_token]
        elif grant_type == "client_credentials":
            if form.get("scope") not in GRANTLESS_SCOPES:
                return oauth_error(400, "invalid_scope", "An unknown scope was requested")
            subject = None
        else:
            return oauth_error(
                400, "unsupported_grant_type", "The authorization grant type is not supported"
            )
        access_token = self.issue(subject)
        body = {"access_token": access_token, "token_type": "bearer", "expires_in": TOKEN_TTL}
        if grant_type == "refresh_token":
            body["refresh_token"] = form["refresh_token"]
        return 200, body

    def check(self, access_token):
        """Return the seller id behind a token, or raise the SP-API 403."""
        if not access_token:
            raise SimError(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "The request has no access token.",
            )
        entry = self.access_tokens.get(access_token)
        if entry is None:
            raise SimError(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "The access token you provided is revoked, malformed or invalid.",
            )
        subject, expires_at = entry
        if self.clock.now() >= expires_at:
            raise SimError(
                403,
                "Unauthorized",
                "Access to requested resource is denied.",
                "The access token you provided has expired.",
            )
        return subject

    def revoke(self, refresh_token):
        """The seller removed the app: the refresh token and its access tokens die."""
        self.revoked.add(refresh_token)
        seller = self.refresh_tokens.get(refresh_token)
        for token, (subject, _expires) in list(self.access_tokens.items()):
            if subject == seller:
                del self.access_tokens[token]

    def add_seller(self, seller_id, refresh_token):
        self.refresh_tokens[refresh_token] = seller_id
