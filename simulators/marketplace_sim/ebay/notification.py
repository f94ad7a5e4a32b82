"""Commerce Notification signing key: ``getPublicKey`` and the ``X-EBAY-SIGNATURE`` header.

eBay signs each push message with ECDSA and sends ``X-EBAY-SIGNATURE``: base64 of
``{"alg", "kid", "signature", "digest"}``; the receiver fetches the PEM key for ``kid`` with
``getPublicKey`` and verifies the body.  The key is derived from the seed, so a run is
reproducible and a connector's verification code can be tested end to end.
"""

import base64
import hashlib
import json

from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

# Order of the P-256 group: a private scalar must be in [1, n - 1].
_P256_ORDER = int("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16)


class SigningKey:
    def __init__(self, seed):
        digest = hashlib.sha256(f"ebay-notification-key-{seed}".encode()).digest()
        scalar = int.from_bytes(digest, "big") % (_P256_ORDER - 1) + 1
        self._private = ec.derive_private_key(scalar, ec.SECP256R1(), default_backend())
        self.key_id = hashlib.sha1(digest).hexdigest()  # eBay key ids are opaque hex strings

    def public_key(self):
        """The ``PublicKey`` object getPublicKey returns."""
        pem = self._private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {"algorithm": "ECDSA", "digest": "SHA1", "key": pem.decode()}

    def signature_header(self, body):
        """``X-EBAY-SIGNATURE`` for a notification body (bytes or JSON-able object)."""
        if not isinstance(body, bytes | str):
            body = json.dumps(body, ensure_ascii=False)
        if isinstance(body, str):
            body = body.encode()
        signature = self._private.sign(body, ec.ECDSA(hashes.SHA1()))
        header = {
            "alg": "ECDSA",
            "kid": self.key_id,
            "signature": base64.b64encode(signature).decode(),
            "digest": "SHA1",
        }
        return base64.b64encode(json.dumps(header).encode()).decode()
