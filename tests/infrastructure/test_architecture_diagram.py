"""The architecture diagram is generated from docs/architecture.dot and names the template's real resources."""

import re
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def test_diagram_source_names_template_resources_and_png_is_there() -> None:
    source = (ROOT / "docs" / "architecture.dot").read_text()
    template = (ROOT / "template.yaml").read_text()
    named = set(re.findall(r"\\n([A-Z][A-Za-z]+(?:Bucket|Queue|Function|Api))(?:\\n|\")", source))
    assert {
        "ArticlesBucket",
        "IngestQueue",
        "DeadLetterQueue",
        "IngestFunction",
        "SearchFunction",
        "SearchApi",
    } <= named
    for resource in named:
        assert re.search(rf"^  {resource}:$", template, re.M), f"{resource} is not in template.yaml"
    with Image.open(ROOT / "docs" / "architecture.png") as image:
        assert image.format == "PNG" and image.width > 1000 and image.height > 300
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 20  # not blank
