// Django's filter_horizontal boxes (SelectFilter2.js) draw their search icon as a <span>
// with an aria-label, which ARIA does not allow on a generic element (axe:
// aria-prohibited-attr). As an image, the icon's label is allowed and names the search box.
// SelectFilter2 builds the boxes on "load"; this script is deferred, so its listener runs after.
"use strict";
window.addEventListener("load", function () {
  document.querySelectorAll(".selector .search-label-icon[aria-label]:not([role])").forEach(function (icon) {
    icon.setAttribute("role", "img");
  });
});
