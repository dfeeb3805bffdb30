// The live part of a support case page (#case-live): while the staff
// member waits for the customer to confirm a link or for a supervisor to
// decide a request, it fetches the part again every few seconds from its
// data-live-src and swaps it in when data-live-state moved, dropping the
// notice of the last action (#case-notices). Served as a file (the CSP
// allows no inline script). A poll never counts as activity on the
// server, so an unattended page still times out; any refusal or redirect
// (logged out, case gone) stops it.
(function () {
  "use strict";

  var every = 4000;
  var stopAfter = 30 * 60 * 1000;
  var started = Date.now();

  function region() { return document.getElementById("case-live"); }

  function poll() {
    var live = region();
    if (!live || Date.now() - started > stopAfter) return;
    fetch(live.getAttribute("data-live-src"), {
      credentials: "same-origin", cache: "no-store", redirect: "error",
      headers: { "Accept": "text/html" }
    }).then(function (res) {
      if (!res.ok) throw new Error("live part refused: " + res.status);
      return res.text();
    }).then(function (html) {
      var tpl = document.createElement("template");
      tpl.innerHTML = html;
      var next = tpl.content.getElementById("case-live");
      if (!next) throw new Error("no live part in the answer");
      var state = next.getAttribute("data-live-state");
      if (state !== live.getAttribute("data-live-state")) {
        live.setAttribute("data-live-state", state);
        live.replaceChildren.apply(live, Array.prototype.slice.call(next.childNodes));
        dropNotices();
      }
      setTimeout(poll, every);
    }).catch(function () { /* stopped: the page still works by reloading */ });
  }

  // The notice of the action before the move (「確認用リンクを送りました」)
  // is old news: drop it, and its ?notice= so a reload does not bring it back.
  function dropNotices() {
    var notices = document.getElementById("case-notices");
    if (notices) notices.remove();
    var url = new URL(location.href);
    if (url.searchParams.has("notice")) {
      url.searchParams.delete("notice");
      history.replaceState(history.state, "", url);
    }
  }

  if (region()) setTimeout(poll, every);
})();
