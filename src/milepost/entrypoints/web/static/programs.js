// The programs form works without JavaScript; this only says in which unit a value is
// typed once a metric is chosen (money in the store's currency, else a whole number),
// and shows a journey's empty step rows one at a time.
(function () {
  function showUnit(hint) {
    var select = document.getElementById(hint.getAttribute("data-unit-for"));
    if (!select || select.tagName !== "SELECT" || !select.value) { return; }
    var option = select.options[select.selectedIndex];
    hint.textContent = option.hasAttribute("data-money") ? hint.getAttribute("data-money") : hint.getAttribute("data-count");
  }
  function showSteps(fieldset) {
    var rows = Array.prototype.slice.call(fieldset.querySelectorAll(".step-row"));
    var last = -1;
    rows.forEach(function (row, i) {
      var filled = Array.prototype.some.call(row.querySelectorAll("select, input"), function (input) { return input.value; });
      if (filled || row.querySelector(".invalid")) { last = i; }
    });
    var shown = Math.max(2, last + 2);
    rows.forEach(function (row, i) { row.hidden = i >= shown; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var hints = document.querySelectorAll("small.unit[data-unit-for]");
    hints.forEach(showUnit);
    document.addEventListener("change", function () { hints.forEach(showUnit); });
    document.querySelectorAll("fieldset.steps").forEach(function (fieldset) {
      showSteps(fieldset);
      fieldset.addEventListener("input", function () { showSteps(fieldset); });
      fieldset.addEventListener("change", function () { showSteps(fieldset); });
    });
  });
})();
