// The admin UI works without JavaScript; this only makes the action editor show the
// fields of the chosen action type (hidden fields are disabled, so they are not sent),
// add and remove its rows in the page (without JavaScript it has a few empty rows), and
// the store switcher go without its button.
(function () {
  function showParams(slot) {
    var select = slot.querySelector("select.action-type");
    var chosen = select ? select.value : "";
    slot.querySelectorAll(".param").forEach(function (field) {
      var on = (field.getAttribute("data-for") || "").split(" ").indexOf(chosen) >= 0;
      field.hidden = !on;
      field.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !on; });
    });
    var kind = slot.querySelector("select[name$='-discount_kind']");
    if (kind) {
      var wanted = { fixed_amount: "_amount", percentage: "_percent", free_gift: "_product_id" }[kind.value];
      ["_amount", "_percent", "_product_id"].forEach(function (suffix) {
        var input = slot.querySelector("input[name$='-discount" + suffix + "']");
        if (input) { input.hidden = suffix !== wanted; }
      });
    }
  }

  // Rows are numbered 0, 1, 2, ... in their fields' names (action-0-type, ...), as the server reads them;
  // a page with several editors gives each a prefix of its own (data-prefix: b0-action-0-type, ...)
  function numbered(editor) {
    var prefix = (editor.getAttribute("data-prefix") || "action").replace(/[^a-z0-9-]/g, "");
    return new RegExp("^(f-" + prefix + "-|" + prefix + "-|f-)\\d+-");
  }
  function renumber(editor) {
    var NUMBERED = numbered(editor);
    var slots = editor.querySelectorAll(".action-slot");
    slots.forEach(function (slot, i) {
      slot.setAttribute("data-slot", i);
      slot.querySelectorAll("[name], [id], label[for]").forEach(function (element) {
        ["name", "id", "for"].forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value) { element.setAttribute(attribute, value.replace(NUMBERED, "$1" + i + "-")); }
        });
      });
      var label = slot.querySelector("label[for$='-type']");
      if (label) { label.textContent = "Action " + (i + 1); }
    });
    var add = editor.querySelector("button.add-action");
    if (add) { add.disabled = slots.length >= Number(add.getAttribute("data-max") || 20); }
  }

  function addSlot(editor) {
    var slots = editor.querySelectorAll(".action-slot");
    var last = slots[slots.length - 1];
    var fresh = last.cloneNode(true);
    fresh.querySelectorAll(".invalid").forEach(function (element) { element.classList.remove("invalid"); });
    fresh.querySelectorAll("p.error").forEach(function (element) { element.remove(); });
    fresh.querySelectorAll("[aria-invalid]").forEach(function (element) { element.removeAttribute("aria-invalid"); });
    fresh.querySelectorAll("input, textarea").forEach(function (input) { input.value = ""; });
    fresh.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
    last.parentNode.insertBefore(fresh, last.nextSibling);
    renumber(editor);
    showParams(fresh);
    fresh.querySelector("select.action-type").focus();
  }

  function removeSlot(editor, slot) {
    if (editor.querySelectorAll(".action-slot").length > 1) {
      slot.remove();
    } else {  // the last row is emptied, not removed
      slot.querySelectorAll("input, textarea").forEach(function (input) { input.value = ""; });
      slot.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
      showParams(slot);
    }
    renumber(editor);
  }

  function actionEditor(editor) {
    editor.querySelectorAll(".action-slot").forEach(function (slot) {
      showParams(slot);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link remove-action";
      remove.textContent = "Remove";
      slot.appendChild(remove);
    });
    editor.addEventListener("change", function (event) {
      var slot = event.target.closest(".action-slot");
      if (slot) { showParams(slot); }
    });
    editor.addEventListener("click", function (event) {
      if (event.target.closest("button.remove-action")) {
        removeSlot(editor, event.target.closest(".action-slot"));
      } else if (event.target.closest("button.add-action")) {
        addSlot(editor);
      }
    });
    renumber(editor);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("fieldset.actions").forEach(actionEditor);
    // The store switcher goes as soon as a store is chosen: its button is for browsers without JavaScript
    document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("[data-without-js]").forEach(function (element) { element.hidden = true; });
    document.querySelectorAll("[data-with-js]").forEach(function (element) { element.hidden = false; });
  });
})();
