// Indonesian dates for the pages: "19 Juni 2024" shown, and typed dates read back to YYYY-MM-DD.
"use strict";

window.Tanggal = (function () {
  const MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember"];
  // Month names and their usual short forms (Indonesian, and the English ones people also type).
  const MONTH_OF = new Map();
  MONTHS.forEach((name, i) => {
    MONTH_OF.set(name.toLowerCase(), i + 1);
    MONTH_OF.set(name.slice(0, 3).toLowerCase(), i + 1);
  });
  [["agu", 8], ["agt", 8], ["ags", 8], ["sept", 9], ["nop", 11], ["des", 12], ["january", 1], ["february", 2],
    ["march", 3], ["may", 5], ["june", 6], ["july", 7], ["august", 8], ["aug", 8], ["october", 10], ["oct", 10],
    ["december", 12], ["dec", 12]].forEach(([name, month]) => MONTH_OF.set(name, month));

  function iso(year, month, day) {
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
    return String(year).padStart(4, "0") + "-" + String(month).padStart(2, "0") + "-" + String(day).padStart(2, "0");
  }

  // "19 Juni 2024", "19 jun 2024", "Rabu, 19 Juni 2024", "19/6/2024", "19-06-2024", "2024-06-19" -> "2024-06-19";
  // "" for an empty text; null for text that is not a date.
  function parse(text) {
    const t = (text || "").trim().toLowerCase().replace(/^[a-z]+,\s*/, "");
    if (!t) return "";
    let m = t.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);
    if (m) return iso(+m[1], +m[2], +m[3]);
    m = t.match(/^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/);
    if (m) return iso(+m[3], +m[2], +m[1]);
    m = t.match(/^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$/);
    if (m && MONTH_OF.has(m[2])) return iso(+m[3], MONTH_OF.get(m[2]), +m[1]);
    return null;
  }

  // "2024-06-19" (or a full timestamp) -> "19 Juni 2024"; anything else is returned as it is.
  function format(value) {
    const m = String(value || "").match(/^(\d{4})-(\d{2})-(\d{2})/);
    if (!m || !iso(+m[1], +m[2], +m[3])) return value || "";
    return +m[3] + " " + MONTHS[+m[2] - 1] + " " + m[1];
  }

  return { parse: parse, format: format };
})();
