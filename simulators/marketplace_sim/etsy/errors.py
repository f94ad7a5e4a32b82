"""Etsy's error shape: ``{"error": "..."}`` (OAuth errors add ``error_description``)."""

from ..core.app import SimError


class EtsyError(SimError):
    """A core SimError whose ``details`` are extra top-level keys of Etsy's error body."""

    def __init__(self, status, message, extra=None, headers=None):
        super().__init__(status, "etsy", message, details=dict(extra or {}), headers=headers)


def error_body(message, details=None):
    return {"error": message, **(details or {})}


def not_found(what, ident):
    return EtsyError(404, f"{what} with id {ident} not found")


def forbidden(message):
    return EtsyError(403, message)
