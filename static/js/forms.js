// Forms: the error summary and the questions that appear only when they apply. Loaded as a
// file so the CSP can forbid inline script; without it every field is simply shown.
(function () {
  "use strict";

  // The GOV.UK error summary (templates/_error_summary.html): after a failed submit, move
  // focus to it so the reader hears "There is a problem" and the list, not the page top.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
    // A link in it moves to the control and scrolls its label (or its group's legend) into
    // view too: an input alone at the top of the screen does not say what it asks.
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var input = document.getElementById(link.getAttribute("href").slice(1));
      if (!input) { return; }
      event.preventDefault();
      var fieldset = input.closest("fieldset");
      var legend = fieldset && fieldset.querySelector("legend");
      var label = document.querySelector("label[for='" + input.id + "']");
      var caption = legend || label || input;
      caption.scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }

  // Questions that apply only after another answer. A control marked
  //   data-reveal-when="name"        shows while the checkbox `name` is ticked;
  //   data-reveal-when="name=value"  shows while the radio button `name` with `value` is chosen.
  // Its whole field (label, hint, errors) is hidden otherwise. The server checks the answers
  // either way, so this only spares people a question that is not theirs.
  document.querySelectorAll("[data-reveal-when]").forEach(function (control) {
    var form = control.form;
    if (!form) { return; }
    var rule = control.getAttribute("data-reveal-when").split("=");
    var name = rule[0];
    var value = rule.length > 1 ? rule[1] : null;
    var wrapper = control.closest(".mb-3") || control.parentElement;
    if (!wrapper.id) { wrapper.id = control.id + "-reveal"; }
    var triggers = Array.prototype.filter.call(form.elements, function (element) {
      return element.name === name;
    });
    var update = function () {
      var shown = triggers.some(function (element) {
        return element.checked && (value === null || element.value === value);
      });
      wrapper.hidden = !shown;
    };
    // As GOV.UK's conditional reveals: the answer that reveals the question controls it.
    triggers.forEach(function (element) {
      if (value === null || element.value === value) {
        element.setAttribute("aria-controls", wrapper.id);
      }
    });
    triggers.forEach(function (element) {
      element.addEventListener("change", update);
    });
    update();
  });
})();
