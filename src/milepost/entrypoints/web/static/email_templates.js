// The email template editor works without JavaScript (its Preview button renders the page
// again). With it, the preview follows the typing: a short pause after a change, the draft
// is posted (with the form's CSRF token, nothing saved) to the preview address, whose answer
// replaces the preview pane; what does not render is marked next to its field.
(function () {
  var PAUSE_MS = 300;
  var PREVIEWED = ["customer_id", "subject", "body_text", "body_html"];

  function setError(name, message) {
    var input = document.getElementById("f-" + name);
    if (!input) { return; }
    var box = input.closest(".field");
    var shown = document.getElementById("e-" + name);
    if (!message) {
      if (shown) { shown.remove(); }
      box.classList.remove("invalid");
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      return;
    }
    if (!shown) {
      shown = document.createElement("p");
      shown.className = "error";
      shown.id = "e-" + name;
      box.appendChild(shown);
    }
    shown.textContent = message;
    box.classList.add("invalid");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", shown.id);
  }

  function show(pane, html) {
    var answer = new DOMParser().parseFromString(html, "text/html");
    pane.replaceChildren.apply(pane, Array.prototype.slice.call(answer.body.childNodes));
    PREVIEWED.forEach(function (name) {
      var problem = pane.querySelector('[data-field="' + name + '"]');
      setError(name, problem ? problem.getAttribute("data-message") : "");
    });
  }

  function say(pane, message) {
    var p = document.createElement("p");
    p.className = "error";
    p.textContent = message;
    pane.replaceChildren(p);
  }

  function start(form) {
    var pane = document.getElementById("preview-pane");
    var url = form.getAttribute("data-preview-url");
    var timer = null;
    var asked = 0;

    function refresh() {
      var mine = ++asked;
      var body = new URLSearchParams(new FormData(form));
      fetch(url, { method: "POST", body: body, credentials: "same-origin", redirect: "error" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (html) { if (mine === asked) { show(pane, html); } })
        .catch(function () {
          if (mine === asked) { say(pane, "The preview is not available: reload the page (you may need to sign in again)."); }
        });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, PAUSE_MS);
    }

    form.addEventListener("input", function (event) {
      if (PREVIEWED.indexOf(event.target.name) >= 0) { later(); }
    });
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.value === "preview") {
        event.preventDefault();
        clearTimeout(timer);
        refresh();
      }
    });
    form.classList.add("live");
    // a page the server answered with errors or a preview already shows what it should
    if (!form.querySelector(".invalid") && !pane.querySelector(".preview-for")) { refresh(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.template-editor[data-preview-url]");
    if (form) { start(form); }
  });
})();
