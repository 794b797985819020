"""The real-archive report: public scraped archives of Indonesian outlets, uploaded the three ways newsrooms
upload them (saved HTML pages, CMS JSON exports, copy-pasted text), checked field by field against their
source data, then searched (known items, names with typos, judged newsroom queries) against plain indices.

The articles are never part of the repository: ``eval.archive.corpus`` builds them at run time from
public repositories mirrored under ``/work/.mirror`` (or ``DOCSEARCH_ARCHIVE_MIRROR``) into a cache folder.
"""
