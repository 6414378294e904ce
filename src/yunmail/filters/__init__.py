"""Content verdicts: spam, virus and attachment-type adapters (coming with the filtering issue)."""

__all__: list[str] = []
