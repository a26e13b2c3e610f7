"""/map in the console: the knowledge map written to the pictures folder, its path and alt text
printed; the way to the goal, or around a topic."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image

from tutorbot.pictures.knowledge_map import FILENAME, WIDTH
from tutorbot.pictures.png import UPLOAD_LIMIT

from .console_helpers import SEED, run_script


def _written(output: str, label: str) -> Path:
    found = re.search(rf"^{re.escape(label)}: (\S+\.png)$", output, re.MULTILINE)
    assert found, output
    path = Path(found.group(1))
    png = path.read_bytes()
    assert len(png) < UPLOAD_LIMIT
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size[0] == WIDTH
    return path


def test_map_writes_the_way_to_the_goal_and_the_map_around_a_topic(db_path: Path) -> None:
    output = run_script(db_path, [f"/goal set {SEED}", "/map"])
    path = _written(output, "Knowledge map")
    assert path == (db_path.parent / "pictures" / FILENAME).resolve()
    assert "Knowledge map: the way to Self-Supervised Learning Theory." in output
    assert "Ready to learn next: Counting to 10 (you are here)" in output

    output = run_script(db_path, ["/topic counting-to-20", "known", "/map understanding zero"])
    _written(output, "Knowledge map")
    assert "Knowledge map: around Understanding Zero." in output
    assert "2 known" in output


def test_map_of_an_unknown_topic_writes_nothing(db_path: Path) -> None:
    output = run_script(db_path, ["/map qqqq zzzz"])
    assert "No topic matches “qqqq zzzz”" in output
    assert not (db_path.parent / "pictures").exists()


def test_help_lists_map(db_path: Path) -> None:
    assert "/map [TOPIC]" in run_script(db_path, ["/help"])


def test_map_after_a_topic_card_maps_around_that_topic(db_path: Path) -> None:
    output = run_script(db_path, ["map", "/topic counting-to-20", "map"])
    assert "Show a topic first with /topic TOPIC, or type /map TOPIC." in output
    _written(output, "Knowledge map")
    assert "Knowledge map: around Counting to 20." in output
