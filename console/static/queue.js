// The queue page: live updates (server-sent events), the tab title with the number waiting, how long
// each citizen has waited, and the claim button. Lists are rebuilt from /queue/items with
// textContent only (no HTML from data).
(function () {
  "use strict";
  var root = document.querySelector("[data-queue]");
  if (!root) {
    return;
  }
  var statusLine = root.querySelector("[data-status]");
  var live = root.querySelector("[data-live]");
  var count = root.querySelector("[data-count]");
  var channels = JSON.parse(root.dataset.channels || "{}");
  var baseTitle = document.title;
  var empty = {
    waiting: "Chưa có ai chờ.",
    mine: "Không có cuộc trò chuyện nào.",
    missed: "Không có yêu cầu nào bị lỡ.",
  };
  var skew = 0;  // the server's clock minus this computer's, in ms (from the Date header)
  var generation = 0;  // the latest refresh: an older answer arriving late is dropped
  var stream = null;

  function setTitle(n) {
    document.title = (n > 0 ? "(" + n + ") " : "") + baseTitle;
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    if (text !== undefined) {
      el.textContent = text;
    }
    return el;
  }

  // "Đã chờ 3 phút" from the request's time (seconds since 1970, the server's clock).
  function showWaited(el) {
    var minutes = Math.floor(((Date.now() + skew) / 1000 - Number(el.dataset.since)) / 60);
    el.textContent = minutes < 1 ? "Vừa gửi yêu cầu" : "Đã chờ " + minutes + " phút";
    el.classList.toggle("late", minutes >= 5);
  }

  function showClock(el) {
    var at = new Date(Number(el.dataset.at) * 1000);
    el.textContent = "Lúc " + at.toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
  }

  function tick() {
    root.querySelectorAll("[data-since]").forEach(showWaited);
  }

  function item(name, h) {
    var li = element("li", "handoff");
    li.dataset.id = h.id;
    var meta = element("div", "meta");
    meta.appendChild(element("span", "channel channel-" + h.channel, channels[h.channel] || h.channel));
    var procedure = element(name === "mine" ? "a" : name === "waiting" ? "strong" : "span", "procedure",
      h.procedure || "Chưa rõ thủ tục");
    if (name === "mine") {
      procedure.href = "/chat/" + encodeURIComponent(h.id);
    }
    meta.appendChild(procedure);
    if (name === "waiting") {
      meta.appendChild(element("span", "position", "Vị trí " + h.position));
      var since = element("span", "since");
      since.dataset.since = String(h.requested_at);
      showWaited(since);
      meta.appendChild(since);
    } else if (name === "missed") {
      var at = element("span", "since");
      at.dataset.at = String(h.requested_at);
      showClock(at);
      meta.appendChild(at);
    }
    li.appendChild(meta);
    if (name === "waiting") {
      if (h.last.length) {
        var last = element("ul", "last");
        h.last.forEach(function (m) {
          last.appendChild(element("li", "from-" + m.role, m.text));
        });
        li.appendChild(last);
      }
      var button = element("button", "claim", "Nhận hỗ trợ");
      button.type = "button";
      button.dataset.claim = h.id;
      li.appendChild(button);
    }
    return li;
  }

  function fill(name, items) {
    var list = root.querySelector('[data-list="' + name + '"]');
    list.replaceChildren();
    if (!items.length) {
      list.appendChild(element("li", "empty", empty[name]));
    }
    items.forEach(function (h) {
      list.appendChild(item(name, h));
    });
  }

  function refresh() {
    var mine = ++generation;
    window.consoleFetch("/queue/items").then(function (response) {
      if (response.status === 401) {
        window.location.reload();  // logged out: the login page, then back here
        return null;
      }
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      var date = Date.parse(response.headers.get("Date") || "");
      if (!isNaN(date)) {
        skew = date + 500 - Date.now();  // the header counts whole seconds: take the middle one
      }
      return response.json();
    }).then(function (data) {
      if (!data || mine !== generation) {
        return;
      }
      fill("waiting", data.waiting);
      fill("mine", data.mine);
      fill("missed", data.missed);
      count.textContent = String(data.waiting.length);
      setTitle(data.waiting.length);
    }).catch(function () {
      statusLine.textContent = "Chưa tải được hàng chờ. Trang sẽ thử lại khi có cập nhật.";
    });
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-claim]") : null;
    if (!button || button.disabled) {
      return;
    }
    button.disabled = true;
    button.textContent = "Đang nhận…";
    statusLine.textContent = "";
    window.consoleFetch("/queue/" + encodeURIComponent(button.dataset.claim) + "/claim", { method: "POST" })
      .then(function (response) {
        if (response.status === 401) {
          window.location.reload();
          return null;
        }
        return response.json();
      })
      .then(function (data) {
        if (!data) {
          return;
        }
        if (data.ok) {
          window.location.assign(data.chat);
        } else {
          statusLine.textContent = data.error;
          refresh();
        }
      })
      .catch(function () {
        statusLine.textContent = "Không kết nối được máy chủ. Vui lòng thử lại.";
        button.disabled = false;
        button.textContent = "Nhận hỗ trợ";
      });
  });

  function connect() {
    stream = new EventSource("/queue/stream");
    stream.onopen = function () {
      live.textContent = "Cập nhật trực tiếp";
      live.classList.add("on");
      root.dataset.live = "open";
      refresh();  // also after a reconnect: whatever was missed meanwhile
    };
    stream.onmessage = refresh;
    stream.onerror = function () {
      live.textContent = "Mất kết nối, đang thử lại…";
      live.classList.remove("on");
      root.dataset.live = "closed";
      if (stream.readyState === EventSource.CLOSED) {  // the browser gave up: try again ourselves
        window.setTimeout(connect, 5000);
      }
    };
  }

  root.querySelectorAll("[data-at]").forEach(showClock);
  tick();
  window.setInterval(tick, 30000);
  setTitle(Number(count.textContent));
  connect();
})();
