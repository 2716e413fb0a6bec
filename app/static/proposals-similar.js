/* Hiroba proposals: while a person types the title and text of a proposal, show up to three
   similar proposals of the space, so they can support an existing idea instead of splitting
   support. Progressive enhancement only: the preview page shows the same list without script.
   No inline script (CSP); text is inserted with textContent, never as HTML. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-similar-url]");
  if (!form || !window.fetch) { return; }
  var box = document.getElementById("similar-live");
  var list = box && box.querySelector(".similar-list");
  var title = form.querySelector("[name=title]");
  var body = form.querySelector("[name=body]");
  if (!box || !list || !title || !body) { return; }
  var url = form.getAttribute("data-similar-url");
  var exclude = form.getAttribute("data-similar-exclude") || "";
  var timer = null;
  var lastQuery = "";
  var pending = null;

  function render(items) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.slice(0, 3).forEach(function (item) {
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      link.target = "_blank";
      link.rel = "noopener";
      li.appendChild(link);
      var meta = document.createElement("span");
      meta.className = "muted";
      meta.textContent = " " + item.status_label + " · " + item.support_label;
      li.appendChild(meta);
      list.appendChild(li);
    });
    box.hidden = items.length === 0;
  }

  function lookUp() {
    var query = (title.value + "\n" + body.value.slice(0, 1000)).trim();
    if (query.length < 4 || query === lastQuery) { return; }
    lastQuery = query;
    if (pending && pending.abort) { pending.abort(); }
    pending = window.AbortController ? new AbortController() : null;
    var address = url + "?q=" + encodeURIComponent(query) +
      (exclude ? "&exclude=" + encodeURIComponent(exclude) : "");
    fetch(address, {credentials: "same-origin", signal: pending ? pending.signal : undefined,
                    headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {items: []}; })
      .then(function (data) { render(data.items || []); })
      .catch(function () { /* offline or aborted: the preview page still lists them */ });
  }

  function schedule() {
    if (timer) { window.clearTimeout(timer); }
    timer = window.setTimeout(lookUp, 450);
  }

  title.addEventListener("input", schedule);
  body.addEventListener("input", schedule);
  if (title.value) { schedule(); }
}());
