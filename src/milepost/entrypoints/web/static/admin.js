// The admin UI works without JavaScript; this only makes the action editor show the
// fields of the chosen action type (hidden fields are disabled, so they are not sent),
// add and remove its rows in the page (without JavaScript it has a few empty rows), give
// an automation's pool code its own On failure list (an editor inside its row, cloned from
// the page's #on-failure-template) and the store switcher go without its button.
(function () {
  function own(element, selector) {  // the element's children matching, not its nested editors'
    return Array.prototype.filter.call(element.children, function (child) { return child.matches(selector); });
  }

  function showParams(slot) {
    var select = slot.querySelector(":scope > .field > select.action-type");
    var chosen = select ? select.value : "";
    own(slot, ".param").forEach(function (field) {
      var on = (field.getAttribute("data-for") || "").split(" ").indexOf(chosen) >= 0;
      field.hidden = !on;
      field.querySelectorAll("input, select, textarea").forEach(function (input) { input.disabled = !on; });
    });
    var kind = slot.querySelector(":scope > .param select[name$='-discount_kind']");
    if (kind) {
      var wanted = { fixed_amount: "_amount", percentage: "_percent", free_gift: "_product_id" }[kind.value];
      ["_amount", "_percent", "_product_id"].forEach(function (suffix) {
        var input = slot.querySelector(":scope > .param input[name$='-discount" + suffix + "']");
        if (input) { input.hidden = suffix !== wanted; }
      });
    }
    onFailure(slot, chosen);
  }

  // A pool code's row holds its On failure list; a row of another type has none
  function onFailure(slot, chosen) {
    var editor = slot.closest("fieldset.actions");
    var template = document.getElementById("on-failure-template");
    var list = own(slot, ".on-failure")[0];
    if (!template || !editor || editor.closest(".on-failure")) { return; }
    if (chosen !== "pool_code") {
      if (list) { list.remove(); }
      return;
    }
    if (list) {
      list.querySelectorAll("fieldset.actions").forEach(actionEditor);
      return;
    }
    var prefix = editor.getAttribute("data-prefix") + "-" + slot.getAttribute("data-slot") + "-fail";
    var fresh = template.content.firstElementChild.cloneNode(true);
    fresh.querySelectorAll("[name], [id], [for], [data-prefix]").forEach(function (element) {
      ["name", "id", "for", "data-prefix"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value) { element.setAttribute(attribute, value.replace("__P__", prefix)); }
      });
    });
    fresh.querySelectorAll("[data-with-js]").forEach(function (element) { element.hidden = false; });
    slot.appendChild(fresh);
    fresh.querySelectorAll("fieldset.actions").forEach(actionEditor);
  }

  // Rows are numbered 0, 1, 2, ... in their fields' names (action-0-type, ...), as the server reads them;
  // a page with several editors gives each a prefix of its own (data-prefix: b0-action-0-type, ...)
  function numbered(prefix) {
    prefix = prefix.replace(/[^a-z0-9-]/g, "");
    return new RegExp("^(f-" + prefix + "-|" + prefix + "-|f-)\\d+-");
  }
  function renumber(editor) {
    var NUMBERED = numbered(editor.getAttribute("data-prefix") || "action");
    var slots = own(editor, ".action-slot");
    slots.forEach(function (slot, i) {
      slot.setAttribute("data-slot", i);
      slot.querySelectorAll("[name], [id], label[for], fieldset.actions[data-prefix]").forEach(function (element) {
        ["name", "id", "for", "data-prefix"].forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value) { element.setAttribute(attribute, value.replace(NUMBERED, "$1" + i + "-")); }
        });
      });
      var label = slot.querySelector(":scope > .field > label[for$='-type']");
      if (label) { label.textContent = (editor.getAttribute("data-label") || "Action") + " " + (i + 1); }
    });
    var add = editor.querySelector(":scope > .add-row > button.add-action");
    if (add) { add.disabled = slots.length >= Number(add.getAttribute("data-max") || 20); }
  }

  function addSlot(editor) {
    var slots = own(editor, ".action-slot");
    var last = slots[slots.length - 1];
    var fresh = last.cloneNode(true);
    own(fresh, ".on-failure").forEach(function (element) { element.remove(); });
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
    if (own(editor, ".action-slot").length > 1) {
      slot.remove();
    } else {  // the last row is emptied, not removed
      slot.querySelectorAll("input, textarea").forEach(function (input) { input.value = ""; });
      slot.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
      showParams(slot);
    }
    renumber(editor);
  }

  function actionEditor(editor) {
    if (editor.hasAttribute("data-ready")) { return; }
    editor.setAttribute("data-ready", "");
    if (editor.closest("fieldset[disabled]")) {  // read-only: the chosen types' fields, no empty rows
      own(editor, ".action-slot").forEach(function (slot) {
        var select = slot.querySelector(":scope > .field > select.action-type");
        if (select && !select.value && own(editor, ".action-slot").length > 1) { slot.remove(); } else { showParams(slot); }
      });
      return;
    }
    own(editor, ".action-slot").forEach(function (slot) {
      if (!own(slot, "button.remove-action").length) {
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link remove-action";
        remove.textContent = "Remove";
        var list = own(slot, ".on-failure")[0];
        slot.insertBefore(remove, list || null);
      }
      showParams(slot);
    });
    editor.addEventListener("change", function (event) {
      var slot = event.target.closest(".action-slot");
      if (slot && slot.parentNode === editor) { showParams(slot); }
    });
    editor.addEventListener("click", function (event) {
      if (event.target.closest("fieldset.actions") !== editor) { return; }  // a nested editor's own
      if (event.target.closest("button.remove-action")) {
        removeSlot(editor, event.target.closest(".action-slot"));
      } else if (event.target.closest("button.add-action")) {
        addSlot(editor);
      }
    });
    renumber(editor);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form fieldset.actions").forEach(function (editor) {
      if (!editor.closest(".on-failure")) { actionEditor(editor); }
    });
    // The store switcher goes as soon as a store is chosen: its button is for browsers without JavaScript
    document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("[data-without-js]").forEach(function (element) { element.hidden = true; });
    document.querySelectorAll("[data-with-js]").forEach(function (element) {
      if (!element.closest("fieldset[disabled]")) { element.hidden = false; }
    });
  });
})();
