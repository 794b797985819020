"""Synthetic Indonesian news articles with a Zipf-like word-frequency shape.

Words come from ``data/vocabulary.txt`` (most frequent first); a word of rank r is
drawn with weight 1 / r**ZIPF_S, the shape natural-language corpora show. Each
article has a title, dateline, source, author, boilerplate lines (header, "Baca
juga", copyright) and a body of 6 to 20 paragraphs (2-9 KB of text, the size of
real scraped articles); it is rendered in an upload format (mostly plain text, as
the scraped uploads are, some HTML, some JSON) and also kept as the clean document
a perfect extractor would produce, which the baselines index. An HTML object is a
whole news page as a site serves it: head with metadata, styles and scripts,
navigation, the article, related links, comments, footer (tens of KB).
"""

from __future__ import annotations

import html
import itertools
import json
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
ZIPF_S = 1.07
FORMAT_SHARES = (("txt", 0.8), ("html", 0.1), ("json", 0.1))


@dataclass(frozen=True)
class Vocabulary:
    words: list[str]
    cum_weights: list[float]
    fixtures: dict[str, Any]

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum_weights, k=k)

    def content_words(self) -> list[str]:
        """Words past the function words: what people type into a search box."""
        return self.words[60:320]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    lines = (DATA / "vocabulary.txt").read_text(encoding="utf-8").splitlines()
    words = list(dict.fromkeys(w.strip() for w in lines if w.strip() and not w.startswith("#")))
    weights = [1.0 / (rank**ZIPF_S) for rank in range(1, len(words) + 1)]
    fixtures = json.loads((DATA / "fixtures.json").read_text(encoding="utf-8"))
    return Vocabulary(words, list(itertools.accumulate(weights)), fixtures)


@dataclass(frozen=True)
class Generated:
    """One article: the object to upload and the clean document it should become."""

    key: str
    body: bytes
    content_type: str
    metadata: dict[str, str] = field(default_factory=dict)
    title: str = ""
    text: str = ""
    source: str = ""
    author: str = ""
    published_at: str = ""


def _sentence(vocab: Vocabulary, rng: random.Random) -> str:
    words = vocab.sample(rng, rng.randint(8, 22))
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words)), f"{rng.randint(2, 980)}")
    if rng.random() < 0.15:
        words.insert(rng.randrange(len(words)), f"Rp{rng.randint(1, 900)} miliar")
    text = " ".join(words)
    if rng.random() < 0.25:
        cut = rng.randrange(3, len(text) - 3) if len(text) > 6 else len(text)
        space = text.find(" ", cut)
        if space > 0:
            text = f"{text[:space]},{text[space:]}"
    return text[0].upper() + text[1:] + "."


def _person(fx: dict[str, Any], rng: random.Random) -> str:
    return f"{rng.choice(fx['first_names'])} {rng.choice(fx['last_names'])}"


def paragraphs(vocab: Vocabulary, rng: random.Random, count: int) -> list[str]:
    return [" ".join(_sentence(vocab, rng) for _ in range(rng.randint(2, 5))) for _ in range(count)]


def generate(index: int, seed: int = 7, paragraph_count: int | None = None, prefix: str = "bench") -> Generated:
    """Article number ``index`` (deterministic for a seed)."""
    vocab = vocabulary()
    fx = vocab.fixtures
    rng = random.Random(seed * 1_000_003 + index)  # noqa: S311 (test data, not secrets)
    title_words = rng.sample(vocab.content_words(), rng.randint(5, 10))
    title = " ".join(w.capitalize() for w in title_words)
    source, section, author = rng.choice(fx["sources"]), rng.choice(fx["sections"]), _person(fx, rng)
    day = date(2022, 1, 1) + timedelta(days=rng.randrange(1200))
    published = day.isoformat()
    dateline = f"{fx['days'][day.weekday()]}, {day.day} {fx['months'][day.month - 1]} {day.year}"
    dateline += f" - {rng.randint(6, 22):02d}:{rng.randint(0, 59):02d} WIB"
    paras = paragraphs(vocab, rng, paragraph_count or rng.randint(6, 20))
    city = rng.choice(["JAKARTA", "SURABAYA", "BANDUNG", "MEDAN", "MAKASSAR", "DENPASAR"])
    paras[0] = f"{city}, {source} - {paras[0]}"
    slots = {"person": _person(fx, rng), "source": source, "section": section, "year": day.year, "title": title}
    head = [line.format(**slots) for line in rng.sample(fx["boilerplate_head"], 2)]
    tail = [line.format(**slots) for line in rng.sample(fx["boilerplate_tail"], 2)]
    fmt = rng.choices([f for f, _ in FORMAT_SHARES], weights=[w for _, w in FORMAT_SHARES])[0]
    key = f"{prefix}/{section.lower()}/{index:07d}-{'-'.join(title_words[:4])}.{fmt}"
    text = "\n\n".join(paras)
    metadata: dict[str, str] = {}
    if fmt == "json":
        doc = {"title": title, "body": text, "source": source, "author": author, "published_at": published}
        body, content_type = json.dumps(doc, ensure_ascii=False, indent=2).encode(), "application/json"
    elif fmt == "html":
        page = _html(title, source, section, author, published, paras, head, tail, _page_chrome(vocab, rng, fx))
        body, content_type = page.encode(), "text/html; charset=utf-8"
    else:
        lines = [title, dateline, *head] if rng.random() < 0.5 else [head[0], title, dateline, head[1]]
        body = "\n".join([*lines, "", *"\n\n".join(paras).split("\n"), "", *tail]).encode()
        content_type = "text/plain; charset=utf-8"
        if rng.random() < 0.3:
            metadata = {"source": source, "published-at": published}
    return Generated(key, body, content_type, metadata, title, text, source, author, published)


def _html(
    title: str,
    source: str,
    section: str,
    author: str,
    published: str,
    paras: list[str],
    head: list[str],
    tail: list[str],
    chrome: dict[str, str],
) -> str:
    e = html.escape
    body = "\n".join(f"<p>{e(p)}</p>" for p in paras)
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>{e(title)} - {e(source)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:title" content="{e(title)}"><meta property="og:site_name" content="{e(source)}">
<meta name="author" content="{e(author)}"><meta property="article:published_time" content="{published}T08:00:00+07:00">
{chrome["head"]}</head>
<body class="page-article"><header><div class="topbar">{chrome["nav"]}</div>
<nav class="breadcrumb"><a href="/">Beranda</a> &rsaquo; <a href="/{e(section.lower())}">{e(section)}</a></nav></header>
<main><div class="ads" id="div-gpt-ad-top">
<script>googletag.cmd.push(function(){{googletag.display("top")}});</script></div>
<article class="detail"><h1 class="detail__title">{e(title)}</h1><div class="detail__meta">{e(head[0])}</div>
<figure><img src="/img/{published}/foto.jpg" alt="{e(title)}">
<figcaption>Ilustrasi. (Foto: {e(source)})</figcaption></figure>
<div class="detail__body">
{body}
</div><div class="tags">{chrome["tags"]}</div></article>
<section class="related"><h2>Berita Terkait</h2><ul>{chrome["related"]}</ul></section>
<section class="comments"><h2>Komentar</h2>{chrome["comments"]}</section></main>
<aside class="sidebar"><h2>Terpopuler</h2><ol>{chrome["popular"]}</ol><p>{e(tail[0])}</p></aside>
<footer>{chrome["footer"]}<p>{e(tail[1])}</p></footer>{chrome["scripts"]}</body></html>
"""


def _page_chrome(vocab: Vocabulary, rng: random.Random, fx: dict[str, Any]) -> dict[str, str]:
    """What surrounds an article on a real news page: most of its bytes, none of its text."""
    e = html.escape

    def headline() -> str:
        return " ".join(w.capitalize() for w in rng.sample(vocab.content_words(), rng.randint(6, 11)))

    def link(i: int) -> str:
        return f'<li><a href="/berita/{rng.randint(10**6, 10**7)}/{i}" class="item">{e(headline())}</a></li>'

    style = "\n".join(
        f".c{i}{{margin:{rng.randint(0, 24)}px;padding:{rng.randint(0, 16)}px;font:{rng.randint(12, 20)}px sans-serif}}"
        for i in range(rng.randint(150, 260))
    )
    script = "\n".join(
        f"var k{i}=document.querySelectorAll('.c{i}');for(var j=0;j<k{i}.length;j++){{k{i}[j].dataset.n={i};}}"
        for i in range(rng.randint(120, 220))
    )
    words = vocab.content_words()
    return {
        "head": f"<style>{style}</style><script>window.dataLayer=window.dataLayer||[];{script[:4000]}</script>",
        "nav": " ".join(f'<a href="/{e(s.lower())}">{e(s)}</a>' for s in fx["sections"] * 3),
        "tags": " ".join(f'<a href="/tag/{w}">#{e(w)}</a>' for w in rng.sample(words, 8)),
        "related": "".join(link(i) for i in range(rng.randint(8, 16))),
        "popular": "".join(link(i) for i in range(10)),
        "comments": "".join(
            f"<div class='comment'><b>{e(_person(fx, rng))}</b><p>{e(' '.join(vocab.sample(rng, 14)))}</p></div>"
            for _ in range(rng.randint(0, 6))
        ),
        "footer": " | ".join(f'<a href="/{w}">{e(w.capitalize())}</a>' for w in rng.sample(words, 20)),
        "scripts": f"<script>{script}</script>",
    }


def big_article(index: int, target_bytes: int, seed: int = 11, prefix: str = "bench-big") -> Generated:
    """A plain-text article of about ``target_bytes`` (for the memory figure)."""
    vocab = vocabulary()
    rng = random.Random(seed * 7919 + index)  # noqa: S311
    chunks: list[str] = []
    size = 0
    while size < target_bytes:
        para = " ".join(_sentence(vocab, rng) for _ in range(40))
        chunks.append(para)
        size += len(para) + 2
    title = " ".join(w.capitalize() for w in rng.sample(vocab.content_words(), 7))
    body = f"{title}\n\n" + "\n\n".join(chunks)
    return Generated(f"{prefix}/{index:03d}.txt", body.encode()[:target_bytes], "text/plain", title=title)
