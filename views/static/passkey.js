// Passkey ceremonies for mfadesk. Served as a file (the CSP allows no
// inline script). Buttons and forms carry data attributes:
//   data-passkey-options  URL that returns the WebAuthn options (POST)
//   data-passkey-finish   URL that checks the browser's answer (POST)
//   data-passkey-kind     "create" (register) or "get" (log in / confirm)
// Extra form fields (name, trading password, op, method) travel with the
// answer; the server answers JSON {ok, redirect, error}.
(function () {
  "use strict";

  function b64urlToBuf(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function bufToB64url(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(o) {
    var pk = o.publicKey;
    pk.challenge = b64urlToBuf(pk.challenge);
    pk.user.id = b64urlToBuf(pk.user.id);
    (pk.excludeCredentials || []).forEach(function (c) { c.id = b64urlToBuf(c.id); });
    return { publicKey: pk };
  }

  function requestOptions(o) {
    var pk = o.publicKey;
    pk.challenge = b64urlToBuf(pk.challenge);
    (pk.allowCredentials || []).forEach(function (c) { c.id = b64urlToBuf(c.id); });
    return { publicKey: pk };
  }

  function credentialJSON(cred) {
    var r = cred.response, out = {
      id: cred.id, rawId: bufToB64url(cred.rawId), type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: bufToB64url(r.clientDataJSON) }
    };
    if (cred.authenticatorAttachment) out.authenticatorAttachment = cred.authenticatorAttachment;
    if (r.attestationObject) {
      out.response.attestationObject = bufToB64url(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    } else {
      out.response.authenticatorData = bufToB64url(r.authenticatorData);
      out.response.signature = bufToB64url(r.signature);
      if (r.userHandle) out.response.userHandle = bufToB64url(r.userHandle);
    }
    return JSON.stringify(out);
  }

  function formBody(root, extra) {
    var body = new URLSearchParams();
    var csrf = document.querySelector('input[name="_csrf"]');
    if (csrf) body.set("_csrf", csrf.value);
    if (root && root.tagName === "FORM") {
      new FormData(root).forEach(function (v, k) { body.set(k, v); });
    }
    Object.keys(extra || {}).forEach(function (k) { body.set(k, extra[k]); });
    return body;
  }

  function post(url, body) {
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" } }).then(function (r) {
      return r.json().catch(function () { return { ok: false }; });
    });
  }

  function showError(el, msg) {
    var box = document.querySelector("[data-passkey-error]");
    if (!box) return;
    box.textContent = msg || box.getAttribute("data-default-message");
    box.hidden = false;
    box.focus();
  }

  function run(el, event) {
    event.preventDefault();
    var kind = el.getAttribute("data-passkey-kind");
    var optionsURL = el.getAttribute("data-passkey-options");
    var finishURL = el.getAttribute("data-passkey-finish");
    el.setAttribute("aria-busy", "true");
    post(optionsURL, formBody(el)).then(function (opts) {
      if (!opts || !opts.publicKey) throw { serverMessage: opts && opts.error };
      return kind === "create"
        ? navigator.credentials.create(creationOptions(opts))
        : navigator.credentials.get(requestOptions(opts));
    }).then(function (cred) {
      return post(finishURL, formBody(el, { credential: credentialJSON(cred) }));
    }).then(function (res) {
      if (res.ok && res.redirect) { window.location.assign(res.redirect); return; }
      showError(el, res.error);
    }).catch(function (err) {
      // The server's message is in the page's language; the browser's own
      // (a DOMException when the customer cancels) is not: show ours.
      showError(el, err && err.serverMessage ? err.serverMessage : "");
    }).finally(function () { el.removeAttribute("aria-busy"); });
  }

  function init() {
    var supported = !!(window.PublicKeyCredential && navigator.credentials);
    document.querySelectorAll("[data-passkey-kind]").forEach(function (el) {
      if (!supported) return;
      el.hidden = false;
      el.addEventListener(el.tagName === "FORM" ? "submit" : "click", function (e) { run(el, e); });
    });
    if (!supported) {
      document.querySelectorAll("[data-passkey-unsupported]").forEach(function (el) { el.hidden = false; });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
