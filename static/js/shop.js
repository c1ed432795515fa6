/* The shop pages' small enhancements. Every page works without this file: it only submits
   forms on change, adds − / + buttons, copies codes, counts down to the payment deadline,
   opens Razorpay Checkout, and sends the dev gateway's answer on without a click. */
(function () {
  "use strict";

  function each(selector, fn, root) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  }

  // Forms that answer on change: the "Update" buttons they need without JavaScript go away.
  function autosubmit() {
    each("[data-cz-nojs]", function (el) { el.hidden = true; });
    each("[data-cz-autosubmit]", function (input) {
      var send = function () {
        if (input.form && input.reportValidity()) {
          input.form.requestSubmit ? input.form.requestSubmit() : input.form.submit();
        }
      };
      if (input.type === "number") {
        // Typing "12" must not send "1": wait until the shopper stops typing or leaves.
        var timer;
        input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(send, 900); });
        input.addEventListener("change", function () { clearTimeout(timer); send(); });
      } else {
        input.addEventListener("change", send);
      }
    });
  }

  // A form sent once: a second tap while the first is on its way does nothing.
  function once() {
    each("form[data-cz-once]", function (form) {
      form.addEventListener("submit", function (event) {
        if (form.dataset.czSent) { event.preventDefault(); return; }
        form.dataset.czSent = "1";
        each("button[type=submit]", function (button) {
          button.classList.add("disabled");
          button.setAttribute("aria-disabled", "true");
        }, form);
      });
    });
    // Back from the next page (bfcache): the buttons work again.
    window.addEventListener("pageshow", function () {
      each("form[data-cz-once]", function (form) {
        delete form.dataset.czSent;
        each("button[type=submit]", function (button) {
          button.classList.remove("disabled");
          button.removeAttribute("aria-disabled");
        }, form);
      });
    });
  }

  // Quantity on the product page: − / + within the chosen amount's limits.
  function quantity() {
    each("[data-cz-qty]", function (box) {
      var input = box.querySelector("input[type=number]");
      var form = box.closest("form");
      var help = form && form.querySelector("[data-cz-limits-text]");
      function limits() {
        return { min: parseInt(input.min, 10) || 1, max: parseInt(input.max, 10) || 99 };
      }
      function clamp(value) {
        var l = limits();
        return Math.min(Math.max(value, l.min), Math.max(l.max, l.min));
      }
      each("[data-cz-step]", function (button) {
        button.hidden = false;
        button.addEventListener("click", function () {
          input.value = clamp((parseInt(input.value, 10) || 0) + parseInt(button.dataset.czStep, 10));
          input.dispatchEvent(new Event("change", { bubbles: true }));
        });
      }, box);
      if (!form) return;
      each("input[name=sku]", function (radio) {
        radio.addEventListener("change", function () {
          if (!radio.checked) return;
          input.min = radio.dataset.min;
          input.max = radio.dataset.max;
          input.value = clamp(parseInt(input.value, 10) || 1);
          if (help && radio.dataset.limits) help.textContent = radio.dataset.limits;
        });
      }, form);
    });
  }

  // Copy buttons: <button data-cz-copy="#id" data-cz-copied="Copied" hidden>. They stay
  // hidden without JavaScript; the code itself is always selectable.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () { return legacyCopy(text); });
    }
    return legacyCopy(text);
  }
  function legacyCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  function copy() {
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    document.body.appendChild(status);
    each("[data-cz-copy]", function (button) {
      button.hidden = false;
      var label = button.textContent;
      button.addEventListener("click", function () {
        var target = document.querySelector(button.dataset.czCopy);
        if (!target) return;
        function say(message, ok) {
          button.textContent = message;
          status.textContent = message;
          button.classList.toggle("cz-copied", ok);
          clearTimeout(button._czTimer);
          button._czTimer = setTimeout(function () {
            button.textContent = label;
            button.classList.remove("cz-copied");
          }, 2000);
        }
        copyText(target.textContent.trim()).then(
          function () { say(button.dataset.czCopied || label, true); },
          function () { selectText(target); say(button.dataset.czCopyFailed || label, false); }
        );
      });
    });
  }

  // "12:34 left" beside the payment deadline.
  function countdown() {
    each("[data-cz-deadline]", function (el) {
      var deadline = Date.parse(el.dataset.czDeadline);
      if (isNaN(deadline)) return;
      el.hidden = false;
      function tick() {
        var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
        if (left === 0) {
          el.textContent = el.dataset.czExpiredText || "0:00";
          el.classList.add("is-over");
          clearInterval(timer);
          return;
        }
        var minutes = Math.floor(left / 60);
        var seconds = left % 60;
        el.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      }
      var timer = setInterval(tick, 1000);
      tick();
    });
  }

  // Razorpay Checkout, in redirect mode: Razorpay posts the signed result to callback_url.
  function razorpay() {
    var button = document.querySelector("[data-cz-razorpay]");
    var data = document.getElementById("cz-razorpay-options");
    if (!button || !data) return;
    var error = document.querySelector("[data-cz-razorpay-error]");
    button.hidden = false;
    button.addEventListener("click", function () {
      if (typeof window.Razorpay !== "function") {
        if (error) error.hidden = false;
        return;
      }
      new window.Razorpay(JSON.parse(data.textContent)).open();
    });
  }

  // The dev gateway's answer goes on to the shop by itself, as Razorpay's does.
  function submitOnLoad() {
    each("form[data-cz-submit-on-load]", function (form) {
      setTimeout(function () { form.submit(); }, 600);
    });
  }

  function start() {
    autosubmit();
    once();
    quantity();
    copy();
    countdown();
    razorpay();
    submitOnLoad();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
