// Show the progress indicator of a form while it is sent (uploads and imports can take more
// than a second), and prevent a second click from sending it twice.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var progress = form.querySelector(".progress");
  if (progress) { progress.style.display = "inline"; }
  if (!form.hasAttribute("hx-post")) {
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      setTimeout(function () { button.disabled = true; }, 0);
    });
  }
});
