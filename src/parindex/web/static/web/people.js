// The round form and the people pages (no inline script: the Content Security Policy).
// Everything here is a convenience: the forms work without JavaScript.

// The "show the units" button is for pages without JavaScript; HTMX refreshes the form
// when the framework or the department changes.
document.documentElement.classList.add("js");

(function () {
  function unitBoxes(form) {
    return Array.prototype.slice.call(
      form.querySelectorAll("ul.unit-tree input[name=units]:not(:disabled)"));
  }

  // "All units of …" ticks every unit that can join; it shows whether all are ticked.
  function syncSelectAll(form) {
    var all = form.querySelector("input[name=all_units]");
    if (!all) { return; }
    var boxes = unitBoxes(form);
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = boxes.length > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
  }

  // The summary of a unit's appraisers names those ticked (else "as chosen above").
  function syncSummary(details) {
    var chosen = details.querySelector("summary .chosen");
    if (!chosen) { return; }
    var names = [];
    details.querySelectorAll("input[type=checkbox]:checked").forEach(function (box) {
      var label = box.closest("label");
      names.push(label ? label.textContent.trim() : box.value);
    });
    chosen.textContent = names.length ? names.join(", ") : chosen.getAttribute("data-default");
  }

  document.addEventListener("change", function (event) {
    var field = event.target;
    var form = field.closest && field.closest("#round-form");
    if (!form) { return; }
    if (field.name === "all_units") {
      unitBoxes(form).forEach(function (box) { box.checked = field.checked; });
      field.indeterminate = false;
    } else if (field.name === "units") {
      syncSelectAll(form);
    } else if (field.closest("details.unit-appraisers")) {
      syncSummary(field.closest("details.unit-appraisers"));
    }
  });

  // The units of another framework or department came back (HTMX): the title follows
  // unless the user wrote one of their own.
  function syncTitle() {
    var units = document.getElementById("round-units");
    var title = document.getElementById("id_title");
    var shown = document.getElementById("id_title_default");
    if (!units || !title || !shown) { return; }
    var next = units.getAttribute("data-title-default");
    if (!next || next === shown.value) { return; }
    if (!title.value.trim() || title.value === shown.value) { title.value = next; }
    shown.value = next;
  }

  function init() {
    var form = document.getElementById("round-form");
    if (form) { syncSelectAll(form); syncTitle(); }
  }
  document.addEventListener("DOMContentLoaded", init);
  // Right after the swap, in the same task: nothing typed in between is overwritten.
  document.addEventListener("htmx:afterSwap", init);
}());
