/* Site-wide enhancements that every page loads. A merchant logo that fails to load hides itself,
   so the initials badge underneath shows (templates/catalog/_logo.html). This replaces an
   inline onerror handler, which the Content-Security-Policy refuses. */
(function () {
  "use strict";

  function hide(img) { img.hidden = true; }

  // Images that fail from now on: error events don't bubble, so listen in the capture phase.
  document.addEventListener("error", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("img[data-cz-hide-broken]")) hide(target);
  }, true);

  // Images that already failed before this deferred script ran.
  Array.prototype.forEach.call(document.querySelectorAll("img[data-cz-hide-broken]"), function (img) {
    if (img.complete && img.naturalWidth === 0 && img.getAttribute("src")) hide(img);
  });
})();
