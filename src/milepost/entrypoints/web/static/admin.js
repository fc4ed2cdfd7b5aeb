// The admin UI works without JavaScript; this only makes the action editor show the
// fields of the chosen action type (hidden fields are disabled, so they are not sent),
// and the store switcher go without its button.
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
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".action-slot").forEach(function (slot) {
      showParams(slot);
      slot.addEventListener("change", function () { showParams(slot); });
    });
    // The store switcher goes as soon as a store is chosen: its button is for browsers without JavaScript
    document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    document.querySelectorAll("[data-without-js]").forEach(function (element) { element.hidden = true; });
  });
})();
