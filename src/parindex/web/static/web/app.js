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
