// No inline script anywhere (the Content Security Policy forbids it): the pages' behaviour
// lives here.

// Show the progress indicator of a form while it is sent (uploads and imports can take more
// than a second), and prevent a second click from sending it twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.hasAttribute("hx-post")) { return; }  // HTMX marks it "htmx-request" itself
  form.classList.add("sending");
  form.querySelectorAll("button[type=submit]").forEach(function (button) {
    setTimeout(function () { button.disabled = true; }, 0);
  });
});

// A page restored from the back/forward cache shows its forms ready to be sent again.
window.addEventListener("pageshow", function (event) {
  if (!event.persisted) { return; }
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    delete form.dataset.confirmed;  // confirmed once is not confirmed again
    form.querySelectorAll("input[name=confirm]").forEach(function (input) { input.remove(); });
  });
  document.querySelectorAll("dialog [data-confirm-ok]").forEach(function (button) {
    button.disabled = false;
  });
  document.querySelectorAll("form.sending").forEach(function (form) {
    form.classList.remove("sending");
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.disabled = false;
    });
  });
});

// Selects marked "autosubmit" (the language switch) send their form when changed.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field.matches && field.matches("select.autosubmit") && field.form) {
    field.form.submit();
  }
});

// Steps nobody can undo themselves (submit, finalise, publish …): a form marked
// data-confirm="<dialog id>" first opens that dialog, which says what will happen; its
// data-confirm-ok button sends the form with confirm=1, data-confirm-cancel closes it. Without
// JavaScript the server answers the form with the same text on a page of its own.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var id = form.getAttribute && form.getAttribute("data-confirm");
  if (!id || form.dataset.confirmed === "1") { return; }
  var dialog = document.getElementById(id);
  if (!dialog || typeof dialog.showModal !== "function") { return; }  // the server asks
  event.preventDefault();
  event.stopImmediatePropagation();  // not "sending" yet: nothing is sent until confirmed
  // The dialog repeats what the form says (the step a reopening goes back to, the reason).
  dialog.querySelectorAll("[data-fill]").forEach(function (slot) {
    var field = form.elements[slot.getAttribute("data-fill")];
    if (!field) { return; }
    slot.textContent = field.tagName === "SELECT" && field.selectedIndex >= 0
      ? field.options[field.selectedIndex].text : field.value;
  });
  dialog.confirming = form;
  dialog.showModal();
}, true);

document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("[data-confirm-ok], [data-confirm-cancel]");
  var dialog = button && button.closest("dialog");
  if (dialog && button.hasAttribute("data-confirm-cancel")) {
    dialog.close();
    return;
  }
  if (dialog && dialog.confirming) {
    var form = dialog.confirming;
    var confirm = form.querySelector("input[name=confirm]") || document.createElement("input");
    confirm.type = "hidden";
    confirm.name = "confirm";
    confirm.value = "1";
    form.appendChild(confirm);
    form.dataset.confirmed = "1";
    button.disabled = true;
    dialog.close();
    form.requestSubmit();  // through the submit handlers again: the progress state, no resend
    return;
  }
  // A link inside a dialog (a criterion to fix) leaves it: close it, so the page is usable.
  var link = event.target.closest && event.target.closest("dialog a[href]");
  if (link) { link.closest("dialog").close(); }
});
