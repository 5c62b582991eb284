// veracity review UI: countdowns, keyboard shortcuts, reveal, status polling. No build step.
(function () {
  "use strict";

  // The page's language for what this script writes (templating.JS_WORDS); English if absent.
  var WORDS = {};
  try { WORDS = JSON.parse(document.body.dataset.words || "{}"); } catch (e) { WORDS = {}; }
  function say(key, fallback, fields) {
    var text = WORDS[key] || fallback;
    Object.keys(fields || {}).forEach(function (k) { text = text.split("{" + k + "}").join(fields[k]); });
    return text;
  }

  function formatSpan(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var pad = function (n) { return n < 10 ? "0" + n : String(n); };
    return (h ? say("hours", "{n}h", { n: h }) + " " : "") + say("minutes", "{n}m", { n: pad(m) }) +
      " " + say("seconds", "{n}s", { n: pad(sec) });
  }

  function tickTimers() {
    document.querySelectorAll("time[data-deadline]").forEach(function (el) {
      var deadline = Date.parse(el.dataset.deadline || "");
      if (isNaN(deadline)) { return; }
      var left = deadline - Date.now();
      if (left >= 0) {
        el.textContent = say("left", "{span} left", { span: formatSpan(left) });
        el.classList.toggle("soon", left < 5 * 60 * 1000);
        el.classList.remove("overdue");
      } else {
        el.textContent = el.dataset.expiredText || say("overdue", "overdue by {span}", { span: formatSpan(left) });
        el.classList.add("overdue");
      }
    });
  }

  function submitShortcut(key) {
    var form = document.querySelector('form[data-shortcut="' + key + '"]');
    if (form) { form.requestSubmit(); return true; }
    return false;
  }

  function choose(key) {
    var radio = document.querySelector('#decision-form input[type=radio][data-key="' + key + '"]');
    if (radio) { radio.checked = true; radio.focus(); return true; }
    return false;
  }

  function toggleHelp(show) {
    var help = document.getElementById("shortcut-help");
    if (!help) { return; }
    var open = show === undefined ? help.hidden : show;
    help.hidden = !open;
    if (open) { help.querySelector("button").focus(); }
  }

  function revealMedia(el) {
    el.classList.remove("blurred");
    el.dataset.blurred = "false";
    el.removeAttribute("title");
  }

  function reveal() {
    document.querySelectorAll('[data-media][data-blurred="true"]').forEach(revealMedia);
    var body = document.getElementById("post-text");
    if (!body) { return; }
    body.classList.remove("sensitive");
    body.dataset.blurred = "false";
    document.querySelectorAll(".related-text.sensitive").forEach(function (el) { el.classList.remove("sensitive"); });
    document.querySelectorAll(".blur-until-reveal").forEach(function (el) { el.classList.remove("blur-until-reveal"); });
    var button = document.getElementById("reveal");
    if (button) { button.remove(); }
  }

  function csrfToken() {
    var field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: body,
      headers: { "Accept": "application/json", "x-csrf-token": csrfToken() }
    });
  }

  // The note is saved on the server as it is typed, so a lease that runs out loses nothing.
  function autosave(note) {
    var timer = null, saved = note.value, status = document.getElementById("note-saved");
    function save() {
      timer = null;
      if (note.value === saved) { return; }
      var value = note.value;
      post(note.dataset.autosave, new URLSearchParams({ note: value }))
        .then(function (r) { if (r.ok) { saved = value; if (status) { status.textContent = say("noteSaved", "Note saved."); } } });
    }
    note.addEventListener("input", function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, 400);
    });
    window.addEventListener("pagehide", function () {
      if (note.value === saved || !navigator.sendBeacon) { return; }
      var data = new FormData();
      data.append("csrf_token", csrfToken());
      data.append("note", note.value);
      navigator.sendBeacon(note.dataset.autosave, data);
    });
  }

  function extendLease() {
    var button = document.getElementById("extend-lease");
    if (!button) { return false; }
    post(button.dataset.extend, new URLSearchParams()).then(function (r) {
      return r.json().then(function (data) {
        var timer = document.getElementById("lease-timer");
        if (data.extended && timer) { timer.dataset.deadline = data.lease_expires_at; tickTimers(); }
        button.textContent = data.extended ? say("extended", "Extended") : (data.reason || say("cannotExtend", "Cannot extend"));
        button.dataset.result = data.extended ? "extended" : "refused";
      });
    });
    return true;
  }

  function isTyping(el) {
    var tag = el && el.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" ||
      (tag === "INPUT" && !/^(radio|checkbox|submit|button|hidden)$/.test(el.type));
  }

  function onKey(ev) {
    if (ev.altKey || ev.metaKey) { return; }
    var decision = document.getElementById("decision-form");
    var target = ev.target;
    if (isTyping(target)) {
      if (ev.key === "Escape") { target.blur(); ev.preventDefault(); }
      else if (ev.key === "Enter" && ev.ctrlKey && decision) { ev.preventDefault(); decision.requestSubmit(); }
      return;
    }
    if (ev.ctrlKey) { return; }
    var key = ev.key;
    var handled = true;
    if (key === "?") { toggleHelp(); }
    else if (key === "Escape") { toggleHelp(false); }
    else if (key === "Enter") {
      if (!decision || target.tagName === "BUTTON" || target.tagName === "A") { return; }
      decision.requestSubmit();
    }
    else if (/^[1-6]$/.test(key)) { handled = choose(key); }
    else if ("rldgx".indexOf(key) >= 0 && key.length === 1) { handled = choose(key); }
    else if (key === "t") { var note = document.getElementById("note"); if (note) { note.focus(); } else { handled = false; } }
    else if (key === "v") { reveal(); }
    else if (key === "m") { handled = extendLease(); }
    else if ("nseu".indexOf(key) >= 0 && key.length === 1) { handled = submitShortcut(key); }
    else { handled = false; }
    if (handled) { ev.preventDefault(); }
  }

  function pollStatus(el) {
    var url = el.dataset.poll;
    if (!url) { return; }
    var tries = 0;
    var timer = setInterval(function () {
      tries += 1;
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (data.status === "pending" && tries < 120) { return; }
          clearInterval(timer);
          el.textContent = data.status + (data.reference ? " (" + data.reference + ")" : "") +
            (data.status === "dead" && data.error ? ": " + data.error : "");
          el.dataset.final = data.status;
        })
        .catch(function () { if (tries >= 120) { clearInterval(timer); } });
    }, 700);
  }

  function guardDoubleSubmit(ev) {
    var form = ev.target;
    if (form.dataset.submitted === "true") { ev.preventDefault(); return; }
    form.dataset.submitted = "true";
  }

  document.addEventListener("DOMContentLoaded", function () {
    tickTimers();
    setInterval(tickTimers, 1000);
    document.addEventListener("keydown", onKey);
    document.addEventListener("submit", guardDoubleSubmit);
    var button = document.getElementById("reveal");
    if (button) { button.addEventListener("click", reveal); }
    var note = document.querySelector("textarea[data-autosave]");
    if (note) { autosave(note); }
    var extend = document.getElementById("extend-lease");
    if (extend) { extend.addEventListener("click", extendLease); }
    document.querySelectorAll("[data-media]").forEach(function (el) {
      el.addEventListener("click", function (ev) {
        if (el.dataset.blurred === "true") { ev.preventDefault(); revealMedia(el); }
      });
    });
    document.querySelectorAll("form[data-carry-note]").forEach(function (form) {
      form.addEventListener("submit", function () {
        var field = form.querySelector('input[name="' + form.dataset.carryNote + '"]');
        var typed = document.getElementById("note");
        if (field && typed) { field.value = typed.value; }
      });
    });
    document.querySelectorAll("[data-select-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        document.querySelectorAll('input[name="' + box.dataset.selectAll + '"]').forEach(function (c) { c.checked = box.checked; });
      });
    });
    document.querySelectorAll("[data-close-help]").forEach(function (b) {
      b.addEventListener("click", function () { toggleHelp(false); });
    });
    document.querySelectorAll("[data-poll]").forEach(pollStatus);
    document.querySelectorAll("[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (ev) {
        if (!window.confirm(form.dataset.confirm)) { ev.preventDefault(); ev.stopImmediatePropagation(); }
      }, true);
    });
  });
})();
