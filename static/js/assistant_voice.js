/* Ask by voice (templates/assistant/_voice.html): the microphone button beside the chat's
   message box. Two ways to listen, the first that works:
   1. the browser's own speech recognition (SpeechRecognition / webkitSpeechRecognition), in
      the page's language (<html lang>);
   2. otherwise (or when that recognition fails, e.g. it needs a network it doesn't have) the
      page records the microphone with Web Audio for at most 10 seconds, makes a 16 kHz mono
      16-bit WAV here, uploads it to the voice API (POST, multipart field `audio`) and polls the
      clip until the server has transcribed it offline.
   Either way the words are put into the message box for the shopper to correct: nothing is
   sent until they press Send. The button stays hidden when neither way exists, or when the
   site's Permissions-Policy does not allow the microphone. */
(function () {
  "use strict";

  var RATE = 16000;
  var POLL_MS = 800;
  var POLL_TRIES = 40;

  var root = document.querySelector("[data-cz-voice]");
  if (!root) return;
  var box = document.getElementById(root.dataset.target || "cz-chat-message");
  var button = root.querySelector("button");
  var status = root.querySelector("[role=status]");
  if (!box || !button) return;

  var labels = root.dataset;
  var maxSeconds = Math.min(parseInt(labels.maxSeconds, 10) || 10, 10);
  var Recognition = window.SpeechRecognition || window.webkitSpeechRecognition;
  var AudioContextClass = window.AudioContext || window.webkitAudioContext;
  var canRecord = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia &&
    AudioContextClass && window.fetch && window.FormData && window.Blob);

  function microphoneAllowed() {
    var policy = document.permissionsPolicy || document.featurePolicy;
    if (!policy || typeof policy.allowsFeature !== "function") return true;
    return policy.allowsFeature("microphone");
  }

  if ((!Recognition && !canRecord) || !microphoneAllowed()) return;
  root.hidden = false;
  // The status is read under the message box, where the words will appear, not squeezed
  // between the buttons.
  var row = box.closest ? box.closest(".cz-chat-row") : null;
  if (row && status) row.insertAdjacentElement("afterend", status);

  var placeholder = box.getAttribute("placeholder") || "";
  var session = null; // what is listening now: {stop: function}
  var browserRecognitionFailed = false;

  function say(text) {
    if (status) status.textContent = text || "";
  }

  function listening(on, hint) {
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.setAttribute("aria-label", on ? labels.labelStop : labels.labelStart);
    button.classList.toggle("active", on);
    box.setAttribute("placeholder", hint || placeholder);
  }

  function finish(message) {
    session = null;
    listening(false);
    button.disabled = false;
    say(message);
  }

  // The words go after what the shopper already typed, for them to edit; never sent.
  function putWords(words) {
    words = String(words || "").trim();
    if (!words) return false;
    var before = box.value.replace(/\s+$/, "");
    box.value = before ? before + " " + words : words;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    return true;
  }

  function pageLanguage() {
    var lang = (document.documentElement.getAttribute("lang") || "en").toLowerCase();
    if (lang.indexOf("-") > 0) return lang;
    return lang === "hi" ? "hi-IN" : lang === "en" ? "en-IN" : lang;
  }

  // --- 1. The browser's speech recognition ---------------------------------------------------

  function startBrowserRecognition() {
    var recognition = new Recognition();
    var heard = "";
    var failed = null;
    recognition.lang = pageLanguage();
    recognition.interimResults = false;
    recognition.continuous = false;
    recognition.maxAlternatives = 1;
    recognition.onresult = function (event) {
      for (var i = event.resultIndex; i < event.results.length; i++) {
        if (event.results[i].isFinal) heard += " " + event.results[i][0].transcript;
      }
    };
    recognition.onerror = function (event) {
      failed = event.error;
    };
    recognition.onend = function () {
      if (failed === "not-allowed" || failed === "service-not-allowed") {
        if (failed === "service-not-allowed" && canRecord) return fallBackToRecording();
        return finish(labels.labelDenied);
      }
      if (failed && failed !== "no-speech" && failed !== "aborted" && canRecord) {
        return fallBackToRecording();
      }
      finish(putWords(heard) ? labels.labelDone : labels.labelNothing);
    };
    session = { stop: function () { recognition.stop(); } };
    listening(true, labels.labelListening);
    say(labels.labelListening);
    recognition.start();
  }

  // The browser's recogniser can't be used here (offline, no service): record instead, and
  // keep recording for the rest of this page's life.
  function fallBackToRecording() {
    browserRecognitionFailed = true;
    session = null;
    startRecording();
  }

  // --- 2. Recording, for the server's offline transcription ----------------------------------

  function startRecording() {
    button.disabled = true;
    navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true },
    }).then(function (stream) {
      button.disabled = false;
      record(stream);
    }, function () {
      finish(labels.labelDenied);
    });
  }

  function record(stream) {
    var context = new AudioContextClass();
    // A context made after an await (the permission prompt) may start suspended.
    if (context.state === "suspended" && context.resume) context.resume();
    var source = context.createMediaStreamSource(stream);
    // ScriptProcessorNode: deprecated but everywhere; an AudioWorklet would need a module
    // file of its own for a few lines of copying.
    var processor = context.createScriptProcessor(4096, 1, 1);
    var chunks = [];
    var length = 0;
    var limit = Math.floor(context.sampleRate * maxSeconds);
    var stopped = false;
    var timer = null;

    processor.onaudioprocess = function (event) {
      if (stopped) return;
      var input = event.inputBuffer.getChannelData(0);
      var room = limit - length;
      var copy = new Float32Array(input.subarray(0, Math.min(room, input.length)));
      chunks.push(copy);
      length += copy.length;
      if (length >= limit) stop();
    };
    source.connect(processor);
    processor.connect(context.destination);

    function stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      source.disconnect();
      processor.disconnect();
      stream.getTracks().forEach(function (track) { track.stop(); });
      var rate = context.sampleRate;
      if (context.close) context.close();
      var samples = joined(chunks, length);
      if (!samples.length) return finish(labels.labelNothing);
      upload(wav(downsample(samples, rate)));
    }

    timer = setTimeout(stop, maxSeconds * 1000 + 250);
    session = { stop: stop };
    listening(true, labels.labelRecording);
    say(labels.labelRecording);
  }

  function joined(parts, length) {
    var out = new Float32Array(length);
    var offset = 0;
    parts.forEach(function (part) {
      out.set(part, offset);
      offset += part.length;
    });
    return out;
  }

  // To 16 kHz: each output sample averages the input samples it stands for (a box low-pass,
  // so hiss above 8 kHz doesn't fold into speech), as the server does for other rates.
  function downsample(samples, rate) {
    if (rate === RATE) return samples;
    var ratio = rate / RATE;
    var count = Math.floor(samples.length / ratio);
    var out = new Float32Array(count);
    for (var i = 0; i < count; i++) {
      var start = Math.floor(i * ratio);
      var end = Math.max(start + 1, Math.min(samples.length, Math.floor((i + 1) * ratio)));
      var sum = 0;
      for (var j = start; j < end; j++) sum += samples[j];
      out[i] = sum / (end - start);
    }
    return out;
  }

  // A RIFF/WAVE file: PCM, mono, 16 kHz, 16-bit little-endian.
  function wav(samples) {
    var buffer = new ArrayBuffer(44 + samples.length * 2);
    var view = new DataView(buffer);
    function text(offset, value) {
      for (var i = 0; i < value.length; i++) view.setUint8(offset + i, value.charCodeAt(i));
    }
    text(0, "RIFF");
    view.setUint32(4, 36 + samples.length * 2, true);
    text(8, "WAVE");
    text(12, "fmt ");
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true); // PCM
    view.setUint16(22, 1, true); // mono
    view.setUint32(24, RATE, true);
    view.setUint32(28, RATE * 2, true);
    view.setUint16(32, 2, true);
    view.setUint16(34, 16, true);
    text(36, "data");
    view.setUint32(40, samples.length * 2, true);
    for (var i = 0; i < samples.length; i++) {
      var sample = Math.max(-1, Math.min(1, samples[i]));
      view.setInt16(44 + i * 2, sample < 0 ? sample * 0x8000 : sample * 0x7fff, true);
    }
    return new Blob([view], { type: "audio/wav" });
  }

  function csrfToken() {
    var form = box.form || document;
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function upload(blob) {
    listening(false, labels.labelWorking);
    button.disabled = true;
    say(labels.labelWorking);
    var body = new FormData();
    body.append("audio", blob, "question.wav");
    fetch(labels.uploadUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    }).then(answered, function () { finish(labels.labelFailed); });
  }

  function answered(response) {
    return response.json().then(function (clip) {
      if (!response.ok) {
        var error = clip && clip.error;
        var field = error && error.fields && error.fields.audio;
        return finish((field && field[0]) || (error && error.message) || labels.labelFailed);
      }
      show(clip, 0);
    }, function () { finish(labels.labelFailed); });
  }

  function show(clip, tries) {
    if (clip.status === "done") {
      return finish(putWords(clip.transcript) ? labels.labelDone : labels.labelNothing);
    }
    if (clip.status === "failed") return finish(clip.error || labels.labelFailed);
    if (tries >= POLL_TRIES) return finish(labels.labelFailed);
    setTimeout(function () {
      var url = labels.uploadUrl.replace(/\/?$/, "/") + encodeURIComponent(clip.id) + "/";
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (next) { show(next, tries + 1); }, function () {
          finish(labels.labelFailed);
        });
    }, POLL_MS);
  }

  // --- The button ------------------------------------------------------------------------------

  button.addEventListener("click", function () {
    if (session) {
      session.stop();
      return;
    }
    say("");
    if (Recognition && !browserRecognitionFailed) {
      try {
        startBrowserRecognition();
        return;
      } catch (error) {
        browserRecognitionFailed = true;
      }
    }
    if (canRecord) startRecording();
  });
})();
