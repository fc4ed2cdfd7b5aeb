// A Copy button beside a secret shown once (the page works without it).
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent.trim()).then(function () { button.textContent = "Copied"; });
      });
    });
  });
})();
