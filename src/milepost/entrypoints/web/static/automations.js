// The automation builder works without JavaScript (each group shows empty rows to fill,
// the outermost an empty group); this adds and removes condition rows and groups in the
// page, cloned from the page's #condition-row-template and #condition-group-template.
// Items keep their numbers (a removed one leaves a gap, which the server allows); a new
// one takes the group's next number, and every label says its place again (Field 3.1).
(function () {
  function items(group) {
    return Array.prototype.slice.call(group.querySelector(":scope > .items").children);
  }

  function nextPrefix(group) {
    var prefix = group.getAttribute("data-prefix");
    var next = 0;
    items(group).forEach(function (item) {
      var n = Number(item.getAttribute("data-prefix").slice(prefix.length + 1));
      if (n >= next) { next = n + 1; }
    });
    return prefix + "-" + next;
  }

  function cloned(id, prefix) {
    var fresh = document.getElementById(id).content.firstElementChild.cloneNode(true);
    [fresh].concat(Array.prototype.slice.call(fresh.querySelectorAll("*"))).forEach(function (element) {
      ["name", "id", "for", "data-prefix", "aria-describedby"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value) { element.setAttribute(attribute, value.split("__P__").join(prefix)); }
      });
    });
    fresh.querySelectorAll("[data-with-js]").forEach(function (element) { element.hidden = false; });
    return fresh;
  }

  // Labels say the item's place: Field 2, Group 3, Field 3.1
  function relabel(group, place) {
    items(group).forEach(function (item, i) {
      var here = place + (i + 1);
      [item].concat(Array.prototype.slice.call(item.querySelectorAll(":scope > legend, :scope > .group-head [data-label], :scope > .add-row [data-label], :scope > .field > [data-label], :scope > [data-label]"))).forEach(function (element) {
        var label = element.getAttribute("data-label");
        if (label && element !== item) { element.textContent = label.replace("{n}", here); }
      });
      var remove = item.querySelector(":scope > .add-row > .remove-group");
      if (remove) { remove.textContent = "Remove group " + here; }
      if (item.matches("fieldset.condition-group")) { relabel(item, here + "."); }
    });
  }

  function root(element) {
    return element.closest("fieldset.conditions");
  }

  // An event property row's operator has no empty choice (= by default): its inputs say
  function empty(item) {
    var typed = item.matches(".where-row") ? "input" : "input:not([type=checkbox]), select[name$='-op']";
    return !Array.prototype.some.call(item.querySelectorAll(typed), function (input) { return input.value; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.automation");
    if (!form) { return; }
    var readonly = form.querySelector("fieldset[disabled]");
    form.querySelectorAll("fieldset.condition-group.spare").forEach(function (group) { group.remove(); });
    if (readonly) {  // what is saved, without the empty rows
      form.querySelectorAll(".condition-row").forEach(function (row) { if (empty(row)) { row.remove(); } });
    }
    form.querySelectorAll("fieldset.conditions").forEach(function (group) { relabel(group, ""); });
    if (readonly) { return; }
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) { return; }
      var group = button.closest("fieldset.condition-group, fieldset.conditions");
      var top = group && root(group);
      if (button.matches(".add-condition") || button.matches(".add-group")) {
        var adding = button.matches(".add-condition") ? "condition-row-template" : "condition-group-template";
        var fresh = cloned(adding, nextPrefix(group));
        group.querySelector(":scope > .items").appendChild(fresh);
        relabel(top, "");
        fresh.querySelector("input, select").focus();
      } else if (button.matches(".remove-condition")) {
        button.closest(".condition-row").remove();
        relabel(top, "");
      } else if (button.matches(".remove-group")) {
        group.remove();
        relabel(top, "");
      }
    });
  });
})();
