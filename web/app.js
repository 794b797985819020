// The search page: form -> GET /search -> results with highlighted snippets, facets, paging.
// Only the server's snippets are treated as markup, and even they are rebuilt from their text and
// <mark> elements alone; every other field is set with textContent, and only http(s) addresses become links.
"use strict";

(function () {
  const API = (window.DOCSEARCH_API || "").replace(/\/$/, "");
  const PAGE_SIZE = 10;
  const $ = (id) => document.getElementById(id);
  const form = $("search-form");
  const state = {
    q: "", page: 1, source: [], date_from: "", date_to: "", undated: false, sort: "relevance", group: true, story: "",
    mode: "",  // from the address only (?mode=lexical: the words alone); the API's default otherwise
  };
  const WIDE = window.matchMedia("(min-width: 48rem)");
  // The API's parameter names, as the form calls them (for its 400 messages).
  const FIELD_NAMES = { q: "kata kunci", page: "halaman", size: "jumlah per halaman", source: "sumber",
    date_from: "dari tanggal", date_to: "sampai tanggal", undated: "artikel tanpa tanggal", sort: "urutan",
    group: "gabungkan salinan", mode: "mode" };
  let facetSources = [];
  let inFlight = null;

  function params(s) {
    const p = new URLSearchParams();
    p.set("q", s.q);
    if (s.page > 1) p.set("page", String(s.page));
    p.set("size", String(PAGE_SIZE));
    s.source.forEach((name) => p.append("source", name));
    if (s.date_from) p.set("date_from", s.date_from);
    if (s.date_to) p.set("date_to", s.date_to);
    if (s.undated) p.set("undated", "include");
    if (s.sort !== "relevance") p.set("sort", s.sort);
    if (!s.group) p.set("group", "false");
    if (s.story) p.set("story", s.story);
    if (s.mode) p.set("mode", s.mode);
    return p;
  }

  // False (and a message beside the dates) when a typed date cannot be read.
  function readForm() {
    const from = window.Tanggal.parse($("date_from").value);
    const to = window.Tanggal.parse($("date_to").value);
    const bad = [[from, "Dari tanggal"], [to, "Sampai tanggal"]].filter(([value]) => value === null).map(([, name]) => name);
    $("date-error").hidden = bad.length === 0;
    $("date-error").textContent = bad.length ? bad.join(" dan ") + " tidak terbaca sebagai tanggal. Contoh: 19 Juni 2024." : "";
    if (bad.length) {
      $("filters").open = true;
      $(from === null ? "date_from" : "date_to").focus();
      return false;
    }
    if ($("q").value.trim() !== state.q) state.story = "";
    state.q = $("q").value.trim();
    state.date_from = from;
    state.date_to = to;
    state.undated = $("undated").checked;
    state.sort = $("sort").value;
    state.group = $("group").checked;
    state.source = Array.from(document.querySelectorAll("#source-options input:checked")).map((el) => el.value);
    writeForm();
    return true;
  }

  function writeForm() {
    $("q").value = state.q;
    $("date_from").value = window.Tanggal.format(state.date_from);
    $("date_to").value = window.Tanggal.format(state.date_to);
    $("undated").checked = state.undated;
    $("sort").value = state.sort;
    $("group").checked = state.group;
    const active = [state.date_from, state.date_to, state.undated, state.sort !== "relevance", !state.group]
      .filter(Boolean).length
      + state.source.length;
    $("filter-count").textContent = active ? "(" + active + " aktif)" : "";
  }

  function fromLocation() {
    const p = new URLSearchParams(window.location.search);
    state.q = (p.get("q") || "").trim();
    state.page = Math.max(1, parseInt(p.get("page") || "1", 10) || 1);
    state.source = p.getAll("source");
    state.date_from = p.get("date_from") || "";
    state.date_to = p.get("date_to") || "";
    state.undated = p.get("undated") === "include";
    state.sort = p.get("sort") || "relevance";
    state.group = p.get("group") !== "false";
    state.story = p.get("story") || "";
    state.mode = p.get("mode") || "";
    facetSources = state.source.map((value) => ({ value: value, count: null }));
  }

  // A snippet is escaped text plus <mark>; parse it inertly and keep only text and <mark>.
  function markedNodes(html) {
    const doc = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html");
    return Array.from(doc.body.firstChild.childNodes, (node) => {
      if (node.nodeName !== "MARK") return document.createTextNode(node.textContent);
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      return mark;
    });
  }

  function snippetNode(html) {
    const out = document.createElement("p");
    out.className = "snippet";
    out.append("… ", ...markedNodes(html), " …");
    return out;
  }

  // "Mungkin maksud Anda: …" (the server's suggestion, marks rebuilt as for snippets); a click searches it.
  function renderSuggestion(answer) {
    const suggestion = answer.suggestion;
    $("suggestion").hidden = !suggestion;
    if (!suggestion) return;
    const link = $("suggestion-link");
    link.replaceChildren(...markedNodes(suggestion.html));
    link.href = "?" + params({ ...state, q: suggestion.text, page: 1, story: "" }).toString();
    link.onclick = (event) => {
      event.preventDefault();
      state.q = suggestion.text;
      state.page = 1;
      state.story = "";
      writeForm();
      run();
    };
  }

  function webLink(url, text, className) {
    if (!/^https?:\/\//i.test(url || "")) return null;
    const link = document.createElement("a");
    link.href = url;
    link.textContent = text;
    link.rel = "noopener noreferrer";
    link.className = className;
    return link;
  }

  function viewLink(id, text) {
    const link = document.createElement("a");
    link.href = "dokumen.html?id=" + encodeURIComponent(id);
    link.textContent = text;
    return link;
  }

  // The other copies of a grouped result, each with its outlet, date and title, and a link that lists
  // every copy as its own result (story=…, ungrouped): how a reader inspects and undoes the grouping.
  function copiesLine(hit) {
    const box = document.createElement("div");
    box.className = "copies";
    const line = document.createElement("p");
    line.append("Juga dimuat " + hit.more_copies + " salinan lain:");
    const list = document.createElement("ul");
    hit.copies.forEach((copy) => {
      const item = document.createElement("li");
      const about = [copy.source || "sumber tak dikenal", window.Tanggal.format(copy.published_at)].filter(Boolean);
      item.append(about.join(" · ") + " — ", viewLink(copy.id, copy.title || "(tanpa judul)"));
      list.append(item);
    });
    box.append(line, list);
    if (hit.story) {
      const all = document.createElement("a");
      all.href = "?" + params({ ...state, page: 1, group: false, story: hit.story }).toString();
      all.textContent = "Tampilkan semua " + (hit.more_copies + 1) + " salinan sebagai hasil terpisah";
      all.className = "story-link";
      box.append(all);
    }
    return box;
  }

  function renderResults(answer) {
    const list = $("result-list");
    list.replaceChildren();
    list.start = (answer.page - 1) * answer.size + 1;
    answer.results.forEach((hit) => {
      const item = document.createElement("li");
      item.className = "result";
      const title = document.createElement("h2");
      title.append(viewLink(hit.id, hit.title || "(tanpa judul)"));
      const meta = document.createElement("p");
      meta.className = "meta";
      // An article whose date is not known says so rather than showing nothing.
      const when = hit.published_at ? window.Tanggal.format(hit.published_at) : "tanpa tanggal";
      [hit.source, when].filter(Boolean).forEach((text, i) => {
        if (i) meta.append(" · ");
        const span = document.createElement("span");
        span.textContent = text;
        meta.append(span);
      });
      const original = webLink(hit.url, "situs asli ↗", "original");
      if (original) {
        if (meta.childNodes.length) meta.append(" · ");
        meta.append(original);
      }
      item.append(title, meta);
      (hit.snippets || []).forEach((s) => item.append(snippetNode(s)));
      if (hit.more_copies > 0) item.append(copiesLine(hit));
      list.append(item);
    });
  }

  function renderFacets(answer) {
    const box = $("source-options");
    const counts = new Map(((answer.facets || {}).source || []).map((f) => [f.value, f.count]));
    // Keep the sources already chosen visible even when this page's facets do not list them.
    const names = new Map(facetSources.map((f) => [f.value, f.count]));
    counts.forEach((count, value) => names.set(value, count));
    state.source.forEach((value) => { if (!names.has(value)) names.set(value, null); });
    facetSources = Array.from(names, ([value, count]) => ({ value: value, count: counts.has(value) ? count : null }));
    box.replaceChildren();
    facetSources.forEach((facet, i) => {
      const id = "source-" + i;
      const wrap = document.createElement("div");
      wrap.className = "check";
      const input = document.createElement("input");
      input.type = "checkbox";
      input.id = id;
      input.value = facet.value;
      input.checked = state.source.includes(facet.value);
      input.addEventListener("change", () => { state.page = 1; submit(); });
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = facet.value + (facet.count !== null ? " (" + facet.count + ")" : "");
      wrap.append(input, label);
      box.append(wrap);
    });
    $("sources").hidden = facetSources.length === 0;
  }

  function results(answer) {
    return typeof answer.groups === "number" ? answer.groups : answer.total;
  }

  function renderPager(answer) {
    const pages = Math.max(1, Math.ceil(results(answer) / answer.size));
    $("pager").hidden = results(answer) <= answer.size;
    $("page-info").textContent = "Halaman " + answer.page + " dari " + pages;
    $("prev").disabled = answer.page <= 1;
    $("next").disabled = answer.page >= pages;
  }

  function showError(text) {
    const box = $("error");
    box.textContent = text;
    box.hidden = false;
  }

  async function run() {
    $("error").hidden = true;
    if (!state.q) {
      $("status").textContent = "Ketik kata kunci untuk mencari.";
      $("result-list").replaceChildren();
      $("pager").hidden = true;
      return;
    }
    const query = params(state);
    window.history.replaceState(null, "", "?" + query.toString());
    if (inFlight) inFlight.abort();
    inFlight = new AbortController();
    $("status").textContent = "Mencari…";
    document.body.setAttribute("aria-busy", "true");
    let response;
    let body = null;
    try {
      response = await fetch(API + "/search?" + query.toString(), { signal: inFlight.signal, headers: { Accept: "application/json" } });
      body = await response.json().catch(() => null);
    } catch (err) {
      if (err.name === "AbortError") return;
      document.body.removeAttribute("aria-busy");
      $("status").textContent = "";
      showError("Layanan pencarian tidak dapat dihubungi. Periksa koneksi lalu coba lagi.");
      return;
    }
    if (!body && response.ok) {
      document.body.removeAttribute("aria-busy");
      $("status").textContent = "";
      showError("Jawaban layanan pencarian tidak terbaca. Coba lagi.");
      return;
    }
    document.body.removeAttribute("aria-busy");
    if (!response.ok) {
      $("status").textContent = "";
      $("result-list").replaceChildren();
      $("pager").hidden = true;
      const message = body && body.error && body.error.message ? body.error.message : "";
      const field = FIELD_NAMES[message.split(/[:.\s]/)[0]];
      if (response.status === 400) {
        showError("Permintaan tidak valid" + (field ? ": periksa " + field + "." : ". Periksa kata kunci dan filter."));
      } else if (response.status === 503) showError("Mesin pencari sedang tidak tersedia. Coba lagi sebentar lagi.");
      else showError("Terjadi kesalahan pada layanan pencarian (kode " + response.status + "). Coba lagi nanti.");
      return;
    }
    renderResults(body);
    renderFacets(body);
    renderPager(body);
    renderSuggestion(body);
    if (body.total === 0) {
      $("status").textContent = "Tidak ada hasil untuk “" + body.query + "”. Coba kata lain atau hapus filter.";
    } else if (body.relaxed) {
      $("status").textContent = "Tidak ada hasil yang memuat semua kata “" + body.query + "”. Menampilkan "
        + results(body) + " hasil yang memuat sebagian katanya.";
    } else if (state.story) {
      $("status").textContent = results(body) + " salinan dari satu berita untuk “" + body.query + "”.";
    } else {
      const first = (body.page - 1) * body.size + 1;
      const last = first + body.results.length - 1;
      const merged = results(body) < body.total ? " (" + body.total + " artikel, salinan digabung)" : "";
      $("status").textContent = results(body) + " hasil untuk “" + body.query + "”" + merged
        + ", menampilkan " + first + "–" + last;
    }
  }

  function submit() {
    if (readForm()) run();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    state.page = 1;
    if (!readForm()) return;
    facetSources = facetSources.filter((f) => state.source.includes(f.value));
    run();
  });
  ["date_from", "date_to", "undated", "sort", "group"].forEach((id) => $(id).addEventListener("change", () => {
    if (!$("q").value.trim()) return;
    state.page = 1;
    submit();
  }));
  $("prev").addEventListener("click", () => { state.page -= 1; submit(); $("results").focus(); });
  $("next").addEventListener("click", () => { state.page += 1; submit(); $("results").focus(); });

  // Wide screens show the filters beside the results; on a phone they fold away under one line.
  $("filters").open = WIDE.matches;
  fromLocation();
  writeForm();
  if (state.q) run();
  else $("q").focus();
})();
