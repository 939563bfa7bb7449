/*
 * Một Cửa web chat widget. On any page:
 *
 *   <script src="https://ASSISTANT/webhooks/web/widget.js" data-title="…" data-greeting="…"
 *           data-position="right" defer></script>
 *
 * adds a chat bubble that opens a chat with the assistant. Plain JavaScript, no dependency, no
 * build step. It talks to the assistant it was loaded from (the origin of this script's src):
 * POST /webhooks/web/session (a session the server makes and signs), /webhooks/web/webhook
 * {session, message} and /webhooks/web/poll {session, wait} (a long poll: a helper's replies and
 * notifications while the page is open). Everything it draws lives in a shadow root, styled by
 * widget.css only, so the page's styles and the widget's never meet. Its sentences and limits are
 * put in CONFIG by the server (connectors/web_widget/routes.py, texts.py): the same apology and
 * notes as every other channel.
 *
 * Kept in localStorage (per assistant origin): the session and the transcript, both for the
 * session's life (24 h), so a reload, or another tab, shows and continues the conversation.
 * "Bắt đầu cuộc trò chuyện mới" forgets both (a shared computer).
 */
(function () {
  "use strict";

  var CONFIG = /*MOTCUA_WIDGET_CONFIG*/ {};
  var T = CONFIG.texts || {};
  var script = document.currentScript || document.querySelector('script[src*="/webhooks/web/widget.js"]');
  if (!script || window.__motcuaWebChat) return;
  window.__motcuaWebChat = true;

  var base = new URL(script.src, document.baseURI);
  var API = base.origin + base.pathname.replace(/widget\.js$/, "");
  var KEY = "motcua-web-chat:" + base.origin + ":";
  var TITLE = script.getAttribute("data-title") || T.title;
  var GREETING = script.getAttribute("data-greeting") || T.greeting;
  var POSITION = script.getAttribute("data-position") === "left" ? "left" : "right";
  var MAX_CHARS = CONFIG.maxChars || 2000;
  var WAIT = CONFIG.wait || 20;
  var LOG_CAP = 200;
  var SVG = "http://www.w3.org/2000/svg";

  // -- storage: localStorage when the browser allows it, else this page's memory ----------------
  var memory = {};
  function load(name) {
    var raw = null;
    try {
      raw = window.localStorage.getItem(KEY + name);
    } catch (e) {
      raw = memory[name] || null;
    }
    try {
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }
  function save(name, value) {
    var raw = JSON.stringify(value);
    memory[name] = raw;
    try {
      window.localStorage.setItem(KEY + name, raw);
    } catch (e) {
      /* private mode or storage full: memory only */
    }
  }
  function forget(name) {
    delete memory[name];
    try {
      window.localStorage.removeItem(KEY + name);
    } catch (e) {
      /* nothing kept */
    }
  }

  function session() {
    var kept = load("session");
    if (kept && typeof kept.token === "string" && kept.until > Date.now()) return kept;
    return null;
  }
  function transcript() {
    var kept = load("log");
    if (kept && Array.isArray(kept.entries) && kept.until > Date.now()) return kept.entries;
    return [];
  }
  function keep(entries) {
    var current = session();
    var until = current ? current.until : Date.now() + 3600 * 1000;
    save("log", { until: until, entries: entries.slice(-LOG_CAP) });
  }

  // -- the elements -----------------------------------------------------------------------------
  function el(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (text) node.textContent = text;
    return node;
  }
  function icon(paths) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    paths.forEach(function (d) {
      var path = document.createElementNS(SVG, "path");
      path.setAttribute("d", d);
      svg.appendChild(path);
    });
    return svg;
  }
  var CHAT_ICON = ["M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"];
  var CLOSE_ICON = ["M6 6l12 12M18 6L6 18"];
  var RESTART_ICON = ["M4 12a8 8 0 1 0 2.3-5.6M4 4v4h4"];
  var SEND_ICON = ["M3 20l18-8L3 4v6l12 2-12 2z"];

  var host = document.createElement("motcua-web-chat");
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  var frame = el("div", { class: "frame " + POSITION, hidden: "" });
  var styles = el("link", { rel: "stylesheet", href: API + CONFIG.css });
  styles.addEventListener("load", function () {
    frame.hidden = false; // unstyled, it would spill onto the page: shown once its styles are in
  });

  var bubble = el("button", { type: "button", class: "bubble", "aria-expanded": "false", "aria-controls": "panel" });
  bubble.appendChild(icon(CHAT_ICON));
  bubble.appendChild(el("span", { class: "bubble-label" }, T.bubble));
  var badge = el("span", { class: "badge", hidden: "" });
  bubble.appendChild(badge);

  var panel = el("section", { id: "panel", class: "panel", role: "dialog", "aria-labelledby": "title", hidden: "" });
  var header = el("div", { class: "header" });
  header.appendChild(el("h2", { id: "title", class: "title" }, TITLE));
  var restart = el("button", { type: "button", class: "tool", "aria-label": T.restart, title: T.restart });
  restart.appendChild(icon(RESTART_ICON));
  var close = el("button", { type: "button", class: "tool", "aria-label": T.close, title: T.close });
  close.appendChild(icon(CLOSE_ICON));
  header.appendChild(restart);
  header.appendChild(close);
  var status = el("p", { class: "status", role: "status" }); // empty (and not shown) while connected
  var announce = el("p", { class: "sr", role: "status" }); // "typing…", for screen readers
  var scroller = el("div", { class: "scroller" });
  var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": T.log, tabindex: "0" });
  var typing = el("div", { class: "typing", "aria-hidden": "true", hidden: "" });
  for (var i = 0; i < 3; i += 1) typing.appendChild(el("span", { class: "dot" }));
  scroller.appendChild(log);
  scroller.appendChild(typing);

  var form = el("form", { class: "composer", novalidate: "" });
  var label = el("label", { for: "input", class: "sr" }, T.input);
  var input = el("textarea", {
    id: "input",
    rows: "1",
    maxlength: String(MAX_CHARS),
    placeholder: T.placeholder,
    autocomplete: "off",
    "aria-describedby": "left",
  });
  var send = el("button", { type: "submit", class: "send", "aria-label": T.send, title: T.send });
  send.appendChild(icon(SEND_ICON));
  var left = el("p", { id: "left", class: "left", "aria-live": "polite" });
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);
  var footer = el("p", { class: "footer" }, T.footer);
  panel.appendChild(header);
  panel.appendChild(status);
  panel.appendChild(announce);
  panel.appendChild(scroller);
  panel.appendChild(form);
  panel.appendChild(left);
  panel.appendChild(footer);
  root.appendChild(styles);
  frame.appendChild(panel);
  frame.appendChild(bubble);
  root.appendChild(frame);

  // -- drawing the transcript -------------------------------------------------------------------
  var URL_PATTERN = /https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;
  function paragraph(text) {
    var p = el("p", { class: "text" });
    var at = 0;
    text.replace(URL_PATTERN, function (url, offset) {
      p.appendChild(document.createTextNode(text.slice(at, offset)));
      var link = el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, url);
      link.appendChild(el("span", { class: "sr" }, " " + T.new_link));
      p.appendChild(link);
      at = offset + url.length;
      return url;
    });
    p.appendChild(document.createTextNode(text.slice(at)));
    return p;
  }
  function bubbleOf(entry) {
    var who = entry.who === "me" ? "me" : "bot";
    var item = el("div", { class: "message " + who + (entry.error ? " error" : "") });
    item.appendChild(el("span", { class: "sr" }, (who === "me" ? T.me : T.bot) + " "));
    item.appendChild(paragraph(String(entry.text || "")));
    return item;
  }
  function choicesOf(entry) {
    var group = el("div", { class: "choices", role: "group", "aria-label": T.suggestions });
    (entry.buttons || []).forEach(function (choice) {
      if (!choice || typeof choice.title !== "string") return;
      var button = el("button", { type: "button", class: "choice" }, choice.title);
      button.addEventListener("click", function () {
        input.focus(); // the buttons go once answered: the focus stays in the panel
        ask(String(choice.payload || choice.title), choice.title);
      });
      group.appendChild(button);
    });
    if (entry.retry) {
      var again = el("button", { type: "button", class: "choice" }, T.retry);
      again.addEventListener("click", function () {
        input.focus();
        ask(entry.retry.message, entry.retry.shown);
      });
      group.appendChild(again);
    }
    return group.childNodes.length ? group : null;
  }
  var entries = [];
  function draw() {
    log.textContent = "";
    log.appendChild(bubbleOf({ who: "bot", text: GREETING }));
    entries.forEach(function (entry) {
      log.appendChild(bubbleOf(entry));
    });
    showChoices();
    scrollDown();
  }
  function showChoices() {
    Array.prototype.forEach.call(log.querySelectorAll(".choices"), function (group) {
      group.remove();
    });
    var last = entries[entries.length - 1];
    var group = last && last.who !== "me" && !busy ? choicesOf(last) : null;
    if (group) log.appendChild(group);
  }
  function scrollDown() {
    scroller.scrollTop = scroller.scrollHeight;
  }
  function add(entry) {
    entries = transcript().concat([entry]); // another tab may have added to it
    keep(entries);
    var item = bubbleOf(entry);
    log.appendChild(item);
    showChoices();
    if (entry.who !== "me" && item.offsetHeight > scroller.clientHeight - 48) {
      scroller.scrollTop = item.offsetTop - 8; // a long answer is read from its start
    } else {
      scrollDown();
    }
    if (entry.who !== "me" && panel.hidden) unread(1);
  }
  function addReplies(replies) {
    (Array.isArray(replies) ? replies : []).forEach(function (reply) {
      if (reply && typeof reply.text === "string" && reply.text.trim()) {
        var entry = { who: "bot", text: reply.text };
        if (Array.isArray(reply.buttons) && reply.buttons.length) {
          entry.buttons = reply.buttons.map(function (b) {
            return { title: String(b.title), payload: String(b.payload || b.title) };
          });
        }
        add(entry);
      }
    });
  }

  // -- opening and closing ----------------------------------------------------------------------
  var unseen = 0;
  function unread(count) {
    unseen = count ? unseen + count : 0;
    badge.textContent = unseen ? String(unseen) : "";
    badge.hidden = !unseen;
    var name = T.open.replace("{title}", TITLE);
    bubble.setAttribute("aria-label", unseen ? name + ", " + T.unread.replace("{count}", unseen) : name);
  }
  function open(focus) {
    panel.hidden = false;
    frame.classList.add("open");
    bubble.setAttribute("aria-expanded", "true");
    unread(0);
    remember(true);
    scrollDown();
    if (focus) input.focus();
  }
  function shut() {
    panel.hidden = true;
    frame.classList.remove("open");
    bubble.setAttribute("aria-expanded", "false");
    remember(false);
    bubble.focus();
  }
  function remember(isOpen) {
    try {
      window.sessionStorage.setItem(KEY + "open", isOpen ? "1" : "");
    } catch (e) {
      /* not kept */
    }
  }
  function wasOpen() {
    try {
      return window.sessionStorage.getItem(KEY + "open") === "1";
    } catch (e) {
      return false;
    }
  }
  bubble.addEventListener("click", function () {
    if (panel.hidden) open(true);
    else shut();
  });
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      shut();
    } else if (event.key === "Tab" && frame.classList.contains("open") && fullScreen()) {
      trap(event); // the panel covers the page: Tab stays in it
    }
  });
  function fullScreen() {
    return window.matchMedia && window.matchMedia("(max-width: 480px)").matches;
  }
  function trap(event) {
    var items = Array.prototype.filter.call(
      panel.querySelectorAll("button, textarea, a[href], [tabindex='0']"),
      function (item) {
        return !item.disabled && item.getClientRects().length;
      }
    );
    if (!items.length) return;
    var first = items[0];
    var last = items[items.length - 1];
    var active = root.activeElement;
    if (event.shiftKey && active === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  }
  restart.addEventListener("click", function () {
    forget("session");
    forget("log");
    entries = [];
    stopPolling();
    draw();
    input.focus();
  });

  // -- talking to the assistant -----------------------------------------------------------------
  function Failure(status, text) {
    this.status = status; // 0: no answer (network, server down)
    this.text = text || "";
  }
  function post(path, body, seconds) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, seconds * 1000) : null;
    return fetch(API + path, {
      method: "POST",
      mode: "cors",
      credentials: "omit",
      cache: "no-store",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: controller ? controller.signal : undefined,
    })
      .then(
        function (answer) {
          return answer
            .json()
            .catch(function () {
              return null;
            })
            .then(function (data) {
              return { status: answer.status, data: data };
            });
        },
        function () {
          throw new Failure(0);
        }
      )
      .finally(function () {
        if (timer) clearTimeout(timer);
      });
  }
  function newSession() {
    return post("session", {}, 15).then(function (answer) {
      if (answer.status !== 200 || !answer.data || typeof answer.data.session !== "string") {
        throw new Failure(answer.status, answer.data && answer.data.text);
      }
      var made = { token: answer.data.session, until: Date.now() + (answer.data.expires_in - 60) * 1000 };
      save("session", made);
      keep(transcript());
      return made;
    });
  }
  function withSession(path, body, seconds) {
    var current = session();
    var ready = current ? Promise.resolve(current) : newSession();
    return ready.then(function (kept) {
      return post(path, Object.assign({ session: kept.token }, body), seconds).then(function (answer) {
        if (answer.status !== 401) return answer;
        forget("session"); // expired or from an older secret: a new conversation
        return newSession().then(function (made) {
          return post(path, Object.assign({ session: made.token }, body), seconds);
        });
      });
    });
  }

  var busy = false;
  function working(on) {
    busy = on;
    typing.hidden = !on;
    announce.textContent = on ? T.typing : "";
    send.disabled = on;
    if (on) {
      showChoices();
      scrollDown(); // the typing dots in sight
    }
  }
  function ask(message, shown) {
    message = String(message || "").trim();
    if (!message || busy) return;
    add({ who: "me", text: shown || message });
    working(true);
    withSession("webhook", { message: message }, 30)
      .then(function (answer) {
        if (answer.status === 200) {
          addReplies(answer.data);
          online();
          poll();
        } else if ((answer.status === 429 || answer.status === 413) && answer.data && answer.data.text) {
          add({ who: "bot", text: answer.data.text, error: true });
        } else {
          throw new Failure(answer.status);
        }
      })
      .catch(function (failure) {
        if (failure instanceof Failure && failure.status === 429 && failure.text) {
          add({ who: "bot", text: failure.text, error: true });
        } else {
          if (!(failure instanceof Failure) || failure.status === 0 || failure.status >= 500) offline();
          add({ who: "bot", text: T.apology, error: true, retry: { message: message, shown: shown || message } });
        }
      })
      .then(function () {
        working(false);
        showChoices();
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim() || busy) return;
    if (text.length > MAX_CHARS) {
      add({ who: "bot", text: T.too_long, error: true });
      return;
    }
    input.value = "";
    counted();
    ask(text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  function counted() {
    var remaining = MAX_CHARS - input.value.length;
    left.textContent = remaining < 200 ? T.left.replace("{count}", remaining) : "";
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 120) + "px";
  }
  input.addEventListener("input", counted);

  // -- the long poll: a helper's replies and notifications while the page is open ---------------
  var polling = false;
  var pollRound = 0;
  var failures = 0;
  var wake = null;
  function sleep(ms) {
    return new Promise(function (resolve) {
      var timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  }
  function backoff() {
    var ms = Math.min(30000, 1000 * Math.pow(2, Math.min(failures, 6) - 1));
    return ms * (0.5 + Math.random() / 2);
  }
  function offline() {
    status.textContent = T.offline;
  }
  function online() {
    failures = 0;
    status.textContent = "";
  }
  function stopPolling() {
    pollRound += 1;
    polling = false;
    if (wake) wake();
  }
  function poll() {
    if (polling || !session()) return;
    polling = true;
    var round = pollRound;
    (function next() {
      var kept = session();
      if (round !== pollRound || !kept) {
        if (round === pollRound) polling = false;
        return;
      }
      var started = Date.now();
      post("poll", { session: kept.token, wait: WAIT }, WAIT + 15)
        .then(function (answer) {
          if (round !== pollRound) return null;
          if (answer.status === 200) {
            online();
            addReplies(answer.data);
            return Date.now() - started < 1000 ? sleep(1000) : null; // never a busy loop
          }
          if (answer.status === 401) {
            forget("session"); // expired: the next message starts a new conversation
            return null;
          }
          if (answer.status === 429) return sleep(60000);
          throw new Failure(answer.status);
        })
        .catch(function () {
          failures += 1;
          offline();
          return sleep(backoff());
        })
        .then(next);
    })();
  }
  window.addEventListener("online", function () {
    if (wake) wake();
  });

  // -- another tab of the same site changed the conversation ------------------------------------
  window.addEventListener("storage", function (event) {
    if (event.key === KEY + "log" || event.key === null) {
      entries = transcript();
      draw();
    }
    if (event.key === KEY + "session" && session()) poll();
  });

  // -- start ------------------------------------------------------------------------------------
  unread(0);
  entries = transcript();
  draw();
  function attach() {
    document.body.appendChild(host);
    if (wasOpen()) open(false);
    poll(); // a kept session: what a helper wrote while the page was away arrives now
  }
  if (document.body) attach();
  else document.addEventListener("DOMContentLoaded", attach);
})();
