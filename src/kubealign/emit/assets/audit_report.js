// kubealign audit report: progressive enhancement only. Without this script every table is
// readable as written; with it, tables sort and the findings table filters.
(function () {
  "use strict";

  function readData() {
    var node = document.getElementById("report-data");
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (error) { return null; }
  }

  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    var explicit = cell.getAttribute("data-sort");
    return explicit !== null ? explicit : cell.textContent.trim();
  }

  function compare(a, b) {
    var x = parseFloat(a), y = parseFloat(b);
    var numeric = /^-?\d+(\.\d+)?%?$/;
    if (numeric.test(a) && numeric.test(b)) { return x - y; }
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function sortBy(table, index, header) {
    var body = table.tBodies[0];
    var descending = header.getAttribute("aria-sort") === "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.forEach(function (row, position) { row.setAttribute("data-order", String(position)); });
    rows.sort(function (r1, r2) {
      var result = compare(cellValue(r1, index), cellValue(r2, index));
      if (result === 0) { result = Number(r1.getAttribute("data-order")) - Number(r2.getAttribute("data-order")); }
      return descending ? -result : result;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  function makeSortable(table) {
    if (!table.tHead || !table.tBodies.length) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      button.setAttribute("aria-label", "Sort by " + th.textContent.trim());
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, index, th); });
    });
  }

  function option(select, value, text) {
    var node = document.createElement("option");
    node.value = value;
    node.textContent = text;
    select.appendChild(node);
  }

  function setUpFilters(data) {
    var table = document.getElementById("findings-table");
    var controls = document.getElementById("findings-controls");
    if (!table || !controls) { return; }
    var severity = document.getElementById("filter-severity");
    var category = document.getElementById("filter-category");
    var search = document.getElementById("filter-text");
    var status = document.getElementById("findings-status");
    var empty = document.getElementById("findings-empty");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows).filter(function (row) {
      return row.hasAttribute("data-severity");
    });
    var severities = ["critical", "high", "medium", "low", "info"];
    var counts = {};
    var categories = {};
    rows.forEach(function (row) {
      var s = row.getAttribute("data-severity");
      counts[s] = (counts[s] || 0) + 1;
      categories[row.getAttribute("data-category")] = true;
    });
    severities.forEach(function (name) {
      if (counts[name]) { option(severity, name, name + " and above"); }
    });
    var order = data && data.summary ? Object.keys(data.summary.by_category) : [];
    Object.keys(categories).sort(function (a, b) {
      var ia = order.indexOf(a), ib = order.indexOf(b);
      return (ia < 0 ? 999 : ia) - (ib < 0 ? 999 : ib) || a.localeCompare(b);
    }).forEach(function (name) { option(category, name, name || "uncategorised"); });

    var fold = document.getElementById("findings-table-fold");

    function apply() {
      // Filtering a folded table would hide the answer: open it once a filter is set.
      if (fold && (severity.value || category.value || search.value.trim())) { fold.open = true; }
      var minimum = severity.value ? severities.indexOf(severity.value) : severities.length;
      var wanted = category.value;
      var needle = search.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var rank = severities.indexOf(row.getAttribute("data-severity"));
        var visible = rank <= minimum &&
          (!wanted || row.getAttribute("data-category") === wanted) &&
          (!needle || row.textContent.toLowerCase().indexOf(needle) !== -1);
        row.classList.toggle("filtered-out", !visible);
        if (visible) { shown += 1; }
      });
      status.textContent = "Showing " + shown + " of " + rows.length + " findings";
      if (empty) { empty.hidden = shown !== 0 || rows.length === 0; }
    }

    severity.addEventListener("change", apply);
    category.addEventListener("change", apply);
    search.addEventListener("input", apply);
    document.getElementById("filter-reset").addEventListener("click", function () {
      severity.value = ""; category.value = ""; search.value = ""; apply(); search.focus();
    });
    document.addEventListener("keydown", function (event) {
      var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName);
      if (event.key === "/" && !typing) { event.preventDefault(); search.focus(); }
    });
    // The first screen's category bars and severity badges filter the findings table.
    Array.prototype.forEach.call(document.querySelectorAll("a[data-category], a[data-severity]"),
      function (link) {
        link.addEventListener("click", function () {
          severity.value = link.getAttribute("data-severity") || "";
          category.value = link.getAttribute("data-category") || "";
          search.value = "";
          apply();
        });
      });
    controls.hidden = false;
    apply();
  }

  var data = readData();
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), makeSortable);
  setUpFilters(data);
  document.documentElement.classList.add("js");
})();
