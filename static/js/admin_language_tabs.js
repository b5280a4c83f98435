// The admin's text in four languages (LanguageTabsAdmin, afa_platform/admin.py) comes as one
// fieldset per language. This shows them as tabs, one language at a time, following the ARIA
// Authoring Practices tabs pattern: a tablist, Left/Right arrows move between tabs (wrapping),
// Home and End go to the first and last, Tab moves into the shown panel. Hidden panels stay in
// the form, so every language is saved. A language whose fields have errors opens first and
// its tab says so in words. Without this script every language shows, each under its heading.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var fieldsets = Array.prototype.slice.call(document.querySelectorAll("fieldset.language-panel"));
  if (fieldsets.length < 2) {
    return;
  }
  var intro = document.querySelector(".language-tabs-intro");
  var tablist = document.createElement("div");
  tablist.setAttribute("role", "tablist");
  tablist.className = "language-tabs";
  tablist.setAttribute("aria-label", (intro && intro.dataset.tablistLabel) || "Languages");
  fieldsets[0].parentNode.insertBefore(tablist, fieldsets[0]);

  var tabs = [];
  var panels = [];
  fieldsets.forEach(function (fieldset, index) {
    var languageClass = Array.prototype.find.call(fieldset.classList, function (name) {
      return name.indexOf("language-") === 0 && name !== "language-panel";
    });
    var language = languageClass ? languageClass.slice("language-".length) : "";
    var heading = fieldset.querySelector(".fieldset-heading");
    var panel = document.createElement("div");
    panel.id = "language-panel-" + (language || index);
    panel.setAttribute("role", "tabpanel");
    panel.className = "language-tabpanel";
    fieldset.parentNode.insertBefore(panel, fieldset);
    panel.appendChild(fieldset);

    var tab = document.createElement("button");
    tab.type = "button";
    tab.id = "language-tab-" + (language || index);
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", panel.id);
    var name = document.createElement("span");
    name.textContent = heading ? heading.textContent.trim() : language;
    if (language) {
      // Each language is named in itself: read it in its own voice.
      name.lang = language;
      if (heading) {
        heading.lang = language;
      }
    }
    tab.appendChild(name);
    if (fieldset.querySelector(".errorlist, .errors")) {
      tab.appendChild(document.createTextNode(" (" + ((intro && intro.dataset.errorsLabel) || "has errors") + ")"));
      tab.dataset.hasErrors = "true";
    }
    panel.setAttribute("aria-labelledby", tab.id);
    tablist.appendChild(tab);
    tabs.push(tab);
    panels.push(panel);
  });

  function select(index, moveFocus) {
    tabs.forEach(function (tab, i) {
      var selected = i === index;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
      panels[i].hidden = !selected;
    });
    if (moveFocus) {
      tabs[index].focus();
    }
  }

  tablist.addEventListener("click", function (event) {
    var tab = event.target.closest("[role=tab]");
    if (tab) {
      select(tabs.indexOf(tab), true);
    }
  });
  tablist.addEventListener("keydown", function (event) {
    var current = tabs.indexOf(document.activeElement);
    if (current < 0) {
      return;
    }
    var next = {
      ArrowRight: (current + 1) % tabs.length,
      ArrowLeft: (current - 1 + tabs.length) % tabs.length,
      Home: 0,
      End: tabs.length - 1,
    }[event.key];
    if (next !== undefined) {
      event.preventDefault();
      select(next, true);
    }
  });

  var firstWithErrors = tabs.findIndex(function (tab) {
    return tab.dataset.hasErrors === "true";
  });
  select(firstWithErrors >= 0 ? firstWithErrors : 0, false);
  document.body.classList.add("language-tabs-ready");
});
