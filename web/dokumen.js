// The readable view of one stored article: GET /documents/{id}, every field set as text.
"use strict";

(function () {
  const API = (window.DOCSEARCH_API || "").replace(/\/$/, "");
  const $ = (id) => document.getElementById(id);

  function fail(text) {
    $("status").textContent = "";
    $("error").textContent = text;
    $("error").hidden = false;
  }

  function render(doc) {
    document.title = doc.title + " · docsearch";
    $("doc-title").textContent = doc.title || "(tanpa judul)";
    const parts = [doc.source, window.Tanggal.format(doc.published_at), doc.author ? "Penulis: " + doc.author : ""];
    parts.filter(Boolean).forEach((text, i) => {
      if (i) $("doc-meta").append(" · ");
      const span = document.createElement("span");
      span.textContent = text;
      $("doc-meta").append(span);
    });
    if (/^https?:\/\//i.test(doc.url || "")) {
      const link = document.createElement("a");
      link.href = doc.url;
      link.rel = "noopener noreferrer";
      link.className = "original";
      link.textContent = "Baca di situs asli ↗";
      if (parts.some(Boolean)) $("doc-meta").append(" · ");
      $("doc-meta").append(link);
    }
    (doc.body || "").split(/\n+/).filter((p) => p.trim()).forEach((text) => {
      const p = document.createElement("p");
      p.textContent = text;
      $("doc-body").append(p);
    });
    $("doc-key").textContent = doc.key;
    $("status").textContent = "";
    $("document").hidden = false;
  }

  async function load() {
    const id = new URLSearchParams(window.location.search).get("id") || "";
    if (document.referrer && new URL(document.referrer).pathname.endsWith("/")) $("back").href = document.referrer;
    if (!id) return fail("Alamat ini tidak menyebut artikel mana yang dibuka.");
    let response;
    try {
      response = await fetch(API + "/documents/" + encodeURIComponent(id), { headers: { Accept: "application/json" } });
    } catch (err) {
      return fail("Layanan pencarian tidak dapat dihubungi. Periksa koneksi lalu coba lagi.");
    }
    if (response.status === 404) return fail("Artikel tidak ditemukan: mungkin sudah dihapus.");
    if (response.status === 503) return fail("Mesin pencari sedang tidak tersedia. Coba lagi sebentar lagi.");
    const doc = response.ok ? await response.json().catch(() => null) : null;
    if (!doc) return fail("Artikel tidak dapat dimuat (kode " + response.status + "). Coba lagi nanti.");
    render(doc);
  }

  load();
})();
