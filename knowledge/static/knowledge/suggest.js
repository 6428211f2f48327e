// Contact form: suggest help-centre articles while the customer types. The form works without it.
(function () {
  "use strict";

  var panel = document.getElementById("kb-suggestions");
  var subject = document.getElementById("id_subject");
  var message = document.getElementById("id_message");
  if (!panel || !subject || !window.fetch) return;

  var reported = new Set();
  var form = subject.form;
  var csrf = form ? form.querySelector("[name=csrfmiddlewaretoken]") : null;
  var timer = null;
  var asked = "";
  var latest = 0;

  function update() {
    var params = new URLSearchParams({
      subject: subject.value.slice(0, 200),
      message: message ? message.value.slice(0, 2000) : "",
    });
    var query = params.get("subject") + "\n" + params.get("message");
    if (query === asked) return;
    asked = query;
    var ticket = ++latest;
    fetch(panel.dataset.url + "?" + params.toString(), { headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        // An older answer arriving late must not replace a newer one.
        if (html === null || ticket !== latest) return;
        panel.innerHTML = html; // rendered and escaped by the server
        report();
      })
      .catch(function () {});
  }

  // Tell the server which articles this page view showed, each once: a POST, so that
  // fetching suggestions (a GET anyone can replay) never moves the counters.
  function report() {
    var body = new URLSearchParams({ view: panel.dataset.view || "" });
    panel.querySelectorAll("[data-article]").forEach(function (item) {
      if (!reported.has(item.dataset.article)) {
        reported.add(item.dataset.article);
        body.append("article", item.dataset.article);
      }
    });
    if (!body.has("article") || !csrf || !panel.dataset.reportUrl) return;
    fetch(panel.dataset.reportUrl, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrf.value },
      credentials: "same-origin",
    }).catch(function () {});
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(update, 250);
  }

  // On a narrow screen the form comes first, so the suggestions would sit below the Send
  // button, unseen: move their card into the form, just above it (and back when wide).
  var card = document.getElementById("kb-suggestions-card");
  var narrowSlot = document.getElementById("kb-suggestions-narrow");
  var wideSlot = card ? card.parentNode : null;
  var narrow = window.matchMedia ? window.matchMedia("(max-width: 991.98px)") : null;
  function place() {
    if (!card || !narrowSlot || !narrow) return;
    var target = narrow.matches ? narrowSlot : wideSlot;
    if (card.parentNode !== target) target.appendChild(card);
  }
  if (narrow) {
    place();
    if (narrow.addEventListener) narrow.addEventListener("change", place);
  }

  subject.addEventListener("input", later);
  if (message) message.addEventListener("input", later);
  if (subject.value.trim()) update();
})();
