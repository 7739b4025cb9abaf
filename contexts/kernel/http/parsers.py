"""The JSON parser of every endpoint: every undecodable body is a 400, never a 500."""

from collections.abc import Mapping
from typing import IO, Any

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser, also refusing JSON nested too deeply for Python's decoder.

    DRF turns ValueError into a 400 but lets RecursionError (`[[[[...` nested some
    thousands deep) through as a 500.
    """

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from exc
