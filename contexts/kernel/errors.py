"""The one exception base every context's errors derive from."""


class ContextError(Exception):
    """An error a context reports through its api, with a stable machine code.

    Adapters map `code` and `status` to HTTP answers and form errors; `fields` holds
    per-field messages for validation errors.
    """

    code: str = "error"
    status: int = 400
    default_detail: str = "The request could not be processed."

    def __init__(self, detail: str | None = None, *, fields: dict[str, list[str]] | None = None):
        self.detail = detail or self.default_detail
        self.fields = fields or {}
        super().__init__(self.detail)
