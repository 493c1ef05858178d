// The thidua HTML report: inlined into index.html by pipeline/reports/html.py.
// Search (accents optional), sortable columns, and the sentences behind each movement.
(function () {
  "use strict";

  // "Lao động" and "lao dong" fold to the same key; punctuation is a space.
  function fold(text) {
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const drillNode = document.getElementById("drill-data");
  const drill = drillNode ? JSON.parse(drillNode.textContent) : { docs: [], movements: {} };

  // ---- search: every <input data-filter="TABLE-ID"> filters that table's rows
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    const id = input.dataset.filter;
    const table = document.getElementById(id);
    if (!table) return;
    const rows = Array.from(table.tBodies[0].rows).filter(function (r) { return !r.classList.contains("drill") && !r.classList.contains("none"); });
    const keys = new Map(rows.map(function (r) { return [r, " " + fold(r.dataset.search || r.textContent) + " "]; }));
    const count = document.getElementById(id + "-count");
    const none = document.getElementById(id + "-none");
    function update() {
      const query = fold(input.value);
      let shown = 0;
      rows.forEach(function (row) {
        const ok = !query || keys.get(row).includes(query);
        row.hidden = !ok;
        const next = row.nextElementSibling;
        if (next && next.classList.contains("drill")) next.hidden = !ok;
        if (ok) shown += 1;
      });
      if (count) count.textContent = query ? shown + " of " + rows.length + " shown" : rows.length + " in the table";
      if (none) none.hidden = shown > 0;
    }
    input.addEventListener("input", update);
    update();
  });

  // ---- drill-down: a movement row opens the sentences that name it, right under it
  function highlight(into, text, names) {
    const hits = [];
    names.forEach(function (name) {
      if (!name) return;
      for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + name.length)) hits.push([at, at + name.length]);
    });
    hits.sort(function (a, b) { return a[0] - b[0] || b[1] - a[1]; });
    let pos = 0;
    hits.forEach(function (h) {
      if (h[0] < pos) return;
      into.append(text.slice(pos, h[0]), el("mark", "", text.slice(h[0], h[1])));
      pos = h[1];
    });
    into.append(text.slice(pos));
  }

  function sentences(key) {
    const box = el("div", "sentences");
    const entry = drill.movements[key];
    if (!entry || !entry.rows.length) {
      box.append(el("p", "note", "No sentence of this movement is embedded in the page."));
      return box;
    }
    let head = entry.total + (entry.total === 1 ? " sentence names it" : " sentences name it");
    if (entry.total > entry.rows.length) {
      head += "; the first " + entry.rows.length + " (by campaign year) are shown here, and mart_drilldown holds them all";
    }
    box.append(el("p", "note", head + "."));
    const list = el("ol");
    entry.rows.forEach(function (row) {
      const doc = drill.docs[row[0]] || ["", "", null, "", ""];
      const item = el("li");
      const quote = el("blockquote");
      highlight(quote, row[1], row[2]);
      const meta = el("p", "meta");
      const title = doc[0] || doc[3] || "(untitled)";
      if (/^https?:\/\//i.test(doc[3])) {
        const a = el("a", "", title);
        a.href = doc[3];
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        meta.append(a);
      } else {
        meta.append(el("span", "", title));
      }
      const facts = [doc[1], doc[4], doc[2]].filter(function (x) { return x !== null && x !== ""; });
      if (facts.length) meta.append(" · " + facts.join(" · "));
      item.append(quote, meta);
      list.append(item);
    });
    box.append(list);
    return box;
  }

  function toggle(row) {
    const next = row.nextElementSibling;
    if (next && next.classList.contains("drill")) {
      next.remove();
      row.setAttribute("aria-expanded", "false");
      return;
    }
    const tr = el("tr", "drill");
    const td = tr.insertCell();
    td.colSpan = row.cells.length;
    td.append(sentences(row.dataset.key));
    row.after(tr);
    row.setAttribute("aria-expanded", "true");
  }

  document.querySelectorAll("tr.mv").forEach(function (row) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a")) return;
      toggle(row);
    });
    row.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        toggle(row);
      }
    });
  });

  // ---- sorting: click a column header (again to reverse)
  const collator = new Intl.Collator("vi", { numeric: true, sensitivity: "base" });
  function sortBy(th) {
    const table = th.closest("table");
    const body = table.tBodies[0];
    const col = Array.from(th.parentNode.children).indexOf(th);
    body.querySelectorAll("tr.drill").forEach(function (r) { r.remove(); });
    body.querySelectorAll("tr.mv").forEach(function (r) { r.setAttribute("aria-expanded", "false"); });
    const rows = Array.from(body.rows).filter(function (r) { return !r.classList.contains("none"); });
    const dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    th.parentNode.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    function value(row) {
      const cell = row.cells[col];
      const raw = cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent.trim();
      if (th.classList.contains("num") || cell.dataset.v !== undefined) {
        const n = parseFloat(raw.replace(/,/g, ""));
        return isNaN(n) ? null : n;
      }
      return raw;
    }
    const keyed = rows.map(function (r) { return [value(r), r]; });
    keyed.sort(function (a, b) {
      if (a[0] === b[0]) return 0;
      if (a[0] === null || a[0] === "") return 1;  // empty cells last either way
      if (b[0] === null || b[0] === "") return -1;
      const c = typeof a[0] === "number" ? a[0] - b[0] : collator.compare(a[0], b[0]);
      return c * dir;
    });
    keyed.forEach(function (k) { body.append(k[1]); });
  }
  document.querySelectorAll("table.sortable thead th").forEach(function (th) {
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (event) {
      if (event.key === "Enter") sortBy(th);
    });
  });
})();
