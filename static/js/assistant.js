/* The assistant's chat (templates/assistant/chat.html). Without this file the form posts to
   assistant:send and the page comes back with the answer. With it, the question goes to
   assistant:stream and the answer is written as it arrives: server-sent events read with
   fetch and a ReadableStream (EventSource can't POST), one event per block:
   `event: <type>\ndata: <json>\n\n`, types conversation / text / cards / replace / done / error.
   Cards are built here with the same markup as templates/assistant/_card.html. */
(function () {
  "use strict";

  var chat = document.querySelector("[data-cz-chat]");
  var form = document.getElementById("cz-chat-form");
  if (!chat || !form || !window.fetch || !window.ReadableStream || !window.TextDecoder) return;

  var box = document.getElementById("cz-chat-message");
  var log = document.getElementById("cz-chat-log");
  var errorBox = document.getElementById("cz-chat-error");
  var title = document.getElementById("cz-chat-title");
  var conversationInput = form.querySelector("input[name=conversation]");
  var sendButton = form.querySelector("button[type=submit][data-testid=send]");
  var NO_ID = "00000000-0000-0000-0000-000000000000";
  var busy = false;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // Cards come from our own tools, but are shown as links: only site paths and http(s).
  function safeUrl(url) {
    url = String(url || "");
    if (url.charAt(0) === "/" && url.charAt(1) !== "/") return url;
    return /^https?:\/\//i.test(url) ? url : "";
  }

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function cardNode(card) {
    var article = el("article", "cz-card cz-ai-card");
    article.dataset.cardType = card.type || "";
    var head = el("div", "d-flex gap-2 align-items-start");
    var image = safeUrl(card.image);
    if (image) {
      var img = el("img", "cz-ai-card-image");
      img.src = image;
      img.alt = "";
      img.width = 40;
      img.height = 40;
      img.setAttribute("data-cz-hide-broken", "");
      head.appendChild(img);
    }
    var main = el("div", "cz-ai-card-main");
    var heading = el("h3", "h6 fw-bold mb-0");
    var url = safeUrl(card.url);
    if (url) {
      var link = el("a", "text-reset", card.title);
      link.href = url;
      heading.appendChild(link);
    } else {
      heading.textContent = card.title || "";
    }
    main.appendChild(heading);
    if (card.subtitle) main.appendChild(el("p", "small text-body-secondary mb-0", card.subtitle));
    head.appendChild(main);
    article.appendChild(head);

    var facts = (card.facts || []).filter(function (fact) { return fact && fact.length === 2; });
    if (facts.length) {
      var list = el("dl", "cz-ai-facts small mb-0");
      facts.forEach(function (fact) {
        var row = el("div");
        row.appendChild(el("dt", "", String(fact[0])));
        row.appendChild(el("dd", "", String(fact[1])));
        list.appendChild(row);
      });
      article.appendChild(list);
    }

    var actions = (card.actions || []).filter(function (action) { return safeUrl(action.url); });
    if (actions.length) {
      var bar = el("div", "cz-ai-actions");
      actions.forEach(function (action, index) {
        var style = "btn btn-sm " + (index === 0 ? "btn-primary" : "btn-outline-primary");
        var fields = action.fields || {};
        if (action.method === "post") {
          var actionForm = el("form");
          actionForm.method = "post";
          actionForm.action = safeUrl(action.url);
          var names = Object.keys(fields).concat(["csrfmiddlewaretoken"]);
          names.forEach(function (name) {
            var hidden = el("input");
            hidden.type = "hidden";
            hidden.name = name;
            hidden.value = name === "csrfmiddlewaretoken" ? csrfToken() : String(fields[name]);
            actionForm.appendChild(hidden);
          });
          var button = el("button", style, action.label);
          button.type = "submit";
          actionForm.appendChild(button);
          bar.appendChild(actionForm);
        } else {
          var target = safeUrl(action.url);
          var query = new URLSearchParams(fields).toString();
          var anchor = el("a", style, action.label);
          anchor.href = query ? target + (target.indexOf("?") < 0 ? "?" : "&") + query : target;
          bar.appendChild(anchor);
        }
      });
      article.appendChild(bar);
    }
    return article;
  }

  function bubble(role, text) {
    var article = el("article", "cz-msg cz-msg-" + role);
    // As templates/assistant/_message.html marks a message.
    article.setAttribute("data-testid", "message-" + role);
    article.appendChild(el("h2", "visually-hidden",
      role === "user" ? chat.dataset.labelYou : chat.dataset.labelAssistant));
    var body = el("div", "cz-msg-text", text);
    article.appendChild(body);
    log.appendChild(article);
    return { node: article, text: body };
  }

  function showError(message) {
    errorBox.textContent = message;
    box.classList.add("is-invalid");
    box.setAttribute("aria-invalid", "true");
  }

  function clearError() {
    errorBox.textContent = "";
    box.classList.remove("is-invalid");
    box.removeAttribute("aria-invalid");
  }

  function setBusy(on) {
    busy = on;
    log.setAttribute("aria-busy", on ? "true" : "false");
    if (sendButton) {
      sendButton.disabled = on;
    }
  }

  // The conversation's page, keeping `store` and `from` as the page without JavaScript does.
  function conversationUrl(id) {
    var url = chat.dataset.conversationUrl.replace(NO_ID, id);
    var current = new URLSearchParams(window.location.search);
    var kept = new URLSearchParams();
    ["store", "from"].forEach(function (name) {
      if (current.get(name)) kept.set(name, current.get(name));
    });
    var query = kept.toString();
    return query ? url + "?" + query : url;
  }

  // Rename and Delete, once a new chat has become a conversation.
  function showConversationActions(id) {
    var actions = chat.querySelector("[data-cz-conversation-actions]");
    if (!actions || !actions.hidden) return;
    Array.prototype.forEach.call(actions.querySelectorAll("a"), function (link) {
      link.href = link.getAttribute("href").replace(NO_ID, id);
    });
    actions.hidden = false;
  }

  // One block of the stream: its `data:` lines joined, parsed as the event.
  function parseBlock(block) {
    var data = block.split("\n").filter(function (line) { return line.indexOf("data:") === 0; })
      .map(function (line) { return line.slice(5).replace(/^ /, ""); });
    if (!data.length) return null;
    try { return JSON.parse(data.join("\n")); } catch (err) { return null; }
  }

  function send(message) {
    if (busy) return;
    clearError();
    // The empty state gives way to the conversation (and comes back if the question is refused).
    var empty = chat.querySelector("[data-testid=chat-empty]");
    if (empty) empty.hidden = true;

    var data = new FormData(form);
    data.set("message", message);
    var question = bubble("user", message);
    var answer = bubble("assistant", "");
    answer.node.classList.add("cz-msg-pending");
    answer.text.dataset.pending = chat.dataset.labelThinking;
    var cards = el("div", "cz-cards");
    answer.node.appendChild(cards);
    box.value = "";
    setBusy(true);
    question.node.scrollIntoView({ block: "nearest" });

    var failed = false;
    var finished = false;

    function undo(messageText) {
      // Refused before anything was kept: the question goes back in the box.
      failed = true;
      question.node.remove();
      answer.node.remove();
      if (empty && !log.children.length) empty.hidden = false;
      box.value = message;
      showError(messageText);
      box.focus();
    }

    function handle(event) {
      if (!event || failed) return;
      if (event.type === "conversation") {
        if (conversationInput) conversationInput.value = event.id;
        if (event.title && title) title.textContent = event.title;
        window.history.replaceState(null, "", conversationUrl(event.id));
        showConversationActions(event.id);
      } else if (event.type === "text") {
        answer.text.textContent += event.delta;
      } else if (event.type === "cards") {
        (event.cards || []).forEach(function (card) { cards.appendChild(cardNode(card)); });
      } else if (event.type === "replace") {
        answer.text.textContent = event.text;
        // An empty replace: the model failed part way and the offline engine answers anew.
        if (!event.text) cards.textContent = "";
      } else if (event.type === "error") {
        undo(event.message);
      } else if (event.type === "done") {
        finished = true;
      }
    }

    fetch(chat.dataset.streamUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "text/event-stream" }
    }).then(function (response) {
      if (!response.body) throw new Error("no body");
      var reader = response.body.getReader();
      var decoder = new TextDecoder();
      var buffer = "";
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) {
            buffer += decoder.decode();
            buffer.split("\n\n").forEach(function (block) { handle(parseBlock(block)); });
            return;
          }
          buffer += decoder.decode(chunk.value, { stream: true });
          var blocks = buffer.split("\n\n");
          buffer = blocks.pop();
          blocks.forEach(function (block) { handle(parseBlock(block)); });
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      // The connection dropped: the question is kept on the server once the stream began.
    }).then(function () {
      setBusy(false);
      answer.node.classList.remove("cz-msg-pending");
      if (!failed && !finished) {
        answer.node.classList.add("cz-msg-error");
        answer.text.textContent = chat.dataset.labelFailed;
        if (!box.value) box.value = message;
      }
      // The question at the top, the answer's start under it: their scroll-margin-top
      // (assistant.css) keeps both clear of the sticky header.
      if (!failed) question.node.scrollIntoView({ block: "start" });
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var message = box.value.trim();
    if (!message) {
      // The form has novalidate, so the error shows as the page's own does without this file.
      showError(chat.dataset.labelEmpty);
      box.focus();
      return;
    }
    send(message);
  });

  // The error goes once the shopper types again.
  box.addEventListener("input", function () {
    if (box.value.trim()) clearError();
  });

  // Enter sends, Shift+Enter starts a new line (not while an input method is composing).
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  // Example questions: without this file each posts itself; with it, it is asked here.
  Array.prototype.forEach.call(document.querySelectorAll("[data-cz-ask]"), function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      box.value = button.value;
      send(button.value);
    });
  });
})();
