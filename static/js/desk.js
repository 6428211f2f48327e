// Small helpers for the desk. Every form works without this script.
(function () {
  "use strict";

  // Queue: select every row for a bulk action.
  var selectAll = document.getElementById("select-all");
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      document.querySelectorAll('input[name="cases"][form="bulk-form"]').forEach(function (box) {
        box.checked = selectAll.checked;
      });
    });
  }

  var body = document.querySelector("#reply-form textarea[name=body]");

  // Workspace: insert a canned answer at the cursor instead of reloading the page.
  var cannedForm = document.getElementById("canned-form");
  if (cannedForm && body) {
    cannedForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var option = document.getElementById("canned-select").selectedOptions[0];
      if (!option || !option.value) return;
      var text = option.dataset.text;
      var start = body.selectionStart || 0;
      var end = body.selectionEnd || 0;
      body.value = body.value.slice(0, start) + text + body.value.slice(end);
      body.focus();
      body.setSelectionRange(start + text.length, start + text.length);
      body.dispatchEvent(new Event("input"));
    });
  }

  // Workspace: "Insert link" puts a suggested article's public link into the reply at the
  // cursor and records the use on the case; without this script the form records it and
  // shows the link to copy.
  document.querySelectorAll("form.kb-insert").forEach(function (form) {
    if (!body) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = form.dataset.title + ": " + form.dataset.link;
      var start = body.selectionStart || 0;
      var end = body.selectionEnd || 0;
      var before = body.value.slice(0, start);
      if (before && !/\s$/.test(before)) text = "\n" + text;
      body.value = before + text + body.value.slice(end);
      body.focus();
      body.setSelectionRange(start + text.length, start + text.length);
      body.dispatchEvent(new Event("input"));
      fetch(form.action, {
        method: "POST",
        headers: {
          Accept: "application/json",
          "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value,
        },
        credentials: "same-origin",
      }).then(function (response) {
        if (!response.ok) return;
        var button = form.querySelector("button");
        button.textContent = "Inserted";
        button.className = "btn btn-sm btn-success text-nowrap";
      });
    });
  });

  // Workspace: point out phrases the phrase guide says to avoid, as the agent types.
  var guide = document.getElementById("phrase-guide");
  var hints = document.getElementById("phrase-hints");
  if (guide && hints && body) {
    var phrases = JSON.parse(guide.textContent).map(function (phrase) {
      var words = phrase.avoid.trim().split(/\s+/).map(function (word) {
        return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      });
      phrase.pattern = new RegExp("(^|[^\\w])" + words.join("\\s+") + "(?![\\w])", "i");
      return phrase;
    });
    var check = function () {
      hints.replaceChildren();
      phrases.forEach(function (phrase) {
        if (phrase.avoid.trim() && phrase.pattern.test(body.value)) {
          var line = document.createElement("div");
          line.className = "phrase-hint";
          line.textContent = "Instead of “" + phrase.avoid + "”, try “" + phrase.prefer + "”.";
          hints.appendChild(line);
        }
      });
    };
    body.addEventListener("input", check);
    check();
  }
})();
