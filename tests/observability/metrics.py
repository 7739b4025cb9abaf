"""Reading Prometheus text as a scraper does, for the observability tests."""

from prometheus_client.parser import text_string_to_metric_families


def samples(text: str) -> list[tuple[str, dict[str, str], float]]:
    """Return every sample of a Prometheus text: name, labels, value."""
    return [
        (sample.name, sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    ]


def value(text: str, name: str, **labels: str) -> float:
    """Return the sum of the samples of `name` whose labels include `labels` (0 if none)."""
    return sum(
        found
        for sample, their, found in samples(text)
        if sample == name and all(their.get(key) == wanted for key, wanted in labels.items())
    )
