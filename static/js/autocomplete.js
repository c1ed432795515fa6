/* Suggestions under the site's search boxes (the header's and any other form[role=search]
   that submits to /search/). Progressive: without this script the form simply submits.
   ARIA 1.2 combobox: the input owns a listbox; arrow keys move, Enter opens, Esc closes.
   Labels and the endpoint come from the <script> tag's data attributes
   (templates/offers/_autocomplete_script.html), with English defaults. */
(function () {
  "use strict";
  if (window.czAutocomplete) return;
  window.czAutocomplete = true;

  var script = document.currentScript;
  var data = (script && script.dataset) || {};
  var labels = {
    store: data.labelStore || "Store",
    offer: data.labelOffer || "Offer",
    list: data.labelList || "Suggestions",
    count: data.labelCount || "%s suggestions. Use the up and down arrows to choose.",
    none: data.labelNone || "No suggestions."
  };
  var MIN_LENGTH = 2;
  var DELAY_MS = 150;

  function endpointFor(form) {
    var action = new URL(form.getAttribute("action") || window.location.href, window.location.href);
    if (!/\/search\/$/.test(action.pathname)) return null;
    return data.url || action.pathname + "autocomplete/";
  }

  function setup(input, form, endpoint, index) {
    var listId = "cz-suggest-" + index;
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "cz-suggest list-unstyled";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", labels.list);
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    var anchor = input.closest(".input-group") || input;
    anchor.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    form.classList.add("cz-suggest-host");

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var items = [];
    var active = -1;
    var timer = null;
    var controller = null;
    var shownFor = "";

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      setActive(-1);
    }

    function open() {
      if (!items.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function setActive(index) {
      var options = list.children;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
        options[i].classList.toggle("active", i === index);
      }
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function follow(index) {
      if (items[index]) window.location.assign(items[index].url);
    }

    function render(results, query) {
      list.textContent = "";
      items = results;
      shownFor = query;
      results.forEach(function (result, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.className = "cz-suggest-item";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var label = document.createElement("span");
        label.className = "cz-suggest-label";
        label.textContent = result.label;
        var kind = document.createElement("span");
        kind.className = "cz-suggest-kind cz-suggest-kind-" + result.type;
        kind.textContent = result.type === "merchant" ? labels.store : labels.offer;
        option.appendChild(label);
        option.appendChild(kind);
        // mousedown would blur the input and close the list before the click lands.
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { follow(i); });
        list.appendChild(option);
      });
      setActive(-1);
      status.textContent = query ? (results.length ? labels.count.replace("%s", results.length) : labels.none) : "";
      if (results.length) open(); else close();
    }

    function suggest() {
      var query = input.value.replace(/\s+/g, " ").trim();
      if (query.length < MIN_LENGTH) {
        if (controller) controller.abort();
        render([], "");
        return;
      }
      if (query === shownFor) {
        open();
        return;
      }
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      fetch(endpoint + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (payload) {
          // A slow answer for an older query must not replace a newer one.
          if (input.value.replace(/\s+/g, " ").trim() === query) render(payload.results || [], query);
        })
        .catch(function () { /* offline or aborted: the form still submits */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "Down") {
        if (!items.length) return;
        event.preventDefault();
        open();
        setActive(active + 1 >= items.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp" || event.key === "Up") {
        if (!items.length) return;
        event.preventDefault();
        open();
        setActive(active <= 0 ? items.length - 1 : active - 1);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          follow(active);
        }
      } else if (event.key === "Escape" || event.key === "Esc") {
        if (!list.hidden) {
          // Close the list first; a second Esc lets the browser clear the field.
          event.preventDefault();
          close();
        }
      }
    });
    input.addEventListener("focus", function () {
      if (items.length && input.value.replace(/\s+/g, " ").trim() === shownFor) open();
    });
    input.addEventListener("blur", function () { close(); });
  }

  function init() {
    var inputs = document.querySelectorAll('form[role="search"] input[name="q"]');
    Array.prototype.forEach.call(inputs, function (input, index) {
      var endpoint = endpointFor(input.form);
      if (endpoint && !input.hasAttribute("aria-controls")) setup(input, input.form, endpoint, index);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
