// The queue page: live updates (server-sent events), the tab title with the number waiting, and
// the claim button. Lists are rebuilt from /queue/items with textContent only (no HTML from data).
(function () {
  "use strict";
  var root = document.querySelector("[data-queue]");
  if (!root) {
    return;
  }
  var statusLine = root.querySelector("[data-status]");
  var baseTitle = document.title;

  function setTitle(count) {
    document.title = (count > 0 ? "(" + count + ") " : "") + baseTitle;
  }

  function item(h, withClaim, link) {
    var li = document.createElement("li");
    li.className = "handoff";
    li.dataset.id = h.id;
    var meta = document.createElement(link ? "a" : "div");
    meta.className = "meta";
    if (link) {
      meta.href = "/chat/" + encodeURIComponent(h.id);
    }
    meta.textContent = h.channel + " · " + (h.procedure || "chưa rõ thủ tục") + (h.position ? " · vị trí " + h.position : "");
    li.appendChild(meta);
    if (withClaim) {
      var last = document.createElement("ul");
      last.className = "last";
      h.last.forEach(function (m) {
        var line = document.createElement("li");
        line.className = "from-" + m.role;
        line.textContent = m.text;
        last.appendChild(line);
      });
      li.appendChild(last);
      var button = document.createElement("button");
      button.type = "button";
      button.dataset.claim = h.id;
      button.textContent = "Nhận hỗ trợ";
      li.appendChild(button);
    }
    return li;
  }

  function fill(name, items, empty, withClaim, link) {
    var list = root.querySelector('[data-list="' + name + '"]');
    list.replaceChildren();
    if (!items.length) {
      var li = document.createElement("li");
      li.className = "empty";
      li.textContent = empty;
      list.appendChild(li);
    }
    items.forEach(function (h) {
      list.appendChild(item(h, withClaim, link));
    });
  }

  function refresh() {
    window.consoleFetch("/queue/items").then(function (response) {
      if (response.status === 401) {
        window.location.reload();
        return null;
      }
      return response.json();
    }).then(function (data) {
      if (!data) {
        return;
      }
      fill("waiting", data.waiting, "Chưa có ai chờ.", true, false);
      fill("mine", data.mine, "Không có cuộc trò chuyện nào.", false, true);
      fill("missed", data.missed, "Không có yêu cầu nào bị lỡ.", false, false);
      root.querySelector("[data-count]").textContent = String(data.waiting.length);
      setTitle(data.waiting.length);
    });
  }

  root.addEventListener("click", function (event) {
    var id = event.target.dataset ? event.target.dataset.claim : null;
    if (!id) {
      return;
    }
    event.target.disabled = true;
    window.consoleFetch("/queue/" + encodeURIComponent(id) + "/claim", { method: "POST" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.ok) {
          window.location.assign(data.chat);
        } else {
          statusLine.textContent = data.error;
          refresh();
        }
      })
      .catch(function () {
        statusLine.textContent = "Không kết nối được máy chủ. Vui lòng thử lại.";
        event.target.disabled = false;
      });
  });

  setTitle(Number(root.querySelector("[data-count]").textContent));
  var stream = new EventSource("/queue/stream");
  stream.onmessage = refresh;
  stream.onopen = refresh;  // after a reconnect, whatever was missed
})();
