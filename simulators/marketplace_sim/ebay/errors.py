"""eBay REST error shapes.

Sell APIs answer ``{"errors": [{errorId, domain, category, message, longMessage, parameters}]}``;
the OAuth token endpoint answers ``{"error", "error_description"}`` instead.  The spec files list,
per operation and status, the error ids the operation may return (``x-response-codes``), with
their domain, category and message template: :func:`spec_error` fills those templates so the
simulator answers with the texts the contract documents rather than invented ones.
"""

import functools
import re

from ..core.app import SimError
from .specs import SPEC_FILES, contract

# Errors raised outside any single operation's catalogue (gateway-level, not in the spec files).
# Texts as observed on the live API (marketplace-apis.md §2.4).
INVALID_TOKEN = (1001, "OAuth", "REQUEST", "Invalid access token")
ACCESS_DENIED = (1100, "ACCESS", "REQUEST", "Access denied")
TOO_MANY_REQUESTS = (
    2001,
    "ACCESS",
    "REQUEST",
    "Too many requests. The request limit has been reached for the resource.",
)
# [unv] ids eBay's gateway uses for an unknown resource and an unreadable request.
RESOURCE_NOT_FOUND = (2002, "ACCESS", "REQUEST", "Resource not found")
INVALID_REQUEST = (2004, "ACCESS", "REQUEST", "Invalid request")
SYSTEM_ERROR = (25001, "API_INVENTORY", "APPLICATION", "A system error has occurred.")

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


class EbayError(SimError):
    """An error answer in eBay's Sell shape; ``errors`` holds one or more error dicts."""

    def __init__(self, status, errors, headers=None):
        super().__init__(status, errors[0]["errorId"], errors[0]["message"], errors, headers)
        self.errors = errors

    @classmethod
    def single(cls, status, error, long_message=None, parameters=None, headers=None):
        """Build from a ``(errorId, domain, category, message)`` tuple."""
        return cls(
            status, [error_dict(*error, long_message=long_message, parameters=parameters)], headers
        )


class OAuthError(SimError):
    """An error of the identity (token) endpoint: RFC 6749 ``{error, error_description}``."""

    def __init__(self, status, error, description):
        super().__init__(status, error, description)


def error_dict(error_id, domain, category, message, long_message=None, parameters=None):
    error = {"errorId": error_id, "domain": domain, "category": category, "message": message}
    if long_message:
        error["longMessage"] = long_message
    if parameters:
        error["parameters"] = [{"name": k, "value": str(v)} for k, v in parameters.items()]
    return error


def _strip_html(text):
    return re.sub(r"<[^>]+>", "", text).strip()


@functools.cache
def response_codes():
    """``{operationId: {errorId: (domain, category, template)}}`` from every eBay spec file."""
    catalogue = {}
    for api in SPEC_FILES:
        for item in contract(api).document["paths"].values():
            for operation in item.values():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                codes = catalogue.setdefault(operation["operationId"], {})
                for response in operation.get("responses", {}).values():
                    for error_id, spec in (
                        response.get("x-response-codes", {}).get("errors", {}).items()
                    ):
                        codes[int(error_id)] = (
                            spec["domain"],
                            spec["category"],
                            _strip_html(spec["description"]),
                        )
    return catalogue


def fill_template(template, values):
    """Replace ``{name}`` placeholders; unknown ones are dropped, as eBay does."""
    text = _PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), "")), template)
    return re.sub(r"\s+", " ", text).strip()


@functools.cache
def _any_operation_codes():
    """Every documented id, whichever operation lists it first (for shared ids)."""
    merged = {}
    for codes in response_codes().values():
        for error_id, entry in codes.items():
            merged.setdefault(error_id, entry)
    return merged


def spec_error(operation_id, error_id, long_message=None, **values):
    """Error dict for an id the spec documents; KeyError if no eBay spec lists it.

    The operation's own catalogue wins; ids documented only on a sibling operation (e.g.
    25713 "This Offer is not available" for getOffers) fall back to the shared catalogue.
    Failing loudly keeps the simulator from drifting to ids the contract never mentions.
    """
    entry = response_codes().get(operation_id, {}).get(error_id) or _any_operation_codes()[error_id]
    domain, category, template = entry
    return error_dict(
        error_id,
        domain,
        category,
        fill_template(template, values),
        long_message=long_message,
        parameters={key: value for key, value in values.items() if value not in (None, "")},
    )


def raise_spec(status, operation_id, error_id, long_message=None, **values):
    raise EbayError(status, [spec_error(operation_id, error_id, long_message, **values)])
