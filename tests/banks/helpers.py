"""Sample files written for the tests, imported end to end as an instructor imports them."""

from __future__ import annotations

from pathlib import Path

from tutorbot.content.banks.build import Imported
from tutorbot.content.banks.draft import Upload
from tutorbot.content.banks.importing import import_upload
from tutorbot.content.banks.write import topic_yaml

SAMPLES = Path(__file__).parent / "samples"


def import_sample(
    folder: str, name: str, format_name: str | None = None, separator: str | None = None
) -> Imported:
    """`samples/<folder>/<name>` imported (its format named, or guessed when None); every topic
    it makes is checked to write as a topic file."""
    path = SAMPLES / folder / name
    result = import_upload(Upload(path.name, path.read_bytes(), separator=separator), format_name)
    for topic in result.topics:
        assert topic_yaml(topic)
    return result
