"""Which files an upload sends, under which keys, with which content type."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TYPE = "application/octet-stream"


@dataclass(frozen=True)
class UploadItem:
    path: Path
    key: str
    content_type: str
    size: int


def content_type(path: Path) -> str:
    """The type the format's reader names (text with an explicit charset: S3 stores what we send), else a guess."""
    from docsearch.ingest.extract.readers import upload_type  # on use, as main.py's core imports: not for --help

    claimed = upload_type(path.name)
    if claimed:
        return claimed
    guessed, encoding = mimetypes.guess_type(path.name)
    return guessed if guessed and not encoding else DEFAULT_TYPE


def plan(paths: list[Path], prefix: str = "") -> list[UploadItem]:
    """Files stay named as they are; a folder's files keep their path below the folder's own name.

    ``docsearch upload berita/`` sends ``berita/a.txt`` and ``berita/2024/b.md`` as those keys
    (after ``prefix``). Hidden files and folders are left out. Raises FileNotFoundError.
    """
    prefix = prefix.strip("/")
    items: dict[str, UploadItem] = {}
    for given in paths:
        if not given.exists():
            raise FileNotFoundError(str(given))
        root = given.resolve()
        if root.is_file():
            files = [(root, root.name)]
        else:
            files = [
                (f, f"{root.name}/{f.relative_to(root).as_posix()}")
                for f in sorted(root.rglob("*"))
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(root).parts)
            ]
        for file, relative in files:
            key = f"{prefix}/{relative}" if prefix else relative
            items[key] = UploadItem(file, key, content_type(file), file.stat().st_size)
    return list(items.values())
