"""The exception handlers raise to answer with a marketplace error."""


class SimError(Exception):
    """Raise from a hook or handler to answer with the marketplace's error shape."""

    def __init__(self, status, code, message, details=None, headers=None):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.details, self.headers = details, headers or {}
